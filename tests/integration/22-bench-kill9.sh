#!/usr/bin/env bash
# 22-bench-kill9.sh - a sample of the fault test (make fault-test runs 100):
# `swaplab bench` killed with SIGKILL at 10 random points and in the zram
# hot_add window; `--cleanup` restores the host's state every time.
exec env TRIALS=${TRIALS:-10} bash "$(dirname "$0")/../fault/bench-kill.sh"
