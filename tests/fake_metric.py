"""The box AP a fake fine-tuning reports (tests/campaign_fake_verb.py): a seed effect the
variants share plus each backbone's own normal noise, so paired differences have SD
√2 · NOISE and a precision campaign has something real to estimate."""
import random

NOISE = 1.0


def box_ap(variant: str, seed: int, task: str) -> float:
    shared = random.Random(f'seed {seed} {task}').gauss(0, 3.0)
    own = random.Random(f'{variant} {seed} {task}').gauss(0, NOISE)
    return 40.0 + shared + own
