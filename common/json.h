/*
 * json.h - a small JSON reader for the formats swaplab consumes: its own
 * JSON Lines (db import), LAVA REST replies (lab/) and job results.
 * libc only.  One parse produces one document whose nodes all live in a
 * single arena, so a document is freed with one call and parsing a line
 * costs a handful of allocations, not one per value (db import parses
 * millions of lines).
 *
 * Invariants: a json_doc owns every node and string reachable from its
 * root; strings are NUL-terminated UTF-8 with escapes decoded; object
 * members keep their input order.  Numbers keep their text as well as
 * their double value so 64-bit integers survive (json_u64()).
 */
#ifndef SWAPLAB_JSON_H
#define SWAPLAB_JSON_H

#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	int boolean;
	double number;
	const char *str;       /* JSON_STRING: value; JSON_NUMBER: its text */
	size_t len;            /* array/object: number of children */
	struct json **items;   /* array elements or object values */
	const char **keys;     /* object keys, parallel to items */
};

struct json_doc;

/*
 * Parses text[0..len).  On success returns the document and sets *root.
 * On failure returns NULL and writes "offset N: what was expected" into
 * err (errlen bytes); the caller adds file and line.
 */
struct json_doc *json_parse(const char *text, size_t len, struct json **root,
			    char *err, size_t errlen);
void json_doc_free(struct json_doc *doc);

/* Object member by key, or NULL (also when obj is not an object). */
struct json *json_get(const struct json *obj, const char *key);
/* Typed accessors: 0 on success, -1 if missing or of another type. */
int json_get_str(const struct json *obj, const char *key, const char **out);
int json_get_u64(const struct json *obj, const char *key, uint64_t *out);
int json_get_i64(const struct json *obj, const char *key, int64_t *out);
int json_get_double(const struct json *obj, const char *key, double *out);
int json_get_bool(const struct json *obj, const char *key, int *out);
/* Number node as an exact unsigned 64-bit integer; -1 if not one. */
int json_u64(const struct json *v, uint64_t *out);

#endif
