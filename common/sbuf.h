/*
 * sbuf.h - text helpers for the intake: a growable byte buffer (mail
 * bodies, headers, generated patch files), always NUL-terminated once
 * anything was added, and a line iterator over mail text.
 */
#ifndef SWAPLAB_COMMON_SBUF_H
#define SWAPLAB_COMMON_SBUF_H

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

/* Lines of a buffer: line[0..len) without its "\n" (nor a "\r" before it). */
struct line_iter {
	const char *p, *end;
	const char *line;
	size_t len;
	unsigned no;       /* 1 for the first line */
};

void line_iter_init(struct line_iter *it, const char *buf, size_t len);
/* Advances to the next line; 0 at the end. */
int line_next(struct line_iter *it);

#endif
