_base_ = '../export/dar/seed1/dar_s1_inst_real-small_cpu.py'
