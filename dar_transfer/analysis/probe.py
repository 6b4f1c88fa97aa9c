"""Transfer probes on frozen features: weighted kNN and a linear (logistic) classifier.

Both read the penultimate features that ``dar-transfer features`` extracts
(:func:`dar_transfer.analysis.features.extract_features`), so a probe measures the
representation the downstream libraries receive, without fine-tuning it. How they
differ from MMSelfSup's / VISSL's evaluations: the same maths, run on the CPU on
numpy arrays, with a bootstrap interval on the top-1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import UsageError
from ..report.stats import bootstrap_top1

METHODS = ('knn', 'linear')


@dataclass(frozen=True)
class ProbeScore:
    """Top-1 (%) on the probe's val split with its bootstrap interval."""

    method: str
    top1: float
    low: float
    high: float
    num_train: int
    num_val: int
    settings: dict

    def as_dict(self) -> dict:
        return {'method': self.method, 'top1': self.top1, 'ci95': [self.low, self.high],
                'num_train': self.num_train, 'num_val': self.num_val, **self.settings}


def _unit_rows(features: np.ndarray) -> torch.Tensor:
    tensor = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))
    return torch.nn.functional.normalize(tensor, dim=1)


def knn_predict(train: np.ndarray, train_labels: np.ndarray, val: np.ndarray, *,
                k: int = 20, temperature: float = 0.07, chunk: int = 1024) -> np.ndarray:
    """Weighted kNN on cosine similarity (Wu et al. 2018, "Unsupervised feature learning
    via non-parametric instance discrimination", §3.4; DINO's ``eval_knn.py``).

    Each of the k most similar training features votes for its class with weight
    exp(s / T), s the cosine similarity; the class with the largest sum wins. DINO's
    defaults are k = 20 and T = 0.07. Ties in the votes go to the lower class index.
    """
    if k < 1:
        raise UsageError(f'k must be >= 1, got {k}')
    if temperature <= 0:
        raise UsageError(f'temperature must be > 0, got {temperature}')
    bank, labels = _unit_rows(train), torch.from_numpy(np.asarray(train_labels, np.int64))
    num_classes = int(labels.max()) + 1
    k = min(k, len(bank))
    predictions = []
    for start in range(0, len(val), chunk):
        similarity = _unit_rows(val[start:start + chunk]) @ bank.T
        top, index = similarity.topk(k, dim=1)
        votes = torch.zeros(len(top), num_classes)
        votes.scatter_add_(1, labels[index], (top / temperature).exp())
        predictions.append(votes.argmax(dim=1))
    return torch.cat(predictions).numpy()


def linear_predict(train: np.ndarray, train_labels: np.ndarray, val: np.ndarray, *,
                   c: float = 1.0, max_iter: int = 1000, seed: int = 0) -> np.ndarray:
    """L2-regularised multinomial logistic regression on standardised frozen features.

    scikit-learn's ``LogisticRegression`` (lbfgs) with inverse regularisation ``c``;
    standardising first (statistics of the training features only) makes one ``c``
    fit features of any scale, as VISSL's and ELEVATER's linear probes also normalise.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if c <= 0:
        raise UsageError(f'c (inverse regularisation) must be > 0, got {c}')
    model = make_pipeline(StandardScaler(), LogisticRegression(
        C=c, max_iter=max_iter, random_state=seed))
    model.fit(train, train_labels)
    return model.predict(val)


def probe(method: str, train: np.ndarray, train_labels: np.ndarray, val: np.ndarray,
          val_labels: np.ndarray, *, k: int = 20, temperature: float = 0.07, c: float = 1.0,
          seed: int = 0) -> ProbeScore:
    """Fit ``method`` on the train features, score top-1 on the val features."""
    if method == 'knn':
        predicted = knn_predict(train, train_labels, val, k=k, temperature=temperature)
        settings = {'k': min(k, len(train)), 'temperature': temperature}
    elif method == 'linear':
        predicted = linear_predict(train, train_labels, val, c=c, seed=seed)
        settings = {'c': c}
    else:
        raise UsageError(f'method must be one of {", ".join(METHODS)}, got {method!r}')
    top1, low, high = bootstrap_top1(predicted == np.asarray(val_labels), seed=seed)
    return ProbeScore(method, top1, low, high, len(train), len(val), settings)


def per_class_subset(labels: np.ndarray, max_per_class: int | None, seed: int) -> np.ndarray:
    """Sorted indices of at most ``max_per_class`` images per class, seeded."""
    if max_per_class is None:
        return np.arange(len(labels))
    if max_per_class < 1:
        raise UsageError(f'--max-per-class must be >= 1, got {max_per_class}')
    rng = np.random.default_rng(seed)
    chosen = [rng.permutation(np.flatnonzero(labels == c))[:max_per_class]
              for c in np.unique(labels)]
    return np.sort(np.concatenate(chosen))


def holdout_split(labels: np.ndarray, fraction: float, seed: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(train, val) indices: a seeded share ``fraction`` of each class held out."""
    if not 0 < fraction < 1:
        raise UsageError(f'--val-fraction must be in (0, 1), got {fraction}')
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        cut = int(round(fraction * len(members)))
        if cut == 0 or cut == len(members):
            raise UsageError(f'--val-fraction {fraction} leaves class {c} ({len(members)} '
                             'images) with an empty train or val part; use more images '
                             'or another fraction')
        val.append(members[:cut])
        train.append(members[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))
