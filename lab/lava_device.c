/*
 * lab/lava_device.c - the `lava` kind of lab device: runs a benchmark plan
 * as a LAVA job and brings back swapbench's JSON Lines.
 *
 * Two dispatchers, one job definition:
 *   server    (default) the REST API of a LAVA server: submit, poll until
 *             Finished, fetch the log and the test cases;
 *   lava-run  LAVA's standalone dispatcher on this machine, with a device
 *             configuration rendered from lava-server's device-type
 *             templates (qemu.jinja2 ...) and the job's context, the way
 *             the server renders it for its workers.
 * Either way the job log is the record: lava-run exits 0 even when the
 * benchmark fails, so the outcome is read from the log's results, never
 * from an exit status.
 *
 * Jobs that end Incomplete with LAVA error type "Infrastructure" (or whose
 * stream arrived damaged) are retried up to `retries` times; any other
 * failure is final and reported with LAVA's error type and message.
 */
#include "lab/lava.h"
#include "lab/device.h"
#include "lab/initramfs.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum lava_via { VIA_SERVER, VIA_LAVA_RUN };

struct lava_dev {
	enum lava_via via;
	struct lava_job_opts job;
	char **opt_strings;      /* owned copies the job options point into */
	size_t nr_strings, alloc_strings;
	char *identity;
	char *device_dict;       /* lava-run: a device dictionary (jinja2) */
	char *templates;         /* lava-run: device-type template directories, ':'-separated */
	unsigned retries;
	unsigned poll_ms;
	uint64_t wait_ms;        /* 0: until the job finishes */
	unsigned run_seq;
	int use_kvm;             /* qemu: let the template use KVM */
	const char *busybox;     /* static busybox for a ramdisk built here */
	struct lava_config cfg;
	struct lava_client client;
	int client_ready;
};

#define DEFAULT_TEMPLATES "/etc/lava-server/dispatcher-config/device-types:/usr/share/lava-server/device-types"

static char *keep(struct lava_dev *d, const char *v)
{
	ALLOC_GROW(d->opt_strings, d->nr_strings + 1, d->alloc_strings);
	return d->opt_strings[d->nr_strings++] = xstrdup(v);
}

static int opt_uint(const char *key, const char *v, unsigned min, unsigned max, unsigned *out)
{
	if (parse_uint(v, min, max, out) < 0)
		return error("lava device: option '%s': expected a number in [%u, %u], got '%s'",
			     key, min, max, v);
	return 0;
}

static int opt_minutes(const char *key, const char *v, unsigned *out)
{
	uint64_t ms;

	if (parse_duration_ms(v, &ms) < 0 || ms < 60000 || ms > 7 * 24 * 3600 * 1000ULL)
		return error("lava device: option '%s': expected a duration of at least 1m (e.g. 30m, 180m), got '%s'",
			     key, v);
	*out = (unsigned)((ms + 59999) / 60000);
	return 0;
}

