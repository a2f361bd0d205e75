/*
 * mbox.c - mbox splitting, RFC 5322 header parsing, RFC 2047 encoded-words,
 * single-part MIME body decoding and gzip inflation for the patch intake
 * (`swaplab submit`): the mail a kernel patch series is posted as.
 */
#include "kernel-patches/mbox.h"
#include "common/sbuf.h"
#include "common/utf8.h"
#include "common/util.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

/*
 * No patch series comes near this (a 1,000-patch thread is tens of MiB):
 * the cap on an mbox read or inflated, so hostile input costs bounded
 * memory.
 */
#define GUNZIP_MAX ((size_t)512 << 20)

int mbox_is_from_line(const char *line, size_t len)
{
	const char *colon, *start = line + 5, *p;
	long year;

	if (len < 20 || memcmp(line, "From ", 5))
		return 0;
	/* The last colon is the one between minutes and seconds. */
	for (colon = line + len - 1; colon >= start && *colon != ':'; colon--)
		;
	if (colon < start + 4 || colon + 3 >= line + len)
		return 0;
	if (!isdigit((unsigned char)colon[-2]) || !isdigit((unsigned char)colon[-1]) ||
	    !isdigit((unsigned char)colon[1]) || !isdigit((unsigned char)colon[2]) ||
	    colon[-3] != ':')
		return 0;
	if (colon[3] != ' ')
		return 0;
	/*
	 * Then the year (a time zone may follow it), read within the line:
	 * strtol() could run past its end, the buffer need not be
	 * NUL-terminated (found by tests/fuzz/fuzz_mbox).
	 */
	year = 0;
	for (p = colon + 4; p < line + len && isdigit((unsigned char)*p) && year < 100000; p++)
		year = year * 10 + (*p - '0');
	return year > 1900;
}

/* A header field name: printable ASCII except ':' up to the colon. */
static size_t header_name_len(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == ':')
			return i;
		if (c <= 32 || c >= 127)
			return 0;
	}
	return 0;
}

static int is_blank(const char *s, size_t len)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	(void)s;
	return len == 0;
}

static void mail_release(struct mail *m)
{
	size_t i;

	for (i = 0; i < m->nr_hdr; i++) {
		free(m->hdr[i].name);
		free(m->hdr[i].value);
	}
	free(m->hdr);
	for (i = 0; i < m->nr_references; i++)
		free(m->references[i]);
	free(m->references);
	free(m->source);
	free(m->body);
	free(m->subject);
	free(m->from);
	free(m->date);
	free(m->message_id);
	free(m->in_reply_to);
	memset(m, 0, sizeof(*m));
}

void mbox_release(struct mbox *mb)
{
	size_t i;

	for (i = 0; i < mb->nr; i++)
		mail_release(&mb->mails[i]);
	free(mb->mails);
	memset(mb, 0, sizeof(*mb));
}

const char *mail_header(const struct mail *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nr_hdr; i++)
		if (!strcasecmp(m->hdr[i].name, name))
			return m->hdr[i].value;
	return NULL;
}

static char *trim_dup(const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return xstrfmt("%.*s", (int)(e - s), s);
}

/*
 * Message-ids of a header value: each <...> token; a value without angle
 * brackets is taken whole (some tools write bare ids).  Returns the count.
 */
static size_t parse_msgids(const char *v, char ***out)
{
	char **ids = NULL;
	size_t nr = 0, alloc = 0;
	const char *p = v;

	while ((p = strchr(p, '<'))) {
		const char *e = strchr(p + 1, '>');

		if (!e)
			break;
		if (e > p + 1) {
			ALLOC_GROW(ids, nr + 1, alloc);
			ids[nr++] = xstrfmt("%.*s", (int)(e - p - 1), p + 1);
		}
		p = e + 1;
	}
	if (!nr) {
		char *t = trim_dup(v);

		if (*t && !strpbrk(t, " \t")) {
			ALLOC_GROW(ids, nr + 1, alloc);
			ids[nr++] = t;
		} else {
			free(t);
		}
	}
	*out = ids;
	return nr;
}

static char *first_msgid(const char *v)
{
	char **ids, *id = NULL;
	size_t i, nr = parse_msgids(v, &ids);

	if (nr)
		id = ids[0];
	for (i = 1; i < nr; i++)
		free(ids[i]);
	free(ids);
	return id;
}

/*
 * Decodes the headers swaplab stores.  Their raw values must be UTF-8
 * (RFC 6532 allows it raw; anything else is refused rather than stored
 * as stray bytes).  -1 with a message naming the header's line.
 */
