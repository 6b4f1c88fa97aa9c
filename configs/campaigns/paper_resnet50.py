# The paper's transfer table: ResNet-50 pretrained on ImageNet three ways (the 100%-cost
# baseline, DaR, and the random control at DaR's cost), 3 seeds each, fine-tuned on the
# four COCO / Cityscapes tasks that `dar-transfer export` writes, each backbone with its
# own seed (paired for the report), plus the noise floor (below). 9 pretrainings, 9
# exports, 44 fine-tunings (9 backbones x 4 tasks, and 2 more seeds x 4 tasks for the
# noise floor), 4 reports.
#   dar-transfer campaign run configs/campaigns/paper_resnet50.py --executor slurm
folder = 'work_dirs/campaigns/paper_resnet50'
variants = [
    dict(name='baseline', config='configs/pretrain/imagenet/resnet50_8xb32-120e_in1k.py',
         seeds=[0, 1, 2]),
    dict(name='dar', config='configs/pretrain/imagenet/resnet50_8xb32-120e_in1k_dar.py',
         seeds=[0, 1, 2]),
    dict(name='random', config='configs/pretrain/imagenet/resnet50_8xb32-120e_in1k_random.py',
         seeds=[0, 1, 2]),
]
suite = 'coco'  # export --suite: the task names below are the ones it writes
tasks = ['det', 'inst', 'pose', 'seg']
finetune_seeds = 'pretrain'  # each backbone fine-tuned with its pretraining seed
# The seed noise floor: one baseline backbone fine-tuned with two more seeds.
noise_floor = dict(variant='baseline', seed=0, finetune_seeds=[0, 10, 11])
pretrain_cfg_options = {'train_dataloader.dataset.data_root': 'data/imagenet',
                        'val_dataloader.dataset.data_root': 'data/imagenet'}
resources = dict(
    pretrain=dict(gpus=8, cpus=64, mem_gb=256, time_min=72 * 60, partition='gpu'),
    export=dict(gpus=0, cpus=4, mem_gb=16, time_min=30, partition='cpu'),
    finetune=dict(gpus=8, cpus=64, mem_gb=256, time_min=24 * 60, partition='gpu'),
    report=dict(gpus=0, cpus=2, mem_gb=8, time_min=30, partition='cpu'),
)
report = dict(formats=['md', 'html', 'json', 'latex'], plots=True)
