_base_ = '../export/baseline/seed0/baseline_s0_seg_real-small_cpu.py'
