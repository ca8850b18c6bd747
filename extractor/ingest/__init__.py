"""Stage 1, ingest: find article URLs (feeds, sitemaps, URL lists) and fetch them politely."""
