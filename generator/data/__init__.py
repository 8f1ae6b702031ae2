"""Open data: the archive as documented flat files at permanent addresses (``/data/``)."""
