# Candidate overlay (protocol_noise_cpu.py): after the last iteration, recompute every
# trained batch-norm layer's statistics as the exact average over one pass of training
# batches (mmpretrain's PreciseBNHook), instead of keeping the momentum average of the
# last few dozen 4-crop batches, which a single unlucky batch can move. The cpu seg
# preset trains 1000 iterations; the interval fires on the last one.
custom_hooks = [dict(type='mmpretrain.PreciseBNHook', num_samples=8192, interval=1000)]
