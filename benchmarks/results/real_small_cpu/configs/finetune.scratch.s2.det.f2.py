_base_ = '../export/scratch/seed2/scratch_s2_det_real-small_cpu.py'
