"""Read what mmengine and dar-transfer leave in work_dirs, one record per run.

Per run: the dumped config (task, backbone, variant, seed, provenance written by
``dar-transfer export``), the final evaluation (the test result when there is one,
else the last validation), and for pretraining runs ``summary.json`` and
``dar_log.jsonl``. Runs that stopped early or lack a metric are kept and marked.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from mmengine.config import Config

from ..errors import UsageError
from ..sampling.dar_log import DaRLog
from .archive import read_archived
from .records import RunRecord

TIMESTAMP = re.compile(r'^\d{8}_\d{6}$')
logger = logging.getLogger(__name__)

# Metrics per task, as (mmengine key, column name, scale to the units papers print).
TASK_METRICS = {
    'cls': [('accuracy/top1', 'top-1 err', 'err'), ('accuracy/top5', 'top-5 err', 'err')],
    'det': [(f'coco/bbox_{k}', f'box {n}', 100) for k, n in (
        ('mAP', 'AP'), ('mAP_50', 'AP50'), ('mAP_75', 'AP75'), ('mAP_s', 'APs'),
        ('mAP_m', 'APm'), ('mAP_l', 'APl'))],
    'pose': [(f'coco/{k}', n, 100) for k, n in (
        ('AP', 'AP'), ('AP .5', 'AP50'), ('AP .75', 'AP75'), ('AP (M)', 'APm'),
        ('AP (L)', 'APl'), ('AR', 'AR'), ('AR .5', 'AR50'), ('AR .75', 'AR75'),
        ('AR (M)', 'ARm'), ('AR (L)', 'ARl'))] + [
        # LSP's torso-normalised PCK@0.2 (the real-small suite), a fraction like mmpose's
        # PCKAccuracy, so x100.
        ('tPCK', 'tPCK', 100)],
    'seg': [('mIoU', 'mIoU', 1), ('aAcc', 'aAcc', 1), ('mAcc', 'mAcc', 1)],
}
TASK_METRICS['inst'] = TASK_METRICS['det'] + [
    (k.replace('bbox', 'segm'), n.replace('box', 'mask'), s) for k, n, s in TASK_METRICS['det']]
# Long-tailed classification (ShotAccuracy in the evaluator): top-1 by shot group.
TASK_METRICS['lt'] = [(f'accuracy/{k}', n, 1) for k, n in (
    ('overall', 'overall'), ('many', 'many-shot'), ('medium', 'medium-shot'),
    ('few', 'few-shot'))]
# The metric that stands for a task in the forest plot, the paired comparisons and the
# rank agreement: the first of these that the runs report (pose: LSP's tPCK where the
# real-small suite ran, else COCO's keypoint AP).
HEADLINE_METRICS = {'cls': ('top-1 err',), 'lt': ('overall',), 'det': ('box AP',),
                    'inst': ('mask AP', 'box AP'), 'pose': ('tPCK', 'AP'), 'seg': ('mIoU',)}
# Metrics where lower is better (the rest are accuracies, APs, IoUs): verdicts and the
# forest plot turn these around so that a gain is always positive.
LOWER_IS_BETTER = {'top-1 err', 'top-5 err'}
# Columns a table shows only when one of its runs reports them (the COCO-keypoint suite
# has no tPCK, and a column of "missing" would read as a failure).
OPTIONAL_COLUMNS = {'tPCK'}
PROBE_GLOB = '{stem}.probe-*.json'
TASK_ORDER = ('cls', 'lt', 'det', 'inst', 'pose', 'seg')
# A table's title is the task and model, then "on" the data sets its runs tested on
# (the last folder of their data roots: coco, pennfudan, camvid).
TASK_TITLES = {'cls': 'Classification', 'det': 'Detection (Faster R-CNN)',
               'lt': 'Long-tailed classification (top-1 by shot group)',
               'inst': 'Instance segmentation (Mask R-CNN)',
               'pose': 'Keypoints (SimpleBaseline)', 'seg': 'Semantic segmentation (PSPNet)'}


def pair_key(run: RunRecord) -> tuple | None:
    """What a run shares with its counterpart of another variant: (pretraining seed,
    seed); None when the seed is unknown, so the run never pairs."""
    return None if run.seed is None else (run.pretrain_seed, run.seed)


def headline_metric(task: str, available) -> str:
    """The first of the task's :data:`HEADLINE_METRICS` among ``available`` names."""
    choices = HEADLINE_METRICS[task]
    return next((name for name in choices if name in available), choices[0])


def read_probes(checkpoint: str | Path) -> dict[str, float]:
    """``probe --beside`` results of a checkpoint: {'<method> <data>': top-1}."""
    path = Path(checkpoint)
    probes = {}
    for file in sorted(path.parent.glob(PROBE_GLOB.format(stem=path.stem))):
        try:
            result = json.loads(file.read_text())
        except json.JSONDecodeError as error:
            raise UsageError(f'{file} is not valid JSON ({error}); rerun dar-transfer probe '
                             '--beside or delete it') from error
        probes[f'{result["method"]} {result["data_name"]}'] = float(result['top1'])
    return probes


