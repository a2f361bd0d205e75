/* Fuzz target: the JSON parser (common/json.c) and its accessors. */
#include "fuzz.h"
#include "common/json.h"
#include "common/utf8.h"
#include "common/util.h"

#include <math.h>

static void walk(const struct json *v, int depth)
{
	size_t i;
	uint64_t u;
	int64_t x;
	double d;

	FUZZ_CHECK(depth <= 66, "depth %d beyond the parser's bound", depth);
	switch (v->type) {
	case JSON_STRING:
		FUZZ_CHECK(utf8_valid(v->str, strlen(v->str)), "a string that is not UTF-8");
		break;
	case JSON_NUMBER:
		FUZZ_CHECK(isfinite(v->number), "a number that is not finite: %s", v->str);
		(void)json_u64(v, &u);
		break;
	case JSON_OBJECT:
		for (i = 0; i < v->len; i++) {
			FUZZ_CHECK(utf8_valid(v->keys[i], strlen(v->keys[i])), "a key that is not UTF-8");
			FUZZ_CHECK(json_get(v, v->keys[i]) != NULL, "json_get misses a key");
			(void)json_get_i64(v, v->keys[i], &x);
			(void)json_get_double(v, v->keys[i], &d);
			walk(v->items[i], depth + 1);
		}
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->len; i++)
			walk(v->items[i], depth + 1);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *root;
	struct json_doc *doc;
	char err[256];

	util_quiet = 1;
	doc = json_parse((const char *)data, size, &root, err, sizeof(err));
	if (doc) {
		walk(root, 0);
		json_doc_free(doc);
	} else {
		FUZZ_CHECK(!strncmp(err, "offset ", 7), "an error without its offset: %s", err);
	}
	return 0;
}
