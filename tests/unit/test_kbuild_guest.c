/*
 * test_kbuild_guest.c - unit tests of the lab's guest side: the plan on
 * the kernel command line, the console protocol (intact, damaged, cut,
 * crashed guests), what a plan costs, and checking a JSON Lines stream.
 */
#include "common/sha256.h"
#include "lab/device.h"
#include "lab/initramfs.h"
#include "common/util.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/swaplab-test-guest.XXXXXX";

static void test_plan_param(void)
{
	char *args[] = { "--backend", "zram", "--sizes", "16M,32M" };
	char *bad[] = { "a\nb" };
	struct lab_plan p = { args, 4 }, q = { bad, 1 };
	char *s = initramfs_plan_param(&p);

	/* base64("--backend\nzram\n--sizes\n16M,32M\n") */
	is_str(s, "swaplab.plan=LS1iYWNrZW5kCnpyYW0KLS1zaXplcwoxNk0sMzJNCg==", "plan as base64 lines");
	free(s);
	ok(initramfs_plan_param(&q) == NULL, "an argument with a newline is refused");
}

static char *stream_console(const char *const *lines, size_t n, const char *noise_after1,
			    const char *bad_sum, long bad_count)
{
	char sum[SHA256_HEX_LEN + 1];
	struct sha256 c;
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);

	sha256_init(&c);
	for (i = 0; i < n; i++) {
		sha256_update(&c, lines[i], strlen(lines[i]));
		sha256_update(&c, "\n", 1);
	}
	sha256_final_hex(&c, sum);
	fprintf(f, "[    0.000000] Linux version 6.1.192 (swaplab@swaplab)\r\n");
	fprintf(f, "[    0.100000] Run /init as init process\r\n");
	fprintf(f, "SWAPLAB-GUEST start 1\r\n");
	fprintf(f, "swapbench: progress on stderr\r\n");
	fprintf(f, "SWAPLAB-RC 0\r\nSWAPLAB-JSONL-BEGIN\r\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "SWAPLAB-JSONL %zu %s\r\n", i + 1, lines[i]);
		if (i == 0 && noise_after1)
			fputs(noise_after1, f);
	}
	fprintf(f, "SWAPLAB-JSONL-END %ld %s\r\n", bad_count >= 0 ? bad_count : (long)n,
		bad_sum ? bad_sum : sum);
	fprintf(f, "SWAPLAB-GUEST done\r\n[    9.000000] reboot: Restarting system\r\n");
	fclose(f);
	return out;
}

