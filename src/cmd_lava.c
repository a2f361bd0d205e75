/*
 * cmd_lava.c - `swaplab lava`: the benchmark through LAVA.
 *
 *   job      print the job definition the lab would submit
 *   submit   submit a job definition (a file, or generated from options)
 *   status   a job's state and health (optionally waiting for the end)
 *   results  a job's test cases, and the benchmark stream rebuilt from its log
 *   run      run a plan on the `lava` device: submit (or lava-run), follow,
 *            collect; the samples are written as JSON Lines
 *
 * The plan is swapbench's own argument vector, after "--".
 */
#include "src/builtin.h"
#include "lab/device.h"
#include "lab/lava.h"
#include "lab/plan.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: swaplab lava job     --device-type <bcm2711-rpi-4-b|qemu> [<device options>] [-- <plan>]\n"
	"       swaplab lava submit  [--identity <name>] (<job.yaml> | - | <device options> -- <plan>)\n"
	"       swaplab lava status  [--identity <name>] [--wait] [--poll <dur>] [--timeout <dur>] <job-id>\n"
	"       swaplab lava results [--identity <name>] [--jsonl <file>] [--log <file>] <job-id>\n"
	"       swaplab lava run     --device-type <type> [--dispatcher server|lava-run] [--out <dir>]\n"
	"                            [--name <device label>] [--kernel-label <l>] [--kernel-commit <c>]\n"
	"                            [<device options>] -- <plan>\n"
	"\n"
	"device options (each also as --<option>=<value>):\n"
	"  --kernel <path|url>     bzImage (qemu) or arm64 Image (bcm2711-rpi-4-b)\n"
	"  --dtb <path|url>        bcm2711-rpi-4-b.dtb\n"
	"  --modules <path|url>    modules tarball (.tar.gz/.tar.xz)\n"
	"  --ramdisk <path|url>    the lab initramfs (cpio, .gz/.xz/.zst)\n"
	"  --rootfs <path|url>     root file system tarball for NFS (bcm2711-rpi-4-b)\n"
	"  --swapbench <path|url>  static swapbench to add to the ramdisk (qemu) or download (board)\n"
	"  --artifact-url <url>    where local artifacts are published: <url>/<file name>\n"
	"  --arch amd64|arm64  --memory <MiB>  --cpus <n>  --kvm (default: no KVM)  (qemu)\n"
	"  --kernel-args <args>  --prompt <shell prompt>  --login <user>\n"
	"  --job-timeout <dur>  --boot-timeout <dur>  --test-timeout <dur>\n"
	"  --priority high|medium|low  --visibility public|personal  --job-name <name>\n"
	"  --retries <n>  --poll <dur>  --timeout <dur> (give up following)  --identity <name>\n"
	"  --device-dict <file.jinja2>  --templates <dir[:dir]>               (lava-run)\n"
	"\n"
	"The server and token come from SWAPLAB_LAVA_URL / SWAPLAB_LAVA_TOKEN,\n"
	"~/.config/swaplab/lava.conf or lavacli's ~/.config/lavacli.yaml (docs/lava.md).\n";

static int usage_error(const char *fmt, const char *arg)
{
	if (fmt)
		error(fmt, arg);
	fputs(usage_text, stderr);
	return 129;
}

/* Options that become "key=value" for the lava device. */
static const char *const device_keys[] = {
	"device-type", "dispatcher", "kernel", "dtb", "modules", "ramdisk", "rootfs",
	"swapbench", "artifact-url", "arch", "kernel-args", "prompt", "login", "job-name",
	"priority", "visibility", "memory", "cpus", "job-timeout", "boot-timeout",
	"test-timeout", "retries", "poll", "identity", "device-dict", "templates",
};

struct args {
	char **dev_opts;
	size_t nr_dev, alloc_dev;
	struct lab_plan plan;
	const char *name, *kernel_label, *kernel_commit, *out, *jsonl, *log;
	const char *identity, *timeout, *poll;
	int wait;
	char **pos;          /* positional arguments */
	size_t nr_pos, alloc_pos;
	int has_device_opts;
};

