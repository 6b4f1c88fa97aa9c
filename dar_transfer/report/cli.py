"""``dar-transfer report``: tables (and plots) from work_dirs."""
from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from . import power
from .agreement import build_agreement
from .collect import collect
from .decision import build_decision
from .headline import build_headline
from .noise_floor import build_noise_floor, table_runs
from .plots import embed, forest_plot, write_plots
from .precision import read_plans
from .render import to_csv, to_html, to_json, to_latex, to_markdown
from .score import build_scores
from .tables import build_tables

FORMATS = ('md', 'csv', 'latex', 'json', 'html')
logger = logging.getLogger('dar_transfer')


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'report', help='paper-style tables and plots from work_dirs',
        description='Aggregate finished runs into one table per task, with deltas against '
                    'the 100%%-cost baseline of the same backbone.')
    parser.add_argument('paths', nargs='+', help='work_dirs, or folders that contain them')
    parser.add_argument('--baseline', default='baseline', help='variant the deltas compare with')
    parser.add_argument('--format', choices=FORMATS, default='md')
    parser.add_argument('--out', help='write here instead of printing')
    parser.add_argument('--plots', help='folder for PNG plots')
    parser.add_argument('--effect', nargs='+', metavar='TASK=POINTS',
                        help='target effects on each task\'s headline metric for the seeds-'
                             'needed column (default: the DaR paper\'s claims, det=0.3 '
                             'inst=0.3 seg=0.5 pose=0.6)')
    parser.add_argument('--margin', nargs='+', metavar='TASK=POINTS',
                        help='non-inferiority margins (default: det=1.0 inst=1.0 seg=1.0 '
                             'pose=0.5)')
    parser.add_argument('--scratch', default='scratch',
                        help='the from-scratch variant the transfer score counts as 0')
    parser.add_argument('--precision', metavar='FILE',
                        help="a precision campaign's precision.json: the comparisons whose "
                             "seeds it chose take Stein's interval")
    parser.add_argument('--pending-first-stage', nargs='+', type=int, metavar='SEED',
                        help="a precision campaign's first-stage seeds, while some variant "
                             'has no plan yet: the decision says that the comparisons '
                             "without Stein's interval are interim")
    parser.add_argument('--pending-variants', nargs='+', metavar='NAME',
                        help='with --precision: the variants whose first stage has no plan '
                             'yet (joined later); the interim note names them, and is left '
                             'out while none of them has a run')
    parser.set_defaults(func=main)
    return parser


FOREST_TITLE = 'Deltas against the baseline, 95% CI'


def render(runs, tables, fmt: str, plots_dir: str | None, decision=None,
           scores=None) -> str:
    headline = build_headline(runs)
    # one value per backbone, the run its variant row uses (not the noise floor's mean)
    agreement = build_agreement(table_runs(runs))
    noise = build_noise_floor(runs)
    if fmt == 'html':
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(plots_dir or tmp)
            paths = write_plots(tables, runs, folder)
            forest = forest_plot(tables, folder / 'forest.png')
            forest_image = None if forest is None else (FOREST_TITLE, embed({'': forest})[''])
            return to_html(tables, embed(paths), headline, forest=forest_image,
                           agreement=agreement, noise=noise, decision=decision,
                           scores=scores)
    if plots_dir:
        write_plots(tables, runs, Path(plots_dir))
        forest_plot(tables, Path(plots_dir) / 'forest.png')
    if fmt in ('md', 'json'):
        return {'md': to_markdown, 'json': to_json}[fmt](tables, headline, agreement, noise,
                                                         decision=decision, scores=scores)
    return {'csv': to_csv, 'latex': to_latex}[fmt](tables)


def fmt_needs_scores(fmt: str) -> bool:
    """CSV and LaTeX hold the task tables only."""
    return fmt in ('md', 'json', 'html')


def main(args: argparse.Namespace) -> int:
    runs = collect(args.paths)
    # fine-tuning repeats of one backbone are the noise floor's, not extra samples of a row
    tables = build_tables(table_runs(runs), baseline=args.baseline)
    decision = build_decision(
        tables, reference=args.baseline,
        effects=power.parse_task_values(args.effect, '--effect', power.PAPER_EFFECTS),
        margins=power.parse_task_values(args.margin, '--margin', power.DEFAULT_MARGINS),
        plans=read_plans(args.precision) if args.precision else None,
        pending_first_stage=args.pending_first_stage, pending_variants=args.pending_variants)
    scores = (build_scores(tables, reference=args.baseline, scratch=args.scratch)
              if fmt_needs_scores(args.format) else None)
    text = render(runs, tables, args.format, args.plots, decision, scores)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        logger.info('wrote %s (%d runs, %d tables)', args.out, len(runs), len(tables))
    else:
        print(text, end='')
    return 0
