/*
 * test_db_gen.h - writes small bench JSON Lines streams (docs/bench-output.md)
 * for the db and report unit tests: one env line, the samples of the
 * given cells, one end line.  A cell's per-run munmap times come from a
 * callback so tests control every figure.
 */
#ifndef SWAPLAB_TEST_DB_GEN_H
#define SWAPLAB_TEST_DB_GEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct gen_cell {
	const char *backend;
	uint64_t size;
	unsigned procs;
};

struct gen_run {
	const char *uuid, *kernel, *device;
	unsigned cpus, runs;
	const struct gen_cell *cells;
	size_t nr_cells;
	/* munmap_ns of process proc in run run (1-based) of cell c */
	int64_t (*munmap)(const struct gen_cell *c, unsigned run, unsigned proc, void *arg);
	void *arg;
	int no_end;
	const char *started;    /* the env's "started"; NULL: 2026-05-01T10:00:00Z */
	uint64_t mem;           /* mem_total_bytes; 0: 8 GiB */
};

/* Whether cells[i]'s field (0 backend, 1 size, 2 procs) appeared before i. */
static int gen_seen(const struct gen_run *g, size_t i, int field)
{
	size_t j;

	for (j = 0; j < i; j++) {
		const struct gen_cell *a = &g->cells[j], *b = &g->cells[i];

		if (field == 0 ? !strcmp(a->backend, b->backend)
			       : field == 1 ? a->size == b->size : a->procs == b->procs)
			return 1;
	}
	return 0;
}

static void gen_env(FILE *f, const struct gen_run *g)
{
	size_t i;
	int first;

	fprintf(f, "{\"type\":\"env\",\"schema\":1,\"run_uuid\":\"%s\",\"tool\":\"swapbench 0.1.0\","
		   "\"started\":\"%s\",\"hostname\":\"t\",\"device\":\"%s\","
		   "\"kernel_release\":\"%s\",\"kernel_version\":\"#1\",\"kernel_cmdline\":\"x\","
		   "\"arch\":\"aarch64\",\"cpu_model\":\"Cortex-A72\",\"cpus\":%u,"
		   "\"mem_total_bytes\":%llu,\"page_size\":4096,\"thp_enabled\":\"never\","
		   "\"cpufreq_governor\":\"performance\",\"cpu_clock\":\"cpuacct\",\"backends\":[",
		g->uuid, g->started ? g->started : "2026-05-01T10:00:00Z", g->device ? g->device : "host", g->kernel, g->cpus ? g->cpus : 4,
		(unsigned long long)(g->mem ? g->mem : 8589934592ULL));
	for (i = 0, first = 1; i < g->nr_cells; i++)
		if (!gen_seen(g, i, 0)) {
			fprintf(f, "%s\"%s\"", first ? "" : ",", g->cells[i].backend);
			first = 0;
		}
	fputs("],\"sizes_bytes\":[", f);
	for (i = 0, first = 1; i < g->nr_cells; i++)
		if (!gen_seen(g, i, 1)) {
			fprintf(f, "%s%llu", first ? "" : ",", (unsigned long long)g->cells[i].size);
			first = 0;
		}
	fputs("],\"procs\":[", f);
	for (i = 0, first = 1; i < g->nr_cells; i++)
		if (!gen_seen(g, i, 2)) {
			fprintf(f, "%s%u", first ? "" : ",", g->cells[i].procs);
			first = 0;
		}
	fprintf(f, "],\"runs\":%u,\"fill\":\"varied\",\"ratio\":3.00,\"thp\":\"never\","
		   "\"load\":\"none\",\"zram\":{\"comp\":\"lzo-rle\",\"disksize_bytes\":1073741824,"
		   "\"swap_priority\":100},\"drain_timeout_ns\":10000000000}\n", g->runs);
}

/* Samples run-major (every cell's run 1, then run 2...), processes in reverse. */
static unsigned gen_samples(FILE *f, const struct gen_run *g)
{
	unsigned run, n = 0;
	size_t i;

	for (run = 1; run <= g->runs; run++)
		for (i = 0; i < g->nr_cells; i++) {
			const struct gen_cell *c = &g->cells[i];
			unsigned p;

			for (p = c->procs; p-- > 0;) {
				fprintf(f, "{\"type\":\"sample\",\"backend\":\"%s\",\"comp\":\"lzo-rle\","
					   "\"size_bytes\":%llu,\"procs\":%u,\"run\":%u,\"proc\":%u,"
					   "\"munmap_ns\":%lld,\"start_ns\":%u,\"wall_ns\":%u,"
					   "\"drain_ns\":%u,\"drained\":%s,\"cpu_ns\":%u}\n",
					c->backend, (unsigned long long)c->size, c->procs, run, p,
					(long long)g->munmap(c, run, p, g->arg), p * 10, 1000 + run,
					2000 + run, run == 1 ? "false" : "true", 3000 + run);
				n++;
			}
		}
	return n;
}

/* Writes the stream to a new temporary file; returns its malloc'd path. */
static char *gen_file(const struct gen_run *g)
{
	char *path = strdup("/tmp/swaplab-unit-XXXXXX.jsonl");
	int fd = mkstemps(path, 6);
	FILE *f = fdopen(fd, "w");
	unsigned n;

	gen_env(f, g);
	n = gen_samples(f, g);
	if (!g->no_end)
		fprintf(f, "{\"type\":\"end\",\"status\":\"ok\",\"samples\":%u}\n", n);
	fclose(f);
	return path;
}

#endif
