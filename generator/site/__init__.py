"""Stage 3: the docs tree, one Markdown page per case, platform and index (``build.build_docs``)."""
