"""The ``real-small`` suite: the four downstream models on small real data sets.

Faster R-CNN FPN and Mask R-CNN on Penn-Fudan, SimpleBaseline on LSPET and PSPNet on
CamVid. Each config inherits the same upstream config as the default COCO/Cityscapes
suite (``downstream.TASKS``) and overrides, besides the backbone's depth and weights,
only the data, the classes, the input size and the schedule; its ``cpu`` preset also
narrows the heads (``real_small_tasks``). The data are what ``dar-transfer data``
writes, one folder per data set under ``--data-root``.
"""
from __future__ import annotations

import hashlib
import pprint
import textwrap
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError
from .downstream import DownstreamTask
from .real_small_tasks import CPU_PRESETS, DATA, PRESETS, TEMPLATES, TITLES, model_overrides

SUITES = ('coco', 'real-small')


def config_file_name(name: str, task: str, *, suite: str, preset: str | None) -> str:
    """The file name export gives a task's config; the suites write side by side, and the
    coco names stay as they were."""
    return f'{name}_{task}.py' if suite == 'coco' else f'{name}_{task}_{suite}_{preset}.py'


def deep_merge(base: dict, extra: dict) -> dict:
    """``base`` with ``extra`` merged in, nested dicts key by key (neither is changed)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def annotation_files(key: str, data_root: str | Path) -> list[Path]:
    """The annotation files a task reads under ``data_root``; missing ones are an error
    that names the ``dar-transfer data`` command writing them."""
    folder, names, command = DATA[key]
    root = Path(data_root) / folder
    files: list[Path] = []
    for name in names:
        path = root / name
        if not path.exists():
            raise UsageError(f'{path} does not exist: the real-small suite reads the '
                             f'converted data under --data-root; write it with `{command}`')
        files.extend(sorted(p for p in path.iterdir() if p.is_file())
                     if path.is_dir() else [path])
    if not files:
        raise UsageError(f'{root} holds no annotation files; rerun `{command}`')
    return files


def annotation_fingerprint(key: str, data_root: str | Path) -> str:
    """sha256 over the names and bytes of a task's annotation files (train and val), so
    a report can tell runs on different conversions or splits apart."""
    root = Path(data_root) / DATA[key][0]
    digest = hashlib.sha256()
    for path in annotation_files(key, data_root):
        digest.update(str(path.relative_to(root)).encode() + b'\0')
        digest.update(path.read_bytes())
    return digest.hexdigest()


def suite_settings_digest(preset: str, tasks: Iterable[str] | None = None) -> str:
    """sha256 of what a preset puts into the configs of ``tasks`` (default: all four):
    sizes, schedules, head widths and templates. A campaign reruns an export whose preset
    was edited, and only the fine-tunings of the tasks whose settings changed."""
    if preset not in PRESETS:
        raise UsageError(f'preset must be one of {tuple(PRESETS)}, got {preset!r}')
    keys = sorted(DATA if tasks is None else tasks)
    settings = [(k, PRESETS[preset][k], TEMPLATES[k], model_overrides(k, preset)) for k in keys]
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:16]


def render_suite_config(task: DownstreamTask, *, depth: int, checkpoint: str | None,
                        provenance: dict, preset: str, data_root: str | Path) -> str:
    """The text of one real-small config: upstream base, merged model overrides, the
    task's data and schedule, and provenance (suite, preset, annotation fingerprint)."""
    if preset not in PRESETS:
        raise UsageError(f'preset must be one of {tuple(PRESETS)}, got {preset!r}')
    from ..data.lspet import METAINFO_FILE

    key = task.key
    size = dict(PRESETS[preset][key])
    root = (Path(data_root) / DATA[key][0]).resolve()
    length = size.get('epochs', size.get('iters'))
    cpu = preset in CPU_PRESETS
    fill = {
        'root': str(root), 'metainfo': METAINFO_FILE,
        # cpu: `dar-transfer finetune` tests once after training, so the training loop
        # skips its own validation (val_begin past the end); gpu validates as upstream.
        'val_interval': length if cpu else max(1, length // 10),
        'val_begin': length + 1 if cpu else 1,
        'workers': 1 if cpu else 4,
        'persistent': not cpu,
        **{k: repr(tuple(v)) if isinstance(v, tuple) else repr(v) for k, v in size.items()},
    }
    text = TEMPLATES[key]
    clip = fill.pop('clip', None)
    if clip is not None:  # gradient clipping, as mmdet's configs write it
        line = 'optim_wrapper = dict(optimizer=dict(lr={lr}))'
        if line not in text:
            raise RuntimeError(f'the {key} template no longer has the line {line!r}')
        text = text.replace(line, line[:-1] + f', clip_grad=dict(max_norm={clip}, '
                                              'norm_type=2))')
    restat = fill.pop('restat', None)  # a repr: 'test'
    if restat is not None:  # statistics estimated again before the test (finetune.bn_hook)
        line = "imports=['dar_transfer.data.camvid_dataset']"
        if line not in text:
            raise RuntimeError(f'the {key} template no longer has {line!r}')
        text = text.replace(line, line[:-1] + ", 'dar_transfer.finetune.bn_hook']") + (
            '# Batch-norm statistics estimated again before the test, on the training images '
            f'through\n# the {restat[1:-1]} pipeline; training is untouched.\n'
            f"custom_hooks = [dict(type='ReestimateBatchNormHook', pipeline={restat}, "
            'batch_size=8)]\n')
    for name, value in fill.items():
        text = text.replace('{' + name + '}', str(value))
    model = deep_merge(task.model_overrides(depth, checkpoint), model_overrides(key, preset))
    provenance = {**provenance, 'suite': 'real-small', 'preset': preset,
                  'data_root': str(root),
                  'annotation_sha256': annotation_fingerprint(key, data_root)}
    header = (f'{TITLES[key]}: backbone {provenance["name"]} (ResNet-{depth}), real-small '
              f'suite, {preset} preset, written by dar-transfer export. It inherits the '
              'upstream config of the COCO/Cityscapes suite and overrides the backbone, '
              'the data, the classes, the input size and the schedule'
              + (', and narrows the heads (same modules) to fit a 2-core CPU' if cpu else '')
              + ('; the backbone is frozen (weights and batch-norm statistics), only the '
                 'neck and heads train.' if preset == 'cpu-frozen' else '.'))
    lines = [
        *textwrap.wrap(header, width=88, initial_indent='# ', subsequent_indent='# '),
        f'_base_ = {task.base!r}',
        text,
        f'model = {pprint.pformat(model, sort_dicts=False, width=90)}',
        '',
        '# Where the backbone and the data came from; `dar-transfer report` reads it back.',
        f'dar_provenance = {pprint.pformat(provenance, sort_dicts=False, width=90)}',
        '',
    ]
    return '\n'.join(lines)
