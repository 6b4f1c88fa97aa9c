# The demo (`dar-transfer demo`, `make demo`) as a campaign: a ResNet-18 pretrained on the
# generated ImageNet-layout set three ways (the 100%-cost baseline, DaR, and the random
# control at DaR's cost; configs/demo/), exported, fine-tuned on the generated COCO and
# Cityscapes sets (Faster R-CNN, Mask R-CNN, SimpleBaseline, PSPNet at toy sizes), and
# the report. It is the demo's template, not run by hand: `dar-transfer demo --out OUT`
# generates the data in OUT/data and the toy layers in OUT/overlays/ (demo/toy_configs.py),
# adds the data roots and, with --quick, smaller sizes to each variant's cfg_options,
# writes the result to OUT/manifest.py and runs that with the local executor.
# `dar-transfer campaign status OUT/manifest.py` shows its jobs afterwards.
folder = 'work_dirs/demo'
_toy = '{{ fileDirname }}/../demo/resnet18_pretrain_toy{}.py'
variants = [
    dict(name='baseline', config=_toy.format(''), seeds=[0], depth=18),
    dict(name='dar', config=_toy.format('_dar'), seeds=[0], depth=18),
    dict(name='random', config=_toy.format('_random'), seeds=[0], depth=18),
]
tasks = [dict(name='det', overlay='{folder}/overlays/det.py'),
         dict(name='inst', overlay='{folder}/overlays/inst.py'),
         dict(name='pose', overlay='{folder}/overlays/pose.py'),
         dict(name='seg', overlay='{folder}/overlays/seg.py')]
finetune_seeds = 'pretrain'
# The libraries' warnings only: the logs stay short, the COCO tables are still printed.
pretrain_cfg_options = {'log_level': 'WARNING'}
finetune_cfg_options = {'log_level': 'WARNING'}
report = dict(formats=['md', 'html', 'json'], plots=True)
