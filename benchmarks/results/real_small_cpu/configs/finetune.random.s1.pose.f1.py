_base_ = '../export/random/seed1/random_s1_pose_real-small_cpu.py'
