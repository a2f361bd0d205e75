/*
 * device.c - the lab's device dispatcher and what every kind shares:
 * options, the plan (swapbench's argv) and what it costs, checking the
 * JSON Lines stream a run brought back, and running a program under a
 * deadline so that no child (QEMU above all) outlives its run.
 */
#include "lab/device.h"
#include "common/json.h"
#include "common/util.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct lab_device_ops *find_kind(const char *kind)
{
	if (!strcmp(kind, "host"))
		return &lab_host_ops;
	if (!strcmp(kind, "qemu"))
		return &lab_qemu_ops;
	if (!strcmp(kind, "lava"))
		return &lab_lava_ops;
	return NULL;
}

int lab_device_init(struct lab_device *dev, const char *kind, const char *name,
		    const char *const *options)
{
	const struct lab_device_ops *ops = find_kind(kind ? kind : "");
	static const char *const none[] = { NULL };

	memset(dev, 0, sizeof(*dev));
	if (!ops)
		return error("unknown device kind '%s' (host, qemu or lava)", kind ? kind : "");
	dev->ops = ops;
	dev->name = xstrdup(name && *name ? name : ops->kind);
	if (ops->init(dev, options ? options : none) < 0) {
		if (ops->release)
			ops->release(dev);
		free(dev->name);
		memset(dev, 0, sizeof(*dev));
		return -1;
	}
	return 0;
}

int lab_device_run(struct lab_device *dev, const struct lab_plan *plan,
		   const struct lab_kernel *kernel, const char *workdir,
		   struct lab_result *res)
{
	static const struct lab_kernel running;

	assert(dev->ops);
	memset(res, 0, sizeof(*res));
	if (mkdir(workdir, 0755) < 0 && errno != EEXIST)
		return error_errno("cannot create work directory '%s'", workdir);
	return dev->ops->run(dev, plan, kernel ? kernel : &running, workdir, res);
}

void lab_device_release(struct lab_device *dev)
{
	if (dev->ops && dev->ops->release)
		dev->ops->release(dev);
	free(dev->name);
	memset(dev, 0, sizeof(*dev));
}

void lab_result_release(struct lab_result *res)
{
	free(res->jsonl_path);
	free(res->log_path);
	free(res->message);
	free(res->job_id);
	memset(res, 0, sizeof(*res));
}

const char *lab_status_name(enum lab_status status)
{
	switch (status) {
	case LAB_COMPLETE: return "complete";
	case LAB_FAILED: return "failed";
	case LAB_INFRA_ERROR: return "infra-error";
	case LAB_CANCELED: return "canceled";
	}
	return "unknown";
}

const char *lab_option(const char *const *options, const char *key)
{
	size_t n = strlen(key);

	for (; options && *options; options++)
		if (!strncmp(*options, key, n) && (*options)[n] == '=')
			return *options + n + 1;
	return NULL;
}

int lab_check_options(const char *kind, const char *const *options, const char *const *known)
{
	for (; options && *options; options++) {
		const char *eq = strchr(*options, '=');
		const char *const *k;

		if (!eq)
			return error("device option '%s' is not key=value", *options);
		for (k = known; *k; k++)
			if (strlen(*k) == (size_t)(eq - *options) && !strncmp(*k, *options, (size_t)(eq - *options)))
				break;
		if (!*k)
			return error("the %s device has no option '%.*s'", kind, (int)(eq - *options), *options);
	}
	return 0;
}

/* swapbench's defaults for what a plan leaves out (bench/ owns them). */
#define PLAN_DEFAULT_SIZES "64M,128M,256M"
#define PLAN_DEFAULT_PROCS "1"
#define PLAN_DEFAULT_RUNS 5

static const char *plan_opt(const struct lab_plan *plan, const char *name)
{
	size_t i, n = strlen(name);
	const char *v = NULL;

	for (i = 0; i < plan->argc; i++) {
		const char *a = plan->argv[i];

		if (!strcmp(a, name) && i + 1 < plan->argc)
			v = plan->argv[++i];
		else if (!strncmp(a, name, n) && a[n] == '=')
			v = a + n + 1;
	}
	return v;
}

