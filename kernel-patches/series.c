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

int series_assemble(const struct mbox *mb, const struct series_opts *opts,
		    const char *source, struct patch_series *s)
{
	struct cand *c = NULL, **slot = NULL;
	size_t nr = 0, i, j, alloc = 0, non_patch = 0;
	unsigned version = opts->version, total = 0, replies = 0;
	const char *name_from;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (!mb->nr)
		return error("%s: no mail in it", source);
	for (i = 0; i < mb->nr; i++) {
		const struct mail *m = &mb->mails[i];
		struct subject_info si;

		subject_parse(m->subject, &si);
		if (si.is_reply || !si.is_patch) {
			replies += si.is_reply;
			non_patch += !si.is_reply;
			subject_info_release(&si);
			continue;
		}
		/* The same mail twice (cross-posted, or given twice): keep one. */
		for (j = 0; j < nr; j++)
			if (m->message_id && c[j].m->message_id &&
			    !strcmp(m->message_id, c[j].m->message_id))
				break;
		if (j < nr) {
			subject_info_release(&si);
			continue;
		}
		ALLOC_GROW(c, nr + 1, alloc);
		c[nr].m = m;
		c[nr].si = si;
		nr++;
	}
	if (!nr) {
		error("%s: no patch mail in it (%zu message%s: %u repl%s, %zu without a "
		      "[PATCH] subject prefix)", source, mb->nr, mb->nr == 1 ? "" : "s",
		      replies, replies == 1 ? "y" : "ies", non_patch);
		goto out;
	}
	if (opts->anchor) {
		const char *a = opts->anchor;
		size_t alen;

		if (*a == '<')
			a++;
		alen = strcspn(a, ">");
		for (j = 0; j < mb->nr; j++) {
			const char *id = mb->mails[j].message_id;

			if (id && strlen(id) == alen && !memcmp(id, a, alen))
				break;
		}
		if (j == mb->nr) {
			error("%s: message <%.*s> is not in it", source, (int)alen, a);
			goto out;
		}
		for (i = 0; i < nr; i++)
			if (c[i].m == &mb->mails[j])
				break;
		if (i < nr) {
			if (version && version != c[i].si.version) {
				error("%s: <%.*s> is a v%u mail, not v%u", source, (int)alen, a,
				      c[i].si.version, version);
				goto out;
			}
			version = c[i].si.version;
		}
	}
	if (version) {
		for (i = j = 0; i < nr; i++) {
			if (c[i].si.version == version)
				c[j++] = c[i];
			else
				subject_info_release(&c[i].si);
		}
		nr = j;
		if (!nr) {
			error("%s: no v%u patch mail in it", source, version);
			goto out;
		}
	}
	qsort(c, nr, sizeof(*c), cand_cmp_version);
	if (c[0].si.version != c[nr - 1].si.version) {
		struct sbuf vs = SBUF_INIT;

		for (i = 0; i < nr; i++)
			if (!i || c[i].si.version != c[i - 1].si.version)
				sb_addf(&vs, "%sv%u", i ? ", " : "", c[i].si.version);
		error("%s: holds patch mails of several revisions (%s): pick one with "
		      "--version N", source, vs.buf);
		sb_release(&vs);
		goto out;
	}
	version = c[0].si.version;

	/* Numbering: all numbered with one M, or a single unnumbered patch. */
	for (i = 0; i < nr; i++) {
		if (!c[i].si.numbered) {
			if (nr > 1) {
				char *w = mail_where(c[i].m);

				error("%s: patch mail '%s' (%s) has no N/M number but there are %zu "
				      "patch mails: cannot tell the order", source, c[i].si.title,
				      w, nr);
				free(w);
				goto out;
			}
			c[i].si.numbered = 1;
			c[i].si.n = c[i].si.m = 1;
		}
		if (!total)
			total = c[i].si.m;
		if (c[i].si.m != total) {
			error("%s: patch mails disagree on the series length: '%s' says %u/%u, "
			      "'%s' says %u/%u", source, c[0].si.title, c[0].si.n, c[0].si.m,
			      c[i].si.title, c[i].si.n, c[i].si.m);
			goto out;
		}
		if (c[i].si.m == 0 || c[i].si.n > c[i].si.m) {
			char *w = mail_where(c[i].m);

			error("%s: '%s' (%s) is numbered %u/%u", source, c[i].si.title, w,
			      c[i].si.n, c[i].si.m);
			free(w);
			goto out;
		}
	}
	slot = xcalloc(total + 1, sizeof(*slot));
	for (i = 0; i < nr; i++) {
		unsigned n = c[i].si.n;

		if (slot[n]) {
			char *w1 = mail_where(slot[n]->m), *w2 = mail_where(c[i].m);

			error("%s: %s %u/%u appears twice: <%s> (%s) and <%s> (%s)", source,
			      n ? "patch" : "cover letter", n, total,
			      slot[n]->m->message_id ? slot[n]->m->message_id : "no message-id", w1,
			      c[i].m->message_id ? c[i].m->message_id : "no message-id", w2);
			free(w1);
			free(w2);
			goto out;
		}
		slot[n] = &c[i];
	}
	{
		struct sbuf missing = SBUF_INIT;
		unsigned nmiss = 0, n;

		for (n = 1; n <= total; n++)
			if (!slot[n]) {
				sb_addf(&missing, "%s%u/%u", nmiss ? ", " : "", n, total);
				nmiss++;
			}
		if (nmiss) {
			error("%s: incomplete series '%s' v%u: patch%s %s missing (%u of %u "
			      "patches present)", source, slot[0] ? slot[0]->si.title : c[0].si.title,
			      version, nmiss > 1 ? "es" : "", missing.buf, total - nmiss, total);
			sb_release(&missing);
			goto out;
		}
	}

	s->version = version;
	s->total = total;
	s->replies = replies;
	s->patches = xcalloc(total, sizeof(*s->patches));
	if (slot[0]) {
		s->cover = xcalloc(1, sizeof(*s->cover));
		if (fill_mail(s->cover, slot[0], 0) < 0)
			goto out;
	}
	for (i = 1; i <= total; i++)
		if (fill_mail(&s->patches[i - 1], slot[i], (unsigned)i) < 0)
			goto out;
	for (i = 0; i <= total; i++)
		if (slot[i] && slot[i]->si.rfc)
			s->rfc = 1;
	name_from = slot[0] ? slot[0]->si.title : slot[1]->si.title;
	s->title = xstrdup(name_from);
	s->prefix = xstrdup(slot[0] ? slot[0]->si.prefix : slot[1]->si.prefix);
	s->author = xstrdup(s->cover ? s->cover->from : s->patches[0].from);
	if (s->cover)
		s->base_commit = find_base_commit(s->cover->body, s->cover->body_len);
	for (i = total; !s->base_commit && i > 0; i--)
		s->base_commit = find_base_commit(s->patches[i - 1].body, s->patches[i - 1].body_len);
	if (opts->name) {
		const char *why;

		if (!series_name_valid(opts->name, &why)) {
			error("invalid series name '%s': %s", opts->name, why);
			goto out;
		}
		s->name = xstrdup(opts->name);
	} else {
		if (strstr(name_from, "*** SUBJECT HERE ***")) {
			error("%s: the cover letter still has git's template subject '*** SUBJECT "
			      "HERE ***': write one, or name the series with --series", source);
			goto out;
		}
		s->name = series_slug(name_from, 64);
		if (!*s->name) {
			error("%s: cannot make a series name from the subject '%s': name it with "
			      "--series", source, name_from);
			goto out;
		}
	}
	{
		struct sha256 h;

		/* The revision is its diffs, in order: not headers, dates or wording. */
		sha256_init(&h);
		sha256_update(&h, "swaplab-series-1\n", 17);
		for (i = 0; i < total; i++) {
			char line[100];
			int n = snprintf(line, sizeof(line), "%zu %s\n", i + 1, s->patches[i].diff_hash);

			sha256_update(&h, line, (size_t)n);
		}
		sha256_final_hex(&h, s->content_hash);
	}
	ret = 0;
out:
	for (i = 0; i < nr; i++)
		subject_info_release(&c[i].si);
	free(c);
	free(slot);
	if (ret < 0)
		series_release(s);
	return ret;
}
