/*
 * bench/fio.c - the zram device-throughput suite: fio's job files under
 * bench/fio/ run in name order against a private zram device (no swap on
 * it), for changes that touch zram's I/O path rather than swap release.
 * fio's JSON output is parsed for bandwidth, IOPS and mean latency.
 */
#include "bench/internal.h"
#include "bench/swapdev.h"
#include "common/json.h"
#include "common/util.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *find_fio_dir(const struct bench_opts *o)
{
	char *dir;

	if (o->fio_dir)
		return xstrdup(o->fio_dir);
	if (getenv("SWAPLAB_FIO_DIR"))
		return xstrdup(getenv("SWAPLAB_FIO_DIR"));
	/* build/swaplab: the source tree's job files. */
	dir = source_tree_path("bench/fio", NULL);
	return dir ? dir : xstrdup("bench/fio");
}

static int emit_job(FILE *jsonl, FILE *table, const struct json *job, const char *file,
		    const char *comp, uint64_t size)
{
	static const char *const dirs[] = { "read", "write" };
	const char *name = "?";
	size_t i;

	json_get_str(job, "jobname", &name);
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		struct json *d = json_get(job, dirs[i]), *lat;
		uint64_t bw = 0, runtime = 0, io = 0;
		double iops = 0, lat_mean = 0;

		if (!d || json_get_u64(d, "io_bytes", &io) < 0 || io == 0)
			continue;
		json_get_u64(d, "bw_bytes", &bw);
		json_get_double(d, "iops", &iops);
		json_get_u64(d, "runtime", &runtime);
		lat = json_get(d, "lat_ns");
		json_get_double(lat, "mean", &lat_mean);
		if (jsonl) {
			fprintf(jsonl, "{\"type\":\"fio\",\"job\":");
			json_put_string(jsonl, file);
			fprintf(jsonl, ",\"name\":");
			json_put_string(jsonl, name);
			fprintf(jsonl, ",\"rw\":\"%s\",\"comp\":", dirs[i]);
			json_put_string(jsonl, comp);
			fprintf(jsonl, ",\"size_bytes\":%llu,\"bw_bytes\":%llu,\"iops\":%.1f,"
				"\"lat_mean_ns\":%llu,\"runtime_ms\":%llu}\n",
				(unsigned long long)size, (unsigned long long)bw, iops,
				(unsigned long long)lat_mean, (unsigned long long)runtime);
			fflush(jsonl);
		}
		if (table)
			fprintf(table, "  %-16s %-6s %10.1f MiB/s %10.0f IOPS %9.1f us\n", name, dirs[i],
				(double)bw / (1 << 20), iops, lat_mean / 1000);
	}
	return 0;
}

int fio_suite_run(const struct bench_opts *o, FILE *jsonl, FILE *table, struct bench_state *st)
{
	char *dir = find_fio_dir(o), **files = NULL, dev[32], val[64], comp_list[256], comp[64];
	size_t nr = 0, alloc = 0, i;
	DIR *d;
	struct dirent *de;
	int id, ret = -1;

	if (!have_program("fio")) {
		free(dir);
		return error("the fio suite needs fio, which is not installed (apt-get install fio)");
	}
	d = opendir(dir);
	if (!d) {
		error_errno("cannot open fio job directory '%s'", dir);
		free(dir);
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".fio")) {
			ALLOC_GROW(files, nr + 1, alloc);
			files[nr++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (!nr) {
		error("no fio job files (*.fio) in '%s'", dir);
		goto out;
	}
	qsort(files, nr, sizeof(*files), cmp_str);

	id = state_zram_hot_add(st);
	if (id < 0)
		goto out;
	if (zram_configure(id, o->zram_comp, o->fio_size) < 0 ||
	    zram_comp_list(id, comp_list, sizeof(comp_list)) < 0)
		goto out;
	if (sscanf(strchr(comp_list, '[') ? strchr(comp_list, '[') + 1 : comp_list, "%63[^]]", comp) != 1)
		snprintf(comp, sizeof(comp), "unknown");
	snprintf(dev, sizeof(dev), "/dev/zram%d", id);
	setenv("SWAPLAB_DEV", dev, 1);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)o->fio_size);
	setenv("SWAPLAB_SIZE", val, 1);
	snprintf(val, sizeof(val), "%d", o->fill == FILL_RANDOM ? 0 : (int)(100.0 * (1.0 - 1.0 / o->ratio)));
	setenv("SWAPLAB_COMPRESS_PCT", val, 1);
	if (table)
		fprintf(table, "\nfio on zram%d (%s), %llu MiB:\n", id, comp,
			(unsigned long long)(o->fio_size >> 20));
	for (i = 0; i < nr && !bench_interrupted; i++) {
		char *path = xstrfmt("%s/%s", dir, files[i]), *out = NULL, err[256];
		const char *argv[] = { "fio", "--output-format=json", path, NULL };
		struct json *root, *jobs;
		struct json_doc *doc;
		size_t j;
		int st_ = run_argv_capture(argv, &out);

		info("fio: %s", files[i]);
		if (st_ != 0) {
			error("fio failed on '%s' (exit %d)", path, st_);
			free(path);
			free(out);
			goto out;
		}
		/* fio may print notes before the JSON document. */
		doc = json_parse(strchr(out, '{') ? strchr(out, '{') : out,
				 strlen(strchr(out, '{') ? strchr(out, '{') : out), &root, err, sizeof(err));
		if (!doc) {
			error("cannot parse fio's output for '%s': %s", path, err);
			free(path);
			free(out);
			goto out;
		}
		jobs = json_get(root, "jobs");
		for (j = 0; jobs && j < jobs->len; j++)
			emit_job(jsonl, table, jobs->items[j], files[i], comp, o->fio_size);
		json_doc_free(doc);
		free(path);
		free(out);
	}
	ret = bench_interrupted ? -1 : 0;
out:
	for (i = 0; i < nr; i++)
		free(files[i]);
	free(files);
	free(dir);
	return ret;
}
