/*
 * common/http.h - the one place swaplab speaks HTTP (libcurl): the LAVA REST
 * client (lab/lava.c) and, later, lore mbox fetches by the intake.
 *
 * Policy, the same for every caller:
 *   - only http:// and https:// (no file://, no other libcurl protocol);
 *   - a connect timeout and a total timeout on every request;
 *   - a cap on the reply body: a reply over it is an error, not truncated;
 *   - redirects: GET follows at most 5, and only to the same scheme, host
 *     and port (or http -> https on the same host); a request that carries
 *     a token is never sent to another origin.  POST never follows: a
 *     redirected POST is an error naming where it was sent;
 *   - secrets: the token travels only in the Authorization header; error
 *     messages name the method, URL (credentials stripped) and the reason,
 *     never a request header.  URLs with user:password@ are refused.
 *
 * Library code: returns error() (-1) and never exits.  An HTTP status that
 * is not 2xx is NOT an error of http_request(): the caller sees res->status
 * and decides (LAVA's 404 on a job is an answer, its 500 is not).
 */
#ifndef SWAPLAB_COMMON_HTTP_H
#define SWAPLAB_COMMON_HTTP_H

#include <stddef.h>

struct http_opts {
	long connect_timeout_ms;   /* 0: 10 s */
	long timeout_ms;           /* whole request, 0: 60 s */
	size_t max_body;           /* reply cap in bytes, 0: 64 MiB */
	const char *auth_token;    /* sent as "Authorization: Token <t>" */
	const char *user_agent;    /* 0: "swaplab/<version>" */
};

struct http_response {
	long status;        /* HTTP status, 0 when none was received */
	char *body;         /* NUL-terminated (the NUL is not counted in len) */
	size_t len;
	char *content_type; /* or NULL */
};

/*
 * Performs one request.  method is "GET" or "POST"; body/body_len and
 * content_type only for POST.  Returns 0 when a reply was received (any
 * status) and fills *res, which the caller frees with http_response_release();
 * returns -1 with a message for transport failures (refused, timeout, DNS,
 * TLS, reply too large, bad redirect), leaving *res empty.
 */
int http_request(const char *method, const char *url, const char *body,
		 size_t body_len, const char *content_type,
		 const struct http_opts *opts, struct http_response *res);

static inline int http_get(const char *url, const struct http_opts *opts,
			   struct http_response *res)
{
	return http_request("GET", url, NULL, 0, NULL, opts, res);
}

void http_response_release(struct http_response *res);

/*
 * url with any "user:password@" removed, for messages.  Returns a
 * malloc'd string.
 */
char *http_url_for_display(const char *url);

/* Whether url starts with http:// or https:// and has a host. */
int http_url_valid(const char *url, const char **why);

/* First line of a reply body, clipped, for error messages. */
const char *http_body_excerpt(const struct http_response *res, char *buf,
			      size_t len);

#endif
