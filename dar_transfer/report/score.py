"""One transfer score per variant: the share of the pretraining benefit it keeps.

Per backbone, task and seed, 100 · (metric - scratch mean) / (baseline mean - scratch
mean): the 100%-cost baseline scores 100 on average, a randomly initialised backbone 0,
whatever the task's metric and its units. A variant's score is rliable's aggregate
mean, and P(improvement) its probability of improvement, the chance that a run of the
variant beats a run of the baseline on a task, averaged over tasks (Agarwal et al.,
"Deep reinforcement learning at the edge of the statistical precipice", NeurIPS 2021).
Both get a 95% stratified percentile bootstrap interval (seeds resampled within each
task), as rliable defines it, drawn by ``scipy.stats.bootstrap`` from a local
generator: rliable 1.2's own bootstrap draws from NumPy's global generator whatever
``random_state`` it is given, so its intervals change from run to run.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rliable import metrics
from scipy import stats as scipy_stats

from .collect import headline_metric
from .records import DOWNSTREAM
from .tables import TaskTable, by_seed

SCORE_REPS = IMPROVEMENT_REPS = 2000
NOTE = ('Transfer score: 100 x (metric - scratch mean) / (baseline mean - scratch mean) '
        "on each task's headline metric, per seed; the baseline is 100 and a randomly "
        'initialised backbone 0. Mean over the tasks and over the seeds the variant has on '
        "every one of them, with rliable's stratified bootstrap 95% CI (seeds resampled "
        'within each task) and P(improvement) = P(a run of the variant beats a run of the '
        'baseline), averaged over tasks (Agarwal et al., NeurIPS 2021).')


@dataclass(frozen=True)
class Score:
    backbone: str
    variant: str
    reference: str
    score: float
    ci: tuple[float, float] | None  # None with one seed: nothing to resample
    p_improvement: float
    p_ci: tuple[float, float] | None
    tasks: tuple[str, ...]
    seeds: int

    def as_dict(self) -> dict:
        return {'backbone': self.backbone, 'variant': self.variant,
                'reference': self.reference, 'score': self.score,
                'ci': None if self.ci is None else list(self.ci),
                'p_improvement': self.p_improvement,
                'p_improvement_ci': None if self.p_ci is None else list(self.p_ci),
                'tasks': list(self.tasks), 'seeds': self.seeds}


def _scaled(table: TaskTable, backbone: str, reference: str, scratch: str
            ) -> dict[str, dict] | None:
    """Each variant's scores on one task, by seed; None without the scratch row or the
    baseline, or when the baseline does not beat scratch (nothing to normalise by)."""
    rows = {r.variant: r for r in table.rows if r.backbone == backbone}
    if reference not in rows or scratch not in rows:
        return None
    column = headline_metric(table.task, {c for r in rows.values()
                                          for c, s in r.metrics.items() if s.mean is not None})
    zero, full = rows[scratch].metrics[column].mean, rows[reference].metrics[column].mean
    if zero is None or full is None or full == zero:
        return None
    return {name: {k: 100 * (v - zero) / (full - zero)
                   for k, v in by_seed(row.runs, column).items()}
            for name, row in rows.items() if name != scratch}


def _matrix(by_task: dict[str, dict]) -> tuple[np.ndarray, list]:
    """(seeds, tasks) scores over the seeds every task has."""
    seeds = sorted(set.intersection(*(set(v) for v in by_task.values())), key=str)
    return np.array([[by_task[t][s] for t in by_task] for s in seeds]), seeds


def _task_means(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
    """rliable's aggregate mean (the mean over tasks of each task's mean), for samples
    given one per task and resampled along ``axis``."""
    return np.mean([np.mean(sample, axis=axis) for sample in samples], axis=0)


def _improvement(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
    """rliable's probability of improvement, P(X > Y) + P(X = Y) / 2 per task averaged
    over tasks (the Mann-Whitney U over n·m), for the variant's samples (first half) and
    the baseline's (second half), vectorised over resamples."""
    half = len(samples) // 2
    per_task = []
    for x, y in zip(samples[:half], samples[half:], strict=True):
        x, y = np.moveaxis(x, axis, -1)[..., :, None], np.moveaxis(y, axis, -1)[..., None, :]
        per_task.append(np.mean((x > y) + 0.5 * (x == y), axis=(-2, -1)))
    return np.mean(per_task, axis=0)


def _interval(samples: list[np.ndarray], statistic, resamples: int, seed: int
              ) -> tuple[float, float]:
    """Percentile bootstrap with every sample (a task's seeds) resampled on its own: the
    stratified bootstrap, from a local generator."""
    result = scipy_stats.bootstrap(samples, statistic, n_resamples=resamples,
                                   vectorized=True, paired=False, method='percentile',
                                   rng=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def build_scores(tables: list[TaskTable], *, reference: str = 'baseline',
                 scratch: str = 'scratch', seed: int = 0) -> tuple[list[Score], str | None]:
    """One :class:`Score` per (backbone, variant) with a baseline and a scratch row on
    some downstream task; and a note when the score cannot be computed, saying why."""
    tables = [t for t in tables if t.task in DOWNSTREAM]
    backbones = sorted({r.backbone for t in tables for r in t.rows})
    scores = []
    for backbone in backbones:
        per_task = {t.task: s for t in tables
                    if (s := _scaled(t, backbone, reference, scratch)) is not None}
        if not per_task:
            continue
        names = sorted({n for s in per_task.values() for n in s} - {reference})
        for name in names:
            tasks = [t for t, s in per_task.items() if s.get(name) and s.get(reference)]
            if not tasks:
                continue
            variant, _ = _matrix({t: per_task[t][name] for t in tasks})
            base, _ = _matrix({t: per_task[t][reference] for t in tasks})
            if not variant.size or not base.size:
                continue
            xs, ys = list(variant.T), list(base.T)
            spread = variant.shape[0] > 1  # one seed a task: a bootstrap has nothing to draw
            scores.append(Score(
                backbone, name, reference, float(metrics.aggregate_mean(variant)),
                _interval(xs, _task_means, SCORE_REPS, seed) if spread else None,
                float(metrics.probability_of_improvement(variant, base)),
                _interval(xs + ys, _improvement, IMPROVEMENT_REPS, seed) if spread else None,
                tuple(tasks), int(variant.shape[0])))
    if scores:
        return scores, None
    return [], (f'No transfer score: it needs a from-scratch row ({scratch!r}) and the '
                f'{reference!r} row on the same task, with the baseline above scratch.')


HEADER = ['backbone', 'variant', 'transfer score', '95% CI', 'P(improvement)', '95% CI',
          'tasks', 'seeds']


def cells(score: Score) -> list[str]:
    ci = '-' if score.ci is None else f'[{score.ci[0]:.1f}, {score.ci[1]:.1f}]'
    p_ci = '-' if score.p_ci is None else f'[{score.p_ci[0]:.2f}, {score.p_ci[1]:.2f}]'
    return [score.backbone, score.variant, f'{score.score:.1f}', ci,
            f'{score.p_improvement:.2f}', p_ci, ', '.join(score.tasks), str(score.seeds)]


def markdown(scores: list[Score], note: str | None) -> str:
    if not scores:
        return f'### Transfer score\n\n{note}' if note else ''
    lines = ['### Transfer score (baseline = 100, from scratch = 0)', '',
             '| ' + ' | '.join(HEADER) + ' |', '|' + '---|' * len(HEADER)]
    lines += ['| ' + ' | '.join(cells(s)) + ' |' for s in scores]
    return '\n'.join([*lines, '', NOTE])
