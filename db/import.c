/*
 * db/import.c - stores the JSON Lines stream of `swaplab bench --json` /
 * `swapbench --json` (docs/bench-output.md, schema 1) in the results
 * database: one run row per env..end block (its env line kept verbatim),
 * one cell row per (run, backend, size, procs) carrying the figures of
 * each run of the cell as JSON arrays indexed by run number (the sum and
 * max of munmap() time over its processes, drain, CPU, pool sizes: what
 * the reports read), and one sample row per process.
 *
 * The whole file is one transaction: any bad line rolls everything back
 * and the error names FILE:LINE.  Built for millions of lines (a 1M-sample
 * import has a 2 s budget, tests/bench/db_bench): a reader thread reads
 * large blocks and reads each sample line in place when it has the shape
 * swapbench writes (scan_sample), else with json.h's parser, while this
 * thread validates the samples against their run and inserts them, 256
 * rows per statement, with statements prepared once and foreign-key
 * checks off (db_import_jsonl says why).
 *
 * Invariants, checked per run: every sample's cell is one the env
 * announced; each (cell, run, proc) appears once; the per-run figures
 * agree across a run's processes; at "end" every run of a cell that has
 * samples has all its procs processes, and the count matches "samples".
 */
#include "db/db-internal.h"
#include "common/json.h"
#include "common/util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the keys of a sample line ---- */

enum sample_key {
	/* per process */
	K_BACKEND, K_COMP, K_SIZE, K_PROCS, K_RUN, K_PROC, K_MUNMAP, K_START, K_SWAP,
	K_RSS, K_VMSWAP, K_FILL, K_PAGEOUT, K_PASSES,
	/* per run of the cell: the same in each of its procs lines */
	K_WALL, K_DRAIN, K_DRAINED, K_CPU, K_POOL_BASE, K_POOL_BEFORE, K_POOL_PEAK,
	K_POOL_AFTER, K_ORIG, K_NOTIFY, K_MISS, K_ZSWPOUT, K_PSWPOUT, K_THP_SWPOUT,
	K_THP_FALLBACK,
	K_TYPE,
	K__COUNT
};
_Static_assert(K__COUNT <= 32, "struct sample's present is a 32-bit mask");
#define K_FIRST_PER_RUN K_WALL
#define NR_PER_RUN (K_TYPE - K_FIRST_PER_RUN)
#define K_REQUIRED ((1u << K_BACKEND) | (1u << K_SIZE) | (1u << K_PROCS) | \
		    (1u << K_RUN) | (1u << K_PROC) | (1u << K_MUNMAP))

enum key_type { T_INT, T_STR, T_BOOL };

static const struct {
	const char *name;
	enum key_type type;
} sample_keys[K__COUNT] = {
	[K_BACKEND] = { "backend", T_STR }, [K_COMP] = { "comp", T_STR },
	[K_SIZE] = { "size_bytes", T_INT }, [K_PROCS] = { "procs", T_INT },
	[K_RUN] = { "run", T_INT }, [K_PROC] = { "proc", T_INT },
	[K_MUNMAP] = { "munmap_ns", T_INT }, [K_START] = { "start_ns", T_INT },
	[K_SWAP] = { "swap_bytes", T_INT }, [K_RSS] = { "rss_bytes", T_INT },
	[K_VMSWAP] = { "vmswap_bytes", T_INT }, [K_FILL] = { "fill_ns", T_INT },
	[K_PAGEOUT] = { "pageout_ns", T_INT }, [K_PASSES] = { "pageout_passes", T_INT },
	[K_WALL] = { "wall_ns", T_INT }, [K_DRAIN] = { "drain_ns", T_INT },
	[K_DRAINED] = { "drained", T_BOOL }, [K_CPU] = { "cpu_ns", T_INT },
	[K_POOL_BASE] = { "pool_base_bytes", T_INT },
	[K_POOL_BEFORE] = { "pool_before_bytes", T_INT },
	[K_POOL_PEAK] = { "pool_peak_bytes", T_INT },
	[K_POOL_AFTER] = { "pool_after_bytes", T_INT }, [K_ORIG] = { "orig_bytes", T_INT },
	[K_NOTIFY] = { "notify_free", T_INT }, [K_MISS] = { "miss_free", T_INT },
	[K_ZSWPOUT] = { "zswpout", T_INT }, [K_PSWPOUT] = { "pswpout", T_INT },
	[K_THP_SWPOUT] = { "thp_swpout", T_INT },
	[K_THP_FALLBACK] = { "thp_swpout_fallback", T_INT },
	[K_TYPE] = { "type", T_STR },
};

/* A parsed sample line, as the reader thread hands it over. */
struct sample {
	uint32_t present;          /* bit per enum sample_key */
	int64_t v[K__COUNT];       /* T_INT and T_BOOL values */
	char backend[24], comp[40];
};

/* ---- what the reader thread hands over, in batches ---- */

enum item_kind {
	IT_SAMPLE,  /* a sample line, parsed */
	IT_OTHER,   /* env / end / fio: text, parsed again by the writer */
	IT_ERROR,   /* text: what is wrong with this line; nothing follows */
	IT_EOF,     /* end of the stream; nothing follows */
};

struct item {
	enum item_kind kind;
	unsigned line;
	char *text;                /* IT_OTHER, IT_ERROR: malloc'd */
	size_t len;
	struct sample s;
};

#define BATCH_ITEMS 1024
#define NR_BATCHES 8

struct batch {
	size_t n;
	struct item items[BATCH_ITEMS];
};

/*
 * A ring of NR_BATCHES batches: the reader fills ring[tail] and publishes
 * it, the writer consumes ring[head].  Each batch is touched by one side
 * at a time; the mutex guards head/tail/count/stop only.
 */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct batch *ring[NR_BATCHES];
	unsigned head, tail, count;
	int stop;                  /* the writer gave up: the reader must quit */
};

/* ---- the reader thread ---- */

struct reader {
	const char *path;
	int fd;
	char *buf;
	size_t alloc, start, end;
	unsigned lineno;
	int eof;
	signed char key_at[64];    /* key table index of each member position, last line */
	unsigned char key_len[64]; /* and the length of that key's name */
	struct queue *q;
	uint64_t cpu_ns;           /* the thread's CPU time, when it ends */
	uint64_t fast;             /* sample lines scan_sample() read */
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* 1 with the next line (without its newline) in *line and *len, 0 at EOF, -1 (errno) on error. */
static int reader_next(struct reader *rd, char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		ssize_t n;
		int old;

		if (nl || (rd->eof && rd->start < rd->end)) {
			char *s = rd->buf + rd->start;
			size_t l = nl ? (size_t)(nl - s) : rd->end - rd->start;

			rd->start += l + (nl ? 1 : 0);
			rd->lineno++;
			if (l && s[l - 1] == '\r')
				l--;
			*line = s;
			*len = l;
			return 1;
		}
		if (rd->eof)
			return 0;
		/* Keep the partial line, make room, read more. */
		if (rd->start) {
			memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
			rd->end -= rd->start;
			rd->start = 0;
		}
		if (rd->alloc - rd->end < (1 << 20)) {
			rd->alloc *= 2;
			rd->buf = xrealloc(rd->buf, rd->alloc);
		}
		/* The only place the writer may cancel us: blocked on a pipe. */
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		n = read(rd->fd, rd->buf + rd->end, rd->alloc - rd->end);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			rd->eof = 1;
		rd->end += (size_t)n;
	}
}

