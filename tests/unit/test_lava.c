/*
 * test_lava.c - the lab's LAVA pieces that need no server: shell and YAML
 * quoting, job definitions (content and refusals), LAVA log lines in the
 * dialect lava_common.log.dump() writes, judging a finished job from its
 * log, the configuration files (and that no message shows the token), and
 * URL handling of the HTTP layer.
 */
#include "lab/plan.h"
#include "tap.h"
#include "lab/config.h"
#include "lab/device.h"
#include "common/http.h"
#include "lab/lava.h"
#include "common/json.h"
#include "common/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/test_lava.XXXXXX";
static const char *TOKEN = "s3cr3t-T0KEN-abcdef0123456789";

static void put(const char *path, const char *text)
{
	write_file_atomic(path, text, strlen(text));
}

/* Runs fn with stderr captured into a malloc'd string. */
static char *capture_stderr(int (*fn)(void *), void *arg, int *ret)
{
	char *path = xstrfmt("%s/stderr", tmp), *out;
	int saved = dup(2), fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	size_t len;

	fflush(stderr);
	dup2(fd, 2);
	*ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	out = slurp_file(path, &len);
	free(path);
	return out ? out : xstrdup("");
}

static void test_quoting(void)
{
	char *q, *buf = NULL;
	size_t len = 0;
	FILE *f;

	q = sh_quote("plain");
	is_str(q, "'plain'", "sh_quote plain");
	free(q);
	q = sh_quote("it's $(rm -rf /)");
	is_str(q, "'it'\\''s $(rm -rf /)'", "sh_quote escapes a single quote, leaves $() inert");
	free(q);
	f = open_memstream(&buf, &len);
	yaml_put_string(f, "a\"b\\c\nd\x01: #x");
	fclose(f);
	is_str(buf, "\"a\\\"b\\\\c\\nd\\x01: #x\"", "yaml_put_string escapes quotes, backslash, controls");
	free(buf);
}

static struct lab_plan plan_of(char **argv)
{
	struct lab_plan p = { argv, 0 };

	while (argv[p.argc])
		p.argc++;
	return p;
}

