_base_ = '../export/infobatch/seed0/infobatch_s0_inst_real-small_cpu.py'
