"""What readers see: charts, tables, sentences, narrative and chapter sections (every data string escaped)."""
