/*
 * series.c - assembling one revision of a kernel patch series from mail:
 * subject prefixes, reply filtering, N/M order and completeness, unified
 * diff checks and the content hash that recognises a re-post.  Used by
 * `swaplab submit` for mbox files, format-patch directories, git ranges
 * and lore threads alike.
 */
#include "kernel-patches/series.h"
#include "common/sbuf.h"
#include "common/util.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- subjects ---- */

/* "Re:", "RE[2]:", "Fwd:", "AW:" ... at p: length of the marker, or 0. */
static size_t reply_marker(const char *p)
{
	static const char *const words[] = { "re", "fwd", "fw", "aw", "sv", "antw", "wg", "vs" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i]);
		const char *q = p + n;

		if (strncasecmp(p, words[i], n))
			continue;
		if (*q == '[') {
			while (isdigit((unsigned char)*++q))
				;
			if (*q++ != ']')
				continue;
		}
		if (*q == ':')
			return (size_t)(q + 1 - p);
	}
	return 0;
}

/* A version tag: "v3" -> 3; 0 if tok is not one. */
static unsigned version_tag(const char *tok)
{
	char *end;
	unsigned long v;

	if ((tok[0] != 'v' && tok[0] != 'V') || !isdigit((unsigned char)tok[1]))
		return 0;
	v = strtoul(tok + 1, &end, 10);
	return *end || v == 0 || v > 100000 ? 0 : (unsigned)v;
}

static void classify_token(struct subject_info *si, const char *tok)
{
	unsigned v;
	char *end;

	if (!strncasecmp(tok, "PATCH", 5)) {
		const char *rest = tok + 5;

		if (*rest == '-')
			rest++;
		if (!*rest) {
			si->is_patch = 1;
			return;
		}
		if ((v = version_tag(rest))) {
			si->is_patch = 1;
			si->version = v;
			return;
		}
	}
	if (!strncasecmp(tok, "RFC", 3)) {
		const char *rest = tok + 3;

		if (*rest == '-')
			rest++;
		if (!*rest || (v = version_tag(rest))) {
			si->is_patch = 1;
			si->rfc = 1;
			if (*rest)
				si->version = version_tag(rest);
			return;
		}
	}
	if (!strcasecmp(tok, "RESEND")) {
		si->resend = 1;
		return;
	}
	if ((v = version_tag(tok))) {
		si->version = v;
		return;
	}
	if (isdigit((unsigned char)tok[0]) && !si->numbered) {
		unsigned long n = strtoul(tok, &end, 10), m;

		if (*end == '/' && isdigit((unsigned char)end[1])) {
			m = strtoul(end + 1, &end, 10);
			if (!*end && n <= 100000 && m <= 100000) {
				si->numbered = 1;
				si->n = (unsigned)n;
				si->m = (unsigned)m;
			}
		}
	}
}

void subject_parse(const char *subject, struct subject_info *si)
{
	struct sbuf prefix = SBUF_INIT;
	const char *p = subject ? subject : "", *e;
	size_t n;

	memset(si, 0, sizeof(*si));
	si->version = 1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		n = reply_marker(p);
		if (!n)
			break;
		si->is_reply = 1;
		p += n;
	}
	while (*p == '[' && (e = strchr(p, ']'))) {
		char *group = xstrfmt("%.*s", (int)(e - p - 1), p + 1), *save = NULL, *tok;

		for (tok = strtok_r(group, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
			if (prefix.len)
				sb_addc(&prefix, ' ');
			sb_adds(&prefix, tok);
			classify_token(si, tok);
		}
		free(group);
		p = e + 1;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	si->prefix = sb_detach(&prefix, NULL);
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	si->title = xstrfmt("%.*s", (int)(e - p), p);
}

void subject_info_release(struct subject_info *si)
{
	free(si->prefix);
	free(si->title);
	memset(si, 0, sizeof(*si));
}

/* ---- diffs ---- */

static int starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(line, prefix, n);
}

