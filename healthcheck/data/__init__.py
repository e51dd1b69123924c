"""Reading and checking the data folder: files, YAML, tables, text, validation and the loaded survey."""
