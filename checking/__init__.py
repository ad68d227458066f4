"""Checking applications end to end: the inbox taken in, the steps of one application, the
batch. Above ``pipeline``, ``extractors`` and ``validators``; below ``flows``."""
