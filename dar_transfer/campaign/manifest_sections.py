"""The manifest's sections beside the matrix of variants and tasks, validated key by key:
where each stage runs (``resources``), what the report writes, the probes, the noise floor
and the precision campaign's targets; and the key checks that ``manifest`` shares.
"""
from __future__ import annotations

from ..errors import UsageError

STAGES = ('pretrain', 'export', 'finetune', 'probe', 'report')
PROBE_KEYS = {'name', 'data', 'methods', 'image_size', 'max_per_class', 'val_fraction'}
RESOURCE_KEYS = {'gpus', 'cpus', 'mem_gb', 'time_min', 'partition', 'slurm_extra'}
REPORT_KEYS = {'formats', 'plots'}
REPORT_FORMATS = ('md', 'html', 'json', 'csv', 'latex')


def fail(key: str, problem: str) -> None:
    raise UsageError(f'manifest key {key}: {problem}')


def check_keys(where: str, given: dict, allowed: set[str]) -> None:
    for key in given:
        if key not in allowed and not str(key).startswith('_'):
            fail(f'{where}{key}', f'unknown key; allowed: {", ".join(sorted(allowed))}')


def as_dict(key: str, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        fail(key, f'must be a dict, got {type(value).__name__}')
    return dict(value)


def as_seeds(key: str, value) -> tuple[int, ...]:
    if (not isinstance(value, (list, tuple)) or not value
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in value)):
        fail(key, f'must be a non-empty list of integers, got {value!r}')
    if len(set(value)) != len(value):
        fail(key, f'repeats a seed: {value!r}')
    return tuple(value)


def resources(raw) -> dict[str, dict]:
    raw = as_dict('resources', raw)
    check_keys('resources.', raw, set(STAGES))
    out = {}
    for stage in STAGES:
        entry = as_dict(f'resources.{stage}', raw.get(stage))
        check_keys(f'resources.{stage}.', entry, RESOURCE_KEYS)
        for key in ('gpus', 'cpus', 'mem_gb', 'time_min'):
            value = entry.get(key)
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                fail(f'resources.{stage}.{key}', f'must be a number >= 0, got {value!r}')
        entry.setdefault('gpus', 0)
        entry['slurm_extra'] = as_dict(f'resources.{stage}.slurm_extra', entry.get('slurm_extra'))
        out[stage] = entry
    return out


def report(raw) -> dict:
    raw = as_dict('report', raw)
    check_keys('report.', raw, REPORT_KEYS)
    formats = raw.get('formats', ['md', 'html', 'json'])
    if not isinstance(formats, (list, tuple)) or not formats or \
            any(f not in REPORT_FORMATS for f in formats):
        fail('report.formats', f'must be a non-empty list of {REPORT_FORMATS}, got {formats!r}')
    return {'formats': list(formats), 'plots': bool(raw.get('plots', True))}


def noise_floor(raw, seeds: dict[str, tuple[int, ...]]) -> list[dict]:
    """Extra fine-tuning seeds of some backbones; ``seeds`` maps each variant to its seeds."""
    if raw is None:
        return []
    entries = [raw] if isinstance(raw, dict) else raw
    if not isinstance(entries, (list, tuple)):
        fail('noise_floor', 'must be a dict(variant, seed, finetune_seeds) or a list of them')
    out = []
    for i, entry in enumerate(entries):
        where = f'noise_floor[{i}]'
        check_keys(f'{where}.', as_dict(where, entry), {'variant', 'seed', 'finetune_seeds'})
        variant = entry.get('variant')
        if variant not in seeds:
            fail(f'{where}.variant', f'{variant!r} is not a variant; variants: {sorted(seeds)}')
        seed = entry.get('seed', seeds[variant][0])
        if seed not in seeds[variant]:
            fail(f'{where}.seed', f'{seed!r} is not a seed of variant {variant} '
                                   f'({list(seeds[variant])})')
        out.append({'variant': variant, 'seed': seed,
                    'finetune_seeds': as_seeds(f'{where}.finetune_seeds',
                                             entry.get('finetune_seeds'))})
    return out


def probes(raw) -> list[dict]:
    """``dar-transfer probe`` runs of every pretrained backbone: name, data, methods, and
    the probe's --image-size, --max-per-class and --val-fraction."""
    from ..analysis.probe import METHODS

    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        fail('probes', 'must be a list of dict(name, data, methods)')
    out = []
    for i, entry in enumerate(raw):
        where = f'probes[{i}]'
        entry = as_dict(where, entry)
        check_keys(f'{where}.', entry, PROBE_KEYS)
        name = entry.get('name')
        if not isinstance(name, str) or not name.replace('-', '').replace('_', '').isalnum():
            fail(f'{where}.name', f'must be a short name (letters, digits, - and _), '
                                   f'got {name!r}')
        if not isinstance(entry.get('data'), str) or not entry['data']:
            fail(f'{where}.data', 'must be an ImageFolder root with train/ (and val/)')
        methods = entry.setdefault('methods', list(METHODS))
        if not isinstance(methods, (list, tuple)) or not methods or \
                any(m not in METHODS for m in methods):
            fail(f'{where}.methods', f'must be a non-empty list of {METHODS}, got {methods!r}')
        out.append(entry)
    if len({e['name'] for e in out}) != len(out):
        fail('probes', 'names must be distinct')
    return out


def points(key: str, raw, tasks: list[str]) -> dict[str, float]:
    """{task: points > 0} for ``tasks`` of the manifest (half-widths, effects, margins)."""
    values = as_dict(key, raw)
    names = {*tasks, 'cls'}
    for task, value in values.items():
        if task not in names:
            fail(f'{key}.{task}', f'not a task of this manifest ({", ".join(sorted(names))})')
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            fail(f'{key}.{task}', f'must be a number of points > 0, got {value!r}')
    return {task: float(value) for task, value in values.items()}


def precision(raw: dict, names: list[str], tasks: list[str]) -> dict:
    """The precision campaign's keys; ``names`` are the variants', ``tasks`` the tasks'."""
    reference = raw.get('reference', 'baseline')
    if (raw.get('reference') is not None or raw.get('until_precision')) and \
            reference not in names:
        fail('reference', f'{reference!r} is not a variant; variants: {", ".join(names)}')
    max_seeds = raw.get('max_seeds')
    if max_seeds is not None and (isinstance(max_seeds, bool) or not isinstance(max_seeds, int)
                                  or max_seeds < 2):
        fail('max_seeds', f'must be an integer >= 2, got {max_seeds!r}')
    return dict(reference=reference, max_seeds=max_seeds,
                until_precision=points('until_precision', raw.get('until_precision'), tasks),
                effects=points('effects', raw.get('effects'), tasks),
                margins=points('margins', raw.get('margins'), tasks))
