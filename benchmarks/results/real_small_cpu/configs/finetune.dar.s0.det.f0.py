_base_ = '../export/dar/seed0/dar_s0_det_real-small_cpu.py'
