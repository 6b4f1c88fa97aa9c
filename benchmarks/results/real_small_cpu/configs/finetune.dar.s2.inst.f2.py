_base_ = '../export/dar/seed2/dar_s2_inst_real-small_cpu.py'
