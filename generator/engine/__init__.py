"""The engine adapter: the ``xieshang`` plugin, run by ProperDocs or MkDocs.

The only package that imports the engine.
"""
