/*
 * bench/load.c - optional background load during the timed phase, from
 * stress-ng: "cpu" saturates every CPU, "mem" keeps memory bandwidth and
 * page faults busy.  stress-ng runs in a process group of its own so its
 * workers are stopped with it.
 *
 * A guest's initramfs has no stress-ng (the bench there is static and
 * alone), so "cpu" falls back to the bench's own workers: one process per
 * online CPU spinning on integer arithmetic, at the bench's priority, in a
 * group of their own - what `stress-ng --cpu N` does for this purpose (the
 * deferred frees' workers must compete for every CPU).  The environment
 * line records which one ran (load_tool).
 */
#include "bench/internal.h"
#include "common/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

const char *load_tool(enum bench_load load)
{
	if (load == LOAD_NONE)
		return "none";
	if (have_program("stress-ng"))
		return "stress-ng";
	return load == LOAD_CPU ? "swapbench" : NULL;
}

/* Never returns: burns a CPU until killed (or its parent dies). */
static void spin(void)
{
	volatile uint64_t x = 88172645463325252ULL;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
}

/* The leader of the group: ncpu - 1 spinners beside it, then it spins too. */
static pid_t spin_start(long ncpu)
{
	pid_t pid = fork();
	long i, fd;

	if (pid < 0) {
		error_errno("fork (--load cpu)");
		return -1;
	}
	if (pid > 0) {
		setpgid(pid, pid); /* both sides: no race with load_stop's kill(-pid) */
		return pid;
	}
	setpgid(0, 0);
	/*
	 * Drop the bench's pipes: a worker waiting for EOF on one would wait
	 * for the spinners forever (stress-ng gets this from exec's CLOEXEC).
	 */
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) /* before 5.9: one by one */
		for (fd = sysconf(_SC_OPEN_MAX) - 1; fd > 2; fd--)
			close((int)fd);
	/* The bench's handlers only set a flag: load_stop's SIGTERM must end us. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 1; i < ncpu; i++)
		if (fork() == 0)
			spin();
	spin();
	return -1; /* not reached */
}

pid_t load_start(enum bench_load load)
{
	char ncpu[16];
	const char *argv[12];
	struct run_opts ro = RUN_OPTS_INIT;
	pid_t pid;
	int i = 0;

	if (!have_program("stress-ng")) {
		if (load == LOAD_CPU)
			return spin_start(sysconf(_SC_NPROCESSORS_ONLN));
		error("--load mem needs stress-ng, which is not installed (apt-get install stress-ng)");
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
	/*
	 * The workers (stress-ng's or the spinners) share the group; none may
	 * outlive the run, nor still hold a CPU when the next one starts.
	 */
	kill(-pid, SIGKILL);
	for (i = 0; i < 200 && kill(-pid, 0) == 0; i++)
		sleep_ns(10000000);
}
