"""An input table read as its survey tool wrote it (CSV or XLSX, safely), and the export checked row by row."""
