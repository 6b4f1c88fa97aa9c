_base_ = '../export/infobatch/seed0/infobatch_s0_seg_real-small_cpu.py'
