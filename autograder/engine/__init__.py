"""Grading: read submissions, grade them against the catalog, store results, batches and clusters."""