static void args_release(struct args *a)
{
	for (size_t i = 0; i < a->nr_dev; i++)
		free(a->dev_opts[i]);
	free(a->dev_opts);
	free(a->pos);
}

static void add_dev_opt(struct args *a, const char *key, const char *val)
{
	ALLOC_GROW(a->dev_opts, a->nr_dev + 2, a->alloc_dev);
	a->dev_opts[a->nr_dev++] = xstrfmt("%s=%s", key, val);
	a->dev_opts[a->nr_dev] = NULL;
}

/* Parses argv[1..]; returns 0 or an exit code. */
static int parse_args(int argc, char **argv, struct args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		char key[40];
		const char *eq;
		size_t k;

		if (!strcmp(arg, "--")) {
			a->plan.argv = argv + i + 1;
			a->plan.argc = (size_t)(argc - i - 1);
			break;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(usage_text, stdout);
			return -1;
		}
		if (strncmp(arg, "--", 2) || !strcmp(arg, "-")) {
			ALLOC_GROW(a->pos, a->nr_pos + 1, a->alloc_pos);
			a->pos[a->nr_pos++] = (char *)arg;
			continue;
		}
		eq = strchr(arg, '=');
		if ((eq ? (size_t)(eq - arg) : strlen(arg)) - 2 >= sizeof(key))
			return usage_error("unknown option '%s'", arg);
		snprintf(key, sizeof(key), "%.*s", (int)((eq ? (size_t)(eq - arg) : strlen(arg)) - 2), arg + 2);
		if (!strcmp(key, "wait") && !eq) {
			a->wait = 1;
			continue;
		}
		if (!strcmp(key, "kvm")) {
			add_dev_opt(a, "kvm", "1");
			a->has_device_opts = 1;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else {
			if (i + 1 >= argc)
				return usage_error("option '%s' needs a value", arg);
			val = argv[++i];
		}
		if (!strcmp(key, "name")) a->name = val;
		else if (!strcmp(key, "kernel-label")) a->kernel_label = val;
		else if (!strcmp(key, "kernel-commit")) a->kernel_commit = val;
		else if (!strcmp(key, "out")) a->out = val;
		else if (!strcmp(key, "jsonl")) a->jsonl = val;
		else if (!strcmp(key, "log")) a->log = val;
		else if (!strcmp(key, "timeout")) {
			a->timeout = val;
			add_dev_opt(a, "wait", val); /* run: how long to follow a job */
		}
		else {
			for (k = 0; k < ARRAY_SIZE(device_keys); k++)
				if (!strcmp(key, device_keys[k]))
					break;
			if (k == ARRAY_SIZE(device_keys))
				return usage_error("unknown option '%s'", arg);
			if (!strcmp(key, "identity"))
				a->identity = val;
			if (!strcmp(key, "poll"))
				a->poll = val;
			add_dev_opt(a, key, val);
			if (strcmp(key, "identity") && strcmp(key, "poll"))
				a->has_device_opts = 1;
		}
	}
	return 0;
}

static int device_from_args(struct args *a, struct lab_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	if (lab_plan_check(&a->plan) < 0)
		return -1;
	dev->ops = &lab_lava_ops;
	if (lab_lava_ops.init(dev, (const char *const *)a->dev_opts) < 0)
		return -1;
	if (a->name) {
		dev->name = xstrdup(a->name);
	} else {
		const char *type = "qemu";

		for (size_t i = 0; i < a->nr_dev; i++)
			if (!strncmp(a->dev_opts[i], "device-type=", 12))
				type = a->dev_opts[i] + 12;
		dev->name = xstrfmt("lava-%s", !strcmp(type, "rpi4") ? "bcm2711-rpi-4-b" : type);
	}
	return 0;
}

static void device_release(struct lab_device *dev)
{
	if (dev->ops)
		dev->ops->release(dev);
	free(dev->name);
}

static char *job_from_args(struct args *a)
{
	struct lab_device dev;
	struct lab_kernel k = { .label = a->kernel_label, .commit = a->kernel_commit };
	char *def;

	if (device_from_args(a, &dev) < 0)
		return NULL;
	def = lava_device_job(&dev, &a->plan, &k);
	device_release(&dev);
	return def;
}