/* Integer JSON number (no fraction or exponent, as the schema writes them). */
static int json_int(const struct json *v, int64_t *out)
{
	const char *s;
	uint64_t x = 0;
	int neg = 0;

	if (!v || v->type != JSON_NUMBER)
		return -1;
	s = v->str;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (x > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)x : (int64_t)x;
	return 0;
}

static const char *type_name(const struct json *v)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string",
					     "an array", "an object" };
	return names[v->type];
}

/*
 * The key table index of member pos named key[0..len), or -1 if unknown.
 * A producer writes every sample's keys in one order, so the previous
 * line's key at the same position is tried first.
 */
static int find_key(struct reader *rd, size_t pos, const char *key, size_t len)
{
	int i;

	if (pos < ARRAY_SIZE(rd->key_at) && rd->key_at[pos] >= 0 && rd->key_len[pos] == len &&
	    !memcmp(sample_keys[rd->key_at[pos]].name, key, len))
		return rd->key_at[pos];
	for (i = 0; i < K__COUNT; i++)
		if (strlen(sample_keys[i].name) == len && !memcmp(sample_keys[i].name, key, len))
			break;
	if (i == K__COUNT)
		i = -1;
	if (pos < ARRAY_SIZE(rd->key_at)) {
		rd->key_at[pos] = (signed char)i;
		rd->key_len[pos] = i >= 0 ? (unsigned char)len : 0;
	}
	return i;
}

