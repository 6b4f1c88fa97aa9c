"""Throughput of the ImageNet training pipeline per data-loader worker (one CPU core).

Decoding and augmenting happen in loader workers, one core each; a GPU trains at
whatever rate the workers feed it. This measures images/s of one worker on
ImageNet-sized JPEGs (500x375, quality 90, the median ImageNet size) through the
shipped train pipeline (LoadImageFromFile, RandomResizedCrop 224, RandomFlip,
PackClassificationInputs), so a reader can size num_workers against their GPU's
training rate. The CIFAR pipeline decodes once into memory and augments batched in
the model's preprocessor, so it has no per-image cost to measure.

Usage: python benchmarks/bench_data_loading.py [--images 300]
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DATASETS
from PIL import Image

import dar_transfer  # noqa: F401  (registers the data set and transforms)

REPO = Path(__file__).resolve().parents[1]


def write_jpegs(root: Path, count: int) -> None:
    rng = np.random.default_rng(0)
    folder = root / 'train' / 'n00000000'
    folder.mkdir(parents=True)
    y, x = np.mgrid[0:375, 0:500]
    for i in range(count):
        # Smooth structure plus noise compresses like a photograph, unlike pure noise.
        base = 128 + 80 * np.sin(x / (20 + i % 7) + i) * np.cos(y / (15 + i % 5))
        image = base[..., None] + rng.normal(0, 12, (375, 500, 3))
        Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(
            folder / f'{i}.JPEG', quality=90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--images', type=int, default=300)
    parser.add_argument('--out', default=str(REPO / 'benchmarks/results/data_loading.json'))
    args = parser.parse_args()
    cv2.setNumThreads(0)  # as mmengine sets it in loader workers (env_cfg.mp_cfg)
    torch.set_num_threads(1)
    cfg = Config.fromfile(REPO / 'configs/pretrain/_base_/datasets/imagenet_bs32.py')
    with tempfile.TemporaryDirectory() as tmp:
        write_jpegs(Path(tmp), args.images)
        files = list(Path(tmp).rglob('*.JPEG'))
        kilobytes = sum(f.stat().st_size for f in files) / len(files) / 1024
        dataset = DATASETS.build({**cfg.train_dataloader.dataset, 'data_root': tmp})
        dataset[0]  # warm-up
        start = time.perf_counter()
        for idx in range(len(dataset)):
            dataset[idx]
        seconds = time.perf_counter() - start
    rate = args.images / seconds
    print(f'ImageNet train pipeline on 500x375 JPEGs of {kilobytes:.0f} KiB: {rate:.0f} '
          f'images/s per worker (one core), {8 * rate:.0f} images/s with 8 workers per GPU')
    result = {'images': args.images, 'seconds': seconds, 'images_per_second_per_worker': rate,
              'image_size': '500x375 JPEG q90', 'mean_file_kib': kilobytes}
    Path(args.out).write_text(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
