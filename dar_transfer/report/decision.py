"""The report's answer to "did the cheaper pretraining cost me transfer, and how sure am I?"

One :class:`Comparison` per (task, backbone, variant) against the reference, on the
task's headline metric: the paired difference, its 95% interval, the SD it used, the
minimum detectable effect at this n, the seeds a target effect needs, and the
non-inferiority verdict at the task's margin, with the seeds that would settle an
undecided one. The summary opens with one line per variant.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import power
from .collect import LOWER_IS_BETTER, headline_metric
from .precision import SteinPlan, stein_interval
from .records import DOWNSTREAM
from .stats import Interval
from .tables import TaskTable, by_seed


@dataclass(frozen=True)
class Comparison:
    task: str
    metric: str
    higher_is_better: bool
    backbone: str
    variant: str
    reference: str
    cost: float | None
    interval: Interval
    mde: float | None
    n_for: dict[float, int | None]
    effect: float | None
    margin: float | None
    verdict: str | None
    n_to_decide: int | None

    def as_dict(self) -> dict:
        i = self.interval
        known = i.low is not None
        return {'task': self.task, 'metric': self.metric,
                'higher_is_better': self.higher_is_better, 'backbone': self.backbone,
                'variant': self.variant, 'reference': self.reference, 'cost': self.cost,
                'n': i.n, 'delta': i.delta, 'ci': [i.low, i.high] if known else None,
                'sd_diff': i.sd, 'df': i.df, 'pooled': i.pooled, 'method': i.method,
                'mde': self.mde, 'n_for': {str(e): n for e, n in self.n_for.items()},
                'effect': self.effect, 'margin': self.margin, 'verdict': self.verdict,
                'n_to_decide': self.n_to_decide}


@dataclass
class Decision:
    comparisons: list[Comparison]
    effects: dict[str, float]
    margins: dict[str, float]
    effect_source: str = power.EFFECT_SOURCE
    margin_source: str = power.MARGIN_SOURCE
    stein: bool = False
    lines: list[str] = field(default_factory=list)
    # set while some variant of a precision campaign has no plan, or while seeds its plans
    # fixed are still running: the campaign's verdicts are not these yet
    interim: str | None = None


def _stein(table: TaskTable, row, base, column: str, plan: SteinPlan) -> Interval:
    """The campaign's two-stage interval: the paired differences in seed order."""
    a, b = by_seed(base.runs, column), by_seed(row.runs, column)
    keys = sorted((k for k in a if k in b), key=lambda k: (k[1], str(k)))
    return stein_interval([b[k] - a[k] for k in keys], plan)


def compare_rows(table: TaskTable, *, reference: str, effects: dict[str, float],
                 margins: dict[str, float], plans: dict | None = None) -> list[Comparison]:
    """The comparisons of one task table on its headline metric. ``plans`` maps
    (task, variant) to the :class:`SteinPlan` of a precision campaign that chose those
    seeds: that comparison then takes Stein's interval instead of the table's."""
    column = headline_metric(table.task, {c for r in table.rows
                                          for c, s in r.metrics.items() if s.mean is not None})
    higher = column not in LOWER_IS_BETTER
    effect, margin = effects.get(table.task), margins.get(table.task)
    out = []
    for row in table.rows:
        interval = row.interval.get(column)
        if interval is None:
            continue
        base = next(r for r in table.rows if r.backbone == row.backbone
                    and r.variant == reference)
        plan = (plans or {}).get((table.task, row.variant))
        if plan is not None:
            interval = _stein(table, row, base, column, plan)
        delta, low, high = power.oriented(interval.delta, interval.low, interval.high, higher)
        verdict = power.verdict(low, high, margin)
        out.append(Comparison(
            table.task, column, higher, row.backbone, row.variant, reference, row.cost.mean,
            interval, power.mde(interval.sd, interval.n),
            {} if effect is None or interval.sd is None else
            {effect: power.n_for(effect, interval.sd)},
            effect, margin, verdict,
            power.n_to_decide(delta, interval.sd, margin) if verdict == 'undecided' else None))
    return out


