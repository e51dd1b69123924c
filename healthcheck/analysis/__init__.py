"""Statistics: codes, rounding, figures, disclosure control and benchmarks (reads tables, never files)."""
