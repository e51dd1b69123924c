"""YAML files loaded safely, read into pydantic models with every mistake at its key, and written as the analyst writes them."""
