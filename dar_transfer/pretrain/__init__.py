"""Pretraining: classifiers that record per-sample losses, data sets, transforms, metrics."""
from .batch_augment import BatchAugmentPreprocessor
from .cifar import CIFARDataset
from .classifier import ImageClassifier
from .collate import scoped_default_collate
from .finite_loss import FiniteLossHook
from .image_folder import ImageFolderDataset, InMemoryImageFolder
from .image_list import ImageListDataset
from .metrics import ShotAccuracy, TopKAccuracy
from .synthetic import SyntheticImageDataset
from .transforms import PackClassificationInputs, RandomResizedCrop, ResizeShortEdge

__all__ = ['BatchAugmentPreprocessor', 'CIFARDataset', 'FiniteLossHook', 'ImageClassifier',
           'ImageFolderDataset', 'ImageListDataset', 'InMemoryImageFolder',
           'PackClassificationInputs', 'RandomResizedCrop', 'ResizeShortEdge',
           'ShotAccuracy', 'SyntheticImageDataset', 'TopKAccuracy', 'scoped_default_collate']
