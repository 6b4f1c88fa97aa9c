_base_ = '../export/random/seed2/random_s2_pose_real-small_cpu.py'
