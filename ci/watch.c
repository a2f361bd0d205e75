/*
 * ci/watch.c - continuous mode (see watch.h).  An input is "seen" under
 * a key that changes when the input does (a file's size and mtime, a
 * thread's set of mails, a ref's commit), so a series whose last patch
 * arrives later is tried again, and the intake's own content hash keeps
 * a revision that arrives twice from being stored twice.
 */
#include "ci/watch.h"
#include "ci/kbuild.h"
#include "common/sha256.h"
#include "db/db.h"
#include "kernel-patches/intake.h"
#include "kernel-patches/intake_db.h"
#include "kernel-patches/mbox.h"
#include "reports/report.h"
#include "common/sbuf.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files of dir whose names pass keep(), sorted, full paths. */
static char **list_files(const char *dir, int (*keep)(const char *), size_t *nr)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **out = NULL;
	size_t n = 0, alloc = 0;

	*nr = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		char *p;
		struct stat sb;

		if (de->d_name[0] == '.' || (keep && !keep(de->d_name)))
			continue;
		p = xstrfmt("%s/%s", dir, de->d_name);
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			ALLOC_GROW(out, n + 1, alloc);
			out[n++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	if (n)
		qsort(out, n, sizeof(*out), cmp_str);
	*nr = n;
	return out;
}

static void free_list(char **l, size_t n)
{
	while (n--)
		free(l[n]);
	free(l);
}

static int is_mbox_name(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && !strcmp(n + l - 5, ".mbox")) || (l > 4 && !strcmp(n + l - 4, ".mbx")) ||
	       (l > 8 && !strcmp(n + l - 8, ".mbox.gz"));
}

/*
 * Takes one input: intake, then queue.  The outcome is recorded under key
 * whatever it is, so a broken input is reported once, not every scan.
 * When the database itself fails (disk full, read-only) nothing is
 * recorded and -1 stops the scan: the input is not at fault and is taken
 * on the next run.  Returns 1 queued, 0 not (known or refused), -1.
 */
static int take(struct db *db, const char *key, const struct intake_request *req)
{
	struct intake_result res;
	struct intake_db idb;
	int r, queued = 0;

	r = db_seen(db, key);
	if (r < 0)
		return -1;
	if (r)
		return 0;
	memset(&res, 0, sizeof(res));
	intake_db_init(&idb, db);
	if (intake_submit(req, &res, &idb.ops) < 0) {
		if (idb.failed)
			return -1;
		warning("watch: %s was not taken (see above); it is tried again when it changes", key);
		return db_mark_seen(db, key, "refused") < 0 ? -1 : 0;
	}
	if (res.already && intake_db_upsert_stored(db, res.dir) < 0) {
		intake_result_release(&res);
		return -1;
	}
	if (res.already)
		info("watch: %s: already submitted as %s v%u", key, res.series, res.version);
	r = db_queue_add(db, res.dir, res.series, res.version, key, 0);
	if (r > 0) {
		info("watch: queued %s v%u (%s)", res.series, res.version, key);
		queued = 1;
	}
	intake_result_release(&res);
	return r < 0 ? -1 : queued;
}

static int scan_mbox_dir(struct db *db, const struct watch_opts *o, const char *dir)
{
	size_t n, i;
	char **files = list_files(dir, is_mbox_name, &n);
	int queued = 0, r;

	if (!files && errno && errno != ENOENT)
		warning("watch: cannot read '%s': %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		struct stat sb;
		struct intake_request req;
		char *key;

		if (stat(files[i], &sb) < 0)
			continue;
		key = xstrfmt("mbox:%s:%lld:%lld", files[i], (long long)sb.st_size,
			      (long long)sb.st_mtime);
		memset(&req, 0, sizeof(req));
		req.kind = INTAKE_MBOX;
		req.path = files[i];
		req.patches_dir = o->patches_dir;
		r = take(db, key, &req);
		free(key);
		if (r < 0) {
			queued = -1;
			break;
		}
		queued += r;
	}
	free_list(files, n);
	return queued;
}

/* The thread a mail belongs to: the first References id, else In-Reply-To, else its own. */
static const char *thread_root(const struct mail *m)
{
	static char buf[512];
	const char *v = mail_header(m, "References"), *a, *b;

	if (!v || !*v)
		v = mail_header(m, "In-Reply-To");
	if (!v || !*v)
		v = mail_header(m, "Message-ID");

	if (!v || !(a = strchr(v, '<')) || !(b = strchr(a, '>')))
		return v ? v : "";
	snprintf(buf, sizeof(buf), "%.*s", (int)(b - a + 1), a);
	return buf;
}

/*
 * A maildir holds single mails: they are grouped by thread, and each
 * thread is written as one mbox for the intake (which leaves replies out).
 */
