#!/usr/bin/env -S python3 -S
"""Stands in for the Python interpreter in the campaign's unit tests: called as
``fake -m dar_transfer.cli VERB ...``, it writes what the verb would (its summary and
the artifacts dependents read) in milliseconds. A config holding FAIL exits 1, like a
bad config; a fine-tuning writes a result the report reads (tests/fake_metric.py; with
FAKE_SLOW=S it takes a second for seeds >= S); a pretraining config holding DIE is SIGKILLed
after its first checkpoint unless resumed, and one holding SLEEP sleeps for 2 minutes with
a child process of its own. The real verbs run in tests/test_campaign_e2e.py."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

argv = sys.argv[3:]
verb = argv[0]


def value(flag):
    return argv[argv.index(flag) + 1]


print('fake', ' '.join(argv))
if verb == 'pretrain':
    work = Path(value('--work-dir'))
    work.mkdir(parents=True, exist_ok=True)
    (work / 'epoch_1.pth').write_text('weights')
    (work / 'last_checkpoint').write_text(str(work / 'epoch_1.pth'))
    if 'SLEEP' in Path(argv[1]).read_text() and '--resume' not in argv:
        import time

        child = subprocess.Popen(['sleep', '120'])  # a worker of the job's own
        (work / 'child.pid').write_text(str(child.pid))
        time.sleep(120)
    if 'DIE' in Path(argv[1]).read_text() and '--resume' not in argv:
        os.kill(os.getpid(), signal.SIGKILL)  # killed after its first checkpoint
    (work / 'summary.json').write_text(json.dumps({'argv': argv}))
elif verb == 'export':
    out, name = Path(value('--out')), value('--name')
    out.mkdir(parents=True, exist_ok=True)
    (out / f'{name}.pth').write_text('weights')
    for task in argv[argv.index('--tasks') + 1:]:
        (out / f'{name}_{task}.py').write_text('')
    (out / f'{name}.json').write_text('{}')
elif verb == 'finetune':
    if 'FAIL' in Path(argv[1]).read_text():
        sys.exit('error: a bad config')
    work = Path(value('--work-dir'))
    work.mkdir(parents=True, exist_ok=True)
    # A result the report reads: .../finetune/<task>/<variant>/seed<S>_ft<F>.
    from fake_metric import box_ap

    task, variant = work.parts[-3], work.parts[-2]
    seed, ft_seed = (int(x) for x in work.name[4:].split('_ft'))
    if os.environ.get('FAKE_SLOW') and seed >= int(os.environ['FAKE_SLOW']):
        import time

        time.sleep(1)
    stamp = work / '20260101_000000'
    (stamp / 'vis_data').mkdir(parents=True, exist_ok=True)
    (stamp / 'vis_data' / 'config.py').write_text(
        "default_scope = 'mmdet'\ntest_evaluator = dict(metric='bbox')\n"
        f"train_cfg = dict(max_epochs=1)\nrandomness = dict(seed={ft_seed})\n"
        f"dar_provenance = dict(depth=18, variant={variant!r}, pretrain_seed={seed}, "
        "pretrain_cost=0.83)\n")
    (stamp / '20260101_000000.json').write_text(
        json.dumps({'coco/bbox_mAP': box_ap(variant, seed, task) / 100}) + '\n')
    (work / 'finetune_summary.json').write_text('{}')
elif verb == 'probe':
    Path(value('--out')).parent.mkdir(parents=True, exist_ok=True)
    Path(value('--out')).write_text('{}')
elif verb == 'report':
    Path(value('--out')).parent.mkdir(parents=True, exist_ok=True)
    Path(value('--out')).write_text('report')
