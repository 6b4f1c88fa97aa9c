"""``benchmarks/README.md`` section 11 prints the report that ``dar-transfer campaign
report`` writes for the committed verdict campaign (``benchmarks/results/verdict_cpu``,
archived round by round with ``--merge``): this writes it again, from a copy of the
archive, through the campaign's own report jobs (margins, and Stein's plans once the
archive holds them), and compares it with the section."""
import shutil
from pathlib import Path

from dar_transfer.cli import main

ROOT = Path(__file__).parents[1]
ARCHIVE = ROOT / 'benchmarks' / 'results' / 'verdict_cpu'
BEGIN, END = '<!-- section 11 report: begin -->', '<!-- section 11 report: end -->'


def test_section_11_is_the_campaign_report_of_the_committed_results(tmp_path):
    text = (ROOT / 'benchmarks' / 'README.md').read_text()
    block = text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip()
    folder = tmp_path / 'verdict_cpu'
    shutil.copytree(ARCHIVE, folder, ignore=shutil.ignore_patterns('report'))
    assert main(['campaign', 'report', str(ROOT / 'configs/campaigns/verdict_cpu.py'),
                 '--cfg-options', f'folder={folder}']) == 0
    assert (folder / 'report' / 'report.md').read_text().strip() == block
    # the committed report is the same one
    assert (ARCHIVE / 'report' / 'report.md').read_text().strip() == block
