_base_ = '../export/infobatch/seed0/infobatch_s0_det_real-small_cpu.py'
