/*
 * sbuf.c - growable NUL-terminated byte buffer used by the patch intake.
 */
#include "kernel-patches/sbuf.h"
#include "util.h"

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
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	sb_add(sb, s, (size_t)n);
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
