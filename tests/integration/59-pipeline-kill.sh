#!/usr/bin/env bash
# 59-pipeline-kill.sh - a sample of the fault test (make fault-test runs
# 5 random kills): `swaplab pipeline` killed by SIGKILL while building,
# while booting and at one random point; nothing of it keeps running or
# stays behind, and the next run completes the revision.
exec env TRIALS=${TRIALS:-1} bash "$(dirname "$0")/../fault/pipeline-kill.sh"
