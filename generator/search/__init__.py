"""Stage 4: the Pagefind search index of the docs tree, in slices merged into one bundle."""
