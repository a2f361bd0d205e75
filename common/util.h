/*
 * util.h - the small libc-only layer every swaplab module may use.
 *
 * The benchmark links statically against nothing but libc, so nothing in
 * util.[ch] may depend on another library.  Library code reports problems
 * with error() (which returns -1) and lets the command layer decide to
 * exit; only command code (src/cmd_*.c, bench/swapbench.c) calls die().
 */
#ifndef SWAPLAB_UTIL_H
#define SWAPLAB_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define SWAPLAB_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Messages go to stderr prefixed with "swaplab: " or the set program name. */
void set_progname(const char *name);
const char *get_progname(void);
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Silence info() (progress on stderr). */
extern int util_quiet;

/*
 * Allocation never fails for the caller: the x* allocators (and the few
 * callers of allocating libc functions, through die_oom()) end the
 * program with status 128, as git does.  It is the one exit allowed
 * outside the command layer.
 */
void die_oom(const char *what) __attribute__((noreturn));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvstrfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Grow *arr (of *alloc elements of size sz) so it holds at least nr. */
#define ALLOC_GROW(arr, nr, alloc)                                          \
	do {                                                                \
		if ((nr) > (alloc)) {                                       \
			(alloc) = (alloc) * 2 + 16 > (nr) ? (alloc) * 2 + 16 \
							  : (nr);            \
			(arr) = xrealloc((arr), (alloc) * sizeof(*(arr)));  \
		}                                                           \
	} while (0)

/*
 * Sizes: "64M", "1G", "4096", "512K" (binary units, case-insensitive, an
 * optional trailing 'B' or 'iB').  Returns 0 and sets *out, or returns -1
 * with a message naming the offending text and what it expected.
 */
int parse_size(const char *s, uint64_t *out);
/* "64M,128M": fills a malloc'd array; -1 on any malformed element. */
int parse_size_list(const char *s, uint64_t **out, size_t *nr);
/* "1,2,3" of positive integers within [min,max]. */
int parse_uint_list(const char *s, unsigned min, unsigned max, unsigned **out,
		    size_t *nr);
int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);
/* "10s", "500ms", "2m", bare number = seconds. */
int parse_duration_ms(const char *s, uint64_t *out_ms);
/* Human form of a byte count, "64M" when exact, else "65.5M". */
const char *fmt_size(uint64_t bytes, char *buf, size_t len);

/*
 * Whole-file reads of small kernel files.  read_file() NUL-terminates and
 * returns the length or -1 (errno kept, no message: callers know whether a
 * missing file is an error).  read_file_trim() strips the trailing newline.
 */
ssize_t read_file(const char *path, char *buf, size_t len);
int read_file_trim(const char *path, char *buf, size_t len);
int read_u64_file(const char *path, uint64_t *out);
/* Writes exactly s to path (sysfs style: one write); -1 with a message. */
int write_file(const char *path, const char *s);
/* Reads a whole (possibly large) file into a malloc'd NUL-terminated buffer. */
char *slurp_file(const char *path, size_t *len);

/* Atomically replaces path with data (temporary file, fsync, rename). */
int write_file_atomic(const char *path, const char *data, size_t len);
/* Atomically replaces dst with a copy of src. */
int copy_file(const char *src, const char *dst);

uint64_t now_ns(void); /* CLOCK_MONOTONIC */
void sleep_ns(uint64_t ns);

/*
 * Child processes: the one way every module starts and waits for one.
 * argv[0] is looked up on PATH and run with argv, never through a shell.
 * A program that cannot be run (not found, not executable) is reported
 * by the parent as "cannot run 'X': <why>" from the exec's own errno (a
 * close-on-exec pipe carries it back), so it is never confused with a
 * program that exits 127 by itself.
 */
struct run_opts {
	int out_fd, err_fd;            /* the child's stdout/stderr; -1: inherited */
	unsigned flags;                /* RUN_* below */
	unsigned long long timeout_ms; /* 0: no deadline */
	/* Called about every 100 ms when set; nonzero stops the child early
	 * (its work is done).  On the deadline or a stop the child gets
	 * SIGTERM, then SIGKILL 3 s later, and is always waited for. */
	int (*poll)(void *arg);
	void *arg;
	int timed_out;                 /* out: the deadline passed */
	int keep_fd;                   /* a descriptor the program inherits even if
	                                  close-on-exec (a lock it must hold); -1: none */
};
#define RUN_OPTS_INIT { .out_fd = -1, .err_fd = -1, .keep_fd = -1 }
enum {
	RUN_DIE_WITH_PARENT = 1 << 0, /* SIGKILL if swaplab dies, even by SIGKILL */
	RUN_TERM_WITH_PARENT = 1 << 2, /* SIGTERM instead: time to clean up (make
	                                  deletes half-written targets) */
	RUN_NEW_PGRP = 1 << 1,        /* a process group of its own (killed as one) */
};

/* Starts argv; its pid once the program is running, or -1 after an
 * error() (fork failed, or "cannot run 'X': ..."). */
pid_t start_argv(const char *const *argv, const struct run_opts *o);
/* Waits for a child of start_argv() under o's deadline and poll.  The
 * exit status (0..255), 256+signal if a signal ended it, -1 after an
 * error(). */
int finish_argv(pid_t pid, const char *name, struct run_opts *o);
/* start_argv() and finish_argv(). */
int run_argv_opts(const char *const *argv, struct run_opts *o);

/*
 * The common case: stdout of the child goes to out_fd when >= 0, else is
 * inherited; stderr likewise.  Returns the exit status (0..255), or -1
 * with a message if the program could not be run or died from a signal.
 */
int run_argv(const char *const *argv, int out_fd, int err_fd);
/* Like run_argv but captures stdout into a malloc'd string (*out, set
 * also on failure: "" when the program did not run). */
int run_argv_capture(const char *const *argv, char **out);
/* Removes path and everything below it (rm -rf); 0, or -1 + error(). */
int rm_rf(const char *path);
/*
 * Work directories survive a kill -9 of their owner; their names carry
 * the owner's pid so the next run can tell.  reap_dead_owners() removes
 * every parent/<prefix><pid>.<rest> whose pid is not a running process
 * (returns how many); make_work_dir() reaps $TMPDIR (else /tmp) of
 * "swaplab-" entries and creates swaplab-<what>.<pid>.XXXXXX there
 * (malloc'd path, or NULL + error()).  keep_work_dir() marks one as kept
 * on purpose (a failed run's files for the user): never reaped.
 */
int reap_dead_owners(const char *parent, const char *prefix);
char *make_work_dir(const char *what);
int keep_work_dir(const char *dir);
/* Whether an executable of that name is on PATH. */
int have_program(const char *name);

/*
 * A path inside the source tree the running program was built in
 * (build/swaplab, build/tests/x, build/asan/tests/x): <tree>/<rel> when it
 * exists and, if marker is given, holds the file marker (what says the
 * directory is what we look for).  Malloc'd, or NULL (no message).
 */
char *source_tree_path(const char *rel, const char *marker);

/* JSON string escaping for writers: appends "..." with escapes to f. */
void json_put_string(FILE *f, const char *s);
/* Writes ,"key":"value" (an object member after the first; NULL as ""). */
void json_put_member(FILE *f, const char *key, const char *value);
/* CSV field for writers: quoted (RFC 4180) only when it holds , " CR or LF. */
void csv_put_field(FILE *f, const char *s);

#endif
