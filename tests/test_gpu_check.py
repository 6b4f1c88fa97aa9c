"""scripts/gpu_check.sh (make gpu-check): a clean exit without a GPU, and every stage of
its GPU run exercised on the CPU (--cpu-smoke) so the script cannot rot unnoticed."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason='a GPU is visible')
def test_without_a_gpu_it_says_so_and_exits_0(tmp_path):
    result = subprocess.run(['bash', str(ROOT / 'scripts' / 'gpu_check.sh'), '--out',
                             str(tmp_path / 'out')], capture_output=True, text=True,
                            env={'PYTHON': sys.executable, 'PATH': '/usr/bin:/bin'})
    assert result.returncode == 0, result.stderr
    assert 'no GPU visible' in result.stdout
    assert not (tmp_path / 'out').exists()


@pytest.mark.slow
def test_cpu_smoke_runs_every_stage(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / 'scripts' / 'gpu_check.py'),
                             '--cpu-smoke', '--out', str(tmp_path)], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    stages = json.loads((tmp_path / 'gpu_check.json').read_text())['stages']
    assert [s['stage'] for s in stages] == [
        'data', 'pretrain cifar r20 fp16', 'pretrain cifar r20 bf16', 'pretrain r18 dar fp16',
        'export', 'finetune det', 'finetune inst', 'finetune pose', 'finetune seg', 'report']
    assert all(s['status'] == 'ok' for s in stages), stages
    assert '10/10 stages ok' in result.stdout
