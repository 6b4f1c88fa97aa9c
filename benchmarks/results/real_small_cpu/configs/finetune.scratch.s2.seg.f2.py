_base_ = '../export/scratch/seed2/scratch_s2_seg_real-small_cpu.py'