/* One "key=value" device option. */
static int set_option(struct lava_dev *d, const char *opt)
{
	const char *eq = strchr(opt, '=');
	char key[32];
	const char *v;
	struct lava_job_opts *j = &d->job;
	unsigned u;

	if (!eq || eq == opt || (size_t)(eq - opt) >= sizeof(key))
		return error("lava device: option '%s' is not key=value", opt);
	memcpy(key, opt, (size_t)(eq - opt));
	key[eq - opt] = '\0';
	v = eq + 1;
	if (!strcmp(key, "device-type"))
		return lava_device_type_parse(v, &j->type);
	if (!strcmp(key, "dispatcher")) {
		if (!strcmp(v, "server"))
			d->via = VIA_SERVER;
		else if (!strcmp(v, "lava-run"))
			d->via = VIA_LAVA_RUN;
		else
			return error("lava device: dispatcher '%s' unknown (server or lava-run)", v);
		return 0;
	}
	if (!strcmp(key, "kernel")) j->art.kernel = keep(d, v);
	else if (!strcmp(key, "dtb")) j->art.dtb = keep(d, v);
	else if (!strcmp(key, "modules")) j->art.modules = keep(d, v);
	else if (!strcmp(key, "ramdisk") || !strcmp(key, "initrd")) j->art.ramdisk = keep(d, v);
	else if (!strcmp(key, "busybox")) d->busybox = keep(d, v);
	else if (!strcmp(key, "guest-args")) j->guest_args = keep(d, v);
	else if (!strcmp(key, "rootfs")) j->art.rootfs = keep(d, v);
	else if (!strcmp(key, "swapbench")) j->art.swapbench = keep(d, v);
	else if (!strcmp(key, "artifact-url")) j->artifact_base = keep(d, v);
	else if (!strcmp(key, "arch")) j->arch = keep(d, v);
	else if (!strcmp(key, "kernel-args")) j->kernel_args = keep(d, v);
	else if (!strcmp(key, "prompt")) j->prompt = keep(d, v);
	else if (!strcmp(key, "login")) j->login_user = keep(d, v);
	else if (!strcmp(key, "job-name")) j->job_name = keep(d, v);
	else if (!strcmp(key, "priority")) {
		if (strcmp(v, "high") && strcmp(v, "medium") && strcmp(v, "low"))
			return error("lava device: priority '%s' (high, medium or low)", v);
		j->priority = keep(d, v);
	} else if (!strcmp(key, "visibility")) {
		if (strcmp(v, "public") && strcmp(v, "personal"))
			return error("lava device: visibility '%s' (public or personal)", v);
		j->visibility = keep(d, v);
	} else if (!strcmp(key, "memory")) return opt_uint(key, v, 256, 1 << 20, &j->memory_mb);
	else if (!strcmp(key, "cpus")) return opt_uint(key, v, 1, 256, &j->cpus);
	else if (!strcmp(key, "kvm")) {
		if (opt_uint(key, v, 0, 1, &u) < 0)
			return -1;
		d->use_kvm = (int)u;
	} else if (!strcmp(key, "job-timeout")) return opt_minutes(key, v, &j->job_timeout_min);
	else if (!strcmp(key, "boot-timeout")) return opt_minutes(key, v, &j->boot_timeout_min);
	else if (!strcmp(key, "test-timeout")) return opt_minutes(key, v, &j->test_timeout_min);
	else if (!strcmp(key, "retries")) return opt_uint(key, v, 0, 10, &d->retries);
	else if (!strcmp(key, "poll")) {
		uint64_t ms;

		if (parse_duration_ms(v, &ms) < 0 || ms < 100 || ms > 3600000)
			return error("lava device: poll interval '%s' (100ms to 1h)", v);
		d->poll_ms = (unsigned)ms;
	} else if (!strcmp(key, "wait")) {
		if (parse_duration_ms(v, &d->wait_ms) < 0)
			return error("lava device: wait '%s' is not a duration", v);
	} else if (!strcmp(key, "identity")) {
		free(d->identity);
		d->identity = xstrdup(v);
	} else if (!strcmp(key, "device-dict")) {
		free(d->device_dict);
		d->device_dict = xstrdup(v);
	} else if (!strcmp(key, "templates")) {
		free(d->templates);
		d->templates = xstrdup(v);
	} else
		return error("lava device: unknown option '%s'", key);
	return 0;
}

static void lava_release(struct lab_device *dev)
{
	struct lava_dev *d = dev->priv;

	if (!d)
		return;
	for (size_t i = 0; i < d->nr_strings; i++)
		free(d->opt_strings[i]);
	free(d->opt_strings);
	if (d->client_ready)
		lava_client_release(&d->client);
	lava_config_release(&d->cfg);
	free(d->identity);
	free(d->device_dict);
	free(d->templates);
	free(d);
	dev->priv = NULL;
}

