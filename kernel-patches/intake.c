/*
 * intake.c - storing one revision of a kernel patch series for the lab:
 * loading mail from an mbox, a format-patch directory or a git range,
 * writing kernel-patches/<series>/v<N>/ (patch files git am accepts, and
 * series.json) all or nothing, and recognising a revision submitted
 * before by the hash of its diffs.  See intake.h for the layout.
 */
#include "kernel-patches/intake.h"
#include "common/sbuf.h"
#include "common/json.h"
#include "common/util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST "series.json"
#define COVER_FILE "0000-cover-letter.patch"

/* ---- loading ---- */

int intake_load_mbox(struct mbox *mb, const char *path)
{
	return mbox_read_file(mb, path, MBOX_RD);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int intake_load_dir(struct mbox *mb, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	struct mbox add = { NULL, 0, 0 };
	int ret = -1;

	if (!d)
		return error_errno("cannot open directory '%s'", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *path;
		struct stat st;

		if (de->d_name[0] == '.' || len < 7 || strcmp(de->d_name + len - 6, ".patch"))
			continue;
		path = xstrfmt("%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		ALLOC_GROW(names, nr + 1, alloc);
		names[nr++] = path;
	}
	closedir(d);
	if (!nr) {
		error("'%s' holds no *.patch files (git format-patch output)", dir);
		goto out;
	}
	qsort(names, nr, sizeof(*names), cmp_str);
	for (i = 0; i < nr; i++)
		if (mbox_read_file(&add, names[i], 0) < 0)
			goto out;
	for (i = 0; i < add.nr; i++) {
		ALLOC_GROW(mb->mails, mb->nr + 1, mb->alloc);
		mb->mails[mb->nr++] = add.mails[i];
	}
	free(add.mails);
	add.mails = NULL;
	add.nr = 0;
	ret = 0;
out:
	mbox_release(&add);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return ret;
}

int intake_load_git_range(struct mbox *mb, const char *tree, const char *range,
			  unsigned version)
{
	const char *dots = strstr(range, "..");
	char *base, *base_opt, *vopt = NULL, *out = NULL, *source;
	const char *argv[12];
	size_t n = 0;
	int st, ret = -1;

	if (!dots || dots == range || range[0] == '-' || dots[2] == '.' || strpbrk(range, " \t\n"))
		return error("malformed git range '%s': expected A..B (A the base the series "
			     "applies to)", range);
	base = xstrfmt("%.*s", (int)(dots - range), range);
	base_opt = xstrfmt("--base=%s", base);
	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = tree;
	argv[n++] = "format-patch";
	argv[n++] = "--stdout";
	argv[n++] = base_opt;
	if (version > 1) {
		vopt = xstrfmt("-v%u", version);
		argv[n++] = vopt;
	}
	argv[n++] = "--end-of-options";
	argv[n++] = range;
	argv[n] = NULL;
	assert(n < ARRAY_SIZE(argv));
	st = run_argv_capture(argv, &out);
	if (st != 0) {
		if (st > 0)
			error("'git format-patch %s' in '%s' failed (exit %d; git's message is "
			      "above)", range, tree, st);
		goto done;
	}
	if (!*out) {
		error("git range %s in '%s' has no commits", range, tree);
		goto done;
	}
	source = xstrfmt("git format-patch %s (%s)", range, tree);
	ret = mbox_parse(mb, out, strlen(out), source, 0);
	free(source);
done:
	free(out);
	free(vopt);
	free(base_opt);
	free(base);
	return ret;
}

/* ---- where the store is ---- */

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *find_patches_dir(const char *explicit_dir, int report);

char *intake_patches_dir(const char *explicit_dir)
{
	return find_patches_dir(explicit_dir, 1);
}

static char *find_patches_dir(const char *explicit_dir, int report)
{
	const char *dir = explicit_dir && *explicit_dir ? explicit_dir : getenv("SWAPLAB_PATCHES_DIR");
	char *found;

	if (dir && *dir) {
		if (!is_dir(dir) && !report)
			return NULL;     /* a dry run creates nothing */
		if (!is_dir(dir) && mkdir(dir, 0755) < 0) {
			error_errno("cannot create the patches directory '%s'", dir);
			return NULL;
		}
		return xstrdup(dir);
	}
	/* The repository swaplab was built in, whose series store says so. */
	if ((found = source_tree_path("kernel-patches", INTAKE_STORE_MARKER)))
		return found;
	if (access("kernel-patches/" INTAKE_STORE_MARKER, F_OK) == 0)
		return xstrdup("kernel-patches");
	if (report)
		error("no kernel-patches directory: run swaplab from its repository, or give "
		      "--patches-dir DIR (or SWAPLAB_PATCHES_DIR)");
	return NULL;
}

/* ---- manifests ---- */

static void free_strv(char **v, unsigned n)
{
	unsigned i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void intake_revision_release(struct intake_revision *rev)
{
	free(rev->series);
	free(rev->title);
	free(rev->author);
	free(rev->base_commit);
	free(rev->content_hash);
	free(rev->dir);
	free(rev->cover_file);
	free(rev->cover_message_id);
	free_strv(rev->patch_files, rev->nr_patches);
	free_strv(rev->message_ids, rev->nr_patches);
	free_strv(rev->subjects, rev->nr_patches);
	memset(rev, 0, sizeof(*rev));
}

static char *opt_str(const struct json *obj, const char *key)
{
	const char *s;

	return json_get_str(obj, key, &s) == 0 ? xstrdup(s) : NULL;
}

static int revision_from_json(const struct json *root, const char *dir, const char *path,
			      struct intake_revision *rev)
{
	const struct json *patches, *cover;
	uint64_t v;
	size_t i;

	memset(rev, 0, sizeof(*rev));
	rev->series = opt_str(root, "series");
	rev->content_hash = opt_str(root, "content_hash");
	patches = json_get(root, "patches");
	if (!rev->series || !rev->content_hash || json_get_u64(root, "version", &v) < 0 ||
	    !v || v > 100000 || !patches || patches->type != JSON_ARRAY || !patches->len) {
		intake_revision_release(rev);
		return error("'%s': not a series manifest (series, version, content_hash and "
			     "patches are required)", path);
	}
	rev->version = (unsigned)v;
	json_get_bool(root, "rfc", &rev->rfc);
	rev->title = opt_str(root, "title");
	rev->author = opt_str(root, "author");
	rev->base_commit = opt_str(root, "base_commit");
	rev->dir = xstrdup(dir);
	cover = json_get(root, "cover");
	if (cover && cover->type == JSON_OBJECT) {
		const char *f;

		if (json_get_str(cover, "file", &f) == 0)
			rev->cover_file = xstrfmt("%s/%s", dir, f);
		rev->cover_message_id = opt_str(cover, "message_id");
	}
	rev->nr_patches = (unsigned)patches->len;
	rev->patch_files = xcalloc(patches->len, sizeof(char *));
	rev->message_ids = xcalloc(patches->len, sizeof(char *));
	rev->subjects = xcalloc(patches->len, sizeof(char *));
	for (i = 0; i < patches->len; i++) {
		const struct json *p = patches->items[i];
		const char *f;

		if (json_get_str(p, "file", &f) < 0 || strchr(f, '/')) {
			intake_revision_release(rev);
			return error("'%s': patch %zu has no valid \"file\"", path, i + 1);
		}
		rev->patch_files[i] = xstrfmt("%s/%s", dir, f);
		rev->message_ids[i] = opt_str(p, "message_id");
		rev->subjects[i] = opt_str(p, "subject");
	}
	return 0;
}

static int manifest_read(const char *dir, struct intake_revision *rev)
{
	char *path = xstrfmt("%s/" MANIFEST, dir), err[200];
	size_t len;
	char *text = slurp_file(path, &len);
	struct json_doc *doc;
	struct json *root;
	int ret;

	if (!text) {
		error_errno("cannot read '%s'", path);
		free(path);
		return -1;
	}
	doc = json_parse(text, len, &root, err, sizeof(err));
	if (!doc) {
		error("'%s': not valid JSON: %s", path, err);
		ret = -1;
	} else {
		ret = revision_from_json(root, dir, path, rev);
	}
	json_doc_free(doc);
	free(text);
	free(path);
	return ret;
}

int intake_revision_load_dir(const char *dir, struct intake_revision *rev)
{
	if (!is_dir(dir))
		return error("'%s' is not a revision directory", dir);
	return manifest_read(dir, rev);
}

int intake_revision_load(const char *patches_dir, const char *series,
			 unsigned version, struct intake_revision *rev)
{
	char *dir = xstrfmt("%s/%s/v%u", patches_dir, series, version);
	int ret;

	if (!is_dir(dir)) {
		error("no revision %s v%u in '%s'", series, version, patches_dir);
		free(dir);
		return -1;
	}
	ret = manifest_read(dir, rev);
	free(dir);
	return ret;
}

/* "v<digits>" */
static int is_version_dir(const char *name, unsigned *v)
{
	char *end;
	unsigned long n;

	if (name[0] != 'v' || name[1] < '1' || name[1] > '9')
		return 0;
	n = strtoul(name + 1, &end, 10);
	if (*end || n > 100000)
		return 0;
	*v = (unsigned)n;
	return 1;
}

int intake_find_hash(const char *patches_dir, const char *content_hash,
		     char **series, unsigned *version)
{
	DIR *d = opendir(patches_dir), *sd;
	struct dirent *de, *ve;
	int found = 0;

	if (!d)
		return error_errno("cannot open the patches directory '%s'", patches_dir);
	while (!found && (de = readdir(d))) {
		char *sdir;

		if (de->d_name[0] == '.')
			continue;
		sdir = xstrfmt("%s/%s", patches_dir, de->d_name);
		sd = is_dir(sdir) ? opendir(sdir) : NULL;
		while (sd && !found && (ve = readdir(sd))) {
			struct intake_revision rev;
			unsigned v;
			char *vdir, *mf;

			if (!is_version_dir(ve->d_name, &v))
				continue;
			vdir = xstrfmt("%s/%s", sdir, ve->d_name);
			mf = xstrfmt("%s/" MANIFEST, vdir);
			if (access(mf, F_OK) == 0) {
				if (manifest_read(vdir, &rev) < 0) {
					found = -1;
				} else {
					if (!strcmp(rev.content_hash, content_hash)) {
						*series = xstrdup(de->d_name);
						*version = v;
						found = 1;
					}
					intake_revision_release(&rev);
				}
			}
			free(mf);
			free(vdir);
		}
		if (sd)
			closedir(sd);
		free(sdir);
	}
	closedir(d);
	return found;
}

/* ---- writing ---- */

/* "Name <addr>" with the name RFC 2047-encoded when it is not ASCII. */
static char *encode_from(const char *from)
{
	const char *lt = strrchr(from, '<');
	char *name, *enc, *ret;
	size_t nl;

	if (!lt)
		return rfc2047_encode(from);
	nl = (size_t)(lt - from);
	while (nl && from[nl - 1] == ' ')
		nl--;
	name = xstrfmt("%.*s", (int)nl, from);
	enc = rfc2047_encode(name);
	ret = nl ? xstrfmt("%s %s", enc, lt) : xstrdup(lt);
	free(name);
	free(enc);
	return ret;
}

/*
 * One mail in git format-patch's mbox form, which git am reads without
 * unquoting anything: body lines are written as they are, except one that
 * a reader would take for a "From " separator, which gets a '>' (as an
 * mboxo writer would do; git format-patch itself would not).
 */
static char *format_mail(const struct series_mail *sm, size_t *len)
{
	struct sbuf sb = SBUF_INIT;
	char *from = encode_from(sm->from), *subject = rfc2047_encode(sm->subject);
	const char *p = sm->body, *end = sm->body + sm->body_len;

	sb_adds(&sb, "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n");
	sb_addf(&sb, "From: %s\n", from);
	if (sm->date)
		sb_addf(&sb, "Date: %s\n", sm->date);
	sb_addf(&sb, "Subject: %s\n", subject);
	if (sm->message_id)
		sb_addf(&sb, "Message-ID: <%s>\n", sm->message_id);
	if (sm->in_reply_to)
		sb_addf(&sb, "In-Reply-To: <%s>\n", sm->in_reply_to);
	sb_adds(&sb, "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
		     "Content-Transfer-Encoding: 8bit\n\n");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (mbox_is_from_line(p, n))
			sb_addc(&sb, '>');
		sb_add(&sb, p, n);
		sb_addc(&sb, '\n');
		p += n + (nl ? 1 : 0);
	}
	sb_addc(&sb, '\n');   /* the blank line that ends an mbox message */
	free(from);
	free(subject);
	return sb_detach(&sb, len);
}

static void put_key_str(FILE *f, const char *indent, const char *key, const char *val, int comma)
{
	fprintf(f, "%s\"%s\": ", indent, key);
	if (val)
		json_put_string(f, val);
	else
		fputs("null", f);
	fputs(comma ? ",\n" : "\n", f);
}

static char *manifest_text(const struct patch_series *s, const char *source,
			   char **files, size_t *len)
{
	char *buf = NULL, stamp[32];
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);
	time_t now = time(NULL);
	struct tm tm;
	unsigned i;

	if (!f)
		die_oom("writing series.json");
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("{\n", f);
	put_key_str(f, "  ", "series", s->name, 1);
	fprintf(f, "  \"version\": %u,\n  \"rfc\": %s,\n", s->version, s->rfc ? "true" : "false");
	put_key_str(f, "  ", "title", s->title, 1);
	put_key_str(f, "  ", "prefix", s->prefix, 1);
	put_key_str(f, "  ", "author", s->author, 1);
	put_key_str(f, "  ", "base_commit", s->base_commit, 1);
	put_key_str(f, "  ", "content_hash", s->content_hash, 1);
	put_key_str(f, "  ", "source", source, 1);
	put_key_str(f, "  ", "submitted", stamp, 1);
	fprintf(f, "  \"nr_patches\": %u,\n", s->total);
	if (s->cover) {
		fputs("  \"cover\": {\n", f);
		put_key_str(f, "    ", "file", COVER_FILE, 1);
		put_key_str(f, "    ", "subject", s->cover->subject, 1);
		put_key_str(f, "    ", "message_id", s->cover->message_id, 1);
		put_key_str(f, "    ", "author", s->cover->from, 1);
		put_key_str(f, "    ", "date", s->cover->date, 0);
		fputs("  },\n", f);
	} else {
		fputs("  \"cover\": null,\n", f);
	}
	fputs("  \"patches\": [\n", f);
	for (i = 0; i < s->total; i++) {
		const struct series_mail *p = &s->patches[i];

		fprintf(f, "    {\n      \"n\": %u,\n", p->n);
		put_key_str(f, "      ", "file", files[i], 1);
		put_key_str(f, "      ", "subject", p->subject, 1);
		put_key_str(f, "      ", "title", p->title, 1);
		put_key_str(f, "      ", "message_id", p->message_id, 1);
		put_key_str(f, "      ", "author", p->from, 1);
		put_key_str(f, "      ", "date", p->date, 1);
		fprintf(f, "      \"files_changed\": %u,\n", p->files);
		put_key_str(f, "      ", "diff_hash", p->diff_hash, 0);
		fprintf(f, "    }%s\n", i + 1 < s->total ? "," : "");
	}
	fputs("  ]\n}\n", f);
	if (fclose(f) != 0)
		die_oom("writing series.json");
	*len = sz;
	return buf;
}

/* Removes a directory the intake wrote (flat: files only). */
static int remove_flat_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : error_errno("cannot open '%s'", dir);
	while ((de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = xstrfmt("%s/%s", dir, de->d_name);
		if (unlink(p) < 0)
			ret = error_errno("cannot remove '%s'", p);
		free(p);
	}
	closedir(d);
	if (rmdir(dir) < 0)
		ret = error_errno("cannot remove '%s'", dir);
	return ret;
}

static void staged_free(struct intake_staged *st)
{
	free(st->tmp_dir);
	free(st->final_dir);
	free(st->series_dir);
	memset(st, 0, sizeof(*st));
}

int intake_stage(const struct patch_series *s, const char *patches_dir,
		 const char *source, struct intake_staged *st)
{
	char **files = xcalloc(s->total, sizeof(char *)), *text = NULL;
	const char *why;
	struct stat sb;
	size_t len;
	unsigned i;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (!series_name_valid(s->name, &why)) {
		error("invalid series name '%s': %s", s->name, why);
		free(files);
		return -1;
	}
	assert(s->total > 0 && s->version > 0);
	st->series_dir = xstrfmt("%s/%s", patches_dir, s->name);
	st->final_dir = xstrfmt("%s/v%u", st->series_dir, s->version);
	if (lstat(st->final_dir, &sb) == 0) {
		error("'%s' exists already and holds other patches (a different content "
		      "hash): a new revision should be posted as v%u, or give it another "
		      "name with --series", st->final_dir, s->version + 1);
		goto out;
	}
	st->tmp_dir = xstrfmt("%s/.intake-%s-v%u-XXXXXX", patches_dir, s->name, s->version);
	if (!mkdtemp(st->tmp_dir)) {
		error_errno("cannot create a directory in '%s'", patches_dir);
		free(st->tmp_dir);
		st->tmp_dir = NULL;
		goto out;
	}
	if (s->cover) {
		char *path = xstrfmt("%s/" COVER_FILE, st->tmp_dir);

		text = format_mail(s->cover, &len);
		ret = write_file_atomic(path, text, len);
		free(path);
		free(text);
		if (ret < 0)
			goto out;
		ret = -1;
	}
	for (i = 0; i < s->total; i++) {
		char *slug = series_slug(s->patches[i].title, 52), *path;
		int w;

		files[i] = xstrfmt("%04u-%s.patch", i + 1, *slug ? slug : "patch");
		free(slug);
		path = xstrfmt("%s/%s", st->tmp_dir, files[i]);
		text = format_mail(&s->patches[i], &len);
		w = write_file_atomic(path, text, len);
		free(path);
		free(text);
		if (w < 0)
			goto out;
	}
	{
		char *path = xstrfmt("%s/" MANIFEST, st->tmp_dir);
		int w;

		text = manifest_text(s, source, files, &len);
		w = write_file_atomic(path, text, len);
		free(path);
		free(text);
		if (w < 0)
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < s->total; i++)
		free(files[i]);
	free(files);
	if (ret < 0)
		intake_discard(st);
	return ret;
}

int intake_publish(struct intake_staged *st)
{
	assert(st->tmp_dir && st->final_dir);
	if (mkdir(st->series_dir, 0755) == 0)
		st->created_series_dir = 1;
	else if (errno != EEXIST)
		return error_errno("cannot create '%s'", st->series_dir);
	/* rename() of a directory onto an existing one fails: no overwrite. */
	if (rename(st->tmp_dir, st->final_dir) < 0)
		return error_errno("cannot move the new revision to '%s'", st->final_dir);
	free(st->tmp_dir);
	st->tmp_dir = NULL;
	return 0;
}

int intake_unpublish(struct intake_staged *st)
{
	int ret = remove_flat_dir(st->final_dir);

	if (st->created_series_dir)
		rmdir(st->series_dir);
	return ret;
}

void intake_discard(struct intake_staged *st)
{
	if (st->tmp_dir) {
		remove_flat_dir(st->tmp_dir);
		if (st->created_series_dir)
			rmdir(st->series_dir);
	}
	staged_free(st);
}

/* ---- all of it ---- */

void intake_result_release(struct intake_result *res)
{
	free(res->series);
	free(res->dir);
	free(res->content_hash);
	free(res->base_commit);
	memset(res, 0, sizeof(*res));
}

static void result_fill(struct intake_result *res, const struct patch_series *s)
{
	res->series = xstrdup(s->name);
	res->version = s->version;
	res->nr_patches = s->total;
	res->has_cover = s->cover != NULL;
	res->rfc = s->rfc;
	res->content_hash = xstrdup(s->content_hash);
	res->base_commit = s->base_commit ? xstrdup(s->base_commit) : NULL;
}

int intake_submit(const struct intake_request *req, struct intake_result *res,
		  const struct intake_db_ops *db)
{
	struct mbox mb = { NULL, 0, 0 };
	struct patch_series s;
	struct intake_staged st;
	char *pdir = NULL, *source = NULL, *found = NULL;
	unsigned fv = 0;
	int ret = -1, f;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	switch (req->kind) {
	case INTAKE_MBOX:
		source = xstrfmt("mbox:%s", req->path);
		ret = intake_load_mbox(&mb, req->path);
		break;
	case INTAKE_DIR:
		source = xstrfmt("dir:%s", req->path);
		ret = intake_load_dir(&mb, req->path);
		break;
	case INTAKE_GIT_RANGE:
		source = xstrfmt("git-range:%s %s", req->path, req->range);
		ret = intake_load_git_range(&mb, req->path, req->range, req->opts.version);
		break;
	case INTAKE_LORE: {
		const char *base = req->lore_url && *req->lore_url ? req->lore_url : getenv("SWAPLAB_LORE_URL");
		char *url = intake_lore_url(base && *base ? base : INTAKE_DEFAULT_LORE_URL, req->msgid);

		source = xstrfmt("lore:%s", url);
		free(url);
		ret = intake_load_lore(&mb, req->lore_url, req->msgid);
		break;
	}
	}
	if (ret < 0)
		goto out;
	ret = -1;
	{
		struct series_opts o = req->opts;

		if (req->kind == INTAKE_LORE)
			o.anchor = req->msgid;
		if (series_assemble(&mb, &o, source + strcspn(source, ":") + 1, &s) < 0)
			goto out;
	}
	mbox_release(&mb);
	result_fill(res, &s);
	/* A dry run only looks for the same patches if there is a store. */
	pdir = find_patches_dir(req->patches_dir, !req->dry_run);
	if (!pdir && !req->dry_run)
		goto out;
	if (pdir) {
		f = db && db->find_hash ? db->find_hash(db->ctx, s.content_hash, &found, &fv) : 0;
		if (f == 0)
			f = intake_find_hash(pdir, s.content_hash, &found, &fv);
		if (f < 0)
			goto out;
		if (f > 0) {
			res->already = 1;
			free(res->series);
			res->series = found;
			res->version = fv;
			res->dir = xstrfmt("%s/%s/v%u", pdir, found, fv);
			found = NULL;
			ret = 0;
			goto out;
		}
	}
	res->dir = pdir ? xstrfmt("%s/%s/v%u", pdir, s.name, s.version) : NULL;
	if (req->dry_run) {
		ret = 0;
		goto out;
	}
	if (intake_stage(&s, pdir, source, &st) < 0)
		goto out;
	if (db && db->record && db->record(db->ctx, &s, st.final_dir) < 0) {
		if (db->finish)
			db->finish(db->ctx, 0);
		intake_discard(&st);
		goto out;
	}
	if (intake_publish(&st) < 0) {
		if (db && db->finish)
			db->finish(db->ctx, 0);
		intake_discard(&st);
		goto out;
	}
	if (db && db->finish && db->finish(db->ctx, 1) < 0) {
		intake_unpublish(&st);
		intake_discard(&st);
		goto out;
	}
	intake_discard(&st);   /* published: frees st only */
	ret = 0;
out:
	if (ret < 0)
		intake_result_release(res);
	mbox_release(&mb);
	series_release(&s);
	free(found);
	free(pdir);
	free(source);
	return ret;
}
