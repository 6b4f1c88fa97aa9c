"""Tiny COCO (instances, person keypoints) and Cityscapes sets in their exact layouts.

Objects are flat-coloured squares and disks on textured backgrounds (detection and
instance masks with polygon outlines), people are stick figures with the 17 COCO
joints, and street scenes have road, sidewalk, buildings, sky and cars, so the
downstream metrics move above chance within a few epochs.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..utils.provenance import mark_generated

COCO_KEYPOINTS = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder',
                  'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
                  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                  'right_ankle']
COCO_SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7],
                 [6, 8], [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5],
                 [4, 6], [5, 7]]
SHAPE_CLASSES = ('square', 'disk')


def _background(rng: np.random.Generator, size: int) -> Image.Image:
    noise = rng.normal(110, 25, (size, size, 3))
    return Image.fromarray(np.clip(noise, 0, 255).astype(np.uint8))


def _write_json(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))


def _write_coco(root: Path, images: dict, annotation_name: str, categories: list[dict],
                draw, size: int, rng: np.random.Generator) -> Path:
    """Images and one COCO annotation file per split; ``draw(image, rng)`` paints an
    image and returns its annotations (without ids)."""
    annotation_id = 1
    for split, count in images.items():
        folder = root / f'{split}2017'
        folder.mkdir(parents=True, exist_ok=True)
        records, annotations = [], []
        for image_id in range(1, count + 1):
            image = _background(rng, size)
            for annotation in draw(image, rng):
                annotations.append({'id': annotation_id, 'image_id': image_id, **annotation})
                annotation_id += 1
            name = f'{image_id:012d}.jpg'
            image.save(folder / name, quality=92)
            records.append({'id': image_id, 'file_name': name, 'width': size, 'height': size})
        _write_json(root / 'annotations' / f'{annotation_name}_{split}2017.json',
                    {'images': records, 'annotations': annotations, 'categories': categories})
    mark_generated(root, generator=f'COCO {annotation_name}')
    return root


def _draw_shapes(image: Image.Image, rng: np.random.Generator) -> list[dict]:
    size = image.size[0]
    draw = ImageDraw.Draw(image)
    annotations = []
    for _ in range(int(rng.integers(1, 4))):
        label = int(rng.integers(0, 2))
        side = int(rng.integers(size // 5, size // 2.5))
        x, y = (int(v) for v in rng.integers(0, size - side, 2))
        colour = (230, 60, 50) if label == 0 else (50, 90, 230)
        if label == 0:
            draw.rectangle([x, y, x + side - 1, y + side - 1], fill=colour)
            polygon = [x, y, x + side, y, x + side, y + side, x, y + side]
            area = side * side
        else:
            draw.ellipse([x, y, x + side - 1, y + side - 1], fill=colour)
            angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
            radius, cx, cy = side / 2, x + side / 2, y + side / 2
            polygon = [round(float(v), 1) for a in angles
                       for v in (cx + radius * np.cos(a), cy + radius * np.sin(a))]
            area = float(np.pi * radius ** 2)
        annotations.append({'category_id': label + 1, 'bbox': [x, y, side, side],
                            'area': area, 'segmentation': [polygon], 'iscrowd': 0})
    return annotations


def write_coco_instances(root: str | Path, *, images: dict | None = None, size: int = 128,
                         seed: int = 0) -> Path:
    """``root/{train,val}2017/*.jpg`` and ``annotations/instances_{split}2017.json``."""
    categories = [{'id': i + 1, 'name': n} for i, n in enumerate(SHAPE_CLASSES)]
    return _write_coco(Path(root), images or {'train': 8, 'val': 4}, 'instances', categories,
                       _draw_shapes, size, np.random.default_rng(seed))


def _stick_figure(rng: np.random.Generator, size: int) -> np.ndarray:
    """17 (x, y) joints of a standing figure, jittered."""
    cx, top, height = size / 2 + rng.uniform(-8, 8), size * 0.12, size * 0.75
    unit = height / 8
    joints = np.array([
        [0, 0.5], [-0.25, 0.35], [0.25, 0.35], [-0.5, 0.5], [0.5, 0.5],    # face
        [-1.0, 1.6], [1.0, 1.6], [-1.4, 2.8], [1.4, 2.8], [-1.6, 3.9], [1.6, 3.9],  # arms
        [-0.6, 4.2], [0.6, 4.2], [-0.7, 5.8], [0.7, 5.8], [-0.8, 7.4], [0.8, 7.4],  # legs
    ])
    joints = joints + rng.normal(0, 0.08, joints.shape)
    return np.stack([cx + joints[:, 0] * unit, top + joints[:, 1] * unit], axis=1)


def _draw_person(image: Image.Image, rng: np.random.Generator) -> list[dict]:
    draw = ImageDraw.Draw(image)
    joints = _stick_figure(rng, image.size[0])
    for a, b in COCO_SKELETON:
        draw.line([tuple(joints[a - 1]), tuple(joints[b - 1])], fill=(240, 220, 40), width=3)
    for x, y in joints:
        draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=(255, 255, 255))
    x0, y0 = joints.min(axis=0) - 6
    x1, y1 = joints.max(axis=0) + 6
    bbox = [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]
    keypoints = [v for x, y in joints for v in (round(float(x), 1), round(float(y), 1), 2)]
    return [{'category_id': 1, 'bbox': bbox, 'area': bbox[2] * bbox[3], 'iscrowd': 0,
             'num_keypoints': 17, 'keypoints': keypoints,
             'segmentation': [[float(v) for v in (x0, y0, x1, y0, x1, y1, x0, y1)]]}]


def write_coco_keypoints(root: str | Path, *, images: dict | None = None, size: int = 128,
                         seed: int = 0) -> Path:
    """``root/{train,val}2017/*.jpg`` and ``annotations/person_keypoints_{split}2017.json``."""
    categories = [{'id': 1, 'name': 'person', 'supercategory': 'person',
                   'keypoints': COCO_KEYPOINTS, 'skeleton': COCO_SKELETON}]
    return _write_coco(Path(root), images or {'train': 8, 'val': 4}, 'person_keypoints',
                       categories, _draw_person, size, np.random.default_rng(seed))


# Cityscapes trainIds drawn in the toy scenes.
ROAD, SIDEWALK, BUILDING, VEGETATION, SKY, CAR = 0, 1, 2, 8, 10, 13
TRAIN_ID_COLOURS = {ROAD: (128, 64, 128), SIDEWALK: (244, 35, 232), BUILDING: (70, 70, 70),
                    VEGETATION: (107, 142, 35), SKY: (70, 130, 180), CAR: (0, 0, 142)}


def write_cityscapes(root: str | Path, *, images: dict | None = None, size: tuple = (128, 64),
                     seed: int = 0) -> Path:
    """``leftImg8bit/{split}/<city>/*_leftImg8bit.png`` and
    ``gtFine/{split}/<city>/*_gtFine_labelTrainIds.png`` (255 = ignore)."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    width, height = size
    for split, count in (images or {'train': 6, 'val': 3}).items():
        city = 'toycity' if split == 'train' else 'toyval'
        image_dir = root / 'leftImg8bit' / split / city
        label_dir = root / 'gtFine' / split / city
        image_dir.mkdir(parents=True, exist_ok=True)
        label_dir.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            labels = np.full((height, width), SKY, dtype=np.uint8)
            horizon = int(height * rng.uniform(0.35, 0.5))
            labels[horizon:, :] = ROAD
            labels[horizon:horizon + height // 8, :] = SIDEWALK
            for _ in range(3):
                x0 = int(rng.integers(0, width - 20))
                w, h = int(rng.integers(12, 30)), int(rng.integers(horizon // 2, horizon + 1))
                labels[horizon - h:horizon, x0:x0 + w] = BUILDING
            x0 = int(rng.integers(0, width - 24))
            labels[horizon - 4:horizon + 4, x0:x0 + 10] = VEGETATION
            cx, cy = int(rng.integers(0, width - 30)), int(rng.integers(horizon + 6, height - 10))
            labels[cy:cy + 9, cx:cx + 24] = CAR
            labels[0, :] = 255  # an ignore row, as real annotations have unlabelled pixels
            colours = np.zeros((height, width, 3))
            for train_id, colour in TRAIN_ID_COLOURS.items():
                colours[labels == train_id] = colour
            image = np.clip(colours + rng.normal(0, 15, colours.shape), 0, 255).astype(np.uint8)
            stem = f'{city}_{index:06d}_000019'
            Image.fromarray(image).save(image_dir / f'{stem}_leftImg8bit.png')
            Image.fromarray(labels).save(label_dir / f'{stem}_gtFine_labelTrainIds.png')
    mark_generated(root, generator='write_cityscapes')
    return root
