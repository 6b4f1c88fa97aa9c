"""``campaign run --until-precision``: the fake verb (tests/campaign_fake_verb.py) reports
box APs with a known noise (tests/fake_metric.py); the campaign must add exactly the
seeds Stein's rule asks for, from the first stage's pooled SD, and resume after SIGTERM."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dar_transfer.campaign import engine, precision
from dar_transfer.campaign.manifest import load_manifest
from dar_transfer.cli import main
from dar_transfer.errors import UsageError
from dar_transfer.report.decision import decide
from dar_transfer.report.precision import stein_seeds
from dar_transfer.report.stats import block_sd

sys.path.insert(0, str(Path(__file__).parent))
from fake_metric import box_ap  # noqa: E402

FAKE = str(Path(__file__).with_name('campaign_fake_verb.py'))
PRETRAIN = str(Path(__file__).parents[1] / 'configs/demo/resnet18_pretrain_toy.py')
VARIANTS = ('baseline', 'dar', 'random')
TARGET, MAX_SEEDS = 1.2, 7


def write_manifest(tmp: Path, variants: tuple[str, ...] = VARIANTS,
                   caps: dict[str, int] | None = None) -> Path:
    """``caps``: variants' own seed budgets (their ``max_seeds``)."""
    fields = dict(folder=str(tmp / 'camp'), tasks=['det'], report=dict(formats=['json']),
                  variants=[dict(name=n, config=PRETRAIN, seeds=[0, 1, 2], depth=18,
                                 **({'max_seeds': caps[n]} if n in (caps or {}) else {}))
                            for n in variants],
                  until_precision=dict(det=TARGET), max_seeds=MAX_SEEDS)
    path = tmp / 'manifest.py'
    path.write_text(''.join(f'{k} = {v!r}\n' for k, v in fields.items()))
    return path


def expected_seeds() -> dict[str, int]:
    """What the rule must ask for, computed here from the fake's first-stage values."""
    table = {v: {s: box_ap(v, s, 'det') for s in (0, 1, 2)} for v in VARIANTS}
    sd, df = block_sd(table)
    need = {v: stein_seeds(sd, df, 3, TARGET, MAX_SEEDS).seeds for v in VARIANTS[1:]}
    return {'baseline': max(need.values()), **need}


def report_options(manifest) -> tuple[list[str], Path]:
    """What the campaign's report job passes beyond its sources, format and output."""
    jobs, _ = engine.current(manifest)
    argv = next(j for j in jobs if j.stage == 'report').argv
    return argv[argv.index('--out') + 2:], manifest.folder


RUN = ('import sys\nfrom dar_transfer.campaign import engine, precision\n'
       'from dar_transfer.campaign.manifest import load_manifest\n'
       'from dar_transfer.report.decision import decide\n'
       'm = load_manifest(sys.argv[1])\n'
       'rounds = lambda cur, vs: {k: s for k, s in engine.run(cur, python=sys.argv[2], '
       'variants=vs).items() if s.job.stage != "report"}\n'
       'final, done = precision.run_until_precision(m, m.until_precision, m.max_seeds, rounds, '
       'lambda cur, seeds: decide([cur.folder / "finetune"], seeds=seeds), print)\n'
       'sys.exit(0 if done else 3)\n')


