"""Report: mmengine work_dirs -> paper-style tables, deltas against the baseline, plots."""