static void test_jobs(void)
{
	char *kernel = xstrfmt("%s/bzImage", tmp), *rd = xstrfmt("%s/initramfs.cpio.gz", tmp);
	char *dtb = xstrfmt("%s/bcm2711-rpi-4-b.dtb", tmp), *img = xstrfmt("%s/Image", tmp);
	char *root = xstrfmt("%s/rootfs.tar.xz", tmp), *mods = xstrfmt("%s/modules.tar.xz", tmp);
	char *argv[] = { "--backend", "zram", "--sizes", "64M", "--note", "it's", NULL };
	struct lab_plan plan = plan_of(argv);
	struct lab_kernel k = { .label = "patched", .commit = "abc123" };
	struct lava_job_opts o;
	char *def;

	put(kernel, "k");
	put(rd, "r");
	put(dtb, "d");
	put(img, "i");
	put(root, "f");
	put(mods, "m");

	memset(&o, 0, sizeof(o));
	o.type = LAVA_DT_QEMU;
	o.art.kernel = kernel;
	o.art.ramdisk = rd;
	o.plan = &plan;
	o.device_label = "lava-qemu";
	o.kernel = &k;
	o.no_kvm = 1;
	def = lava_job_definition(&o);
	ok(def != NULL, "qemu job definition");
	if (def) {
		ok(strstr(def, "device_type: qemu\n") != NULL, "device_type qemu");
		ok(strstr(def, "to: tmpfs") && strstr(def, "format: cpio.newc") &&
		   strstr(def, "lava: true"), "tmpfs deploy with LAVA's overlay inside the cpio");
		ok(strstr(def, "compression: gz") != NULL, "compression from the file name");
		ok(strstr(def, "-append 'console=ttyS0,115200 swaplab.shell=1'") != NULL,
		   "kernel command line: console, lab shell, no quiet");
		ok(strstr(def, "no_kvm: true") != NULL, "context no_kvm");
		ok(strstr(def, "\"file:///tmp/test_lava.") != NULL, "local files become file:// URLs");
		ok(strstr(def, "'--note' 'it'\\\\''s'") != NULL, "plan arguments shell-quoted inside YAML");
		ok(strstr(def, "'--json' '--device' 'lava-qemu'") != NULL, "--json and --device added");
		ok(strstr(def, "swaplab.kernel.label: \"patched\"") &&
		   strstr(def, "swaplab.kernel.commit: \"abc123\""), "kernel label and commit in metadata");
		ok(strstr(def, "lava-test-case \\\"$n\\\" --result pass --measurement") != NULL,
		   "figures reported as test cases with measurements");
		ok(strstr(def, "SWAPLAB-JSONL-END") != NULL, "full stream in the console protocol");
		free(def);
	}

	o.kernel_args = "quiet";
	def = lava_job_definition(&o);
	ok(def == NULL, "'quiet' on the kernel command line is refused");
	o.kernel_args = "mitigations=off 'x";
	def = lava_job_definition(&o);
	ok(def == NULL, "quotes in kernel arguments are refused");
	o.kernel_args = NULL;
	o.art.dtb = dtb;
	def = lava_job_definition(&o);
	ok(def == NULL, "qemu with a dtb is refused");
	o.art.dtb = NULL;
	o.art.ramdisk = "/nonexistent/initramfs.cpio.gz";
	def = lava_job_definition(&o);
	ok(def == NULL, "a missing local artifact is refused");
	o.art.ramdisk = "ftp://x/y";
	def = lava_job_definition(&o);
	ok(def == NULL, "an ftp:// artifact is refused");

	memset(&o, 0, sizeof(o));
	o.type = LAVA_DT_RPI4;
	o.art.kernel = img;
	o.art.ramdisk = rd;
	o.plan = &plan;
	o.device_label = "rpi4-01";
	def = lava_job_definition(&o);
	ok(def == NULL, "bcm2711-rpi-4-b without a dtb is refused");
	o.art.dtb = dtb;
	o.artifact_base = "http://files.example.org/swaplab/";
	def = lava_job_definition(&o);
	ok(def != NULL, "bcm2711-rpi-4-b ramdisk job");
	if (def) {
		ok(strstr(def, "device_type: bcm2711-rpi-4-b\n") && strstr(def, "to: tftp") &&
		   strstr(def, "method: u-boot") && strstr(def, "commands: ramdisk"),
		   "tftp deploy, u-boot ramdisk boot");
		ok(strstr(def, "\"http://files.example.org/swaplab/bcm2711-rpi-4-b.dtb\"") != NULL,
		   "artifacts under the published base URL");
		ok(strstr(def, "extra_kernel_args: \"earlycon=uart,mmio32,0xfe215040 swaplab.shell=1\"") != NULL,
		   "earlycon kept, lab shell asked for");
		free(def);
	}
	o.art.ramdisk = NULL;
	o.art.rootfs = root;
	o.art.modules = mods;
	o.art.swapbench = kernel;
	def = lava_job_definition(&o);
	ok(def != NULL, "bcm2711-rpi-4-b NFS job");
	if (def) {
		ok(strstr(def, "nfsrootfs:") && strstr(def, "commands: nfs") &&
		   strstr(def, "modules:") && strstr(def, "compression: xz"), "NFS root, modules tarball");
		ok(strstr(def, "wget -q -O /tmp/swapbench 'http://files.example.org/swaplab/bzImage'") != NULL,
		   "swapbench downloaded by the test");
		free(def);
	}
	o.artifact_base = NULL;
	def = lava_job_definition(&o);
	ok(def == NULL, "a board cannot download swapbench from file://");
	free(kernel); free(rd); free(dtb); free(img); free(root); free(mods);
}

