/*
 * common/http.c - HTTP requests over libcurl for the lab (LAVA REST API) and
 * the intake (lore).  The policy is described in http.h; the point of
 * keeping it here is that timeouts, size caps, redirects and the rule
 * "a token never appears in a message" are decided once.
 */
#include "common/http.h"
#include "common/util.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define MAX_REDIRECTS 5

static int curl_ready;

static int http_global_init(void)
{
	if (curl_ready)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error("cannot initialise libcurl");
	curl_ready = 1;
	return 0;
}

struct sink {
	char *buf;
	size_t len, alloc, max;
	int overflow;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->len + n > s->max) {
		s->overflow = 1;
		return 0; /* makes libcurl fail with CURLE_WRITE_ERROR */
	}
	ALLOC_GROW(s->buf, s->len + n + 1, s->alloc);
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

char *http_url_for_display(const char *url)
{
	const char *scheme_end = strstr(url, "://");
	const char *host, *slash, *at;

	if (!scheme_end)
		return xstrdup(url);
	host = scheme_end + 3;
	slash = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(slash - host));
	if (!at)
		return xstrdup(url);
	/* Drop user:password@ entirely: even the user name may be a token. */
	return xstrfmt("%.*s%s", (int)(host - url), url, at + 1);
}

int http_url_valid(const char *url, const char **why)
{
	const char *host, *end;

	if (!strncmp(url, "http://", 7))
		host = url + 7;
	else if (!strncmp(url, "https://", 8))
		host = url + 8;
	else {
		*why = "only http:// and https:// URLs are supported";
		return 0;
	}
	end = host + strcspn(host, "/?#");
	if (end == host) {
		*why = "the URL has no host";
		return 0;
	}
	if (memchr(host, '@', (size_t)(end - host))) {
		*why = "credentials in the URL are not accepted (use a token in the configuration)";
		return 0;
	}
	if (strpbrk(url, " \t\r\n")) {
		*why = "the URL contains white space";
		return 0;
	}
	return 1;
}

const char *http_body_excerpt(const struct http_response *res, char *buf,
			      size_t len)
{
	size_t n = 0;
	const char *p = res->body ? res->body : "";

	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	while (p[n] && p[n] != '\n' && p[n] != '\r' && n + 1 < len)
		n++;
	memcpy(buf, p, n);
	buf[n] = '\0';
	/* Replace control characters so the message stays one line. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = ' ';
	return buf;
}

/* scheme, host and port of url, malloc'd; -1 if curl cannot parse it. */
static int url_origin(const char *url, char **scheme, char **host, char **port)
{
	CURLU *u = curl_url();
	int ret = -1;

	*scheme = *host = *port = NULL;
	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		ret = 0;
	curl_url_cleanup(u);
	return ret;
}

/*
 * A redirect from `from` to `to` may be followed when it stays on the same
 * host: same scheme and port, or an upgrade from http to https.
 */
static int redirect_allowed(const char *from, const char *to)
{
	/* NULL first: when `from` does not parse, `to` is never read and
	   curl_free() must not see garbage (clang -Wsometimes-uninitialized). */
	char *s1 = NULL, *h1 = NULL, *p1 = NULL, *s2 = NULL, *h2 = NULL, *p2 = NULL;
	int ok = 0;

	if (url_origin(from, &s1, &h1, &p1) == 0 &&
	    url_origin(to, &s2, &h2, &p2) == 0) {
		int same_host = !strcasecmp(h1, h2);

		if (same_host && !strcmp(s1, s2) && !strcmp(p1, p2))
			ok = 1;
		else if (same_host && !strcmp(s1, "http") && !strcmp(s2, "https"))
			ok = 1;
	}
	curl_free(s1); curl_free(h1); curl_free(p1);
	curl_free(s2); curl_free(h2); curl_free(p2);
	return ok;
}

static int transport_error(const char *method, const char *url, CURLcode rc,
			   const char *errbuf, const struct sink *s, long timeout_ms,
			   long connect_ms)
{
	char *shown = http_url_for_display(url);
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		error("%s %s: no complete reply within %ld ms (%s)", method, shown,
		      timeout_ms, why);
		break;
	case CURLE_COULDNT_CONNECT:
		error("%s %s: cannot connect (%s); is the server running and the address right?",
		      method, shown, why);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		error("%s %s: unknown host (%s)", method, shown, why);
		break;
	case CURLE_WRITE_ERROR:
		if (s->overflow) {
			error("%s %s: reply larger than %zu bytes, refused", method, shown,
			      s->max);
			break;
		}
		/* fall through */
	default:
		error("%s %s: %s (connect timeout %ld ms)", method, shown, why, connect_ms);
	}
	free(shown);
	return -1;
}