static int cmd_lava__job(int argc, char **argv)
{
	struct args a;
	char *def;
	int ret = parse_args(argc, argv, &a);

	if (ret) {
		args_release(&a);
		return ret < 0 ? 0 : ret;
	}
	if (a.nr_pos) {
		args_release(&a);
		return usage_error("unexpected argument '%s' (the plan goes after --)", a.pos[0]);
	}
	def = job_from_args(&a);
	args_release(&a);
	if (!def)
		return 1;
	fputs(def, stdout);
	free(def);
	return 0;
}

static int client_open(const char *identity, struct lava_config *cfg, struct lava_client *c)
{
	if (lava_config_load(cfg, identity) < 0)
		return -1;
	if (lava_client_init(c, cfg) < 0) {
		lava_config_release(cfg);
		return -1;
	}
	return 0;
}

static int parse_job_id(const char *s, long *id)
{
	char *end;

	*id = strtol(s, &end, 10);
	if (end == s || *end || *id <= 0)
		return error("'%s' is not a LAVA job id", s);
	return 0;
}

static int cmd_lava__submit(int argc, char **argv)
{
	struct lava_config cfg;
	struct lava_client c;
	struct args a;
	char *def = NULL;
	size_t len;
	long id;
	int ret = parse_args(argc, argv, &a);

	if (ret) {
		args_release(&a);
		return ret < 0 ? 0 : ret;
	}
	if (a.nr_pos > 1 || (a.nr_pos == 1 && (a.has_device_opts || a.plan.argc))) {
		args_release(&a);
		return usage_error("submit takes one job file, or device options and a plan%s", "");
	}
	if (a.nr_pos == 1) {
		const char *path = !strcmp(a.pos[0], "-") ? "/dev/stdin" : a.pos[0];

		def = slurp_file(path, &len);
		if (!def) {
			error_errno("cannot read '%s'", a.pos[0]);
			args_release(&a);
			return 1;
		}
	} else if (!(def = job_from_args(&a))) {
		args_release(&a);
		return 1;
	}
	ret = 1;
	if (client_open(a.identity, &cfg, &c) == 0) {
		if (lava_submit(&c, def, &id) == 0) {
			printf("%ld\n", id);
			ret = 0;
		}
		lava_client_release(&c);
		lava_config_release(&cfg);
	}
	free(def);
	args_release(&a);
	return ret;
}

static int cmd_lava__status(int argc, char **argv)
{
	struct lava_config cfg;
	struct lava_client c;
	struct lava_job_status st;
	struct args a;
	uint64_t poll_ms = 5000, timeout_ms = 0;
	long id;
	int ret = parse_args(argc, argv, &a);

	if (ret) {
		args_release(&a);
		return ret < 0 ? 0 : ret;
	}
	if (a.nr_pos != 1 || a.has_device_opts) {
		args_release(&a);
		return usage_error("status takes one job id%s", "");
	}
	if (parse_job_id(a.pos[0], &id) < 0 ||
	    (a.poll && parse_duration_ms(a.poll, &poll_ms) < 0) ||
	    (a.timeout && parse_duration_ms(a.timeout, &timeout_ms) < 0)) {
		args_release(&a);
		return 129;
	}
	ret = 1;
	if (client_open(a.identity, &cfg, &c) == 0) {
		int st_ret = a.wait ? lava_job_wait(&c, id, (unsigned)poll_ms, timeout_ms, &st)
				    : lava_job_get(&c, id, &st);

		if (st_ret == 0) {
			printf("job %ld: state %s, health %s%s%s\n", id, st.state, st.health,
			       st.device[0] ? ", device " : "", st.device);
			ret = 0;
		}
		lava_client_release(&c);
		lava_config_release(&cfg);
	}
	args_release(&a);
	return ret;
}

