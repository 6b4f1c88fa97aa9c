# How noisy is each candidate fine-tuning protocol? (the quiet-protocol issue)
# Two fixed backbones, the seed-0 baseline and DaR of real_small_cpu.py (same configs,
# same options, so the same pretraining), and the seed-0 from-scratch control, each
# fine-tuned with four seeds under every candidate protocol (scratch with one: it only has
# to show that pretraining still helps). The figure of merit is the SD of the paired
# differences baseline - DaR over the fine-tuning seeds, per minute of fine-tuning; the
# pretraining effect (baseline - scratch) over that SD says whether the protocol still
# sees what a backbone transfers.
# Candidates are tasks that run an exported task under other options (export_task), each
# in its own folder, finetune/<candidate>/. job_order='finetune_seed' runs both
# backbones' fine-tunings of one seed before the next seed, so the pairs come early.
#   dar-transfer campaign run configs/campaigns/protocol_noise_cpu.py
# or some candidates only, e.g. --tasks det inst pose.
# Summarise with
#   python benchmarks/protocol_noise.py configs/campaigns/protocol_noise_cpu.py
# Archived in two parts (benchmarks/README.md, section 10): results/protocol_noise_cpu,
# the frozen candidates and seg on the first DaR backbone; results/protocol_noise_cpu_full,
# the full fine-tuning candidates, run in a fresh folder on another machine, where the
# baseline pretraining reproduced bit for bit and DaR's, pretrained again without the
# first one's interruption, gave another backbone.
_base_ = ['./real_small_cpu.py']
folder = 'work_dirs/campaigns/protocol_noise_cpu'
_config = 'configs/pretrain/imagenette/resnet18_1xb64-14e_imagenette-64px{}.py'
variants = [
    dict(name='baseline', config=_config.format(''), seeds=[0], depth=18),
    dict(name='dar', config=_config.format('_dar'), seeds=[0], depth=18),
    dict(name='scratch', config=None, seeds=[0], depth=18, finetune_seeds=[0]),
]
finetune_seeds = [0, 1, 2, 3]
job_order = 'finetune_seed'
noise_floor = None
probes = None
report = dict(formats=['md', 'json'], plots=False)
# The backbone and its batch norm frozen, heads trained: the cpu-frozen candidate. The
# R-CNNs diverged at the full fine-tuning's lr of 0.01 (NaN loss in the second epoch);
# with gradients clipped at mmdet's usual 35 they no longer did, but learned nothing
# (box AP 1.1); at lr 0.002 and clipped, box AP 23.2 (one run, DaR backbone, seed 0).
_frozen = {'model.backbone.frozen_stages': 4, 'model.backbone.norm_eval': True}
_frozen_rcnn = {**_frozen, 'optim_wrapper.optimizer.lr': 0.002,
                'optim_wrapper.clip_grad.max_norm': 35, 'optim_wrapper.clip_grad.norm_type': 2}
_overlay = 'configs/campaigns/protocol_noise/{}.py'


def _pose_epochs(epochs, step, every=None):
    """cfg_options for a pose schedule of ``epochs`` with its lr step at ``step``; tested
    at the end, or every ``every`` epochs as well."""
    return {'train_cfg.max_epochs': epochs, 'param_scheduler.1.end': epochs,
            'param_scheduler.1.milestones': [step], 'default_hooks.checkpoint.interval': epochs,
            'train_cfg.val_interval': every or epochs,
            'train_cfg.val_begin': every or epochs + 1}


tasks = [
    # the cpu preset as it is: batch norm trained on batches of four 128-px crops
    dict(name='seg'),
    dict(name='seg_frozen', export_task='seg', cfg_options=_frozen),
    dict(name='det_frozen', export_task='det', cfg_options=_frozen_rcnn),
    dict(name='inst_frozen', export_task='inst', cfg_options=_frozen_rcnn),
    dict(name='pose_frozen', export_task='pose', cfg_options=_frozen),
    # the backbone's batch-norm statistics frozen at their pretrained values, as mmdet's
    # ResNets fine-tune (norm_eval=True); the rest of the backbone trains
    dict(name='seg_bn_frozen', export_task='seg',
         cfg_options={'model.backbone.norm_eval': True}),
    # full fine-tuning as the cpu preset does it, the reference of the candidates below
    dict(name='det'),
    dict(name='inst'),
    dict(name='pose'),
    # det and inst tested on half of Penn-Fudan (65 images) instead of 39
    dict(name='det_val50', export_task='det', overlay=_overlay.format('pennfudan_val50')),
    dict(name='inst_val50', export_task='inst', overlay=_overlay.format('pennfudan_val50')),
    # det and inst tested with an EMA of the weights
    dict(name='det_ema', export_task='det', overlay=_overlay.format('ema')),
    dict(name='inst_ema', export_task='inst', overlay=_overlay.format('ema')),
    # pose trained 10 epochs instead of 7 (1.4x the minutes), the lr step at epoch 9
    dict(name='pose_e10', export_task='pose', cfg_options=_pose_epochs(10, 9)),
    # how far pose is from converged: one long run per backbone, tested every 4 epochs
    dict(name='pose_e28', export_task='pose', cfg_options=_pose_epochs(28, 24, every=4),
         finetune_seeds=[0]),
]
