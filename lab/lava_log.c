/*
 * lab/lava_log.c - reads LAVA job logs: the results LAVA recorded (test
 * cases with measurements, the job's own pass/fail with error type and
 * message) and the benchmark's JSON Lines stream, which the inline test
 * definition prints base64-encoded between markers (lava_job.c).
 *
 * A LAVA log entry is one line of YAML written by lava_common.log.dump():
 * a flow mapping whose scalars are all double-quoted, non-strings tagged
 * (`! "3"`), e.g.
 *   - {"dt": "2023-...", "lvl": "target", "msg": "h\xE9llo \e[0m"}
 * lava_yaml_flow_to_json() turns such a line into JSON (every scalar a
 * string) so src/json.c can read it.
 *
 * Invariant: the stream is only handed back (LAVA_JSONL_OK) when every
 * numbered chunk arrived in order and the decoded bytes have the size and
 * MD5 the board printed; anything else is LAVA_JSONL_CORRUPT with
 * the reason, never a partial stream.
 */
#include "lab/lava.h"
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- YAML flow line -> JSON ---- */

struct out {
	char *buf;
	size_t len, alloc;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	ALLOC_GROW(o->buf, o->len + n + 1, o->alloc);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_ch(struct out *o, char c)
{
	out_add(o, &c, 1);
}

static void out_utf8(struct out *o, unsigned long cp)
{
	char b[4];

	if (cp == 0)
		return; /* NUL cannot live in a C string: dropped */
	if (cp < 0x20) {
		char e[8];

		snprintf(e, sizeof(e), "\\u%04lx", cp);
		out_add(o, e, 6);
	} else if (cp == '"' || cp == '\\') {
		out_ch(o, '\\');
		out_ch(o, (char)cp);
	} else if (cp < 0x80) {
		out_ch(o, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		out_add(o, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		out_add(o, b, 3);
	} else if (cp < 0x110000) {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		out_add(o, b, 4);
	} else {
		out_add(o, "\xef\xbf\xbd", 3);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads a YAML double-quoted scalar at *pp (on the opening quote). */
static int dq_scalar(const char **pp, const char *end, struct out *o)
{
	const char *p = *pp + 1;

	out_ch(o, '"');
	while (p < end && *p != '"') {
		unsigned char c = (unsigned char)*p++;
		unsigned long cp;
		int digits = 0, i;

		if (c != '\\') {
			if (c < 0x20)
				out_utf8(o, c);
			else if (c == '\\' || c == '"')
				out_utf8(o, c);
			else
				out_ch(o, (char)c); /* UTF-8 bytes pass through */
			continue;
		}
		if (p >= end)
			return -1;
		c = (unsigned char)*p++;
		switch (c) {
		case '0': cp = 0; break;
		case 'a': cp = 7; break;
		case 'b': cp = 8; break;
		case 't': case '\t': cp = 9; break;
		case 'n': cp = 10; break;
		case 'v': cp = 11; break;
		case 'f': cp = 12; break;
		case 'r': cp = 13; break;
		case 'e': cp = 27; break;
		case ' ': cp = ' '; break;
		case '"': cp = '"'; break;
		case '/': cp = '/'; break;
		case '\\': cp = '\\'; break;
		case 'N': cp = 0x85; break;
		case '_': cp = 0xa0; break;
		case 'L': cp = 0x2028; break;
		case 'P': cp = 0x2029; break;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			return -1;
		}
		if (digits) {
			cp = 0;
			for (i = 0; i < digits; i++) {
				int h = p < end ? hexval((unsigned char)*p) : -1;

				if (h < 0)
					return -1;
				cp = cp * 16 + (unsigned long)h;
				p++;
			}
		}
		out_utf8(o, cp);
	}
	if (p >= end)
		return -1;
	out_ch(o, '"');
	*pp = p + 1;
	return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* Plain scalars (older logs, hand-written files): up to , : } ] */
static int plain_scalar(const char **pp, const char *end, struct out *o)
{
	const char *p = *pp, *s = p, *e;

	while (p < end && *p != ',' && *p != '}' && *p != ']' &&
	       !(*p == ':' && (p + 1 == end || p[1] == ' ')))
		p++;
	e = p;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s)
		return -1;
	out_ch(o, '"');
	for (; s < e; s++) {
		if ((unsigned char)*s < 0x80)
			out_utf8(o, (unsigned char)*s);
		else
			out_ch(o, *s); /* UTF-8 bytes pass through */
	}
	out_ch(o, '"');
	*pp = p;
	return 0;
}

static int flow_value(const char **pp, const char *end, struct out *o, int depth);

static int flow_collection(const char **pp, const char *end, struct out *o, int depth)
{
	const char *p = *pp;
	char close = *p == '{' ? '}' : ']';
	int mapping = *p == '{', first = 1;

	if (depth > 32)
		return -1;
	out_ch(o, *p++);
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end)
			return -1;
		if (*p == close) {
			out_ch(o, close);
			*pp = p + 1;
			return 0;
		}
		if (!first) {
			if (*p != ',')
				return -1;
			out_ch(o, ',');
			p = skip_ws(p + 1, end);
		}
		first = 0;
		if (mapping) {
			if (p < end && *p == '"') {
				if (dq_scalar(&p, end, o) < 0)
					return -1;
			} else if (plain_scalar(&p, end, o) < 0) {
				return -1;
			}
			p = skip_ws(p, end);
			if (p >= end || *p != ':')
				return -1;
			out_ch(o, ':');
			p++;
		}
		if (flow_value(&p, end, o, depth + 1) < 0)
			return -1;
	}
}

static int flow_value(const char **pp, const char *end, struct out *o, int depth)
{
	const char *p = skip_ws(*pp, end);

	/* Tags: `! "3"`, `!!int "3"`, `!!python/object/apply:x [...]`. */
	if (p < end && *p == '!') {
		while (p < end && *p != ' ')
			p++;
		p = skip_ws(p, end);
	}
	if (p >= end)
		return -1;
	if (*p == '{' || *p == '[') {
		if (flow_collection(&p, end, o, depth) < 0)
			return -1;
	} else if (*p == '"') {
		if (dq_scalar(&p, end, o) < 0)
			return -1;
	} else if (plain_scalar(&p, end, o) < 0) {
		return -1;
	}
	*pp = p;
	return 0;
}

int lava_yaml_flow_to_json(const char *line, size_t len, char **out)
{
	const char *p = line, *end = line + len;
	struct out o = { 0 };

	p = skip_ws(p, end);
	if (p + 1 < end && p[0] == '-' && p[1] == ' ')
		p = skip_ws(p + 2, end);
	if (p >= end || *p != '{')
		return -1;
	if (flow_collection(&p, end, &o, 0) < 0 || skip_ws(p, end) != end) {
		free(o.buf);
		return -1;
	}
	*out = o.buf;
	return 0;
}

/* ---- MD5 (RFC 1321) and base64 ---- */

/*
 * MD5 checks that the stream survived the serial console: `md5sum` is in
 * busybox and in coreutils, so every board image has it (busybox builds
 * may lack `cksum`).  Integrity against line noise, not security.
 */
static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const unsigned char md5_r[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static void md5_block(uint32_t h[4], const unsigned char *b)
{
	uint32_t w[16], a = h[0], bb = h[1], c = h[2], d = h[3];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		       (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++) {
		uint32_t f, t;
		int g;

		if (i < 16) {
			f = (bb & c) | (~bb & d);
			g = i;
		} else if (i < 32) {
			f = (d & bb) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = bb ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (bb | ~d);
			g = (7 * i) % 16;
		}
		t = d;
		d = c;
		c = bb;
		f += a + md5_k[i] + w[g];
		bb += (f << md5_r[i]) | (f >> (32 - md5_r[i]));
		a = t;
	}
	h[0] += a;
	h[1] += bb;
	h[2] += c;
	h[3] += d;
}

void md5_hex(const unsigned char *p, size_t len, char out[33])
{
	uint32_t h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
	unsigned char tail[128];
	size_t full = len / 64 * 64, rest = len - full, tl;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i < full; i += 64)
		md5_block(h, p + i);
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	tl = rest < 56 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[tl - 8 + i] = (unsigned char)(bits >> (8 * i));
	md5_block(h, tail);
	if (tl == 128)
		md5_block(h, tail + 64);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", (h[i / 4] >> (8 * (i % 4))) & 0xff);
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decodes one base64 line (whole quanta; '=' padding only at the end of
 * the stream) and appends to o.  -1 on any other character.
 */
static int b64_line(const char *s, size_t n, struct out *o, int *ended)
{
	size_t i;

	if (n % 4)
		return -1;
	for (i = 0; i < n; i += 4) {
		int v[4], k, pad = 0;
		char b[3];

		if (*ended)
			return -1; /* data after padding */
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = b64val((unsigned char)s[i + k])) < 0) {
				return -1;
			}
		}
		b[0] = (char)(v[0] << 2 | v[1] >> 4);
		b[1] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		b[2] = (char)((v[2] & 3) << 6 | v[3]);
		out_add(o, b, (size_t)(3 - pad));
		if (pad)
			*ended = 1;
	}
	return 0;
}

