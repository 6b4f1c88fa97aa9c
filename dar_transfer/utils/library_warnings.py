"""Warnings from the libraries under dar-transfer that its users cannot act on.

Each entry names the library code that raises it. They are ignored by message, one by
one, when a ``dar-transfer`` command starts (never at import): any other warning, and
every error, still shows.
"""
from __future__ import annotations

import warnings

KNOWN = (
    # mmengine's is_installed() reloads pkg_resources each time a 'mmdet::' style config
    # path is resolved; setuptools then warns that pkg_resources is deprecated.
    ('pkg_resources is deprecated as an API', UserWarning),
    # mmseg builds its own decode-head losses through its deprecated build_loss().
    ('``build_loss`` would be deprecated soon', UserWarning),
    # mmseg's SegVisualizationHook in every upstream config, with drawing switched off.
    ('The draw is False, it means that the hook for visualization', UserWarning),
    # mmpose's COCO configs name their metainfo by a repository-relative path; mmpose
    # then finds the same file inside its installed package and says so.
    ('The metainfo config file .* does not exist', UserWarning),
)


def ignore_library_warnings() -> None:
    """Ignore exactly the warnings in :data:`KNOWN`."""
    for message, category in KNOWN:
        warnings.filterwarnings('ignore', message=message, category=category)
