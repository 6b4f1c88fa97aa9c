"""The ``dar-transfer`` command: one verb per stage of pretrain -> export -> finetune -> report."""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .analysis import cli as features_cli
from .analysis import probe_cli
from .campaign import cli as campaign_cli
from .data import cli as data_cli
from .demo import run as demo_cli
from .errors import UsageError
from .export import cli as export_cli
from .finetune import cli as finetune_cli
from .pretrain import long_tail as long_tail_cli
from .pretrain import train as pretrain_cli
from .report import cli as report_cli
from .sampling import plan
from .utils.library_warnings import ignore_library_warnings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='dar-transfer',
        description='Drop-and-Refresh sampling: plan, pretrain, export, fine-tune, report.')
    subparsers = parser.add_subparsers(dest='verb', required=True, metavar='VERB')
    plan.add_parser(subparsers)
    pretrain_cli.add_parser(subparsers)
    export_cli.add_parser(subparsers)
    finetune_cli.add_parser(subparsers)
    report_cli.add_parser(subparsers)
    demo_cli.add_parser(subparsers)
    features_cli.add_parser(subparsers)
    probe_cli.add_parser(subparsers)
    long_tail_cli.add_parser(subparsers)
    data_cli.add_parser(subparsers)
    campaign_cli.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(format='%(levelname)s: %(message)s', level=logging.INFO,
                        stream=sys.stderr)
    ignore_library_warnings()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, FileNotFoundError) as error:
        # Input the user can fix: argparse's message format and exit code 2. Any other
        # ValueError or TypeError is a bug (ours or a library's) and keeps its traceback.
        parser.exit(2, f'dar-transfer {args.verb}: error: {error}{_notes(error)}\n')
    except OSError as error:  # an unwritable folder, a full disk: not a usage error
        parser.exit(1, f'dar-transfer {args.verb}: error: {error}{_notes(error)}\n')


def _notes(error: BaseException) -> str:
    return ''.join(f'\n  ({note})' for note in getattr(error, '__notes__', []))


if __name__ == '__main__':
    sys.exit(main())