int http_request(const char *method, const char *url, const char *body,
		 size_t body_len, const char *content_type,
		 const struct http_opts *opts, struct http_response *res)
{
	static const struct http_opts defaults;
	long connect_ms, timeout_ms;
	int is_post = !strcmp(method, "POST");
	char errbuf[CURL_ERROR_SIZE];
	char *cur = xstrdup(url), *ctype_hdr = NULL, *auth_hdr = NULL, *ua;
	struct curl_slist *hdrs = NULL;
	struct sink s = { 0 };
	const char *why;
	int hops, ret = -1;
	CURL *c = NULL;

	if (!is_post && strcmp(method, "GET")) {
		free(cur);
		return error("http: unsupported method '%s'", method);
	}
	if (!opts)
		opts = &defaults;
	memset(res, 0, sizeof(*res));
	connect_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : DEFAULT_CONNECT_MS;
	timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	s.max = opts->max_body ? opts->max_body : DEFAULT_MAX_BODY;
	if (!http_url_valid(url, &why)) {
		char *shown = http_url_for_display(url);

		error("%s %s: %s", method, shown, why);
		free(shown);
		free(cur);
		return -1;
	}
	if (http_global_init() < 0) {
		free(cur);
		return -1;
	}

	if (opts->auth_token) {
		auth_hdr = xstrfmt("Authorization: Token %s", opts->auth_token);
		hdrs = curl_slist_append(hdrs, auth_hdr);
	}
	if (is_post) {
		ctype_hdr = xstrfmt("Content-Type: %s",
				    content_type ? content_type : "application/octet-stream");
		hdrs = curl_slist_append(hdrs, ctype_hdr);
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/json, application/yaml;q=0.9, */*;q=0.5");
	ua = xstrfmt("%s", opts->user_agent ? opts->user_agent : "swaplab/" SWAPLAB_VERSION);

	for (hops = 0;; hops++) {
		CURLcode rc;
		char *loc = NULL;

		c = curl_easy_init();
		if (!c) {
			error("%s: cannot create a libcurl handle", method);
			goto out;
		}
		errbuf[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, cur);
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_USERAGENT, ua);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
		if (is_post) {
			curl_easy_setopt(c, CURLOPT_POST, 1L);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		}
		rc = curl_easy_perform(c);
		if (rc != CURLE_OK) {
			transport_error(method, cur, rc, errbuf, &s, timeout_ms, connect_ms);
			goto out;
		}
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
		if (res->status >= 300 && res->status < 400 &&
		    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc) {
			char *shown_from = http_url_for_display(cur);
			char *shown_to = http_url_for_display(loc);

			if (is_post || hops >= MAX_REDIRECTS || !redirect_allowed(cur, loc)) {
				error("%s %s: redirected (HTTP %ld) to %s, not followed%s",
				      method, shown_from, res->status, shown_to,
				      is_post ? " for a POST: use the final address"
				      : hops >= MAX_REDIRECTS ? ": too many redirects"
				      : ": another host");
				free(shown_from);
				free(shown_to);
				goto out;
			}
			free(shown_from);
			free(shown_to);
			free(cur);
			cur = xstrdup(loc);
			curl_easy_cleanup(c);
			c = NULL;
			free(s.buf);
			s.buf = NULL;
			s.len = s.alloc = 0;
			continue;
		}
		{
			char *ct = NULL;

			if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
				res->content_type = xstrdup(ct);
		}
		break;
	}
	res->body = s.buf ? s.buf : xstrdup("");
	res->len = s.len;
	s.buf = NULL;
	ret = 0;
out:
	if (ret < 0) {
		free(s.buf);
		res->status = 0;
	}
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	if (auth_hdr) {
		/* The token should not linger in freed heap memory. */
		explicit_bzero(auth_hdr, strlen(auth_hdr));
		free(auth_hdr);
	}
	free(ctype_hdr);
	free(ua);
	free(cur);
	return ret;
}

void http_response_release(struct http_response *res)
{
	free(res->body);
	free(res->content_type);
	memset(res, 0, sizeof(*res));
}
