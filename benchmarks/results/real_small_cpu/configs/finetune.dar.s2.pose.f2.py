_base_ = '../export/dar/seed2/dar_s2_pose_real-small_cpu.py'
