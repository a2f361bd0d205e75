/* Unit tests: size, list, number and duration parsing of common/util.c,
 * and how it starts child processes. */
#include "tap.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn with stderr in a temporary file; returns what it wrote. */
static char *stderr_of(int (*fn)(const char *const *), const char *const *argv, int *ret)
{
	char path[] = "/tmp/swaplab-test-util.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	size_t len;
	char *text;

	fflush(stderr);
	dup2(fd, 2);
	*ret = fn(argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	text = slurp_file(path, &len);
	unlink(path);
	return text ? text : strdup("");
}

static int run_plain(const char *const *argv)
{
	return run_argv(argv, -1, -1);
}

static int run_capture(const char *const *argv)
{
	char *out = NULL;
	int st = run_argv_capture(argv, &out);

	free(out);
	return st;
}

static void test_children(void)
{
	const char *missing[] = { "swaplab-no-such-program", NULL };
	const char *exit127[] = { "sh", "-c", "exit 127", NULL };
	const char *exit3[] = { "sh", "-c", "exit 3", NULL };
	const char *echo[] = { "echo", "hello", NULL };
	const char *notexec[] = { "/dev/null", NULL };
	char *err, *out = NULL;
	int st;

	err = stderr_of(run_plain, missing, &st);
	ok(st == -1, "a missing program: -1 (%d)", st);
	ok(strstr(err, "cannot run 'swaplab-no-such-program': No such file or directory") != NULL,
	   "a missing program is reported as an exec failure: %s", err);
	free(err);
	err = stderr_of(run_capture, missing, &st);
	ok(st == -1 && strstr(err, "cannot run 'swaplab-no-such-program': No such file") != NULL,
	   "the same when capturing its output");
	free(err);
	err = stderr_of(run_plain, notexec, &st);
	ok(st == -1 && strstr(err, "cannot run '/dev/null': Permission denied") != NULL,
	   "a file that is not executable: the exec's errno (%s)", err);
	free(err);
	err = stderr_of(run_plain, exit127, &st);
	ok(st == 127, "a program that exits 127 by itself is exit 127 (%d)", st);
	ok(!strstr(err, "cannot run") && !strstr(err, "started"), "and is not called unstartable");
	free(err);
	is_int(run_argv(exit3, -1, -1), 3, "exit status passed through");
	ok(run_argv_capture(echo, &out) == 0 && out && !strcmp(out, "hello\n"), "output captured");
	free(out);
}

/* Work directories of dead owners are reaped; live, kept and foreign ones stay. */
static void test_work_dirs(void)
{
	char root[] = "/tmp/swaplab-test-reap.XXXXXX", *p, *dir;
	pid_t dead = fork();
	int n;

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);  /* a pid that is surely not running now */
	if (!mkdtemp(root)) {
		ok(0, "a scratch directory");
		return;
	}
#define MK(fmt, ...) do { p = xstrfmt("%s/" fmt, root, __VA_ARGS__); mkdir(p, 0700); free(p); } while (0)
	MK("swaplab-pipeline.%d.aaaaaa", (int)dead);
	MK("swaplab-run.%d.bbbbbb", (int)dead);
	MK("swaplab-run.%d.kept00", (int)dead);
	MK("swaplab-pipeline.%d.cccccc", (int)getpid());
	MK("swaplab-pipeline-%s", "oldfmt");
	MK("swaplab-it.%s", "123456");
	MK("other.%d.dddddd", (int)dead);
#undef MK
	p = xstrfmt("%s/swaplab-run.%d.kept00", root, (int)dead);
	ok(keep_work_dir(p) == 0, "a work directory marked as kept");
	free(p);
	n = reap_dead_owners(root, "swaplab-");
	ok(n == 2, "two directories of a dead owner removed (%d)", n);
#define GONE(fmt, ...) (p = xstrfmt("%s/" fmt, root, __VA_ARGS__), n = access(p, F_OK), free(p), n < 0)
	ok(GONE("swaplab-pipeline.%d.aaaaaa", (int)dead) && GONE("swaplab-run.%d.bbbbbb", (int)dead),
	   "they are the dead owner's pipeline and run directories");
	ok(!GONE("swaplab-run.%d.kept00", (int)dead), "a kept one stays");
	ok(!GONE("swaplab-pipeline.%d.cccccc", (int)getpid()), "a live owner's stays");
	ok(!GONE("swaplab-pipeline-%s", "oldfmt") && !GONE("swaplab-it.%s", "123456") &&
	   !GONE("other.%d.dddddd", (int)dead), "names without an owner, or another prefix, stay");
#undef GONE
	setenv("TMPDIR", root, 1);
	dir = make_work_dir("unit");
	p = xstrfmt("%s/swaplab-unit.%d.", root, (int)getpid());
	ok(dir && !strncmp(dir, p, strlen(p)), "make_work_dir: swaplab-<what>.<pid>.XXXXXX (%s)", dir);
	unsetenv("TMPDIR");
	free(p);
	free(dir);
	rm_rf(root);
}

