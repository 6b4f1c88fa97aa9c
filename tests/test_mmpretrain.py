"""DaR in mmpretrain configs: the DaR heads, tiny real runs of our mmpretrain configs on
the CPU, export of their checkpoints, the report, and the error without the extra."""
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import torch

pytest.importorskip('mmpretrain')

import torch.nn.functional as F  # noqa: E402
from helpers import make_runner  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.logging import MessageHub  # noqa: E402
from mmengine.model import BaseModel  # noqa: E402
from mmengine.registry import HOOKS, MODELS, DefaultScope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402
from torch import nn  # noqa: E402

import dar_transfer.mmpretrain  # noqa: E402, F401  (registers the DaR heads)
from dar_transfer.cli import main  # noqa: E402
from dar_transfer.demo.classification_data import write_image_folder  # noqa: E402
from dar_transfer.export.downstream import TASKS  # noqa: E402
from dar_transfer.export.source import load_checkpoint_file  # noqa: E402
from dar_transfer.export.verify import build_backbone  # noqa: E402
from dar_transfer.mmpretrain.compat import MissingExtraError, require_mmpretrain  # noqa: E402
from dar_transfer.sampling import recorder  # noqa: E402
from dar_transfer.sampling.dar_log import DaRLog  # noqa: E402

ROOT = Path(__file__).parents[1]
CONFIGS = ROOT / 'configs' / 'pretrain' / 'mmpretrain'
N, CLASSES, EPOCHS = 16, 4, 3
TINY_SAMPLER = {'warmup_epochs': 0, 'interval': 1, 'keep_ratio': 0.5, 'active_epochs': None,
                'refresh_epochs': []}


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """Build heads in mmpretrain's scope: an earlier test in the same process may have
    left another default scope current, and mmengine's registries build in that one."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield


# -- the heads, without a runner ---------------------------------------------------------
def batch(num: int = 6, *, soft: bool = False, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    feats = (torch.randn(num, 8, generator=generator),)
    labels = torch.randint(0, CLASSES, (num,), generator=generator)
    samples = []
    for i in range(num):
        sample = DataSample(metainfo={'sample_idx': 10 + i}).set_gt_label(labels[i])
        if soft:  # what mmpretrain's Mixup leaves: a mixed one-hot score per row
            lam = 0.7
            score = lam * F.one_hot(labels[i], CLASSES) + (1 - lam) * F.one_hot(
                labels[(i + 1) % num], CLASSES)
            sample.set_gt_score(score.float())
        samples.append(sample)
    return feats, samples


def twin_heads(stock_type: str, **kwargs):
    stock = MMPRETRAIN_MODELS.build({'type': stock_type, **kwargs})
    dar = MMPRETRAIN_MODELS.build({'type': f'DaR{stock_type}', **kwargs})
    stock.init_weights()
    dar.load_state_dict(stock.state_dict())  # the same keys: checkpoints stay compatible
    return stock, dar


CE = {'type': 'CrossEntropyLoss', 'loss_weight': 1.0}
# (loss, soft targets): mmpretrain's own pairings; soft = mixup/cutmix's mixed scores.
LOSS_CASES = {
    'ce': (CE, False),
    'ce-loss-weight-0.5': ({**CE, 'loss_weight': 0.5}, False),
    'label-smooth': ({'type': 'LabelSmoothLoss', 'label_smooth_val': 0.1}, False),
    'focal': ({'type': 'FocalLoss'}, False),
    'mixup-soft-ce': ({**CE, 'use_soft': True}, True),
    'mixup-ce': (CE, True),
    'mixup-bce-sigmoid': ({**CE, 'use_sigmoid': True}, True),
}


@pytest.mark.parametrize('case', LOSS_CASES)
def test_dar_head_returns_mmpretrain_loss_and_gradients(case):
    config, soft = LOSS_CASES[case]
    stock, dar = twin_heads('LinearClsHead', num_classes=CLASSES, in_channels=8, loss=config)
    feats, samples = batch(soft=soft)
    expected, got = stock.loss(feats, samples)['loss'], dar.loss(feats, samples)['loss']
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)
    expected.backward()
    got.backward()
    assert torch.allclose(dar.fc.weight.grad, stock.fc.weight.grad, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('stock_type, kwargs', [
    ('ClsHead', {}),
    ('StackedLinearClsHead', {'num_classes': CLASSES, 'in_channels': 8, 'mid_channels': [5]}),
    ('VisionTransformerClsHead', {'num_classes': CLASSES, 'in_channels': 8, 'hidden_dim': 5}),
])
def test_every_dar_head_matches_its_stock_head(stock_type, kwargs):
    stock, dar = twin_heads(stock_type, **kwargs)
    feats, samples = batch()
    if stock_type == 'ClsHead':  # its features are the logits
        feats = (feats[0][:, :CLASSES],)
    expected = stock.loss(feats, samples)['loss']
    assert dar.loss(feats, samples)['loss'].item() == pytest.approx(expected.item(), rel=1e-6)


def test_dar_head_records_unweighted_losses_and_returns_the_weighted_mean():
    hub = MessageHub.get_instance(f'mmpretrain-test-{uuid.uuid4().hex[:8]}')
    stock, dar = twin_heads('LinearClsHead', num_classes=CLASSES, in_channels=8,
                            loss={'type': 'CrossEntropyLoss', 'loss_weight': 1.0})
    feats, samples = batch(soft=True)
    rows = len(samples)
    per_sample = F.cross_entropy(stock(feats), torch.stack([s.gt_score for s in samples]),
                                 reduction='none').detach()
    weights = torch.linspace(0.5, 2.0, 32)
    loss_recorder = recorder.SampleLossRecorder(32)
    loss_recorder.set_weights(weights)
    recorder.activate(hub, loss_recorder)
    try:
        got = dar.loss(feats, samples)['loss']
    finally:
        recorder.activate(hub, None)
    indices = torch.arange(10, 10 + rows)
    assert torch.allclose(loss_recorder.sums[indices], per_sample, rtol=1e-5)
    assert loss_recorder.counts[indices].tolist() == [1] * rows
    assert loss_recorder.counts.sum() == rows and loss_recorder.weighted_calls == 1
    assert got.item() == pytest.approx((weights[indices] * per_sample).mean().item(), rel=1e-5)


def test_dar_head_training_accuracy_as_mmpretrains():
    stock, dar = twin_heads('LinearClsHead', num_classes=CLASSES, in_channels=8, cal_acc=True,
                            topk=(1, 2))
    feats, samples = batch()
    expected, got = stock.loss(feats, samples), dar.loss(feats, samples)
    assert set(got) == set(expected) == {'loss', 'accuracy_top-1', 'accuracy_top-2'}
    for key in ('accuracy_top-1', 'accuracy_top-2'):  # one value per threshold (None)
        assert [float(v) for v in got[key]] == [float(v) for v in expected[key]]
    with pytest.raises(ValueError, match='cal_acc=True needs hard labels.*cal_acc=False'):
        dar.loss(*batch(soft=True))


def test_dar_head_errors_name_what_is_wrong():
    _, dar = twin_heads('LinearClsHead', num_classes=CLASSES, in_channels=8)
    feats, samples = batch()
    samples[2] = DataSample().set_gt_label(1)
    with pytest.raises(ValueError, match=r"data_samples\[2\] has no sample_idx.*PackInputs"):
        dar.loss(feats, samples)

    class Reduced(nn.Module):
        def forward(self, cls_score, label, avg_factor=None):
            return F.cross_entropy(cls_score, label)

    with pytest.raises(TypeError, match='loss=Reduced.*reduction_override'):
        MMPRETRAIN_MODELS.build({'type': 'DaRLinearClsHead', 'num_classes': CLASSES,
                                 'in_channels': 8, 'loss': Reduced()})


# -- the extra: optional, and a clear error without it -----------------------------------
def test_missing_or_incompatible_mmpretrain_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, 'mmpretrain', None)  # what Python does when it is absent
    with pytest.raises(MissingExtraError, match=r'pip install -e \.\[mmpretrain\]'):
        require_mmpretrain()
    # Through a config's custom_imports, the message must survive mmengine's import step.
    monkeypatch.delitem(sys.modules, 'dar_transfer.mmpretrain')
    config = tmp_path / 'uses_extra.py'
    config.write_text("custom_imports = dict(imports=['dar_transfer.mmpretrain'])\n")
    with pytest.raises(MissingExtraError, match=r'mmpretrain>=1\.2\.0,<1\.3\.0.*'
                                                r'pip install -e \.\[mmpretrain\]'):
        Config.fromfile(config)
    old = type(sys)('mmpretrain')
    old.__version__ = '1.0.0'
    monkeypatch.setitem(sys.modules, 'mmpretrain', old)
    with pytest.raises(MissingExtraError, match=r'found mmpretrain 1\.0\.0.*\[mmpretrain\]'):
        require_mmpretrain()


def test_importing_dar_transfer_does_not_import_mmpretrain():
    code = ("import sys, dar_transfer\n"
            "assert 'mmpretrain' not in sys.modules, 'dar_transfer imported mmpretrain'\n"
            "import dar_transfer.mmpretrain\n"
            "assert 'mmpretrain' in sys.modules\n")
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]


# -- tiny real runs of configs/pretrain/mmpretrain ---------------------------------------
def write_tiny_config(path: Path, data: Path, *, variant: str = 'dar', sampler: dict | None = None,
                      model: dict | None = None, lr: float = 0.01, extra: str = '') -> Path:
    """Our ResNet-50 in1k config, shrunk: ResNet-18, 32 px ImageFolder data, 3 epochs.

    ``sampler`` is merged into the config's (default: a drop of half after each epoch),
    ``model`` into the shrunk model (one level deep); ``extra`` is appended as it is.
    """
    sampler = TINY_SAMPLER if sampler is None else sampler
    pipeline = [{'type': 'LoadImageFromFile'}, {'type': 'PackInputs'}]
    tiny_model = {'backbone': {'depth': 18},
                  'head': {'num_classes': CLASSES, 'in_channels': 512, 'topk': (1, )}}
    for key, value in (model or {}).items():
        tiny_model[key] = {**tiny_model.get(key, {}), **value}

    def loader(split: str) -> dict:
        return {'batch_size': 8, 'num_workers': 0, 'persistent_workers': False,
                'dataset': {'_delete_': True, 'type': 'CustomDataset', 'data_root': str(data),
                            'data_prefix': split, 'pipeline': pipeline}}

    path.write_text(f"""_base_ = [{str(CONFIGS / f'resnet50_8xb32_in1k_{variant}.py')!r}]
