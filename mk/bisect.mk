# mk/bisect.mk - `swaplab bisect` (ci/bisect.c).
# tests/bench/bisect_bench: the adaptive step rule against a fixed-n
# bisect on simulated histories (tests/bench/50-bisect.sh, make bench).
# Recipe-time expansion: OBJ is defined after this file is included.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif
.PHONY: bisect-bench
bisect-bench: $(BUILD)/swaplab
	$(CC) $(ALL_CFLAGS) -o $(BUILD)/bisect_bench tests/bench/bisect_bench.c $(OBJ) $(LIBS)
