"""watcher: watches SEC EDGAR for biotech and pharma press releases and alerts when a
partnership changes status. See README.md for the pipeline and the folder map."""

__version__ = "0.1.0"