/* ---- the log ---- */

struct stream {
	int begun, ended, corrupt, padded;
	unsigned long long expect_bytes;
	unsigned long next_seq;
	struct out data;
	char problem[160];
};

static void stream_fail(struct stream *st, const char *why)
{
	if (!st->corrupt)
		snprintf(st->problem, sizeof(st->problem), "%s", why);
	st->corrupt = 1;
}

/* One target line: maybe a marker.  Leading noise (a prompt) is allowed. */
static void stream_line(struct stream *st, const char *msg)
{
	const char *m = strstr(msg, "SWAPLAB-JSONL");
	char *end;

	if (!m)
		return;
	m += strlen("SWAPLAB-JSONL");
	if (!strncmp(m, "-BEGIN ", 7)) {
		if (st->begun) {
			/* A second stream (a retried test): start again. */
			free(st->data.buf);
			memset(st, 0, sizeof(*st));
		}
		st->begun = 1;
		st->next_seq = 1;
		st->expect_bytes = strtoull(m + 7, &end, 10);
		return;
	}
	if (!st->begun || st->ended)
		return;
	if (*m == ' ') {
		unsigned long seq = strtoul(m + 1, &end, 10);
		const char *b = end;
		size_t n;

		if (end == m + 1 || *b != ' ') {
			stream_fail(st, "a chunk line without a sequence number");
			return;
		}
		b++;
		n = strcspn(b, " \r\n");
		if (seq != st->next_seq) {
			char why[96];

			snprintf(why, sizeof(why), "chunk %lu missing (got %lu)", st->next_seq, seq);
			stream_fail(st, why);
			return;
		}
		st->next_seq++;
		if (b64_line(b, n, &st->data, &st->padded) < 0) {
			char why[96];

			snprintf(why, sizeof(why), "chunk %lu is not valid base64", seq);
			stream_fail(st, why);
		}
		return;
	}
	if (!strncmp(m, "-END ", 5)) {
		unsigned long lines = strtoul(m + 5, &end, 10);
		unsigned long long bytes = strtoull(end, &end, 10);
		char sum[33], want[33], why[160];

		st->ended = 1;
		if (st->corrupt)
			return;
		while (*end == ' ')
			end++;
		snprintf(want, sizeof(want), "%.32s", end);
		md5_hex((const unsigned char *)(st->data.buf ? st->data.buf : ""), st->data.len, sum);
		if (lines != st->next_seq - 1) {
			snprintf(why, sizeof(why), "%lu chunks announced, %lu received", lines,
				 st->next_seq - 1);
			stream_fail(st, why);
		} else if (bytes != st->expect_bytes || bytes != st->data.len) {
			snprintf(why, sizeof(why), "%llu bytes announced, %zu decoded", bytes,
				 st->data.len);
			stream_fail(st, why);
		} else if (strlen(want) != 32 || strcmp(want, sum)) {
			snprintf(why, sizeof(why), "md5 mismatch (board '%s', received %s)", want, sum);
			stream_fail(st, why);
		}
	}
}

