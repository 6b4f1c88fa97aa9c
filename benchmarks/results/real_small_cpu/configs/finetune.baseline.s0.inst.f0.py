_base_ = '../export/baseline/seed0/baseline_s0_inst_real-small_cpu.py'