static void test_flow(void)
{
	char *j = NULL;
	struct json_doc *doc;
	struct json *root, *msg;
	const char *s;
	char err[64];
	const char *line =
		"- {\"dt\": \"2023\", \"lvl\": \"results\", \"msg\": {\"case\": \"x\", \"measurement\": ! \"1.5\", "
		"\"n\": !!int \"3\", \"s\": \"a\\e[0m\\xE9\\t\\\"q\\\\\\\\ \\L\", \"l\": [\"a\", ! \"b\"]}}";

	ok(lava_yaml_flow_to_json(line, strlen(line), &j) == 0, "a results line converts");
	doc = j ? json_parse(j, strlen(j), &root, err, sizeof(err)) : NULL;
	ok(doc != NULL, "to valid JSON");
	if (doc) {
		msg = json_get(root, "msg");
		ok(json_get_str(msg, "measurement", &s) == 0 && !strcmp(s, "1.5"), "tagged scalar kept as text");
		ok(json_get_str(msg, "s", &s) == 0 && !strcmp(s, "a\x1b[0m\xc3\xa9\t\"q\\\\ \xe2\x80\xa8"),
		   "YAML escapes decoded (\\e, \\xE9 as UTF-8, \\L)");
		ok(json_get(msg, "l") && json_get(msg, "l")->len == 2, "flow sequences");
		json_doc_free(doc);
	}
	free(j);
	j = NULL;
	ok(lava_yaml_flow_to_json("{\"a\": \"unterminated}", 19, &j) < 0, "unterminated string refused");
	ok(lava_yaml_flow_to_json("plain text", 10, &j) < 0, "not a mapping refused");
	ok(lava_yaml_flow_to_json("{dt: 2023-01-01T10:00:00, lvl: info, msg: hi}", 45, &j) == 0,
	   "plain scalars (hand-written logs)");
	free(j);
}

/* A LAVA log as lava-run writes it, console escaped the 2023.01 way. */
static char *make_log(const char *job_result, const char *stream_tweak)
{
	const char *jsonl = "{\"type\":\"env\",\"schema\":1}\n"
			    "{\"type\":\"sample\",\"backend\":\"zram\",\"munmap_ns\":5}\n"
			    "{\"type\":\"end\",\"status\":\"ok\",\"samples\":1}\n";
	char *buf = NULL, *sum;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *p = jsonl;
	int n = 0;
	const char *argv[] = { "sha256sum", NULL };
	char *path = xstrfmt("%s/stream", tmp);

	put(path, jsonl);
	{
		const char *a[] = { "sh", "-c", "sha256sum < \"$0\" | cut -d' ' -f1", path, NULL };

		run_argv_capture(a, &sum);
	}
	(void)argv;
	sum[strcspn(sum, "\n")] = '\0';
	fputs("- {\"dt\": \"1\", \"lvl\": \"info\", \"msg\": \"start\"}\n", f);
	fputs("- {\"dt\": \"2\", \"lvl\": \"target\", \"msg\": \"SWAPLAB-RC 0\"}\n", f);
	fputs("- {\"dt\": \"3\", \"lvl\": \"target\", \"msg\": \"SWAPLAB-JSONL-BEGIN\"}\n", f);
	while (*p) {
		const char *nl = strchr(p, '\n');
		char *line = xstrfmt("%.*s", (int)(nl - p), p);

		n++;
		if (!(stream_tweak && !strcmp(stream_tweak, "drop") && n == 2)) {
			fprintf(f, "- {\"dt\": \"4\", \"lvl\": \"target\", \"msg\": \"SWAPLAB-JSONL %d ", n);
			/* the dump of LAVA's '\"' is '\\\"' */
			for (char *c = line; *c; c++)
				fputs(*c == '"' ? "\\\\\\\"" : (char[2]){ *c, 0 }, f);
			fputs("\"}\n", f);
		}
		free(line);
		p = nl + 1;
	}
	fprintf(f, "- {\"dt\": \"5\", \"lvl\": \"target\", \"msg\": \"SWAPLAB-JSONL-END %d %s\"}\n", n,
		stream_tweak && !strcmp(stream_tweak, "sum") ? "00" : sum);
	fputs("- {\"dt\": \"6\", \"lvl\": \"results\", \"msg\": {\"case\": \"zram-64M-1p-run1-p0-munmap_ms\", "
	      "\"definition\": \"0_swaplab\", \"measurement\": ! \"5.0e-06\", \"result\": \"pass\", \"units\": \"ms\"}}\n", f);
	fprintf(f, "- {\"dt\": \"7\", \"lvl\": \"results\", \"msg\": {\"case\": \"job\", \"definition\": \"lava\", %s}}\n",
		job_result);
	fclose(f);
	free(sum);
	free(path);
	return buf;
}

