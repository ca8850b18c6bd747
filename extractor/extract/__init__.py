"""Stage 3, extract: the quantity layer and the fact layer, driven by the rules in `patterns/`."""
