"""The power and non-inferiority numbers of the committed section 9 results
(benchmarks/results/real_small_cpu), as a reviewer recomputed them from the raw files:
pooled SDs of paired differences (baseline, DaR, random; 4 df) and the MDEs at n = 3."""
import json
from pathlib import Path

import pytest

from dar_transfer.cli import main

ARCHIVE = Path(__file__).parents[1] / 'benchmarks' / 'results' / 'real_small_cpu'
# task: (pooled SD of paired differences, MDE at n = 3), section 9 / the statistics issue
EXPECTED = {'det': (1.68, 5.5), 'inst': (1.33, 4.3), 'seg': (1.65, 5.4), 'pose': (0.25, 0.82)}


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp('report') / 'report.json'
    assert main(['report', str(ARCHIVE / 'pretrain'), str(ARCHIVE / 'finetune'),
                 '--format', 'json', '--out', str(out)]) == 0
    return json.loads(out.read_text())


def test_pooled_sds_and_mdes_of_section_9(report):
    rows = {(c['task'], c['variant']): c for c in report['comparisons']}
    for task, (sd, mde) in EXPECTED.items():
        for variant in ('dar', 'random'):
            c = rows[(task, variant)]
            assert (c['n'], c['pooled'], c['df']) == (3, True, 4)
            assert c['sd_diff'] == pytest.approx(sd, abs=0.005)
            assert c['mde'] == pytest.approx(mde, abs=0.05)
            assert c['verdict'] in ('superior', 'non-inferior', 'inferior', 'undecided')
            for key in ('task', 'metric', 'higher_is_better', 'variant', 'reference', 'delta',
                        'ci', 'n_for', 'margin'):
                assert key in c
    # InfoBatch has one seed: no interval, no SD, no verdict.
    assert rows[('det', 'infobatch')]['ci'] is None
    assert rows[('det', 'infobatch')]['verdict'] is None


def test_verdict_lines_and_transfer_score(report):
    lines = report['decision']['summary']
    assert any(line.startswith('dar (resnet18) at cost 0.83:') for line in lines)
    scores = {s['variant']: s for s in report['scores']}
    assert set(scores) >= {'dar', 'random'}
    for s in scores.values():
        assert 0 <= s['p_improvement'] <= 1
        if s['seeds'] < 2:  # InfoBatch: one seed, nothing to resample
            assert s['ci'] is None and s['p_improvement_ci'] is None
        else:
            assert s['ci'][0] <= s['score'] <= s['ci'][1]
