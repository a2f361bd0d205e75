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

/* Where the server and the token come from: every verb that talks to it. */
#define LAVA_SERVER_HELP \
	"", \
	"The server and token come from SWAPLAB_LAVA_URL / SWAPLAB_LAVA_TOKEN,", \
	"~/.config/swaplab/lava.conf or lavacli's ~/.config/lavacli.yaml (docs/lava.md)."

static int usage_error(const char *fmt, const char *arg)
{
	error(fmt, arg);
	return EXIT_USAGE;
}

struct args {
	char **dev_opts;     /* "key=value" for the lava device, NULL-terminated */
	size_t nr_dev, alloc_dev;
	struct lab_plan plan;
	const char *name, *kernel_label, *kernel_commit, *out, *jsonl, *log;
	const char *identity, *timeout, *poll;
	int wait;
	char **pos;          /* arguments before "--" */
	size_t nr_pos;
	int has_device_opts;
};

static void args_release(struct args *a)
{
	for (size_t i = 0; i < a->nr_dev; i++)
		free(a->dev_opts[i]);
	free(a->dev_opts);
}

static void add_dev_opt(struct args *a, const char *key, const char *val)
{
	ALLOC_GROW(a->dev_opts, a->nr_dev + 2, a->alloc_dev);
	a->dev_opts[a->nr_dev++] = xstrfmt("%s=%s", key, val);
	a->dev_opts[a->nr_dev] = NULL;
}

/*
 * A device option: --KEY VALUE becomes "KEY=VALUE" for the lava device
 * (lab/lava_device.c checks the values), LAVA's own convention.
 */
static int cb_dev(const struct po_option *opt, const char *val)
{
	struct args *a = opt->value;

	add_dev_opt(a, opt->long_name, val);
	if (!strcmp(opt->long_name, "identity"))
		a->identity = val;
	else if (!strcmp(opt->long_name, "poll"))
		a->poll = val;
	else
		a->has_device_opts = 1;
	return 0;
}

static int cb_kvm(const struct po_option *opt, const char *val)
{
	(void)val;
	add_dev_opt(opt->value, "kvm", "1");
	((struct args *)opt->value)->has_device_opts = 1;
	return 0;
}

/* How long to follow a job: status --wait, and the device's "wait". */
static int cb_timeout(const struct po_option *opt, const char *val)
{
	struct args *a = opt->value;

	a->timeout = val;
	add_dev_opt(a, "wait", val);
	return 0;
}

#define OPT_DEV(name, argh, help) OPT_CALLBACK(0, name, a, argh, help, cb_dev)
#define OPT_IDENTITY OPT_DEV("identity", "NAME", "the server's entry in the configuration")
#define OPT_POLL OPT_DEV("poll", "DUR", "how often to ask the server (default 5s)")
#define OPT_TIMEOUT OPT_CALLBACK(0, "timeout", a, "DUR", "give up following the job after DUR", cb_timeout)