/* "@@ -a[,b] +c[,d] @@": the line counts b and d (1 when omitted). */
static int parse_hunk_header(const char *line, size_t len, unsigned long *old,
			     unsigned long *new)
{
	char *copy = xstrfmt("%.*s", (int)len, line), *p = copy + 3, *end;
	int ret = -1;

	if (*p != '-')
		goto out;
	strtoul(p + 1, &end, 10);
	if (end == p + 1)
		goto out;
	*old = 1;
	if (*end == ',') {
		p = end + 1;
		*old = strtoul(p, &end, 10);
		if (end == p)
			goto out;
	}
	if (end[0] != ' ' || end[1] != '+')
		goto out;
	p = end + 2;
	strtoul(p, &end, 10);
	if (end == p)
		goto out;
	*new = 1;
	if (*end == ',') {
		p = end + 1;
		*new = strtoul(p, &end, 10);
		if (end == p)
			goto out;
	}
	if (strncmp(end, " @@", 3))
		goto out;
	ret = 0;
out:
	free(copy);
	return ret;
}

static void hash_line(struct sha256 *h, const char *line, size_t len)
{
	sha256_update(h, line, len);
	sha256_update(h, "\n", 1);
}

int patch_check_diff(const char *text, size_t len, const char *what,
		     char hash[SHA256_HEX_LEN + 1])
{
	struct line_iter it;
	struct sha256 h;
	unsigned files = 0, git_file_line = 0, git_file_lines = 0, want_hunk_line = 0;
	int in_diff = 0, hunks_ok = 0, cur_git = 0;

	line_iter_init(&it, text, len);
	sha256_init(&h);
	while (line_next(&it)) {
		if (in_diff && it.len == 3 && !memcmp(it.line, "-- ", 3))
			break;     /* the mail signature ends the diff */
		if (starts(it.line, it.len, "diff --git ")) {
			if (git_file_line && !git_file_lines)
				return error("%s: 'diff --git' at body line %u has nothing after "
					     "it: truncated patch?", what, git_file_line);
			if (want_hunk_line)
				return error("%s: the file header at body line %u has no hunk: "
					     "truncated patch?", what, want_hunk_line);
			files++;
			in_diff = 1;
			hunks_ok = 0;
			cur_git = 1;
			git_file_line = it.no;
			git_file_lines = 0;
			hash_line(&h, it.line, it.len);
			continue;
		}
		if (starts(it.line, it.len, "--- ") && it.p < it.end &&
		    starts(it.p, (size_t)(it.end - it.p), "+++ ")) {
			unsigned at = it.no;

			if (want_hunk_line)
				return error("%s: the file header at body line %u has no hunk: "
					     "truncated patch?", what, want_hunk_line);
			/* After "diff --git" the pair names the same file. */
			if (!cur_git)
				files++;
			cur_git = 0;
			git_file_lines++;
			hash_line(&h, it.line, it.len);
			line_next(&it);
			hash_line(&h, it.line, it.len);
			in_diff = 1;
			hunks_ok = 1;
			want_hunk_line = at;
			continue;
		}
		if (in_diff && starts(it.line, it.len, "@@ ")) {
			unsigned long old, new;
			unsigned at = it.no;

			if (!hunks_ok)
				return error("%s: hunk at body line %u comes before any '---'/'+++' "
					     "file header", what, at);
			if (parse_hunk_header(it.line, it.len, &old, &new) < 0)
				return error("%s: malformed hunk header at body line %u: '%.*s'",
					     what, at, (int)(it.len < 60 ? it.len : 60), it.line);
			hash_line(&h, it.line, it.len);
			want_hunk_line = 0;
			while (old || new) {
				char c;

				if (!line_next(&it))
					return error("%s: the hunk at body line %u is cut short: the mail "
						     "ends with %lu old and %lu new lines missing "
						     "(truncated patch?)", what, at, old, new);
				c = it.len ? it.line[0] : ' ';
				if (c == '\\') {
					hash_line(&h, it.line, it.len);
					continue;
				}
				if (c != ' ' && c != '-' && c != '+')
					return error("%s: the hunk at body line %u is cut short or malformed: "
						     "body line %u '%.*s' is not a diff line (%lu old and %lu "
						     "new lines were still due)", what, at, it.no,
						     (int)(it.len < 40 ? it.len : 40), it.line, old, new);
				if ((c == ' ' && (!old || !new)) || (c == '-' && !old) || (c == '+' && !new))
					return error("%s: the hunk at body line %u has more %s lines than its "
						     "header says (body line %u)", what, at,
						     c == '+' ? "new" : "old", it.no);
				if (c != '+')
					old--;
				if (c != '-')
					new--;
				hash_line(&h, it.line, it.len);
			}
			continue;
		}
		if (!in_diff)
			continue;
		/* Between files and hunks: git's extended headers, binary patches. */
		if (git_file_line && it.len)
			git_file_lines++;
		if (it.len == 0 || starts(it.line, it.len, "index ") ||
		    starts(it.line, it.len, "base-commit: ") ||
		    starts(it.line, it.len, "prerequisite-patch-id: "))
			continue;
		hash_line(&h, it.line, it.len);
	}
	if (want_hunk_line)
		return error("%s: the file header at body line %u has no hunk: truncated patch?",
			     what, want_hunk_line);
	if (git_file_line && !git_file_lines)
		return error("%s: 'diff --git' at body line %u has nothing after it: "
			     "truncated patch?", what, git_file_line);
	if (!files)
		return error("%s is not a patch: it holds no unified diff (no 'diff --git' or "
			     "'---'/'+++' file header followed by '@@' hunks)", what);
	sha256_final_hex(&h, hash);
	return (int)files;
}

