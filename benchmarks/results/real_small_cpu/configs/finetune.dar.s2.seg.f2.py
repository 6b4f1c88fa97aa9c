_base_ = '../export/dar/seed2/dar_s2_seg_real-small_cpu.py'