static void test_console(void)
{
	static const char *const lines[] = {
		"{\"type\":\"env\",\"schema\":1}",
		"{\"type\":\"sample\",\"munmap_ns\":123}",
		"{\"type\":\"sample\",\"munmap_ns\":456}",
		"{\"type\":\"end\",\"status\":\"ok\",\"samples\":2}",
	};
	struct guest_report g;
	char *text, *out = xstrfmt("%s/out.jsonl", tmpdir), *got;
	size_t len;

	text = stream_console(lines, 4, NULL, NULL, -1);
	ok(guest_console_parse(text, strlen(text), out, &g) == 0, "parse an intact console");
	ok(g.banner && g.started && g.done && g.rc == 0, "banner, start, done, rc seen");
	ok(g.stream_ok && g.lines == 4 && !g.problem, "stream verified");
	got = slurp_file(out, &len);
	is_str(got, "{\"type\":\"env\",\"schema\":1}\n{\"type\":\"sample\",\"munmap_ns\":123}\n"
		    "{\"type\":\"sample\",\"munmap_ns\":456}\n{\"type\":\"end\",\"status\":\"ok\",\"samples\":2}\n",
	       "JSON Lines written verbatim, \\r stripped");
	free(got);
	is_str(g.last_line, "[    9.000000] reboot: Restarting system", "last console line");
	guest_report_release(&g);
	free(text);
	unlink(out);

	/* an emergency printk between lines does not hurt: it is not a data line */
	text = stream_console(lines, 4, "[    5.000000] emergency message\r\n", NULL, -1);
	guest_console_parse(text, strlen(text), out, &g);
	ok(g.stream_ok, "a kernel line between data lines is skipped");
	guest_report_release(&g);
	free(text);
	unlink(out);

	/* a data line damaged on the wire: checksum */
	text = stream_console(lines, 4, NULL, NULL, -1);
	*strstr(text, "munmap_ns\":123") = 'M';
	guest_console_parse(text, strlen(text), out, &g);
	ok(!g.stream_ok && g.stream_seen && g.problem && strstr(g.problem, "checksum"),
	   "a damaged line fails the checksum");
	ok(access(out, F_OK) != 0, "nothing written for a damaged stream");
	guest_report_release(&g);
	free(text);

	/* printk in the middle of a data line: the numbering breaks */
	text = stream_console(lines, 4, NULL, NULL, -1);
	{
		char *p = strstr(text, "SWAPLAB-JSONL 2 ");
		char *t = xstrfmt("%.*s[ 1.0] x\r\n%s", (int)(p - text), text, p + 3);

		free(text);
		text = t;
	}
	guest_console_parse(text, strlen(text), NULL, &g);
	ok(!g.stream_ok && g.problem && strstr(g.problem, "line 2"), "a split line is reported by number");
	guest_report_release(&g);
	free(text);

	/* a line lost */
	text = stream_console(lines, 4, NULL, NULL, -1);
	{
		char *p = strstr(text, "SWAPLAB-JSONL 3 "), *q = strstr(p, "\n") + 1;

		memmove(p, q, strlen(q) + 1);
	}
	guest_console_parse(text, strlen(text), NULL, &g);
	ok(!g.stream_ok && g.problem, "a lost line is detected");
	guest_report_release(&g);
	free(text);

	/* count disagrees */
	text = stream_console(lines, 4, NULL, NULL, 5);
	guest_console_parse(text, strlen(text), NULL, &g);
	ok(!g.stream_ok && g.problem && strstr(g.problem, "4 lines"), "a wrong count is detected");
	guest_report_release(&g);
	free(text);

	/* cut before the end marker */
	text = stream_console(lines, 4, NULL, NULL, -1);
	*strstr(text, "SWAPLAB-JSONL-END") = '\0';
	guest_console_parse(text, strlen(text), NULL, &g);
	ok(!g.stream_ok && !g.stream_seen && g.problem && strstr(g.problem, "cut"), "a cut stream is detected");
	guest_report_release(&g);
	free(text);

	/* a kernel that crashed, a guest error */
	text = xstrdup("Linux version 6.1\nSWAPLAB-GUEST start 1\n[ 3.2] Kernel panic - not syncing: Attempted to kill init!\n");
	guest_console_parse(text, strlen(text), NULL, &g);
	ok(g.panic && strstr(g.panic, "Attempted to kill init") && !g.stream_seen, "kernel panic found");
	guest_report_release(&g);
	free(text);
	text = xstrdup("Linux version 6.1\nSWAPLAB-GUEST start 1\nSWAPLAB-ERROR no plan: neither\nSWAPLAB-GUEST done\n");
	guest_console_parse(text, strlen(text), NULL, &g);
	is_str(g.guest_error, "no plan: neither", "guest error text");
	ok(g.rc == -1 && g.done, "no rc, done");
	guest_report_release(&g);
	free(text);
	guest_console_parse("", 0, NULL, &g);
	ok(!g.banner && !g.started && !g.last_line, "an empty console");
	guest_report_release(&g);
	free(out);
}

static void test_plan_cost(void)
{
	char *a1[] = { "--backend", "zram,zswap", "--sizes", "64M,256M", "--procs", "1,3", "--runs", "5" };
	char *a2[] = { "--sizes=16M" };
	char *a3[] = { "--sizes", "12Q" };
	struct lab_plan p1 = { a1, 8 }, p2 = { a2, 1 }, p3 = { a3, 2 };
	struct lab_plan_cost c;

	ok(lab_plan_cost(&p1, &c) == 0, "cost of a full plan");
	is_int(c.peak_bytes, 768ULL << 20, "peak: 256M x 3 processes");
	/* (64+192+256+768)M x 5 runs x 2 backends */
	is_int(c.total_bytes, 1280ULL * 5 * 2 << 20, "total bytes filled");
	is_int(c.cells, 8, "cells");
	ok(lab_plan_cost(&p2, &c) == 0 && c.peak_bytes == 16ULL << 20 && c.cells == 1, "--opt=value form, defaults");
	ok(lab_plan_cost(&p3, &c) < 0, "a bad size is an error");
}