/* ---- names ---- */

char *series_slug(const char *title, size_t max)
{
	struct sbuf sb = SBUF_INIT;
	const unsigned char *p;
	char *s;
	size_t len;

	for (p = (const unsigned char *)title; *p; p++) {
		if (*p >= 0x80)
			continue;     /* non-ASCII letters are dropped, not separators */
		if (isalnum(*p)) {
			sb_addc(&sb, (char)tolower(*p));
		} else if (sb.len && sb.buf[sb.len - 1] != '-') {
			sb_addc(&sb, '-');
		}
	}
	s = sb_detach(&sb, &len);
	if (len > max) {
		size_t cut = max;

		while (cut > max / 2 && s[cut] != '-')
			cut--;
		if (s[cut] != '-')
			cut = max;
		s[cut] = '\0';
		len = cut;
	}
	while (len && s[len - 1] == '-')
		s[--len] = '\0';
	return s;
}

int series_name_valid(const char *name, const char **why)
{
	const char *p;

	if (!*name) {
		*why = "it is empty";
		return 0;
	}
	if (strlen(name) > 100) {
		*why = "it is longer than 100 characters";
		return 0;
	}
	if (name[0] == '.' || name[0] == '-') {
		*why = "it starts with '.' or '-'";
		return 0;
	}
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.' && *p != '+') {
			*why = "only letters, digits, '-', '_', '.' and '+' are allowed";
			return 0;
		}
	return 1;
}

/* ---- assembling ---- */

struct cand {
	const struct mail *m;
	struct subject_info si;
};

static void series_mail_release(struct series_mail *sm)
{
	free(sm->subject);
	free(sm->title);
	free(sm->message_id);
	free(sm->in_reply_to);
	free(sm->from);
	free(sm->date);
	free(sm->body);
	free(sm->where);
	memset(sm, 0, sizeof(*sm));
}

void series_release(struct patch_series *s)
{
	unsigned i;

	if (s->cover) {
		series_mail_release(s->cover);
		free(s->cover);
	}
	for (i = 0; s->patches && i < s->total; i++)
		series_mail_release(&s->patches[i]);
	free(s->patches);
	free(s->name);
	free(s->title);
	free(s->prefix);
	free(s->author);
	free(s->base_commit);
	memset(s, 0, sizeof(*s));
}

static char *mail_where(const struct mail *m)
{
	return xstrfmt("%s:%u", m->source, m->line);
}

static char *mail_what(const struct cand *c)
{
	if (c->si.numbered && c->si.n == 0)
		return xstrfmt("cover letter '%s'", c->si.title);
	if (c->si.numbered)
		return xstrfmt("patch %u/%u '%s'", c->si.n, c->si.m, c->si.title);
	return xstrfmt("patch '%s'", c->si.title);
}