static int lava_init(struct lab_device *dev, const char *const *options)
{
	struct lava_dev *d = xcalloc(1, sizeof(*d));

	dev->priv = d;
	d->retries = 2;
	d->poll_ms = 5000;
	d->job.type = LAVA_DT_QEMU;
	for (; options && *options; options++)
		if (set_option(d, *options) < 0) {
			lava_release(dev);
			return -1;
		}
	if (d->via == VIA_LAVA_RUN && d->job.type != LAVA_DT_QEMU) {
		error("lava device: the local dispatcher (lava-run) drives qemu only; boards go through a server");
		lava_release(dev);
		return -1;
	}
	/*
	 * qemu.jinja2 asks for "-cpu host -enable-kvm" unless no_kvm is set,
	 * which fails on nested or KVM-less machines even when /dev/kvm
	 * exists: KVM is only used when asked for (kvm=1).
	 */
	if (d->job.type == LAVA_DT_QEMU)
		d->job.no_kvm = !d->use_kvm;
	return 0;
}

/* Connects lazily: `swaplab lava job` needs no server. */
static int ensure_client(struct lava_dev *d)
{
	if (d->client_ready)
		return 0;
	if (lava_config_load(&d->cfg, d->identity) < 0)
		return -1;
	if (lava_client_init(&d->client, &d->cfg) < 0)
		return -1;
	d->client_ready = 1;
	return 0;
}

char *lava_device_job(struct lab_device *dev, const struct lab_plan *plan,
		      const struct lab_kernel *kernel)
{
	struct lava_dev *d = dev->priv;
	struct lava_job_opts o = d->job;

	o.plan = plan;
	o.kernel = kernel;
	o.device_label = dev->name;
	if (kernel) {
		if (kernel->image)
			o.art.kernel = kernel->image;
		if (kernel->dtb)
			o.art.dtb = kernel->dtb;
		/* Modules travel inside the lab initramfs; LAVA deploys them
		   separately only as a tarball next to an NFS root. */
		if (kernel->modules && o.type == LAVA_DT_RPI4 && o.art.rootfs) {
			struct stat st;

			if (stat(kernel->modules, &st) == 0 && S_ISREG(st.st_mode))
				o.art.modules = kernel->modules;
		}
	}
	return lava_job_definition(&o);
}

/* The job's context as JSON, for rendering the device template. */
static char *context_json(const struct lava_job_opts *j)
{
	int arm = j->arch && (!strcmp(j->arch, "arm64") || !strcmp(j->arch, "aarch64"));

	return xstrfmt("{\"arch\": \"%s\", \"memory\": %u, \"extra_options\": [\"-smp %u\"], "
		       "\"no_kvm\": %s%s}",
		       arm ? "arm64" : "amd64", j->memory_mb ? j->memory_mb : 2048,
		       j->cpus ? j->cpus : 2, j->no_kvm ? "true" : "false",
		       arm ? ", \"machine\": \"virt\", \"cpu\": \"cortex-a57\"" : "");
}

/*
 * Renders the device configuration with lava-server's templates, as the
 * server does for a worker (jinja2 sandbox, trim_blocks, job context).
 */
static const char render_py[] =
	"import json, os, sys\n"
	"from jinja2 import FileSystemLoader\n"
	"from jinja2.sandbox import SandboxedEnvironment\n"
	"dirs, dev, ctx = sys.argv[1].split(':'), sys.argv[2], json.loads(sys.argv[3])\n"
	"env = SandboxedEnvironment(loader=FileSystemLoader([os.path.dirname(os.path.abspath(dev))] + dirs),\n"
	"                           autoescape=False, trim_blocks=True)\n"
	"sys.stdout.write(env.get_template(os.path.basename(dev)).render(**ctx))\n";

