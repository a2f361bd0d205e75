# swaplab - build, test and run.  `make run` and `make test` do all the
# set-up a fresh Debian machine needs (packages come from Debian's archive).

CC      ?= cc
BUILD   ?= build
CFLAGS_COMMON = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -I.
CFLAGS  ?= -O2
ALL_CFLAGS = $(CFLAGS_COMMON) $(CFLAGS)
SAN_FLAGS = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LIBS    = -lsqlite3 -lcurl -lyaml -lm

# Debian packages the build, the tests and `make run` need.  Each module
# adds what it uses; `make deps` installs whatever is missing.
DEPS_BUILD = gcc make libc6-dev libsqlite3-dev libcurl4-openssl-dev libyaml-dev
DEPS_BENCH = fio stress-ng util-linux
DEPS_TEST  = chromium sqlite3 python3
DEPS = $(DEPS_BUILD) $(DEPS_BENCH) $(DEPS_TEST)
# Modules add their own packages and targets in mk/<module>.mk.
.DEFAULT_GOAL := all
-include $(wildcard mk/*.mk)

# The layers (docs/architecture.md): common/ is the ground floor, src/ the
# command layer.  The benchmark is libc only (common's libc part + bench/)
# and is also linked statically as swapbench.
COMMON_BENCH = common/util.c common/json.c common/utf8.c common/parse-options.c
BENCH_SRC = $(COMMON_BENCH) $(filter-out bench/swapbench.c,$(wildcard bench/*.c))
# Everything else that makes up swaplab (modules own their libraries).
LAB_SRC = $(filter-out $(COMMON_BENCH),$(wildcard common/*.c)) \
	  $(filter-out src/swaplab.c,$(wildcard src/*.c)) \
	  $(wildcard db/*.c reports/*.c lab/*.c kernel-patches/*.c ci/*.c)
LIB_SRC = $(BENCH_SRC) $(LAB_SRC)
HEADERS = $(wildcard common/*.h src/*.h bench/*.h db/*.h reports/*.h lab/*.h kernel-patches/*.h ci/*.h)

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
UNIT_ASAN = $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(UNIT_SRC))

OBJ      = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
OBJ_ASAN = $(patsubst %.c,$(BUILD)/asan/obj/%.o,$(LIB_SRC))
BENCH_STATIC_OBJ = $(patsubst %.c,$(BUILD)/static/%.o,$(BENCH_SRC) bench/swapbench.c)

.PHONY: all asan deps run test check bench clean
all: $(BUILD)/swaplab $(BUILD)/swapbench

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -c $< -o $@

# Position-dependent objects for the static benchmark.
$(BUILD)/static/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DSWAPBENCH_STATIC -c $< -o $@

$(BUILD)/swaplab: $(BUILD)/obj/src/swaplab.o $(OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/swapbench: $(BENCH_STATIC_OBJ)
	$(CC) $(ALL_CFLAGS) -static -o $@ $^ -lm

$(BUILD)/asan/swaplab: $(BUILD)/asan/obj/src/swaplab.o $(OBJ_ASAN)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(OBJ) $(LIBS)

$(BUILD)/asan/tests/%: tests/unit/%.c tests/unit/tap.h $(OBJ_ASAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/unit -o $@ $< $(OBJ_ASAN) $(LIBS)

asan: $(BUILD)/asan/swaplab $(UNIT_ASAN)

# Installs the Debian packages that are missing (needs root, as the
# benchmark does).  Quiet when everything is there.
deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The main job: the reference series (kernel-patches/zsmalloc-deferred-free,
# v2 against its pinned 6.12 base) through the whole pipeline on the
# embedded default (the local virtual board, lab.db): fetch and import the
# base, apply, build base and patched kernels, boot them interleaved,
# store every run, write reports/out/<series>/v<N>/ and print the tables
# in the seed posting's shape.  Two plans, one after the other, into the
# same labels: RUN_PLAN is Tests 1/3 (256MB, 1, 2 and 3 processes),
# RUN_PLAN2 Tests 2/4 (64MB and 512MB single; 256MB comes from the first);
# the report covers both.  RUN_PLAN2= (empty) skips the second;
# RUN_FULL=1 adds 1GB and 3 runs a boot (the seed's whole matrix, about
# four times as long).
RUN_SERIES ?= zsmalloc-deferred-free
RUN_VERSION ?= 2
RUN_DB ?= lab.db
# 5 boots a side: with the virtual board's boots 13.5% apart (swaplab
# calibrate) the reports detect a 2x change in every cell and a 50% one
# in most (80% power from ~32%); 3, the least a report can decide on,
# would miss half of the 50% changes (make bench, docs/reports.md).
RUN_ROUNDS ?= 5
RUN_OPTIONS ?= --option memory=3G
ifeq ($(RUN_FULL),1)
RUN_PLAN ?= --backend zram,zswap --sizes 256M --procs 1,2,3 --runs 3
RUN_PLAN2 ?= --backend zram,zswap --sizes 64M,512M,1G --procs 1 --runs 3
else
RUN_PLAN ?= --backend zram,zswap --sizes 256M --procs 1,2,3 --runs 1
RUN_PLAN2 ?= --backend zram,zswap --sizes 64M,512M --procs 1 --runs 1
endif
.PHONY: run-host
run: deps
	$(MAKE) all
	$(BUILD)/swaplab pipeline --series $(RUN_SERIES) -v $(RUN_VERSION) --db $(RUN_DB) \
		--rounds $(RUN_ROUNDS) $(RUN_OPTIONS) -- $(RUN_PLAN)
	$(if $(strip $(RUN_PLAN2)),$(BUILD)/swaplab pipeline --series $(RUN_SERIES) -v $(RUN_VERSION) \
		--db $(RUN_DB) --rounds $(RUN_ROUNDS) $(RUN_OPTIONS) -- $(RUN_PLAN2))
	@echo; cat reports/out/$(RUN_SERIES)/v$(RUN_VERSION)/report.txt

# The benchmark alone on this machine's running kernel: zram and zswap,
# 64M-256M, one and two processes, printed as a table.
RUN_ARGS ?= --backend zram,zswap --sizes 64M,128M,256M --procs 1,2 --runs 5
run-host: deps
	$(MAKE) all
	$(BUILD)/swaplab bench $(RUN_ARGS)

# `make check`: the unit tests (plain and under ASan/UBSan), the command
# line table and the layer rules - no root, no apt, no network.
check: all asan $(UNIT_BIN)
	BUILD=$(BUILD) tests/run.sh unit

# `make test`: the whole suite - installs what is missing, runs `make
# check`, then the integration tests one at a time (they change swap,
# zram and zswap state).
test: deps
	$(MAKE) -j$$(nproc) check
	BUILD=$(BUILD) tests/run.sh integration

bench: deps
	$(MAKE) all
	BUILD=$(BUILD) tests/bench/run.sh

clean:
	rm -rf $(BUILD)
