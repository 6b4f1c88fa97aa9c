_base_ = '../export/dar/seed1/dar_s1_pose_real-small_cpu.py'
