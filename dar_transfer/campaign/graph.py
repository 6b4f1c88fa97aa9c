"""The job graph: pretrain(v, s) -> export(v, s) -> finetune(v, s, task, ft_seed) -> report.

Each job is the CLI verb a user would type; its argv, summary file, the artifacts its
dependents read, and the fingerprint parts are all fixed here, before anything runs,
so a scheduler can receive the whole graph at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .manifest import PAIRED, Manifest, Task, Variant
from .precision_state import PRECISION_STATE, compared_variants, planned_variants

BASE_RE = re.compile(r"""_base_\s*=\s*(\[[^\]]*\]|'[^']*'|"[^"]*")""", re.S)


@dataclass
class Job:
    """One CLI invocation of the campaign."""

    key: str
    stage: str
    argv: list[str]  # after ``dar-transfer``
    deps: list[str]
    summary: Path  # written by the verb only when it finished: the job's done mark
    artifacts: list[Path] = field(default_factory=list)  # what dependents read
    parts: dict[str, str] = field(default_factory=dict)  # fingerprint parts
    work_dir: Path | None = None
    config_text: str | None = None  # the job config the campaign writes (finetune)
    config_path: Path | None = None
    cell: dict = field(default_factory=dict)  # variant, seed, task, ft_seed

    @property
    def label(self) -> str:
        return ' '.join(str(self.cell[k]) for k in ('variant', 'seed', 'task', 'ft_seed', 'probe')
                        if k in self.cell) or self.key

    def fingerprint(self) -> str:
        return _digest(json.dumps(self.parts, sort_keys=True))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def argv_digest(argv: list[str]) -> str:
    """The fingerprint part of a job's command line (its paths name the campaign folder)."""
    return _digest(' '.join(argv))


def config_digest(path: str, _seen: frozenset = frozenset()) -> str:
    """Digest of a config file and its local ``_base_`` files (package bases by name).

    Reading text, not building the config, keeps ``status`` of a large campaign fast.
    """
    if '::' in path or not Path(path).is_file():
        return _digest(path)
    file = Path(path).resolve()
    text = file.read_text()
    bases = []
    for match in BASE_RE.finditer(text):
        for name in re.findall(r"""['"]([^'"]+)['"]""", match.group(1)):
            local = name if '::' in name else str(file.parent / name)
            if local not in _seen:
                bases.append(config_digest(local, _seen | {str(file)}))
    return _digest(text + ''.join(bases))


def _options(options: dict) -> list[str]:
    return ['--cfg-options', *(f'{k}={json.dumps(v) if not isinstance(v, str) else v}'
                               for k, v in options.items())] if options else []


def backbone_name(variant: Variant, seed: int) -> str:
    return f'{variant.name}_s{seed}'


def _pretrain(m: Manifest, v: Variant, seed: int) -> Job:
    work_dir = m.folder / 'pretrain' / v.name / f'seed{seed}'
    options = {**m.pretrain_cfg_options, **v.cfg_options, 'randomness.seed': seed}
    return Job(f'pretrain.{v.name}.s{seed}', 'pretrain',
               ['pretrain', v.config, '--work-dir', str(work_dir), *_options(options)], [],
               work_dir / 'summary.json', [work_dir / 'last_checkpoint'],
               {'config': config_digest(v.config),
                'options': _digest(repr(sorted(options.items())))},
               work_dir=work_dir, cell={'variant': v.name, 'seed': seed})


def _config_name(m: Manifest, name: str, task: str) -> str:
    from ..export.real_small import config_file_name

    return config_file_name(name, task, suite=m.suite,
                            preset=m.export_options.get('preset'))


def _export(m: Manifest, v: Variant, seed: int, pretrain: Job | None,
            tasks: list[str]) -> Job:
    """export of the pretrained backbone, or (``pretrain`` None, a from-scratch control)
    ``export --random-init``: the same configs with a randomly initialised backbone."""
    out = m.folder / 'export' / v.name / f'seed{seed}'
    name = backbone_name(v, seed)
    if pretrain is None:
        source = ['--random-init', '--depth', str(v.depth)]
        artifacts = []
    else:
        # export reads the checkpoint that the pretraining's last_checkpoint file names
        source = [str(pretrain.work_dir)]
        artifacts = [out / f'{name}.pth']
    argv = ['export', *source, '--name', name, '--out', str(out), '--variant', v.name,
            '--tasks', *tasks]
    if m.suite != 'coco':
        argv += ['--suite', m.suite, '--preset', m.export_options['preset'],
                 '--data-root', str(m.export_options['data_root'])]
    artifacts += [out / _config_name(m, name, t) for t in tasks]
    parts = {'argv': argv_digest(argv)}
    if m.suite != 'coco':  # an edited preset changes the configs, not export's argv
        parts['suite'] = _suite_digest(m, tasks)
    if pretrain is not None:
        parts['input'] = pretrain.fingerprint()
    return Job(f'export.{v.name}.s{seed}', 'export', argv,
               [pretrain.key] if pretrain else [], out / f'{name}.json', artifacts, parts,
               work_dir=out, cell={'variant': v.name, 'seed': seed})


