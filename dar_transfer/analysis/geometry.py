"""How separated the classes are in a feature space: numbers and a t-SNE picture.

The DaR paper (Fig. 2) argues from t-SNE plots of penultimate CIFAR-10 features that
i.i.d. training separates the classes more than DaR does ("task over-fitting"). The
numbers here make that claim checkable without eyes, and are computed on all
features; only the t-SNE picture subsamples (t-SNE is quadratic in the points).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import UsageError


@dataclass(frozen=True)
class Geometry:
    """Class separation of one feature set.

    silhouette: mean silhouette coefficient, Euclidean, in [-1, 1] (scikit-learn).
    scatter_ratio: trace of the between-class scatter over trace of the within-class
        scatter, ``sum_c n_c |mu_c - mu|^2 / sum_i |x_i - mu_{y_i}|^2``.
    ncm_top1: nearest-class-mean top-1 in percent, each sample's own class mean taken
        without it (leave-one-out), so a sample is not classified by itself.
    """

    silhouette: float
    scatter_ratio: float
    ncm_top1: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _validate(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    if features.ndim != 2 or len(features) != len(labels):
        raise ValueError(f'features must be (N, D) with N = len(labels), got '
                         f'{features.shape} and {len(labels)} labels')
    classes = np.unique(labels)
    if len(classes) < 2:
        raise UsageError(f'the split has {len(classes)} class(es) (label '
                         f'{classes.tolist()}); silhouette, scatter ratio and nearest-class '
                         'mean compare classes, so at least 2 are needed')
    if len(classes) >= len(labels):
        raise UsageError(f'{len(labels)} images in {len(classes)} classes: the silhouette '
                         'score needs fewer classes than images')
    return classes


def scatter_ratio(features: np.ndarray, labels: np.ndarray) -> float:
    """tr(S_B) / tr(S_W) (Fisher's criterion with traces)."""
    x = features.astype(np.float64)
    overall = x.mean(axis=0)
    between = within = 0.0
    for label in np.unique(labels):
        members = x[labels == label]
        centre = members.mean(axis=0)
        between += len(members) * float(((centre - overall) ** 2).sum())
        within += float(((members - centre) ** 2).sum())
    return between / within if within > 0 else float('inf')


def ncm_top1(features: np.ndarray, labels: np.ndarray) -> float:
    """Leave-one-out nearest-class-mean top-1 (percent), Euclidean.

    Without sample i, its class mean moves to ``(n m - x_i) / (n - 1)``, so its squared
    distance from x_i is ``(n / (n - 1))^2 |x_i - m|^2``: exact and vectorised. A class
    with one sample cannot be predicted for that sample.
    """
    x = features.astype(np.float64)
    classes, index, counts = np.unique(labels, return_inverse=True, return_counts=True)
    means = np.stack([x[index == k].mean(axis=0) for k in range(len(classes))])
    dist = (x ** 2).sum(1)[:, None] - 2 * x @ means.T + (means ** 2).sum(1)[None, :]
    own = counts[index]
    rows = np.arange(len(x))
    factor = (own / np.maximum(own - 1, 1)) ** 2
    dist[rows, index] = np.where(own > 1, np.maximum(dist[rows, index], 0) * factor, np.inf)
    return 100.0 * float((dist.argmin(axis=1) == index).mean())


def geometry(features: np.ndarray, labels: np.ndarray) -> Geometry:
    """Silhouette, scatter ratio and NCM top-1 of all ``features``."""
    from sklearn.metrics import silhouette_score

    labels = np.asarray(labels)
    _validate(features, labels)
    return Geometry(silhouette=float(silhouette_score(features, labels, metric='euclidean')),
                    scatter_ratio=scatter_ratio(features, labels),
                    ncm_top1=ncm_top1(features, labels))


def tsne_subset(num: int, max_points: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of at most ``max_points`` of ``num`` points, from a local generator."""
    if num <= max_points:
        return np.arange(num)
    return np.sort(np.random.default_rng(seed).choice(num, size=max_points, replace=False))


def tsne_embedding(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """A 2-D t-SNE of ``features`` (scikit-learn, PCA initialisation).

    Runs scikit-learn's OpenMP gradient on one thread: on a 2-core machine shared with
    other work, its threads wait on each other at every iteration (measured: 2,000
    points 17-20 s on one thread, 48-65 s on two; 24 points 0.08 s against up to 27 s).
    """
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    perplexity = min(30.0, max(1.0, (len(features) - 1) / 3))
    with threadpool_limits(limits=1, user_api='openmp'):
        return TSNE(n_components=2, perplexity=perplexity, init='pca', learning_rate='auto',
                    random_state=seed).fit_transform(features.astype(np.float32))


def draw_tsne(panels: list[tuple[str, np.ndarray, np.ndarray, Geometry]], classes: list[str],
              path) -> None:
    """One PNG, a t-SNE panel per checkpoint side by side, points coloured by class."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.8), squeeze=False)
    cmap = plt.get_cmap('tab10' if len(classes) <= 10 else 'tab20' if len(classes) <= 20
                        else 'nipy_spectral')
    for ax, (name, points, labels, numbers) in zip(axes[0], panels, strict=True):
        ax.scatter(points[:, 0], points[:, 1], c=labels, cmap=cmap, s=4, linewidths=0,
                   vmin=0, vmax=max(len(classes) - 1, 1))
        ax.set_title(f'{name}\nsilhouette {numbers.silhouette:.3f}, scatter ratio '
                     f'{numbers.scatter_ratio:.2f}, NCM {numbers.ncm_top1:.1f}%', fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    if len(classes) <= 20:
        handles = [plt.Line2D([], [], marker='o', linestyle='', markersize=5,
                              color=cmap(k / max(len(classes) - 1, 1)), label=name)
                   for k, name in enumerate(classes)]
        axes[0][-1].legend(handles=handles, fontsize=7, loc='center left',
                           bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
