# mk/fuzz.mk - libFuzzer targets for the parsers of outside input
# (tests/fuzz/fuzz_<target>.c, seed corpora in tests/fuzz/corpus/<target>/).
#
#   make fuzz          builds every target with clang (-fsanitize=fuzzer,
#                      address,undefined) and runs each for FUZZ_TIME
#                      seconds (one at a time, nice 19), new inputs kept in
#                      $(BUILD)/fuzz/corpus/<target>, crashes in
#                      $(BUILD)/fuzz/crash-<target>-*
#   make fuzz-build    only builds them
#   make check         replays the seed corpora with gcc + ASan/UBSan
#                      (tests/fuzz/replay.c as main(); no clang needed)
#
# A crasher found is fixed and then copied into tests/fuzz/corpus/<target>/
# so every `make check` replays it.

FUZZ_TARGETS = json jsonl mbox lava kconfig sysfs
FUZZ_TIME ?= 60
FUZZ_RUNS ?=
FUZZ_CC ?= clang
FUZZ_FLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -I. -Itests/fuzz \
	-fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
DEPS_FUZZ = clang
.PHONY: fuzz fuzz-build fuzz-deps

FUZZ_OBJ = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRC))
FUZZ_BIN = $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_REPLAY = $(patsubst %,$(BUILD)/asan/fuzz/replay_%,$(FUZZ_TARGETS))

# LIB_SRC, HEADERS and OBJ_ASAN are defined after this file is included:
# the prerequisite lists are expanded a second time, when the rules are used.
.SECONDEXPANSION:
$(BUILD)/fuzz/obj/%.o: %.c $$(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $$(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

# The replay drivers: gcc, the ASan/UBSan objects `make asan` builds.
$(BUILD)/asan/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $$(OBJ_ASAN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) -Itests/fuzz -o $@ $< tests/fuzz/replay.c $(OBJ_ASAN) $(LIBS)

check: $(FUZZ_REPLAY)

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEPS="$(DEPS_FUZZ)"

fuzz-build: fuzz-deps
	$(MAKE) $(FUZZ_BIN)

# One target at a time, lowest priority: the machine is shared.
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/fuzz/corpus/$$t; \
	  echo "== fuzz_$$t ($(if $(FUZZ_RUNS),$(FUZZ_RUNS) runs,$(FUZZ_TIME) s))"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  nice -n 19 $(BUILD)/fuzz/fuzz_$$t -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_TIME)) -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/crash-$$t- \
	    $(BUILD)/fuzz/corpus/$$t tests/fuzz/corpus/$$t; \
	done