def _suite_digest(m: Manifest, tasks: list[str]) -> str:
    from ..export.real_small import suite_settings_digest

    return suite_settings_digest(m.export_options['preset'], tasks)


def _backbone_input(export: Job) -> str:
    """What a fine-tuning reads from its export, short of its own task's config: the
    weights (the export's command and pretraining). The task's settings are a part of the
    fine-tuning itself, so an edit of one task's preset reruns that task's jobs only."""
    return _digest(json.dumps({k: v for k, v in export.parts.items() if k != 'suite'},
                              sort_keys=True))


def _base_ref(path: str | Path, config_path: Path) -> str:
    """``path`` as a ``_base_`` of ``config_path``: mmengine resolves a relative base from
    the config's own folder, so a relative campaign folder needs the path relative to it."""
    text = str(path)
    if '::' in text or Path(text).is_absolute():
        return text
    return os.path.relpath(text, config_path.parent)


def _finetune(m: Manifest, v: Variant, seed: int, task: Task, ft_seed: int,
              export: Job) -> Job:
    key = f'finetune.{v.name}.s{seed}.{task.name}.f{ft_seed}'
    work_dir = m.folder / 'finetune' / task.name / v.name / f'seed{seed}_ft{ft_seed}'
    config_path = m.folder / 'configs' / f'{key}.py'
    name = backbone_name(v, seed)
    base = _base_ref(task.config or export.work_dir / _config_name(m, name, task.exported),
                     config_path)
    body = f'_base_ = {base!r}\n'
    if task.config is not None and v.config is None:  # from scratch on a user's config
        body += 'model = dict(backbone=dict(init_cfg=None))\n'
    elif task.config is not None:
        weights = str(export.work_dir / f'{name}.pth')
        body += (f"model = dict(backbone=dict(init_cfg=dict(type='Pretrained', "
                 f'checkpoint={weights!r})))\n')
    if task.overlay:
        body += '\n' + Path(task.overlay).read_text()
    options = {**m.finetune_cfg_options, **task.cfg_options, 'randomness.seed': ft_seed}
    argv = ['finetune', str(config_path), '--work-dir', str(work_dir), *_options(options)]
    parts = {'config': _digest(body), 'options': _digest(repr(sorted(options.items())))}
    if task.config:
        parts['user_config'] = config_digest(task.config)
    if task.config is None and m.suite != 'coco':
        parts['suite'] = _suite_digest(m, [task.exported])
    parts['input'] = _backbone_input(export)
    return Job(key, 'finetune', argv, [export.key],
               work_dir / 'finetune_summary.json', [], parts, work_dir=work_dir,
               config_text=body, config_path=config_path,
               cell={'variant': v.name, 'seed': seed, 'task': task.name, 'ft_seed': ft_seed})


def _probe(m: Manifest, v: Variant, seed: int, pretrain: Job, entry: dict) -> Job:
    """``probe`` of a pretrained backbone; its results land beside the checkpoint (where
    the report reads them) and in one file under the campaign folder (the done mark)."""
    out = m.folder / 'probe' / v.name / f'seed{seed}' / f'{entry["name"]}.json'
    argv = ['probe', str(pretrain.work_dir), '--data', entry['data'], '--name', entry['name'],
            '--method', *entry['methods'], '--beside', '--out', str(out)]
    for key in ('image_size', 'max_per_class', 'val_fraction'):
        if entry.get(key) is not None:
            argv += [f'--{key.replace("_", "-")}', str(entry[key])]
    return Job(f'probe.{v.name}.s{seed}.{entry["name"]}', 'probe', argv, [pretrain.key], out,
               [], {'argv': argv_digest(argv), 'input': pretrain.fingerprint()},
               cell={'variant': v.name, 'seed': seed, 'probe': entry['name']})


