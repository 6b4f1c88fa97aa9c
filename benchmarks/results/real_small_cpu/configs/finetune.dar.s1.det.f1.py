_base_ = '../export/dar/seed1/dar_s1_det_real-small_cpu.py'