static int fill_mail(struct series_mail *sm, const struct cand *c, unsigned n)
{
	char *what = mail_what(c), *where = mail_where(c->m);
	char *label = xstrfmt("%s (%s)", what, where);
	int ret = -1, files;

	sm->n = n;
	if (mail_body_text(c->m, what, &sm->body, &sm->body_len) < 0)
		goto out;
	if (!c->m->from || !*c->m->from) {
		error("%s has no From: header: git am needs an author", label);
		goto out;
	}
	if (n > 0) {
		files = patch_check_diff(sm->body, sm->body_len, label, sm->diff_hash);
		if (files < 0)
			goto out;
		sm->files = (unsigned)files;
	}
	sm->subject = xstrdup(c->m->subject);
	sm->title = xstrdup(c->si.title);
	sm->message_id = c->m->message_id ? xstrdup(c->m->message_id) : NULL;
	sm->in_reply_to = c->m->in_reply_to ? xstrdup(c->m->in_reply_to) : NULL;
	sm->from = xstrdup(c->m->from);
	sm->date = c->m->date ? xstrdup(c->m->date) : NULL;
	sm->where = where;
	where = NULL;
	ret = 0;
out:
	free(what);
	free(where);
	free(label);
	return ret;
}

/* "base-commit: <hex>" in a body, as git format-patch --base writes it. */
static char *find_base_commit(const char *body, size_t len)
{
	struct line_iter it;

	line_iter_init(&it, body, len);
	while (line_next(&it)) {
		size_t i, n;

		if (!starts(it.line, it.len, "base-commit: "))
			continue;
		n = it.len - 13;
		while (n && isspace((unsigned char)it.line[13 + n - 1]))
			n--;
		for (i = 0; i < n; i++)
			if (!isxdigit((unsigned char)it.line[13 + i]))
				break;
		if (i == n && n >= 7 && n <= 64)
			return xstrfmt("%.*s", (int)n, it.line + 13);
	}
	return NULL;
}

static int cand_cmp_version(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->si.version < y->si.version ? -1 : x->si.version > y->si.version;
}

/*
 * The series being assembled from one mbox.  The phases, in order (each
 * returns 0 or -1 after a message naming the input): collect_candidates()
 * (patch mails, not replies, each once), pick_revision() (the anchor's or
 * the asked revision, exactly one), check_numbering() (one N/M for all),
 * place_in_slots() (no duplicates, nothing missing), then fill_series(),
 * name_series() and hash_series() into the result.
 */
struct assembly {
	const struct mbox *mb;
	const char *source;       /* the input, for messages */
	struct cand *c;           /* the candidates */
	size_t nr, alloc, non_patch;
	struct cand **slot;       /* [0..total]: cover letter, patches 1..total */
	unsigned version, total, replies;
};

static int collect_candidates(struct assembly *as)
{
	const struct mbox *mb = as->mb;
	size_t i, j;

	if (!mb->nr)
		return error("%s: no mail in it", as->source);
	for (i = 0; i < mb->nr; i++) {
		const struct mail *m = &mb->mails[i];
		struct subject_info si;

		subject_parse(m->subject, &si);
		if (si.is_reply || !si.is_patch) {
			as->replies += si.is_reply;
			as->non_patch += !si.is_reply;
			subject_info_release(&si);
			continue;
		}
		/* The same mail twice (cross-posted, or given twice): keep one. */
		for (j = 0; j < as->nr; j++)
			if (m->message_id && as->c[j].m->message_id &&
			    !strcmp(m->message_id, as->c[j].m->message_id))
				break;
		if (j < as->nr) {
			subject_info_release(&si);
			continue;
		}
		ALLOC_GROW(as->c, as->nr + 1, as->alloc);
		as->c[as->nr].m = m;
		as->c[as->nr].si = si;
		as->nr++;
	}
	if (!as->nr)
		return error("%s: no patch mail in it (%zu message%s: %u repl%s, %zu without a "
			     "[PATCH] subject prefix)", as->source, mb->nr, mb->nr == 1 ? "" : "s",
			     as->replies, as->replies == 1 ? "y" : "ies", as->non_patch);
	return 0;
}