static int mail_decode_headers(struct mail *m)
{
	static const char *const stored[] = { "Subject", "From", "Date", "Message-ID",
					      "In-Reply-To", "References" };
	const char *v;
	size_t i, j;

	for (i = 0; i < m->nr_hdr; i++)
		for (j = 0; j < ARRAY_SIZE(stored); j++)
			if (!strcasecmp(m->hdr[i].name, stored[j]) &&
			    !utf8_valid(m->hdr[i].value, strlen(m->hdr[i].value)))
				return error("%s:%u: the %s header is not valid UTF-8 (byte %zu)",
					     m->source, m->hdr[i].line, m->hdr[i].name,
					     utf8_valid_prefix(m->hdr[i].value,
							       strlen(m->hdr[i].value)));
	if ((v = mail_header(m, "Subject"))) {
		char *d = rfc2047_decode(v);

		m->subject = trim_dup(d);
		free(d);
	}
	if ((v = mail_header(m, "From"))) {
		char *d = rfc2047_decode(v);

		m->from = trim_dup(d);
		free(d);
	}
	if ((v = mail_header(m, "Date")))
		m->date = trim_dup(v);
	if ((v = mail_header(m, "Message-ID")))
		m->message_id = first_msgid(v);
	if ((v = mail_header(m, "In-Reply-To")))
		m->in_reply_to = first_msgid(v);
	if ((v = mail_header(m, "References")))
		m->nr_references = parse_msgids(v, &m->references);
	return 0;
}

/* mboxrd: one '>' is removed from ">From ", ">>From ", ... */
static int is_quoted_from(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == '>')
		i++;
	return i > 0 && len - i >= 5 && !memcmp(line + i, "From ", 5);
}

int mbox_parse(struct mbox *mb, const char *buf, size_t len, const char *source,
	       unsigned flags)
{
	struct line_iter it;
	struct mbox add = { NULL, 0, 0 };
	struct mail *m = NULL;
	struct sbuf body = SBUF_INIT;
	int in_headers = 0, have_line;
	const char *nul;
	size_t i;

	line_iter_init(&it, buf, len);
	nul = memchr(buf, '\0', len);
	if (nul) {
		unsigned line = 1;
		const char *p;

		for (p = buf; p < nul; p++)
			line += *p == '\n';
		return error("%s:%u: binary data (a NUL byte): not an mbox", source, line);
	}
	/* Mail ends with a line break; text cut mid-line is a truncated file. */
	if (len && buf[len - 1] != '\n') {
		unsigned line = 1;
		size_t i;

		for (i = 0; i + 1 < len; i++)
			line += buf[i] == '\n';
		return error("%s:%u: the last line has no line break: truncated mbox?", source, line);
	}
	/* Skip blank lines before the first message. */
	while ((have_line = line_next(&it)) && is_blank(it.line, it.len))
		;
	if (!have_line)
		return error("%s: empty: no mail in it", source);
	if (!(it.len >= 5 && !memcmp(it.line, "From ", 5)) &&
	    !header_name_len(it.line, it.len))
		return error("%s:%u: not an mbox: the first line is neither a 'From ' "
			     "separator nor a mail header: '%.*s'",
			     source, it.no, (int)(it.len < 60 ? it.len : 60), it.line);

	for (;; have_line = line_next(&it)) {
		int sep = have_line && it.len >= 5 && !memcmp(it.line, "From ", 5) &&
			  (!m || mbox_is_from_line(it.line, it.len));

		if (!have_line || sep) {
			if (m && in_headers) {
				error("%s:%u: message that starts at line %u ends inside its "
				      "headers (no blank line before %s): truncated mbox?",
				      source, it.no, m->line,
				      have_line ? "the next 'From ' line" : "the end of the file");
				goto fail;
			}
			if (m) {
				/* mbox puts one blank line between messages. */
				if (body.len && body.buf[body.len - 1] == '\n' &&
				    (body.len == 1 || body.buf[body.len - 2] == '\n'))
					body.len--;
				m->body = sb_detach(&body, &m->body_len);
				m->body[m->body_len] = '\0';
				if (mail_decode_headers(m) < 0)
					goto fail;
			}
			if (!have_line)
				break;
			ALLOC_GROW(add.mails, add.nr + 1, add.alloc);
			m = &add.mails[add.nr++];
			memset(m, 0, sizeof(*m));
			m->source = xstrdup(source);
			m->line = it.no;
			in_headers = 1;
			continue;
		}
		if (!m) {
			/* A bare message: headers from the first line on. */
			ALLOC_GROW(add.mails, add.nr + 1, add.alloc);
			m = &add.mails[add.nr++];
			memset(m, 0, sizeof(*m));
			m->source = xstrdup(source);
			m->line = it.no;
			in_headers = 1;
		}
		if (in_headers) {
			size_t nl;

			if (it.len == 0) {
				in_headers = 0;
				m->body_line = it.no + 1;
				continue;
			}
			if (it.line[0] == ' ' || it.line[0] == '\t') {
				struct mail_header *h;

				if (!m->nr_hdr) {
					error("%s:%u: malformed mail: a continuation line before "
					      "any header", source, it.no);
					goto fail;
				}
				h = &m->hdr[m->nr_hdr - 1];
				/* Unfolding removes the line break, keeps the blank. */
				char *v = xstrfmt("%s%.*s", h->value, (int)it.len, it.line);
				free(h->value);
				h->value = v;
				continue;
			}
			nl = header_name_len(it.line, it.len);
			if (!nl) {
				error("%s:%u: malformed mail header '%.*s' (expected 'Name: value'; "
				      "truncated or not an mbox?)", source, it.no,
				      (int)(it.len < 60 ? it.len : 60), it.line);
				goto fail;
			}
			ALLOC_GROW(m->hdr, m->nr_hdr + 1, m->alloc_hdr);
			{
				struct mail_header *h = &m->hdr[m->nr_hdr++];
				const char *v = it.line + nl + 1, *e = it.line + it.len;

				while (v < e && (*v == ' ' || *v == '\t'))
					v++;
				h->name = xstrfmt("%.*s", (int)nl, it.line);
				h->value = xstrfmt("%.*s", (int)(e - v), v);
				h->line = it.no;
			}
			continue;
		}
		if ((flags & MBOX_RD) && is_quoted_from(it.line, it.len))
			sb_add(&body, it.line + 1, it.len - 1);
		else
			sb_add(&body, it.line, it.len);
		sb_addc(&body, '\n');
	}
	assert(!in_headers);
	for (i = 0; i < add.nr; i++) {
		ALLOC_GROW(mb->mails, mb->nr + 1, mb->alloc);
		mb->mails[mb->nr++] = add.mails[i];
	}
	free(add.mails);
	return 0;
fail:
	sb_release(&body);
	mbox_release(&add);
	return -1;
}