def _summary_line(variant: str, members: list[Comparison]) -> str:
    downstream = [c for c in members if c.task in DOWNSTREAM]
    costs = [c.cost for c in members if c.cost is not None]
    cost = f' at cost {sum(costs) / len(costs):.2f}' if costs else ''
    if not downstream:
        return f'{variant}{cost}: no downstream comparison'
    counts: dict[str, list[Comparison]] = {}
    for c in downstream:
        counts.setdefault(c.verdict or 'no interval', []).append(c)
    parts = []
    for name in (*power.VERDICTS, 'no interval'):
        found = counts.get(name, [])
        if not found:
            continue
        text = f'{name} on {len(found)} of {len(downstream)} tasks ' \
               f'({", ".join(c.task for c in found)})'
        if name == 'undecided':
            needed = [c.n_to_decide for c in found]
            known = [n for n in needed if n is not None]
            text += (f', needs about {max(known)} paired seeds to decide' if known
                     and len(known) == len(needed) else ', no seed count decides it')
        parts.append(text)
    return f'{variant}{cost}: ' + '; '.join(parts)


def build_decision(tables: list[TaskTable], *, reference: str = 'baseline',
                   effects: dict[str, float] | None = None,
                   margins: dict[str, float] | None = None,
                   plans: dict | None = None,
                   pending_first_stage: list[int] | None = None,
                   pending_variants: list[str] | None = None) -> Decision:
    """``pending_first_stage``: the first-stage seeds of a precision campaign's variants
    that have no plan yet (``pending_variants``, where others have plans); the decision
    then says that their verdicts are interim."""
    effects = dict(power.PAPER_EFFECTS if effects is None else effects)
    margins = dict(power.DEFAULT_MARGINS if margins is None else margins)
    comparisons = [c for table in tables for c in compare_rows(
        table, reference=reference, effects=effects, margins=margins, plans=plans)]
    variants: dict[str, list[Comparison]] = {}
    for c in comparisons:
        variants.setdefault(f'{c.variant} ({c.backbone})', []).append(c)
    pending = None
    if pending_first_stage and plans and pending_variants is not None:
        # a variant that joined later: only its comparisons are interim, and the note
        # must not cast doubt on the verdicts whose plans are fixed
        present = {c.variant for c in comparisons}
        named = [v for v in pending_variants if v in present]
        pending = interim_note(pending_first_stage, named) if named else None
    elif pending_first_stage:
        pending = interim_note(pending_first_stage)
    notes = [pending, unfinished_note(comparisons, plans or {})]
    return Decision(comparisons, effects, margins,
                    effect_source=_source(effects, power.PAPER_EFFECTS, power.EFFECT_SOURCE),
                    margin_source=_source(margins, power.DEFAULT_MARGINS, power.MARGIN_SOURCE),
                    stein=bool(plans),
                    lines=[_summary_line(name, members) for name, members in variants.items()],
                    interim=' '.join(n for n in notes if n) or None)


def _seed_list(seeds: list[int]) -> str:
    seeds = sorted(set(seeds))
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f'{seeds[0]}-{seeds[-1]}'
    return ', '.join(str(s) for s in seeds)


def interim_note(first_stage: list[int], variants: list[str] | None = None) -> str:
    """Why a precision campaign's report must not be read as its answer before its first
    stage has fixed its plans: these intervals are fixed-n ones on whatever has finished,
    and the campaign's own come with Stein's rule. ``variants``: the unplanned ones, where
    others already have plans."""
    whose = f' for {", ".join(variants)}' if variants else ''
    return (f'Interim: a precision campaign chooses these seeds, and the plans of a first '
            f'stage (seeds {_seed_list(first_stage)}) are not fixed yet{whose}. The comparisons '
            'whose SD is not Stein\'s are on the paired seeds finished so far (column n): they '
            'are not the campaign\'s verdicts, which come with Stein\'s intervals once '
            '`campaign run --until-precision` or `campaign plan --write` fixes the plans, and '
            'no seed is added or stopped on them.')


def unfinished_note(comparisons: list[Comparison], plans: dict) -> str | None:
    """Why Stein's intervals must not be read as the verdicts while the seeds their plans
    fixed are still running: they hold for the seeds in, but are wider than planned, and
    a verdict read now and acted on (stopping) is the optional stopping the rule forbids."""
    short: dict[tuple[int, int], list[Comparison]] = {}
    for c in comparisons:
        plan = plans.get((c.task, c.variant))
        if plan is not None and c.interval.n < plan.seeds:
            short.setdefault((c.interval.n, plan.seeds), []).append(c)
    if not short:
        return None
    counts = '; '.join(
        f'{n} of {planned} for {", ".join(dict.fromkeys(c.variant for c in members))} '
        f'on {", ".join(dict.fromkeys(c.task for c in members))}'
        for (n, planned), members in sorted(short.items()))
    return ('Interim: the precision campaign\'s plans are fixed, and not all of their paired '
            f'seeds have finished ({counts}). Stein\'s intervals below are on the seeds '
            'finished so far: valid, but wider than planned, and a verdict may still change '
            'as the planned seeds come in. They are the campaign\'s verdicts once every '
            'planned seed is in; no seed is stopped on them before.')