@pytest.mark.slow
def test_adds_the_seeds_steins_rule_asks_for_and_resumes_after_sigterm(tmp_path):
    path = write_manifest(tmp_path)
    expected = expected_seeds()
    assert 3 < expected['baseline'] <= MAX_SEEDS  # the case exercises added rounds
    runner = subprocess.Popen([sys.executable, '-c', RUN, str(path), FAKE],
                              env={**__import__('os').environ, 'FAKE_SLOW': '3'})
    state_file = tmp_path / 'camp' / 'precision.json'
    deadline = time.monotonic() + 120
    while not (state_file.exists() and len(json.loads(state_file.read_text())['seeds']
                                           ['baseline']) > 3):
        assert time.monotonic() < deadline and runner.poll() is None
        time.sleep(0.1)
    runner.send_signal(signal.SIGTERM)  # inside the first added round
    assert runner.wait(timeout=60) != 0
    resumed = subprocess.run([sys.executable, '-c', RUN, str(path), FAKE], timeout=300)
    assert resumed.returncode == 0
    state = json.loads(state_file.read_text())
    assert {v: len(s) for v, s in state['seeds'].items()} == expected
    assert {p['variant']: p['seeds'] for p in state['plans']} == \
        {v: expected[v] for v in VARIANTS[1:]}
    manifest = precision.applied(load_manifest(path))
    _, statuses = engine.current(manifest)
    finetunes = [k for k, s in statuses.items() if k.startswith('finetune.')]
    assert all(statuses[k].state == 'done' for k in finetunes)
    assert len(finetunes) == sum(expected.values())
    # The report takes Stein's interval for the comparisons the campaign chose.
    decision = decide([manifest.folder / 'finetune'],
                      plans=__import__('dar_transfer.report.precision',
                                       fromlist=['read_plans']).read_plans(state_file))
    dar = next(c for c in decision.comparisons if c.variant == 'dar')
    assert dar.interval.method == 'stein' and dar.interval.n == expected['dar']


