"""``TorsoPCKAccuracy``: PCK normalised by the torso of LSP's 14 joints, for mmpose.

mmpose's ``PCKAccuracy(norm_item='torso')`` measures the torso between joints 4 and 5
(JHMDB's order: in COCO's 17 and LSP's 14 those are ears or a hip and a knee), so on
LSP it would normalise by the wrong distance. LSP's PCK (Johnson and Everingham's
evaluation, as DeepPose and later papers report PCK@0.2) normalises by the torso
diameter, the distance from the left shoulder to the right hip. This metric takes that
diagonal and, where one of its joints is unlabelled, the other one (right shoulder to
left hip); a person with neither diagonal labelled is left out and counted in the log.
It reports ``tPCK`` (and ``PCK``, normalised by the box, when asked) under mmpose's keys.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from mmengine.logging import MMLogger
from mmpose.evaluation.functional import keypoint_pck_accuracy
from mmpose.evaluation.metrics import PCKAccuracy
from mmpose.registry import METRICS

from ..errors import UsageError

# (shoulder, hip) index pairs of the two torso diagonals in LSP's joint order
# (lsp_metainfo.py): left shoulder 9 - right hip 2, then right shoulder 8 - left hip 3.
LSP_TORSO_DIAGONALS = ((9, 2), (8, 3))


@METRICS.register_module()
class TorsoPCKAccuracy(PCKAccuracy):
    """PCK@thr normalised by the torso diameter given by ``diagonals`` (LSP's default).

    Args:
        thr (float): the threshold as a share of the torso diameter. Defaults to 0.2.
        norm_item (str | Sequence[str]): 'torso' and optionally 'bbox'.
        diagonals (Sequence[tuple[int, int]]): joint pairs tried in order for the torso.
    """

    def __init__(self, thr: float = 0.2, norm_item: str | Sequence[str] = 'torso',
                 diagonals: Sequence[Sequence[int]] = LSP_TORSO_DIAGONALS,
                 **kwargs) -> None:
        super().__init__(thr=thr, norm_item=norm_item, **kwargs)
        if 'head' in self.norm_item:
            raise UsageError("TorsoPCKAccuracy normalises by 'torso' or 'bbox', not 'head'; "
                             'use mmpose\'s PCKAccuracy for PCKh')
        self.diagonals = [tuple(int(i) for i in pair) for pair in diagonals]
        self.skipped = 0

    def process(self, data_batch: Sequence[dict], data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            gt = sample['gt_instances']
            pred = sample['pred_instances']['keypoints']
            gt_coords = gt['keypoints']
            mask = gt['keypoints_visible'].astype(bool)
            if mask.ndim == 3:
                mask = mask[:, :, 0]
            mask = mask.reshape(1, -1)
            torso = None
            for a, b in self.diagonals:
                if mask[0, a] and mask[0, b]:
                    torso = float(np.linalg.norm(gt_coords[0][a] - gt_coords[0][b]))
                    break
            if torso is None or torso < 1:
                # No labelled diagonal: PCK has no scale for this person.
                self.skipped += 1
                continue
            result = {'pred_coords': pred, 'gt_coords': gt_coords, 'mask': mask,
                      'torso_size': np.full((1, 2), torso)}
            if 'bbox' in self.norm_item:
                size = np.max(gt['bboxes'][0][2:] - gt['bboxes'][0][:2])
                result['bbox_size'] = np.full((1, 2), size)
            self.results.append(result)

    def compute_metrics(self, results: list) -> dict[str, float]:
        logger = MMLogger.get_current_instance()
        if self.skipped:
            logger.info('TorsoPCKAccuracy: %d people without a labelled torso diagonal '
                        'left out', self.skipped)
            self.skipped = 0
        if not results:
            raise UsageError('TorsoPCKAccuracy: no person in the evaluation set has a '
                             'labelled torso diagonal (shoulder and opposite hip); check '
                             'the keypoint order against lsp_metainfo.py')
        pred = np.concatenate([r['pred_coords'] for r in results])
        gt = np.concatenate([r['gt_coords'] for r in results])
        mask = np.concatenate([r['mask'] for r in results])
        metrics = {}
        _, metrics['tPCK'], _ = keypoint_pck_accuracy(
            pred, gt, mask, self.thr, np.concatenate([r['torso_size'] for r in results]))
        if 'bbox' in self.norm_item:
            _, metrics['PCK'], _ = keypoint_pck_accuracy(
                pred, gt, mask, self.thr, np.concatenate([r['bbox_size'] for r in results]))
        return metrics