static char *dup_str(const struct json *o, const char *key)
{
	const char *s;

	return json_get_str(o, key, &s) == 0 ? xstrdup(s) : NULL;
}

static void add_case(struct lava_log *log, const struct json *msg)
{
	struct lava_case *c;
	const char *m;

	ALLOC_GROW(log->cases, log->nr_cases + 1, log->alloc_cases);
	c = &log->cases[log->nr_cases++];
	memset(c, 0, sizeof(*c));
	c->suite = dup_str(msg, "definition");
	c->name = dup_str(msg, "case");
	c->result = dup_str(msg, "result");
	c->units = dup_str(msg, "units");
	if (json_get_str(msg, "measurement", &m) == 0) {
		char *end;

		c->measurement = strtod(m, &end);
		c->has_measurement = end != m && *end == '\0';
	}
}

static void handle_entry(struct lava_log *log, struct stream *st, const struct json *e)
{
	const char *lvl, *text;
	struct json *msg;

	if (json_get_str(e, "lvl", &lvl) < 0 || !(msg = json_get(e, "msg")))
		return;
	if (!strcmp(lvl, "target") && json_get_str(e, "msg", &text) == 0) {
		stream_line(st, text);
	} else if (!strcmp(lvl, "results") && msg->type == JSON_OBJECT) {
		const char *def, *cas, *res;

		if (json_get_str(msg, "definition", &def) == 0 && !strcmp(def, "lava") &&
		    json_get_str(msg, "case", &cas) == 0 && !strcmp(cas, "job")) {
			log->job_result = json_get_str(msg, "result", &res) == 0 && !strcmp(res, "pass");
			free(log->error_type);
			free(log->error_msg);
			log->error_type = dup_str(msg, "error_type");
			log->error_msg = dup_str(msg, "error_msg");
		}
		add_case(log, msg);
	}
}

