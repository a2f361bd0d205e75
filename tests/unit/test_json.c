/* Unit tests: the arena JSON reader (common/json.c). */
#include "common/json.h"
#include "tap.h"

#include <stdio.h>
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

	/* RFC 8259 exactly (issue 14): each refused with its byte offset. */
	{
		static const struct { const char *in; size_t len; unsigned off; const char *what; } bad[] = {
			{ "01", 2, 1, "leading zero" },
			{ "-01", 3, 2, "leading zero" },
			{ "1.", 2, 2, "digit after the decimal point" },
			{ ".5", 2, 0, "expected a value" },
			{ "1.e5", 4, 2, "digit after the decimal point" },
			{ "1e", 2, 2, "exponent" },
			{ "1e+", 3, 3, "exponent" },
			{ "+1", 2, 0, "expected a value" },
			{ "-", 1, 1, "expected a value" },
			{ "[1e400]", 7, 1, "out of range" },
			{ "[-1e400]", 8, 1, "out of range" },
			{ "0x10", 4, 1, "trailing" },
			{ "[1-2]", 5, 2, "expected ','" },
			{ "\"a\tb\"", 5, 2, "control character" },
			{ "\"a\nb\"", 5, 2, "control character" },
			{ "\"a\\u0000b\"", 10, 2, "\\u0000" },
			{ "\"\\ud800\"", 8, 1, "lone high surrogate" },
			{ "\"\\ud800x\"", 9, 1, "lone high surrogate" },
			{ "\"\\ud800\\u0041\"", 14, 1, "lone high surrogate" },
			{ "\"\\udc00\"", 8, 1, "lone low surrogate" },
			{ "\"\\u12\"", 6, 2, "bad escape" },
			{ "\"\\u12g4\"", 8, 2, "bad escape" },
			{ "\"a\xff\"", 4, 2, "invalid UTF-8" },
			{ "\"\xc0\xaf\"", 4, 1, "invalid UTF-8" },        /* overlong '/' */
			{ "\"\xed\xa0\x80\"", 5, 1, "invalid UTF-8" },    /* raw surrogate */
			{ "\"\xf4\x90\x80\x80\"", 6, 1, "invalid UTF-8" }, /* above U+10FFFF */
			{ "\"\xe2\x82\"", 4, 1, "invalid UTF-8" },        /* truncated */
			{ "{\"k\xfe\":1}", 7, 3, "invalid UTF-8" },
			{ "\"\\", 2, 0, "unterminated" },
			{ "tru", 3, 0, "expected a value" },
			{ "[1,2] ]", 7, 6, "trailing" },
			{ "\xef\xbb\xbf{}", 5, 0, "expected a value" },  /* a BOM is no JSON text */
		};
		size_t k;

		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			char want[32];

			snprintf(want, sizeof(want), "offset %u: ", bad[k].off);
			d = json_parse(bad[k].in, bad[k].len, &r, err, sizeof(err));
			ok(!d && !strncmp(err, want, strlen(want)) && strstr(err, bad[k].what),
			   "refuses %s: %s", bad[k].what, d ? "(accepted)" : err);
			json_doc_free(d);
		}
	}
	/* What RFC 8259 allows is still read, exactly. */
	d = parse("[0,-0,0.5,-0.5e-3,1E+2,1e400000000000000000000000000000000000000000000000000000000]", &r, err);
	ok(!d, "an exponent too long for the buffer is refused: %s", err);
	d = parse("[0,-0,0.5,-0.5e-3,1E+2,123456789012345678,-9223372036854775808,1e-400]", &r, err);
	ok(d && r->len == 8 && r->items[2]->number == 0.5 && r->items[3]->number == -0.0005 &&
	   r->items[4]->number == 100.0, "valid numbers: %s", d ? "" : err);
	ok(d && json_u64(r->items[5], &u) == 0 && u == 123456789012345678ULL, "18 digits exact");
	ok(d && json_u64(r->items[4], &u) < 0, "1E+2 is no integer");
	json_doc_free(d);
	d = parse("{\"a\":18446744073709551616,\"b\":-9223372036854775809,\"c\":1e400}", &r, err);
	ok(!d, "1e400 refused even where a double is read: %s", err);
	d = parse("{\"a\":18446744073709551616,\"b\":-9223372036854775809,\"c\":9223372036854775807}", &r, err);
	ok(d && json_get_u64(r, "a", &u) < 0, "u64 overflow refused as an integer");
	ok(d && json_get_i64(r, "b", &i) < 0, "i64 underflow refused as an integer");
	ok(d && json_get_i64(r, "c", &i) == 0 && i == INT64_MAX, "INT64_MAX exact");
	json_doc_free(d);
	d = parse("[\"\\ud83d\\ude00\",\"\xf0\x9f\x98\x80\",\"\\u00e9\xc3\xa9\",\"\\/\\b\\f\\r\\t\"]", &r, err);
	ok(d && !strcmp(r->items[0]->str, "\xf0\x9f\x98\x80") && !strcmp(r->items[1]->str, "\xf0\x9f\x98\x80") &&
	   !strcmp(r->items[2]->str, "\xc3\xa9\xc3\xa9") && !strcmp(r->items[3]->str, "/\b\f\r\t"),
	   "pairs, raw UTF-8 and escapes: %s", d ? "" : err);
	json_doc_free(d);
	d = parse(" \t\r\n{ \"a\" : [ ] , \"b\" : { } } \n", &r, err);
	ok(d && r->len == 2, "insignificant whitespace: %s", d ? "" : err);
	json_doc_free(d);
	return done_testing();
}
