_base_ = '../export/dar/seed0/dar_s0_pose_real-small_cpu.py'
