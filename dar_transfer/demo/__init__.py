"""Tiny data sets in the real on-disk formats, for tests and the end-to-end demo."""