static void test_log_and_outcome(void)
{
	struct lava_log log;
	struct lab_result res;
	char *text = make_log("\"result\": \"pass\"", NULL), *out = xstrfmt("%s/out.jsonl", tmp);
	int again;
	size_t len;
	char *got;

	lava_log_parse(text, strlen(text), &log);
	is_int(log.nr_cases, 2, "two results read");
	is_str(log.cases[0].name, "zram-64M-1p-run1-p0-munmap_ms", "test case name");
	ok(log.cases[0].has_measurement && log.cases[0].measurement == 5e-6, "measurement");
	is_str(log.cases[0].units, "ms", "units");
	is_int(log.job_result, 1, "lava/job pass");
	is_int(log.bad_lines, 0, "every line understood");
	memset(&res, 0, sizeof(res));
	again = lava_outcome("Complete", &log, "7", out, &res);
	is_int(res.status, LAB_COMPLETE, "complete job with an intact stream");
	is_int(again, 0, "not retried");
	got = slurp_file(out, &len);
	ok(got && strstr(got, "{\"type\":\"sample\",\"backend\":\"zram\",\"munmap_ns\":5}\n"),
	   "stream rebuilt with LAVA's quote escaping undone");
	free(got);
	lab_result_release(&res);
	lava_log_release(&log);
	free(text);

	text = make_log("\"result\": \"pass\"", "sum");
	lava_log_parse(text, strlen(text), &log);
	memset(&res, 0, sizeof(res));
	again = lava_outcome("Complete", &log, "8", out, &res);
	ok(res.status == LAB_INFRA_ERROR && again == 1, "checksum mismatch: infrastructure, retried");
	ok(access(out, F_OK) < 0, "and nothing left as a result");
	lab_result_release(&res);
	lava_log_release(&log);
	free(text);

	text = make_log("\"result\": \"pass\"", "drop");
	lava_log_parse(text, strlen(text), &log);
	memset(&res, 0, sizeof(res));
	again = lava_outcome("Complete", &log, "9", out, &res);
	ok(res.status == LAB_INFRA_ERROR && res.message && strstr(res.message, "damaged"),
	   "a lost line is detected");
	lab_result_release(&res);
	lava_log_release(&log);
	free(text);

	text = make_log("\"result\": \"fail\", \"error_type\": \"Infrastructure\", \"error_msg\": \"power failed\"", NULL);
	lava_log_parse(text, strlen(text), &log);
	is_str(log.error_type, "Infrastructure", "error type read");
	memset(&res, 0, sizeof(res));
	again = lava_outcome("Incomplete", &log, "10", out, &res);
	ok(res.status == LAB_INFRA_ERROR && again == 1 && strstr(res.message, "power failed"),
	   "Incomplete with Infrastructure error: retried, message kept");
	lab_result_release(&res);
	lava_log_release(&log);
	free(text);

	text = make_log("\"result\": \"fail\", \"error_type\": \"Job\", \"error_msg\": \"bad definition\"", NULL);
	lava_log_parse(text, strlen(text), &log);
	memset(&res, 0, sizeof(res));
	again = lava_outcome("Incomplete", &log, "11", out, &res);
	ok(res.status == LAB_FAILED && again == 0 && strstr(res.message, "Job error: bad definition"),
	   "Incomplete with Job error: a failure with LAVA's type and message");
	lab_result_release(&res);
	memset(&res, 0, sizeof(res));
	lava_outcome("Canceled", &log, "12", out, &res);
	is_int(res.status, LAB_CANCELED, "Canceled");
	lab_result_release(&res);
	lava_log_release(&log);
	free(text);

	{
		const char *l = "- {\"lvl\": \"results\", \"msg\": {\"case\": \"job\", \"definition\": \"lava\", \"result\": \"pass\"}}\n";

		lava_log_parse(l, strlen(l), &log);
	}
	memset(&res, 0, sizeof(res));
	lava_outcome("Complete", &log, "13", out, &res);
	ok(res.status == LAB_FAILED && strstr(res.message, "no benchmark stream"),
	   "complete job without a stream is a failure");
	lab_result_release(&res);
	lava_log_release(&log);
	free(out);
}

