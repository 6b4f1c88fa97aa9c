_base_ = '../export/scratch/seed1/scratch_s1_pose_real-small_cpu.py'