int lab_plan_cost(const struct lab_plan *plan, struct lab_plan_cost *cost)
{
	const char *backends = plan_opt(plan, "--backend");
	const char *sizes_s = plan_opt(plan, "--sizes"), *procs_s = plan_opt(plan, "--procs");
	const char *runs_s = plan_opt(plan, "--runs");
	uint64_t *sizes = NULL;
	unsigned *procs = NULL, runs = PLAN_DEFAULT_RUNS, nb = 1;
	size_t ns, np, i, j;
	const char *p;

	memset(cost, 0, sizeof(*cost));
	if (parse_size_list(sizes_s ? sizes_s : PLAN_DEFAULT_SIZES, &sizes, &ns) < 0)
		return error("plan: bad --sizes");
	if (parse_uint_list(procs_s ? procs_s : PLAN_DEFAULT_PROCS, 1, 4096, &procs, &np) < 0) {
		free(sizes);
		return error("plan: bad --procs");
	}
	if (runs_s && parse_uint(runs_s, 1, 1000000, &runs) < 0) {
		free(sizes);
		free(procs);
		return error("plan: bad --runs");
	}
	for (p = backends; p && *p; p++)
		nb += *p == ',';
	for (i = 0; i < ns; i++)
		for (j = 0; j < np; j++) {
			unsigned long long b = (unsigned long long)sizes[i] * procs[j];

			if (b > cost->peak_bytes)
				cost->peak_bytes = b;
			cost->total_bytes += b * runs * nb;
		}
	cost->cells = (unsigned)(ns * np * nb);
	cost->runs = runs;
	free(sizes);
	free(procs);
	return 0;
}

static int plan_has(const struct lab_plan *plan, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < plan->argc; i++)
		if (!strcmp(plan->argv[i], name) ||
		    (!strncmp(plan->argv[i], name, n) && plan->argv[i][n] == '='))
			return 1;
	return 0;
}

char **lab_plan_argv(const struct lab_plan *plan, const char *device_name, size_t *argc)
{
	char **v = xcalloc(plan->argc + 4, sizeof(*v));
	size_t n = 0, i;

	for (i = 0; i < plan->argc; i++)
		v[n++] = xstrdup(plan->argv[i]);
	if (!plan_has(plan, "--json"))
		v[n++] = xstrdup("--json");
	if (device_name && !plan_has(plan, "--device")) {
		v[n++] = xstrdup("--device");
		v[n++] = xstrdup(device_name);
	}
	v[n] = NULL;
	if (argc)
		*argc = n;
	return v;
}

void lab_argv_free(char **argv)
{
	char **p;

	for (p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

enum lab_status lab_jsonl_check(const char *path, unsigned long *samples, char **message)
{
	size_t len;
	char *text = slurp_file(path, &len), *p, *last = NULL, err[128];
	unsigned long nsamples = 0, lineno = 0, lastno = 0;
	enum lab_status st = LAB_FAILED;
	struct json *root;
	struct json_doc *doc;
	const char *type, *status, *msg;

	*message = NULL;
	if (samples)
		*samples = 0;
	if (!text) {
		*message = xstrfmt("no benchmark output: cannot read '%s': %s", path, strerror(errno));
		return LAB_FAILED;
	}
	for (p = text; *p; ) {
		char *eol = strchrnul(p, '\n');

		lineno++;
		if (eol > p) {
			if (memmem(p, (size_t)(eol - p), "\"type\":\"sample\"", 15))
				nsamples++;
			last = p;
			lastno = lineno;
		}
		if (!*eol)
			break;
		*eol = '\0';
		p = eol + 1;
	}
	if (samples)
		*samples = nsamples;
	if (!last) {
		*message = xstrfmt("%s: empty benchmark output", path);
		goto out;
	}
	doc = json_parse(last, strlen(last), &root, err, sizeof(err));
	if (!doc) {
		*message = xstrfmt("%s:%lu: last line is not JSON (%s): stream cut short", path, lastno, err);
		goto out;
	}
	if (json_get_str(root, "type", &type) || strcmp(type, "end")) {
		*message = xstrfmt("%s:%lu: stream has no end line: cut short", path, lastno);
	} else if (json_get_str(root, "status", &status)) {
		*message = xstrfmt("%s:%lu: end line without a status", path, lastno);
	} else if (strcmp(status, "ok")) {
		*message = xstrfmt("benchmark ended with status %s%s%s", status,
				   json_get_str(root, "message", &msg) ? "" : ": ",
				   json_get_str(root, "message", &msg) ? "" : msg);
	} else {
		st = LAB_COMPLETE;
	}
	json_doc_free(doc);
out:
	free(text);
	return st;
}
