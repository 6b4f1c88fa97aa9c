"""Entries for ``ForkedVerb`` in tests/test_campaign_forked.py, run in forked children."""
import os
import subprocess
import sys
import time
from pathlib import Path


def report_and_exit(argv: list[str]) -> int:
    """Print what the job sees (folder, environment, threads), then exit with argv[1]."""
    import torch

    print('cwd', os.getcwd(), 'env', os.environ.get('DAR_TEST_VALUE'),
          'threads', torch.get_num_threads(), 'argv', ' '.join(sys.argv))
    print('to stderr', file=sys.stderr)
    return int(argv[1])


def sleep_with_a_child(argv: list[str]) -> int:
    """Start a worker of its own, write its pid to argv[1], then sleep."""
    child = subprocess.Popen(['sleep', '120'])
    Path(argv[1]).write_text(str(child.pid))
    time.sleep(120)
    return 0
