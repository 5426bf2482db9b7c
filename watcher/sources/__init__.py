"""Sources: where filings come from. One module per kind; the ABC is in ``base``."""
