"""``dar-transfer campaign run|status|report MANIFEST``."""
from __future__ import annotations

import argparse
import json
import sys

from mmengine.config import DictAction

from ..errors import UsageError
from . import engine
from .manifest import load_manifest
from .state import CampaignLocked


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'campaign', help='run the matrix of variants x seeds x tasks as resumable jobs',
        description='Run, inspect or report a campaign manifest (configs/campaigns/).')
    parser.add_argument('action', choices=['run', 'status', 'report', 'accept'])
    parser.add_argument('manifest', help='manifest file, e.g. configs/campaigns/demo.py, '
                                         'or the folder that holds manifest.py')
    parser.add_argument('accept_jobs', nargs='*', metavar='JOB',
                        help="accept: jobs (fnmatch patterns, e.g. 'finetune.*.det.*') whose "
                             'results stay valid after an edit that marked them outdated')
    parser.add_argument('--json', action='store_true', help='print the result as JSON')
    parser.add_argument('--dry-run', action='store_true',
                        help='run: print what would run or be submitted, and stop')
    parser.add_argument('--executor', choices=['local', 'slurm'], default='local')
    parser.add_argument('--jobs', type=int, default=None,
                        help='local: parallel jobs (default: one per visible GPU, else 1)')
    parser.add_argument('--variants', nargs='+', default=None, metavar='NAME',
                        help='run: only the jobs of these variants, e.g. the first priority '
                             'of a large matrix (the report is left to `campaign report`)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        metavar='KEY=VALUE', help='override manifest entries')
    parser.set_defaults(func=main)
    return parser


def _print_table(statuses, parallel: int = 1) -> None:
    from rich.console import Console

    from .display import table

    Console(file=sys.stdout, highlight=False, width=160).print(table(statuses, parallel))


def main(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f'--jobs must be >= 1, got {args.jobs}')
    if args.accept_jobs and args.action != 'accept':
        raise UsageError(f'campaign {args.action} takes no job names '
                         f'({" ".join(args.accept_jobs)}); only `campaign accept` does')
    manifest = load_manifest(args.manifest, args.cfg_options)
    if args.action == 'accept':
        return accept(manifest, args)
    if args.action == 'status' or (args.action == 'run' and args.dry_run):
        jobs, statuses = engine.current(manifest)
        if args.action == 'run':
            lines = engine.plan_lines(
                engine.select_variants(manifest, jobs, args.variants), statuses)
            print(json.dumps(lines) if args.json else '\n'.join(lines) or 'nothing to run')
        elif args.json:
            print(json.dumps(engine.status_json(statuses)))
        else:
            _print_table(statuses)
        return 0
    if args.action == 'report':
        return report(manifest, args)
    from .display import Progress

    try:
        statuses = engine.run(
            manifest, executor=args.executor, jobs=args.jobs, variants=args.variants,
            display_factory=None if args.json else
            (lambda s, n: Progress(s, sys.stdout, parallel=n)))
    except CampaignLocked as error:
        print(f'dar-transfer campaign: error: {error}', file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(engine.status_json(statuses)))
    failed = [k for k, s in statuses.items() if s.state == 'failed']
    return 1 if failed and args.executor == 'local' else 0


def accept(manifest, args: argparse.Namespace) -> int:
    """Keep finished results through an edit that leaves them valid; say which."""
    try:
        accepted, left_out = engine.accept(manifest, args.accept_jobs, dry_run=args.dry_run)
    except CampaignLocked as error:
        print(f'dar-transfer campaign: error: {error}', file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({'accepted': [{'job': k, 'was': why} for k, why in accepted],
                          'left_out': left_out}))
        return 0
    verb = 'would accept' if args.dry_run else 'accepted'
    for key, why in accepted:
        print(f'{verb} {key}   # {why}')
    for key in left_out:
        print(f'left out {key}   # outdated without a result: `campaign run` runs it')
    if not accepted and not left_out:
        print('nothing to accept: the matched jobs are not outdated')
    return 0


def report(manifest, args: argparse.Namespace) -> int:
    """Write the report from what finished, and list the cells that are missing."""
    from ..report import cli as report_cli  # the report verb alone: no import of the top CLI

    parser = argparse.ArgumentParser(prog='dar-transfer')
    report_cli.add_parser(parser.add_subparsers(dest='verb', required=True))
    jobs, statuses = engine.current(manifest)
    missing = engine.missing_cells(statuses)
    written, errors = [], []
    for job in (j for j in jobs if j.stage == 'report'):
        verb = parser.parse_args(job.argv)
        try:
            verb.func(verb)
            written.append(str(job.summary))
        except (ValueError, FileNotFoundError) as error:  # nothing finished yet, say so
            errors.append(f'{job.key}: {error}')
    if args.json:
        print(json.dumps({'report': written, 'errors': errors, 'missing': missing}))
        return 0
    for path in written:
        print(f'wrote {path}')
    for error in errors:
        print(f'not written: {error}')
    if missing:
        print(f'{len(missing)} cells missing:')
        for cell in missing:
            why = f' ({cell["why"]})' if cell['why'] else ''
            print(f'  {cell["job"]}: {cell["state"]}{why}')
    return 0
