"""Whether a run trained on data that dar-transfer generated (the demo's, the tests').

Generated data sets carry a marker file at their root. Pretraining and fine-tuning
summaries record whether a config read such a root, so a report can label results
that come from toy data: they show that the code runs, not which variant is better.
"""
from __future__ import annotations

import json
from pathlib import Path

MARKER = 'GENERATED_BY_DAR_TRANSFER.json'
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def mark_generated(root: str | Path, *, generator: str) -> None:
    """Write the marker that says ``root`` holds generated (not real) data."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text(json.dumps({'generator': generator}) + '\n')


def is_generated(root: str | Path | None) -> bool:
    return root is not None and (Path(root) / MARKER).is_file()


def data_roots(cfg) -> list[str]:
    """The data roots of a config's dataloaders (wrapped datasets included)."""
    roots = []
    for name in LOADERS:
        loader = cfg.get(name) or {}
        dataset = loader.get('dataset') or {}
        while hasattr(dataset, 'get') and 'dataset' in dataset and not dataset.get('data_root'):
            dataset = dataset['dataset']  # RepeatDataset, ClassBalancedDataset, ...
        root = dataset.get('data_root') if hasattr(dataset, 'get') else None
        if root:
            roots.append(str(root))
    return roots


def uses_generated_data(cfg) -> bool:
    """True when any dataloader of ``cfg`` reads a generated data set."""
    return any(is_generated(root) for root in data_roots(cfg))
