/*
 * lab/lava.c - REST client for a LAVA server (API v0.2, as served by
 * lava-server 2023.01's lava_rest_app): submit a job definition, poll a
 * job until it is finished, read its health, its test cases and its log.
 *
 * Every request goes through common/http.c with the token in the
 * Authorization header.  Replies are checked: a status the API does not
 * give for success, a body that is not JSON or lacks the fields we need,
 * each is an error that names the endpoint and the reason (with the
 * token, should a server echo it, masked out).
 */
#include "lab/lava.h"
#include "common/json.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define API "/api/v0.2"

int lava_client_init(struct lava_client *c, const struct lava_config *cfg)
{
	const char *why;

	memset(c, 0, sizeof(*c));
	if (!cfg->url || !http_url_valid(cfg->url, &why))
		return error("LAVA server address: %s", cfg->url ? why : "not set");
	c->base = xstrdup(cfg->url);
	c->http.auth_token = cfg->token;
	c->http.connect_timeout_ms = 10000;
	c->http.timeout_ms = cfg->timeout_s > 0 ? (long)(cfg->timeout_s * 1000) : 120000;
	if (c->http.connect_timeout_ms > c->http.timeout_ms)
		c->http.connect_timeout_ms = c->http.timeout_ms;
	c->http.max_body = (size_t)256 << 20; /* job logs can be large */
	c->token_from = cfg->token_from;
	return 0;
}

void lava_client_release(struct lava_client *c)
{
	free(c->base);
	memset(c, 0, sizeof(*c));
}

/* Replaces every occurrence of the token in s by "***" (in place-ish). */
static char *mask_token(const struct lava_client *c, const char *s)
{
	const char *t = c->http.auth_token, *p;
	size_t tl;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!t || !*t || !strstr(s, t))
		return xstrdup(s);
	tl = strlen(t);
	f = open_memstream(&buf, &len);
	while ((p = strstr(s, t))) {
		fwrite(s, 1, (size_t)(p - s), f);
		fputs("***", f);
		s = p + tl;
	}
	fputs(s, f);
	fclose(f);
	return buf;
}

