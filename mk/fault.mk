# mk/fault.mk - fault tests of the lab host (tests/fault/), root, under the
# test lock as the integration tests are:
#   bench-kill.sh     `swaplab bench` killed with SIGKILL at random points,
#                     FAULT_TRIALS times, each followed by `--cleanup` and a
#                     comparison of the host's swap, zram, zswap, THP and
#                     mount state with the state before;
#   pipeline-kill.sh  `swaplab pipeline` killed while building, while
#                     booting and at PIPELINE_TRIALS random points: no make
#                     or QEMU left, no work directory once the next run
#                     starts, the database intact, the next run completes;
#                     again with MODE=watch on `swaplab watch --once`: the
#                     queue keeps the revision once and the next watch
#                     finishes it, a further one runs nothing.
# `make test` runs samples (22-bench-kill9.sh: 10; 59-pipeline-kill.sh: 1).
FAULT_TRIALS ?= 100
PIPELINE_TRIALS ?= 5
.PHONY: fault-test
fault-test: all
	flock /run/lock/swaplab-tests.lock env TRIALS=$(FAULT_TRIALS) SWAPLAB=$(CURDIR)/$(BUILD)/swaplab \
		TOP=$(CURDIR) BUILD=$(BUILD) bash tests/fault/bench-kill.sh
	flock /run/lock/swaplab-tests.lock env TRIALS=$(PIPELINE_TRIALS) SWAPLAB=$(CURDIR)/$(BUILD)/swaplab \
		TOP=$(CURDIR) BUILD=$(BUILD) bash tests/fault/pipeline-kill.sh
	flock /run/lock/swaplab-tests.lock env TRIALS=$(PIPELINE_TRIALS) MODE=watch \
		SWAPLAB=$(CURDIR)/$(BUILD)/swaplab TOP=$(CURDIR) BUILD=$(BUILD) bash tests/fault/pipeline-kill.sh
