"""mmpose dataset metainfo for the 14 joints of LSP / LSP Extended (mmpose 1.3.2 ships none).

Load it with ``metainfo=dict(from_file=<this file>)`` on mmpose's ``CocoDataset`` (the path
is ``dar_transfer.data.lspet.METAINFO_FILE``), or import ``dataset_info`` from it. It is a
plain mmengine config (one literal dict, no imports) so that ``Config.fromfile`` reads it.
Sources of each value:

- Joint order and names: LSP's ``README.txt`` (Johnson and Everingham): right ankle, right
  knee, right hip, left hip, left knee, left ankle, right wrist, right elbow, right
  shoulder, left shoulder, left elbow, left wrist, neck, head top. Ids are the rows of
  ``joints.mat``. Names follow mmpose's COCO/MPII spelling (``head_top`` as in MPII).
- Flip pairs (``swap``): each right joint with its left namesake; neck and head top
  are on the midline and map to themselves.
- Skeleton: the links of mmpose's CrowdPose metainfo, whose 14 joints are the same
  ones: the four leg and four arm segments, hip to hip, shoulder to shoulder, each
  shoulder to its hip, each shoulder to the neck, and neck to head top.
- Sigmas (OKS): COCO's per-joint values (cocoapi ``cocoeval.py``, also mmpose's
  ``coco.py``) for the 12 limb joints: shoulders 0.079, elbows 0.072, wrists 0.062,
  hips 0.107, knees 0.087, ankles 0.089; 0.079 for neck and head top, as CrowdPose's
  metainfo in mmpose gives those two. These were measured on COCO's annotators, not
  LSP's Mechanical Turk ones (which are noisier), so an OKS AP on LSPET is comparable
  between our runs, not to COCO numbers.
- Joint weights (loss weights): mmpose's COCO metainfo's scheme: 1.0 for shoulders and
  hips, 1.2 for elbows and knees, 1.5 for wrists and ankles; 1.0 for neck and head top
  (like COCO's face joints).
- Colours: mmpose's convention, orange for right, green for left, blue for the midline.
"""
dataset_info = dict(
    dataset_name='lsp',
    paper_info=dict(
        author='Johnson, Sam and Everingham, Mark',
        title='Learning Effective Human Pose Estimation from Inaccurate Annotation',
        container='IEEE Conference on Computer Vision and Pattern Recognition (CVPR)',
        year='2011',
        homepage='http://sam.johnson.io/research/lspet.html',
    ),
    keypoint_info={
        0: dict(name='right_ankle', id=0, color=[255, 128, 0], type='lower',
                swap='left_ankle'),
        1: dict(name='right_knee', id=1, color=[255, 128, 0], type='lower',
                swap='left_knee'),
        2: dict(name='right_hip', id=2, color=[255, 128, 0], type='lower',
                swap='left_hip'),
        3: dict(name='left_hip', id=3, color=[0, 255, 0], type='lower',
                swap='right_hip'),
        4: dict(name='left_knee', id=4, color=[0, 255, 0], type='lower',
                swap='right_knee'),
        5: dict(name='left_ankle', id=5, color=[0, 255, 0], type='lower',
                swap='right_ankle'),
        6: dict(name='right_wrist', id=6, color=[255, 128, 0], type='upper',
                swap='left_wrist'),
        7: dict(name='right_elbow', id=7, color=[255, 128, 0], type='upper',
                swap='left_elbow'),
        8: dict(name='right_shoulder', id=8, color=[255, 128, 0], type='upper',
                swap='left_shoulder'),
        9: dict(name='left_shoulder', id=9, color=[0, 255, 0], type='upper',
                swap='right_shoulder'),
        10: dict(name='left_elbow', id=10, color=[0, 255, 0], type='upper',
                 swap='right_elbow'),
        11: dict(name='left_wrist', id=11, color=[0, 255, 0], type='upper',
                 swap='right_wrist'),
        12: dict(name='neck', id=12, color=[51, 153, 255], type='upper', swap=''),
        13: dict(name='head_top', id=13, color=[51, 153, 255], type='upper', swap=''),
    },
    skeleton_info={
        0: dict(link=('right_ankle', 'right_knee'), id=0, color=[255, 128, 0]),
        1: dict(link=('right_knee', 'right_hip'), id=1, color=[255, 128, 0]),
        2: dict(link=('left_ankle', 'left_knee'), id=2, color=[0, 255, 0]),
        3: dict(link=('left_knee', 'left_hip'), id=3, color=[0, 255, 0]),
        4: dict(link=('right_hip', 'left_hip'), id=4, color=[51, 153, 255]),
        5: dict(link=('right_shoulder', 'right_hip'), id=5, color=[51, 153, 255]),
        6: dict(link=('left_shoulder', 'left_hip'), id=6, color=[51, 153, 255]),
        7: dict(link=('right_shoulder', 'left_shoulder'), id=7, color=[51, 153, 255]),
        8: dict(link=('right_shoulder', 'right_elbow'), id=8, color=[255, 128, 0]),
        9: dict(link=('right_elbow', 'right_wrist'), id=9, color=[255, 128, 0]),
        10: dict(link=('left_shoulder', 'left_elbow'), id=10, color=[0, 255, 0]),
        11: dict(link=('left_elbow', 'left_wrist'), id=11, color=[0, 255, 0]),
        12: dict(link=('right_shoulder', 'neck'), id=12, color=[51, 153, 255]),
        13: dict(link=('left_shoulder', 'neck'), id=13, color=[51, 153, 255]),
        14: dict(link=('neck', 'head_top'), id=14, color=[51, 153, 255]),
    },
    # right ankle, knee, hip, left hip, knee, ankle, right wrist, elbow, shoulder,
    # left shoulder, elbow, wrist, neck, head top
    joint_weights=[1.5, 1.2, 1.0, 1.0, 1.2, 1.5, 1.5, 1.2, 1.0, 1.0, 1.2, 1.5, 1.0, 1.0],
    sigmas=[0.089, 0.087, 0.107, 0.107, 0.087, 0.089, 0.062, 0.072, 0.079, 0.079, 0.072,
            0.062, 0.079, 0.079],
)
