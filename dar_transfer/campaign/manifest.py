"""The campaign manifest: an mmengine config (``_base_`` works), validated key by key.

Every key is checked when the manifest is read, so a typo or a missing config stops
the campaign before any job starts, naming the key (exit code 2 at the CLI).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from . import manifest_sections as sections
from .manifest_sections import as_dict, as_seeds, check_keys, fail

DEFAULT_SUITE = 'coco'
# What a campaign folder holds its manifest as (``dar-transfer demo`` writes OUT/manifest.py).
MANIFEST_NAME = 'manifest.py'
TOP_KEYS = {'folder', 'variants', 'suite', 'export_options', 'tasks', 'finetune_seeds',
            'noise_floor', 'pretrain_cfg_options', 'finetune_cfg_options', 'resources', 'report',
            'probes', 'reference', 'until_precision', 'max_seeds', 'effects', 'margins',
            'job_order'}
VARIANT_KEYS = {'name', 'config', 'cfg_options', 'seeds', 'depth', 'finetune_seeds',
                'max_seeds'}
TASK_KEYS = {'name', 'config', 'overlay', 'cfg_options', 'export_task', 'finetune_seeds'}
PAIRED = 'pretrain'  # finetune_seeds = 'pretrain': each backbone fine-tuned with its own seed
# job_order: 'backbone' finishes a backbone's fine-tunings before the next backbone's;
# 'finetune_seed' runs every backbone's fine-tunings of one seed before the next seed,
# so that a noise measurement on fixed backbones has paired seeds from the start.
JOB_ORDERS = ('backbone', 'finetune_seed')


@dataclass(frozen=True)
class Variant:
    name: str
    config: str | None  # None: a from-scratch control (fine-tunings from random init)
    cfg_options: dict
    seeds: tuple[int, ...]
    depth: int
    # Its backbones' fine-tuning seeds when fewer than the campaign's suffice (a
    # from-scratch control only has to show that pretraining helps); None: all of them.
    finetune_seeds: tuple[int, ...] | None = None
    # Its own seed budget in a precision campaign, below the campaign's ``max_seeds`` (a
    # control that joined late, with less machine time left); None: the campaign's.
    max_seeds: int | None = None


@dataclass(frozen=True)
class Task:
    name: str
    config: str | None  # None: the config export writes for this task
    overlay: str | None  # config text appended after the job config's _base_ line
    cfg_options: dict
    # The exported config it fine-tunes (config None); default: its name. Lets two tasks
    # of one manifest run one exported task under two protocols (``seg`` and a
    # ``seg_bn_frozen`` with other cfg_options), side by side in their own folders.
    export_task: str | None = None
    # This task's fine-tuning seeds, a subset of the campaign's; None: all of them.
    finetune_seeds: tuple[int, ...] | None = None

    @property
    def exported(self) -> str:
        return self.export_task or self.name


@dataclass
class Manifest:
    path: Path
    folder: Path
    variants: list[Variant]
    suite: str
    export_options: dict
    tasks: list[Task]
    finetune_seeds: str | tuple[int, ...]
    noise_floor: list[dict]
    pretrain_cfg_options: dict
    finetune_cfg_options: dict
    resources: dict[str, dict]
    report: dict = field(default_factory=dict)
    probes: list[dict] = field(default_factory=list)
    # The precision campaign (``campaign run --until-precision``) and ``campaign plan``:
    # the variant every comparison is against, target CI half-widths by task, the most
    # seeds any variant may get, target effects and non-inferiority margins by task.
    reference: str = 'baseline'
    until_precision: dict[str, float] = field(default_factory=dict)
    max_seeds: int | None = None
    effects: dict[str, float] = field(default_factory=dict)
    margins: dict[str, float] = field(default_factory=dict)
    job_order: str = 'backbone'

    def seed_cap(self, variant: str, max_seeds: int | None) -> int | None:
        """The most seeds ``variant`` may get: ``max_seeds`` (the campaign's, or
        ``--max-seeds``), or the variant's own budget where that is lower."""
        own = next((v.max_seeds for v in self.variants if v.name == variant), None)
        caps = [cap for cap in (own, max_seeds) if cap is not None]
        return min(caps, default=None)


def export_task_names(suite: str) -> tuple[str, ...]:
    """The task names ``dar-transfer export --suite SUITE`` writes (export owns the list)."""
    from ..export.downstream import TASKS
    from ..export.real_small import SUITES

    if suite not in SUITES:
        raise UsageError(f'manifest key suite: {suite!r} is not a suite export knows; '
                         f'choose one of {list(SUITES)}')
    return tuple(TASKS)  # every suite writes the same four tasks


