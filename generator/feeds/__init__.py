"""Atom feeds: new and revised cases, follow-ups, and each platform's subtree."""
