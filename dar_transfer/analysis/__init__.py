"""Analyses of pretrained classifiers: feature geometry (``dar-transfer features``)."""
