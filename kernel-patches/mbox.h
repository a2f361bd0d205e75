/*
 * mbox.h - reading patch mail for the intake: mbox files (mboxo and
 * mboxrd, plain or gzip'd like public-inbox's t.mbox.gz), RFC 5322 headers
 * with folded lines, RFC 2047 encoded-words, and the body of a single-part
 * text/plain mail (7bit, 8bit, quoted-printable or base64, any charset
 * iconv knows, converted to UTF-8).
 *
 * Out of scope: MIME multipart mail.  Patches posted with git send-email
 * are single-part; a multipart patch mail gets a clear error from
 * mail_body_text() rather than a guess at which part is the patch.
 *
 * Library code: returns error() (-1), never exits.  Every message names
 * its source and line so bad input can be found.
 */
#ifndef SWAPLAB_MBOX_H
#define SWAPLAB_MBOX_H

#include <stddef.h>

struct mail_header {
	char *name;       /* as written, e.g. "Subject" */
	char *value;      /* unfolded, leading blanks stripped, not decoded */
	unsigned line;
};

struct mail {
	char *source;             /* the file or URL it came from */
	unsigned line;            /* first line of the message in source */
	struct mail_header *hdr;
	size_t nr_hdr, alloc_hdr;
	char *body;               /* LF line ends (mboxrd: ">From " unquoted) */
	size_t body_len;
	unsigned body_line;       /* source line of the body's first line */
	/* Decoded from the headers (NULL when absent): */
	char *subject;            /* RFC 2047 decoded, UTF-8 */
	char *from;               /* RFC 2047 decoded, UTF-8 */
	char *date;
	char *message_id;         /* without the angle brackets */
	char *in_reply_to;        /* first message-id in In-Reply-To */
	char **references;        /* message-ids in References, in order */
	size_t nr_references;
};

struct mbox {
	struct mail *mails;
	size_t nr, alloc;
};

/*
 * Appends the messages of buf[0..len) (an mbox, or one bare message that
 * starts with its headers) to mb.  source names the input in messages.
 * Errors: empty input, NUL bytes, a last line without a line break or a
 * message that ends inside its headers (a truncated mbox), a first line
 * that is neither a "From " separator nor a header, a malformed header
 * line.  On error mb is unchanged.
 */
int mbox_parse(struct mbox *mb, const char *buf, size_t len, const char *source,
	       unsigned flags);
/*
 * MBOX_RD: the input is mboxrd (public-inbox, and what --mbox assumes):
 * ">From ", ">>From " ... lose one '>'.  Without it (git format-patch
 * output, which quotes nothing) body lines are kept as they are.
 */
#define MBOX_RD 1u
/* Reads path (gunzipping it if it is gzip data) and parses it. */
int mbox_read_file(struct mbox *mb, const char *path, unsigned flags);
void mbox_release(struct mbox *mb);

/* The unfolded, undecoded value of the first header called name, or NULL. */
const char *mail_header(const struct mail *m, const char *name);

/*
 * The body as UTF-8 text: Content-Transfer-Encoding and charset undone.
 * Returns a malloc'd string in *out (length in *len), or -1 with a message
 * naming what for a multipart, non-text or undecodable mail.
 */
int mail_body_text(const struct mail *m, const char *what, char **out, size_t *len);

/* RFC 2047: decodes encoded-words in a header value into UTF-8 (malloc'd). */
char *rfc2047_decode(const char *value);
/*
 * The reverse for writing headers: value unchanged when it is ASCII, else
 * one or more =?UTF-8?q?...?= words (folded with "\n ") of at most 75
 * characters each.  Malloc'd.
 */
char *rfc2047_encode(const char *value);

/* gzip magic at the start of buf. */
int is_gzip(const void *buf, size_t len);
/*
 * Inflates gzip data (one or more members) into a malloc'd NUL-terminated
 * buffer; -1 with a message naming source on corrupt or truncated data or
 * output over 512 MiB.
 */
int gunzip_buffer(const void *in, size_t len, const char *source, char **out,
		  size_t *outlen);

/*
 * Whether line[0..len) is an mbox "From " separator: "From " then a
 * sender and an asctime() date, as git format-patch and public-inbox write
 * it ("From 1a2b... Mon Sep 17 00:00:00 2001").  Body lines that merely
 * start with "From " are not separators.
 */
int mbox_is_from_line(const char *line, size_t len);

#endif
