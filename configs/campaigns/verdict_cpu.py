# Settle the question (issue 32): does DaR at 83% of the baseline's pretraining cost lose
# transfer? ResNet-18 pretrained on Imagenette (64 px, 14 epochs) at the 100%-cost
# baseline, and DaR and random at cost 0.83, fine-tuned on the four real-small tasks with
# the cpu-v2 preset (section 10 of benchmarks/README.md chose it), seed-paired: each
# backbone fine-tuned once, with its pretraining seed. The from-scratch control runs once,
# to show that pretraining still helps under this protocol.
#
# Stein's two-stage rule (docs/guides/deciding.md): seeds 0-4 are the first stage; their
# pooled SD of paired differences fixes, once, how many seeds each comparison gets to
# reach the CI half-widths below, at most max_seeds. Never on whether an interval
# excludes 0. Why five first-stage seeds and not three: Stein's final interval keeps the
# first stage's degrees of freedom, (3 - 1) x (n0 - 1) pooled over DaR and random. At
# section 9's SDs det, inst and seg need more than 8 seeds whatever n0 is, so the
# campaign runs 8 either way, and its half-widths are t(df) x s1 / sqrt(8): 0.98 x s1 with
# n0 = 3 (4 df), 0.82 x s1 with n0 = 5 (8 df). Chosen before any pair had finished (the
# first round was running; only its scratch runs were in).
#   dar-transfer campaign run configs/campaigns/verdict_cpu.py --until-precision \
#       det=0.7 inst=0.7 seg=0.7 pose=0.35 --max-seeds 8
#   dar-transfer campaign report configs/campaigns/verdict_cpu.py
# On machines whose disks do not outlive a session, one seed round (the three variants'
# pretrainings and fine-tunings of one seed, on one machine, so that the pairs share it)
# per session, each archived into one archive with --merge:
#   dar-transfer campaign run configs/campaigns/verdict_cpu.py \
#       --cfg-options 'variants.1.seeds=[K]' 'variants.2.seeds=[K]' 'variants.3.seeds=[K]'
#   python benchmarks/archive_campaign.py work_dirs/campaigns/verdict_cpu \
#       benchmarks/results/verdict_cpu --manifest configs/campaigns/verdict_cpu.py --merge
#   dar-transfer campaign report configs/campaigns/verdict_cpu.py \
#       --cfg-options folder=benchmarks/results/verdict_cpu   # section 11 prints report.md
# (the first session without --merge), until the first stage (seeds 0-4) is in; then
#   dar-transfer campaign plan configs/campaigns/verdict_cpu.py \
#       --cfg-options folder=benchmarks/results/verdict_cpu --write
# fixes the rule's plans and seeds in the archive's precision.json, once, and the
# sessions go on with the seeds it lists.
# InfoBatch (prune_ratio recalibrated for Imagenette, 0.3289) and RS2 joined once the three
# above had their eight seeds: their own first stage is seeds 0-4, one round of both per
#   dar-transfer campaign run configs/campaigns/verdict_cpu.py \
#       --cfg-options 'variants.4.seeds=[K]' 'variants.5.seeds=[K]'
# (the other variants' jobs are done and kept), and `campaign plan --write` then adds their
# plans to precision.json from those seeds alone, leaving the earlier plans as they were.
# Their seed budget (their max_seeds) is their first stage, 5 seeds, and no more: fixed on
# 2026-12-07 at 06:54 UTC (commit 7d4dc7c), while seed 3's first job (InfoBatch's
# pretraining) ran and before any seed-3 result existed, because the machine-time
# budget (about 12 hours) was spent by the three variants above (13.4 hours), seed 3's
# round runs on a slower machine (a from-scratch det fine-tuning took 296 s there, 206 s
# on the Xeon), and seeds 0-2 and 3-4 run on two kinds of machine. Their verdicts are
# Stein's intervals at 5 seeds, the half-widths reached, whatever seeds 3 and 4 show.
_base_ = ['./real_small_cpu.py']
folder = 'work_dirs/campaigns/verdict_cpu'
_config = 'configs/pretrain/imagenette/resnet18_1xb64-14e_imagenette-64px{}.py'
variants = [
    dict(name='scratch', config=None, seeds=[0], depth=18),
    dict(name='baseline', config=_config.format(''), seeds=[0, 1, 2, 3, 4], depth=18),
    dict(name='dar', config=_config.format('_dar'), seeds=[0, 1, 2, 3, 4], depth=18),
    dict(name='random', config=_config.format('_random'), seeds=[0, 1, 2, 3, 4], depth=18),
    dict(name='infobatch', config=_config.format('_infobatch'), seeds=[0, 1, 2, 3, 4], depth=18,
         max_seeds=5),
    dict(name='rs2', config=_config.format('_rs2'), seeds=[0, 1, 2, 3, 4], depth=18,
         max_seeds=5),
]
export_options = dict(preset='cpu-v2', data_root='data/real-small')
# section 10 measured the protocol's noise; the probes are section 9's
noise_floor = None
probes = None
reference = 'baseline'
# benchmarks/README.md section 11 prints report.md as it is; no plots, so no image links
report = dict(formats=['md', 'json'], plots=False)
# the statistics issue's margins, stated before the results (the report's defaults too)
margins = dict(det=1.0, inst=1.0, seg=1.0, pose=0.5)
until_precision = dict(det=0.7, inst=0.7, seg=0.7, pose=0.35)
max_seeds = 8
