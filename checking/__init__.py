"""Checking applications end to end: the steps of one application, the batch, the output
folder's lock. Above every package but ``flows`` (docs/architecture.md)."""
