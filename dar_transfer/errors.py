"""The one exception family for input a user can fix.

``dar-transfer`` prints a :class:`UsageError` as argparse prints a bad flag (exit 2, the
message, no traceback). Every other exception, a ``ValueError`` from inside mmengine or a
``TypeError`` from a bug of ours included, is unexpected and keeps its traceback, so the
place it came from is never hidden behind a one-line "error:".
"""
from __future__ import annotations


class UsageError(ValueError):
    """Bad user input: a flag, parameter, config entry or input file, named with its fix.

    A ``ValueError``, so code and tests that catch ``ValueError`` see what they always
    did. mmengine's registry lets a build error through unchanged, so one raised by a
    sampler, hook or dataset built from a config still reaches the CLI as a usage error.
    """


class UsageTypeError(UsageError, TypeError):
    """A :class:`UsageError` for a value of the wrong type; also a ``TypeError``."""
