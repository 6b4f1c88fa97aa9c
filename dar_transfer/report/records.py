"""What the report knows of one run, shared by the readers of live work_dirs
(:mod:`.collect`) and of archived ``runs.jsonl`` files (:mod:`.archive`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The downstream tasks, in the order the report shows them.
DOWNSTREAM = ('det', 'inst', 'pose', 'seg')


@dataclass
class RunRecord:
    """One run's identity, cost and final metrics (in the units papers print)."""

    work_dir: Path
    task: str
    backbone: str
    variant: str
    seed: int | None
    cost: float | None
    status: str
    metrics: dict[str, float | None] = field(default_factory=dict)
    source: str = ''
    pretrain_top1: float | None = None
    dar_log: list[dict] = field(default_factory=list)
    # Metrics that cannot exist on this data (COCO's -1: no object of that size).
    not_applicable: set[str] = field(default_factory=set)
    wall_seconds: float | None = None
    generated_data: bool = False
    # Seed of the pretraining run behind a downstream run (from export's provenance):
    # with ``seed`` it pairs runs of two variants (see :func:`pair_key`).
    pretrain_seed: int | None = None
    # The pretrained checkpoint: a pretraining run's last one, a downstream run's source.
    checkpoint: str = ''
    # Probe top-1 of that checkpoint, by name ('knn imagenette-112'), from ``probe --beside``.
    probes: dict[str, float] = field(default_factory=dict)
    # The data set it was tested on: the last folder of its data root ('pennfudan').
    data: str = ''
    # The kind of machine it ran on (:func:`~dar_transfer.utils.machine.machine`); '' where
    # its summary does not say (runs made before summaries recorded it).
    machine: str = ''
