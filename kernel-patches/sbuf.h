/*
 * sbuf.h - a growable byte buffer for the intake (mail bodies, headers,
 * generated patch files).  Always NUL-terminated once anything was added,
 * so buf can be used as a C string when the content has no NUL.
 */
#ifndef SWAPLAB_SBUF_H
#define SWAPLAB_SBUF_H

#include <stddef.h>

struct sbuf {
	char *buf;     /* NULL until the first add */
	size_t len;    /* bytes, not counting the NUL */
	size_t alloc;
};

#define SBUF_INIT { NULL, 0, 0 }

void sb_add(struct sbuf *sb, const void *data, size_t len);
void sb_adds(struct sbuf *sb, const char *s);
void sb_addc(struct sbuf *sb, char c);
void sb_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the buffer over (an empty string when nothing was added). */
char *sb_detach(struct sbuf *sb, size_t *len);
void sb_release(struct sbuf *sb);

#endif