def _probes_of_pretraining(work_dir: Path, checkpoint: str) -> dict[str, float]:
    """Probe results beside a run's checkpoint; where the recorded path is gone (results
    copied elsewhere without weights, a moved campaign folder), beside its work_dir."""
    if not checkpoint:
        return {}
    path = Path(checkpoint)
    return read_probes(path if path.parent.is_dir() else work_dir / path.name)


def _last_checkpoint(work_dir: Path) -> str:
    """The checkpoint mmengine's ``last_checkpoint`` file names, if it is there."""
    try:
        return (work_dir / 'last_checkpoint').read_text().strip()
    except FileNotFoundError:
        return ''


def find_work_dirs(paths: list[str | Path]) -> list[Path]:
    """Folders holding mmengine timestamp folders, under (or equal to) each path."""
    found = set()
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(f'{path} does not exist')
        found.update(config.parents[2] for config in path.rglob('vis_data/config.py')
                     if TIMESTAMP.match(config.parents[1].name))
    for work_dir in sorted(w for w in found if _run_config(w) is None):
        logger.warning('%s: its only config dump is empty (the run was stopped while it '
                       'started); left out of the report', work_dir)
        found.discard(work_dir)
    return sorted(found)


def _timestamp_dirs(work_dir: Path) -> list[Path]:
    return sorted(p for p in work_dir.iterdir() if p.is_dir() and TIMESTAMP.match(p.name))


def _run_config(work_dir: Path) -> Path | None:
    """The newest non-empty config dump: a run stopped while it started leaves an empty one."""
    configs = [d / 'vis_data' / 'config.py' for d in _timestamp_dirs(work_dir)]
    return next((c for c in reversed(configs) if c.is_file() and c.stat().st_size), None)


def _read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def task_of(cfg: Config) -> str:
    scope = cfg.get('default_scope')
    if scope == 'mmdet':
        metric = cfg.get('test_evaluator', {}).get('metric', 'bbox')
        return 'inst' if 'segm' in (metric if isinstance(metric, list) else [metric]) else 'det'
    if scope in ('mmpose', 'mmseg'):
        return {'mmpose': 'pose', 'mmseg': 'seg'}[scope]
    evaluators = cfg.get('val_evaluator') or {}
    if any(e.get('type') == 'ShotAccuracy' for e in (
            evaluators if isinstance(evaluators, list) else [evaluators])):
        return 'lt'
    return 'cls'


def final_evaluation(work_dir: Path, keys: list[str]) -> tuple[dict, str]:
    """The latest test result, else the latest validation with any of ``keys``.

    Source ``'test'`` with no keys means the test ran but produced no metric.
    """
    for run_dir in reversed(_timestamp_dirs(work_dir)):
        test = _read_lines(run_dir / f'{run_dir.name}.json')
        if test:
            return test[-1], 'test'
    for run_dir in reversed(_timestamp_dirs(work_dir)):
        vals = [line for line in _read_lines(run_dir / 'vis_data' / 'scalars.json')
                if any(k in line for k in keys)]
        if vals:
            return vals[-1], 'val'
    return {}, ''


def _progress(work_dir: Path, cfg: Config) -> tuple[int, int]:
    """(done, planned) epochs, or iterations for iteration-based runs."""
    by_iter = cfg.train_cfg.get('type') == 'IterBasedTrainLoop' or 'max_iters' in cfg.train_cfg
    planned = cfg.train_cfg.get('max_iters' if by_iter else 'max_epochs', 0)
    done = 0
    for run_dir in _timestamp_dirs(work_dir):
        for line in _read_lines(run_dir / 'vis_data' / 'scalars.json'):
            done = max(done, line.get('iter' if by_iter else 'epoch', 0))
    return done, planned


def _machine(summary: dict) -> str:
    machine = summary.get('machine')
    return machine if isinstance(machine, str) else ''


def _read_summary(work_dir: Path) -> dict:
    """What ``dar-transfer pretrain`` / ``finetune`` wrote about the run, if anything."""
    for name in ('summary.json', 'finetune_summary.json'):
        path = work_dir / name
        try:
            summary = json.loads(path.read_text())
        except FileNotFoundError:
            continue
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            problem = f'not valid JSON ({error})'
        else:
            if isinstance(summary, dict):
                return summary
            problem = f'a JSON {type(summary).__name__}, not an object'
        # Said aloud: without its summary the run's seed falls back to the config's (None
        # where it was drawn), so the run could pair with the wrong counterpart.
        logger.warning('%s is %s: it is ignored, so the run\'s seed comes from its config '
                       'and its wall time and top-1 are unknown; rewrite the file or rerun '
                       'the run\'s last stage', path, problem)
    return {}


