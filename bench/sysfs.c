/*
 * bench/sysfs.c - parsers for zram's mm_stat/io_stat/debug_stat,
 * /proc/meminfo, /proc/vmstat, smaps, /proc/stat, /proc/swaps and
 * /proc/mounts.  Small, allocation-free, tolerant of extra fields that
 * newer kernels append.
 */
#include "bench/sysfs.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_zram_mm_stat(const char *text, struct zram_mm_stat *st)
{
	unsigned long long v[8] = { 0 };
	int n = sscanf(text, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);

	/* The first five fields exist since 4.x; later ones were appended. */
	if (n < 5)
		return -1;
	st->orig_data_size = v[0];
	st->compr_data_size = v[1];
	st->mem_used_total = v[2];
	st->mem_limit = v[3];
	st->mem_used_max = v[4];
	st->same_pages = v[5];
	st->pages_compacted = v[6];
	st->huge_pages = v[7];
	return 0;
}

int parse_zram_io_stat(const char *text, uint64_t *notify_free)
{
	unsigned long long a, b, c, d;

	if (sscanf(text, "%llu %llu %llu %llu", &a, &b, &c, &d) != 4)
		return -1;
	*notify_free = d;
	return 0;
}

int parse_zram_debug_stat(const char *text, uint64_t *miss_free)
{
	unsigned long long writestall, miss;
	int version;

	if (sscanf(text, "version: %d %llu %llu", &version, &writestall, &miss) == 3) {
		*miss_free = miss;
		return 0;
	}
	return -1;
}

/* Finds "key" at a line start followed by ':' or ' '; returns the value text. */
static const char *find_key(const char *text, const char *key, char sep)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == sep)
			return p + klen + 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int parse_kb_field(const char *text, const char *key, uint64_t *bytes)
{
	const char *v = find_key(text, key, ':');
	char *end;
	unsigned long long n;

	if (!v)
		return -1;
	n = strtoull(v, &end, 10);
	if (end == v)
		return -1;
	while (*end == ' ')
		end++;
	*bytes = !strncmp(end, "kB", 2) ? n * 1024 : n;
	return 0;
}

int parse_vmstat_field(const char *text, const char *key, uint64_t *val)
{
	const char *v = find_key(text, key, ' ');
	char *end;

	if (!v)
		return -1;
	*val = strtoull(v, &end, 10);
	return end == v ? -1 : 0;
}

/* "a-b " at the start of an smaps header line: 1 and the range, or 0. */
static int smaps_header(const char *line, uintptr_t *a, uintptr_t *b)
{
	const char *q = line;
	char *end;

	while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
		q++;
	if (q == line || *q != '-')
		return 0;
	*a = (uintptr_t)strtoull(line, NULL, 16);
	*b = (uintptr_t)strtoull(q + 1, &end, 16);
	return end > q + 1 && *end == ' ';
}

int parse_smaps_range(const char *text, uintptr_t start, uintptr_t end, uint64_t *rss,
		      uint64_t *swap)
{
	const char *line;
	int in = 0, found = 0;

	*rss = *swap = 0;
	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		uintptr_t a, b;

		if (smaps_header(line, &a, &b)) {
			in = a < end && b > start;
			if (in && (a < start || b > end))
				return -1;
			found += in;
		} else if (in && !strncmp(line, "Rss:", 4)) {
			*rss += strtoull(line + 4, NULL, 10) << 10;
		} else if (in && !strncmp(line, "Swap:", 5)) {
			*swap += strtoull(line + 5, NULL, 10) << 10;
		}
	}
	return found ? 0 : -1;
}

int parse_bracketed(const char *text, char *out, size_t len)
{
	const char *a = strchr(text, '['), *b;

	if (!a || !(b = strchr(a, ']')) || (size_t)(b - a - 1) >= len)
		return -1;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
	return 0;
}

int word_in_list(const char *list, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = list;

	while (*p) {
		const char *s, *e;

		while (*p == ' ' || *p == '\n' || *p == '[')
			p++;
		s = p;
		while (*p && *p != ' ' && *p != '\n' && *p != ']')
			p++;
		e = p;
		if (*p == ']')
			p++;
		if ((size_t)(e - s) == wlen && wlen && !strncmp(s, word, wlen))
			return 1;
	}
	return 0;
}

int parse_proc_stat_busy(const char *text, uint64_t *ticks)
{
	unsigned long long v[10] = { 0 };
	int n;

	if (strncmp(text, "cpu ", 4))
		return -1;
	n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7]);
	if (n < 4)
		return -1;
	/* user nice system idle iowait irq softirq steal: all but idle, iowait. */
	*ticks = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return 0;
}

int parse_cpu_stat_usage(const char *text, uint64_t *usec)
{
	return parse_vmstat_field(text, "usage_usec", usec);
}

int parse_proc_swaps(const char *text, char (*paths)[256], int max)
{
	const char *p = strchr(text, '\n');
	int n = 0;

	if (!p)
		return 0;
	for (p++; *p; ) {
		const char *e = p;

		while (*e && *e != ' ' && *e != '\t' && *e != '\n')
			e++;
		if (e > p && n < max) {
			size_t len = (size_t)(e - p) < 255 ? (size_t)(e - p) : 255;

			memcpy(paths[n], p, len);
			paths[n][len] = '\0';
		}
		if (e > p)
			n++;
		p = strchr(e, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

int parse_mount_point(const char *text, const char *fstype, const char *opt,
		      char *out, size_t len)
{
	const char *line = text;

	while (line && *line) {
		char dev[256], mnt[256], type[64], opts[512];

		if (sscanf(line, "%255s %255s %63s %511s", dev, mnt, type, opts) == 4 &&
		    !strcmp(type, fstype)) {
			int match = !opt;

			if (opt) {
				char *save = NULL, *tok;

				for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
					if (!strcmp(tok, opt))
						match = 1;
			}
			if (match && strlen(mnt) < len) {
				strcpy(out, mnt);
				return 0;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

int read_zram_mm_stat(int id, struct zram_mm_stat *st)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/sys/block/zram%d/mm_stat", id);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return error_errno("cannot read '%s'", path);
	if (parse_zram_mm_stat(buf, st) < 0)
		return error("cannot parse '%s': '%s'", path, buf);
	return 0;
}

uint64_t read_vmstat(const char *key)
{
	static char buf[32768];
	uint64_t v = 0;

	if (read_file("/proc/vmstat", buf, sizeof(buf)) < 0)
		return 0;
	parse_vmstat_field(buf, key, &v);
	return v;
}

uint64_t read_meminfo(const char *key)
{
	char buf[8192];
	uint64_t v = 0;

	if (read_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return 0;
	parse_kb_field(buf, key, &v);
	return v;
}

int swap_is_active(const char *path)
{
	char buf[8192], paths[64][256];
	int i, n;

	if (read_file("/proc/swaps", buf, sizeof(buf)) < 0)
		return 0;
	n = parse_proc_swaps(buf, paths, 64);
	for (i = 0; i < n && i < 64; i++)
		if (!strcmp(paths[i], path))
			return 1;
	return 0;
}