struct load_arg {
	struct lava_config cfg;
	const char *identity;
};

static int do_load(void *arg)
{
	struct load_arg *a = arg;

	return lava_config_load(&a->cfg, a->identity);
}

struct parse_arg {
	const char *yaml, *identity;
	struct lava_config *cfg;
};

static int do_parse_lavacli(void *arg)
{
	struct parse_arg *a = arg;

	return lava_config_parse_lavacli("cli.yaml", a->yaml, a->identity, a->cfg);
}

static char *capture_stderr_parse_lavacli(const char *yaml, const char *identity,
					  struct lava_config *cfg, int *ret)
{
	struct parse_arg a = { yaml, identity, cfg };

	return capture_stderr(do_parse_lavacli, &a, ret);
}

static void test_config(void)
{
	struct lava_config cfg;
	struct load_arg la;
	char *conf = xstrfmt("%s/lava.conf", tmp), *text, *err;
	char *xdg = xstrfmt("%s/xdg", tmp), *cli = xstrfmt("%s/xdg/lavacli.yaml", tmp);
	int ret;

	memset(&cfg, 0, sizeof(cfg));
	text = xstrfmt("# server\nurl = https://lava.example.org/\ntoken = %s\ntimeout = 2.5\n", TOKEN);
	ok(lava_config_parse_conf("c", text, &cfg) == 0, "lava.conf parsed");
	is_str(cfg.url, "https://lava.example.org", "trailing slash dropped");
	is_str(cfg.token, TOKEN, "token read");
	ok(cfg.timeout_s == 2.5, "timeout read");
	lava_config_release(&cfg);
	free(text);

	text = xstrfmt("url = https://x\n%s\n", TOKEN);
	err = NULL;
	{
		struct lava_config c2;

		memset(&c2, 0, sizeof(c2));
		la.identity = NULL;
		put(conf, text);
		chmod(conf, 0600);
		setenv("SWAPLAB_LAVA_CONFIG", conf, 1);
		unsetenv("SWAPLAB_LAVA_URL");
		unsetenv("SWAPLAB_LAVA_TOKEN");
		err = capture_stderr(do_load, &la, &ret);
		ok(ret < 0 && strstr(err, ":2: expected 'key = value'"), "a bare line is refused with file and line");
		ok(!strstr(err, TOKEN), "without quoting the line (it may be a token)");
		free(err);
		(void)c2;
	}
	free(text);

	text = xstrfmt("url = https://lava.example.org\ntoken = %s\n", TOKEN);
	put(conf, text);
	chmod(conf, 0644);
	err = capture_stderr(do_load, &la, &ret);
	ok(ret < 0 && strstr(err, "readable by others (mode 0644)") && strstr(err, "chmod 600"),
	   "a token file readable by others is refused, saying how to fix it");
	ok(!strstr(err, TOKEN), "the token is not in that message");
	free(err);
	chmod(conf, 0600);
	err = capture_stderr(do_load, &la, &ret);
	ok(ret == 0 && la.cfg.token && !strcmp(la.cfg.token, TOKEN), "a 0600 file is used");
	if (ret == 0)
		lava_config_release(&la.cfg);
	free(err);
	setenv("SWAPLAB_LAVA_TOKEN", "envtoken", 1);
	setenv("SWAPLAB_LAVA_URL", "http://127.0.0.1:9/", 1);
	err = capture_stderr(do_load, &la, &ret);
	ok(ret == 0 && !strcmp(la.cfg.token, "envtoken") && !strcmp(la.cfg.url, "http://127.0.0.1:9"),
	   "the environment overrides the file");
	if (ret == 0)
		lava_config_release(&la.cfg);
	free(err);
	unsetenv("SWAPLAB_LAVA_TOKEN");
	unsetenv("SWAPLAB_LAVA_URL");
	unsetenv("SWAPLAB_LAVA_CONFIG");
	free(text);

	/* lavacli's identities */
	mkdir(xdg, 0700);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	text = xstrfmt("default:\n  uri: https://lava.example.org/RPC2\n  username: me\n  token: %s\n"
		       "other:\n  uri: http://10.1.1.1/RPC2/\n  token: \"t2\"\n", TOKEN);
	put(cli, text);
	chmod(cli, 0600);
	la.identity = NULL;
	err = capture_stderr(do_load, &la, &ret);
	ok(ret == 0 && !strcmp(la.cfg.url, "https://lava.example.org") && !strcmp(la.cfg.token, TOKEN),
	   "lavacli default identity, /RPC2 dropped");
	if (ret == 0)
		lava_config_release(&la.cfg);
	free(err);
	la.identity = "other";
	err = capture_stderr(do_load, &la, &ret);
	ok(ret == 0 && !strcmp(la.cfg.url, "http://10.1.1.1") && !strcmp(la.cfg.token, "t2"),
	   "lavacli identity by name, quotes removed");
	if (ret == 0)
		lava_config_release(&la.cfg);
	free(err);
	la.identity = "missing";
	err = capture_stderr(do_load, &la, &ret);
	ok(ret < 0 && strstr(err, "no identity 'missing'"), "unknown identity named");
	free(err);
	chmod(cli, 0640);
	la.identity = NULL;
	err = capture_stderr(do_load, &la, &ret);
	ok(ret < 0 && strstr(err, "mode 0640") && !strstr(err, TOKEN), "lavacli.yaml must be private too");
	free(err);
	/* Any YAML lavacli reads (issue 14): libyaml, not a line reader. */
	{
		static const struct { const char *yaml, *id, *url, *token, *what; } cases[] = {
			{ "default:\n  uri: \"https://h/RPC2\"\n  token: \"ab\\\"c\"\n", "default",
			  "https://h", "ab\"c", "double-quoted escapes" },
			{ "default:\n  uri: 'https://h'\n  token: 'it''s'\n", "default",
			  "https://h", "it's", "single-quoted '' escape" },
			{ "# identities\ndefault: # the lab\n  uri: https://h # trailing comment\n"
			  "  token: abc#def\n", "default", "https://h", "abc#def", "comments, '#' inside a value" },
			{ "default:\n  uri: https://h\n  token: >-\n    folded\n", "default",
			  "https://h", "folded", "folded block scalar" },
			{ "default:\n  uri: https://h\n  token: |-\n    literal\n", "default",
			  "https://h", "literal", "literal block scalar" },
			{ "{default: {uri: 'https://h/RPC2', token: \"x\\u00e9\"}}\n", "default",
			  "https://h", "x\xc3\xa9", "flow style, \\u escape" },
			{ "---\nbase: &b {uri: https://h}\ndefault:\n  <<: *b\n  token: t\n...\n", "default",
			  "https://h", "t", "document markers, anchors and merge keys" },
			{ "default:\n  uri: https://h\n  token: t\n  proxy: ~\n  version: 2024.1\n  timeout:\n",
			  "default", "https://h", "t", "nulls and other keys ignored" },
			{ "\"my lab\":\n    uri: https://h\n    token: t\n", "my lab", "https://h", "t",
			  "a quoted identity name" },
		};
		size_t k;

		for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			memset(&cfg, 0, sizeof(cfg));
			err = capture_stderr_parse_lavacli(cases[k].yaml, cases[k].id, &cfg, &ret);
			ok(ret == 0 && cfg.url && !strcmp(cfg.url, cases[k].url) && cfg.token &&
			   !strcmp(cfg.token, cases[k].token), "lavacli.yaml: %s%s%s", cases[k].what,
			   ret ? ": " : "", ret ? err : "");
			free(err);
			lava_config_release(&cfg);
		}
	}
	{
		static const struct { const char *yaml, *msg, *what; } bad[] = {
			{ "default:\n  uri: https://h\n  token: [a, b]\n", ":3: 'token' must be a single value",
			  "a list as token" },
			{ "default:\n  uri: https://h\n  token: \"s3cr3t-T0KEN-abcdef0123456789\n", "not valid YAML", "unterminated quote" },
			{ "default: [1, 2]\n", ":1: identity 'default' is not a mapping", "identity not a mapping" },
			{ "- a\n- b\n", "expected a mapping of identities", "a list at the top" },
			{ "default:\n  uri: https://h\n---\nx: 1\n", "a second YAML document", "two documents" },
			{ "", "no identity 'default'", "an empty file" },
			{ "default:\n\turi: https://h\n", "not valid YAML", "a tab indent" },
		};
		size_t k;

		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			memset(&cfg, 0, sizeof(cfg));
			err = capture_stderr_parse_lavacli(bad[k].yaml, "default", &cfg, &ret);
			ok(ret < 0 && strstr(err, bad[k].msg) && !strstr(err, TOKEN), "lavacli.yaml refused: %s: %s",
			   bad[k].what, err);
			free(err);
			lava_config_release(&cfg);
		}
	}
	/* A token in another identity makes the file secret too. */
	free(text);
	text = xstrfmt("default:\n  uri: https://h\nother:\n  uri: https://o\n  token: %s\n", TOKEN);
	put(cli, text);
	chmod(cli, 0604);
	la.identity = NULL;
	err = capture_stderr(do_load, &la, &ret);
	ok(ret < 0 && strstr(err, "mode 0604") && !strstr(err, TOKEN),
	   "lavacli.yaml with any token must be private: %s", err);
	free(err);
	chmod(cli, 0600);
	err = capture_stderr(do_load, &la, &ret);
	ok(ret == 0 && !la.cfg.token && !strcmp(la.cfg.url, "https://h"), "the same file at 0600: no token for default");
	if (ret == 0)
		lava_config_release(&la.cfg);
	free(err);
	unlink(cli);
	err = capture_stderr(do_load, &la, &ret);
	ok(ret < 0 && strstr(err, "no LAVA server configured"), "nothing configured: says where to put it");
	free(err);
	unsetenv("XDG_CONFIG_HOME");
	free(text);
	free(conf);
	free(xdg);
	free(cli);
}