static int render_device(struct lava_dev *d, const char *workdir, const char *out_path)
{
	char *dict = d->device_dict ? xstrdup(d->device_dict)
				    : xstrfmt("%s/swaplab-qemu.jinja2", workdir);
	char *ctx = context_json(&d->job), *out = NULL;
	const char *argv[] = { "/usr/bin/python3", "-c", render_py,
			       d->templates ? d->templates : DEFAULT_TEMPLATES, dict, ctx, NULL };
	int ret = -1, st;

	if (!d->device_dict) {
		/* A device dictionary for this machine's qemu. */
		const char *text = "{% extends 'qemu.jinja2' %}\n";

		if (write_file_atomic(dict, text, strlen(text)) < 0)
			goto out;
	}
	st = run_argv_capture(argv, &out);
	if (st != 0) {
		if (st > 0)
			error("cannot render the LAVA device configuration from '%s' (is lava-server installed? templates: %s)",
			      dict, d->templates ? d->templates : DEFAULT_TEMPLATES);
		goto out;
	}
	if (!*out || write_file_atomic(out_path, out, strlen(out)) < 0) {
		if (!*out)
			error("rendering '%s' gave an empty device configuration", dict);
		goto out;
	}
	ret = 0;
out:
	free(out);
	free(ctx);
	free(dict);
	return ret;
}

