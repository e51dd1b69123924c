"""Building books: stages, chapters, cache, Jupyter Book, PDF, staging, preview and the national batch."""
