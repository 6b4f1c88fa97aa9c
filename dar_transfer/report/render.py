"""Tables as Markdown, CSV, LaTeX, JSON and a self-contained HTML page."""
from __future__ import annotations

import csv
import html
import io
import json

from . import headline as summary
from .tables import Row, Stat, TaskTable

NOT_APPLICABLE = ('"n/a": the metric cannot exist on this data; COCO reports -1 for a size '
                  'class (small, medium, large) with no objects in the evaluation set.')
LEGEND = ('Delta rows compare with the 100%-cost baseline of the same backbone. '
          '"~": the delta is within the combined standard deviation of the two rows (noise); '
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
    mark = {True: ' ~', False: '', None: ' ?'}[within]
    return f'{delta:+.2f}{mark}'


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


def to_markdown(tables: list[TaskTable], headline: summary.Headline | None = None) -> str:
    parts = [] if headline is None else [summary.to_markdown(headline)]
    for table in tables:
        header, body = display_rows(table)
        lines = [f'### {table.title}', '', '| ' + ' | '.join(header) + ' |',
                 '|' + '---|' * len(header)]
        lines += ['| ' + ' | '.join(cells) + ' |' for cells in body]
        lines += [''] + [f'- {note}' for note in notes(table)]
        parts.append('\n'.join(lines).rstrip())
    return '\n\n'.join(parts) + f'\n\n{legend(tables)}\n'


def tidy_records(tables: list[TaskTable]) -> list[dict]:
    records = []
    for table in tables:
        for row in table.rows:
            for column in table.columns:
                stat = row.metrics[column]
                delta, within = row.delta.get(column, (None, None))
                records.append({
                    'task': table.task, 'backbone': row.backbone, 'variant': row.variant,
                    'metric': column, 'mean': stat.mean, 'std': stat.std, 'n': stat.n,
                    'cost': row.cost.mean, 'delta_vs_baseline': delta,
                    'delta_within_spread': within,
                    'statuses': ';'.join(sorted({r.status for r in row.runs}))})
    return records


def to_csv(tables: list[TaskTable]) -> str:
    buffer = io.StringIO()
    records = tidy_records(tables)
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else ['task'])
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def to_json(tables: list[TaskTable], headline: summary.Headline | None = None) -> str:
    return json.dumps({
        'headline': None if headline is None else summary.to_json(headline), 'tables': [{
        'task': t.task, 'title': t.title, 'columns': t.columns,
        'rows': [{'backbone': r.backbone, 'variant': r.variant,
                  'cost': r.cost.mean, 'runs': [str(run.work_dir) for run in r.runs],
                  'statuses': [run.status for run in r.runs],
                  'metrics': {c: {'mean': s.mean, 'std': s.std, 'n': s.n}
                              for c, s in r.metrics.items()},
                  'delta': {c: {'value': d, 'within_spread': w} for c, (d, w) in r.delta.items()}}
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


def to_html(tables: list[TaskTable], images: dict[str, str],
            headline: summary.Headline | None = None) -> str:
    """One page, no external resources: plots are embedded as base64 PNGs."""
    body = ['<h1>dar-transfer report</h1>']
    if headline is not None:
        body.append(summary.to_html(headline))
    body.append(f'<p>{html.escape(legend(tables))}</p>')
    for table in tables:
        header, rows = display_rows(table)
        body.append(f'<h2>{html.escape(table.title)}</h2><table>')
        body.append('<tr>' + ''.join(f'<th>{html.escape(h)}</th>' for h in header) + '</tr>')
        for cells in rows:
            body.append('<tr>' + ''.join(f'<td>{html.escape(c)}</td>' for c in cells) + '</tr>')
        body.append('</table>')
        body += [f'<p class="note">{html.escape(n)}</p>' for n in notes(table)]
    for title, data in images.items():
        body.append(f'<h2>{html.escape(title)}</h2>'
                    f'<img alt="{html.escape(title)}" src="data:image/png;base64,{data}">')
    style = ('body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}'
             'td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}'
             '.note{color:#a40}.label{background:#fff3cd;padding:6px}img{max-width:640px}')
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>dar-transfer report'
            f'</title><style>{style}</style></head><body>' + '\n'.join(body) + '</body></html>\n')
