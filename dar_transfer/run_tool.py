"""``python -m dar_transfer.run_tool SCRIPT [ARGS...]``: run an OpenMMLab tool script
(``tools/train.py``, ``tools/test.py`` of mmdet, mmseg, mmpose or mmpretrain) with
``dar_transfer`` imported first, so its config may inherit ``dar_transfer::...``.

The script runs as ``python SCRIPT ARGS...`` would run it: as ``__main__``, with
``sys.argv`` set to ``[SCRIPT, *ARGS]`` and its own folder first on ``sys.path``. Under
``torchrun`` use ``-m``: ``torchrun --nproc-per-node 8 -m dar_transfer.run_tool
tools/train.py my_config.py --launcher pytorch``. See
:mod:`dar_transfer.utils.packaged_configs` for why the import must come first.
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

import dar_transfer  # noqa: F401  (the dar_transfer:: scope and the components)

USAGE = 'usage: python -m dar_transfer.run_tool SCRIPT [ARGS...]'


def main(argv: list[str] | None = None) -> int:
    """Run ``argv[0]`` as a script with arguments ``argv[1:]`` (default: ``sys.argv[1:]``).

    Returns 2 with a usage line when no script is given or it is not a file; the script's
    own exit (``SystemExit``) passes through.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(USAGE, file=sys.stderr)
        return 0 if argv else 2
    script = Path(argv[0])
    if not script.is_file():
        print(f'{USAGE}\nrun_tool: error: script {script} not found', file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path.insert(0, str(script.resolve().parent))
    runpy.run_path(str(script), run_name='__main__')
    return 0


if __name__ == '__main__':
    sys.exit(main())
