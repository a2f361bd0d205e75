# mk/bisect.mk - `swaplab bisect` (ci/bisect.c).
# make test-bisect: 61-bisect.sh, a bisect of a real kernel history, and
# 62-bisect-reference.sh, --direction faster over the reference series (slow).
# tests/bench/bisect_bench: the adaptive step rule against a fixed-n
# bisect on simulated histories (tests/bench/50-bisect.sh, make bench).
# Recipe-time expansion: OBJ is defined after this file is included.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif
.PHONY: bisect-bench test-bisect
# The bisect on a real kernel history (61-bisect.sh): slow, not in make test.
test-bisect: all
	flock /run/lock/swaplab-tests.lock env SWAPLAB_BISECT=1 SWAPLAB=$(CURDIR)/$(BUILD)/swaplab \
		TOP=$(CURDIR) BUILD=$(BUILD) bash tests/integration/61-bisect.sh
	flock /run/lock/swaplab-tests.lock env SWAPLAB_BISECT=1 SWAPLAB=$(CURDIR)/$(BUILD)/swaplab \
		TOP=$(CURDIR) BUILD=$(BUILD) bash tests/integration/62-bisect-reference.sh
bisect-bench: $(BUILD)/swaplab
	$(CC) $(ALL_CFLAGS) -o $(BUILD)/bisect_bench tests/bench/bisect_bench.c $(OBJ) $(LIBS)
