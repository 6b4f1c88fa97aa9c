"""Pretraining: classifier models that record per-sample losses, and data sets."""
from .classifier import ImageClassifier
from .synthetic import SyntheticImageDataset

__all__ = ['ImageClassifier', 'SyntheticImageDataset']
