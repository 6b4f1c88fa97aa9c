"""Campaigns that add paired seeds until each comparison's interval is precise enough.

``campaign run --until-precision det=0.7 ... --max-seeds 8`` follows Stein's two-stage
rule (:mod:`dar_transfer.report.precision`): the manifest's seeds are the first stage;
once they have finished, the SD of paired differences on each task (pooled over the
variants that share the reference's seeds) fixes, once and for all, how many seeds each
comparison gets. Seeds are then added one round at a time (every variant that still
needs one gets its next seed, the reference every seed any variant needs), so a
campaign cut short holds whole rounds. Never on significance: nothing here looks at
whether an interval excludes 0.

The state lives in ``{folder}/precision.json`` (the targets, the first-stage plans, the
seeds each variant has been given), written before a round starts, so a stopped
campaign resumes where it was and ``status``/``report`` see the added seeds.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..errors import UsageError
from .manifest import Manifest
from .precision_state import compared_variants, read_state, state_path
from .state import write_json_atomic


def write_state(manifest: Manifest, state: dict) -> None:
    write_json_atomic(state_path(manifest), state)


def with_seeds(manifest: Manifest, seeds: dict[str, list[int]]) -> Manifest:
    """The manifest with each named variant's seeds replaced (the added rounds)."""
    variants = [dataclasses.replace(v, seeds=tuple(seeds[v.name])) if v.name in seeds else v
                for v in manifest.variants]
    return dataclasses.replace(manifest, variants=variants)


def applied(manifest: Manifest) -> Manifest:
    """The manifest with the seeds a precision campaign in its folder added."""
    state = read_state(manifest)
    return manifest if state is None else with_seeds(manifest, state['seeds'])


def check_targets(manifest: Manifest, targets: dict[str, float], max_seeds: int | None) -> None:
    if not targets:
        raise UsageError('--until-precision needs targets, e.g. --until-precision det=0.7 '
                         'seg=0.7 (or the manifest key until_precision=dict(...))')
    if max_seeds is None:
        raise UsageError('--until-precision needs a budget: --max-seeds N (or the manifest '
                         'key max_seeds)')
    if manifest.reference not in {v.name for v in manifest.variants}:
        raise UsageError(f'the reference {manifest.reference!r} is not a variant of the '
                         'manifest; set the manifest key reference')
    tasks = {t.name for t in manifest.tasks}
    unknown = sorted(set(targets) - tasks)
    if unknown:
        raise UsageError(f'--until-precision: {", ".join(unknown)} not a task of the '
                         f'manifest ({", ".join(sorted(tasks))})')
    if not compared_variants(manifest):
        raise UsageError('--until-precision: the manifest has no pretrained variant besides '
                         f'the reference {manifest.reference!r} to compare')


def first_stage_plans(decision, targets: dict[str, float], caps: dict[str, int]
                      ) -> list[dict]:
    """One Stein plan per (task, variant of ``caps``) from the first stage's
    comparisons; ``caps``: the most seeds each variant may get."""
    from ..report.precision import stein_seeds

    plans = []
    for c in decision.comparisons:
        if c.task not in targets or c.variant not in caps:
            continue
        i = c.interval
        if i.sd is None or i.df is None:
            raise UsageError(f'{c.task} {c.variant}: the first stage has no SD of paired '
                             f'differences ({i.n} paired seeds, method {i.method}); a '
                             'precision campaign needs at least 2 seeds per variant')
        plan = stein_seeds(i.sd, int(i.df), i.n, targets[c.task], caps[c.variant])
        plans.append({'task': c.task, 'variant': c.variant, 'backbone': c.backbone,
                      **plan.as_dict()})
    return plans


def needed_seeds(plans: list[dict], reference: str) -> dict[str, int]:
    """Seeds each variant needs: its largest plan; the reference, the largest of all."""
    needed: dict[str, int] = {}
    for plan in plans:
        needed[plan['variant']] = max(needed.get(plan['variant'], 0), plan['seeds'])
    if needed:
        needed[reference] = max(needed.values())
    return needed


def next_round(seeds: dict[str, list[int]], needed: dict[str, int], reference: str
               ) -> dict[str, list[int]] | None:
    """Every variant short of its need gets its next seed: the reference's next seed it
    lacks (the reference's list grows by max + 1 when none is left). None when done."""
    out = {name: list(values) for name, values in seeds.items()}
    grown = False
    ref = out[reference]
    for name, count in needed.items():
        if name == reference or len(out[name]) >= count:
            continue
        spare = [s for s in ref if s not in out[name]]
        if not spare:
            ref.append(max(ref) + 1)
            spare = [ref[-1]]
        out[name].append(spare[0])
        grown = True
    return out if grown else None


def first_stage(manifest: Manifest, variants: list[str]) -> set[int]:
    """The first-stage seeds of ``variants``: those the manifest lists for them."""
    return {s for v in manifest.variants if v.name in variants for s in v.seeds}


def _check_unchanged(manifest: Manifest, state: dict, targets: dict[str, float],
                     max_seeds: int) -> None:
    if state.get('targets') != targets or state.get('max_seeds') != max_seeds:
        raise UsageError(f'{state_path(manifest)} was planned for targets {state["targets"]} '
                         f'and max_seeds {state["max_seeds"]}; changing them after the first '
                         'stage would let the data choose the rule. Keep them, or delete the '
                         'file (and the added seeds\' runs) to start over')