int is_gzip(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

int gunzip_buffer(const void *in, size_t len, const char *source, char **out,
		  size_t *outlen)
{
	z_stream z;
	struct sbuf sb = SBUF_INIT;
	unsigned char chunk[65536];
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return error("%s: cannot initialise zlib", source);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	assert(len <= UINT32_MAX);
	for (;;) {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		ret = inflate(&z, Z_NO_FLUSH);
		sb_add(&sb, chunk, sizeof(chunk) - z.avail_out);
		if (sb.len > GUNZIP_MAX) {
			error("%s: gzip data inflates to more than %zu MiB: refusing it",
			      source, GUNZIP_MAX >> 20);
			goto fail;
		}
		if (ret == Z_STREAM_END) {
			/* Concatenated members (gzip -c a >f; gzip -c b >>f). */
			if (z.avail_in == 0)
				break;
			if (!is_gzip(z.next_in, z.avail_in)) {
				error("%s: trailing garbage after the gzip data", source);
				goto fail;
			}
			inflateReset(&z);
			continue;
		}
		if (ret == Z_BUF_ERROR && z.avail_in == 0) {
			error("%s: truncated gzip data (the stream ends early)", source);
			goto fail;
		}
		if (ret != Z_OK) {
			error("%s: corrupt gzip data: %s", source,
			      z.msg ? z.msg : "inflate failed");
			goto fail;
		}
	}
	inflateEnd(&z);
	*out = sb_detach(&sb, outlen);
	return 0;
fail:
	inflateEnd(&z);
	sb_release(&sb);
	return -1;
}

int mbox_read_file(struct mbox *mb, const char *path, unsigned flags)
{
	size_t len;
	struct stat sb;
	char *buf;
	int ret;

	/* Before reading it: a 2 GiB file would otherwise be read whole. */
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > GUNZIP_MAX)
		return error("'%s' is %llu MiB: an mbox larger than %zu MiB is refused",
			     path, (unsigned long long)sb.st_size >> 20, GUNZIP_MAX >> 20);
	buf = slurp_file(path, &len);
	if (!buf)
		return error_errno("cannot read '%s'", path);
	if (is_gzip(buf, len)) {
		char *plain;
		size_t plen;

		if (len > UINT32_MAX) {
			free(buf);
			return error("'%s' is too large", path);
		}
		ret = gunzip_buffer(buf, len, path, &plain, &plen);
		free(buf);
		if (ret < 0)
			return -1;
		buf = plain;
		len = plen;
	} else if (len > 3 && !strcmp(path + strlen(path) - 3, ".gz")) {
		free(buf);
		return error("'%s' is named .gz but is not gzip data", path);
	}
	ret = mbox_parse(mb, buf, len, path, flags);
	free(buf);
	return ret;
}

