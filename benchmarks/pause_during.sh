#!/usr/bin/env bash
# Run a command while a benchmark process is paused, and log the pause so the
# benchmark leaves it out of its wall times (see --pause-log).
#   benchmarks/pause_during.sh PID PAUSE_LOG COMMAND [ARGS...]
set -u
pid=$1 log=$2
shift 2
start=$(date +%s.%N)
kill -STOP "$pid"
"$@"
rc=$?
echo "$start $(date +%s.%N)" >> "$log"
kill -CONT "$pid"
exit $rc
