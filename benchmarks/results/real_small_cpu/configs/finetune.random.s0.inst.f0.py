_base_ = '../export/random/seed0/random_s0_inst_real-small_cpu.py'