/* An error about a reply: "<what>: <detail>" with the token masked. */
static int reply_error(const struct lava_client *c, const char *what,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int reply_error(const struct lava_client *c, const char *what,
		       const char *fmt, ...)
{
	char *detail = NULL, *masked;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	masked = mask_token(c, detail ? detail : "?");
	error("%s: %s", what, masked);
	free(masked);
	free(detail);
	return -1;
}

/* The message for a status the caller did not expect. */
static int status_error(struct lava_client *c, const char *what,
			const struct http_response *res)
{
	char ex[200];

	http_body_excerpt(res, ex, sizeof(ex));
	switch (res->status) {
	case 401:
		return reply_error(c, what, "authentication failed (HTTP 401: %s); check the token%s%s",
				   ex, c->token_from ? " from " : "", c->token_from ? c->token_from : "");
	case 403:
		return reply_error(c, what, "permission denied (HTTP 403: %s)%s", ex,
				   c->http.auth_token ? "" : "; no token is configured");
	case 404:
		return reply_error(c, what, "not found (HTTP 404): no such job, or not a LAVA server at %s",
				   c->base);
	default:
		if (res->status >= 500) {
			c->infra_error = 1;
			return reply_error(c, what, "server error (HTTP %ld: %s)", res->status, ex);
		}
		return reply_error(c, what, "unexpected HTTP %ld (%s)", res->status, ex);
	}
}

/*
 * GETs base + path and parses JSON.  Returns 0 with *doc and *root, -1 with a
 * message.  what names the request in messages.
 */
static int get_json(struct lava_client *c, const char *path, const char *what,
		    struct json_doc **doc, struct json **root)
{
	struct http_response res;
	char *url = xstrfmt("%s%s", c->base, path), err[128];
	int ret = -1;

	if (http_get(url, &c->http, &res) < 0) {
		c->infra_error = 1;
		goto out;
	}
	if (res.status != 200) {
		status_error(c, what, &res);
	} else if (!(*doc = json_parse(res.body, res.len, root, err, sizeof(err)))) {
		reply_error(c, what, "the reply is not JSON (%s)", err);
	} else if ((*root)->type != JSON_OBJECT) {
		reply_error(c, what, "the reply is not a JSON object");
		json_doc_free(*doc);
		*doc = NULL;
	} else {
		ret = 0;
	}
	http_response_release(&res);
out:
	free(url);
	return ret;
}

int lava_submit(struct lava_client *c, const char *definition, long *job_id)
{
	struct http_response res;
	char *body = NULL, *url = xstrfmt("%s" API "/jobs/", c->base), err[128];
	size_t len = 0;
	struct json_doc *doc = NULL;
	struct json *root, *ids;
	FILE *f = open_memstream(&body, &len);
	int ret = -1;
	uint64_t id;

	fputs("{\"definition\":", f);
	json_put_string(f, definition);
	fputs("}", f);
	fclose(f);
	if (!c->http.auth_token) {
		error("submitting a job needs a token: set SWAPLAB_LAVA_TOKEN or 'token' in the configuration");
		goto out;
	}
	if (http_request("POST", url, body, len, "application/json", &c->http, &res) < 0) {
		c->infra_error = 1;
		goto out;
	}
	if (res.status == 400) {
		/* LAVA explains a rejected definition in "message". */
		const char *msg = NULL;

		doc = json_parse(res.body, res.len, &root, err, sizeof(err));
		if (doc && json_get_str(root, "message", &msg) == 0)
			reply_error(c, "submit", "LAVA rejected the job: %s", msg);
		else
			status_error(c, "submit", &res);
	} else if (res.status != 201 && res.status != 200) {
		status_error(c, "submit", &res);
	} else if (!(doc = json_parse(res.body, res.len, &root, err, sizeof(err)))) {
		reply_error(c, "submit", "the reply is not JSON (%s)", err);
	} else if (!(ids = json_get(root, "job_ids")) || ids->type != JSON_ARRAY ||
		   ids->len < 1 || json_u64(ids->items[0], &id) < 0 || id == 0) {
		reply_error(c, "submit", "the reply has no job id ('job_ids')");
	} else {
		*job_id = (long)id;
		ret = 0;
	}
	json_doc_free(doc);
	http_response_release(&res);
out:
	free(body);
	free(url);
	return ret;
}

static void copy_field(const struct json *o, const char *key, char *dst, size_t n)
{
	const char *s;
	uint64_t v;
	struct json *j = json_get(o, key);

	dst[0] = '\0';
	if (json_get_str(o, key, &s) == 0)
		snprintf(dst, n, "%s", s);
	else if (j && json_u64(j, &v) == 0)
		snprintf(dst, n, "%llu", (unsigned long long)v);
}

int lava_job_get(struct lava_client *c, long id, struct lava_job_status *st)
{
	char *path = xstrfmt(API "/jobs/%ld/", id), *what = xstrfmt("job %ld", id);
	struct json_doc *doc;
	struct json *root;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (get_json(c, path, what, &doc, &root) == 0) {
		copy_field(root, "state", st->state, sizeof(st->state));
		copy_field(root, "health", st->health, sizeof(st->health));
		copy_field(root, "actual_device", st->device, sizeof(st->device));
		copy_field(root, "requested_device_type", st->device_type, sizeof(st->device_type));
		st->id = id;
		if (!st->state[0] || !st->health[0])
			reply_error(c, what, "the reply has no 'state' or 'health'");
		else
			ret = 0;
		json_doc_free(doc);
	}
	free(path);
	free(what);
	return ret;
}

int lava_job_wait(struct lava_client *c, long id, unsigned poll_ms,
		  uint64_t timeout_ms, struct lava_job_status *st)
{
	uint64_t start = now_ns();
	char last[24] = "";

	for (;;) {
		if (lava_job_get(c, id, st) < 0)
			return -1;
		if (!strcmp(st->state, "Finished"))
			return 0;
		if (strcmp(last, st->state)) {
			info("job %ld: %s%s%s", id, st->state, st->device[0] ? " on " : "",
			     st->device);
			snprintf(last, sizeof(last), "%s", st->state);
		}
		if (timeout_ms && (now_ns() - start) / 1000000 >= timeout_ms)
			return error("job %ld: still %s after %llu s; not waiting longer (the job keeps running: 'swaplab lava status %ld')",
				     id, st->state, (unsigned long long)(timeout_ms / 1000), id);
		sleep_ns((uint64_t)(poll_ms ? poll_ms : 5000) * 1000000);
	}
}

int lava_job_log(struct lava_client *c, long id, char **text, size_t *len)
{
	struct http_response res;
	char *url = xstrfmt("%s" API "/jobs/%ld/logs/", c->base, id);
	char *what = xstrfmt("log of job %ld", id);
	int ret = -1;

	if (http_get(url, &c->http, &res) == 0) {
		if (res.status != 200) {
			status_error(c, what, &res);
		} else {
			*text = res.body;
			*len = res.len;
			res.body = NULL;
			ret = 0;
		}
		http_response_release(&res);
	} else {
		c->infra_error = 1;
	}
	free(url);
	free(what);
	return ret;
}

/* GETs every page of a paginated list, calling fn on each result. */
static int get_pages(struct lava_client *c, const char *path, const char *what,
		     int (*fn)(const struct json *item, void *arg), void *arg)
{
	for (unsigned page = 1;; page++) {
		char *p = xstrfmt("%s?page=%u", path, page);
		struct json_doc *doc;
		struct json *root, *results, *next;
		int ret = get_json(c, p, what, &doc, &root);

		free(p);
		if (ret < 0)
			return -1;
		results = json_get(root, "results");
		if (!results || results->type != JSON_ARRAY) {
			json_doc_free(doc);
			return reply_error(c, what, "the reply has no 'results' list");
		}
		for (size_t i = 0; i < results->len; i++)
			if (results->items[i]->type != JSON_OBJECT || fn(results->items[i], arg) < 0) {
				json_doc_free(doc);
				return reply_error(c, what, "result %zu of page %u is malformed", i, page);
			}
		next = json_get(root, "next");
		ret = !next || next->type == JSON_NULL || results->len == 0;
		json_doc_free(doc);
		if (ret)
			return 0;
		if (page > 100000)
			return reply_error(c, what, "too many pages");
	}
}

struct suites {
	uint64_t *ids;
	char **names;
	size_t nr, alloc, alloc2;
};

static int add_suite(const struct json *item, void *arg)
{
	struct suites *s = arg;
	const char *name;
	uint64_t id;

	if (json_get_u64(item, "id", &id) < 0 || json_get_str(item, "name", &name) < 0)
		return -1;
	ALLOC_GROW(s->ids, s->nr + 1, s->alloc);
	ALLOC_GROW(s->names, s->nr + 1, s->alloc2);
	s->ids[s->nr] = id;
	s->names[s->nr++] = xstrdup(name);
	return 0;
}

struct cases {
	struct lava_case *v;
	size_t nr, alloc;
	const struct suites *suites;
};

static int add_test(const struct json *item, void *arg)
{
	struct cases *cs = arg;
	struct lava_case *c;
	const char *name, *result, *s;
	uint64_t suite = 0;
	struct json *m;

	if (json_get_str(item, "name", &name) < 0 || json_get_str(item, "result", &result) < 0)
		return -1;
	ALLOC_GROW(cs->v, cs->nr + 1, cs->alloc);
	c = &cs->v[cs->nr++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->result = xstrdup(result);
	if (json_get_u64(item, "suite", &suite) == 0)
		for (size_t i = 0; i < cs->suites->nr; i++)
			if (cs->suites->ids[i] == suite)
				c->suite = xstrdup(cs->suites->names[i]);
	if (!c->suite)
		c->suite = xstrfmt("%llu", (unsigned long long)suite);
	if (json_get_str(item, "unit", &s) == 0 && *s)
		c->units = xstrdup(s);
	m = json_get(item, "measurement");
	if (m && (m->type == JSON_STRING || m->type == JSON_NUMBER)) {
		char *end;

		c->measurement = strtod(m->str, &end);
		c->has_measurement = end != m->str && *end == '\0';
	}
	return 0;
}

int lava_job_tests(struct lava_client *c, long id, struct lava_case **out, size_t *nr)
{
	struct suites s = { 0 };
	struct cases cs = { 0 };
	char *path = xstrfmt(API "/jobs/%ld/suites/", id), *what = xstrfmt("test suites of job %ld", id);
	int ret = get_pages(c, path, what, add_suite, &s);

	free(path);
	free(what);
	if (ret == 0) {
		path = xstrfmt(API "/jobs/%ld/tests/", id);
		what = xstrfmt("test cases of job %ld", id);
		cs.suites = &s;
		ret = get_pages(c, path, what, add_test, &cs);
		free(path);
		free(what);
	}
	for (size_t i = 0; i < s.nr; i++)
		free(s.names[i]);
	free(s.names);
	free(s.ids);
	if (ret < 0) {
		lava_cases_free(cs.v, cs.nr);
		return -1;
	}
	*out = cs.v;
	*nr = cs.nr;
	return 0;
}

int lava_replies_parse(const char *body, size_t len)
{
	struct suites s = { 0 };
	struct cases cs = { 0 };
	struct json_doc *doc;
	struct json *root, *ids, *results;
	struct lava_job_status st;
	char err[128];
	uint64_t id;
	int ok = 0;

	if (!(doc = json_parse(body, len, &root, err, sizeof(err))))
		return 0;
	/* submit: job_ids */
	if ((ids = json_get(root, "job_ids")) && ids->type == JSON_ARRAY && ids->len >= 1 &&
	    json_u64(ids->items[0], &id) == 0 && id)
		ok |= 1;
	/* a job: state, health and the device */
	memset(&st, 0, sizeof(st));
	copy_field(root, "state", st.state, sizeof(st.state));
	copy_field(root, "health", st.health, sizeof(st.health));
	copy_field(root, "actual_device", st.device, sizeof(st.device));
	copy_field(root, "requested_device_type", st.device_type, sizeof(st.device_type));
	if (st.state[0] && st.health[0])
		ok |= 2;
	/* a page of suites, then the same page read as test cases */
	results = json_get(root, "results");
	if (results && results->type == JSON_ARRAY) {
		size_t i;

		for (i = 0; i < results->len; i++)
			if (results->items[i]->type != JSON_OBJECT || add_suite(results->items[i], &s) < 0)
				break;
		cs.suites = &s;
		for (i = 0; i < results->len; i++)
			if (results->items[i]->type != JSON_OBJECT || add_test(results->items[i], &cs) < 0)
				break;
		if (cs.nr)
			ok |= 4;
	}
	for (size_t i = 0; i < s.nr; i++)
		free(s.names[i]);
	free(s.names);
	free(s.ids);
	lava_cases_free(cs.v, cs.nr);
	json_doc_free(doc);
	return ok;
}

int lava_job_cancel(struct lava_client *c, long id)
{
	struct http_response res;
	char *url = xstrfmt("%s" API "/jobs/%ld/cancel/", c->base, id);
	char *what = xstrfmt("cancel job %ld", id);
	int ret = -1;

	if (http_get(url, &c->http, &res) == 0) {
		if (res.status != 200)
			status_error(c, what, &res);
		else
			ret = 0;
		http_response_release(&res);
	} else {
		c->infra_error = 1;
	}
	free(url);
	free(what);
	return ret;
}