/* ---- charsets and transfer encodings ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Base64, blanks and line breaks ignored; -1 on any other stray byte. */
static int b64_decode(const char *s, size_t len, struct sbuf *out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		int v;

		if (s[i] == '=')
			break;
		if (isspace((unsigned char)s[i]))
			continue;
		v = b64val((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sb_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	for (; i < len; i++)
		if (s[i] != '=' && !isspace((unsigned char)s[i]))
			return -1;
	return 0;
}

/* Quoted-printable body (RFC 2045): "=XX" bytes and "=\n" soft breaks. */
static void qp_decode(const char *s, size_t len, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '=' && i + 1 < len && s[i + 1] == '\n') {
			i++;
		} else if (s[i] == '=' && i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
			   hexval((unsigned char)s[i + 2]) >= 0) {
			sb_addc(out, (char)(hexval((unsigned char)s[i + 1]) * 16 +
					    hexval((unsigned char)s[i + 2])));
			i += 2;
		} else {
			sb_addc(out, s[i]);
		}
	}
}

static int charset_is_utf8(const char *cs)
{
	return !*cs || !strcasecmp(cs, "utf-8") || !strcasecmp(cs, "utf8") ||
	       !strcasecmp(cs, "us-ascii") || !strcasecmp(cs, "ascii");
}

/* Converts in[0..len) from charset to UTF-8, appending to out; -1 if it can't. */
static int to_utf8(const char *charset, const char *in, size_t len, struct sbuf *out)
{
	iconv_t cd;
	char *ip = (char *)in;
	size_t il = len;

	if (charset_is_utf8(charset)) {
		sb_add(out, in, len);
		return 0;
	}
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return -1;
	while (il) {
		char chunk[4096], *op = chunk;
		size_t ol = sizeof(chunk);
		size_t r = iconv(cd, &ip, &il, &op, &ol);

		sb_add(out, chunk, sizeof(chunk) - ol);
		if (r == (size_t)-1 && errno != E2BIG) {
			iconv_close(cd);
			return -1;
		}
	}
	iconv_close(cd);
	return 0;
}

/*
 * One encoded-word at s: "=?charset?B|Q?text?=".  On success puts its
 * charset in charset[64], appends the decoded bytes (still in that
 * charset) to raw and returns its length in s; 0 if s is not a
 * well-formed encoded-word (it is then kept literally, as RFC 2047 says).
 */
