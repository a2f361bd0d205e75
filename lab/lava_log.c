/*
 * lab/lava_log.c - reads LAVA job logs: the results LAVA recorded (test
 * cases with measurements, the job's own pass/fail with error type and
 * message) and the board's console output, where the inline test
 * definition (lava_job.c) printed the benchmark's JSON Lines in the lab's
 * guest console protocol (lab/initramfs.h); guest_console_parse() checks
 * and extracts the stream from it.
 *
 * A LAVA log entry is one line of YAML written by lava_common.log.dump():
 * a flow mapping whose scalars are all double-quoted, non-strings tagged
 * (`! "3"`), e.g.
 *   - {"dt": "2023-...", "lvl": "target", "msg": "h\xE9llo \e[0m"}
 * lava_yaml_flow_to_json() turns such a line into JSON (every scalar a
 * string) so common/json.c can read it.  Console lines are kept twice: as
 * logged, and with LAVA's escaping of '"' undone (see handle_entry()).
 */
#include "lab/lava.h"
#include "common/json.h"
#include "common/util.h"

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

static void handle_entry(struct lava_log *log, struct out console[2], const struct json *e)
{
	const char *lvl, *text;
	struct json *msg;

	if (json_get_str(e, "lvl", &lvl) < 0 || !(msg = json_get(e, "msg")))
		return;
	if (!strcmp(lvl, "target") && json_get_str(e, "msg", &text) == 0) {
		out_add(&console[0], text, strlen(text));
		out_ch(&console[0], '\n');
		/* LAVA's ShellLogger (2023.01) writes every '"' of the console as
		   '\"'.  Removing the backslash in front of each '"' undoes that
		   exactly; the stream's checksum says which reading is right. */
		for (const char *c = text; *c; c++)
			if (!(c[0] == '\\' && c[1] == '"'))
				out_ch(&console[1], *c);
		out_ch(&console[1], '\n');
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
	struct out console[2] = { { 0 }, { 0 } };

	memset(log, 0, sizeof(*log));
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
					handle_entry(log, console, root);
				else
					log->bad_lines++;
				json_doc_free(doc);
				free(json);
			}
		}
		p = nl ? nl + 1 : end;
	}
	log->console = console[0].buf ? console[0].buf : xstrdup("");
	log->console_len = console[0].len;
	log->console_unescaped = console[1].buf ? console[1].buf : xstrdup("");
	log->console_unescaped_len = console[1].len;
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
	free(log->console);
	free(log->console_unescaped);
	memset(log, 0, sizeof(*log));
}
