"""What the national summary book's chapters show: its page, charts, findings and regions."""
