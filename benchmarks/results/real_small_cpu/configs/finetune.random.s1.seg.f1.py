_base_ = '../export/random/seed1/random_s1_seg_real-small_cpu.py'