static size_t parse_word(const char *s, char *charset, struct sbuf *raw)
{
	const char *cs, *q1, *q2, *end;
	char enc;
	size_t i, cslen, before = raw->len;

	if (s[0] != '=' || s[1] != '?')
		return 0;
	cs = s + 2;
	q1 = strchr(cs, '?');
	if (!q1 || !q1[1] || q1[2] != '?')
		return 0;
	enc = (char)toupper((unsigned char)q1[1]);
	q2 = q1 + 2;
	end = strstr(q2 + 1, "?=");
	if (!end || (enc != 'B' && enc != 'Q'))
		return 0;
	for (i = 0; q2 + 1 + i < end; i++)
		if (isspace((unsigned char)q2[1 + i]))
			return 0;
	cslen = (size_t)(q1 - cs);
	if (!cslen || cslen >= 64)
		return 0;
	memcpy(charset, cs, cslen);
	charset[cslen] = '\0';
	if (strchr(charset, '*'))      /* RFC 2231 language: "UTF-8*en" */
		*strchr(charset, '*') = '\0';
	if (enc == 'B') {
		if (b64_decode(q2 + 1, (size_t)(end - q2 - 1), raw) < 0) {
			raw->len = before;
			return 0;
		}
	} else {
		const char *p;

		for (p = q2 + 1; p < end; p++) {
			if (*p == '_')
				sb_addc(raw, ' ');
			else if (*p == '=' && p + 2 < end && hexval((unsigned char)p[1]) >= 0 &&
				 hexval((unsigned char)p[2]) >= 0) {
				sb_addc(raw, (char)(hexval((unsigned char)p[1]) * 16 +
						    hexval((unsigned char)p[2])));
				p += 2;
			} else
				sb_addc(raw, *p);
		}
	}
	return (size_t)(end + 2 - s);
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Appends s[0..len) with each byte that is not part of valid UTF-8 as U+FFFD. */
static void add_utf8_or_fffd(struct sbuf *out, const char *s, size_t len)
{
	while (len) {
		size_t ok = utf8_valid_prefix(s, len);

		sb_add(out, s, ok);
		s += ok;
		len -= ok;
		if (len) {
			sb_adds(out, "\xef\xbf\xbd");
			s++;
			len--;
		}
	}
}

/*
 * Adjacent encoded-words of one charset are decoded as one run: a
 * character may be split across words (RFC 2047 section 5 forbids it,
 * mailers do it).  A run that does not convert to valid UTF-8 is kept
 * literally, so a decoded value never carries a stray byte; a raw byte
 * that is not UTF-8 outside encoded-words becomes U+FFFD (mbox_parse
 * refuses such headers before this; other callers get valid text).
 */
char *rfc2047_decode(const char *v)
{
	struct sbuf out = SBUF_INIT, raw = SBUF_INIT, conv = SBUF_INIT;
	const char *p = v;
	char cs[64], cs2[64];
	int prev_word = 0;

	while (*p) {
		const char *run = p, *q;
		size_t n;

		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			q = skip_blanks(p);
			/* Blanks between two encoded-words are not part of the text. */
			raw.len = 0;
			if (!(prev_word && parse_word(q, cs2, &raw)))
				add_utf8_or_fffd(&out, p, (size_t)(q - p));
			p = q;
			prev_word = 0;
			continue;
		}
		raw.len = 0;
		n = parse_word(p, cs, &raw);
		if (!n) {
			size_t len = 1;

			/* A whole UTF-8 character, or one bad byte. */
			if ((unsigned char)*p >= 0x80) {
				size_t avail = strnlen(p, 4);

				len = utf8_char_len((const unsigned char *)p, avail);
				if (!len)
					len = 1;
			}
			add_utf8_or_fffd(&out, p, len);
			p += len;
			prev_word = 0;
			continue;
		}
		p += n;
		/* Extend the run over blank-separated words of the same charset. */
		for (;;) {
			size_t before = raw.len, m;

			q = skip_blanks(p);
			m = parse_word(q, cs2, &raw);
			if (!m || strcasecmp(cs, cs2)) {
				raw.len = before;
				break;
			}
			p = q + m;
		}
		conv.len = 0;
		if (to_utf8(cs, raw.buf ? raw.buf : "", raw.len, &conv) == 0 &&
		    utf8_valid(conv.buf ? conv.buf : "", conv.len) &&
		    !(conv.len && memchr(conv.buf, '\0', conv.len)))
			sb_add(&out, conv.buf ? conv.buf : "", conv.len);
		else
			add_utf8_or_fffd(&out, run, (size_t)(p - run));
		prev_word = 1;
	}
	sb_release(&raw);
	sb_release(&conv);
	return sb_detach(&out, NULL);
}

char *rfc2047_encode(const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	struct sbuf out = SBUF_INIT;
	size_t word = 0;

	for (p = (const unsigned char *)v; *p; p++)
		if (*p >= 0x80 || *p < 0x20)
			break;
	if (!*p)
		return xstrdup(v);
	for (p = (const unsigned char *)v; *p;) {
		/* Whole UTF-8 sequences stay within one word. */
		size_t n = 1, need, i;

		if (*p >= 0xc0)
			while (n < 4 && (p[n] & 0xc0) == 0x80)
				n++;
		need = 0;
		for (i = 0; i < n; i++)
			need += (isalnum(p[i]) || p[i] == ' ') ? 1 : 3;
		if (word == 0 || word + need + 2 > 75) {
			if (word)
				sb_adds(&out, "?=\n ");
			sb_adds(&out, "=?UTF-8?q?");
			word = 10;
		}
		for (i = 0; i < n; i++, p++) {
			if (*p == ' ') {
				sb_addc(&out, '_');
				word++;
			} else if (isalnum(*p)) {
				sb_addc(&out, (char)*p);
				word++;
			} else {
				sb_addc(&out, '=');
				sb_addc(&out, hex[*p >> 4]);
				sb_addc(&out, hex[*p & 15]);
				word += 3;
			}
		}
	}
	sb_adds(&out, "?=");
	return sb_detach(&out, NULL);
}

