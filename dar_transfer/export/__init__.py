"""Export: a pretrained classifier -> backbone weights + OpenMMLab downstream configs."""
