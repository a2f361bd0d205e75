/*
 * util.c - messages, allocation, number and size parsing, small-file I/O
 * and fork/exec helpers shared by every swaplab module.  libc only: the
 * static swapbench links this file too.
 */
#include "common/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *progname = "swaplab";
int util_quiet;

void set_progname(const char *name) { progname = name; }
const char *get_progname(void) { return progname; }

static void vreport(const char *prefix, const char *fmt, va_list ap,
		    const char *suffix)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s%s\n", progname, prefix, msg, suffix ? suffix : "");
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, NULL);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	char suffix[256];
	int e = errno;
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s", strerror(e));
	va_start(ap, fmt);
	vreport("error: ", fmt, ap, suffix);
	va_end(ap);
	errno = e;
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (util_quiet)
		return;
	va_start(ap, fmt);
	vreport("", fmt, ap, NULL);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(128);
}

void die_oom(const char *what)
{
	die("out of memory%s%s", what ? " " : "", what ? what : "");
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory allocating %zu bytes", n);
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		die("out of memory allocating %zu x %zu bytes", n, sz);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory reallocating %zu bytes", n);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

char *xvstrfmt(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		die_oom("formatting a message");
	return p;
}

char *xstrfmt(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvstrfmt(fmt, ap);
	va_end(ap);
	return p;
}

int parse_size(const char *s, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0, mult = 1;

	if (!s || !*s)
		return error("malformed size '': expected a number with an optional K/M/G suffix");
	if (!isdigit((unsigned char)*p))
		return error("malformed size '%s': expected a number with an optional K/M/G suffix", s);
	while (isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return error("malformed size '%s': number too large", s);
		v = v * 10 + d;
		p++;
	}
	switch (toupper((unsigned char)*p)) {
	case 'K': mult = 1ULL << 10; p++; break;
	case 'M': mult = 1ULL << 20; p++; break;
	case 'G': mult = 1ULL << 30; p++; break;
	case 'T': mult = 1ULL << 40; p++; break;
	default: break;
	}
	if (mult > 1 && (*p == 'i' || *p == 'I'))
		p++;
	if (*p == 'B' || *p == 'b')
		p++;
	if (*p)
		return error("malformed size '%s': unexpected '%s' (use K, M or G)", s, p);
	if (v == 0)
		return error("malformed size '%s': must be greater than zero", s);
	if (v > UINT64_MAX / mult)
		return error("malformed size '%s': number too large", s);
	*out = v * mult;
	return 0;
}

/*
 * Comma-separated list of elements of elem_size bytes, each parsed by one();
 * empty elements are skipped.  On failure nothing is returned.
 */
static int parse_list(const char *s, size_t elem_size,
		      int (*one)(const char *tok, void *out, const void *arg), const void *arg,
		      void **out, size_t *nr)
{
	char *copy = xstrdup(s), *save = NULL, *tok;
	char *arr = NULL;
	size_t n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		arr = xrealloc(arr, (n + 1) * elem_size);
		if (one(tok, arr + n * elem_size, arg) < 0) {
			free(arr);
			free(copy);
			return -1;
		}
		n++;
	}
	free(copy);
	if (!n) {
		free(arr);
		return error("empty list '%s'", s);
	}
	*out = arr;
	*nr = n;
	return 0;
}

static int one_size(const char *tok, void *out, const void *arg)
{
	(void)arg;
	return parse_size(tok, out);
}

int parse_size_list(const char *s, uint64_t **out, size_t *nr)
{
	return parse_list(s, sizeof(**out), one_size, NULL, (void **)out, nr);
}

int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return error("malformed number '%s': expected an integer from %u to %u",
			     s ? s : "", min, max);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return error("malformed number '%s': expected an integer from %u to %u",
			     s, min, max);
	*out = (unsigned)v;
	return 0;
}

struct uint_range {
	unsigned min, max;
};

static int one_uint(const char *tok, void *out, const void *arg)
{
	const struct uint_range *r = arg;

	return parse_uint(tok, r->min, r->max, out);
}

int parse_uint_list(const char *s, unsigned min, unsigned max, unsigned **out,
		    size_t *nr)
{
	struct uint_range r = { min, max };

	return parse_list(s, sizeof(**out), one_uint, &r, (void **)out, nr);
}

int parse_duration_ms(const char *s, uint64_t *out_ms)
{
	char *end;
	double v;

	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.'))
		return error("malformed duration '%s': expected e.g. 500ms, 10s or 2m",
			     s ? s : "");
	errno = 0;
	v = strtod(s, &end);
	if (errno || v < 0)
		return error("malformed duration '%s'", s);
	if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "ms"))
		;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else
		return error("malformed duration '%s': unknown unit '%s' (ms, s, m)", s, end);
	*out_ms = (uint64_t)v;
	return 0;
}

