"""Stage 2: what a printed notice (公示) shows and its QR code; the PDFs of ``make notices``."""