static void test_plan_argv(void)
{
	char *a1[] = { "--sizes", "16M" }, *a2[] = { "--json", "--device=pi1", "--sizes", "16M" };
	struct lab_plan p1 = { a1, 2 }, p2 = { a2, 4 };
	size_t n;
	char **v = lab_plan_argv(&p1, "qemu-x86", &n);

	ok(n == 5 && !strcmp(v[2], "--json") && !strcmp(v[3], "--device") && !strcmp(v[4], "qemu-x86") &&
	   v[5] == NULL, "--json and --device added");
	lab_argv_free(v);
	v = lab_plan_argv(&p2, "qemu-x86", &n);
	ok(n == 4 && !strcmp(v[1], "--device=pi1"), "present ones kept, nothing added");
	lab_argv_free(v);
}

static void test_jsonl_check(void)
{
	char *path = xstrfmt("%s/s.jsonl", tmpdir), *msg;
	unsigned long n;
	const char *good = "{\"type\":\"env\"}\n{\"type\":\"sample\",\"x\":1}\n{\"type\":\"sample\",\"x\":2}\n"
			   "{\"type\":\"end\",\"status\":\"ok\",\"samples\":2}\n";
	const char *err = "{\"type\":\"env\"}\n{\"type\":\"end\",\"status\":\"error\",\"message\":\"no zram\"}\n";
	const char *cut = "{\"type\":\"env\"}\n{\"type\":\"sample\",\"x\":1}\n{\"type\":\"sam";

	write_file_atomic(path, good, strlen(good));
	is_int(lab_jsonl_check(path, &n, &msg), LAB_COMPLETE, "complete stream");
	is_int(n, 2, "two samples");
	free(msg);
	write_file_atomic(path, err, strlen(err));
	is_int(lab_jsonl_check(path, &n, &msg), LAB_FAILED, "end with status error");
	ok(msg && strstr(msg, "status error: no zram"), "its message is kept");
	free(msg);
	write_file_atomic(path, cut, strlen(cut));
	is_int(lab_jsonl_check(path, &n, &msg), LAB_FAILED, "cut stream");
	ok(msg && strstr(msg, "cut short"), "says it was cut");
	free(msg);
	write_file_atomic(path, "", 0);
	is_int(lab_jsonl_check(path, &n, &msg), LAB_FAILED, "empty stream");
	free(msg);
	unlink(path);
	is_int(lab_jsonl_check(path, &n, &msg), LAB_FAILED, "missing file");
	free(msg);
	free(path);
}

static void test_options(void)
{
	const char *opts[] = { "arch=arm64", "memory=2G", NULL }, *bad[] = { "colour=red", NULL };
	const char *known[] = { "arch", "memory", NULL };

	is_str(lab_option(opts, "arch"), "arm64", "option value");
	ok(lab_option(opts, "mem") == NULL, "no prefix match");
	ok(lab_check_options("qemu", opts, known) == 0, "known options accepted");
	ok(lab_check_options("qemu", bad, known) < 0, "an unknown option is an error");
	is_str(lab_status_name(LAB_INFRA_ERROR), "infra-error", "status name");
}

static void test_spawn_wait(void)
{
	const char *sleeper[] = { "sleep", "30", NULL }, *t[] = { "true", NULL }, *f[] = { "false", NULL };
	struct run_opts o = RUN_OPTS_INIT;
	uint64_t t0 = now_ns();
	int st;

	o.flags = RUN_DIE_WITH_PARENT;
	o.timeout_ms = 300;
	st = run_argv_opts(sleeper, &o);
	ok(o.timed_out && st == 256 + 15, "a program past its deadline gets SIGTERM (status %d)", st);
	ok(now_ns() - t0 < 5000000000ULL, "and is gone quickly");
	o.timeout_ms = 0;
	is_int(run_argv_opts(t, &o), 0, "exit 0");
	is_int(run_argv_opts(f, &o), 1, "exit 1");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_plan_param();
	test_console();
	test_plan_cost();
	test_plan_argv();
	test_jsonl_check();
	test_options();
	test_spawn_wait();
	rmdir(tmpdir);
	return done_testing();
}
