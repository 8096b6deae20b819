"""Layer 1: bulk records from CSV, converted to the same claim shape as the curated graph."""