/* One attempt through lava-run; the log goes to *log_path. */
static int run_lava_run(struct lava_dev *d, const char *workdir, const char *job_path,
			unsigned seq, char **log_path, char **job_id)
{
	char *dev_path = xstrfmt("%s/lava-device.yaml", workdir);
	char *out_dir = xstrfmt("%s/lava-run-%u", workdir, seq);
	char *id = xstrfmt("swaplab-%ld-%u", (long)getpid(), seq);
	int fd = -1, ret = -1, st;

	*log_path = xstrfmt("%s/lava-run-%u.log", workdir, seq);
	*job_id = xstrdup(id);
	if (render_device(d, workdir, dev_path) < 0)
		goto out;
	fd = open(*log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		error_errno("cannot create '%s'", *log_path);
		goto out;
	}
	{
		const char *argv[] = { "lava-run", "--job-id", id, "--output-dir", out_dir,
				       "--device", dev_path, job_path, NULL };

		struct run_opts ro = RUN_OPTS_INIT;

		info("lava-run: job %s, log %s", id, *log_path);
		/* lava-run's log (YAML entries) is on stderr; stdout has nothing we need.
		 * If swaplab dies, SIGTERM: lava-run ends its job and stops its QEMU. */
		ro.out_fd = ro.err_fd = fd;
		ro.flags = RUN_TERM_WITH_PARENT;
		st = run_argv_opts(argv, &ro);
		if (st > 255) {
			error("lava-run died from signal %d", st - 256);
			st = -1;
		}
	}
	if (st < 0)
		goto out;
	/* 0 and 1 both leave a log to read (1: the job failed); anything else
	   means lava-run itself could not run. */
	if (st > 1) {
		error("lava-run exited with status %d; see %s", st, *log_path);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(dev_path);
	free(out_dir);
	free(id);
	return ret;
}

/* One attempt through the server. */
static int run_server(struct lava_dev *d, const char *workdir, const char *definition,
		      char **log_path, char **job_id, char health[24])
{
	struct lava_job_status st;
	struct lava_case *cases = NULL;
	size_t nr = 0, len;
	char *log = NULL;
	long id;

	if (ensure_client(d) < 0 || lava_submit(&d->client, definition, &id) < 0)
		return -1;
	*job_id = xstrfmt("%ld", id);
	info("LAVA job %ld submitted to %s", id, d->client.base);
	if (lava_job_wait(&d->client, id, d->poll_ms, d->wait_ms, &st) < 0)
		return -1;
	snprintf(health, 24, "%s", st.health);
	if (lava_job_log(&d->client, id, &log, &len) < 0)
		return -1;
	*log_path = xstrfmt("%s/lava-job-%ld.log", workdir, id);
	if (write_file_atomic(*log_path, log, len) < 0) {
		free(log);
		return -1;
	}
	free(log);
	/* The server's record of the test cases, kept beside the log. */
	if (lava_job_tests(&d->client, id, &cases, &nr) == 0) {
		char *p = xstrfmt("%s/lava-job-%ld-results.tsv", workdir, id);
		char *buf = NULL;
		size_t blen = 0;
		FILE *f = open_memstream(&buf, &blen);

		fputs("suite\tname\tresult\tmeasurement\tunits\n", f);
		for (size_t i = 0; i < nr; i++) {
			fprintf(f, "%s\t%s\t%s\t", cases[i].suite, cases[i].name, cases[i].result);
			if (cases[i].has_measurement)
				fprintf(f, "%.10g", cases[i].measurement);
			fprintf(f, "\t%s\n", cases[i].units ? cases[i].units : "");
		}
		fclose(f);
		write_file_atomic(p, buf, blen);
		free(buf);
		free(p);
		lava_cases_free(cases, nr);
	} else {
		warning("job %ld: test cases not fetched; the log is used", id);
	}
	return 0;
}

int lava_outcome(const char *health, const struct lava_log *log, const char *job_id,
		 const char *jsonl_path, struct lab_result *res)
{
	struct guest_report g;
	unsigned long samples;
	char *msg = NULL;
	int again = 0;

	if (!strcmp(health, "Canceled") ||
	    (log->error_type && !strcmp(log->error_type, "Canceled"))) {
		res->status = LAB_CANCELED;
		res->message = xstrfmt("LAVA job %s was canceled", job_id);
		return 0;
	}
	if (strcmp(health, "Complete")) {
		const char *type = log->error_type && *log->error_type ? log->error_type : "unknown";

		res->message = xstrfmt("LAVA job %s: %s; %s error: %s", job_id,
				       health[0] ? health : "no result",
				       type, log->error_msg ? log->error_msg : "(no message)");
		if (!strcmp(type, "Infrastructure")) {
			res->status = LAB_INFRA_ERROR;
			return 1;
		}
		res->status = LAB_FAILED;
		return 0;
	}
	/* The console as logged, else with LAVA's quote escaping undone: the
	   checksum accepts exactly one of them. */
	if (guest_console_parse(log->console, log->console_len, jsonl_path, &g) == 0 &&
	    g.stream_seen && !g.stream_ok) {
		struct guest_report u;

		if (guest_console_parse(log->console_unescaped, log->console_unescaped_len,
					jsonl_path, &u) == 0 && u.stream_ok) {
			guest_report_release(&g);
			g = u;
		} else {
			guest_report_release(&u);
		}
	}
	if (access(jsonl_path, F_OK) < 0 && g.stream_ok) {
		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("LAVA job %s: cannot write '%s'", job_id, jsonl_path);
		guest_report_release(&g);
		return 0;
	}
	if (!g.stream_seen && !g.problem) {
		res->status = LAB_FAILED;
		res->message = xstrfmt("LAVA job %s completed but its log has no benchmark stream%s%s",
				       job_id, g.panic ? "; the kernel said: " : "", g.panic ? g.panic : "");
	} else if (!g.stream_ok) {
		/* Noise on the serial line, a lost console: try again. */
		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("LAVA job %s: the benchmark stream arrived damaged: %s", job_id,
				       g.problem ? g.problem : "?");
		again = 1;
	} else if ((res->status = lab_jsonl_check(jsonl_path, &samples, &msg)) != LAB_COMPLETE) {
		res->message = xstrfmt("LAVA job %s: %s (swapbench exit status %d)", job_id,
				       msg ? msg : "incomplete stream", g.rc);
	} else {
		res->jsonl_path = xstrdup(jsonl_path);
	}
	if (res->status != LAB_COMPLETE)
		unlink(jsonl_path);  /* nothing half-written is left as a result */
	free(msg);
	guest_report_release(&g);
	return again;
}

static int lava_run(struct lab_device *dev, const struct lab_plan *plan,
		    const struct lab_kernel *kernel, const char *workdir,
		    struct lab_result *res)
{
	struct lava_dev *d = dev->priv;
	char *definition, *job_path = NULL, *built_ramdisk = NULL;
	int ret = -1;
	unsigned attempt;

	memset(res, 0, sizeof(*res));
	if (mkdir(workdir, 0755) < 0 && errno != EEXIST)
		return error_errno("cannot create '%s'", workdir);
	if (!d->job.art.ramdisk && !d->job.art.rootfs) {
		/* The lab initramfs for this kernel: busybox, swapbench, modules. */
		int arm = d->job.type == LAVA_DT_RPI4 ||
			  (d->job.arch && (!strcmp(d->job.arch, "arm64") || !strcmp(d->job.arch, "aarch64")));
		char *bb = d->busybox ? xstrdup(d->busybox) : initramfs_default_busybox(arm ? "arm64" : "x86_64");
		char *sb = initramfs_default_swapbench(arm ? "arm64" : "x86_64");
		struct initramfs_opts io = { arm ? "arm64" : "x86_64", bb, sb,
					     kernel ? kernel->modules : NULL, NULL, 0 };
		char *rd = xstrfmt("%s/lava-initramfs.cpio.gz", workdir);
		int st = initramfs_build(&io, rd);

		free(bb);
		free(sb);
		if (st < 0) {
			free(rd);
			return -1;
		}
		built_ramdisk = rd;
	}
	/* A ramdisk built here is this run's only (the next kernel may differ). */
	d->job.art.ramdisk = built_ramdisk ? built_ramdisk : d->job.art.ramdisk;
	definition = lava_device_job(dev, plan, kernel);
	if (built_ramdisk)
		d->job.art.ramdisk = NULL;
	free(built_ramdisk);
	if (!definition)
		return -1;
	job_path = xstrfmt("%s/lava-job.yaml", workdir);
	if (write_file_atomic(job_path, definition, strlen(definition)) < 0)
		goto out;

	for (attempt = 0; attempt <= d->retries; attempt++) {
		char *log_path = NULL, *job_id = NULL, *text;
		char health[24] = "";
		struct lava_log log;
		size_t len;
		int again, st;

		st = d->via == VIA_LAVA_RUN
			? run_lava_run(d, workdir, job_path, ++d->run_seq, &log_path, &job_id)
			: run_server(d, workdir, definition, &log_path, &job_id, health);
		if (st < 0) {
			free(log_path);
			free(job_id);
			goto out;
		}
		text = slurp_file(log_path, &len);
		if (!text) {
			error_errno("cannot read '%s'", log_path);
			free(log_path);
			free(job_id);
			goto out;
		}
		lava_log_parse(text, len, &log);
		free(text);
		if (d->via == VIA_LAVA_RUN)
			snprintf(health, sizeof(health), "%s",
				 log.job_result == 1 ? "Complete"
				 : log.error_type && !strcmp(log.error_type, "Canceled") ? "Canceled"
				 : "Incomplete");
		free(res->message);
		free(res->log_path);
		free(res->job_id);
		res->message = NULL;
		res->log_path = log_path;
		res->job_id = job_id;
		{
			char *p = xstrfmt("%s/lava-%s.jsonl", workdir, job_id);

			again = lava_outcome(health, &log, job_id, p, res);
			free(p);
		}
		lava_log_release(&log);
		if (!again || attempt == d->retries)
			break;
		warning("%s; retrying (%u of %u)", res->message, attempt + 1, d->retries);
	}
	ret = 0;
out:
	free(job_path);
	free(definition);
	return ret;
}

const struct lab_device_ops lab_lava_ops = {
	.kind = "lava",
	.init = lava_init,
	.run = lava_run,
	.release = lava_release,
};
