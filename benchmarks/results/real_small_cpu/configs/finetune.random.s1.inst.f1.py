_base_ = '../export/random/seed1/random_s1_inst_real-small_cpu.py'
