# mk/fault.mk - fault tests of the lab host: `swaplab bench` killed with
# SIGKILL at random points, FAULT_TRIALS times, each followed by
# `swaplab bench --cleanup` and a comparison of the host's swap, zram,
# zswap, THP and mount state with the state before (tests/fault/).
# Root; holds the test lock, as the integration tests do.  `make test`
# runs a sample of 10 (tests/integration/22-bench-kill9.sh).
FAULT_TRIALS ?= 100
.PHONY: fault-test
fault-test: all
	flock /run/lock/swaplab-tests.lock env TRIALS=$(FAULT_TRIALS) SWAPLAB=$(CURDIR)/$(BUILD)/swaplab \
		TOP=$(CURDIR) BUILD=$(BUILD) bash tests/fault/bench-kill.sh
