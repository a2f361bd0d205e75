/*
 * series.h - from a pile of mail to one revision of a kernel patch series:
 * subject prefixes ("[RFC PATCH v3 1/4]"), the cover letter and patches of
 * a thread (replies left out), order and completeness, the unified diff
 * every patch must carry, base-commit, author, and a content hash of the
 * diffs that names the revision (a re-post of the same patches has the
 * same hash).
 *
 * A patch_series owns copies of everything it needs: the mbox it was
 * assembled from may be released right after.
 */
#ifndef SWAPLAB_SERIES_H
#define SWAPLAB_SERIES_H

#include "kernel-patches/mbox.h"
#include "common/sha256.h"

#include <stddef.h>

/* What the bracketed prefix of a subject says. */
struct subject_info {
	int is_reply;        /* "Re:", "Fwd:", "Aw:" ... before the prefix */
	int is_patch;        /* a PATCH (or RFC) tag in the prefix */
	int rfc;
	int resend;
	unsigned version;    /* vN, 1 when absent */
	int numbered;        /* N/M present */
	unsigned n, m;
	char *prefix;        /* the tags, e.g. "RFC PATCH v3 1/4" (malloc'd) */
	char *title;         /* the subject after the prefix (malloc'd) */
};

/* Parses a decoded subject; always succeeds (a plain subject is not a patch). */
void subject_parse(const char *subject, struct subject_info *si);
void subject_info_release(struct subject_info *si);

struct series_mail {
	unsigned n;             /* 0: cover letter, 1..total: patch */
	char *subject;          /* full decoded subject */
	char *title;            /* subject without the prefix */
	char *message_id;       /* or NULL */
	char *in_reply_to;      /* or NULL */
	char *from;             /* decoded "Name <addr>" */
	char *date;             /* as in the mail, or NULL */
	char *body;             /* decoded UTF-8 body */
	size_t body_len;
	char *where;            /* "source:line" of the mail */
	unsigned files;         /* files the diff touches (0 for a cover letter) */
	char diff_hash[SHA256_HEX_LEN + 1];   /* "" for a cover letter */
};

struct patch_series {
	char *name;             /* series slug: kernel-patches/<name>/ */
	char *title;            /* cover letter's (or first patch's) title */
	char *prefix;           /* the cover's (or first patch's) prefix tags */
	unsigned version;
	int rfc;
	unsigned total;         /* patches, not counting the cover letter */
	char *author;           /* From of the cover letter, else of patch 1 */
	char *base_commit;      /* from "base-commit: <sha>", or NULL */
	char content_hash[SHA256_HEX_LEN + 1];
	struct series_mail *cover;    /* NULL when posted without one */
	struct series_mail *patches;  /* [0..total), patch i+1 at index i */
	unsigned replies;       /* replies seen in the input and left out */
};

struct series_opts {
	const char *name;       /* --series: overrides the derived name */
	unsigned version;       /* pick this vN when the input holds several; 0: any */
	const char *anchor;     /* a message-id in the series (lore fetch), or NULL */
};

/*
 * Picks the series in mb (cover letter and patches, not replies), checks
 * it (no missing or duplicate N/M, every patch has a unified diff whose
 * hunks are complete, one version), and fills s.  source names the input
 * in messages.  Returns 0, or -1 with a message; s is then empty.
 */
int series_assemble(const struct mbox *mb, const struct series_opts *opts,
		    const char *source, struct patch_series *s);
void series_release(struct patch_series *s);

/*
 * Checks that text (a patch mail body) holds a unified diff with complete
 * hunks and hashes the diff part (from the first file header to the end
 * of the last hunk; "index" lines, which change on a rebase, are left
 * out).  what names the mail in messages, which give the line of the
 * body.  Returns the number of files in the
 * diff (>= 1), or -1 with a message: no diff at all, or a hunk that is
 * cut short or malformed.
 */
int patch_check_diff(const char *text, size_t len, const char *what,
		     char hash[SHA256_HEX_LEN + 1]);

/*
 * A file-name slug of a title: lower-case letters, digits and single
 * '-', at most max characters, cut at a '-'.  Malloc'd; "" when the title
 * has no letters or digits.
 */
char *series_slug(const char *title, size_t max);
/* Whether name is acceptable as a series directory name. */
int series_name_valid(const char *name, const char **why);

#endif