def test_plan_prints_seeds_and_writes_the_plans_once(tmp_path, capsys):
    path = write_manifest(tmp_path)
    manifest = load_manifest(path)
    engine.run(manifest, python=FAKE, variants=list(VARIANTS))
    assert main(['campaign', 'plan', str(path), '--json']) == 0
    rows = json.loads(capsys.readouterr().out)['rows']
    assert {r['variant'] for r in rows} == {'dar', 'random'}
    for row in rows:
        assert row['n'] == 3 and row['pooled'] and row['seeds_for_target'] >= 3
        assert row['hours'] is not None  # the fake's jobs have measured seconds
    assert main(['campaign', 'plan', str(path)]) == 0
    assert 'seeds for target' in capsys.readouterr().out
    # A first stage that is not the one that ran (here: a fourth seed) is refused.
    longer = load_manifest(path, {'variants.1.seeds': [0, 1, 2, 3]})
    with pytest.raises(UsageError, match=r'det dar \(3 of 4\)'):
        precision.fixed_state(longer, lambda seeds: decide([manifest.folder / 'finetune']),
                              {'det': TARGET}, MAX_SEEDS)
    # Until the plans are fixed, the report says its verdicts are not the campaign's.
    assert report_options(manifest)[0] == ['--pending-first-stage', '0', '1', '2']
    assert main(['report', str(manifest.folder / 'finetune'),
                 '--pending-first-stage', '0', '1', '2']) == 0
    assert '**Interim: a precision campaign chooses these seeds, and the plans of a ' \
        'first stage (seeds 0-2) are not fixed yet' in capsys.readouterr().out
    # --write fixes the plans and every round's seeds, as the run would give them.
    assert main(['campaign', 'plan', str(path), '--write']) == 0
    state = json.loads((tmp_path / 'camp' / 'precision.json').read_text())
    expected = expected_seeds()
    assert {v: len(s) for v, s in state['seeds'].items()} == expected
    assert {p['variant']: p['seeds'] for p in state['plans']} == \
        {v: expected[v] for v in VARIANTS[1:]}
    _, statuses = engine.current(precision.applied(load_manifest(path)))
    assert f"finetune.baseline.s{expected['baseline'] - 1}.det.f{expected['baseline'] - 1}" \
        in statuses
    # ... and from then on the report takes Stein's intervals; they stay interim while the
    # seeds the plans fixed are still to run.
    options, folder = report_options(load_manifest(path))
    assert options == ['--precision', str(folder / 'precision.json')]

    def reported() -> dict:
        capsys.readouterr()
        assert main(['report', str(folder / 'finetune'), '--format', 'json', *options]) == 0
        return json.loads(capsys.readouterr().out)['decision']

    decision = reported()
    assert {c['method'] for c in decision['comparisons'] if c['task'] == 'det'} == {'stein'}
    assert decision['interim'].startswith("Interim: the precision campaign's plans are fixed")
    assert f"3 of {expected['dar']} for dar" in decision['interim']
    with pytest.raises(SystemExit):
        main(['campaign', 'plan', str(path), '--write'])
    assert 'they are fixed once' in capsys.readouterr().err
    # A variant added later (InfoBatch after DaR and random) gets its plan once its own
    # first stage has run, from those seeds' runs alone, within its own seed budget (5,
    # below the campaign's 7, which its SD would have used up); the earlier plans stay.
    joined = write_manifest(tmp_path, (*VARIANTS, 'infobatch'), caps={'infobatch': 5})
    assert report_options(load_manifest(joined))[0] == [
        '--precision', str(folder / 'precision.json'), '--pending-first-stage', '0', '1', '2',
        '--pending-variants', 'infobatch']
    with pytest.raises(SystemExit):
        main(['campaign', 'plan', str(joined), '--write'])
    assert 'det infobatch (0 of 3)' in capsys.readouterr().err
    # the added rounds run first, so the later seeds exist and must not count
    engine.run(precision.applied(load_manifest(path)), python=FAKE, variants=list(VARIANTS))
    decision = reported()  # every planned seed in: the verdicts are the campaign's
    assert decision['interim'] is None
    assert {c['n'] for c in decision['comparisons'] if c['variant'] == 'dar'} == \
        {expected['dar']}
    engine.run(load_manifest(joined), python=FAKE, variants=['infobatch'])
    # only the joiner's comparisons are interim; the finished plans' verdicts are final
    capsys.readouterr()
    assert main(['report', str(folder / 'finetune'), '--format', 'json',
                 *report_options(load_manifest(joined))[0]]) == 0
    interim = json.loads(capsys.readouterr().out)['decision']['interim']
    assert 'are not fixed yet for infobatch.' in interim and 'dar' not in interim
    capsys.readouterr()  # the manifest names the joiner, not the scratch row's variant
    assert main(['report', str(folder / 'finetune'), '--format', 'json',
                 *report_options(load_manifest(joined))[0][:-1], 'nobody']) == 0
    assert json.loads(capsys.readouterr().out)['decision']['interim'] is None
    assert main(['campaign', 'plan', str(joined), '--write']) == 0
    assert report_options(load_manifest(joined))[0] == options
    after = json.loads((tmp_path / 'camp' / 'precision.json').read_text())
    assert after['plans'][:-1] == state['plans']
    added = after['plans'][-1]
    table = {v: {s: box_ap(v, s, 'det') for s in (0, 1, 2)} for v in (*VARIANTS, 'infobatch')}
    sd, df = block_sd(table)
    assert (added['variant'], added['n0'], added['df']) == ('infobatch', 3, df)
    assert added['sd'] == pytest.approx(sd)
    every_seed = decide([tmp_path / 'camp' / 'finetune'])
    assert next(c for c in every_seed.comparisons if c.variant == 'infobatch').interval.sd \
        != pytest.approx(sd)  # what the plan would have been, had the later seeds counted
    assert stein_seeds(sd, df, 3, TARGET, MAX_SEEDS).seeds > 5
    assert (added['seeds'], added['capped']) == (5, True)
    assert len(after['seeds']['infobatch']) == added['seeds']
    assert {v: after['seeds'][v] for v in VARIANTS[1:]} == \
        {v: state['seeds'][v] for v in VARIANTS[1:]}
    base, before = after['seeds']['baseline'], state['seeds']['baseline']
    assert base[:len(before)] == before and len(base) == max(len(before), added['seeds'])