static int scan_maildir(struct db *db, const struct watch_opts *o, const char *dir)
{
	static const char *const subs[] = { "new", "cur" };
	struct group {
		char *root;
		char *text;      /* the mails as an mbox */
		size_t len;
		struct sha256 hash;
	} *groups = NULL;
	size_t ng = 0, alloc = 0, s, i;
	int queued = 0;

	for (s = 0; s < ARRAY_SIZE(subs); s++) {
		char *sub = xstrfmt("%s/%s", dir, subs[s]);
		size_t n;
		char **files = list_files(sub, NULL, &n);

		for (i = 0; i < n; i++) {
			size_t len;
			char *text = slurp_file(files[i], &len);
			struct mbox mb;
			const char *root;
			size_t g;

			memset(&mb, 0, sizeof(mb));
			if (!text || mbox_parse(&mb, text, len, files[i], 0) < 0 || mb.nr != 1) {
				mbox_release(&mb);
				free(text);
				continue;
			}
			root = thread_root(&mb.mails[0]);
			for (g = 0; g < ng && strcmp(groups[g].root, root); g++)
				;
			if (g == ng) {
				ALLOC_GROW(groups, ng + 1, alloc);
				memset(&groups[ng], 0, sizeof(groups[ng]));
				groups[ng].root = xstrdup(root);
				sha256_init(&groups[ng].hash);
				ng++;
			}
			/* "From " separator; body lines starting "From " get mboxrd quoting. */
			{
				/* Every line kept (empty ones too: they end the headers). */
				const char *line = text, *end = text + len;
				char *o;

				groups[g].text = xrealloc(groups[g].text, groups[g].len + len * 2 + 64);
				o = groups[g].text + groups[g].len;
				o += sprintf(o, "From swaplab-watch Thu Jan  1 00:00:00 1970\n");
				while (line < end) {
					const char *nl = memchr(line, '\n', (size_t)(end - line)), *p = line;
					size_t l = nl ? (size_t)(nl - line) : (size_t)(end - line);

					while (p < line + l && *p == '>')
						p++;
					if ((size_t)(line + l - p) >= 5 && !strncmp(p, "From ", 5))
						*o++ = '>';
					memcpy(o, line, l);
					o += l;
					*o++ = '\n';
					line += l + 1;
				}
				*o++ = '\n';
				groups[g].len = (size_t)(o - groups[g].text);
			}
			sha256_update(&groups[g].hash, files[i], strlen(files[i]));
			mbox_release(&mb);
			free(text);
		}
		free_list(files, n);
		free(sub);
	}
	for (i = 0; i < ng; i++) {
		char hex[SHA256_HEX_LEN + 1], tmp[] = "/tmp/swaplab-watch-XXXXXX.mbox";
		char *key;
		int fd;

		sha256_final_hex(&groups[i].hash, hex);
		key = xstrfmt("maildir:%s:%s:%.16s", dir, groups[i].root, hex);
		fd = queued < 0 ? -1 : mkstemps(tmp, 5);  /* after a database failure: only free */
		if (fd >= 0 && write(fd, groups[i].text, groups[i].len) == (ssize_t)groups[i].len) {
			int r;

			struct intake_request req;

			close(fd);
			memset(&req, 0, sizeof(req));
			req.kind = INTAKE_MBOX;
			req.path = tmp;
			req.patches_dir = o->patches_dir;
			r = take(db, key, &req);
			queued = r < 0 ? -1 : queued + r;
		} else if (fd >= 0) {
			close(fd);
		}
		if (fd >= 0)
			unlink(tmp);
		free(key);
		free(groups[i].root);
		free(groups[i].text);
	}
	free(groups);
	return queued;
}

/* The next version number of a series in the store. */
static unsigned next_version(const struct watch_opts *o, const char *series)
{
	char *root = intake_patches_dir(o->patches_dir), *dir;
	unsigned v = 1;
	struct stat sb;

	if (!root)
		return 1;
	for (;; v++) {
		dir = xstrfmt("%s/%s/v%u", root, series, v);
		if (stat(dir, &sb) < 0) {
			free(dir);
			break;
		}
		free(dir);
	}
	free(root);
	return v;
}

static int scan_git(struct db *db, const struct watch_opts *o)
{
	const char *base = o->git_base ? o->git_base : KBUILD_DEBIAN_TAG;
	char *spec = xstrfmt("%s^{commit}", o->git_ref), *sha = NULL, *key, *range;
	const char *argv[] = { "git", "-C", o->git_tree, "rev-parse", "-q", "--verify", spec, NULL };
	struct intake_request req;
	int queued;

	if (run_argv_capture(argv, &sha) != 0) {
		warning("watch: '%s' is not a ref of '%s'", o->git_ref, o->git_tree);
		free(spec);
		free(sha);
		return 0;
	}
	sha[strcspn(sha, "\n")] = '\0';
	key = xstrfmt("git:%s:%s", o->git_tree, sha);
	range = xstrfmt("%s..%s", base, sha);
	memset(&req, 0, sizeof(req));
	req.kind = INTAKE_GIT_RANGE;
	req.path = o->git_tree;
	req.range = range;
	req.patches_dir = o->patches_dir;
	req.opts.name = o->git_series;
	req.opts.version = o->git_series ? next_version(o, o->git_series) : 0;
	queued = take(db, key, &req);
	free(key);
	free(range);
	free(spec);
	free(sha);
	return queued;
}

