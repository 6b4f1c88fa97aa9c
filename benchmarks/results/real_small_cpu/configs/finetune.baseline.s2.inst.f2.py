_base_ = '../export/baseline/seed2/baseline_s2_inst_real-small_cpu.py'