def _source(values: dict[str, float], defaults: dict[str, float], default_text: str) -> str:
    """Where the effects or margins came from: the defaults' wording only for the
    defaults' values, else the values themselves (a report must not name defaults that
    were overridden)."""
    if values == defaults:
        return default_text
    return 'as given (' + ', '.join(f'{task} {value:g}' for task, value in
                                   sorted(values.items())) + ')'


HEADER = ['task', 'metric', 'variant', 'n', 'delta', '95% CI', 'SD of diffs', 'MDE',
          'seeds for effect', 'margin', 'verdict', 'seeds to decide']


def _number(value: float | None, digits: int = 2, sign: bool = False) -> str:
    if value is None:
        return '-'
    return f'{value:+.{digits}f}' if sign else f'{value:.{digits}f}'


def cells(c: Comparison) -> list[str]:
    i = c.interval
    ci = '-' if i.low is None else f'[{i.low:+.2f}, {i.high:+.2f}]'
    sd = '-' if i.sd is None else (f'{i.sd:.2f} ({"pooled" if i.pooled else i.method}, '
                                   f'{i.df:g} df)')
    effect = '-' if not c.n_for else ', '.join(
        f'{n if n is not None else "> 100000"} for {e:g}' for e, n in c.n_for.items())
    metric = c.metric + ('' if c.higher_is_better else ' (lower is better)')
    return [c.task, metric, f'{c.variant} ({c.backbone})', str(i.n),
            _number(i.delta, sign=True), ci, sd, _number(c.mde), effect, _number(c.margin, 1),
            c.verdict or '-', '-' if c.n_to_decide is None else str(c.n_to_decide)]


def legend(decision: Decision) -> str:
    stein = (' Comparisons whose seeds a precision campaign chose use Stein\'s two-stage '
             'interval (method "stein"): the SD of the first seeds fixed how many seeds to '
             'run, so stopping cannot bias the interval.') if decision.stein else ''
    return ('Delta: variant minus reference over paired seeds, 95% CI. SD of diffs: the SD '
            'of paired differences the interval used, pooled over the variants that share '
            'the reference\'s seeds (a variant x seed block model) when there are two or '
            'more. MDE: the true difference a paired t test at this n finds with 80% power '
            '(two-sided alpha 0.05). Seeds for effect: paired seeds that detect the target '
            f'effect with 80% power (targets: {decision.effect_source}). Verdict, with the '
            'metric oriented so higher is better: superior (CI above 0), non-inferior (CI '
            'above -margin), inferior (CI below -margin), else undecided; seeds to decide: '
            'the paired seeds that would settle it with 80% power if the observed difference '
            f'and SD are the truth. Margins: {decision.margin_source}.{stein}')


def markdown(decision: Decision) -> str:
    if not decision.comparisons:
        return ''
    lines = ['## Decision: non-inferiority against the baseline', '']
    if decision.interim:
        lines += [f'**{decision.interim}**', '']
    lines += [f'- {line}' for line in decision.lines]
    lines += ['', '### Power and non-inferiority', '', '| ' + ' | '.join(HEADER) + ' |',
              '|' + '---|' * len(HEADER)]
    lines += ['| ' + ' | '.join(cells(c)) + ' |' for c in decision.comparisons]
    return '\n'.join([*lines, '', legend(decision)])


def as_dict(decision: Decision) -> dict:
    return {'summary': decision.lines, 'interim': decision.interim, 'effects': decision.effects,
            'effect_source': decision.effect_source, 'margins': decision.margins,
            'margin_source': decision.margin_source,
            'comparisons': [c.as_dict() for c in decision.comparisons]}


def decide(paths: list, *, reference: str = 'baseline',
           effects: dict[str, float] | None = None, margins: dict[str, float] | None = None,
           plans: dict | None = None, seeds: set[int] | None = None) -> Decision:
    """The comparisons of the runs under ``paths``: what ``dar-transfer report`` computes,
    for a conductor (the campaign) that needs the numbers, not the text. ``seeds``: only
    the runs of these backbone seeds (a precision campaign's first stage, whose SD must not
    see the seeds that followed)."""
    from .collect import collect
    from .noise_floor import table_runs
    from .tables import build_tables

    runs = collect(paths)
    if seeds is not None:
        runs = [r for r in runs if (r.seed if r.pretrain_seed is None else r.pretrain_seed)
                in seeds]
    tables = build_tables(table_runs(runs), baseline=reference)
    return build_decision(tables, reference=reference, effects=effects, margins=margins,
                          plans=plans)
