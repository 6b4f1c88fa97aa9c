_base_ = '../export/scratch/seed1/scratch_s1_seg_real-small_cpu.py'
