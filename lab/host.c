/*
 * host.c - the `host` device: the running kernel of this machine.  Runs
 * the static swapbench with the plan, exactly as a guest would, so a
 * plan means the same here as on a virtual board or a LAVA board.
 *
 * Options: swapbench=FILE (default: the one next to the swaplab binary),
 * timeout=DUR (default: none).
 */
#include "lab/device.h"
#include "lab/initramfs.h"
#include "common/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct host_priv {
	char *swapbench;
	unsigned long long timeout_ms;
};

static int host_init(struct lab_device *dev, const char *const *options)
{
	static const char *const known[] = { "swapbench", "timeout", NULL };
	struct host_priv *h;
	const char *v;

	if (lab_check_options("host", options, known) < 0)
		return -1;
	h = xcalloc(1, sizeof(*h));
	dev->priv = h;
	v = lab_option(options, "swapbench");
	h->swapbench = v ? xstrdup(v) : initramfs_default_swapbench("x86_64");
	if (access(h->swapbench, X_OK) < 0)
		return error_errno("host device: cannot run swapbench '%s'", h->swapbench);
	if ((v = lab_option(options, "timeout"))) {
		uint64_t ms;

		if (parse_duration_ms(v, &ms) < 0 || !ms)
			return error("host device: bad timeout=");
		h->timeout_ms = ms;
	}
	return 0;
}

static void host_release(struct lab_device *dev)
{
	struct host_priv *h = dev->priv;

	if (!h)
		return;
	free(h->swapbench);
	free(h);
	dev->priv = NULL;
}

static int host_run(struct lab_device *dev, const struct lab_plan *plan,
		    const struct lab_kernel *kernel, const char *workdir,
		    struct lab_result *res)
{
	struct host_priv *h = dev->priv;
	char *jsonl = xstrfmt("%s/samples.jsonl", workdir), *log = xstrfmt("%s/host.log", workdir);
	char **args = NULL;
	const char **argv = NULL;
	size_t argc, i;
	struct run_opts ro = RUN_OPTS_INIT;
	int out = -1, err = -1, st, timed_out, ret = -1;

	if (kernel->image) {
		error("the host device runs this machine's kernel; it cannot boot '%s' (use --device qemu)",
		      kernel->image);
		goto done;
	}
	out = open(jsonl, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	err = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || err < 0) {
		error_errno("cannot create '%s' or '%s'", jsonl, log);
		goto done;
	}
	args = lab_plan_argv(plan, dev->name, &argc);
	argv = xcalloc(argc + 2, sizeof(*argv));
	argv[0] = h->swapbench;
	for (i = 0; i < argc; i++)
		argv[i + 1] = args[i];
	info("running %s on this machine's kernel (log: %s)", h->swapbench, log);
	ro.out_fd = out;
	ro.err_fd = err;
	ro.flags = RUN_DIE_WITH_PARENT;
	ro.timeout_ms = h->timeout_ms;
	st = run_argv_opts(argv, &ro);
	timed_out = ro.timed_out;
	res->log_path = xstrdup(log);
	if (st < 0) {
		res->status = LAB_INFRA_ERROR;
		res->message = xstrfmt("cannot run '%s'", h->swapbench);
	} else if (timed_out) {
		res->status = LAB_FAILED;
		res->message = xstrfmt("swapbench did not finish within %llus", h->timeout_ms / 1000);
	} else {
		res->jsonl_path = xstrdup(jsonl);
		res->status = lab_jsonl_check(jsonl, NULL, &res->message);
		if (res->status == LAB_COMPLETE && st != 0) {
			res->status = LAB_FAILED;
			res->message = st > 255 ? xstrfmt("swapbench died from signal %d", st - 256)
						: xstrfmt("swapbench exited with status %d", st);
		}
	}
	ret = 0;
done:
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	lab_argv_free(args);
	free(argv);
	free(jsonl);
	free(log);
	return ret;
}

const struct lab_device_ops lab_host_ops = {
	.kind = "host",
	.init = host_init,
	.run = host_run,
	.release = host_release,
};
