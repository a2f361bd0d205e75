# mk/lava.mk - the lab's LAVA support (lab/lava*.c, common/http.c,
# lab/config.c, src/cmd_lava.c) and its tests.
#
#   make test-lava   only the LAVA tests: unit (test_lava, plain and ASan),
#                    45 job definitions vs LAVA's validator, 46 REST error
#                    paths, 47 a real lava-run qemu job, 48 a real
#                    lava-server on loopback (all also run by `make test`).
#
# lava-server's postinst tries to start services; on machines without an
# init system Debian's policy-rc.d (exit 101) keeps it from doing so, and
# the tests start PostgreSQL, gunicorn, the scheduler and the worker
# themselves (tests/lava/server.sh).

DEPS += lava-dispatcher lava-common lava-server lavacli postgresql gunicorn \
	python3-yaml python3-jinja2 qemu-system-x86 busybox-static cpio curl

.PHONY: test-lava
test-lava: deps
	$(MAKE) all asan $(BUILD)/tests/test_lava
	BUILD=$(BUILD) TESTS=lava bash tests/run.sh