const char *fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		uint64_t u = 1ULL << (10 * (i + 1));

		if (b >= u) {
			if (b % u == 0)
				snprintf(buf, len, "%llu%c", (unsigned long long)(b / u), units[i]);
			else
				snprintf(buf, len, "%.1f%c", (double)b / (double)u, units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)b);
	return buf;
}

ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off + 1 < len) {
		ssize_t n = read(fd, buf + off, len - 1 - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	return (ssize_t)off;
}

int read_file_trim(const char *path, char *buf, size_t len)
{
	ssize_t n = read_file(path, buf, len);

	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int read_u64_file(const char *path, uint64_t *out)
{
	char buf[64], *end;

	if (read_file_trim(path, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return error_errno("cannot open '%s' for writing", path);
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? errno : EIO;
		close(fd);
		errno = e;
		return error_errno("cannot write '%s' to '%s'", s, path);
	}
	if (close(fd) < 0)
		return error_errno("cannot write '%s' to '%s'", s, path);
	return 0;
}

char *slurp_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, alloc = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		ALLOC_GROW(buf, len + 65536 + 1, alloc);
		n = read(fd, buf + len, alloc - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = xstrfmt("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0) {
		error_errno("cannot create '%s'", tmp);
		free(tmp);
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	error_errno("cannot write '%s'", path);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int copy_file(const char *src, const char *dst)
{
	size_t len;
	char *data = slurp_file(src, &len);
	int ret;

	if (!data)
		return error_errno("cannot read '%s'", src);
	ret = write_file_atomic(dst, data, len);
	free(data);
	return ret;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL) };

	nanosleep(&ts, NULL);
}

/* What a child that could not exec tells its parent through the pipe. */
struct exec_failure {
	int err;
	char what[24];
};

static void child_fail(int fd, const char *what)
{
	struct exec_failure f = { .err = errno };
	ssize_t n;

	snprintf(f.what, sizeof(f.what), "%s", what);
	do
		n = write(fd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	_exit(127);
}

pid_t start_argv(const char *const *argv, const struct run_opts *o)
{
	pid_t parent = getpid(), pid;
	struct exec_failure f;
	int p[2], status;
	ssize_t n;

	/* Close-on-exec: the parent reads EOF when the exec succeeded, the
	 * exec's errno when it did not. */
	if (pipe2(p, O_CLOEXEC) < 0)
		return error_errno("pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return error_errno("cannot fork to run '%s'", argv[0]);
	}
	if (pid == 0) {
		close(p[0]);
		if (o->flags & (RUN_DIE_WITH_PARENT | RUN_TERM_WITH_PARENT)) {
			prctl(PR_SET_PDEATHSIG, o->flags & RUN_TERM_WITH_PARENT ? SIGTERM : SIGKILL);
			if (getppid() != parent) /* it died before prctl */
				_exit(127);
		}
		if ((o->flags & RUN_NEW_PGRP) && setpgid(0, 0) < 0)
			child_fail(p[1], "setpgid");
		if (o->out_fd >= 0 && dup2(o->out_fd, 1) < 0)
			child_fail(p[1], "dup2");
		if (o->err_fd >= 0 && dup2(o->err_fd, 2) < 0)
			child_fail(p[1], "dup2");
		if (o->keep_fd >= 0 && fcntl(o->keep_fd, F_SETFD, 0) < 0)
			child_fail(p[1], "fcntl");
		execvp(argv[0], (char *const *)argv);
		child_fail(p[1], "exec");
	}
	close(p[1]);
	/* Also in the parent: no window where a signal to the group misses it. */
	if (o->flags & RUN_NEW_PGRP)
		setpgid(pid, pid);
	do
		n = read(p[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == 0)
		return pid;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(f))
		return error("cannot run '%s': the child failed before exec", argv[0]);
	f.what[sizeof(f.what) - 1] = '\0';
	if (!strcmp(f.what, "exec"))
		return error("cannot run '%s': %s", argv[0], strerror(f.err));
	return error("cannot run '%s': %s: %s", argv[0], f.what, strerror(f.err));
}

int finish_argv(pid_t pid, const char *name, struct run_opts *o)
{
	uint64_t t0 = now_ns(), stop_at = 0;
	int status, stopping = 0;

	o->timed_out = 0;
	for (;;) {
		/* Nothing to watch: just block. */
		pid_t w = waitpid(pid, &status, o->timeout_ms || o->poll ? WNOHANG : 0);

		if (w == pid)
			break;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			error_errno("waitpid for '%s'", name);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		if (!stopping) {
			int late = o->timeout_ms && now_ns() - t0 > o->timeout_ms * 1000000ULL;

			if (late)
				o->timed_out = 1;
			if (late || (o->poll && o->poll(o->arg))) {
				kill(pid, SIGTERM);
				stopping = 1;
				stop_at = now_ns();
			}
		} else if (now_ns() - stop_at > 3000000000ULL) {
			kill(pid, SIGKILL);
		}
		sleep_ns(100000000ULL);
	}
	if (WIFSIGNALED(status))
		return 256 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int run_argv_opts(const char *const *argv, struct run_opts *o)
{
	pid_t pid = start_argv(argv, o);

	if (pid < 0)
		return -1;
	return finish_argv(pid, argv[0], o);
}

int run_argv(const char *const *argv, int out_fd, int err_fd)
{
	struct run_opts o = RUN_OPTS_INIT;
	int st;

	o.out_fd = out_fd;
	o.err_fd = err_fd;
	st = run_argv_opts(argv, &o);
	if (st > 255)
		return error("'%s' died from signal %d", argv[0], st - 256);
	return st;
}

#define WORK_DIR_KEEP ".swaplab-keep"

int keep_work_dir(const char *dir)
{
	char *path = xstrfmt("%s/" WORK_DIR_KEEP, dir);
	int ret = write_file_atomic(path, "", 0);

	free(path);
	return ret;
}

static int pid_alive(long pid)
{
	return pid == getpid() || kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int reap_dead_owners(const char *parent, const char *prefix)
{
	size_t plen = strlen(prefix);
	DIR *d = opendir(parent);
	struct dirent *e;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		const char *p;
		char *end, *path;
		long pid;

		if (strncmp(e->d_name, prefix, plen))
			continue;
		p = e->d_name + plen;
		/* <kind>.<pid>.: skip the kind (it has no dots) */
		if (!isdigit((unsigned char)*p) && (p = strchr(p, '.')))
			p++;
		if (!p || !isdigit((unsigned char)*p))
			continue;
		pid = strtol(p, &end, 10);
		if (*end != '.' || pid <= 0 || pid_alive(pid))
			continue;
		path = xstrfmt("%s/%s/" WORK_DIR_KEEP, parent, e->d_name);
		if (access(path, F_OK) == 0) {
			free(path);
			continue;
		}
		free(path);
		path = xstrfmt("%s/%s", parent, e->d_name);
		/* Another user's leftovers may not be ours to remove: not an error. */
		{
			const char *argv[] = { "rm", "-rf", "--", path, NULL };
			int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (run_argv(argv, devnull, devnull) == 0)
				n++;
			if (devnull >= 0)
				close(devnull);
		}
		free(path);
	}
	closedir(d);
	return n;
}

char *make_work_dir(const char *what)
{
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *dir;

	reap_dead_owners(tmp, "swaplab-");
	dir = xstrfmt("%s/swaplab-%s.%d.XXXXXX", tmp, what, (int)getpid());
	if (!mkdtemp(dir)) {
		error_errno("cannot create a work directory in '%s'", tmp);
		free(dir);
		return NULL;
	}
	return dir;
}

int rm_rf(const char *path)
{
	const char *argv[] = { "rm", "-rf", "--", path, NULL };

	return run_argv(argv, -1, -1) == 0 ? 0 : error("cannot remove '%s'", path);
}

int run_argv_capture(const char *const *argv, char **out)
{
	struct run_opts o = RUN_OPTS_INIT;
	int p[2], st;
	size_t len = 0, alloc = 0;
	char *buf = NULL;
	pid_t pid;

	/* Callers free (and some read) *out whatever happened. */
	*out = xstrdup("");
	if (pipe2(p, O_CLOEXEC) < 0)
		return error_errno("pipe");
	o.out_fd = p[1];
	pid = start_argv(argv, &o);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	for (;;) {
		ssize_t n;

		ALLOC_GROW(buf, len + 4096 + 1, alloc);
		n = read(p[0], buf + len, alloc - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	buf[len] = '\0';
	free(*out);
	*out = buf;
	st = finish_argv(pid, argv[0], &o);
	if (st > 255)
		return error("'%s' died from signal %d", argv[0], st - 256);
	return st;
}

int have_program(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *dir;
	int found = 0;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *full = xstrfmt("%s/%s", dir, name);

		found = access(full, X_OK) == 0;
		free(full);
	}
	free(copy);
	return found;
}

void json_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_put_member(FILE *f, const char *key, const char *value)
{
	fprintf(f, ",\"%s\":", key);
	json_put_string(f, value);
}

void csv_put_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

char *source_tree_path(const char *rel, const char *marker)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int up;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/'), *cand, *m;
		struct stat st;
		int ok;

		if (!slash || slash == exe)
			break;
		*slash = '\0';
		cand = xstrfmt("%s/%s", exe, rel);
		m = marker ? xstrfmt("%s/%s", cand, marker) : xstrdup(cand);
		ok = stat(m, &st) == 0;
		free(m);
		if (ok)
			return cand;
		free(cand);
	}
	return NULL;
}
