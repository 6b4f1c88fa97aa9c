"""``CamVidDataset``: mmseg's folder dataset with CamVid's 11 classes and SegNet's palette.

Configs load it with ``custom_imports=dict(imports=['dar_transfer.data.camvid_dataset'])``
and read the layout that ``dar-transfer data camvid`` writes (``img_dir/<split>``,
``ann_dir/<split>``, PNG images and labels of the same name). It differs from mmseg's
``BaseSegDataset`` only in its METAINFO and suffixes: void (11 in SegNet's labels) is
already 255, mmseg's ignore index, in the converted labels, so no ``reduce_zero_label``
or ``label_map`` is needed.
"""
from __future__ import annotations

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from .camvid_classes import CLASSES, PALETTE


@DATASETS.register_module()
class CamVidDataset(BaseSegDataset):
    """CamVid street scenes, 11 classes (Brostow, Fauqueur and Cipolla, 2008; SegNet's
    preparation). Keyword arguments are ``BaseSegDataset``'s."""

    METAINFO = dict(classes=CLASSES, palette=[list(c) for c in PALETTE])

    def __init__(self, *, img_suffix: str = '.png', seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = False, **kwargs) -> None:
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
                         reduce_zero_label=reduce_zero_label, **kwargs)
