/*
 * json.c - recursive-descent JSON parser into an arena (see json.h).
 * Depth is bounded so hostile input cannot exhaust the stack.
 */
#include "common/json.h"
#include "common/utf8.h"
#include "common/util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	char data[];
};

struct json_doc {
	struct arena_block *blocks;
};

struct parser {
	const char *p, *start, *end;
	struct json_doc *doc;
	char *err;
	size_t errlen;
	int failed;
};

static void *arena_alloc(struct json_doc *doc, size_t n)
{
	struct arena_block *b = doc->blocks;

	n = (n + 15) & ~(size_t)15;
	if (!b || b->size - b->used < n) {
		size_t size = n > 16384 ? n : 16384;

		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = doc->blocks;
		doc->blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

static struct json *fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return NULL;
	ps->failed = 1;
	n = snprintf(ps->err, ps->errlen, "offset %zu: ", (size_t)(ps->p - ps->start));
	if (n < 0 || (size_t)n >= ps->errlen)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return NULL;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json *new_node(struct parser *ps, enum json_type t)
{
	struct json *v = arena_alloc(ps->doc, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->type = t;
	return v;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static int put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) { out[0] = (char)cp; return 1; }
	if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static unsigned hex4(const char *s)
{
	unsigned cp = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int h = hexval(s[i]);

		if (h < 0)
			return 0x110000; /* not a code point: a bad escape */
		cp = cp << 4 | (unsigned)h;
	}
	return cp;
}

/*
 * Parses a string starting at the opening quote; returns an arena copy.
 * RFC 8259 section 7 exactly, and what it leaves open decided: raw bytes
 * must be valid UTF-8 (section 8.1), a \u escape of a surrogate must be a
 * high one followed by a low one, and \u0000 is refused because strings
 * are handed out NUL-terminated (it would silently cut them short).
 */
static const char *parse_string_raw(struct parser *ps, size_t *lenp)
{
	const char *s = ps->p + 1, *q = s;
	char *out, *o;

	/*
	 * Fast path: most strings (every key) are printable ASCII without
	 * escapes, and are copied in one go.
	 */
	while (q < ps->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 &&
	       (unsigned char)*q < 0x80)
		q++;
	if (q < ps->end && *q == '"') {
		out = arena_alloc(ps->doc, (size_t)(q - s) + 1);
		memcpy(out, s, (size_t)(q - s));
		out[q - s] = '\0';
		*lenp = (size_t)(q - s);
		ps->p = q + 1;
		return out;
	}
	/* Scan for the closing quote; decoded text is never longer. */
	while (q < ps->end && *q != '"') {
		if (*q == '\\' && ps->end - q > 1)
			q++;
		q++;
	}
	if (q >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	out = o = arena_alloc(ps->doc, (size_t)(q - s) + 1);
	while (s < q) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20) {
			ps->p = s;
			fail(ps, "control character 0x%02x in string (escape it)", c);
			return NULL;
		}
		if (c >= 0x80) {
			size_t n = utf8_char_len((const unsigned char *)s, (size_t)(q - s));

			if (!n) {
				ps->p = s;
				fail(ps, "invalid UTF-8 in string");
				return NULL;
			}
			memcpy(o, s, n);
			o += n;
			s += n;
			continue;
		}
		s++;
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		switch (*s++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			const char *esc = s - 2;
			unsigned cp;

			if (q - s < 4 || (cp = hex4(s)) > 0xFFFF)
				goto bad_escape;
			s += 4;
			if (cp == 0) {
				ps->p = esc;
				fail(ps, "\\u0000 in string is not supported");
				return NULL;
			}
			if (cp >= 0xDC00 && cp < 0xE000) {
				ps->p = esc;
				fail(ps, "lone low surrogate \\u%04x in string", cp);
				return NULL;
			}
			if (cp >= 0xD800 && cp < 0xDC00) {
				unsigned lo;

				if (q - s < 6 || s[0] != '\\' || s[1] != 'u' ||
				    (lo = hex4(s + 2)) < 0xDC00 || lo >= 0xE000) {
					ps->p = esc;
					fail(ps, "lone high surrogate \\u%04x in string", cp);
					return NULL;
				}
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				s += 6;
			}
			/* A \uXXXX escape takes 6 input bytes and at most 4 output bytes. */
			o += put_utf8(o, cp);
			break;
		}
		default:
			goto bad_escape;
		}
	}
	*o = '\0';
	*lenp = (size_t)(o - out);
	ps->p = q + 1;
	return out;
bad_escape:
	ps->p = s - 1;
	fail(ps, "bad escape in string");
	return NULL;
}

