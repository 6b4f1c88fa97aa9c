_base_ = '../export/dar/seed1/dar_s1_seg_real-small_cpu.py'
