"""``benchmarks/README.md`` section 9 prints the report of the committed campaign results
(``benchmarks/results/real_small_cpu``: the ``runs.jsonl`` that
``benchmarks/archive_campaign.py`` wrote): this recomputes that report from the committed
rows, through the stage folders ``campaign report`` names, and compares it with the
section."""
from pathlib import Path

from dar_transfer.cli import main

ROOT = Path(__file__).parents[1]
ARCHIVE = ROOT / 'benchmarks' / 'results' / 'real_small_cpu'
BEGIN, END = '<!-- section 9 report: begin -->', '<!-- section 9 report: end -->'


def test_section_9_is_the_report_of_the_committed_results(capsys):
    text = (ROOT / 'benchmarks' / 'README.md').read_text()
    block = text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip()
    assert main(['report', str(ARCHIVE / 'pretrain'), str(ARCHIVE / 'finetune'),
                 '--format', 'md']) == 0
    assert capsys.readouterr().out.strip() == block
