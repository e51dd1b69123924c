"""The analyst's narrative: the safe MyST subset with references, filled in, and a year's narrative files."""
