_base_ = '../export/baseline/seed2/baseline_s2_det_real-small_cpu.py'
