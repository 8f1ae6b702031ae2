"""Benchmarks: synthetic archives (`bench.synth`) and `python -m bench`."""
