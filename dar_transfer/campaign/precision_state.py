"""A precision campaign's state file, read by the campaign that writes it and by the job
graph, whose report jobs take Stein's intervals and the planned variants from it.

``{folder}/precision.json`` holds the targets, the first-stage plans and the seeds each
variant has been given (:mod:`dar_transfer.campaign.precision` writes it). Reading it
needs only the manifest, so the graph imports this and not the campaign above it.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import UsageError
from .manifest import Manifest

PRECISION_STATE = 'precision.json'


def state_path(manifest: Manifest) -> Path:
    return manifest.folder / PRECISION_STATE


def read_state(manifest: Manifest) -> dict | None:
    """The state, or None where the campaign has none yet; a broken file is an error that
    says how to recover."""
    path = state_path(manifest)
    try:
        state = json.loads(path.read_text())
    except (FileNotFoundError, NotADirectoryError):  # no campaign folder yet: no state
        return None
    except json.JSONDecodeError as error:
        raise UsageError(f'{path} is not valid JSON ({error}); it records the seeds a '
                         'precision campaign added: restore it from git or delete it to '
                         'plan again from the first seeds') from error
    if not isinstance(state, dict) or not isinstance(state.get('seeds'), dict):
        raise UsageError(f'{path} has no seeds entry; delete it to plan again')
    plans = state.get('plans') or []
    if not isinstance(plans, list) or not all(isinstance(p, dict) and 'variant' in p
                                              for p in plans):
        raise UsageError(f'{path}: its plans entry is not a list of plans with a variant '
                         'each; restore it from git or delete it to plan again')
    return state


def compared_variants(manifest: Manifest) -> list[str]:
    """The variants a precision campaign adds seeds to: every pretrained variant but the
    reference (a from-scratch control never pairs with a pretraining seed)."""
    return [v.name for v in manifest.variants
            if v.name != manifest.reference and v.config is not None]


def planned_variants(manifest: Manifest) -> set[str]:
    """The variants whose plans the state fixed (none without a state)."""
    state = read_state(manifest)
    return {p['variant'] for p in state.get('plans') or []} if state else set()