/* The revision of the anchor mail (a message-id the user gave). */
static int anchor_revision(struct assembly *as, const char *anchor)
{
	const struct mbox *mb = as->mb;
	const char *a = anchor + (*anchor == '<');
	size_t alen = strcspn(a, ">"), i, j;

	for (j = 0; j < mb->nr; j++) {
		const char *id = mb->mails[j].message_id;

		if (id && strlen(id) == alen && !memcmp(id, a, alen))
			break;
	}
	if (j == mb->nr)
		return error("%s: message <%.*s> is not in it", as->source, (int)alen, a);
	for (i = 0; i < as->nr; i++)
		if (as->c[i].m == &mb->mails[j])
			break;
	if (i < as->nr) {
		if (as->version && as->version != as->c[i].si.version)
			return error("%s: <%.*s> is a v%u mail, not v%u", as->source, (int)alen, a,
				     as->c[i].si.version, as->version);
		as->version = as->c[i].si.version;
	}
	return 0;
}

/* Keeps the candidates of one revision: the anchor's, the asked one, or
 * the only one there is. */
static int pick_revision(struct assembly *as, const struct series_opts *opts)
{
	struct cand *c;
	size_t i, j;

	as->version = opts->version;
	if (opts->anchor && anchor_revision(as, opts->anchor) < 0)
		return -1;
	if (as->version) {
		for (i = j = 0; i < as->nr; i++) {
			if (as->c[i].si.version == as->version)
				as->c[j++] = as->c[i];
			else
				subject_info_release(&as->c[i].si);
		}
		as->nr = j;
		if (!as->nr)
			return error("%s: no v%u patch mail in it", as->source, as->version);
	}
	c = as->c;
	qsort(c, as->nr, sizeof(*c), cand_cmp_version);
	if (c[0].si.version != c[as->nr - 1].si.version) {
		struct sbuf vs = SBUF_INIT;

		for (i = 0; i < as->nr; i++)
			if (!i || c[i].si.version != c[i - 1].si.version)
				sb_addf(&vs, "%sv%u", i ? ", " : "", c[i].si.version);
		error("%s: holds patch mails of several revisions (%s): pick one with "
		      "--revision N", as->source, vs.buf);
		sb_release(&vs);
		return -1;
	}
	as->version = c[0].si.version;
	return 0;
}

/* Numbering: all numbered with one M, or a single unnumbered patch. */
static int check_numbering(struct assembly *as)
{
	struct cand *c = as->c;
	size_t i;

	for (i = 0; i < as->nr; i++) {
		if (!c[i].si.numbered) {
			if (as->nr > 1) {
				char *w = mail_where(c[i].m);

				error("%s: patch mail '%s' (%s) has no N/M number but there are %zu "
				      "patch mails: cannot tell the order", as->source, c[i].si.title,
				      w, as->nr);
				free(w);
				return -1;
			}
			c[i].si.numbered = 1;
			c[i].si.n = c[i].si.m = 1;
		}
		if (!as->total)
			as->total = c[i].si.m;
		if (c[i].si.m != as->total)
			return error("%s: patch mails disagree on the series length: '%s' says %u/%u, "
				     "'%s' says %u/%u", as->source, c[0].si.title, c[0].si.n,
				     c[0].si.m, c[i].si.title, c[i].si.n, c[i].si.m);
		if (c[i].si.m == 0 || c[i].si.n > c[i].si.m) {
			char *w = mail_where(c[i].m);

			error("%s: '%s' (%s) is numbered %u/%u", as->source, c[i].si.title, w,
			      c[i].si.n, c[i].si.m);
			free(w);
			return -1;
		}
	}
	return 0;
}

