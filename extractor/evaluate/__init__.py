"""Stage 6, evaluate: score extraction against gold articles and NewsQuant sentences."""