int lava_log_parse(const char *text, size_t len, struct lava_log *log)
{
	const char *p = text, *end = text + len;
	struct stream st;

	memset(log, 0, sizeof(*log));
	memset(&st, 0, sizeof(st));
	log->job_result = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char *json, err[128];
		struct json *root;
		struct json_doc *doc;

		if (le > p && !(le - p == 3 && !memcmp(p, "---", 3))) {
			log->lines++;
			if (lava_yaml_flow_to_json(p, (size_t)(le - p), &json) < 0) {
				log->bad_lines++;
			} else {
				doc = json_parse(json, strlen(json), &root, err, sizeof(err));
				if (doc)
					handle_entry(log, &st, root);
				else
					log->bad_lines++;
				json_doc_free(doc);
				free(json);
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (!st.begun) {
		log->jsonl_state = LAVA_JSONL_NONE;
	} else if (!st.ended) {
		log->jsonl_state = LAVA_JSONL_CORRUPT;
		log->jsonl_problem = xstrdup(st.corrupt ? st.problem
					     : "the stream was cut short (no end marker)");
	} else if (st.corrupt) {
		log->jsonl_state = LAVA_JSONL_CORRUPT;
		log->jsonl_problem = xstrdup(st.problem);
	} else {
		log->jsonl_state = LAVA_JSONL_OK;
		log->jsonl = st.data.buf ? st.data.buf : xstrdup("");
		log->jsonl_len = st.data.len;
		st.data.buf = NULL;
	}
	free(st.data.buf);
	return 0;
}

void lava_cases_free(struct lava_case *cases, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(cases[i].suite);
		free(cases[i].name);
		free(cases[i].result);
		free(cases[i].units);
	}
	free(cases);
}

void lava_log_release(struct lava_log *log)
{
	lava_cases_free(log->cases, log->nr_cases);
	free(log->error_type);
	free(log->error_msg);
	free(log->jsonl);
	free(log->jsonl_problem);
	memset(log, 0, sizeof(*log));
}

int lava_jsonl_complete(const char *jsonl, size_t len, char *why, size_t why_len)
{
	const char *p = jsonl, *end = jsonl + len, *last = NULL;
	size_t lineno = 0, last_len = 0;
	char err[128];

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct json *root;
		struct json_doc *doc;

		lineno++;
		if (le == p) {
			snprintf(why, why_len, "line %zu is empty", lineno);
			return -1;
		}
		doc = json_parse(p, (size_t)(le - p), &root, err, sizeof(err));
		if (!doc) {
			snprintf(why, why_len, "line %zu is not JSON (%s)", lineno, err);
			return -1;
		}
		json_doc_free(doc);
		last = p;
		last_len = (size_t)(le - p);
		p = nl ? nl + 1 : end;
	}
	if (!last) {
		snprintf(why, why_len, "the stream is empty");
		return -1;
	}
	{
		struct json *root;
		struct json_doc *doc = json_parse(last, last_len, &root, err, sizeof(err));
		const char *type = NULL, *status = NULL, *msg = NULL;
		int ret = 0;

		json_get_str(root, "type", &type);
		json_get_str(root, "status", &status);
		json_get_str(root, "message", &msg);
		if (!type || strcmp(type, "end")) {
			snprintf(why, why_len, "the stream has no end line (cut short)");
			ret = -1;
		} else if (!status || strcmp(status, "ok")) {
			snprintf(why, why_len, "swapbench ended with status '%s'%s%s",
				 status ? status : "?", msg ? ": " : "", msg ? msg : "");
			ret = -1;
		}
		json_doc_free(doc);
		return ret;
	}
}