model = {tiny_model!r}
data_preprocessor = dict(num_classes={CLASSES})
train_dataloader = {dict(loader('train'), sampler=sampler)!r}
val_dataloader = {loader('val')!r}
val_evaluator = dict(topk=(1, ))
test_dataloader = None
test_cfg = None
test_evaluator = None
train_cfg = dict(max_epochs={EPOCHS})
param_scheduler = dict(milestones=[2])
optim_wrapper = dict(optimizer=dict(lr={lr}))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
randomness = dict(seed=0)
{extra}""")
    return path


def build_runner(config: Path, work_dir: Path) -> Runner:
    cfg = Config.fromfile(config)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'mmpretrain-test-{uuid.uuid4().hex[:8]}'
    return Runner.from_cfg(cfg)


@pytest.fixture(scope='module')
def data(tmp_path_factory) -> Path:
    return write_image_folder(tmp_path_factory.mktemp('mmpretrain-data') / 'imagefolder',
                              num_classes=CLASSES, per_class={'train': N // CLASSES, 'val': 2},
                              size=32)


@pytest.fixture(scope='module')
def dar_run(tmp_path_factory, data) -> Path:
    """Our DaR config, shrunk, trained through ``dar-transfer pretrain``."""
    root = tmp_path_factory.mktemp('mmpretrain-dar')
    config = write_tiny_config(root / 'tiny_dar.py', data)
    work_dir = root / 'work_dirs' / 'mmp-dar'
    assert main(['pretrain', str(config), '--work-dir', str(work_dir)]) == 0
    return work_dir


def test_our_configs_resolve_mmpretrains_and_add_dar(capsys):
    for variant, policy in (('dar', 'hardest'), ('random', 'random')):
        cfg = Config.fromfile(CONFIGS / f'resnet50_8xb32_in1k_{variant}.py')
        assert cfg.model.type == 'ImageClassifier' and cfg.model.backbone.depth == 50
        assert cfg.model.head.type == 'DaRLinearClsHead' and cfg.model.head.in_channels == 2048
        assert cfg.train_cfg.max_epochs == 100
        assert cfg.param_scheduler.milestones == [30, 60, 90]
        sampler = cfg.train_dataloader.sampler
        assert sampler.type == 'DaRSampler' and sampler.policy == policy
        assert sampler.refresh_epochs == [30, 60, 90]
        assert [h['type'] for h in cfg.custom_hooks][0] == 'DaRHook'
    # The keep ratio in the config is the planner's for 86% of this 100-epoch schedule.
    capsys.readouterr()
    assert main(['plan', '--num-samples', '1281167', '--epochs', '100', '--warmup', '10',
                 '--interval', '2', '--active', '10', '--refresh', '30', '60', '90',
                 '--keep', str(sampler.keep_ratio), '--json']) == 0
    assert json.loads(capsys.readouterr().out)['cost'] == pytest.approx(0.86, abs=5e-4)


@pytest.mark.slow
def test_tiny_mmpretrain_dar_run_writes_the_dar_log(dar_run):
    log = DaRLog.read(dar_run / 'dar_log.jsonl')
    assert [line['subset_size'] for line in log] == [16, 8, 4]
    assert [line['epoch'] for line in log] == [1, 2, 3]
    assert log[-1]['cost_so_far'] == pytest.approx(28 / 48)
    assert log[-1]['policy'] == 'hardest'
    summary = json.loads((dar_run / 'summary.json').read_text())
    assert summary['cost'] == pytest.approx(28 / 48) and summary['top1'] is not None
    state = load_checkpoint_file(dar_run / 'epoch_3.pth')
    assert state['state_dict']['head.fc.weight'].shape == (CLASSES, 512)  # ResNet-18, 4 classes
    assert state['dar']['sampler']['subset'].numel() == 2


@pytest.mark.slow
def test_mmpretrain_checkpoint_exports_and_builds_downstream(dar_run, tmp_path, capsys):
    capsys.readouterr()
    assert main(['export', str(dar_run / 'epoch_3.pth'), '--name', 'mmp18', '--out',
                 str(tmp_path / 'out'), '--json']) == 0
    result = json.loads(capsys.readouterr().out)
    meta = result['metadata']
    assert meta['source_kind'] == 'mmpretrain' and meta['depth'] == 18
    assert meta['variant'] == 'dar' and meta['pretrain_cost'] == pytest.approx(28 / 48)
    # Export builds each config's backbone with the real library and loads the weights.
    assert set(result['configs']) == set(TASKS) == {'det', 'inst', 'pose', 'seg'}
    saved = torch.load(result['checkpoint'], weights_only=True)['state_dict']
    trained = load_checkpoint_file(dar_run / 'epoch_3.pth')['state_dict']
    assert saved and all(torch.equal(v, trained[f'backbone.{k}']) for k, v in saved.items())
    for key, config in result['configs'].items():  # and again here, by the test itself
        backbone = build_backbone(TASKS[key], config)
        backbone.init_weights()  # loads init_cfg's Pretrained checkpoint: the exported file
        for name, tensor in backbone.state_dict().items():
            assert torch.equal(tensor, saved[name]), (key, name)
        assert backbone.depth == 18


@pytest.mark.slow
def test_report_shows_the_mmpretrain_run_with_its_cost(dar_run, capsys, monkeypatch):
    # Reading the run needs no mmpretrain: the report skips the config's custom_imports.
    monkeypatch.setitem(sys.modules, 'mmpretrain', None)
    monkeypatch.delitem(sys.modules, 'dar_transfer.mmpretrain')
    capsys.readouterr()
    assert main(['report', str(dar_run.parent), '--format', 'json']) == 0
    tables = {t['task']: t for t in json.loads(capsys.readouterr().out)['tables']}
    rows = tables['cls']['rows']
    assert [(r['backbone'], r['variant']) for r in rows] == [('resnet18', 'dar')]
    assert rows[0]['cost'] == pytest.approx(28 / 48)
    assert rows[0]['metrics']['top-1 err']['mean'] is not None


# -- the same subsets as our own pipeline, for the same fixed losses ---------------------
@MODELS.register_module(force=True)
class TableLossModel(BaseModel):
    """Our pipeline's side: each sample's loss is ``losses[sample_idx]``, recorded as our
    ImageClassifier records it."""

    def __init__(self, losses: list[float]) -> None:
        super().__init__()
        self.register_buffer('losses', torch.tensor(losses))
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        per_sample = self.losses[data_samples['sample_idx']] + 0 * self.weight
        per_sample = dar_transfer.weighted_sample_losses(data_samples['sample_idx'], per_sample)
        return {'loss': per_sample.mean()} if mode == 'loss' else per_sample


def per_sample_losses(runner: Runner) -> torch.Tensor:
    """Each training image's loss under the runner's (unchanged) model, one at a time."""
    from mmengine.dataset import pseudo_collate

    model, dataset = runner.model, runner.train_dataloader.dataset
    model.eval()
    losses = torch.empty(len(dataset))
    with torch.no_grad():
        for index in range(len(dataset)):
            data = model.data_preprocessor(pseudo_collate([dataset[index]]), False)
            logits = model(data['inputs'], data['data_samples'], mode='tensor')
            label = data['data_samples'][0].gt_label
            losses[index] = F.cross_entropy(logits, label)
    return losses


def subsets(work_dir: Path) -> list[list[int]]:
    return [sorted(load_checkpoint_file(work_dir / f'epoch_{e}.pth')['dar']['sampler']['subset']
                   .tolist()) for e in range(1, EPOCHS + 1)]


@pytest.mark.slow
def test_subsets_match_our_pipeline_for_the_same_losses(data, tmp_path):
    # lr 0 and frozen BN statistics: each image's loss is fixed, so both pipelines see the
    # same losses; a wide head spreads them far beyond float noise.
    model = {'backbone': {'norm_eval': True},
             'head': {'init_cfg': {'type': 'Normal', 'layer': 'Linear', 'std': 1.0}}}
    extra = 'optim_wrapper = dict(optimizer=dict(lr=0.0, weight_decay=0.0))\n'
    config = write_tiny_config(tmp_path / 'fixed.py', data, model=model, extra=extra)
    runner = build_runner(config, tmp_path / 'mmp')
    runner.train()
    assert runner.model.backbone.depth == 18 and runner.model.head.num_classes == CLASSES
    losses = per_sample_losses(runner)
    assert len(set(losses.tolist())) == N and losses.max() - losses.min() > 0.1
    ours = make_runner(tmp_path / 'ours', num_samples=N, max_epochs=EPOCHS, sampler=TINY_SAMPLER,
                       model={'type': 'TableLossModel', 'losses': losses.tolist()})
    ours.train()
    theirs_log = DaRLog.read(tmp_path / 'mmp' / 'dar_log.jsonl')
    ours_log = DaRLog.read(tmp_path / 'ours' / 'dar_log.jsonl')
    assert [x['subset_size'] for x in theirs_log] == [x['subset_size'] for x in ours_log]
    assert subsets(tmp_path / 'mmp') == subsets(tmp_path / 'ours')
    # And both are DaR's choice: the hardest half of all, then of that half.
    hardest = sorted(losses.argsort(descending=True)[:8].tolist())
    assert subsets(tmp_path / 'mmp')[0] == hardest
    assert subsets(tmp_path / 'mmp')[1] == sorted(
        sorted(hardest, key=lambda i: -losses[i])[:4])


# -- loss weights reach the loss, with mixup ---------------------------------------------
@HOOKS.register_module(force=True)
class LossWeightSpy(Hook):
    """Per training batch: the unweighted losses the head recorded, their weights, and
    the loss the optimiser stepped on."""

    priority = 'LOWEST'

    def __init__(self) -> None:
        self.before: torch.Tensor | None = None
        self.batches: list[dict] = []

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.before = runner.message_hub.get_info(recorder.HUB_KEY).sums.clone()

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        active = runner.message_hub.get_info(recorder.HUB_KEY)
        indices = [s.metainfo['sample_idx'] for s in data_batch['data_samples']]
        weights = (torch.ones(len(indices)) if active.weights is None
                   else active.weights[indices].clone())
        self.batches.append({'epoch': runner.epoch + 1, 'indices': indices,
                             'losses': (active.sums - self.before)[indices],
                             'weights': weights, 'loss': float(outputs['loss'])})


@pytest.mark.slow
def test_reweight_weights_reach_the_loss_with_mixup(data, tmp_path):
    model = {'train_cfg': {'augments': {'type': 'Mixup', 'alpha': 0.2}},
             'head': {'loss': {'type': 'CrossEntropyLoss', 'use_soft': True, 'loss_weight': 1.0}}}
    extra = "custom_hooks = [dict(type='DaRHook'), dict(type='LossWeightSpy')]\n"
    sampler = {'_delete_': True, 'type': 'DaRSampler', 'shuffle': True, 'policy': 'reweight'}
    config = write_tiny_config(tmp_path / 'reweight.py', data, sampler=sampler, model=model,
                               extra=extra)
    runner = build_runner(config, tmp_path / 'mmp')
    runner.train()
    assert runner.model.backbone.depth == 18 and runner.model.head.num_classes == CLASSES
    spy = next(h for h in runner.hooks if isinstance(h, LossWeightSpy))
    assert len(spy.batches) == EPOCHS * 2
    for seen in spy.batches:  # what the optimiser stepped on is the weighted mean
        assert seen['loss'] == pytest.approx((seen['weights'] * seen['losses']).mean().item(),
                                             rel=1e-5)
    for epoch in (2, 3):  # reweight: last epoch's loss, normalised to mean 1
        last = {i: loss for b in spy.batches if b['epoch'] == epoch - 1
                for i, loss in zip(b['indices'], b['losses'].tolist(), strict=True)}
        mean = sum(last.values()) / N
        weights = {i: w for b in spy.batches if b['epoch'] == epoch
                   for i, w in zip(b['indices'], b['weights'].tolist(), strict=True)}
        assert sorted(weights) == list(range(N))
        assert [weights[i] for i in range(N)] == pytest.approx(
            [last[i] / mean for i in range(N)], rel=1e-4)
        assert max(weights.values()) - min(weights.values()) > 1e-3
    assert all(set(b['weights'].tolist()) == {1.0} for b in spy.batches if b['epoch'] == 1)
    log = DaRLog.read(tmp_path / 'mmp' / 'dar_log.jsonl')
    assert [x['policy'] for x in log] == ['reweight'] * EPOCHS
