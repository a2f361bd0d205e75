/*
 * Unit tests of kernel-patches/intake.c: storing a revision under
 * <patches-dir>/<series>/v<N>/, reading it back, recognising the same
 * patches again, the all-or-nothing rule (a refused database insert or
 * bad input leaves nothing), and the lore URL.  Works in a temporary
 * patches directory.
 */
#include "kernel-patches/intake.h"
#include "tap.h"
#include "common/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char pdir[] = "/tmp/swaplab-test-store.XXXXXX";

static char *fixture(const char *name)
{
	const char *top = getenv("TOP");

	return xstrfmt("%s/tests/fixtures/intake/%s", top && *top ? top : ".", name);
}

/* Every path under dir, sorted, one per line: the store's whole state. */
static void list_into(const char *dir, const char *rel, char ***v, size_t *n, size_t *alloc)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *full, *r;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		full = xstrfmt("%s/%s", dir, de->d_name);
		r = xstrfmt("%s%s", rel, de->d_name);
		ALLOC_GROW(*v, *n + 1, *alloc);
		(*v)[(*n)++] = r;
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			char *sub = xstrfmt("%s/", r);

			list_into(full, sub, v, n, alloc);
			free(sub);
		}
		free(full);
	}
	closedir(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *tree(void)
{
	char **v = NULL, *out;
	size_t n = 0, alloc = 0, i, len = 1;

	list_into(pdir, "", &v, &n, &alloc);
	qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	out = xcalloc(1, len);
	for (i = 0; i < n; i++) {
		strcat(out, v[i]);
		strcat(out, "\n");
		free(v[i]);
	}
	free(v);
	return out;
}

static int submit(enum intake_kind kind, const char *what, const char *name, unsigned version,
		  struct intake_result *res, const struct intake_db_ops *db)
{
	struct intake_request req;
	char *path = kind == INTAKE_DIR && what[0] == '/' ? xstrdup(what) : fixture(what);
	int ret;

	memset(&req, 0, sizeof(req));
	req.kind = kind;
	req.path = path;
	req.patches_dir = pdir;
	req.opts.name = name;
	req.opts.version = version;
	ret = intake_submit(&req, res, db);
	free(path);
	return ret;
}

/* A database stand-in that records what it was asked and can refuse. */
struct fake_db {
	int fail_record, fail_finish, found;
	int recorded, finished, committed;
	char dir[512];
};

static int fake_find(void *ctx, const char *hash, char **series, unsigned *version)
{
	struct fake_db *db = ctx;

	(void)hash;
	if (!db->found)
		return 0;
	*series = xstrdup("from-the-db");
	*version = 9;
	return 1;
}

static int fake_record(void *ctx, const struct patch_series *s, const char *dir)
{
	struct fake_db *db = ctx;
	struct stat st;

	db->recorded++;
	snprintf(db->dir, sizeof(db->dir), "%s", dir);
	/* Recorded before the files become visible. */
	ok(stat(dir, &st) < 0 && s->total > 0, "record runs before the revision is published");
	return db->fail_record ? error("fake: insert refused") : 0;
}

static int fake_finish(void *ctx, int commit)
{
	struct fake_db *db = ctx;

	db->finished++;
	db->committed = commit;
	return commit && db->fail_finish ? error("fake: commit failed") : 0;
}

static void test_store(void)
{
	struct intake_result res;
	struct intake_revision rev;
	char *before, *after, *p;
	struct mbox mb = { NULL, 0, 0 };

	ok(submit(INTAKE_MBOX, "series-cover3.mbox", NULL, 0, &res, NULL) == 0, "cover3 stored");
	ok(!res.already, "first submit stores");
	is_str(res.series, "mm-initialise-b-everywhere", "series name");
	is_int(res.version, 2, "version");
	p = xstrfmt("%s/mm-initialise-b-everywhere/v2", pdir);
	is_str(res.dir, p, "stored in <patches-dir>/<series>/v<N>");
	free(p);
	intake_result_release(&res);
	after = tree();
	is_str(after,
	       "mm-initialise-b-everywhere\n"
	       "mm-initialise-b-everywhere/v2\n"
	       "mm-initialise-b-everywhere/v2/0000-cover-letter.patch\n"
	       "mm-initialise-b-everywhere/v2/0001-mm-initialise-b1.patch\n"
	       "mm-initialise-b-everywhere/v2/0002-mm-initialise-b2.patch\n"
	       "mm-initialise-b-everywhere/v2/0003-mm-initialise-b3-in-a-subject-that-is-long-enough-to.patch\n"
	       "mm-initialise-b-everywhere/v2/series.json\n",
	       "exactly the cover, the patches and series.json; no temporary directory left");
	free(after);

	ok(intake_revision_load(pdir, "mm-initialise-b-everywhere", 2, &rev) == 0, "series.json read back");
	is_int(rev.nr_patches, 3, "3 patches in the manifest");
	is_str(rev.base_commit, "0123456789abcdef0123456789abcdef01234567", "base_commit in the manifest");
	ok(rev.cover_file && access(rev.cover_file, R_OK) == 0, "cover file exists");
	ok(rev.nr_patches == 3 && access(rev.patch_files[2], R_OK) == 0, "patch files exist");
	if (rev.nr_patches == 3)
		is_str(rev.message_ids[1], "p2.v2@example.org", "message-id in the manifest");

	/* The stored files are a series again, with the same hash. */
	ok(intake_load_dir(&mb, rev.dir) == 0 && mb.nr == 4, "stored files read as format-patch files");
	mbox_release(&mb);
	ok(submit(INTAKE_DIR, rev.dir, NULL, 0, &res, NULL) == 0 && res.already &&
	   !strcmp(res.series, "mm-initialise-b-everywhere") && res.version == 2,
	   "submitting the stored directory: already submitted");
	intake_result_release(&res);
	intake_revision_release(&rev);

	before = tree();
	ok(submit(INTAKE_MBOX, "series-cover3.mbox", NULL, 0, &res, NULL) == 0 && res.already,
	   "the same mbox again: already submitted");
	intake_result_release(&res);
	ok(submit(INTAKE_MBOX, "series-cover3.mbox", "another-name", 0, &res, NULL) == 0 && res.already &&
	   !strcmp(res.series, "mm-initialise-b-everywhere"),
	   "the same patches under another --series: still recognised");
	intake_result_release(&res);
	after = tree();
	is_str(after, before, "nothing added by re-submits");
	free(after);

	/* Non-ASCII headers survive the store. */
	ok(submit(INTAKE_MBOX, "encoded-single.mbox", NULL, 0, &res, NULL) == 0 && !res.already,
	   "encoded single patch stored");
	if (res.dir) {
		char *f = xstrfmt("%s/0001-zram-fix-the-slot-free-for-zrich.patch", res.dir);

		ok(mbox_read_file(&mb, f, 0) == 0 && mb.nr == 1, "stored patch file parses");
		if (mb.nr == 1) {
			is_str(mb.mails[0].subject, "[PATCH] zram: fix the “slot” free for Zürich",
			       "subject round-trips through RFC 2047");
			is_str(mb.mails[0].from, "André Müller <andre@example.org>", "author round-trips");
			ok(mail_header(&mb.mails[0], "Subject") &&
			   !strncmp(mail_header(&mb.mails[0], "Subject"), "=?UTF-8?q?", 10),
			   "stored Subject is an encoded-word (ASCII file headers)");
		}
		mbox_release(&mb);
		free(f);
	}
	intake_result_release(&res);

	/* Same name and version, other patches: refused, nothing written. */
	free(before);
	before = tree();
	ok(submit(INTAKE_MBOX, "base64-body.mbox", "zram-fix-the-slot-free-for-zrich", 0, &res, NULL) < 0,
	   "other patches as an existing <series>/v<N>: error");
	after = tree();
	is_str(after, before, "nothing written by the refused submit");
	free(after);

	ok(submit(INTAKE_MBOX, "missing-2of3.mbox", NULL, 0, &res, NULL) < 0, "incomplete series refused");
	ok(submit(INTAKE_MBOX, "truncated-hunk.mbox", NULL, 0, &res, NULL) < 0, "truncated mbox refused");
	ok(submit(INTAKE_MBOX, "not-a-patch.mbox", NULL, 0, &res, NULL) < 0, "non-patch refused");
	after = tree();
	is_str(after, before, "bad input leaves the store as it was");
	free(after);

	{
		struct intake_request req;

		memset(&req, 0, sizeof(req));
		req.kind = INTAKE_MBOX;
		req.path = p = fixture("thread-rfc-v3.mbox");
		req.patches_dir = pdir;
		req.dry_run = 1;
		ok(intake_submit(&req, &res, NULL) == 0 && !res.already && res.nr_patches == 4,
		   "dry run checks the series");
		intake_result_release(&res);
		free(p);
		after = tree();
		is_str(after, before, "a dry run writes nothing");
		free(after);
	}
	free(before);
}

static void test_db_ops(void)
{
	struct fake_db fdb;
	struct intake_db_ops ops = { fake_find, fake_record, fake_finish, &fdb };
	struct intake_result res;
	char *before, *after;

	before = tree();
	memset(&fdb, 0, sizeof(fdb));
	fdb.fail_record = 1;
	ok(submit(INTAKE_MBOX, "thread-rfc-v3.mbox", NULL, 0, &res, &ops) < 0, "a refused insert fails the submit");
	ok(fdb.recorded == 1 && fdb.finished == 1 && !fdb.committed, "rolled back");
	after = tree();
	is_str(after, before, "refused insert: no files");
	free(after);

	memset(&fdb, 0, sizeof(fdb));
	fdb.fail_finish = 1;
	ok(submit(INTAKE_MBOX, "thread-rfc-v3.mbox", NULL, 0, &res, &ops) < 0, "a failed commit fails the submit");
	ok(fdb.finished == 1 && fdb.committed, "commit was tried after publishing");
	after = tree();
	is_str(after, before, "failed commit: published files removed again");
	free(after);

	memset(&fdb, 0, sizeof(fdb));
	fdb.found = 1;
	ok(submit(INTAKE_MBOX, "thread-rfc-v3.mbox", NULL, 0, &res, &ops) == 0 && res.already &&
	   !strcmp(res.series, "from-the-db") && res.version == 9 && !fdb.recorded,
	   "the database knows the hash: already submitted");
	intake_result_release(&res);

	memset(&fdb, 0, sizeof(fdb));
	ok(submit(INTAKE_MBOX, "thread-rfc-v3.mbox", NULL, 0, &res, &ops) == 0 && !res.already &&
	   fdb.recorded == 1 && fdb.committed, "recorded and committed");
	ok(!strcmp(fdb.dir, res.dir) && access(res.dir, F_OK) == 0, "recorded with the published directory");
	intake_result_release(&res);
	free(before);
}

static void test_paths(void)
{
	char *u, *d;

	u = intake_lore_url("https://lore.kernel.org/all/", "<a/b%c+d@x.org>");
	is_str(u, "https://lore.kernel.org/all/a%2Fb%25c+d@x.org/t.mbox.gz", "lore URL: escaped message-id");
	free(u);
	u = intake_lore_url("http://127.0.0.1:8080/linux-mm", "20260508060724.3810904-1-x@y.com");
	is_str(u, "http://127.0.0.1:8080/linux-mm/20260508060724.3810904-1-x@y.com/t.mbox.gz",
	       "lore URL: plain message-id");
	free(u);

	setenv("SWAPLAB_PATCHES_DIR", pdir, 1);
	d = intake_patches_dir(NULL);
	is_str(d, pdir, "SWAPLAB_PATCHES_DIR");
	free(d);
	d = intake_patches_dir("/tmp");
	is_str(d, "/tmp", "an explicit directory wins");
	free(d);
	unsetenv("SWAPLAB_PATCHES_DIR");
}

int main(void)
{
	util_quiet = 1;
	if (!mkdtemp(pdir)) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_store();
	test_db_ops();
	test_paths();
	rm_rf(pdir);
	return done_testing();
}