/* The value of parameter name in a Content-Type value, lower-cased. */
static char *ct_param(const char *ct, const char *name)
{
	const char *p = ct;
	size_t nl = strlen(name);

	while ((p = strchr(p, ';'))) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncasecmp(p, name, nl) && p[nl] == '=') {
			const char *v = p + nl + 1, *e;

			if (*v == '"') {
				v++;
				e = strchr(v, '"');
				if (!e)
					e = v + strlen(v);
			} else {
				e = v + strcspn(v, "; \t");
			}
			return xstrfmt("%.*s", (int)(e - v), v);
		}
	}
	return xstrdup("");
}

int mail_body_text(const struct mail *m, const char *what, char **out, size_t *len)
{
	const char *ct = mail_header(m, "Content-Type");
	const char *cte = mail_header(m, "Content-Transfer-Encoding");
	struct sbuf raw = SBUF_INIT, text = SBUF_INIT;
	char *charset = NULL, *enc = NULL;
	const char *body = m->body ? m->body : "";
	int ret = -1;

	if (ct) {
		char *type = trim_dup(ct);

		type[strcspn(type, "; \t")] = '\0';
		if (!strncasecmp(type, "multipart/", 10)) {
			error("%s (%s:%u): a MIME %s mail: swaplab reads inline patches only "
			      "(MIME multipart is not supported; post the patch with git "
			      "send-email or save it as plain text)", what, m->source, m->line, type);
			free(type);
			return -1;
		}
		if (*type && strncasecmp(type, "text/", 5)) {
			error("%s (%s:%u): the mail is '%s', not text: cannot read a patch in it",
			      what, m->source, m->line, type);
			free(type);
			return -1;
		}
		free(type);
		charset = ct_param(ct, "charset");
	} else {
		charset = xstrdup("");
	}
	enc = trim_dup(cte ? cte : "");
	if (!*enc || !strcasecmp(enc, "7bit") || !strcasecmp(enc, "8bit") ||
	    !strcasecmp(enc, "binary")) {
		sb_add(&raw, body, m->body_len);
	} else if (!strcasecmp(enc, "quoted-printable")) {
		qp_decode(body, m->body_len, &raw);
	} else if (!strcasecmp(enc, "base64")) {
		if (b64_decode(body, m->body_len, &raw) < 0) {
			error("%s (%s:%u): the base64 body is corrupt (a byte outside the "
			      "base64 alphabet)", what, m->source, m->body_line);
			goto out;
		}
	} else {
		error("%s (%s:%u): unknown Content-Transfer-Encoding '%s'", what, m->source,
		      m->line, enc);
		goto out;
	}
	if (raw.len && memchr(raw.buf, '\0', raw.len)) {
		error("%s (%s:%u): the decoded body holds binary data (a NUL byte)", what,
		      m->source, m->body_line);
		goto out;
	}
	if (to_utf8(charset, raw.buf ? raw.buf : "", raw.len, &text) < 0) {
		error("%s (%s:%u): cannot convert the body from charset '%s' to UTF-8", what,
		      m->source, m->line, charset);
		goto out;
	}
	/* Every decoding step ends in UTF-8 the database and outputs can hold. */
	{
		size_t okl = utf8_valid_prefix(text.buf ? text.buf : "", text.len);

		if (okl != text.len) {
			error("%s (%s:%u): the decoded body is not valid UTF-8 (byte %zu of the "
			      "text: 0x%02x; charset '%s', transfer encoding '%s')", what,
			      m->source, m->body_line, okl, (unsigned char)text.buf[okl],
			      *charset ? charset : "none", *enc ? enc : "7bit");
			goto out;
		}
	}
	/* Decoded CRLF line ends (base64 bodies keep them) become LF. */
	{
		size_t i, j = 0;

		for (i = 0; i < text.len; i++)
			if (!(text.buf[i] == '\r' && i + 1 < text.len && text.buf[i + 1] == '\n'))
				text.buf[j++] = text.buf[i];
		text.len = j;
	}
	*out = sb_detach(&text, len);
	ret = 0;
out:
	sb_release(&raw);
	sb_release(&text);
	free(charset);
	free(enc);
	return ret;
}
