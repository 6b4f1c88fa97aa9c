# The first real transfer result (issue 22): ResNet-18 pretrained on Imagenette (cpu
# preset: 64 px, 14 epochs) at the 100%-cost baseline, and DaR, random, InfoBatch and RS2
# at cost 0.83, 3 seeds each, fine-tuned on the four real-small tasks (Penn-Fudan det and
# inst, LSPET pose, CamVid seg) with the fine-tuning seed equal to the pretraining seed,
# plus the noise floor and a from-scratch row (random initialisation, `export --random-init`).
# The local executor takes every variant's first seed, then the second ones, and finishes a
# backbone's fine-tunings before the next pretraining. Run the first priority (from
# scratch, baseline, DaR, random) with --variants scratch baseline dar random.
#   dar-transfer data pennfudan PennFudanPed --out data/real-small/pennfudan  (and camvid,
#   lspet), Imagenette unpacked in data/imagenette-112, CIFAR-10 in data/cifar10, then
#   dar-transfer campaign run configs/campaigns/real_small_cpu.py
folder = 'work_dirs/campaigns/real_small_cpu'
_config = 'configs/pretrain/imagenette/resnet18_1xb64-14e_imagenette-64px{}.py'
variants = [
    dict(name='scratch', config=None, seeds=[0, 1, 2], depth=18),
    dict(name='baseline', config=_config.format(''), seeds=[0, 1, 2], depth=18),
    dict(name='dar', config=_config.format('_dar'), seeds=[0, 1, 2], depth=18),
    dict(name='random', config=_config.format('_random'), seeds=[0, 1, 2], depth=18),
    dict(name='infobatch', config=_config.format('_infobatch'), seeds=[0, 1, 2], depth=18),
    dict(name='rs2', config=_config.format('_rs2'), seeds=[0, 1, 2], depth=18),
]
suite = 'real-small'
export_options = dict(preset='cpu', data_root='data/real-small')
tasks = ['det', 'inst', 'pose', 'seg']
finetune_seeds = 'pretrain'
noise_floor = dict(variant='baseline', seed=0, finetune_seeds=[0, 1, 2])
pretrain_cfg_options = {'train_dataloader.dataset.data_root': 'data/imagenette-112',
                        'val_dataloader.dataset.data_root': 'data/imagenette-112'}
resources = dict(
    pretrain=dict(cpus=2, mem_gb=8, time_min=60),
    export=dict(cpus=1, mem_gb=4, time_min=10),
    finetune=dict(cpus=2, mem_gb=8, time_min=20),
    probe=dict(cpus=2, mem_gb=8, time_min=20),
    report=dict(cpus=1, mem_gb=4, time_min=10),
)
# kNN and linear probes of every pretrained backbone: in domain (all of Imagenette, at the
# pretraining's 64 px) and out of domain (CIFAR-10's JPEG train pack in data/cifar10, a
# seeded 20% held out, 500 images a class of each split).
probes = [
    dict(name='imagenette', data='data/imagenette-112', image_size=64),
    dict(name='cifar10', data='data/cifar10', val_fraction=0.2, max_per_class=500),
]
report = dict(formats=['md', 'html', 'json'], plots=True)
