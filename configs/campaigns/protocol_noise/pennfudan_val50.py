# Candidate overlay (protocol_noise_cpu.py): Penn-Fudan split 65 train / 65 test images
# instead of 91 / 39, so that one pedestrian weighs about half as much in AP. Convert it
# once beside the usual split:
#   dar-transfer data pennfudan PennFudanPed --out data/real-small/pennfudan-val50 \
#       --val-fraction 0.5
val50_root = 'data/real-small/pennfudan-val50/'
train_dataloader = dict(dataset=dict(data_root=val50_root))
val_dataloader = dict(dataset=dict(data_root=val50_root))
test_dataloader = dict(dataset=dict(data_root=val50_root))
val_evaluator = dict(ann_file=val50_root + 'annotations/instances_val.json')
test_evaluator = dict(ann_file=val50_root + 'annotations/instances_val.json')
