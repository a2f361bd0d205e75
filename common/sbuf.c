/*
 * sbuf.c - growable NUL-terminated byte buffer and line iterator used by
 * the patch intake.
 */
#include "common/sbuf.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_add(struct sbuf *sb, const void *data, size_t len)
{
	ALLOC_GROW(sb->buf, sb->len + len + 1, sb->alloc);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct sbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvstrfmt(fmt, ap);
	va_end(ap);
	sb_add(sb, s, strlen(s));
	free(s);
}

char *sb_detach(struct sbuf *sb, size_t *len)
{
	char *p;

	if (!sb->buf)
		sb_add(sb, "", 0);
	p = sb->buf;
	if (len)
		*len = sb->len;
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

void sb_release(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

void line_iter_init(struct line_iter *it, const char *buf, size_t len)
{
	it->p = buf;
	it->end = buf + len;
	it->line = NULL;
	it->len = 0;
	it->no = 0;
}

int line_next(struct line_iter *it)
{
	const char *nl;

	if (it->p >= it->end)
		return 0;
	it->line = it->p;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	it->len = nl ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
	it->p = nl ? nl + 1 : it->end;
	if (it->len && it->line[it->len - 1] == '\r')
		it->len--;
	it->no++;
	return 1;
}
