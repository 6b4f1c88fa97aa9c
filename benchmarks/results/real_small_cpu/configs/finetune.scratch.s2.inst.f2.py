_base_ = '../export/scratch/seed2/scratch_s2_inst_real-small_cpu.py'
