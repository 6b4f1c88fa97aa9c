"""``benchmarks/README.md`` section 10 prints the protocol-noise tables of the committed
archives (``benchmarks/results/protocol_noise_cpu*``): this recomputes each table from the
archive's rows and job records with ``benchmarks/protocol_noise.py`` and compares it with
the block the section holds, and with the archive's ``summary.json``."""
import json
from pathlib import Path

import pytest
from helpers import load_benchmark

ROOT = Path(__file__).parents[1]
MANIFEST = ROOT / 'configs' / 'campaigns' / 'protocol_noise_cpu.py'
RESULTS = ROOT / 'benchmarks' / 'results'
# each archive, and the arguments its table was printed with: part C adds section 9's runs
# of its two backbones (the same pretrainings, to the last digit)
ARCHIVES = {'protocol_noise_cpu': [], 'protocol_noise_cpu_full': [],
            'protocol_noise_cpu_xeon': ['--same-backbones', str(RESULTS / 'real_small_cpu')]}


def load_tool():
    return load_benchmark('protocol_noise')


@pytest.mark.parametrize('name', ARCHIVES)
def test_section_10_tables_are_those_of_the_committed_archives(name, tmp_path, capsys):
    archive = RESULTS / name
    begin, end = f'<!-- section 10 {name}: begin -->', f'<!-- section 10 {name}: end -->'
    text = (ROOT / 'benchmarks' / 'README.md').read_text()
    block = text[text.index(begin) + len(begin):text.index(end)].strip()
    out = tmp_path / 'summary.json'
    assert load_tool().main([str(MANIFEST), '--cfg-options', f'folder={archive}',
                             '--out', str(out), *ARCHIVES[name]]) == 0
    assert capsys.readouterr().out.strip() == block
    recomputed = json.loads(out.read_text())
    assert recomputed == json.loads((archive / 'summary.json').read_text())
    assert any(row['n_pairs'] >= 3 for row in recomputed['candidates'])


def test_runs_of_another_backbone_are_not_pooled(capsys):
    """Part B's baseline was pretrained on an AMD EPYC, section 9's on an Intel Xeon:
    another backbone (top-1 error 26.675 against 26.650), so pooling is refused."""
    with pytest.raises(SystemExit, match='baseline is another backbone'):
        load_tool().main([str(MANIFEST), '--cfg-options',
                          f'folder={RESULTS / "protocol_noise_cpu_full"}',
                          '--same-backbones', str(RESULTS / 'real_small_cpu')])
