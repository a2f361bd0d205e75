/*
 * bench/load.c - optional background load during the timed phase, from
 * stress-ng: "cpu" saturates every CPU, "mem" keeps memory bandwidth and
 * page faults busy.  stress-ng runs in a process group of its own so its
 * workers are stopped with it.
 */
#include "bench/internal.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t load_start(enum bench_load load)
{
	char ncpu[16];
	const char *argv[12];
	struct run_opts ro = RUN_OPTS_INIT;
	pid_t pid;
	int i = 0;

	if (!have_program("stress-ng")) {
		error("--load needs stress-ng, which is not installed (apt-get install stress-ng)");
		return -1;
	}
	snprintf(ncpu, sizeof(ncpu), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	argv[i++] = "stress-ng";
	if (load == LOAD_CPU) {
		argv[i++] = "--cpu";
		argv[i++] = ncpu;
	} else {
		argv[i++] = "--vm";
		argv[i++] = ncpu;
		argv[i++] = "--vm-bytes";
		argv[i++] = "5%";
	}
	argv[i++] = "--timeout";
	argv[i++] = "3600s";
	argv[i++] = "--quiet";
	argv[i] = NULL;
	/* A group of its own: stress-ng's workers are stopped with it. */
	ro.flags = RUN_NEW_PGRP;
	pid = start_argv(argv, &ro);
	if (pid < 0)
		return -1;
	return pid;
}

void load_stop(pid_t pid)
{
	int status, i;

	if (pid <= 0)
		return;
	kill(-pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			goto reaped;
		sleep_ns(20000000);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
reaped:
	/* stress-ng's workers share its group; make sure none outlive it. */
	kill(-pid, SIGKILL);
}
