"""``dar-transfer campaign run|status|report MANIFEST``."""
from __future__ import annotations

import argparse
import json
import sys

from mmengine.config import DictAction

from ..errors import UsageError
from ..report import power
from . import engine, planning, precision
from .manifest import load_manifest
from .state import CampaignLocked


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'campaign', help='run the matrix of variants x seeds x tasks as resumable jobs',
        description='Run, inspect or report a campaign manifest (configs/campaigns/).')
    parser.add_argument('action', choices=['run', 'status', 'report', 'accept', 'plan'])
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
    parser.add_argument('--tasks', nargs='+', default=None, metavar='NAME',
                        help='run: only the fine-tunings of these tasks (as the manifest names '
                             'them), with the pretrainings and exports they need')
    parser.add_argument('--until-precision', nargs='+', metavar='TASK=POINTS',
                        help='run: add paired seeds (Stein\'s two-stage rule) until every '
                             'comparison\'s 95%% CI half-width is at most POINTS on the task\'s '
                             'headline metric, e.g. det=0.7 seg=0.7 pose=0.35 (manifest key '
                             'until_precision)')
    parser.add_argument('--max-seeds', type=int, default=None,
                        help='run --until-precision, plan: the most seeds any variant gets '
                             '(manifest key max_seeds)')
    parser.add_argument('--effect', nargs='+', metavar='TASK=POINTS',
                        help='plan: target effects (default: the manifest\'s effects, else the '
                             'DaR paper\'s claims det=0.3 inst=0.3 seg=0.5 pose=0.6)')
    parser.add_argument('--margin', nargs='+', metavar='TASK=POINTS',
                        help='plan: non-inferiority margins (default: the manifest\'s, else '
                             'det=1.0 inst=1.0 seg=1.0 pose=0.5)')
    parser.add_argument('--write', action='store_true',
                        help="plan: fix the first stage's Stein plans, and the seeds they give "
                             'each variant, in {folder}/precision.json, for rounds run in '
                             'other folders and archived with --merge; later, the plans of '
                             'variants added to the manifest, from their own first stage')
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
    if args.write and args.action != 'plan':
        raise UsageError(f'--write belongs to `campaign plan`, not `campaign {args.action}`')
    if args.accept_jobs and args.action != 'accept':
        raise UsageError(f'campaign {args.action} takes no job names '
                         f'({" ".join(args.accept_jobs)}); only `campaign accept` does')
    if args.tasks and args.until_precision:
        raise UsageError('--tasks and --until-precision do not go together: a precision '
                         'campaign adds seeds to every task it compares; give the tasks in '
                         'the manifest')
    if args.max_seeds is not None and args.max_seeds < 2:
        raise UsageError(f'--max-seeds must be >= 2, got {args.max_seeds}')
    # the seeds a precision campaign added count for every action
    manifest = precision.applied(load_manifest(args.manifest, args.cfg_options))
    targets = (power.parse_task_values(args.until_precision, '--until-precision', {})
               if args.until_precision else manifest.until_precision)
    max_seeds = args.max_seeds or manifest.max_seeds
    if args.action == 'plan':
        return plan(manifest, args, targets, max_seeds)
    if args.action == 'run' and args.until_precision and not args.dry_run:
        return run_until_precision(manifest, args, targets, max_seeds)
    if args.action == 'accept':
        return accept(manifest, args)
    if args.action == 'status' or (args.action == 'run' and args.dry_run):
        jobs, statuses = engine.current(manifest)
        if args.action == 'run':
            lines = engine.plan_lines(
                engine.select(manifest, jobs, args.variants, args.tasks), statuses)
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
            tasks=args.tasks,
            display_factory=None if args.json else
            (lambda s, n: Progress(s, sys.stdout, parallel=n)))
    except CampaignLocked as error:
        print(f'dar-transfer campaign: error: {error}', file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(engine.status_json(statuses)))
    failed = [k for k, s in statuses.items() if s.state == 'failed']
    return 1 if failed and args.executor == 'local' else 0


def _decide(manifest, args: argparse.Namespace, seeds: set[int] | None = None):
    from ..report.decision import decide

    effects = power.parse_task_values(args.effect, '--effect',
                                      manifest.effects or power.PAPER_EFFECTS)
    margins = power.parse_task_values(args.margin, '--margin',
                                      manifest.margins or power.DEFAULT_MARGINS)
    return decide([manifest.folder / 'pretrain', manifest.folder / 'finetune'],
                  reference=manifest.reference, effects=effects, margins=margins, seeds=seeds)


def plan(manifest, args: argparse.Namespace, targets: dict, max_seeds: int | None) -> int:
    """Per comparison: n, SD, MDE, the seeds a target effect (and a target precision)
    needs, and the machine hours still to add, from the job records' wall times."""
    jobs, statuses = engine.current(manifest)
    try:
        decision = _decide(manifest, args)
    except FileNotFoundError as error:
        print(f'nothing to plan from yet: {error}')
        return 0
    if args.write:
        state = precision.fixed_state(manifest, lambda seeds: _decide(manifest, args, seeds),
                                      targets, max_seeds)
        precision.write_state(manifest, state)
        print(f'wrote {precision.state_path(manifest)}: '
              + ', '.join(f'{n} seeds {s}' for n, s in state['seeds'].items()))
    rows = planning.plan_rows(manifest, decision, planning.seed_seconds(
        manifest, jobs, statuses), targets, max_seeds)
    if args.json:
        print(json.dumps({'rows': [r.as_dict() for r in rows], 'summary': decision.lines}))
        return 0
    print(planning.text(rows) if rows else 'no paired comparison yet (each variant needs two '
                                           'finished seeds beside the reference)')
    print('\n'.join(['', *decision.lines]))
    return 0


def run_until_precision(manifest, args: argparse.Namespace, targets: dict,
                        max_seeds: int | None) -> int:
    """``run --until-precision``: rounds of seeds until every plan has run (local), or
    one submission per call (Slurm: call again once the round has finished)."""
    from ..report.decision import decide

    def run_round(current, variants):
        statuses = engine.run(current, executor=args.executor, jobs=args.jobs,
                              variants=variants)
        return {k: s for k, s in statuses.items()
                if s.job.cell.get('variant') in variants and s.job.stage != 'report'}

    def decide_current(current, seeds):
        return decide([current.folder / 'finetune'], reference=current.reference,
                      seeds=seeds)

    try:
        final, finished = precision.run_until_precision(
            manifest, targets, max_seeds, run_round, decide_current,
            lambda line: print(f'[precision] {line}', flush=True), only=args.variants)
        if finished and not args.variants:
            statuses = engine.run(final, executor=args.executor, jobs=args.jobs)
            finished = all(s.state == 'done' for s in statuses.values())
    except CampaignLocked as error:
        print(f'dar-transfer campaign: error: {error}', file=sys.stderr)
        return 1
    print('[precision] ' + ('every target met or the seed budget spent; '
                            '`dar-transfer campaign report` writes the verdicts'
                            if finished else 'not finished; run the same command again'))
    return 0 if finished or args.executor == 'slurm' else 1


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
