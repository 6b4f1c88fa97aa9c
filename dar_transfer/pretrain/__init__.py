"""Pretraining: classifier models that record per-sample losses (datasets, metrics follow)."""
from .classifier import ImageClassifier

__all__ = ['ImageClassifier']