static struct json *parse_value(struct parser *ps, int depth);

static struct json *parse_container(struct parser *ps, int depth, int is_obj)
{
	struct json *v = new_node(ps, is_obj ? JSON_OBJECT : JSON_ARRAY);
	struct json *stack_items[32];
	const char *stack_keys[32];
	struct json **items = stack_items;
	const char **keys = stack_keys;
	size_t n = 0, alloc = 32;
	char close = is_obj ? '}' : ']';

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		const char *key = NULL;
		struct json *item;

		skip_ws(ps);
		if (is_obj) {
			size_t klen;

			if (ps->p >= ps->end || *ps->p != '"')
				goto fail_out;
			key = parse_string_raw(ps, &klen);
			if (!key)
				goto out_err;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				fail(ps, "expected ':' after object key");
				goto out_err;
			}
			ps->p++;
		}
		item = parse_value(ps, depth + 1);
		if (!item)
			goto out_err;
		if (n == alloc) {
			size_t na = alloc * 2;
			if (items == stack_items) {
				items = xmalloc(na * sizeof(*items));
				keys = xmalloc(na * sizeof(*keys));
				memcpy(items, stack_items, sizeof(stack_items));
				memcpy(keys, stack_keys, sizeof(stack_keys));
			} else {
				items = xrealloc(items, na * sizeof(*items));
				keys = xrealloc(keys, na * sizeof(*keys));
			}
			alloc = na;
		}
		items[n] = item;
		keys[n] = key;
		n++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		fail(ps, "expected ',' or '%c'", close);
		goto out_err;
	}
	v->len = n;
	v->items = arena_alloc(ps->doc, n * sizeof(*items));
	memcpy(v->items, items, n * sizeof(*items));
	if (is_obj) {
		v->keys = arena_alloc(ps->doc, n * sizeof(*keys));
		memcpy(v->keys, keys, n * sizeof(*keys));
	}
	if (items != stack_items) {
		free(items);
		free(keys);
	}
	return v;
fail_out:
	fail(ps, "expected a string key");
out_err:
	if (items != stack_items) {
		free(items);
		free(keys);
	}
	return NULL;
}

static int is_digit(const struct parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/*
 * number = [ "-" ] int [ frac ] [ exp ] (RFC 8259 section 6): no leading
 * zeros, digits on both sides of the point and after the exponent.  A
 * value a double cannot hold (1e400) is refused rather than read as
 * infinity; integers are read exactly from the text (json_u64).
 */
static struct json *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	struct json *v;
	char buf[64], *end;
	size_t len;
	int plain = 1;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (!is_digit(ps))
		return fail(ps, "expected a value");
	if (*ps->p == '0') {
		ps->p++;
		if (is_digit(ps))
			return fail(ps, "leading zero in number");
	} else {
		while (is_digit(ps))
			ps->p++;
	}
	if (ps->p < ps->end && *ps->p == '.') {
		plain = 0;
		ps->p++;
		if (!is_digit(ps))
			return fail(ps, "expected a digit after the decimal point");
		while (is_digit(ps))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		plain = 0;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!is_digit(ps))
			return fail(ps, "expected a digit in the exponent");
		while (is_digit(ps))
			ps->p++;
	}
	len = (size_t)(ps->p - s);
	if (len >= sizeof(buf)) {
		ps->p = s;
		return fail(ps, "number too long");
	}
	/*
	 * Fast path for plain integers of up to 15 digits (every number of
	 * the bench output): exact in a double, no strtod().
	 */
	if (plain && len - (*s == '-') <= 15) {
		const char *d = s + (*s == '-');
		int64_t x = 0;

		for (; d < ps->p; d++)
			x = x * 10 + (*d - '0');
		v = new_node(ps, JSON_NUMBER);
		v->number = (double)(*s == '-' ? -x : x);
		v->str = arena_alloc(ps->doc, len + 1);
		memcpy((char *)v->str, s, len);
		((char *)v->str)[len] = '\0';
		return v;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = new_node(ps, JSON_NUMBER);
	errno = 0;
	v->number = strtod(buf, &end);
	if (*end || isinf(v->number)) {
		ps->p = s;
		return fail(ps, "number '%s' is out of range", buf);
	}
	v->str = arena_alloc(ps->doc, len + 1);
	memcpy((char *)v->str, buf, len + 1);
	v->len = 0;
	return v;
}

