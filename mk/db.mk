# mk/db.mk - the results database (db/) and the reports (reports/).
# SQLite through libsqlite3; the HTML report test renders in chromium;
# the test data generator and the statistics cross-checks use python3.
DEPS += libsqlite3-dev sqlite3 chromium python3

# mk/*.mk is read before the Makefile's first rule: keep `make` = `make all`.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif

# tests/bench/db_bench: import and report throughput (tests/bench/30-db.sh).
# Recipe-time expansion: OBJ is defined after this file is included.
.PHONY: db-bench
db-bench: $(BUILD)/swaplab
	$(CC) $(ALL_CFLAGS) -o $(BUILD)/db_bench tests/bench/db_bench.c $(OBJ) $(LIBS)

# tests/bench/stats_bench: the decision rule's error rates, power and
# minimum detectable effect on generated boots (tests/bench/40-stats.sh).
.PHONY: stats-bench
stats-bench: $(BUILD)/swaplab
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $(BUILD)/stats_bench tests/bench/stats_bench.c $(OBJ) $(LIBS)
