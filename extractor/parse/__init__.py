"""Stage 2, parse: HTML or plain text into an Article (title, date, text blocks, sections)."""
