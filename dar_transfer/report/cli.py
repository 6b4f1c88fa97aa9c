"""``dar-transfer report``: tables (and plots) from work_dirs."""
from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from .agreement import build_agreement
from .collect import collect
from .headline import build_headline
from .noise_floor import build_noise_floor, table_runs
from .plots import embed, forest_plot, write_plots
from .render import to_csv, to_html, to_json, to_latex, to_markdown
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
    parser.set_defaults(func=main)
    return parser


FOREST_TITLE = 'Deltas against the baseline, 95% CI'


def render(runs, tables, fmt: str, plots_dir: str | None) -> str:
    headline = build_headline(runs)
    agreement = build_agreement(runs)
    noise = build_noise_floor(runs)
    if fmt == 'html':
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(plots_dir or tmp)
            paths = write_plots(tables, runs, folder)
            forest = forest_plot(tables, folder / 'forest.png')
            forest_image = None if forest is None else (FOREST_TITLE, embed({'': forest})[''])
            return to_html(tables, embed(paths), headline, forest=forest_image,
                           agreement=agreement, noise=noise)
    if plots_dir:
        write_plots(tables, runs, Path(plots_dir))
        forest_plot(tables, Path(plots_dir) / 'forest.png')
    if fmt in ('md', 'json'):
        return {'md': to_markdown, 'json': to_json}[fmt](tables, headline, agreement, noise)
    return {'csv': to_csv, 'latex': to_latex}[fmt](tables)


def main(args: argparse.Namespace) -> int:
    runs = collect(args.paths)
    # fine-tuning repeats of one backbone are the noise floor's, not extra samples of a row
    tables = build_tables(table_runs(runs), baseline=args.baseline)
    text = render(runs, tables, args.format, args.plots)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        logger.info('wrote %s (%d runs, %d tables)', args.out, len(runs), len(tables))
    else:
        print(text, end='')
    return 0
