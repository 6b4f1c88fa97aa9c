"""Plots: the forest plot of deltas, each task's headline metric against pretraining cost,
and DaR's subset size."""
from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

from .collect import LOWER_IS_BETTER, headline_metric
from .power import oriented
from .records import RunRecord
from .tables import TaskTable

MARKERS = {'baseline': 'o', 'dar': 's', 'random': 'D', 'infobatch': '^', 'rs2': 'v',
           'reweight': 'P'}


def _pyplot():
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    return plt


def metric_vs_cost(table: TaskTable, path: Path) -> Path:
    plt = _pyplot()
    column = table.columns[0]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for row in table.rows:
        stat = row.metrics[column]
        if stat.mean is None or row.cost.mean is None:
            continue
        ax.errorbar(row.cost.mean, stat.mean, yerr=stat.std or 0, capsize=3,
                    marker=MARKERS.get(row.variant, 'x'), linestyle='',
                    label=f'{row.backbone} {row.variant}')
    ax.set_xlabel('pretraining cost (share of full-data epochs)')
    ax.set_ylabel(column)
    ax.set_title(table.title, fontsize=10)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, 'no finished run with a cost and a metric', ha='center',
                transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def forest_plot(tables: list[TaskTable], path: Path) -> Path | None:
    """Δ against the baseline of each (task, backbone, variant) on the task's headline
    metric, with its 95% CI as a bar (a lone point where one seed leaves it unknown).
    Every row is turned so that right is better: an error rate's Δ is drawn negated."""
    entries = []
    for table in tables:
        reported = {c for row in table.rows for c, s in row.metrics.items() if s.mean is not None}
        column = headline_metric(table.task, reported)
        for row in table.rows:
            interval = row.interval.get(column)
            if interval is None:
                continue
            label = f'{table.task} {column}: {row.backbone} {row.variant}'
            if column in LOWER_IS_BETTER:
                label = f'{table.task} -({column}): {row.backbone} {row.variant}'
                delta, low, high = oriented(interval.delta, interval.low, interval.high, False)
                interval = replace(interval, delta=delta, low=low, high=high)
            entries.append((label, interval))
    if not entries:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 0.9 + 0.35 * len(entries)))
    for y, (_, interval) in enumerate(reversed(entries)):
        known = interval.low is not None
        color = ('#c03' if interval.excludes_zero else '#345') if known else '#999'
        xerr = ([[interval.delta - interval.low], [interval.high - interval.delta]]
                if known else None)
        ax.errorbar(interval.delta, y, xerr=xerr, fmt='o', color=color, capsize=3)
    ax.axvline(0, color='#888', linewidth=1, linestyle='--')
    ax.set_yticks(range(len(entries)), [label for label, _ in reversed(entries)], fontsize=7)
    ax.set_xlabel('Δ vs baseline, turned so right is better (error rates negated); '
                  '95% CI; red: excludes 0', fontsize=8)
    ax.set_title('Deltas against the baseline (paired t over shared seeds, else Welch)',
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def subset_fraction(runs: list[RunRecord], path: Path) -> Path | None:
    logged = [r for r in runs if r.dar_log]
    if not logged:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for run in logged:
        epochs = [line['epoch'] for line in run.dar_log]
        share = [line['subset_size'] / line['num_samples'] for line in run.dar_log]
        ax.step(epochs, share, where='mid', label=f'{run.backbone} {run.variant} '
                                                   f'({run.work_dir.name})')
    ax.set_xlabel('epoch')
    ax.set_ylabel('share of the data set trained')
    ax.set_ylim(0, 1.05)
    ax.set_title('DaR subset per epoch', fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_plots(tables: list[TaskTable], runs: list[RunRecord], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    plots = {f'{t.title}: {t.columns[0]} vs cost': metric_vs_cost(t, folder / f'{t.task}.png')
             for t in tables}
    subsets = subset_fraction(runs, folder / 'dar_subset.png')
    if subsets is not None:
        plots['DaR subset per epoch'] = subsets
    return plots


def embed(paths: dict[str, Path]) -> dict[str, str]:
    return {title: base64.b64encode(path.read_bytes()).decode() for title, path in paths.items()}
