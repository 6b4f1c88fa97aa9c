"""Tables as Markdown, CSV, LaTeX, JSON and a self-contained HTML page."""
from __future__ import annotations

import csv
import html
import io
import json

from . import agreement as rank
from . import decision as verdicts
from . import headline as summary
from . import noise_floor
from . import score as transfer
from .tables import Row, Stat, TaskTable

NOT_APPLICABLE = ('"n/a": the metric cannot exist on this data; COCO reports -1 for a size '
                  'class (small, medium, large) with no objects in the evaluation set.')
METHOD_NAMES = {'paired t': 'paired', 'pooled t': 'paired, pooled SD', 'stein': 'Stein',
                'welch': 'Welch'}
LEGEND = ('Delta rows compare with the 100%-cost baseline of the same backbone: the mean '
          'paired difference over shared seeds with its 95% CI (t over the paired '
          'differences; "pooled SD": the SD of paired differences pooled over every variant '
          "that shares the baseline's seeds), or, without shared seeds, the difference of "
          "means with Welch's interval. "
          '"*": the CI excludes 0; "~": it includes 0 (noise); '
          '"?": a row has one seed, so its spread is unknown.')


def fmt_stat(stat: Stat, digits: int = 2) -> str:
    if stat.mean is None:
        return 'missing'
    text = f'{stat.mean:.{digits}f}'
    return text + (f' ± {stat.std:.{digits}f}' if stat.std is not None else '')


def fmt_delta(row: Row, column: str) -> str:
    if column not in row.delta:
        return ''
    delta, within = row.delta[column]
    interval = row.interval.get(column)
    if interval is None or interval.low is None:
        return f'{delta:+.2f}{" ?" if within is None else ""}'
    mark = ' *' if interval.excludes_zero else ' ~'
    kind = METHOD_NAMES.get(interval.method, interval.method)
    return (f'{interval.delta:+.2f} [{interval.low:+.2f}, {interval.high:+.2f}]{mark} '
            f'({kind}, n={interval.n})')


def display_rows(table: TaskTable) -> tuple[list[str], list[list[str]]]:
    header = ['backbone', 'variant', 'n', 'pretrain cost', *table.columns]
    body = []
    for row in table.rows:
        n = max((s.n for s in row.metrics.values()), default=0)
        body.append([row.backbone, row.variant, str(n), fmt_stat(row.cost, 3),
                     *('n/a' if c in row.not_applicable else fmt_stat(row.metrics[c])
                       for c in table.columns)])
        if row.delta:
            body.append(['', f'delta {row.variant}', '', '',
                         *(fmt_delta(row, c) for c in table.columns)])
    return header, body


def legend(tables: list[TaskTable]) -> str:
    if any(row.not_applicable for table in tables for row in table.rows):
        return f'{LEGEND} {NOT_APPLICABLE}'
    return LEGEND


def notes(table: TaskTable) -> list[str]:
    return [note for row in table.rows for note in row.notes]


def to_markdown(tables: list[TaskTable], headline: summary.Headline | None = None,
                agreement: list[rank.AgreementRow] | None = None,
                noise: list[noise_floor.NoiseRow] | None = None, *,
                decision: verdicts.Decision | None = None,
                scores: tuple[list[transfer.Score], str | None] | None = None) -> str:
    parts = [] if headline is None else [summary.to_markdown(headline)]
    if decision is not None and decision.comparisons:
        parts.append(verdicts.markdown(decision))
    if scores is not None and transfer.markdown(*scores):
        parts.append(transfer.markdown(*scores))
    for table in tables:
        header, body = display_rows(table)
        lines = [f'### {table.title}', '', '| ' + ' | '.join(header) + ' |',
                 '|' + '---|' * len(header)]
        lines += ['| ' + ' | '.join(cells) + ' |' for cells in body]
        lines += [''] + [f'- {note}' for note in notes(table)]
        parts.append('\n'.join(lines).rstrip())
    if noise:
        parts.append(noise_floor.markdown(noise))
    if agreement:
        parts.append(agreement_markdown(agreement))
    return '\n\n'.join(parts) + f'\n\n{legend(tables)}\n'


