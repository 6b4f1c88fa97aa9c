_base_ = '../export/random/seed0/random_s0_det_real-small_cpu.py'
