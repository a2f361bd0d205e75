/* Unit tests: the arena JSON reader (common/json.c). */
#include "common/json.h"
#include "tap.h"

#include <string.h>

static struct json_doc *parse(const char *s, struct json **root, char *err)
{
	return json_parse(s, strlen(s), root, err, 128);
}

int main(void)
{
	struct json *r, *v;
	struct json_doc *d;
	char err[128];
	const char *s;
	uint64_t u;
	int64_t i;
	double dv;
	int b;

	d = parse("{\"a\":1,\"b\":\"x\\n\\u00e9\\ud83d\\ude00\",\"c\":[1,2,{\"d\":null}],\"e\":true,"
		  "\"big\":18446744073709551615,\"neg\":-5,\"f\":1.5e3}", &r, err);
	ok(d != NULL, "parses an object");
	ok(json_get_u64(r, "a", &u) == 0 && u == 1, "integer member");
	ok(json_get_str(r, "b", &s) == 0 && !strcmp(s, "x\n\xc3\xa9\xf0\x9f\x98\x80"), "escapes decoded");
	v = json_get(r, "c");
	ok(v && v->type == JSON_ARRAY && v->len == 3, "array of three");
	ok(v && json_get(v->items[2], "d")->type == JSON_NULL, "nested null");
	ok(json_get_bool(r, "e", &b) == 0 && b == 1, "bool");
	ok(json_get_u64(r, "big", &u) == 0 && u == UINT64_MAX, "u64 exact");
	ok(json_get_u64(r, "neg", &u) < 0, "negative is no u64");
	ok(json_get_i64(r, "neg", &i) == 0 && i == -5, "i64");
	ok(json_get_double(r, "f", &dv) == 0 && dv == 1500.0, "double");
	ok(json_get_u64(r, "f", &u) < 0, "fraction is no u64");
	ok(json_get(r, "missing") == NULL, "missing member");
	json_doc_free(d);

	ok(parse("{\"a\":1", &r, err) == NULL && strstr(err, "offset"), "truncated object: %s", err);
	ok(parse("{\"a\":1}x", &r, err) == NULL, "trailing garbage: %s", err);
	ok(parse("{a:1}", &r, err) == NULL, "unquoted key: %s", err);
	ok(parse("[1,2,]", &r, err) == NULL, "trailing comma: %s", err);
	ok(parse("\"abc", &r, err) == NULL, "unterminated string: %s", err);
	ok(parse("\"a\\q\"", &r, err) == NULL, "bad escape: %s", err);
	ok(parse("", &r, err) == NULL, "empty input: %s", err);
	{
		char deep[200];

		memset(deep, '[', 100);
		deep[100] = '\0';
		ok(parse(deep, &r, err) == NULL && strstr(err, "nesting"), "depth bounded: %s", err);
	}
	{
		/* More than the parser's on-stack member buffer. */
		char big[4096];
		size_t off = 0;
		int k;

		off += (size_t)snprintf(big + off, sizeof(big) - off, "{");
		for (k = 0; k < 100; k++)
			off += (size_t)snprintf(big + off, sizeof(big) - off, "%s\"k%d\":%d", k ? "," : "", k, k);
		snprintf(big + off, sizeof(big) - off, "}");
		d = parse(big, &r, err);
		ok(d && r->len == 100 && json_get_u64(r, "k99", &u) == 0 && u == 99, "100 members");
		json_doc_free(d);
	}
	return done_testing();
}