def fixed_state(manifest: Manifest, decide: Callable[[set[int]], object],
                targets: dict[str, float], max_seeds: int) -> dict:
    """The state ``run --until-precision`` would write once the first stage has finished,
    with every round's seeds given at once: for a campaign whose rounds run elsewhere
    (a fresh machine each session, archived with ``--merge``), so that ``report`` and
    ``status`` of the archive see the plans and the seeds still to run.

    ``decide(seeds)`` gives the comparisons of the runs of those backbone seeds only.
    Once the plans exist, variants added to the manifest later (InfoBatch and RS2 after
    DaR and random) get theirs, once, from their own first stage (their manifest seeds),
    with the SD pooled over every variant's runs of those seeds and no later one."""
    check_targets(manifest, targets, max_seeds)
    state = read_state(manifest) or {}
    earlier = state.get('plans') or []
    if earlier:
        _check_unchanged(manifest, state, targets, max_seeds)
    planned = {p['variant'] for p in earlier}
    joining = [v for v in compared_variants(manifest) if v not in planned]
    if not joining:
        raise UsageError(f'{state_path(manifest)} already holds the first stage\'s plans; '
                         'they are fixed once: delete the file to plan again')
    first = {v.name: len(v.seeds) for v in manifest.variants
             if v.name in (manifest.reference, *joining)}
    plans = first_stage_plans(decide(first_stage(manifest, joining)), targets,
                              {v: manifest.seed_cap(v, max_seeds) for v in joining})
    found = {(p['task'], p['variant']) for p in plans}
    off = sorted([f"{p['task']} {p['variant']} ({p['n0']} of {first[p['variant']]})"
                  for p in plans if p['n0'] != first[p['variant']]]
                 + [f'{task} {v} (0 of {first[v]})' for v in joining for task in targets
                    if (task, v) not in found])
    if off:  # fewer: not done yet
        raise UsageError('the first stage is the manifest\'s seeds, and the paired seeds '
                         f'that finished differ: {", ".join(off)}; plan once exactly the '
                         'first-stage seeds have run')
    seeds = {name: list(values) for name, values in (state.get('seeds') or {}).items()}
    for v in manifest.variants:
        if v.name in first:
            seeds.setdefault(v.name, list(v.seeds))
    needed = needed_seeds([*earlier, *plans], manifest.reference)
    while (grown := next_round(seeds, needed, manifest.reference)) is not None:
        seeds = grown
    return {'reference': manifest.reference, 'targets': targets, 'max_seeds': max_seeds,
            'seeds': seeds, 'plans': [*earlier, *plans]}


def run_until_precision(manifest: Manifest, targets: dict[str, float], max_seeds: int,
                        run_round: Callable[[Manifest, list[str]], dict],
                        decide: Callable[[Manifest, set[int]], object],
                        log: Callable[[str], None],
                        only: list[str] | None = None) -> tuple[Manifest, bool]:
    """Rounds until every plan's seeds have run. ``run_round(manifest, variants)`` runs
    (or submits) those variants' jobs and returns their statuses; ``decide(manifest,
    seeds)`` gives the report's comparisons of what finished with those backbone seeds
    (a joining variant's first stage: its SD must not see later seeds); ``only``
    restricts the compared variants (``--variants``; the reference always runs). Returns
    the manifest with the seeds given so far and whether every round finished (False:
    jobs still pending, failed or submitted to a scheduler; run again later)."""
    check_targets(manifest, targets, max_seeds)
    variants = [manifest.reference, *(v for v in compared_variants(manifest)
                                      if only is None or v in only)]
    state = read_state(manifest) or {
        'reference': manifest.reference, 'targets': targets, 'max_seeds': max_seeds,
        'seeds': {}, 'plans': []}
    if state.get('plans'):
        _check_unchanged(manifest, state, targets, max_seeds)
    state.update(targets=targets, max_seeds=max_seeds, plans=state.get('plans') or [])
    for v in manifest.variants:  # a variant joining later starts from its manifest seeds
        if v.name in variants:
            state['seeds'].setdefault(v.name, list(v.seeds))
    while True:
        current = with_seeds(manifest, state['seeds'])
        statuses = run_round(current, variants)
        unfinished = [k for k, s in statuses.items() if s.state != 'done']
        if unfinished:
            log(f'{len(unfinished)} jobs of this round are not done ({unfinished[0]}, ...); '
                'run again once they are')
            return current, False
        planned = {p['variant'] for p in state['plans']}
        joining = [v for v in variants[1:] if v not in planned]
        if joining:  # first stage of these variants done: their plans, once and for all
            new = first_stage_plans(decide(current, first_stage(manifest, joining)),
                                    targets,
                                    {v: manifest.seed_cap(v, max_seeds) for v in joining})
            state['plans'] += new
            write_state(manifest, state)
            for plan in new:
                log(f"plan {plan['task']} {plan['variant']}: SD {plan['sd']:.3g} on "
                    f"{plan['df']} df -> {plan['seeds']} seeds"
                    + (' (capped by max_seeds)' if plan['capped'] else ''))
        grown = next_round(state['seeds'], needed_seeds(state['plans'], manifest.reference),
                           manifest.reference)
        if grown is None:
            return current, True
        state['seeds'] = grown
        write_state(manifest, state)  # before the round runs: a stop resumes it
        log('round: ' + ', '.join(f'{n} seeds {s}' for n, s in grown.items()))