def backbone_of(cfg: Config) -> str:
    """Our classifier's ``model.arch``; for mmpretrain's (``model.backbone`` with a
    ``depth``, e.g. ResNet) the lower-cased type and depth: ``'resnet50'``."""
    model = cfg.get('model') or {}
    if model.get('arch'):
        return model['arch']
    backbone = model.get('backbone') or {}
    if backbone.get('type') and backbone.get('depth'):
        return f'{str(backbone["type"]).lower()}{backbone["depth"]}'
    return str(backbone.get('type') or 'unknown').lower()


def data_name(cfg: Config) -> str:
    """The last folder of the test (else validation) data root: 'coco', 'camvid'."""
    for loader in ('test_dataloader', 'val_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        root = dataset.get('data_root') or (dataset.get('dataset') or {}).get('data_root')
        if root:
            return Path(str(root).rstrip('/')).name
    return ''


def read_run(work_dir: Path) -> RunRecord:
    config_file = _run_config(work_dir)
    # Reading needs none of the run's custom_imports (an mmpretrain run's needs the extra).
    cfg = Config.fromfile(config_file, import_custom_modules=False)
    task = task_of(cfg)
    keys = [key for key, _, _ in TASK_METRICS[task]]
    evaluation, source = final_evaluation(work_dir, keys)
    metrics, not_applicable = {}, set()
    for key, name, scale in TASK_METRICS[task]:
        value = evaluation.get(key)
        if value is not None and value < 0:  # COCO writes -1 where a size class is absent
            not_applicable.add(name)
        if value is None or value < 0:
            metrics[name] = None
        else:
            metrics[name] = 100 - float(value) if scale == 'err' else float(value) * scale
    done, planned = _progress(work_dir, cfg)
    # Unfinished: stopped before the planned length (a crash, a kill) or still running.
    status = 'finished' if source == 'test' or (planned and done >= planned) else 'unfinished'
    if status == 'finished' and all(metrics.get(n) is None for n in HEADLINE_METRICS[task]):
        status = 'missing metric'
    summary = _read_summary(work_dir)
    # The summary's seed is the one the run used; the config's may be None (drawn).
    seed = summary.get('seed', cfg.get('randomness', {}).get('seed'))
    extra = dict(not_applicable=not_applicable, wall_seconds=summary.get('wall_seconds'),
                 generated_data=bool(summary.get('generated_data')), data=data_name(cfg),
                 machine=_machine(summary))
    provenance = cfg.get('dar_provenance')
    if provenance is not None:
        checkpoint = provenance.get('source') or ''
        return RunRecord(work_dir, task, f'resnet{provenance["depth"]}', provenance['variant'],
                         seed, provenance.get('pretrain_cost'), status, metrics, source,
                         provenance.get('pretrain_top1'), **extra,
                         pretrain_seed=provenance.get('pretrain_seed'), checkpoint=checkpoint,
                         probes=read_probes(checkpoint) if checkpoint else {})
    dar_log = DaRLog.read(work_dir / 'dar_log.jsonl')
    # The variant is the sampling policy ('hardest' is DaR itself), so the report groups
    # and plots infobatch, rs2 and reweight runs beside DaR and the random control.
    policy = dar_log[-1].get('policy', 'hardest') if dar_log else None
    variant = 'baseline' if not dar_log else ('dar' if policy == 'hardest' else policy)
    cost = dar_log[-1]['cost_so_far'] if dar_log else 1.0
    backbone = backbone_of(cfg)
    checkpoint = _last_checkpoint(work_dir)
    top1 = summary.get('top1')
    return RunRecord(work_dir, task, backbone, variant, seed, cost, status, metrics, source,
                     top1, dar_log=dar_log, **extra, checkpoint=checkpoint,
                     probes=_probes_of_pretraining(work_dir, checkpoint))


def collect(paths: list[str | Path]) -> list[RunRecord]:
    archived, live = read_archived(paths)
    work_dirs = find_work_dirs(live) if live else []
    if not work_dirs and not archived:
        raise FileNotFoundError(f'no mmengine work_dirs (with <timestamp>/vis_data/config.py) '
                                f'or archived runs (runs.jsonl) under '
                                f'{", ".join(map(str, paths))}')
    runs = sorted([*archived, *map(read_run, work_dirs)], key=lambda run: run.work_dir)
    # A downstream run names its backbone's checkpoint as its pretraining recorded it; when
    # that path is gone, the pretraining run found among these has the probes.
    by_checkpoint = {r.checkpoint: r.probes for r in runs if r.probes and r.checkpoint}
    for run in runs:
        if not run.probes and run.checkpoint in by_checkpoint:
            run.probes = by_checkpoint[run.checkpoint]
    return runs