def tidy_records(tables: list[TaskTable]) -> list[dict]:
    records = []
    for table in tables:
        for row in table.rows:
            for column in table.columns:
                stat = row.metrics[column]
                delta, within = row.delta.get(column, (None, None))
                interval = row.interval.get(column)
                records.append({
                    'task': table.task, 'backbone': row.backbone, 'variant': row.variant,
                    'metric': column, 'mean': stat.mean, 'std': stat.std, 'n': stat.n,
                    'cost': row.cost.mean, 'delta_vs_baseline': delta,
                    'delta_within_spread': within, **interval_fields(interval),
                    'statuses': ';'.join(sorted({r.status for r in row.runs}))})
    return records


def interval_fields(interval) -> dict:
    """The 95% interval of a delta as flat fields (all None without one)."""
    if interval is None:
        return {'interval_delta': None, 'ci_low': None, 'ci_high': None, 'ci_method': None,
                'ci_n': None, 'ci_excludes_zero': None}
    return {'interval_delta': interval.delta, 'ci_low': interval.low, 'ci_high': interval.high,
            'ci_method': interval.method, 'ci_n': interval.n,
            'ci_excludes_zero': interval.excludes_zero}


def agreement_markdown(rows: list[rank.AgreementRow]) -> str:
    if not rows:
        return ''
    lines = ['### Probe vs transfer: rank agreement', '', '| ' + ' | '.join(rank.HEADER) + ' |',
             '|' + '---|' * len(rank.HEADER)]
    lines += ['| ' + ' | '.join(rank.cells(row)) + ' |' for row in rows]
    return '\n'.join([*lines, '', rank.NOTE])


def to_csv(tables: list[TaskTable]) -> str:
    buffer = io.StringIO()
    records = tidy_records(tables)
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else ['task'])
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def to_json(tables: list[TaskTable], headline: summary.Headline | None = None,
            agreement: list[rank.AgreementRow] | None = None,
            noise: list[noise_floor.NoiseRow] | None = None, *,
            decision: verdicts.Decision | None = None,
            scores: tuple[list[transfer.Score], str | None] | None = None) -> str:
    score_list, score_note = scores if scores is not None else ([], None)
    return json.dumps({
        'headline': None if headline is None else summary.to_json(headline),
        'decision': None if decision is None else verdicts.as_dict(decision),
        'comparisons': [] if decision is None else [c.as_dict() for c in decision.comparisons],
        'scores': [s.as_dict() for s in score_list], 'score_note': score_note,
        'noise_floor': [noise_floor.as_dict(row) for row in noise or []],
        'agreement': [rank.as_dict(row) for row in agreement or []], 'tables': [{
        'task': t.task, 'title': t.title, 'columns': t.columns,
        'rows': [{'backbone': r.backbone, 'variant': r.variant,
                  'cost': r.cost.mean, 'runs': [str(run.work_dir) for run in r.runs],
                  'statuses': [run.status for run in r.runs],
                  'metrics': {c: {'mean': s.mean, 'std': s.std, 'n': s.n}
                              for c, s in r.metrics.items()},
                  'delta': {c: {'value': d, 'within_spread': w,
                                **interval_fields(r.interval.get(c))}
                            for c, (d, w) in r.delta.items()}}
                 for r in t.rows]} for t in tables], 'legend': legend(tables)}, indent=2)


def to_latex(tables: list[TaskTable]) -> str:
    def escape(text: str) -> str:
        for a, b in (('\\', r'\textbackslash{}'), ('&', r'\&'), ('%', r'\%'), ('_', r'\_'),
                     ('#', r'\#'), ('±', r'$\pm$'), ('~', r'$\sim$')):
            text = text.replace(a, b)
        return text

    parts = []
    for table in tables:
        header, body = display_rows(table)
        lines = [r'\begin{table}[t]', r'\centering', rf'\caption{{{escape(table.title)}}}',
                 r'\begin{tabular}{' + 'l' * 2 + 'r' * (len(header) - 2) + '}', r'\toprule',
                 ' & '.join(map(escape, header)) + r' \\', r'\midrule']
        lines += [' & '.join(map(escape, cells)) + r' \\' for cells in body]
        lines += [r'\bottomrule', r'\end{tabular}', r'\end{table}']
        parts.append('\n'.join(lines))
    return '\n\n'.join(parts) + '\n'