/* Sets it->text to the message; returns -1. */
static int item_error(struct item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int item_error(struct item *it, const char *fmt, ...)
{
	va_list ap;

	it->kind = IT_ERROR;
	va_start(ap, fmt);
	it->text = xvstrfmt(fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The checks of a sample line that do not depend on how it was parsed:
 * required keys and ranges.  0 with it->kind IT_SAMPLE, or -1 after an
 * IT_ERROR.
 */
static int check_sample(struct item *it)
{
	struct sample *s = &it->s;
	size_t i;

	if ((s->present & K_REQUIRED) != K_REQUIRED) {
		for (i = 0; i < K__COUNT; i++)
			if ((K_REQUIRED & (1u << i)) && !(s->present & (1u << i)))
				return item_error(it, "sample has no '%s' (%s)", sample_keys[i].name,
						  sample_keys[i].type == T_STR ? "a string"
									       : "an integer");
	}
	if (!(s->present & (1u << K_COMP)))
		s->comp[0] = '\0';
	if (s->v[K_PROCS] < 1 || s->v[K_PROCS] > 4096)
		return item_error(it, "sample's procs %lld is out of range [1, 4096]",
				  (long long)s->v[K_PROCS]);
	if (s->v[K_PROC] >= s->v[K_PROCS])
		return item_error(it, "sample's proc %lld is not below its procs %lld",
				  (long long)s->v[K_PROC], (long long)s->v[K_PROCS]);
	if (s->v[K_RUN] < 1)
		return item_error(it, "sample's run %lld is not a run number (from 1)",
				  (long long)s->v[K_RUN]);
	it->kind = IT_SAMPLE;
	return 0;
}

/* What a sample line says, checked on its own (the writer checks it against its run). */
static int parse_sample(struct reader *rd, const struct json *o, struct item *it)
{
	struct sample *s = &it->s;
	size_t i;

	s->present = 0;
	for (i = 0; i < o->len; i++) {
		const struct json *v = o->items[i];
		int k = find_key(rd, i, o->keys[i], strlen(o->keys[i]));

		if (k < 0)
			continue; /* unknown keys are ignored (docs/bench-output.md) */
		if (s->present & (1u << k))
			return item_error(it, "sample has '%s' twice", o->keys[i]);
		switch (sample_keys[k].type) {
		case T_INT:
			if (json_int(v, &s->v[k]))
				return item_error(it, "sample's '%s' must be an integer, not %s%s%s",
						  o->keys[i], type_name(v),
						  v->type == JSON_NUMBER ? " " : "",
						  v->type == JSON_NUMBER ? v->str : "");
			if (s->v[k] < 0 && k != K_START)
				return item_error(it, "sample's '%s' is negative (%s)", o->keys[i],
						  v->str);
			break;
		case T_BOOL:
			if (v->type != JSON_BOOL)
				return item_error(it, "sample's '%s' must be true or false, not %s",
						  o->keys[i], type_name(v));
			s->v[k] = v->boolean;
			break;
		case T_STR: {
			char *dst = k == K_BACKEND ? s->backend : s->comp;
			size_t max = k == K_BACKEND ? sizeof(s->backend) : sizeof(s->comp);

			if (v->type != JSON_STRING)
				return item_error(it, "sample's '%s' must be a string, not %s",
						  o->keys[i], type_name(v));
			if (k == K_TYPE)
				break;
			if (strlen(v->str) >= max)
				return item_error(it, "sample's '%s' is longer than %zu characters",
						  o->keys[i], max - 1);
			memcpy(dst, v->str, strlen(v->str) + 1);
			break;
		}
		}
		s->present |= 1u << k;
	}
	return check_sample(it);
}

/*
 * The fast path for a sample line in the shape swapbench writes: one flat
 * object without whitespace whose keys have no escapes and whose values
 * are unsigned integers, booleans or strings without escapes.  Parsing it
 * in place, with no tree, is what lets an import keep up with SQLite.
 * Strings are printable ASCII here (non-ASCII goes to the parser, which
 * validates UTF-8), so whatever this accepts the parser accepts with the
 * same values (db_import_fast_agrees() checks that).
 * Returns 0 with it->s filled (not yet checked), or 1 when the line is
 * anything else, a non-sample or a mistake included: the general parser
 * then reads it, so every error is worded in one place.
 */
static int scan_sample(struct reader *rd, const char *p, const char *end, struct item *it)
{
	struct sample *s = &it->s;
	size_t pos;
	int k;

	s->present = 0;
	if (p == end || *p++ != '{')
		return 1;
	for (pos = 0;; pos++) {
		const char *key, *str = NULL;
		size_t klen, slen = 0;
		int64_t x = 0;

		/* "key": -- most often the one the previous line had here */
		k = pos < ARRAY_SIZE(rd->key_at) ? rd->key_at[pos] : -1;
		if (k >= 0 && (size_t)(end - p) > rd->key_len[pos] + 3u && p[0] == '"' &&
		    !memcmp(p + 1, sample_keys[k].name, rd->key_len[pos]) &&
		    p[rd->key_len[pos] + 1] == '"' && p[rd->key_len[pos] + 2] == ':') {
			p += rd->key_len[pos] + 3;
		} else {
			if (p == end || *p++ != '"')
				return 1;
			for (key = p; p < end && *p != '"'; p++)
				if (*p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x80)
					return 1;
			if (end - p < 2 || p[1] != ':')
				return 1;
			klen = (size_t)(p - key);
			p += 2;
			k = find_key(rd, pos, key, klen);
		}
		if (k >= 0 && (s->present & (1u << k)))
			return 1;
		/* value: digits, true/false or "string" */
		if (p < end && *p >= '0' && *p <= '9') {
			const char *d = p;

			/* At most 18 digits (no overflow; more go to the parser), no leading zero. */
			for (; p < end && *p >= '0' && *p <= '9'; p++) {
				if (p - d == 18)
					return 1;
				x = x * 10 + (*p - '0');
			}
			if (*d == '0' && p - d > 1)
				return 1;
			if (k >= 0 && sample_keys[k].type != T_INT)
				return 1;
		} else if (end - p >= 4 && !memcmp(p, "true", 4)) {
			p += 4;
			x = 1;
			if (k >= 0 && sample_keys[k].type != T_BOOL)
				return 1;
		} else if (end - p >= 5 && !memcmp(p, "false", 5)) {
			p += 5;
			if (k >= 0 && sample_keys[k].type != T_BOOL)
				return 1;
		} else if (p < end && *p == '"') {
			for (str = ++p; p < end && *p != '"'; p++)
				if (*p == '\\' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x80)
					return 1;
			if (p == end)
				return 1;
			slen = (size_t)(p++ - str);
			if (k >= 0 && sample_keys[k].type != T_STR)
				return 1;
		} else {
			return 1; /* null, negative, fraction, nesting, whitespace */
		}
		if (k == K_TYPE) {
			if (slen != 6 || memcmp(str, "sample", 6))
				return 1;
		} else if (k == K_BACKEND || k == K_COMP) {
			char *dst = k == K_BACKEND ? s->backend : s->comp;
			size_t max = k == K_BACKEND ? sizeof(s->backend) : sizeof(s->comp);

			if (slen >= max)
				return 1;
			memcpy(dst, str, slen);
			dst[slen] = '\0';
		} else if (k >= 0) {
			s->v[k] = x;
		}
		if (k >= 0)
			s->present |= 1u << k;
		if (p == end)
			return 1;
		if (*p == '}')
			break;
		if (*p++ != ',')
			return 1;
	}
	return p + 1 == end && (s->present & (1u << K_TYPE)) ? 0 : 1;
}

/* Classifies and (for samples) parses one line into it; -1 after an IT_ERROR. */
static int read_item(struct reader *rd, char *line, size_t len, struct item *it)
{
	struct json *root;
	struct json_doc *doc;
	const char *type;
	char err[256];
	int rc = 0;

	if (!scan_sample(rd, line, line + len, it)) {
		rd->fast++;
		return check_sample(it);
	}
	doc = json_parse(line, len, &root, err, sizeof(err));
	if (!doc)
		return item_error(it, "malformed JSON: %s", err);
	if (root->type != JSON_OBJECT)
		rc = item_error(it, "expected a JSON object, found %s", type_name(root));
	else if (json_get_str(root, "type", &type))
		rc = item_error(it, "object has no 'type' (a string)");
	else if (!strcmp(type, "sample"))
		rc = parse_sample(rd, root, it);
	else {
		it->kind = IT_OTHER;
		it->text = xmalloc(len + 1);
		memcpy(it->text, line, len);
		it->text[len] = '\0';
		it->len = len;
	}
	json_doc_free(doc);
	return rc;
}

/* One line of db_import_fast_agrees(); rf keeps the fast path's key cache across lines. */
static int fast_agrees_line(struct reader *rf, const char *line, size_t len, char *err,
			    size_t errlen)
{
	struct reader rp;
	struct item a, b;
	struct json *root;
	struct json_doc *doc;
	char jerr[256];
	const char *type;
	int rc = 0, ra, rb;
	size_t k;

	memset(&rp, 0, sizeof(rp));
	memset(rp.key_at, -1, sizeof(rp.key_at));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (scan_sample(rf, line, line + len, &a))
		return 0;
	ra = check_sample(&a);
	doc = json_parse(line, len, &root, jerr, sizeof(jerr));
	if (!doc) {
		snprintf(err, errlen, "fast path read a line the parser refuses: %s", jerr);
		free(a.text);
		return -1;
	}
	if (root->type != JSON_OBJECT || json_get_str(root, "type", &type) || strcmp(type, "sample")) {
		snprintf(err, errlen, "fast path read a line that is no sample to the parser");
		rc = -1;
		goto out;
	}
	rb = parse_sample(&rp, root, &b);
	if (ra != rb || a.kind != b.kind) {
		snprintf(err, errlen, "verdicts differ: fast %s, parser %s", ra ? a.text : "ok",
			 rb ? b.text : "ok");
		rc = -1;
		goto out;
	}
	if (ra)
		goto out;
	if (a.s.present != b.s.present || strcmp(a.s.backend, b.s.backend) ||
	    strcmp(a.s.comp, b.s.comp)) {
		snprintf(err, errlen, "keys or strings differ");
		rc = -1;
		goto out;
	}
	for (k = 0; k < K__COUNT; k++)
		if (k != K_TYPE && (a.s.present & (1u << k)) && a.s.v[k] != b.s.v[k]) {
			snprintf(err, errlen, "'%s' differs: fast %lld, parser %lld", sample_keys[k].name,
				 (long long)a.s.v[k], (long long)b.s.v[k]);
			rc = -1;
			break;
		}
out:
	json_doc_free(doc);
	free(a.text);
	free(b.text);
	return rc;
}

/*
 * For the differential test and the fuzz target: reads each line of
 * text[0..len) as the import's reader does, with the fast path (its key
 * cache carried from line to line) and with the parser, and compares.
 * Where the fast path reads a line the parser must read it too, with the
 * same keys, values and verdict of check_sample().  0 when they agree on
 * every line (lines the fast path passes on are the parser's alone), else
 * -1 with the line and what differs in err.
 */
int db_import_fast_agrees(const char *text, size_t len, char *err, size_t errlen)
{
	struct reader rf;
	const char *p = text, *end = text + len;
	unsigned lineno = 0;

	memset(&rf, 0, sizeof(rf));
	memset(rf.key_at, -1, sizeof(rf.key_at));
	err[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line_err[512];

		lineno++;
		if (l && p[l - 1] == '\r')
			l--;
		if (fast_agrees_line(&rf, p, l, line_err, sizeof(line_err))) {
			snprintf(err, errlen, "line %u: %s", lineno, line_err);
			return -1;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Waits for a free batch; NULL when the writer has stopped. */
static struct batch *queue_get_free(struct queue *q)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&q->lock);
	while (q->count == NR_BATCHES && !q->stop)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (!q->stop)
		b = q->ring[q->tail];
	pthread_mutex_unlock(&q->lock);
	if (b)
		b->n = 0;
	return b;
}

static void queue_publish(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->tail = (q->tail + 1) % NR_BATCHES;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct batch *b;
	int old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_setname_np(pthread_self(), "swaplab-import"); /* tells it apart in top and perf */
	if (!(b = queue_get_free(rd->q)))
		return NULL;
	for (;;) {
		struct item *it = &b->items[b->n];
		char *line;
		size_t len, i;
		int rc = reader_next(rd, &line, &len);

		it->line = rd->lineno;
		it->text = NULL;
		if (rc <= 0) {
			if (rc < 0)
				item_error(it, "cannot read: %s", strerror(errno));
			else
				it->kind = IT_EOF;
			b->n++;
			rd->cpu_ns = thread_cpu_ns();
			queue_publish(rd->q);
			return NULL;
		}
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
			;
		if (i == len)
			continue; /* blank lines carry nothing */
		rc = read_item(rd, line, len, it);
		b->n++;
		if (rc < 0) {
			rd->cpu_ns = thread_cpu_ns();
			queue_publish(rd->q);
			return NULL;
		}
		if (b->n == BATCH_ITEMS) {
			queue_publish(rd->q);
			if (!(b = queue_get_free(rd->q)))
				return NULL;
		}
	}
}

/* ---- the writer (this thread) ---- */

/* One cell of the run being imported, and the runs of it seen so far. */
struct cell_acc {
	const char *backend;       /* interned */
	uint64_t size;
	unsigned procs;
	int64_t id;                /* cell row, 0 until its first sample */
	const char *comp;          /* interned */
	unsigned comp_line;
	/*
	 * Per run number (index run - 1), sized by the env's runs; all in
	 * one block, the one per_run points to (start_cell):
	 */
	unsigned *count;           /* processes seen */
	unsigned *first_line;      /* line of the run's first sample */
	uint32_t *present;         /* per-run keys present in that sample */
	int64_t *per_run;          /* [run][NR_PER_RUN] values of that sample */
	int64_t *sum, *max;        /* munmap_ns over the run's processes */
	unsigned char *seen;       /* [run][procs]: proc index seen */
};

/* Sample rows go to SQLite SAMPLE_BATCH at a time (one statement). */
#define SAMPLE_COLS 11
#define SAMPLE_BATCH 256

struct importer {
	struct db *db;
	const char *path, *label;
	char *source;              /* absolute path of the file, for run.source */
	const struct db_import_opts *opts;
	struct db_import_stats *st;
	unsigned line;

	/* The run being imported (0 between runs). */
	int64_t run_id;
	unsigned env_line;
	uint64_t run_samples;
	const char **backends;     /* from env, interned */
	uint64_t *sizes;
	unsigned *procs;
	size_t nr_backends, nr_sizes, nr_procs;
	unsigned runs;
	int64_t label_id;
	int64_t last_cell_id;      /* the highest cell id taken (ids are ours in the transaction) */
	struct cell_acc *cells;    /* nr_backends x nr_sizes x nr_procs */
	const char *last_backend, *last_comp;

	/* Sample rows not yet inserted: values and whether each is NULL. */
	int64_t pend[SAMPLE_BATCH][SAMPLE_COLS];
	uint16_t pend_null[SAMPLE_BATCH];
	unsigned nr_pend;

	char *text;                /* scratch for the JSON arrays of a cell */
	size_t text_alloc;
};

static int bad(struct importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct importer *im, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error("%s:%u: %s", im->path, im->line, msg);
}

/* The sample's cell among those the env announced, or NULL after an error. */
static struct cell_acc *find_cell(struct importer *im, const char *backend,
				  const struct sample *s)
{
	size_t b, z, p;

	for (b = 0; b < im->nr_backends; b++)
		if (im->backends[b] == backend)
			break;
	if (b == im->nr_backends) {
		bad(im, "sample's backend '%s' is not among the env's backends (line %u)",
		    backend, im->env_line);
		return NULL;
	}
	for (z = 0; z < im->nr_sizes; z++)
		if (im->sizes[z] == (uint64_t)s->v[K_SIZE])
			break;
	if (z == im->nr_sizes) {
		bad(im, "sample's size_bytes %lld is not among the env's sizes_bytes (line %u)",
		    (long long)s->v[K_SIZE], im->env_line);
		return NULL;
	}
	for (p = 0; p < im->nr_procs; p++)
		if (im->procs[p] == (uint64_t)s->v[K_PROCS])
			break;
	if (p == im->nr_procs) {
		bad(im, "sample's procs %lld is not among the env's procs (line %u)",
		    (long long)s->v[K_PROCS], im->env_line);
		return NULL;
	}
	return &im->cells[(b * im->nr_sizes + z) * im->nr_procs + p];
}

static void cell_name(const struct cell_acc *c, unsigned run, char *buf, size_t len)
{
	char sz[32];

	snprintf(buf, len, "%s %s %up run %u", c->backend, fmt_size(c->size, sz, sizeof(sz)),
		 c->procs, run);
}

/*
 * A cell's first sample: its row id is taken now (the samples refer to it)
 * and the row itself is inserted whole by finish_cell(), once, rather
 * than inserted and then rewritten with its figures.
 */
static void start_cell(struct importer *im, struct cell_acc *c, const char *comp)
{
	size_t runs = im->runs;

	c->id = ++im->last_cell_id;
	im->st->cells++;
	c->comp = comp;
	c->comp_line = im->line;
	/* One zeroed block, 8-byte members first (thousands of cells per import). */
	c->per_run = xcalloc(1, runs * (NR_PER_RUN * 8 + 8 + 8 + 4 + 4 + 4) + runs * c->procs);
	c->sum = c->per_run + runs * NR_PER_RUN;
	c->max = c->sum + runs;
	c->count = (unsigned *)(c->max + runs);
	c->first_line = c->count + runs;
	c->present = (uint32_t *)(c->first_line + runs);
	c->seen = (unsigned char *)(c->present + runs);
}

static void free_cell(struct cell_acc *c)
{
	free(c->per_run); /* the whole block (start_cell) */
}

/*
 * Inserts the pending sample rows: SAMPLE_BATCH per statement, the rest
 * (at the end of the stream, or before --replace deletes a run) one by one.
 */
static int flush_samples(struct importer *im)
{
	unsigned i = 0, j, col;

	while (i < im->nr_pend) {
		unsigned n = im->nr_pend - i >= SAMPLE_BATCH ? SAMPLE_BATCH : 1;
		/* Every parameter is bound below: no need to clear them first. */
		sqlite3_stmt *st = db_stmt_all_bound(im->db, n > 1 ? ST_SAMPLE_ADD_BATCH : ST_SAMPLE_ADD);

		if (!st)
			return -1;
		for (j = 0; j < n; j++)
			for (col = 0; col < SAMPLE_COLS; col++) {
				int idx = (int)(j * SAMPLE_COLS + col + 1);

				if (im->pend_null[i + j] & (1u << col))
					sqlite3_bind_null(st, idx);
				else
					sqlite3_bind_int64(st, idx, im->pend[i + j][col]);
			}
		if (db_exec_stmt(im->db, st, "cannot store samples"))
			return -1;
		i += n;
	}
	im->nr_pend = 0;
	return 0;
}

static int queue_sample(struct importer *im, int64_t cell_id, const struct sample *s)
{
	int64_t *row = im->pend[im->nr_pend];
	uint16_t nulls = 0;
	int k;

	row[0] = cell_id;
	row[1] = s->v[K_RUN];
	row[2] = s->v[K_PROC];
	row[3] = s->v[K_MUNMAP];
	for (k = K_START; k <= K_PASSES; k++) {
		int col = 4 + (k - K_START);

		if (s->present & (1u << k))
			row[col] = s->v[k];
		else
			nulls |= (uint16_t)(1u << col);
	}
	im->pend_null[im->nr_pend++] = nulls;
	return im->nr_pend == SAMPLE_BATCH ? flush_samples(im) : 0;
}

/* Interned string for a sample's backend / comp, with a one-entry cache. */
static const char *intern_cached(struct importer *im, const char *s, const char **last)
{
	if (!*last || strcmp(*last, s))
		*last = db_intern(im->db, s);
	return *last;
}

static int add_sample(struct importer *im, const struct sample *s)
{
	const char *backend = intern_cached(im, s->backend, &im->last_backend);
	const char *comp = intern_cached(im, s->comp, &im->last_comp);
	struct cell_acc *c;
	unsigned r, proc;
	char name[96];
	int k;

	if ((unsigned long long)s->v[K_RUN] > im->runs)
		return bad(im, "sample's run %lld is outside the env's 1..%u (line %u)",
			   (long long)s->v[K_RUN], im->runs, im->env_line);
	/* A munmap() takes time: zero or less is a broken clock or a broken writer. */
	if (s->v[K_MUNMAP] <= 0)
		return bad(im, "munmap_ns is %lld: a munmap() time must be positive",
			   (long long)s->v[K_MUNMAP]);
	if (!(c = find_cell(im, backend, s)))
		return -1;
	r = (unsigned)s->v[K_RUN] - 1;
	proc = (unsigned)s->v[K_PROC];
	if (!c->id)
		start_cell(im, c, comp);
	if (c->comp != comp)
		return bad(im, "sample's comp '%s' differs from line %u's '%s' (the same cell)",
			   comp, c->comp_line, c->comp);
	if (c->seen[(size_t)r * c->procs + proc]) {
		cell_name(c, r + 1, name, sizeof(name));
		return bad(im, "a second sample of proc %u of %s (the run's first sample is at"
			   " line %u)", proc, name, c->first_line[r]);
	}
	if (!c->count[r]) {
		c->first_line[r] = im->line;
		c->present[r] = s->present;
		for (k = K_FIRST_PER_RUN; k < K_TYPE; k++)
			c->per_run[(size_t)r * NR_PER_RUN + (k - K_FIRST_PER_RUN)] = s->v[k];
	} else {
		/* The per-run figures must agree across the run's processes. */
		for (k = K_FIRST_PER_RUN; k < K_TYPE; k++) {
			uint32_t bit = 1u << k;
			int64_t want = c->per_run[(size_t)r * NR_PER_RUN + (k - K_FIRST_PER_RUN)];

			if ((c->present[r] & bit) != (s->present & bit)) {
				cell_name(c, r + 1, name, sizeof(name));
				return bad(im, "sample %s '%s' but line %u (the same %s) %s",
					   (s->present & bit) ? "has" : "lacks", sample_keys[k].name,
					   c->first_line[r], name,
					   (c->present[r] & bit) ? "has it" : "does not");
			}
			if ((s->present & bit) && s->v[k] != want) {
				cell_name(c, r + 1, name, sizeof(name));
				return bad(im, "sample's %s is %lld but line %u (the same %s) has %lld",
					   sample_keys[k].name, (long long)s->v[k], c->first_line[r],
					   name, (long long)want);
			}
		}
	}
	if (queue_sample(im, c->id, s))
		return -1;
	c->seen[(size_t)r * c->procs + proc] = 1;
	c->count[r]++;
	/* The reports divide this sum by procs: it must not wrap around. */
	if (__builtin_add_overflow(c->sum[r], s->v[K_MUNMAP], &c->sum[r])) {
		cell_name(c, r + 1, name, sizeof(name));
		return bad(im, "the munmap_ns of %s add up past 2^63 ns (%lld here): not a"
			   " time a benchmark measured", name, (long long)s->v[K_MUNMAP]);
	}
	if (s->v[K_MUNMAP] > c->max[r])
		c->max[r] = s->v[K_MUNMAP];
	im->run_samples++;
	im->st->samples++;
	return 0;
}

/* Appends the decimal form of x: two digits per division (11M figures per 1M samples). */
static char *put_i64(char *p, int64_t x)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char tmp[24], *t = tmp + sizeof(tmp);
	uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
	size_t n;

	if (x < 0)
		*p++ = '-';
	while (u >= 100) {
		t -= 2;
		memcpy(t, pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		t -= 2;
		memcpy(t, pairs + 2 * u, 2);
	} else {
		*--t = (char)('0' + u);
	}
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(p, t, n);
	return p + n;
}

/*
 * Writes the cell's per-run figures as JSON arrays (index = run - 1, null
 * where a run or figure is missing) and checks every run is complete.
 */
static int finish_cell(struct importer *im, struct cell_acc *c)
{
	sqlite3_stmt *st;
	size_t r, need = (size_t)im->runs * 24 + 8, off = 0, starts[2 + NR_PER_RUN + 1];
	unsigned runs = 0;
	int f, k;

	_Static_assert(2 + NR_PER_RUN == 17, "ST_CELL_ADD binds 17 per-run arrays from ?8");
	for (r = 0; r < im->runs; r++) {
		char name[96];

		if (!c->count[r] || c->count[r] == c->procs)
			continue;
		cell_name(c, (unsigned)r + 1, name, sizeof(name));
		return bad(im, "%s has %u of its %u processes (first at line %u)", name, c->count[r],
			   c->procs, c->first_line[r]);
	}
	if (im->text_alloc < need * (2 + NR_PER_RUN)) {
		im->text_alloc = need * (2 + NR_PER_RUN);
		im->text = xrealloc(im->text, im->text_alloc);
	}
	/* Field f: 0 = munmap sum, 1 = munmap max, 2.. = per-run keys. */
	for (f = 0; f < 2 + NR_PER_RUN; f++) {
		char *p = im->text + off;

		starts[f] = off;
		*p++ = '[';
		for (r = 0; r < im->runs; r++) {
			if (r)
				*p++ = ',';
			k = K_FIRST_PER_RUN + f - 2;
			if (!c->count[r] || (f >= 2 && !(c->present[r] & (1u << k)))) {
				memcpy(p, "null", 4);
				p += 4;
			} else if (f == 0) {
				p = put_i64(p, c->sum[r]);
			} else if (f == 1) {
				p = put_i64(p, c->max[r]);
			} else if (k == K_DRAINED) {
				int v = (int)c->per_run[r * NR_PER_RUN + (size_t)(f - 2)];

				memcpy(p, v ? "true" : "false", v ? 4 : 5);
				p += v ? 4 : 5;
			} else {
				p = put_i64(p, c->per_run[r * NR_PER_RUN + (size_t)(f - 2)]);
			}
		}
		*p++ = ']';
		off = (size_t)(p - im->text);
		assert(off <= im->text_alloc);
	}
	starts[2 + NR_PER_RUN] = off;
	for (r = 0; r < im->runs; r++)
		runs += c->count[r] > 0;
	if (!(st = db_stmt(im->db, ST_CELL_ADD)))
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, im->run_id);
	sqlite3_bind_text(st, 3, c->backend, -1, SQLITE_STATIC);
	db_bind_text(st, 4, *c->comp ? c->comp : NULL);
	sqlite3_bind_int64(st, 5, (int64_t)c->size);
	sqlite3_bind_int(st, 6, (int)c->procs);
	sqlite3_bind_int(st, 7, (int)runs);
	for (f = 0; f < 2 + NR_PER_RUN; f++)
		sqlite3_bind_text(st, 8 + f, im->text + starts[f], (int)(starts[f + 1] - starts[f]),
				  SQLITE_STATIC);
	return db_exec_stmt(im->db, st, "cannot store a cell");
}

static size_t nr_cells(const struct importer *im)
{
	return im->nr_backends * im->nr_sizes * im->nr_procs;
}

static void reset_run(struct importer *im)
{
	size_t i;

	for (i = 0; im->cells && i < nr_cells(im); i++)
		free_cell(&im->cells[i]);
	free(im->cells);
	im->cells = NULL;
	free(im->backends);
	free(im->sizes);
	free(im->procs);
	im->backends = NULL;
	im->sizes = NULL;
	im->procs = NULL;
	im->nr_backends = im->nr_sizes = im->nr_procs = 0;
	im->run_id = 0;
	im->run_samples = 0;
}

/* Required env string / integer, with a message naming the key. */
static int env_str(struct importer *im, const struct json *o, const char *key, const char **out)
{
	const struct json *v = json_get(o, key);

	if (!v)
		return bad(im, "env has no '%s' (a string)", key);
	if (v->type != JSON_STRING)
		return bad(im, "env's '%s' must be a string, not %s", key, type_name(v));
	*out = v->str;
	return 0;
}

static int env_int(struct importer *im, const struct json *o, const char *key, int64_t *out)
{
	const struct json *v = json_get(o, key);

	if (!v)
		return bad(im, "env has no '%s' (an integer)", key);
	if (json_int(v, out))
		return bad(im, "env's '%s' must be an integer, not %s", key, type_name(v));
	return 0;
}

/* Optional members: bound as NULL when absent or of another type. */
static void bind_env_str(sqlite3_stmt *st, int i, const struct json *o, const char *key)
{
	const char *s = NULL;

	if (json_get_str(o, key, &s))
		s = NULL;
	db_bind_text(st, i, s);
}

static void bind_env_int(sqlite3_stmt *st, int i, const struct json *o, const char *key)
{
	int64_t x;

	if (json_int(json_get(o, key), &x))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, x);
}

static int env_int_array(struct importer *im, const struct json *o, const char *key,
			 uint64_t **out, size_t *nr)
{
	const struct json *a = json_get(o, key);
	size_t i;

	if (!a || a->type != JSON_ARRAY || !a->len)
		return bad(im, "env's '%s' must be a non-empty array of integers", key);
	*out = xcalloc(a->len, sizeof(**out));
	*nr = a->len;
	for (i = 0; i < a->len; i++) {
		int64_t x;

		if (json_int(a->items[i], &x) || x < 1)
			return bad(im, "env's '%s'[%zu] must be a positive integer", key, i);
		(*out)[i] = (uint64_t)x;
	}
	return 0;
}

/* Every row of a run, children first: each table that refers to run or cell. */
static const enum db_stmt run_delete[] = {
	ST_RUN_DELETE_SAMPLES, ST_RUN_DELETE_CELLS, ST_RUN_DELETE_FIO, ST_RUN_DELETE,
};

static int start_run(struct importer *im, const struct json *o, const char *line, size_t len)
{
	const struct db_import_opts *op = im->opts;
	const char *uuid, *tool, *started, *device, *release, *version, *arch, *cpu_model;
	const struct json *a;
	int64_t schema, cpus, runs, device_id, build_id, rev_id = 0, job_id = 0, old;
	sqlite3_stmt *st;
	uint64_t *procs = NULL;
	size_t i;

	if (env_int(im, o, "schema", &schema))
		return -1;
	if (schema != 1)
		return bad(im, "env has schema %lld; this swaplab reads schema 1 (docs/bench-output.md)",
			   (long long)schema);
	if (env_str(im, o, "run_uuid", &uuid) || env_str(im, o, "tool", &tool) ||
	    env_str(im, o, "started", &started) || env_str(im, o, "device", &device) ||
	    env_str(im, o, "kernel_release", &release) ||
	    env_str(im, o, "kernel_version", &version) || env_str(im, o, "arch", &arch) ||
	    env_str(im, o, "cpu_model", &cpu_model) || env_int(im, o, "cpus", &cpus) ||
	    env_int(im, o, "runs", &runs))
		return -1;
	if (!*uuid || strlen(uuid) > 64)
		return bad(im, "env's run_uuid '%s' is empty or too long", uuid);
	if (!*device)
		return bad(im, "env's device is empty");
	if (runs < 1 || runs > 1000000)
		return bad(im, "env's runs %lld is out of range", (long long)runs);
	im->runs = (unsigned)runs;
	a = json_get(o, "backends");
	if (!a || a->type != JSON_ARRAY || !a->len)
		return bad(im, "env's 'backends' must be a non-empty array of strings");
	im->backends = xcalloc(a->len, sizeof(*im->backends));
	for (i = 0; i < a->len; i++) {
		if (a->items[i]->type != JSON_STRING)
			return bad(im, "env's 'backends'[%zu] must be a string", i);
		im->backends[i] = db_intern(im->db, a->items[i]->str);
	}
	im->nr_backends = a->len;
	if (env_int_array(im, o, "sizes_bytes", &im->sizes, &im->nr_sizes) ||
	    env_int_array(im, o, "procs", &procs, &im->nr_procs))
		return -1;
	im->procs = xcalloc(im->nr_procs, sizeof(*im->procs));
	for (i = 0; i < im->nr_procs; i++) {
		if (procs[i] > 4096) {
			free(procs);
			return bad(im, "env's procs %llu is more than 4096",
				   (unsigned long long)procs[i]);
		}
		im->procs[i] = (unsigned)procs[i];
	}
	free(procs);
	im->cells = xcalloc(nr_cells(im), sizeof(*im->cells));
	for (i = 0; i < nr_cells(im); i++) {
		struct cell_acc *c = &im->cells[i];

		c->backend = im->backends[i / (im->nr_sizes * im->nr_procs)];
		c->size = im->sizes[i / im->nr_procs % im->nr_sizes];
		c->procs = im->procs[i % im->nr_procs];
	}

	/* A run already stored: refuse, or replace on request. */
	if (!(st = db_stmt(im->db, ST_RUN_BY_UUID)))
		return -1;
	db_bind_text(st, 1, uuid);
	if (sqlite3_step(st) == SQLITE_ROW) {
		old = sqlite3_column_int64(st, 0);
		if (!op->replace) {
			bad(im, "run %s is already in '%s' (label '%s', imported %s from '%s');"
			    " use --replace to replace it", uuid, im->db->path,
			    (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2),
			    (const char *)sqlite3_column_text(st, 3));
			sqlite3_reset(st);
			return -1;
		}
		sqlite3_reset(st);
		/* Pending samples may be the old run's (the same uuid twice in this stream). */
		if (flush_samples(im))
			return -1;
		/* Child rows first: no cascade with foreign keys off (db_import_jsonl). */
		for (i = 0; i < ARRAY_SIZE(run_delete); i++) {
			if (!(st = db_stmt(im->db, run_delete[i])))
				return -1;
			sqlite3_bind_int64(st, 1, old);
			if (db_exec_stmt(im->db, st, "cannot delete the run being replaced"))
				return -1;
		}
		im->st->replaced++;
	}
	sqlite3_reset(st);

	if (op->series && (rev_id = db_revision_id(im->db, op->series, op->revision)) < 0)
		return -1;
	if ((device_id = db_device_id(im->db, device, op->device_kind, NULL)) < 0)
		return -1;
	if (!(st = db_stmt(im->db, ST_DEVICE_SEEN)))
		return -1;
	sqlite3_bind_int64(st, 1, device_id);
	bind_env_str(st, 2, o, "hostname");
	db_bind_text(st, 3, arch);
	db_bind_text(st, 4, cpu_model);
	sqlite3_bind_int64(st, 5, cpus);
	if (db_exec_stmt(im->db, st, "cannot update a device"))
		return -1;
	build_id = db_build_id(im->db, op->kind ? op->kind : "unknown", rev_id, op->commit,
			       op->config_fingerprint, release, version, arch);
	if (build_id < 0)
		return -1;
	if (op->job && (job_id = db_job_id(im->db, device_id, build_id, op->job)) < 0)
		return -1;
	if (!im->label_id && (im->label_id = db_label_id(im->db, im->label, 1)) < 0)
		return -1;

	if (!(st = db_stmt(im->db, ST_RUN_ADD)))
		return -1;
	db_bind_text(st, 1, uuid);
	sqlite3_bind_int64(st, 2, im->label_id);
	sqlite3_bind_int64(st, 3, device_id);
	sqlite3_bind_int64(st, 4, build_id);
	if (job_id)
		sqlite3_bind_int64(st, 5, job_id);
	else
		sqlite3_bind_null(st, 5);
	db_bind_text(st, 6, im->source ? im->source : im->path);
	sqlite3_bind_int64(st, 7, schema);
	db_bind_text(st, 8, tool);
	db_bind_text(st, 9, started);
	bind_env_str(st, 10, o, "hostname");
	bind_env_str(st, 11, o, "kernel_cmdline");
	db_bind_text(st, 12, cpu_model);
	sqlite3_bind_int64(st, 13, cpus);
	bind_env_int(st, 14, o, "mem_total_bytes");
	bind_env_int(st, 15, o, "page_size");
	bind_env_str(st, 16, o, "thp_enabled");
	bind_env_str(st, 17, o, "cpufreq_governor");
	bind_env_str(st, 18, o, "cpu_clock");
	sqlite3_bind_int64(st, 19, runs);
	bind_env_str(st, 20, o, "fill");
	{
		double ratio;

		if (json_get_double(o, "ratio", &ratio))
			sqlite3_bind_null(st, 21);
		else
			sqlite3_bind_double(st, 21, ratio);
	}
	bind_env_str(st, 22, o, "thp");
	bind_env_str(st, 23, o, "load");
	bind_env_int(st, 24, o, "drain_timeout_ns");
	sqlite3_bind_text(st, 25, line, (int)len, SQLITE_STATIC);
	if (db_exec_stmt(im->db, st, "cannot store a run"))
		return -1;
	im->run_id = sqlite3_last_insert_rowid(im->db->h);
	im->env_line = im->line;
	snprintf(im->st->run_uuid, sizeof(im->st->run_uuid), "%s", uuid);
	return 0;
}

static int end_run(struct importer *im, const struct json *o)
{
	const char *status, *message = NULL;
	int64_t samples;
	sqlite3_stmt *st;
	size_t i;

	if (env_str(im, o, "status", &status))
		return -1;
	if (strcmp(status, "ok")) {
		json_get_str(o, "message", &message);
		return bad(im, "the run ended with status '%s'%s%s: not importing an incomplete run",
			   status, message ? ": " : "", message ? message : "");
	}
	if (json_int(json_get(o, "samples"), &samples))
		return bad(im, "end has no 'samples' (an integer)");
	/* Sample rows stay pending across runs: whole batches, one flush at the end. */
	for (i = 0; i < nr_cells(im); i++)
		if (im->cells[i].id && finish_cell(im, &im->cells[i]))
			return -1;
	if ((uint64_t)samples != im->run_samples)
		return bad(im, "end says %lld samples but the run has %llu (from line %u)",
			   (long long)samples, (unsigned long long)im->run_samples, im->env_line);
	if (!(st = db_stmt(im->db, ST_RUN_END)))
		return -1;
	sqlite3_bind_int64(st, 1, im->run_id);
	db_bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, samples);
	if (db_exec_stmt(im->db, st, "cannot finish a run"))
		return -1;
	im->st->runs++;
	reset_run(im);
	return 0;
}

static int add_fio(struct importer *im, const struct json *o)
{
	sqlite3_stmt *st;
	const char *job;
	double iops;

	if (env_str(im, o, "job", &job))
		return -1;
	if (!(st = db_stmt(im->db, ST_FIO_ADD)))
		return -1;
	sqlite3_bind_int64(st, 1, im->run_id);
	db_bind_text(st, 2, job);
	bind_env_str(st, 3, o, "rw");
	bind_env_str(st, 4, o, "comp");
	bind_env_int(st, 5, o, "size_bytes");
	bind_env_int(st, 6, o, "bw_bytes");
	if (json_get_double(o, "iops", &iops))
		sqlite3_bind_null(st, 7);
	else
		sqlite3_bind_double(st, 7, iops);
	bind_env_int(st, 8, o, "lat_mean_ns");
	bind_env_int(st, 9, o, "runtime_ms");
	if (db_exec_stmt(im->db, st, "cannot store a fio result"))
		return -1;
	im->st->fio++;
	return 0;
}

/* An env, end or fio line (the reader thread has parsed samples already). */
static int import_other(struct importer *im, char *line, size_t len)
{
	struct json *root;
	struct json_doc *doc;
	const char *type = "";
	char err[256];
	int rc = -1;

	/* The reader thread has checked it is an object with a string "type". */
	doc = json_parse(line, len, &root, err, sizeof(err));
	if (!doc)
		return bad(im, "malformed JSON: %s", err);
	json_get_str(root, "type", &type);
	if (!strcmp(type, "env"))
		rc = im->run_id ? bad(im, "'env' line inside the run that began at line %u"
				      " (no 'end' line before it)", im->env_line)
				: start_run(im, root, line, len);
	else if (!strcmp(type, "end"))
		rc = im->run_id ? end_run(im, root) : bad(im, "'end' line without a run");
	else if (!strcmp(type, "fio"))
		rc = im->run_id ? add_fio(im, root) : bad(im, "'fio' line before the 'env' line");
	else
		bad(im, "unknown line type '%s' (expected env, sample, fio or end)", type);
	json_doc_free(doc);
	return rc;
}

/* 1 at a clean end of stream, 0 to go on, -1 on error. */
static int import_item(struct importer *im, struct item *it)
{
	im->line = it->line;
	switch (it->kind) {
	case IT_SAMPLE:
		if (!im->run_id)
			return bad(im, "'sample' line before the run's 'env' line");
		return add_sample(im, &it->s);
	case IT_OTHER:
		return import_other(im, it->text, it->len);
	case IT_ERROR:
		return bad(im, "%s", it->text);
	case IT_EOF:
		return 1;
	}
	return -1;
}

/* Whether s is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned cp, need, i;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			cp = *p & 0x1f, need = 1;
		else if ((*p & 0xf0) == 0xe0)
			cp = *p & 0x0f, need = 2;
		else if ((*p & 0xf8) == 0xf0)
			cp = *p & 0x07, need = 3;
		else
			return 0;
		for (i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < (need == 1 ? 0x80u : need == 2 ? 0x800u : 0x10000u) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += need + 1;
	}
	return 1;
}

static int check_opts(const char *label, const struct db_import_opts *op)
{
	const char *p;

	if (!label || !*label)
		return error("a label is needed to import runs");
	if (strlen(label) > 128)
		return error("label '%.20s...' is longer than 128 characters", label);
	for (p = label; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return error("label '%s' has a space or control character", label);
	/* Labels end up in every report format: JSON and HTML need valid UTF-8. */
	if (!utf8_valid(label))
		return error("label '%s' is not valid UTF-8", label);
	if (op->series && !utf8_valid(op->series))
		return error("series name '%s' is not valid UTF-8", op->series);
	if (op->kind && strcmp(op->kind, "base") && strcmp(op->kind, "patched"))
		return error("kernel build kind '%s' is not 'base' or 'patched'", op->kind);
	if (op->series && (!op->revision || !op->kind))
		return error("series '%s' needs a revision (>= 1) and a kind (base or patched)",
			     op->series);
	if (!op->series && op->revision)
		return error("a revision needs its series");
	if (op->device_kind && strcmp(op->device_kind, "host") && strcmp(op->device_kind, "qemu") &&
	    strcmp(op->device_kind, "lava"))
		return error("device kind '%s' is not host, qemu or lava", op->device_kind);
	return 0;
}

