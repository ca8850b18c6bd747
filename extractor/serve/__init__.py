"""Stage 5, serve: Datasette over the store, with our plugin and metadata."""
