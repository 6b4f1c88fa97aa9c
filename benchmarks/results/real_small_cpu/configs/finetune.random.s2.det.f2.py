_base_ = '../export/random/seed2/random_s2_det_real-small_cpu.py'
