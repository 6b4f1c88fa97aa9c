"""The machine a run ran on, as its summary records it.

A seeded run reproduces bit for bit on one kind of machine, and not across kinds: the
same seeded from-scratch fine-tunings gave box AP 12.8 and torso PCK 13.71 on a 2-core
Intel Xeon, 13.2 and 13.16 on a 2-core AMD EPYC (benchmarks/README.md, section 11).
Two runs paired by seed on different kinds of machine still share their data order and
initialisation, but not their trajectory, so the report says which pairs crossed
machines.
"""
from __future__ import annotations

import os
import platform
import re
from collections import Counter
from pathlib import Path


def cpu_model(cpuinfo: Path = Path('/proc/cpuinfo')) -> str | None:
    """The CPU's model name, with vendor, family and model where Linux gives them (a
    model name alone can be as vague as "Intel(R) Xeon(R) Processor")."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return platform.processor() or None

    def field(name: str) -> str | None:
        match = re.search(rf'^{name}\s*:\s*(.+)$', text, re.M)
        return match.group(1).strip() if match else None

    name, vendor = field('model name'), field('vendor_id')
    family, model = field('cpu family'), field('model')
    kind = ' '.join(part for part in (vendor, family and f'family {family}',
                                      model and f'model {model}') if part)
    if name and kind:
        return f'{name} ({kind})'
    return name or kind or None


def gpu_models() -> list[str]:
    """The visible CUDA devices' names, one per device; none without CUDA."""
    try:
        import torch
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]


def machine() -> str:
    """One line naming this machine's kind: CPU, core count and visible GPUs, e.g.
    ``AMD EPYC (AuthenticAMD family 25 model 17), 2 CPUs``."""
    parts = [f'{cpu_model() or "unknown CPU"}, {os.cpu_count()} CPUs']
    parts += [f'{count} x {name}' for name, count in sorted(Counter(gpu_models()).items())]
    return '; '.join(parts)
