"""Fine-tuning exported backbones with the real mmdet / mmpose / mmseg runners."""
