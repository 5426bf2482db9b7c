"""Notifiers: where alerts go. One module per kind; the ABC is in ``base``."""
