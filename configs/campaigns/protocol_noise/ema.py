# Candidate overlay (protocol_noise_cpu.py): test an exponential moving average of the
# weights (mmengine's EMAHook) instead of the last iterate. A momentum of 0.01 averages
# over about the last 100 iterations, two of the cpu R-CNN preset's 16 epochs.
custom_hooks = [dict(type='EMAHook', momentum=0.01, update_buffers=True, priority=49)]