static void test_urls(void)
{
	const char *why;
	char *d = http_url_for_display("https://user:tok@host:8080/api?x=1");

	is_str(d, "https://host:8080/api?x=1", "credentials stripped for display");
	free(d);
	ok(!http_url_valid("https://user:tok@host/", &why) && strstr(why, "credentials"),
	   "credentials in URLs refused");
	ok(!http_url_valid("file:///etc/passwd", &why), "file:// refused");
	ok(!http_url_valid("http:///x", &why), "no host refused");
	ok(http_url_valid("http://127.0.0.1:8000/", &why), "plain http accepted");
}

/* lab_plan_check(): the benchmark's own parser, on the lab host (issue 14). */
static int plan_ok(const char *const *args)
{
	struct lab_plan p;
	size_t n = 0;
	int ret;

	while (args[n])
		n++;
	p.argv = (char **)args;
	p.argc = n;
	util_quiet = 1;
	ret = lab_plan_check(&p);
	util_quiet = 0;
	return ret == 0;
}

static void test_plan_check(void)
{
	const char *good[] = { "--backend", "zram,zswap", "--sizes", "64M,1G", "--procs=1,2", "--runs", "5", NULL };
	const char *none[] = { NULL };
	const char *bogus[] = { "--bogus-option", "--procs", "999", NULL };
	const char *procs[] = { "--procs", "999", NULL };
	const char *missing[] = { "--runs", NULL };
	const char *pos[] = { "zram", NULL };
	const char *help[] = { "--help", NULL };
	const char *db[] = { "--db=x.db", NULL };

	ok(plan_ok(good), "plan check: a good plan passes");
	ok(plan_ok(none), "plan check: the empty plan (swapbench's defaults) passes");
	ok(!plan_ok(bogus), "plan check: an unknown option refused");
	ok(!plan_ok(procs), "plan check: --procs 999 refused");
	ok(!plan_ok(missing), "plan check: an option without its value refused");
	ok(!plan_ok(pos), "plan check: a bare word refused");
	ok(!plan_ok(help), "plan check: --help is no run");
	ok(!plan_ok(db), "plan check: --db is swaplab's, not the board's");
}

int main(void)
{
	set_progname("test_lava");
	if (!mkdtemp(tmp))
		return 1;
	test_quoting();
	test_jobs();
	test_flow();
	test_log_and_outcome();
	test_config();
	test_urls();
	test_plan_check();
	{
		const char *rm[] = { "rm", "-rf", tmp, NULL };

		run_argv(rm, -1, -1);
	}
	return done_testing();
}