int db_import_jsonl(struct db *db, const char *path, const char *label,
		    const struct db_import_opts *opts, struct db_import_stats *st)
{
	static const struct db_import_opts no_opts;
	struct db_import_stats dummy;
	struct importer im;
	struct reader rd;
	struct queue q;
	pthread_t thread;
	size_t i, j;
	int rc = 0, ret = -1, started = 0, fk_off = 0;
	uint64_t cpu0 = thread_cpu_ns();
	sqlite3_stmt *cst;

	if (!opts)
		opts = &no_opts;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (check_opts(label, opts))
		return -1;
	memset(&rd, 0, sizeof(rd));
	rd.path = path;
	rd.fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (rd.fd < 0)
		return error_errno("cannot open '%s'", path);
	rd.alloc = 4 << 20;
	rd.buf = xmalloc(rd.alloc);
	memset(rd.key_at, -1, sizeof(rd.key_at));
	rd.q = &q;
	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.not_empty, NULL);
	pthread_cond_init(&q.not_full, NULL);
	for (i = 0; i < NR_BATCHES; i++)
		q.ring[i] = xcalloc(1, sizeof(*q.ring[i]));
	memset(&im, 0, sizeof(im));
	im.db = db;
	im.path = path;
	im.source = strcmp(path, "-") ? realpath(path, NULL) : NULL;
	im.label = label;
	im.opts = opts;
	im.st = st;

	/*
	 * The import creates every parent row it refers to (run, then cell
	 * ids) in its own transaction, so SQLite's foreign-key checks would
	 * only repeat that: a parent lookup per sample row, a third of the
	 * cost of storing it.  They are off for this transaction; the run a
	 * --replace removes is deleted child-first (run_delete), and the tests
	 * run PRAGMA foreign_key_check after imports.
	 */
	fk_off = 1; /* restored even if this fails: SQLite applies the pragma as it prepares it */
	if (db_foreign_keys(db, 0))
		goto out;
	if (db_begin(db))
		goto out;
	if (!(cst = db_stmt(db, ST_CELL_MAX_ID)) || sqlite3_step(cst) != SQLITE_ROW) {
		db_err(db, "cannot read the cell ids");
		goto rollback;
	}
	im.last_cell_id = sqlite3_column_int64(cst, 0);
	sqlite3_reset(cst);
	if ((errno = pthread_create(&thread, NULL, reader_main, &rd))) {
		error_errno("cannot start the reader thread");
		goto rollback;
	}
	started = 1;
	while (!rc) {
		struct batch *b;

		pthread_mutex_lock(&q.lock);
		while (!q.count)
			pthread_cond_wait(&q.not_empty, &q.lock);
		b = q.ring[q.head];
		pthread_mutex_unlock(&q.lock);
		for (j = 0; j < b->n && !rc; j++)
			rc = import_item(&im, &b->items[j]);
		for (j = 0; j < b->n; j++) {
			free(b->items[j].text);
			b->items[j].text = NULL;
		}
		pthread_mutex_lock(&q.lock);
		q.head = (q.head + 1) % NR_BATCHES;
		q.count--;
		pthread_cond_signal(&q.not_full);
		pthread_mutex_unlock(&q.lock);
	}
	if (rc < 0)
		goto rollback;
	if (im.run_id) {
		error("%s: the stream ends at line %u without the 'end' line of the run that"
		      " began at line %u: the run was cut short", path, rd.lineno, im.env_line);
		goto rollback;
	}
	if (!st->runs) {
		error("%s: no runs in it (an empty stream)", path);
		goto rollback;
	}
	if (flush_samples(&im))
		goto rollback;
	st->commit_ns = now_ns();
	if (db_commit(db))
		goto out;
	st->commit_ns = now_ns() - st->commit_ns;
	st->writer_cpu_ns = thread_cpu_ns() - cpu0;
	ret = 0;
	goto out;
