_base_ = '../export/baseline/seed1/baseline_s1_seg_real-small_cpu.py'
