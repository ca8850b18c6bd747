"""Stage 4, store: the SQLite schema, its migrations and every SQL statement newsfacts runs."""