def _export_options(raw, suite: str) -> dict:
    """``export --preset/--data-root``: required by the real-small suite, refused by coco."""
    options = as_dict('export_options', raw)
    check_keys('export_options.', options, {'preset', 'data_root'})
    if suite == 'coco':
        if options:
            fail('export_options', 'preset and data_root belong to suite real-small; the '
                                    'coco suite writes the paper protocol')
        return {}
    for key in ('preset', 'data_root'):
        if not options.get(key):
            fail(f'export_options.{key}', f'suite {suite} needs it, e.g. export_options='
                                           "dict(preset='cpu', data_root='data/real-small')")
    return options


def _existing(key: str, path, base: Path) -> str:
    text = str(path).replace('{folder}', str(base))
    if '::' not in text and not Path(text).is_file():
        fail(key, f'config file {text} not found')
    return text


def _variant(index: int, raw, folder: Path) -> Variant:
    where = f'variants[{index}].'
    if not isinstance(raw, dict):
        fail(where[:-1], 'must be a dict with name, config, seeds')
    check_keys(where, raw, VARIANT_KEYS)
    name = raw.get('name')
    if not isinstance(name, str) or not name.replace('-', '').replace('_', '').isalnum():
        fail(f'{where}name', f'must be a short name (letters, digits, - and _), got {name!r}')
    if 'config' not in raw:
        fail(f'{where}config', 'missing; give a pretraining config, or None for a '
                                'from-scratch control')
    config = None if raw['config'] is None else _existing(f'{where}config', raw['config'], folder)
    depth = raw.get('depth', 50)
    if not isinstance(depth, int) or depth not in (18, 34, 50, 101, 152):
        fail(f'{where}depth', f'must be a ResNet depth (18, 34, 50, 101, 152), got {depth!r}')
    seeds = as_seeds(f'{where}seeds', raw.get('seeds'))
    cap = raw.get('max_seeds')
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int)
                            or cap < max(2, len(seeds))):
        fail(f'{where}max_seeds', 'must be an integer >= 2 and at least the variant\'s '
                                  f'first-stage seeds ({len(seeds)}), got {cap!r}')
    return Variant(name, config, as_dict(f'{where}cfg_options', raw.get('cfg_options')),
                   seeds, depth,
                   _subset_seeds(f'{where}finetune_seeds', raw.get('finetune_seeds')), cap)


def _task(index: int, raw, exported: tuple[str, ...], folder: Path) -> Task:
    where = f'tasks[{index}]'
    if isinstance(raw, str):
        raw = {'name': raw}
    if not isinstance(raw, dict):
        fail(where, f'must be a task name or a dict, got {raw!r}')
    check_keys(f'{where}.', raw, TASK_KEYS)
    name, config = raw.get('name'), raw.get('config')
    if not isinstance(name, str) or not name:
        fail(f'{where}.name', f'must be a task name, got {name!r}')
    export_task = raw.get('export_task')
    if export_task is not None and (config is not None or export_task not in exported):
        fail(f'{where}.export_task', f'must be a task export writes ({", ".join(exported)}) '
                                      f'and goes without config=, got {export_task!r}')
    if not name.replace('-', '').replace('_', '').isalnum():
        fail(f'{where}.name', f'must be a short name (letters, digits, - and _), got {name!r}')
    if config is None and (export_task or name) not in exported:
        fail(f'{where}.name', f'{name!r} is not a task export writes ({", ".join(exported)}); '
                               'give config= for a task of your own, or export_task= to run '
                               'an exported task under another name')
    if config is not None:
        config = _existing(f'{where}.config', config, folder)
    overlay = raw.get('overlay')
    if overlay is not None:
        overlay = _existing(f'{where}.overlay', overlay, folder)
    return Task(name, config, overlay, as_dict(f'{where}.cfg_options', raw.get('cfg_options')),
                export_task, _subset_seeds(f'{where}.finetune_seeds', raw.get('finetune_seeds')))


def _finetune_seeds(raw) -> str | tuple[int, ...]:
    if raw is None or raw == PAIRED:
        return PAIRED
    if isinstance(raw, str):
        fail('finetune_seeds', f'must be a list of integers or {PAIRED!r}, got {raw!r}')
    return as_seeds('finetune_seeds', raw)


