/*
 * lore.c - fetching a posted series' thread from a public-inbox server
 * (lore.kernel.org or any mirror): GET <base>/<msgid>/t.mbox.gz through
 * common/http.c, the one HTTP layer, then gunzip and mbox parsing.
 */
#include "kernel-patches/intake.h"
#include "common/http.h"
#include "common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Characters public-inbox leaves unescaped in a message-id path. */
static int mid_plain(unsigned char c)
{
	return isalnum(c) || strchr("-._~!$&'()*+,;=:@", c);
}

char *intake_lore_url(const char *base_url, const char *msgid)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t blen = strlen(base_url), i, mlen;
	char *url, *p;

	while (blen && base_url[blen - 1] == '/')
		blen--;
	if (*msgid == '<')
		msgid++;
	mlen = strcspn(msgid, ">");
	url = xmalloc(blen + 1 + 3 * mlen + sizeof("/t.mbox.gz"));
	memcpy(url, base_url, blen);
	p = url + blen;
	*p++ = '/';
	for (i = 0; i < mlen; i++) {
		unsigned char c = (unsigned char)msgid[i];

		if (mid_plain(c) && c) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	strcpy(p, "/t.mbox.gz");
	return url;
}

static int msgid_valid(const char *msgid, const char **why)
{
	const char *p = msgid;
	size_t len;

	if (*p == '<')
		p++;
	len = strcspn(p, ">");
	if (!len) {
		*why = "it is empty";
		return 0;
	}
	if (p[len] == '>' && p[len + 1]) {
		*why = "text after the closing '>'";
		return 0;
	}
	for (; len; len--, p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			*why = "it contains blanks or control characters";
			return 0;
		}
	return 1;
}

int intake_load_lore(struct mbox *mb, const char *base_url, const char *msgid)
{
	struct http_opts opts = { 0, 120000, (size_t)64 << 20, NULL, NULL };
	struct http_response res;
	const char *why;
	char *url, *shown = NULL, excerpt[120], *plain = NULL;
	size_t plen;
	int ret = -1;

	if (getenv("SWAPLAB_LORE_TIMEOUT") && *getenv("SWAPLAB_LORE_TIMEOUT")) {
		/* Seconds for the whole fetch; a server that stalls fails after it. */
		char *end;
		double t = strtod(getenv("SWAPLAB_LORE_TIMEOUT"), &end);

		if (*end || !(t > 0 && t <= 86400))
			return error("SWAPLAB_LORE_TIMEOUT: expected seconds in (0, 86400]");
		opts.timeout_ms = (long)(t * 1000);
	}
	if (!base_url || !*base_url)
		base_url = getenv("SWAPLAB_LORE_URL");
	if (!base_url || !*base_url)
		base_url = INTAKE_DEFAULT_LORE_URL;
	if (!http_url_valid(base_url, &why))
		return error("invalid lore URL '%s': %s", base_url, why);
	if (!msgid_valid(msgid, &why))
		return error("invalid message-id '%s': %s", msgid, why);
	url = intake_lore_url(base_url, msgid);
	shown = http_url_for_display(url);
	memset(&res, 0, sizeof(res));
	info("fetching %s", shown);
	if (http_get(url, &opts, &res) < 0)
		goto out;
	if (res.status == 404) {
		error("lore: no thread for <%s> at %s (HTTP 404): wrong message-id, or the "
		      "server does not have it", msgid, shown);
		goto out;
	}
	if (res.status < 200 || res.status > 299) {
		error("lore: HTTP %ld from %s: %s", res.status, shown,
		      http_body_excerpt(&res, excerpt, sizeof(excerpt)));
		goto out;
	}
	if (!is_gzip(res.body, res.len)) {
		error("lore: the reply from %s is not a gzip'd mbox (Content-Type %s, %zu bytes "
		      "starting '%s')", shown, res.content_type ? res.content_type : "none",
		      res.len, http_body_excerpt(&res, excerpt, sizeof(excerpt)));
		goto out;
	}
	if (gunzip_buffer(res.body, res.len, shown, &plain, &plen) < 0)
		goto out;
	ret = mbox_parse(mb, plain, plen, shown, MBOX_RD);
out:
	http_response_release(&res);
	free(plain);
	free(shown);
	free(url);
	return ret;
}