/* Each mail to its number: none twice, none missing. */
static int place_in_slots(struct assembly *as)
{
	struct sbuf missing = SBUF_INIT;
	unsigned nmiss = 0, n, total = as->total;
	size_t i;

	as->slot = xcalloc(total + 1, sizeof(*as->slot));
	for (i = 0; i < as->nr; i++) {
		const struct cand *c = &as->c[i], *prev;

		n = c->si.n;
		prev = as->slot[n];
		if (prev) {
			char *w1 = mail_where(prev->m), *w2 = mail_where(c->m);

			error("%s: %s %u/%u appears twice: <%s> (%s) and <%s> (%s)", as->source,
			      n ? "patch" : "cover letter", n, total,
			      prev->m->message_id ? prev->m->message_id : "no message-id", w1,
			      c->m->message_id ? c->m->message_id : "no message-id", w2);
			free(w1);
			free(w2);
			return -1;
		}
		as->slot[n] = &as->c[i];
	}
	for (n = 1; n <= total; n++)
		if (!as->slot[n]) {
			sb_addf(&missing, "%s%u/%u", nmiss ? ", " : "", n, total);
			nmiss++;
		}
	if (nmiss) {
		error("%s: incomplete series '%s' v%u: patch%s %s missing (%u of %u "
		      "patches present)", as->source,
		      as->slot[0] ? as->slot[0]->si.title : as->c[0].si.title, as->version,
		      nmiss > 1 ? "es" : "", missing.buf, total - nmiss, total);
		sb_release(&missing);
		return -1;
	}
	return 0;
}

/* The mails (each patch's diff checked) and what the series is. */
static int fill_series(struct patch_series *s, const struct assembly *as)
{
	struct cand *const *slot = as->slot;
	const struct subject_info *first = slot[0] ? &slot[0]->si : &slot[1]->si;
	unsigned i, total = as->total;

	s->version = as->version;
	s->total = total;
	s->replies = as->replies;
	s->patches = xcalloc(total, sizeof(*s->patches));
	if (slot[0]) {
		s->cover = xcalloc(1, sizeof(*s->cover));
		if (fill_mail(s->cover, slot[0], 0) < 0)
			return -1;
	}
	for (i = 1; i <= total; i++)
		if (fill_mail(&s->patches[i - 1], slot[i], i) < 0)
			return -1;
	for (i = 0; i <= total; i++)
		if (slot[i] && slot[i]->si.rfc)
			s->rfc = 1;
	s->title = xstrdup(first->title);
	s->prefix = xstrdup(first->prefix);
	s->author = xstrdup(s->cover ? s->cover->from : s->patches[0].from);
	if (s->cover)
		s->base_commit = find_base_commit(s->cover->body, s->cover->body_len);
	for (i = total; !s->base_commit && i > 0; i--)
		s->base_commit = find_base_commit(s->patches[i - 1].body, s->patches[i - 1].body_len);
	return 0;
}

/* --series, or a slug of the cover letter's (or first patch's) title. */
static int name_series(struct patch_series *s, const struct series_opts *opts,
		       const char *source)
{
	const char *why;

	if (opts->name) {
		if (!series_name_valid(opts->name, &why))
			return error("invalid series name '%s': %s", opts->name, why);
		s->name = xstrdup(opts->name);
		return 0;
	}
	if (strstr(s->title, "*** SUBJECT HERE ***"))
		return error("%s: the cover letter still has git's template subject '*** SUBJECT "
			     "HERE ***': write one, or name the series with --series", source);
	s->name = series_slug(s->title, 64);
	if (!*s->name)
		return error("%s: cannot make a series name from the subject '%s': name it with "
			     "--series", source, s->title);
	return 0;
}

/* The revision is its diffs, in order: not headers, dates or wording. */
static void hash_series(struct patch_series *s)
{
	struct sha256 h;
	unsigned i;

	sha256_init(&h);
	sha256_update(&h, "swaplab-series-1\n", 17);
	for (i = 0; i < s->total; i++) {
		char line[100];
		int n = snprintf(line, sizeof(line), "%u %s\n", i + 1, s->patches[i].diff_hash);

		sha256_update(&h, line, (size_t)n);
	}
	sha256_final_hex(&h, s->content_hash);
}

int series_assemble(const struct mbox *mb, const struct series_opts *opts,
		    const char *source, struct patch_series *s)
{
	struct assembly as = { .mb = mb, .source = source };
	int ret = -1;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (collect_candidates(&as) == 0 && pick_revision(&as, opts) == 0 &&
	    check_numbering(&as) == 0 && place_in_slots(&as) == 0 &&
	    fill_series(s, &as) == 0 && name_series(s, opts, source) == 0) {
		hash_series(s);
		ret = 0;
	}
	for (i = 0; i < as.nr; i++)
		subject_info_release(&as.c[i].si);
	free(as.c);
	free(as.slot);
	if (ret < 0)
		series_release(s);
	return ret;
}
