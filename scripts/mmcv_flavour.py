"""Decide how scripts/setup.sh builds mmcv: CPU-only ops, or CUDA ops for this GPU.

mmcv's setup.py compiles CUDA kernels only when torch sees a GPU (or FORCE_CUDA=1) and
an nvcc is at hand. A CPU-only wheel on a GPU machine fails later, at the first
RoIAlign on a CUDA tensor, so the flavour is part of the wheel cache key and a GPU
without a matching nvcc is an error here, not a silent CPU build.

Run by setup.sh with the venv's Python; prints shell assignments (FLAVOUR, FORCE_CUDA,
TORCH_CUDA_ARCH_LIST) or exits 3 with a message that says what to install. The
decision is the pure function :func:`decide`, tested with faked probes.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Probe:
    """What the machine has: torch's CUDA version (None for a CPU build), the compute
    capabilities of the visible GPUs, and the nvcc release found (None if none)."""

    torch_cuda: str | None
    gpu_capabilities: tuple[tuple[int, int], ...]
    nvcc_release: str | None


@dataclass(frozen=True)
class Flavour:
    name: str  # 'cpu' or e.g. 'cu13.0-sm90'
    force_cuda: bool
    arch_list: str | None


class FlavourError(RuntimeError):
    pass


def major(version: str) -> str:
    return version.split('.')[0]


def decide(probe: Probe, env: dict[str, str]) -> Flavour:
    """The mmcv build flavour for ``probe``; ``env`` may force ``DAR_MMCV_FLAVOUR=cpu``
    or give ``TORCH_CUDA_ARCH_LIST``."""
    forced = env.get('DAR_MMCV_FLAVOUR', '')
    if forced not in ('', 'cpu', 'cuda'):
        raise FlavourError(f'DAR_MMCV_FLAVOUR must be cpu or cuda, got {forced!r}')
    if forced == 'cpu' or (not probe.gpu_capabilities and forced != 'cuda'):
        return Flavour('cpu', False, None)
    if probe.torch_cuda is None:
        raise FlavourError('a GPU is visible (or DAR_MMCV_FLAVOUR=cuda) but this torch is a '
                           'CPU-only build; install a CUDA build of torch, or set '
                           'DAR_MMCV_FLAVOUR=cpu to build mmcv without CUDA ops')
    if probe.nvcc_release is None or major(probe.nvcc_release) != major(probe.torch_cuda):
        found = f'nvcc {probe.nvcc_release}' if probe.nvcc_release else 'no nvcc'
        raise FlavourError(
            f'a GPU is visible and torch was built with CUDA {probe.torch_cuda}, but {found} '
            f'was found: mmcv\'s CUDA ops need an nvcc of CUDA {major(probe.torch_cuda)}.x. '
            f'Install the CUDA {probe.torch_cuda} toolkit (or any {major(probe.torch_cuda)}.x) '
            'and set CUDA_HOME to it (nvcc in $CUDA_HOME/bin), or set DAR_MMCV_FLAVOUR=cpu '
            'to build without CUDA ops (detection, segmentation and pose then fail on GPU '
            'tensors)')
    arch_list = env.get('TORCH_CUDA_ARCH_LIST') or ';'.join(
        sorted({f'{a}.{b}' for a, b in probe.gpu_capabilities}))
    if not arch_list:
        raise FlavourError('DAR_MMCV_FLAVOUR=cuda with no visible GPU: set TORCH_CUDA_ARCH_LIST '
                           '(for example "9.0" for an H100) to say which GPUs to build for')
    arch_tag = arch_list.replace(';', '_').replace(' ', '_').replace('.', '').replace('+', 'p')
    return Flavour(f'cu{probe.torch_cuda}-sm{arch_tag}', True, arch_list)


def find_nvcc(env: dict[str, str]) -> str | None:
    cuda_home = env.get('CUDA_HOME') or env.get('CUDA_PATH')
    candidates = [os.path.join(cuda_home, 'bin', 'nvcc')] if cuda_home else []
    candidates.append(shutil.which('nvcc') or '')
    for nvcc in candidates:
        if nvcc and os.access(nvcc, os.X_OK):
            output = subprocess.run([nvcc, '--version'], capture_output=True, text=True).stdout
            match = re.search(r'release (\d+\.\d+)', output)
            if match:
                return match.group(1)
    return None


def probe_machine(env: dict[str, str]) -> Probe:
    import torch

    capabilities = ()
    if torch.version.cuda is not None and torch.cuda.is_available():
        capabilities = tuple(torch.cuda.get_device_capability(i)
                             for i in range(torch.cuda.device_count()))
    nvcc = find_nvcc(env) if capabilities or env.get('DAR_MMCV_FLAVOUR') == 'cuda' else None
    return Probe(torch.version.cuda, capabilities, nvcc)


def main() -> int:
    env = dict(os.environ)
    try:
        flavour = decide(probe_machine(env), env)
    except FlavourError as error:
        print(f'setup: {error}', file=sys.stderr)
        return 3
    print(f'FLAVOUR={flavour.name}')
    print(f'FORCE_CUDA={int(flavour.force_cuda)}')
    print(f"TORCH_CUDA_ARCH_LIST='{flavour.arch_list or ''}'")
    return 0


if __name__ == '__main__':
    sys.exit(main())