int watch_scan(struct db *db, const struct watch_opts *o)
{
	int queued = 0, r = 0;
	size_t i;

	for (i = 0; r >= 0 && o->mbox_dirs && o->mbox_dirs[i]; i++)
		queued += (r = scan_mbox_dir(db, o, o->mbox_dirs[i])) > 0 ? r : 0;
	for (i = 0; r >= 0 && o->maildirs && o->maildirs[i]; i++)
		queued += (r = scan_maildir(db, o, o->maildirs[i])) > 0 ? r : 0;
	if (r >= 0 && o->git_tree && o->git_ref)
		queued += (r = scan_git(db, o)) > 0 ? r : 0;
	return r < 0 ? -1 : queued;
}

/*
 * Where the series' cells changed so far, over every revision measured
 * (the series view's E-divisive change points, report.h row->cp): one
 * line per change in the log and in <dir>/changes.txt, so a watcher says
 * which revision a change started at, not only how the newest revision
 * compares with the one before.
 */
static void report_changes(struct db *db, const char *series, const char *dir)
{
	struct report_opts ro;
	struct report r;
	struct sbuf sb = SBUF_INIT;
	size_t i, n = 0;
	char *path, *text;
	size_t len;

	memset(&ro, 0, sizeof(ro));
	ro.series = series;
	if (report_build(db, &ro, &r) < 0) {
		warning("watch: %s: no series view, so no change points", series);
		return;
	}
	sb_addf(&sb, "# %s: change points over v%u..v%u (%s; alpha %g after %s, |change| >= %g%%)\n",
		series, r.revisions[0], r.revisions[r.nr_revisions - 1], r.cp_method, r.opts.alpha,
		r.correction, r.opts.min_effect_pct);
	for (i = 0; i < r.nr_rows; i++) {
		const struct report_row *row = &r.rows[i];
		char sz[32], mode[32];

		unsigned before = row->cp.from;
		size_t k;

		if (!row->cp.starts)
			continue;
		/* The last revision of the segment before the change. */
		for (k = 1; k < r.nr_revisions; k++)
			if (r.revisions[k] == row->revision)
				before = r.revisions[k - 1];
		n++;
		sb_addf(&sb, "%s %s %s: %+.1f%% (%s) from v%u on, against v%u..v%u (p = %.2g adjusted)\n",
			row->backend, report_size(row->size, sz, sizeof(sz)),
			report_mode(row->procs, mode, sizeof(mode)), row->cp.change_pct,
			row->cp.dir == DIR_SLOWER ? "slower" : "faster", row->revision, row->cp.from,
			before, row->cp.p_adj);
		info("watch: %s: %s %s %s changed at v%u: %+.1f%% (%s)", series, row->backend, sz, mode,
		     row->revision, row->cp.change_pct, row->cp.dir == DIR_SLOWER ? "slower" : "faster");
	}
	if (!n)
		sb_addf(&sb, "no change point: no cell's series changed by %g%% or more\n",
			r.opts.min_effect_pct);
	text = sb_detach(&sb, &len);
	path = xstrfmt("%s/changes.txt", dir);
	if (write_file_atomic(path, text, len) < 0)
		warning("watch: cannot write %s", path);
	free(path);
	free(text);
	report_release(&r);
}

int watch_drain(struct db *db, const struct watch_opts *o, volatile int *stop)
{
	unsigned max = o->max_attempts ? o->max_attempts : 2;
	int ran = 0;

	while (!*stop) {
		struct db_queue_item it;
		struct pipeline_result res;
		int failed = 0;
		int r = db_queue_claim(db, &it);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		info("watch: running %s v%u (attempt %u)", it.series, it.version, it.attempts);
		if (pipeline_run(db, &o->pipeline, it.revision_dir, &res) == 0) {
			if (db_queue_finish(db, it.id, DBQ_DONE, NULL, NULL, res.report_dir) < 0)
				failed = 1;
			info("watch: %s v%u done: %s/report.txt", it.series, it.version, res.report_dir);
			if (!failed)
				report_changes(db, it.series, res.report_dir);
		} else {
			/*
			 * A failure of the revision itself (it does not apply, does
			 * not build) will not change by retrying; a failed run may
			 * be the device's and is retried up to max attempts.
			 */
			int retry = res.stage && !strcmp(res.stage, "run") && it.attempts < max;

			if (db_queue_finish(db, it.id, DBQ_FAILED, res.stage, res.message,
					    res.report_dir) < 0 ||
			    (retry && db_queue_add(db, it.revision_dir, it.series, it.version, NULL, 1) < 0))
				failed = 1;
			warning("watch: %s v%u failed at %s%s", it.series, it.version,
				res.stage ? res.stage : "?", retry ? "; queued again" : "");
		}
		pipeline_result_release(&res);
		db_queue_item_release(&it);
		ran++;
		/* The revision stays 'running': the next watch queues it again. */
		if (failed)
			return -1;
	}
	return ran;
}