static int cmd_lava__results(int argc, char **argv)
{
	struct lava_config cfg;
	struct lava_client c;
	struct lava_job_status st;
	struct lava_case *cases = NULL;
	struct lava_log log;
	struct args a;
	char *text = NULL;
	size_t nr = 0, len = 0;
	long id;
	int ret = parse_args(argc, argv, &a);

	if (ret) {
		args_release(&a);
		return ret < 0 ? 0 : ret;
	}
	if (a.nr_pos != 1 || a.has_device_opts || parse_job_id(a.pos[0], &id) < 0) {
		args_release(&a);
		return usage_error("results takes one job id%s", "");
	}
	if (client_open(a.identity, &cfg, &c) < 0) {
		args_release(&a);
		return 1;
	}
	ret = 1;
	if (lava_job_get(&c, id, &st) < 0)
		goto out;
	if (strcmp(st.state, "Finished")) {
		error("job %ld is %s, not finished yet ('swaplab lava status --wait %ld')", id,
		      st.state, id);
		goto out;
	}
	if (lava_job_tests(&c, id, &cases, &nr) < 0 || lava_job_log(&c, id, &text, &len) < 0)
		goto out;
	if (a.log && write_file_atomic(a.log, text, len) < 0)
		goto out;
	lava_log_parse(text, len, &log);
	printf("job %ld: health %s%s%s\n", id, st.health, st.device[0] ? ", device " : "", st.device);
	for (size_t i = 0; i < nr; i++) {
		printf("%s\t%s\t%s", cases[i].suite, cases[i].name, cases[i].result);
		if (cases[i].has_measurement)
			printf("\t%.6f\t%s", cases[i].measurement, cases[i].units ? cases[i].units : "");
		putchar('\n');
	}
	{
		struct lab_result res;
		char *jsonl = a.jsonl ? xstrdup(a.jsonl) : xstrfmt("/tmp/swaplab-lava-%ld.%ld.jsonl", id, (long)getpid());

		memset(&res, 0, sizeof(res));
		lava_outcome(st.health, &log, a.pos[0], jsonl, &res);
		if (res.status == LAB_COMPLETE) {
			if (a.jsonl)
				info("job %ld: samples written to %s", id, a.jsonl);
			else
				unlink(jsonl);
			ret = 0;
		} else {
			error("%s", res.message);
		}
		lab_result_release(&res);
		free(jsonl);
	}
	lava_log_release(&log);
out:
	free(text);
	lava_cases_free(cases, nr);
	lava_client_release(&c);
	lava_config_release(&cfg);
	args_release(&a);
	return ret;
}

static int cmd_lava__run(int argc, char **argv)
{
	struct lab_device dev;
	struct lab_result res;
	struct args a;
	struct lab_kernel k;
	char *out;
	int ret = parse_args(argc, argv, &a);

	if (ret) {
		args_release(&a);
		return ret < 0 ? 0 : ret;
	}
	if (a.nr_pos) {
		args_release(&a);
		return usage_error("unexpected argument '%s' (the plan goes after --)", a.pos[0]);
	}
	memset(&k, 0, sizeof(k));
	k.label = a.kernel_label;
	k.commit = a.kernel_commit;
	out = a.out ? xstrdup(a.out) : xstrfmt("swaplab-lava-%ld", (long)getpid());
	if (device_from_args(&a, &dev) < 0) {
		free(out);
		args_release(&a);
		return 1;
	}
	ret = 1;
	if (dev.ops->run(&dev, &a.plan, &k, out, &res) == 0) {
		if (res.status == LAB_COMPLETE) {
			printf("%s\n", res.jsonl_path);
			info("job %s complete; log %s", res.job_id, res.log_path);
			ret = 0;
		} else {
			error("%s%s%s", res.message ? res.message : "the job failed",
			      res.log_path ? "; log " : "", res.log_path ? res.log_path : "");
			ret = res.status == LAB_INFRA_ERROR ? 75 : 1;
		}
		free(res.jsonl_path);
		free(res.log_path);
		free(res.message);
		free(res.job_id);
	}
	device_release(&dev);
	free(out);
	args_release(&a);
	return ret;
}

int cmd_lava(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = {
		{ "job", cmd_lava__job },
		{ "submit", cmd_lava__submit },
		{ "status", cmd_lava__status },
		{ "results", cmd_lava__results },
		{ "run", cmd_lava__run },
	};

	if (argc < 2)
		return usage_error(NULL, NULL);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	return usage_error("'%s' is not a 'swaplab lava' command", argv[1]);
}