def _unplanned_first_stage(m: Manifest) -> tuple[list[int], list[str]]:
    """The first-stage seeds (the manifest's) of the compared variants that a precision
    campaign has not planned yet, and those variants where others have plans: its report
    says their comparisons are interim."""
    if not m.until_precision:
        return [], []
    planned, compared = planned_variants(m), set(compared_variants(m))
    unplanned = [v for v in m.variants if v.name in compared and v.name not in planned]
    return (sorted({s for v in unplanned for s in v.seeds}),
            [v.name for v in unplanned] if planned else [])


def _report_jobs(m: Manifest, inputs_jobs: list[Job]) -> list[Job]:
    out = m.folder / 'report'
    sources = [str(m.folder / 'pretrain'), str(m.folder / 'finetune')]
    deps = [j.key for j in inputs_jobs]
    inputs = _digest(''.join(j.fingerprint() for j in inputs_jobs))
    jobs = []
    options = [] if m.reference == 'baseline' else ['--baseline', m.reference]
    for flag, values in (('--effect', m.effects), ('--margin', m.margins)):
        if values:
            options += [flag, *(f'{task}={points:g}' for task, points in values.items())]
    plan = m.folder / PRECISION_STATE
    if plan.exists():
        options += ['--precision', str(plan)]
    pending, joined = _unplanned_first_stage(m)
    if pending:
        options += ['--pending-first-stage', *map(str, pending)]
    if joined:
        options += ['--pending-variants', *joined]
    for fmt in m.report['formats']:
        target = out / f'report.{ "tex" if fmt == "latex" else fmt}'
        argv = ['report', *sources, '--format', fmt, '--out', str(target), *options]
        if fmt == 'md' and m.report['plots']:
            argv += ['--plots', str(out / 'plots')]
        jobs.append(Job(f'report.{fmt}', 'report', argv, deps, target, [],
                        {'argv': argv_digest(argv), 'input': inputs}, cell={}))
    return jobs


def _backbones(m: Manifest) -> list[tuple[Variant, int]]:
    """(variant, seed) pairs, seed rank first: every variant's first seed, then the second
    ones, so that the local executor finishes comparable backbones first."""
    rounds = max(len(v.seeds) for v in m.variants)
    return [(v, v.seeds[i]) for i in range(rounds) for v in m.variants if i < len(v.seeds)]


def build_jobs(m: Manifest) -> list[Job]:
    """Every job of the campaign, each after its dependencies, grouped by backbone in
    :func:`_backbones` order: a backbone's pretraining, export and fine-tunings, then the
    next backbone's. Executors start the first job that can run, so a campaign cut short
    leaves whole rows of the table, for the first seed of every variant first."""
    jobs, report_inputs = [], []
    task_names = list(dict.fromkeys(t.exported for t in m.tasks if t.config is None))
    extra = {(e['variant'], e['seed']): e['finetune_seeds'] for e in m.noise_floor}
    for v, seed in _backbones(m):
        pretrain = None if v.config is None else _pretrain(m, v, seed)
        export = _export(m, v, seed, pretrain, task_names)
        ft_seeds = [seed] if m.finetune_seeds == PAIRED else list(v.finetune_seeds
                                                                    or m.finetune_seeds)
        ft_seeds += [s for s in extra.get((v.name, seed), ()) if s not in ft_seeds]
        # the probes (a minute or two), then every task with the first fine-tuning seed,
        # then the noise floor's extra seeds
        backbone = [_probe(m, v, seed, pretrain, entry) for entry in m.probes] if pretrain else []
        backbone += [_finetune(m, v, seed, task, f, export) for f in ft_seeds for task in m.tasks
                     if task.finetune_seeds is None or f in task.finetune_seeds]
        jobs += [*([pretrain] if pretrain else []), export, *backbone]
        report_inputs += backbone
    if m.job_order == 'finetune_seed':
        # every pretraining, export and probe first, then the fine-tunings seed by seed
        # (a stable sort keeps backbone and task order within a seed)
        jobs = ([j for j in jobs if j.stage != 'finetune']
                + sorted((j for j in jobs if j.stage == 'finetune'),
                         key=lambda j: j.cell['ft_seed']))
    return [*jobs, *_report_jobs(m, report_inputs)]


def dependents(jobs: list[Job]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {j.key: [] for j in jobs}
    for job in jobs:
        for dep in job.deps:
            out[dep].append(job.key)
    return out
