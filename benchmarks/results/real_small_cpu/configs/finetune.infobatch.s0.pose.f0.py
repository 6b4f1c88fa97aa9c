_base_ = '../export/infobatch/seed0/infobatch_s0_pose_real-small_cpu.py'
