_base_ = '../export/dar/seed0/dar_s0_inst_real-small_cpu.py'
