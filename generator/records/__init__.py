"""Stage 1: record files read, validated and turned into the immutable model (``model.Archive``)."""