def _image(title: str, data: str) -> str:
    return (f'<h2>{html.escape(title)}</h2>'
            f'<img alt="{html.escape(title)}" src="data:image/png;base64,{data}">')


def _html_table(header: list[str], rows: list[list[str]]) -> list[str]:
    parts = ['<table>', '<tr>' + ''.join(f'<th>{html.escape(h)}</th>' for h in header) + '</tr>']
    parts += ['<tr>' + ''.join(f'<td>{html.escape(c)}</td>' for c in cells) + '</tr>'
              for cells in rows]
    return parts + ['</table>']


def to_html(tables: list[TaskTable], images: dict[str, str],
            headline: summary.Headline | None = None, *, forest: tuple[str, str] | None = None,
            agreement: list[rank.AgreementRow] | None = None,
            noise: list[noise_floor.NoiseRow] | None = None,
            decision: verdicts.Decision | None = None,
            scores: tuple[list[transfer.Score], str | None] | None = None) -> str:
    """One page, no external resources: plots are embedded as base64 PNGs. It opens
    with the forest plot (``forest``: title and PNG data) when there is one."""
    body = ['<h1>dar-transfer report</h1>']
    if forest is not None:
        body.append(_image(*forest))
    if headline is not None:
        body.append(summary.to_html(headline))
    if decision is not None and decision.comparisons:
        body.append('<h2>Decision: non-inferiority against the baseline</h2>')
        if decision.interim:
            body.append(f'<p><strong>{html.escape(decision.interim)}</strong></p>')
        body.append('<ul>')
        body += [f'<li>{html.escape(line)}</li>' for line in decision.lines]
        body.append('</ul>')
        body += _html_table(verdicts.HEADER, [verdicts.cells(c) for c in decision.comparisons])
        body.append(f'<p>{html.escape(verdicts.legend(decision))}</p>')
    if scores is not None and scores[0]:
        body.append('<h2>Transfer score (baseline = 100, from scratch = 0)</h2>')
        body += _html_table(transfer.HEADER, [transfer.cells(s) for s in scores[0]])
        body.append(f'<p>{html.escape(transfer.NOTE)}</p>')
    body.append(f'<p>{html.escape(legend(tables))}</p>')
    for table in tables:
        header, rows = display_rows(table)
        body.append(f'<h2>{html.escape(table.title)}</h2><table>')
        body.append('<tr>' + ''.join(f'<th>{html.escape(h)}</th>' for h in header) + '</tr>')
        for cells in rows:
            body.append('<tr>' + ''.join(f'<td>{html.escape(c)}</td>' for c in cells) + '</tr>')
        body.append('</table>')
        body += [f'<p class="note">{html.escape(n)}</p>' for n in notes(table)]
    if noise:
        body.append('<h2>Noise floor: fine-tuning seeds of one backbone</h2>')
        body += _html_table(noise_floor.HEADER, [noise_floor.cells(row) for row in noise])
        body.append(f'<p>{html.escape(noise_floor.NOTE)}</p>')
    if agreement:
        body.append('<h2>Probe vs transfer: rank agreement</h2>')
        body += _html_table(rank.HEADER, [rank.cells(row) for row in agreement])
        body.append(f'<p>{html.escape(rank.NOTE)}</p>')
    body += [_image(title, data) for title, data in images.items()]
    style = ('body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}'
             'td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}'
             '.note{color:#a40}.label{background:#fff3cd;padding:6px}img{max-width:640px}')
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>dar-transfer report'
            f'</title><style>{style}</style></head><body>' + '\n'.join(body) + '</body></html>\n')