rollback:
	db_rollback(db);
	memset(st, 0, sizeof(*st));
out:
	if (started) {
		/* The reader may be waiting for a batch, or blocked reading a pipe. */
		pthread_mutex_lock(&q.lock);
		q.stop = 1;
		pthread_cond_signal(&q.not_full);
		pthread_mutex_unlock(&q.lock);
		if (ret)
			pthread_cancel(thread);
		pthread_join(thread, NULL);
		if (!ret) {
			st->reader_cpu_ns = rd.cpu_ns;
			st->fast_samples = rd.fast;
		}
	}
	/* Texts of items the writer never reached (it frees and clears the others). */
	for (i = 0; i < NR_BATCHES; i++) {
		for (j = 0; j < BATCH_ITEMS; j++)
			free(q.ring[i]->items[j].text);
		free(q.ring[i]);
	}
	pthread_mutex_destroy(&q.lock);
	pthread_cond_destroy(&q.not_empty);
	pthread_cond_destroy(&q.not_full);
	/* Outside a transaction this fails only for want of memory; what was committed stays. */
	if (fk_off)
		db_foreign_keys(db, 1);
	reset_run(&im);
	free(im.text);
	free(im.source);
	if (rd.fd > 0)
		close(rd.fd);
	free(rd.buf);
	return ret;
}