/* What a job is made of: job, submit and run take these. */
#define LAVA_DEVICE_OPTIONS                                                                     \
	OPT_GROUP("device options (what the job runs, and where)"),                             \
	OPT_DEV("device-type", "TYPE", "bcm2711-rpi-4-b or qemu"),                                 \
	OPT_DEV("kernel", "PATH|URL", "bzImage (qemu) or arm64 Image (bcm2711-rpi-4-b)"),          \
	OPT_DEV("dtb", "PATH|URL", "bcm2711-rpi-4-b.dtb"),                                         \
	OPT_DEV("modules", "PATH|URL", "modules tarball (.tar.gz/.tar.xz)"),                       \
	OPT_DEV("ramdisk", "PATH|URL", "the lab initramfs (cpio, .gz/.xz/.zst)"),                  \
	OPT_DEV("rootfs", "PATH|URL", "root file system tarball for NFS (bcm2711-rpi-4-b)"),       \
	OPT_DEV("swapbench", "PATH|URL",                                                           \
		"static swapbench to add to the ramdisk (qemu) or download (board)"),              \
	OPT_DEV("artifact-url", "URL", "where local artifacts are published: URL/<file name>"),    \
	OPT_DEV("arch", "amd64|arm64", "the guest's architecture (qemu)"),                         \
	OPT_DEV("memory", "MIB", "the guest's memory (qemu)"),                                     \
	OPT_DEV("cpus", "N", "the guest's CPUs (qemu)"),                                           \
	OPT_CALLBACK(0, "kvm", a, NULL, "use KVM (default: no KVM) (qemu)", cb_kvm),               \
	OPT_DEV("kernel-args", "ARGS", "extra kernel command line"),                               \
	OPT_DEV("prompt", "PROMPT", "the shell prompt LAVA waits for"),                            \
	OPT_DEV("login", "USER", "the user LAVA logs in as"),                                      \
	OPT_DEV("job-timeout", "DUR", "the whole job's timeout"),                                  \
	OPT_DEV("boot-timeout", "DUR", "the boot action's timeout"),                               \
	OPT_DEV("test-timeout", "DUR", "the test action's timeout"),                               \
	OPT_DEV("priority", "high|medium|low", "the job's priority"),                              \
	OPT_DEV("visibility", "public|personal", "who sees the job"),                              \
	OPT_DEV("job-name", "NAME", "the job's name"),                                             \
	OPT_DEV("retries", "N", "resubmissions after an infrastructure error (default 2)"),        \
	OPT_DEV("dispatcher", "server|lava-run", "submit to the server or run lava-run here"),     \
	OPT_DEV("device-dict", "FILE.jinja2", "the device dictionary (lava-run)"),                 \
	OPT_DEV("templates", "DIR[:DIR]", "device-type templates (lava-run)"),                     \
	OPT_STRING(0, "name", &a->name, "LABEL", "the device's label in the samples"),             \
	OPT_STRING(0, "kernel-label", &a->kernel_label, "L", "the kernel's label in the job"),     \
	OPT_STRING(0, "kernel-commit", &a->kernel_commit, "C", "the kernel's commit in the job"),  \
	OPT_GROUP("following the job"),                                                         \
	OPT_IDENTITY,                                                                           \
	OPT_POLL,                                                                               \
	OPT_TIMEOUT

/*
 * Parses argv against opts into a: the arguments before "--" go to
 * a->pos, those after it are the plan.  0, or the exit status.
 */
