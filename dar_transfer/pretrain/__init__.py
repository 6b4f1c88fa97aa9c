"""Pretraining: classifiers that record per-sample losses, data sets, metrics."""
from .batch_augment import BatchAugmentPreprocessor
from .classifier import ImageClassifier
from .image_folder import InMemoryImageFolder
from .metrics import TopKAccuracy
from .synthetic import SyntheticImageDataset

__all__ = ['BatchAugmentPreprocessor', 'ImageClassifier', 'InMemoryImageFolder',
           'SyntheticImageDataset', 'TopKAccuracy']
