_base_ = '../export/scratch/seed0/scratch_s0_inst_real-small_cpu.py'