int main(void)
{
	uint64_t v = 0, *list = NULL;
	unsigned u = 0, *ul = NULL;
	size_t n = 0;
	char buf[32];

	ok(parse_size("64M", &v) == 0 && v == 64ULL << 20, "64M");
	ok(parse_size("1G", &v) == 0 && v == 1ULL << 30, "1G");
	ok(parse_size("512k", &v) == 0 && v == 512ULL << 10, "lower-case k");
	ok(parse_size("4096", &v) == 0 && v == 4096, "bare bytes");
	ok(parse_size("2GiB", &v) == 0 && v == 2ULL << 30, "GiB suffix");
	ok(parse_size("128MB", &v) == 0 && v == 128ULL << 20, "MB suffix");
	ok(parse_size("", &v) < 0, "empty size rejected");
	ok(parse_size("M64", &v) < 0, "suffix first rejected");
	ok(parse_size("64X", &v) < 0, "unknown unit rejected");
	ok(parse_size("64MM", &v) < 0, "trailing garbage rejected");
	ok(parse_size("0M", &v) < 0, "zero rejected");
	ok(parse_size("-1M", &v) < 0, "negative rejected");
	ok(parse_size("99999999999999999999", &v) < 0, "overflow rejected");
	ok(parse_size("17179869184G", &v) < 0, "overflow after unit rejected");

	ok(parse_size_list("64M,128M,1G", &list, &n) == 0 && n == 3 && list[2] == 1ULL << 30,
	   "size list");
	free(list);
	list = NULL;
	ok(parse_size_list("64M,,128M", &list, &n) == 0 && n == 2, "empty element skipped");
	free(list);
	list = NULL;
	ok(parse_size_list("64M,abc", &list, &n) < 0 && !list, "bad element rejects list");
	ok(parse_size_list("", &list, &n) < 0, "empty list rejected");

	ok(parse_uint_list("1,2,3", 1, 64, &ul, &n) == 0 && n == 3 && ul[2] == 3, "uint list");
	free(ul);
	ul = NULL;
	ok(parse_uint_list("1,0", 1, 64, &ul, &n) < 0, "below minimum rejected");
	ok(parse_uint_list("65", 1, 64, &ul, &n) < 0, "above maximum rejected");
	ok(parse_uint("12", 1, 100, &u) == 0 && u == 12, "uint");
	ok(parse_uint("12a", 1, 100, &u) < 0, "uint with garbage rejected");
	ok(parse_uint("", 1, 100, &u) < 0, "empty uint rejected");

	ok(parse_duration_ms("10s", &v) == 0 && v == 10000, "10s");
	ok(parse_duration_ms("500ms", &v) == 0 && v == 500, "500ms");
	ok(parse_duration_ms("2m", &v) == 0 && v == 120000, "2m");
	ok(parse_duration_ms("3", &v) == 0 && v == 3000, "bare seconds");
	ok(parse_duration_ms("3h", &v) < 0, "unknown unit rejected");

	is_str(fmt_size(64ULL << 20, buf, sizeof(buf)), "64M", "fmt 64M");
	is_str(fmt_size(1ULL << 30, buf, sizeof(buf)), "1G", "fmt 1G");
	is_str(fmt_size(1536ULL << 10, buf, sizeof(buf)), "1.5M", "fmt 1.5M");
	is_str(fmt_size(100, buf, sizeof(buf)), "100", "fmt bytes");
	test_children();
	test_work_dirs();
	return done_testing();
}
