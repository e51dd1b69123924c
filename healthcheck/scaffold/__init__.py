"""The commands that write the analyst's files: `new-year` and `import` (with what it proposes and reports)."""