static int match_word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, w, n)) {
		ps->p += n;
		return 1;
	}
	return 0;
}

static struct json *parse_value(struct parser *ps, int depth)
{
	struct json *v;

	if (depth > JSON_MAX_DEPTH)
		return fail(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, depth, 1);
	case '[':
		return parse_container(ps, depth, 0);
	case '"': {
		size_t len;
		const char *s = parse_string_raw(ps, &len);

		if (!s)
			return NULL;
		v = new_node(ps, JSON_STRING);
		v->str = s;
		return v;
	}
	case 't':
	case 'f':
		if (match_word(ps, "true") || match_word(ps, "false")) {
			v = new_node(ps, JSON_BOOL);
			v->boolean = ps->p[-1] == 'e' && ps->p[-2] == 'u';
			return v;
		}
		return fail(ps, "expected a value");
	case 'n':
		if (match_word(ps, "null"))
			return new_node(ps, JSON_NULL);
		return fail(ps, "expected a value");
	default:
		return parse_number(ps);
	}
}

struct json_doc *json_parse(const char *text, size_t len, struct json **root,
			    char *err, size_t errlen)
{
	struct parser ps = { text, text, text + len, NULL, err, errlen, 0 };
	struct json *v;

	ps.doc = xcalloc(1, sizeof(*ps.doc));
	v = parse_value(&ps, 0);
	if (v) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			v = fail(&ps, "trailing characters after the value");
	}
	if (!v) {
		json_doc_free(ps.doc);
		return NULL;
	}
	*root = v;
	return ps.doc;
}

void json_doc_free(struct json_doc *doc)
{
	struct arena_block *b, *next;

	if (!doc)
		return;
	for (b = doc->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc);
}

struct json *json_get(const struct json *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->len; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

int json_get_str(const struct json *obj, const char *key, const char **out)
{
	struct json *v = json_get(obj, key);

	if (!v || v->type != JSON_STRING)
		return -1;
	*out = v->str;
	return 0;
}

int json_u64(const struct json *v, uint64_t *out)
{
	const char *s;
	char *end;

	if (!v || v->type != JSON_NUMBER)
		return -1;
	s = v->str;
	if (*s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	return 0;
}

int json_get_u64(const struct json *obj, const char *key, uint64_t *out)
{
	return json_u64(json_get(obj, key), out);
}

int json_get_i64(const struct json *obj, const char *key, int64_t *out)
{
	struct json *v = json_get(obj, key);
	char *end;

	if (!v || v->type != JSON_NUMBER)
		return -1;
	errno = 0;
	*out = strtoll(v->str, &end, 10);
	return errno || *end ? -1 : 0;
}

int json_get_double(const struct json *obj, const char *key, double *out)
{
	struct json *v = json_get(obj, key);

	if (!v || v->type != JSON_NUMBER)
		return -1;
	*out = v->number;
	return 0;
}

int json_get_bool(const struct json *obj, const char *key, int *out)
{
	struct json *v = json_get(obj, key);

	if (!v || v->type != JSON_BOOL)
		return -1;
	*out = v->boolean;
	return 0;
}
