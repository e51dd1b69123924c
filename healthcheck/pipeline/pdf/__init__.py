"""The PDF: the single page printed by Chromium, with its cover, contents, print styles and vector hatching."""
