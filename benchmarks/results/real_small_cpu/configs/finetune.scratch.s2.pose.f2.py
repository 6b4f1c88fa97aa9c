_base_ = '../export/scratch/seed2/scratch_s2_pose_real-small_cpu.py'