static int parse_args(int argc, char **argv, const struct po_option *opts,
		      const char *const *usage, struct args *a)
{
	int dd;

	argc = parse_options(argc, argv, opts, usage, PO_KEEP_DASHDASH);
	if (argc < 0)
		return po_exit_code(argc) == EXIT_OK ? -1 : EXIT_USAGE;
	dd = po_dashdash(argc, argv);
	a->pos = argv;
	a->nr_pos = (size_t)(dd < 0 ? argc : dd);
	if (dd >= 0) {
		a->plan.argv = argv + dd + 1;
		a->plan.argc = (size_t)(argc - dd - 1);
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

static const char *const job_usage[] = {
	"swaplab lava job --device-type bcm2711-rpi-4-b|qemu [<device options>] [-- PLAN]",
	"",
	"Prints the job definition the lab would submit; PLAN is swapbench's",
	"arguments.",
	NULL,
};

static int cmd_lava__job(int argc, char **argv)
{
	struct args args = { 0 }, *a = &args;
	char *def;
	const struct po_option opts[] = { LAVA_DEVICE_OPTIONS, OPT_END() };
	int ret = parse_args(argc, argv, opts, job_usage, a);

	if (ret) {
		args_release(a);
		return ret < 0 ? EXIT_OK : ret;
	}
	if (a->nr_pos) {
		args_release(a);
		return usage_error("unexpected argument '%s' (the plan goes after --)", a->pos[0]);
	}
	def = job_from_args(a);
	args_release(a);
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

static const char *const submit_usage[] = {
	"swaplab lava submit [--identity NAME] (JOB.yaml | - | <device options> -- PLAN)",
	"",
	"Submits a job definition (a file, standard input, or made from the",
	"options as 'lava job' does) and prints the job's id.",
	LAVA_SERVER_HELP,
	NULL,
};

static int cmd_lava__submit(int argc, char **argv)
{
	struct lava_config cfg;
	struct lava_client c;
	struct args args = { 0 }, *a = &args;
	char *def = NULL;
	size_t len;
	long id;
	const struct po_option opts[] = { LAVA_DEVICE_OPTIONS, OPT_END() };
	int ret = parse_args(argc, argv, opts, submit_usage, a);

	if (ret) {
		args_release(a);
		return ret < 0 ? EXIT_OK : ret;
	}
	if (a->nr_pos > 1 || (a->nr_pos == 1 && (a->has_device_opts || a->plan.argc))) {
		args_release(a);
		return usage_error("submit takes one job file, or device options and a plan%s", "");
	}
	if (a->nr_pos == 1) {
		const char *path = !strcmp(a->pos[0], "-") ? "/dev/stdin" : a->pos[0];

		def = slurp_file(path, &len);
		if (!def) {
			error_errno("cannot read '%s'", a->pos[0]);
			args_release(a);
			return 1;
		}
	} else if (!(def = job_from_args(a))) {
		args_release(a);
		return 1;
	}
	ret = 1;
	if (client_open(a->identity, &cfg, &c) == 0) {
		if (lava_submit(&c, def, &id) == 0) {
			printf("%ld\n", id);
			ret = 0;
		} else if (c.infra_error) {
			ret = EXIT_INFRA;
		}
		lava_client_release(&c);
		lava_config_release(&cfg);
	}
	free(def);
	args_release(a);
	return ret;
}

static const char *const status_usage[] = {
	"swaplab lava status [--identity NAME] [--wait] [--poll DUR] [--timeout DUR] JOB_ID",
	"",
	"A job's state and health, and the device it ran on; with --wait once it",
	"has ended.",
	LAVA_SERVER_HELP,
	NULL,
};

static int cmd_lava__status(int argc, char **argv)
{
	struct lava_config cfg;
	struct lava_client c;
	struct lava_job_status st;
	struct args args = { 0 }, *a = &args;
	uint64_t poll_ms = 5000, timeout_ms = 0;
	long id;
	const struct po_option opts[] = {
		OPT_FLAG(0, "wait", &a->wait, "wait until the job has ended"),
		OPT_IDENTITY,
		OPT_POLL,
		OPT_TIMEOUT,
		OPT_END(),
	};
	int ret = parse_args(argc, argv, opts, status_usage, a);

	if (ret) {
		args_release(a);
		return ret < 0 ? EXIT_OK : ret;
	}
	if (a->nr_pos != 1 || a->has_device_opts) {
		args_release(a);
		return usage_error("status takes one job id%s", "");
	}
	if (parse_job_id(a->pos[0], &id) < 0 ||
	    (a->poll && parse_duration_ms(a->poll, &poll_ms) < 0) ||
	    (a->timeout && parse_duration_ms(a->timeout, &timeout_ms) < 0)) {
		args_release(a);
		return EXIT_USAGE;
	}
	ret = 1;
	if (client_open(a->identity, &cfg, &c) == 0) {
		int st_ret = a->wait ? lava_job_wait(&c, id, (unsigned)poll_ms, timeout_ms, &st)
				    : lava_job_get(&c, id, &st);

		if (st_ret == 0) {
			printf("job %ld: state %s, health %s%s%s\n", id, st.state, st.health,
			       st.device[0] ? ", device " : "", st.device);
			ret = 0;
		} else if (c.infra_error) {
			ret = EXIT_INFRA;
		}
		lava_client_release(&c);
		lava_config_release(&cfg);
	}
	args_release(a);
	return ret;
}

static const char *const results_usage[] = {
	"swaplab lava results [--identity NAME] [--jsonl FILE] [--log FILE] JOB_ID",
	"",
	"A finished job's test cases, one a line, and the benchmark stream",
	"rebuilt from its log and checked.",
	LAVA_SERVER_HELP,
	NULL,
};

static int cmd_lava__results(int argc, char **argv)
{
	struct lava_config cfg;
	struct lava_client c;
	struct lava_job_status st;
	struct lava_case *cases = NULL;
	struct lava_log log;
	struct args args = { 0 }, *a = &args;
	char *text = NULL;
	size_t nr = 0, len = 0;
	long id;
	const struct po_option opts[] = {
		OPT_STRING(0, "jsonl", &a->jsonl, "FILE", "write the benchmark stream there"),
		OPT_STRING(0, "log", &a->log, "FILE", "write the job's log there"),
		OPT_IDENTITY,
		OPT_END(),
	};
	int ret = parse_args(argc, argv, opts, results_usage, a);

	if (ret) {
		args_release(a);
		return ret < 0 ? EXIT_OK : ret;
	}
	if (a->nr_pos != 1 || a->has_device_opts) {
		args_release(a);
		return usage_error("results takes one job id%s", "");
	}
	if (parse_job_id(a->pos[0], &id) < 0) {
		args_release(a);
		return EXIT_USAGE;
	}
	if (client_open(a->identity, &cfg, &c) < 0) {
		args_release(a);
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
	if (a->log && write_file_atomic(a->log, text, len) < 0)
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
		char *jsonl = a->jsonl ? xstrdup(a->jsonl) : xstrfmt("/tmp/swaplab-lava-%ld.%ld.jsonl", id, (long)getpid());

		memset(&res, 0, sizeof(res));
		lava_outcome(st.health, &log, a->pos[0], jsonl, &res);
		if (res.status == LAB_COMPLETE) {
			if (a->jsonl)
				info("job %ld: samples written to %s", id, a->jsonl);
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
	if (ret && c.infra_error)
		ret = EXIT_INFRA;
	free(text);
	lava_cases_free(cases, nr);
	lava_client_release(&c);
	lava_config_release(&cfg);
	args_release(a);
	return ret;
}

static const char *const run_usage[] = {
	"swaplab lava run --device-type TYPE [--dispatcher server|lava-run] [--out DIR] [<device options>] -- PLAN",
	"",
	"Runs PLAN on the lava device: submits the job (or runs lava-run here),",
	"follows it and collects the samples as JSON Lines; prints their file.",
	"Exit status: 0 complete, 1 failed or canceled, 2 an infrastructure",
	"error (may be retried), 129 bad usage.",
	LAVA_SERVER_HELP,
	NULL,
};

static int cmd_lava__run(int argc, char **argv)
{
	struct lab_device dev;
	struct lab_result res;
	struct args args = { 0 }, *a = &args;
	struct lab_kernel k;
	char *out;
	const struct po_option opts[] = {
		OPT_STRING(0, "out", &a->out, "DIR", "the job's files (default ./swaplab-lava-PID)"),
		LAVA_DEVICE_OPTIONS,
		OPT_END(),
	};
	int ret = parse_args(argc, argv, opts, run_usage, a);

	if (ret) {
		args_release(a);
		return ret < 0 ? EXIT_OK : ret;
	}
	if (a->nr_pos) {
		args_release(a);
		return usage_error("unexpected argument '%s' (the plan goes after --)", a->pos[0]);
	}
	memset(&k, 0, sizeof(k));
	k.label = a->kernel_label;
	k.commit = a->kernel_commit;
	out = a->out ? xstrdup(a->out) : xstrfmt("swaplab-lava-%ld", (long)getpid());
	if (device_from_args(a, &dev) < 0) {
		free(out);
		args_release(a);
		return 1;
	}
	ret = 1;
	if (dev.ops->run(&dev, &a->plan, &k, out, &res) == 0) {
		if (res.status == LAB_COMPLETE) {
			printf("%s\n", res.jsonl_path);
			info("job %s complete; log %s", res.job_id, res.log_path);
			ret = 0;
		} else {
			error("%s%s%s", res.message ? res.message : "the job failed",
			      res.log_path ? "; log " : "", res.log_path ? res.log_path : "");
			ret = res.status == LAB_INFRA_ERROR ? EXIT_INFRA : EXIT_FAIL;
		}
		free(res.jsonl_path);
		free(res.log_path);
		free(res.message);
		free(res.job_id);
	}
	device_release(&dev);
	free(out);
	args_release(a);
	return ret;
}

int cmd_lava(int argc, char **argv)
{
	static const struct cmd_struct verbs[] = {
		{ "job", cmd_lava__job, 0, "print the job definition the lab would submit" },
		{ "submit", cmd_lava__submit, 0, "submit a job definition (a file, or made from options)" },
		{ "status", cmd_lava__status, 0, "a job's state and health (optionally waiting for the end)" },
		{ "results", cmd_lava__results, 0,
		  "a job's test cases, and the benchmark stream rebuilt from its log" },
		{ "run", cmd_lava__run, 0, "run a plan on the lava device: submit, follow, collect" },
	};

	return run_subcommand("swaplab lava", verbs, ARRAY_SIZE(verbs), argc, argv);
}