def _job_order(raw) -> str:
    if raw is None:
        return 'backbone'
    if raw not in JOB_ORDERS:
        fail('job_order', f'must be one of {JOB_ORDERS}, got {raw!r}')
    return raw


def _subset_seeds(key: str, raw) -> tuple[int, ...] | None:
    return None if raw is None else as_seeds(key, raw)


def _check_subsets(finetune_seeds, variants: list[Variant], tasks: list[Task]) -> None:
    """A variant's or task's own fine-tuning seeds must be some of the campaign's list."""
    owners = [(f'variants[{i}].finetune_seeds', v.finetune_seeds) for i, v in enumerate(variants)]
    owners += [(f'tasks[{i}].finetune_seeds', t.finetune_seeds) for i, t in enumerate(tasks)]
    for key, seeds in owners:
        if seeds is None:
            continue
        if finetune_seeds == PAIRED:
            fail(key, f'needs the campaign\'s finetune_seeds to be a list (not {PAIRED!r}); '
                       'it picks some of them')
        extra = sorted(set(seeds) - set(finetune_seeds))
        if extra:
            fail(key, f'{extra} not in the campaign\'s finetune_seeds {list(finetune_seeds)}; '
                       'add them there, or drop them here')


def validate(raw: dict, path: Path) -> Manifest:
    """A :class:`Manifest` from the keys of a loaded config; ValueError names a bad key."""
    check_keys('', raw, TOP_KEYS)
    if not raw.get('folder'):
        fail('folder', 'missing; the campaign folder where records, logs and runs go')
    folder = Path(str(raw['folder']))
    raw_variants = raw.get('variants')
    if not isinstance(raw_variants, (list, tuple)) or not raw_variants:
        fail('variants', 'must be a non-empty list of dict(name, config, seeds)')
    variants = [_variant(i, v, folder) for i, v in enumerate(raw_variants)]
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        fail('variants', f'names must be distinct, got {names}')
    suite = raw.get('suite', DEFAULT_SUITE)
    exported = export_task_names(suite)
    raw_tasks = raw.get('tasks', list(exported))
    if not isinstance(raw_tasks, (list, tuple)) or not raw_tasks:
        fail('tasks', 'must be a non-empty list of task names or dict(name, config)')
    tasks = [_task(i, t, exported, folder) for i, t in enumerate(raw_tasks)]
    if len({t.name for t in tasks}) != len(tasks):
        fail('tasks', 'task names must be distinct')
    finetune_seeds = _finetune_seeds(raw.get('finetune_seeds'))
    _check_subsets(finetune_seeds, variants, tasks)
    return Manifest(
        path=path, folder=folder, variants=variants, suite=suite,
        export_options=_export_options(raw.get('export_options'), suite), tasks=tasks,
        finetune_seeds=finetune_seeds,
        noise_floor=sections.noise_floor(raw.get('noise_floor'),
                                         {v.name: v.seeds for v in variants}),
        pretrain_cfg_options=as_dict('pretrain_cfg_options', raw.get('pretrain_cfg_options')),
        finetune_cfg_options=as_dict('finetune_cfg_options', raw.get('finetune_cfg_options')),
        resources=sections.resources(raw.get('resources')),
        report=sections.report(raw.get('report')), probes=sections.probes(raw.get('probes')),
        job_order=_job_order(raw.get('job_order')),
        **sections.precision(raw, names, [t.name for t in tasks]))


def load_manifest(path: str | Path, overrides: dict | None = None) -> Manifest:
    """Read and validate a manifest file (``overrides`` as ``--cfg-options`` would give).

    ``path`` may also be a folder holding ``manifest.py``, as ``dar-transfer demo`` writes
    next to its runs: ``campaign status work_dirs/demo`` then reads that file.
    """
    from mmengine.config import Config

    path = Path(path)
    if path.is_dir():
        if not (path / MANIFEST_NAME).is_file():
            raise FileNotFoundError(
                f'manifest {path} is a folder without a {MANIFEST_NAME}; pass the manifest '
                f'file itself, e.g. configs/campaigns/demo.py or {path / MANIFEST_NAME}')
        path = path / MANIFEST_NAME
    if not path.is_file():
        raise FileNotFoundError(f'manifest {path} not found; pass a manifest file (e.g. '
                                'configs/campaigns/demo.py) or a folder holding '
                                f'{MANIFEST_NAME}')
    cfg = Config.fromfile(str(path))
    if overrides:
        cfg.merge_from_dict(overrides)
    return validate(cfg.to_dict(), path)