def test_an_archive_holds_its_jobs_as_done_while_the_manifest_is_unchanged(
        tmp_path, monkeypatch):
    """Read through the manifest with folder=ARCHIVE, the archived jobs are done (their
    commands name another folder, which alone must not make them outdated); a changed
    config, or a run whose row is gone, still shows. Folders relative, as manifests
    write them (an absolute one is written into the fine-tuning configs)."""
    import shutil

    from helpers import load_benchmark

    monkeypatch.chdir(tmp_path)
    path = write_manifest(tmp_path)
    manifest = load_manifest(path, {'folder': 'camp'})
    engine.run(manifest, python=FAKE, variants=list(VARIANTS))
    for work_dir in (manifest.folder / 'pretrain').glob('*/seed*'):
        # the fake pretraining leaves no mmengine run; a real one gives the archive a row
        vis = work_dir / '20260101_000000' / 'vis_data'
        vis.mkdir(parents=True)
        (vis / 'config.py').write_text(
            "model = dict(type='ImageClassifier', arch='resnet18', num_classes=10)\n"
            f'randomness = dict(seed={work_dir.name[4:]})\n'
            'train_cfg = dict(by_epoch=True, max_epochs=1)\n')
        (vis / 'scalars.json').write_text('{"accuracy/top1": 70.0, "step": 1}\n')
    archive = Path('archive')
    assert load_benchmark('archive_campaign').main(
        [str(manifest.folder), str(archive), '--manifest', str(path)]) == 0
    shutil.rmtree(manifest.folder)  # the archive alone: no summary, no weights

    def states(**options) -> dict[str, tuple[str, str]]:
        _, statuses = engine.current(load_manifest(path, {'folder': str(archive), **options}))
        return {k: (s.state, s.reason) for k, s in statuses.items() if s.job.stage != 'report'}

    assert set(states().values()) == {('done', 'archived (runs.jsonl)')}
    assert len(states()) == 3 * 3 * 3  # pretraining, export, det fine-tuning per seed
    other = tmp_path / 'other.py'
    other.write_text(Path(PRETRAIN).read_text() + '# edited\n')
    edited = states(**{'variants.1.config': str(other)})
    assert edited['pretrain.dar.s0'][0] == 'outdated'
    assert edited['finetune.dar.s0.det.f0'][0] != 'done'
    assert edited['finetune.random.s0.det.f0'][0] == 'done'
    rows = (archive / 'runs.jsonl').read_text().splitlines()
    (archive / 'runs.jsonl').write_text(''.join(
        row + '\n' for row in rows if '"finetune.dar.s2.det.f2"' not in row))
    assert states()['finetune.dar.s2.det.f2'][0] == 'rerun'


def test_a_variants_own_seed_budget_is_checked_and_caps_the_campaigns(tmp_path):
    manifest = load_manifest(write_manifest(tmp_path, caps={'dar': 4}))
    assert [manifest.seed_cap(v, MAX_SEEDS) for v in VARIANTS] == [7, 4, 7]
    assert manifest.seed_cap('dar', 3) == 3 and manifest.seed_cap('dar', None) == 4
    for bad in (2, 1.5, True):  # below its 3 first-stage seeds, not an integer
        with pytest.raises(ValueError, match=r'variants\[1\]\.max_seeds: must be an '
                                             r'integer >= 2 and at least .* \(3\)'):
            load_manifest(write_manifest(tmp_path, caps={'dar': bad}))


def test_changing_targets_after_the_first_stage_is_refused(tmp_path):
    path = write_manifest(tmp_path)
    manifest = load_manifest(path)
    precision.write_state(manifest, {'targets': {'det': 0.5}, 'max_seeds': 7,
                                     'seeds': {}, 'plans': [{'variant': 'dar'}]})
    with pytest.raises(UsageError, match='let the data choose the rule'):
        precision.run_until_precision(manifest, {'det': 1.2}, 7, None, None, print)
    with pytest.raises(UsageError, match='needs a budget'):
        precision.check_targets(manifest, {'det': 1.0}, None)


def test_a_broken_state_file_is_named_before_any_job_is_built(tmp_path):
    manifest = load_manifest(write_manifest(tmp_path))
    precision.write_state(manifest, {'seeds': {}, 'plans': [{'task': 'det'}]})
    with pytest.raises(UsageError, match='precision.json: its plans entry'):
        report_options(manifest)
    precision.state_path(manifest).write_text('{"seeds": ')
    with pytest.raises(UsageError, match='not valid JSON.*restore it from git'):
        report_options(manifest)
