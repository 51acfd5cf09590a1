"""Index and search, evidence, the fitted decision, and the composed Answer. Knows nothing of
terminals, HTTP or files (the build and storage layers bring the index)."""
