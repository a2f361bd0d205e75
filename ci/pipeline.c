/*
 * ci/pipeline.c - a stored patch revision to a base-versus-patched
 * report (see pipeline.h).  The expensive steps are cached below this
 * file: kernel builds are content-addressed (ci/kbuild.c), the revision's
 * worktree is kept, so a re-run costs only the boots.
 */
#include "ci/pipeline.h"
#include "ci/kbuild.h"
#include "ci/kconfig.h"
#include "common/sha256.h"
#include "db/db.h"
#include "kernel-patches/intake.h"
#include "kernel-patches/mbox.h"
#include "reports/report.h"
#include "common/util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(struct pipeline_result *res, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct pipeline_result *res, const char *stage, const char *fmt, ...)
{
	va_list ap;

	free(res->message);
	va_start(ap, fmt);
	if (vasprintf(&res->message, fmt, ap) < 0)
		res->message = NULL;
	va_end(ap);
	res->stage = stage;
	error("%s: %s", stage, res->message ? res->message : "failed");
	return -1;
}

char *const pipeline_default_plan[] = { "--backend", "zram,zswap", "--sizes", "32M,64M",
					"--procs", "1,2", "--runs", "2", NULL };

char *pipeline_label(const char *series, unsigned version, const char *kind)
{
	return xstrfmt("%s/v%u/%s", series, version, kind);
}

void pipeline_result_release(struct pipeline_result *res)
{
	free(res->message);
	free(res->report_dir);
	memset(res, 0, sizeof(*res));
}

static int is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		goto fail;
	free(p);
	return 0;
fail:
	error_errno("cannot create '%s'", p);
	free(p);
	return -1;
}

/*
 * The revision's worktree: kept from an earlier run when its patches are
 * applied (HEAD is nr_patches commits past base), else made anew.
 */
static int prepare_worktree(const char *tree, const struct intake_revision *rev, const char *base,
			    char **path_out, struct pipeline_result *res)
{
	char *path = xstrfmt("%s/worktrees/%s-v%u", kbuild_home(), rev->series, rev->version);
	char *branch = xstrfmt("swaplab/%s/v%u", rev->series, rev->version);
	char *range = xstrfmt("%s..HEAD", base), *count = NULL;
	const char *argv_count[] = { "git", "-C", path, "rev-list", "--count", range, NULL };
	struct kbuild_am_failure af;
	int ret = -1;

	if (is_dir(path)) {
		if (run_argv_capture(argv_count, &count) == 0 &&
		    strtoul(count, NULL, 10) == rev->nr_patches) {
			*path_out = path;
			path = NULL;
			ret = 0;
			goto out;
		}
		/* Something else is there: start it over.  It may belong to
		 * another tree (the series' base moved to a pinned base), which
		 * `git worktree remove` of this one does not touch. */
		{
			const char *rm[] = { "git", "-C", tree, "worktree", "remove", "--force", path, NULL };
			int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

			run_argv(rm, devnull, devnull);
			if (devnull >= 0)
				close(devnull);
			if (is_dir(path) && rm_rf(path) < 0) {
				fail(res, "apply", "cannot remove the stale worktree '%s'", path);
				goto out;
			}
		}
	}
	{
		/* A branch left by a pruned worktree would block `worktree add -b`. */
		const char *prune[] = { "git", "-C", tree, "worktree", "prune", NULL };
		const char *del[] = { "git", "-C", tree, "branch", "-q", "-D", branch, NULL };
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		run_argv(prune, devnull, devnull);
		run_argv(del, devnull, devnull);
		if (devnull >= 0)
			close(devnull);
	}
	{
		char *parent = xstrfmt("%s/worktrees", kbuild_home());
		int r = mkdirs(parent);

		free(parent);
		if (r < 0)
			goto out;
	}
	if (kbuild_worktree_add(tree, path, branch, base, rev->patch_files, rev->nr_patches, &af) < 0) {
		if (af.patch)
			fail(res, "apply", "patch '%s'%s%s%s does not apply to %s", af.patch,
			     af.subject ? " (" : "", af.subject ? af.subject : "", af.subject ? ")" : "",
			     base);
		else
			fail(res, "apply", "cannot make a worktree for %s v%u", rev->series, rev->version);
		kbuild_am_failure_release(&af);
		goto out;
	}
	*path_out = path;
	path = NULL;
	ret = 0;
out:
	free(path);
	free(branch);
	free(range);
	free(count);
	return ret;
}

static int build(const char *tree, const char *commit, const struct pipeline_opts *o,
		 const char *stage, struct kbuild_artifact *a, struct pipeline_result *res)
{
	struct kbuild_request r;

	memset(&r, 0, sizeof(r));
	r.tree = tree;
	r.commit = commit;
	r.arch = o->arch;
	if (o->progress)
		info("%s: building %s at %.12s", stage, o->arch, commit);
	if (kbuild_build(&r, a) < 0 || !a->status || strcmp(a->status, "ok")) {
		return fail(res, stage, "kernel build failed%s%s%s%s", a->message ? ": " : "",
			    a->message ? a->message : "", a->log_tail ? "\n" : "",
			    a->log_tail ? a->log_tail : "");
	}
	if (o->progress)
		info("%s: %s (%s)", stage, a->image, a->reused ? "reused" : "built");
	return 0;
}

/* The cover letter's (or first patch's) mail: subject, message-id, author. */
static void first_mail(const struct intake_revision *rev, char **subject, char **msgid,
		       char **from)
{
	const char *file = rev->cover_file ? rev->cover_file
			   : rev->nr_patches ? rev->patch_files[0] : NULL;
	struct mbox mb;

	*subject = *msgid = *from = NULL;
	memset(&mb, 0, sizeof(mb));
	if (file && mbox_read_file(&mb, file, 0) == 0 && mb.nr) {
		const char *s = mail_header(&mb.mails[0], "Subject");
		const char *m = mail_header(&mb.mails[0], "Message-ID");
		const char *f = mail_header(&mb.mails[0], "From");

		*subject = s ? rfc2047_decode(s) : NULL;
		*msgid = m ? xstrdup(m) : NULL;
		*from = f ? xstrdup(f) : NULL;
	}
	mbox_release(&mb);
	if (!*msgid && rev->cover_message_id)
		*msgid = xstrdup(rev->cover_message_id);
	if (!*subject)
		*subject = xstrfmt("%s", rev->title ? rev->title : rev->series);
	if (!*from && rev->author)
		*from = xstrdup(rev->author);
}

/* Writes path atomically from the report in the given format. */
static int write_report(const struct report *r, enum report_format fmt, const char *path)
{
	char *tmp = xstrfmt("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ret = 0;

	if (!f) {
		error_errno("cannot create '%s'", tmp);
		free(tmp);
		return -1;
	}
	if (report_write(r, fmt, f) < 0)
		ret = -1;
	if (fclose(f) != 0)
		ret = error_errno("cannot write '%s'", tmp);
	if (!ret && rename(tmp, path) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", tmp, path);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

/*
 * The body of the reply, every line at most 72 columns: the quoted
 * subject, the summary paragraph (what a reader wants first), how the
 * lab measured, then the lore text.
 */
int pipeline_reply_body(FILE *f, const struct report *r, const char *author, const char *subject,
			unsigned version, unsigned nr_patches, unsigned rounds)
{
	char *q = NULL, *line, *save = NULL, *who, *summary, *intro;
	size_t qlen = 0;
	FILE *m = open_memstream(&q, &qlen);

	if (!m)
		return error_errno("cannot write the reply");
	fprintf(f, "%s wrote:\n", author ? author : "The author");
	report_wrap(m, "", subject, 0, 70);
	fclose(m);
	for (line = strtok_r(q, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(f, "> %s\n", line);
	fputc('\n', f);
	free(q);
	who = xstrfmt("v%u", version);
	summary = report_summary(r, who);
	report_wrap(f, "", summary, 0, 72);
	free(summary);
	free(who);
	intro = xstrfmt("The swaplab lab applied v%u of this series (%u patch%s) to its base,"
			" built both kernels with the same configuration and measured them on"
			" the same device with the same plan, interleaved base, patched, base,"
			" patched ... (%u boots each).", version, nr_patches,
			nr_patches == 1 ? "" : "es", rounds);
	fputc('\n', f);
	report_wrap(f, "", intro, 0, 72);
	fputc('\n', f);
	free(intro);
	return report_write(r, REPORT_LORE, f);
}

/*
 * A reply a person can send to the thread: In-Reply-To the cover letter,
 * "Re: " its subject, the lore tables in the body.  Never sent from here.
 */
static int write_reply(const struct report *r, const struct intake_revision *rev,
		       const struct pipeline_opts *o, const char *path, unsigned rounds)
{
	char *subject, *msgid, *author, *tmp = xstrfmt("%s.tmp", path), date[64], host[128];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int ret = 0;

	first_mail(rev, &subject, &msgid, &author);
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	f = fopen(tmp, "w");
	if (!f) {
		ret = error_errno("cannot create '%s'", tmp);
		goto out;
	}
	if (o->from)
		fprintf(f, "From: %s\n", o->from);
	else
		fprintf(f, "From: swaplab <root@%s>\n", host);
	if (author)
		fprintf(f, "To: %s\n", author);
	fprintf(f, "Subject: %s%s\n", strncasecmp(subject, "Re:", 3) ? "Re: " : "", subject);
	fprintf(f, "Date: %s\n", date);
	if (msgid) {
		fprintf(f, "In-Reply-To: %s\n", msgid);
		fprintf(f, "References: %s\n", msgid);
	}
	fprintf(f, "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
		   "Content-Transfer-Encoding: 8bit\n\n");
	if (pipeline_reply_body(f, r, author, subject, rev->version, rev->nr_patches, rounds) < 0)
		ret = -1;
	if (fclose(f) != 0)
		ret = error_errno("cannot write '%s'", tmp);
	if (!ret && rename(tmp, path) < 0)
		ret = error_errno("cannot rename '%s'", tmp);
out:
	if (ret)
		unlink(tmp);
	free(tmp);
	free(subject);
	free(msgid);
	free(author);
	return ret;
}

static int write_reports(struct db *db, const struct intake_revision *rev,
			 const struct pipeline_opts *o, const char *lbase, const char *lpatched,
			 unsigned rounds, struct pipeline_result *res)
{
	static const struct { enum report_format fmt; const char *name; } outs[] = {
		{ REPORT_LORE, "report.txt" }, { REPORT_MARKDOWN, "report.md" },
		{ REPORT_HTML, "report.html" }, { REPORT_JSON, "report.json" },
		{ REPORT_LKP, "report.lkp" }, { REPORT_CSV, "report.csv" },
	};
	struct report_opts ro;
	struct report r;
	size_t i;
	int ret = 0;

	res->report_dir = xstrfmt("%s/%s/v%u", o->out_dir ? o->out_dir : "reports/out",
				  rev->series, rev->version);
	if (mkdirs(res->report_dir) < 0)
		return fail(res, "report", "cannot create '%s'", res->report_dir);
	memset(&ro, 0, sizeof(ro));
	ro.base = lbase;
	ro.patched = lpatched;
	ro.alpha = 0.05;
	if (report_build(db, &ro, &r) < 0)
		return fail(res, "report", "cannot build the report of %s against %s", lpatched, lbase);
	for (i = 0; i < ARRAY_SIZE(outs) && !ret; i++) {
		char *path = xstrfmt("%s/%s", res->report_dir, outs[i].name);

		ret = write_report(&r, outs[i].fmt, path);
		free(path);
	}
	if (!ret) {
		char *path = xstrfmt("%s/reply.eml", res->report_dir);

		ret = write_reply(&r, rev, o, path, rounds);
		free(path);
	}
	report_release(&r);
	return ret ? fail(res, "report", "cannot write the report into '%s'", res->report_dir) : 0;
}

int pipeline_run(struct db *db, const struct pipeline_opts *o, const char *revision_dir,
		 struct pipeline_result *res)
{
	struct intake_revision rev;
	struct kbuild_artifact abase, apatched;
	struct lab_device dev;
	char *tree = NULL, *base = NULL, *wt = NULL, *patched = NULL, *lbase = NULL, *lpatched = NULL;
	char *workdir = NULL, cfg_base[SHA256_HEX_LEN + 1] = "", cfg_patched[SHA256_HEX_LEN + 1] = "";
	const char *kind = o->device ? o->device : "qemu";
	unsigned rounds = o->rounds ? o->rounds : 5, r;
	int dev_ok = 0, ret = -1;
	const struct kbuild_base *pinned = NULL;

	memset(res, 0, sizeof(*res));
	memset(&abase, 0, sizeof(abase));
	memset(&apatched, 0, sizeof(apatched));
	memset(&rev, 0, sizeof(rev));
	if (!strcmp(kind, "host"))
		return fail(res, "run", "the host device runs only its own kernel: "
			    "base and patched need a device that boots them (qemu, lava)");
	if (intake_revision_load_dir(revision_dir, &rev) < 0)
		return fail(res, "apply", "cannot load the revision stored in '%s'", revision_dir);

	/*
	 * Apply.  A series whose base-commit is one of the lab's pinned bases
	 * goes onto that base's tree (fetched when missing), so it is always
	 * applied to the tree it was written for; other series onto --tree or
	 * the default base (KBUILD_DEFAULT_BASE).
	 */
	if (!o->tree) {
		pinned = rev.base_commit ? kbuild_base_by_commit(rev.base_commit) : NULL;
		if (pinned && o->progress)
			info("apply: base-commit %.12s is the pinned base %s (%s=%s)", rev.base_commit,
			     pinned->name, pinned->package, pinned->version);
		if (!pinned)
			pinned = kbuild_base_find(KBUILD_DEFAULT_BASE);
		assert(pinned);
		if (kbuild_base_tree(pinned, NULL, &tree) < 0) {
			fail(res, "apply", "cannot make the base tree %s for %s v%u", pinned->name,
			     rev.series, rev.version);
			goto out;
		}
	} else {
		tree = xstrdup(o->tree);
		if (!is_dir(tree)) {
			fail(res, "apply", "no kernel tree at '%s' (--tree names an existing git tree)", tree);
			goto out;
		}
	}
	if (rev.base_commit && (base = kbuild_git_commit(tree, rev.base_commit)) == NULL)
		warning("base-commit %s of %s v%u is not in '%s'; using %s", rev.base_commit,
			rev.series, rev.version, tree, o->tree ? "HEAD" : pinned->tag);
	if (!base && !(base = kbuild_git_commit(tree, o->tree ? "HEAD" : pinned->tag))) {
		fail(res, "apply", "'%s' has no base revision to apply to", tree);
		goto out;
	}
	if (o->progress)
		info("apply: %s v%u (%u patches) onto %.12s", rev.series, rev.version,
		     rev.nr_patches, base);
	if (prepare_worktree(tree, &rev, base, &wt, res) < 0)
		goto out;
	patched = kbuild_git_commit(wt, "HEAD");
	if (!patched) {
		fail(res, "apply", "worktree '%s' has no HEAD", wt);
		goto out;
	}

	/* Build. */
	if (build(tree, base, o, "build-base", &abase, res) < 0 ||
	    build(wt, patched, o, "build-patched", &apatched, res) < 0)
		goto out;
	/* Over the symbols both kernels know: those the patch adds are not a difference. */
	if (abase.config && apatched.config &&
	    kconfig_fingerprint_common(abase.config, apatched.config, cfg_base, cfg_patched) < 0)
		warning("the kernels' .config files could not be compared; rows are not checked"
			" for config differences");

	/* Run, interleaved. */
	if (db_upsert_revision(db, rev.series, rev.version, rev.cover_message_id, rev.base_commit) < 0) {
		fail(res, "run", "cannot record %s v%u in the database", rev.series, rev.version);
		goto out;
	}
	if (lab_device_init(&dev, kind, NULL, o->device_options) < 0) {
		fail(res, "run", "cannot set up the %s device", kind);
		goto out;
	}
	dev_ok = 1;
	workdir = o->workdir ? xstrdup(o->workdir) : make_work_dir("pipeline");
	if (!workdir) {
		fail(res, "run", "cannot create a work directory: %s", strerror(errno));
		goto out;
	}
	lbase = pipeline_label(rev.series, rev.version, "base");
	lpatched = pipeline_label(rev.series, rev.version, "patched");
	for (r = 1; r <= rounds; r++) {
		int side;

		for (side = 0; side < 2; side++) {
			const struct kbuild_artifact *a = side ? &apatched : &abase;
			const char *sname = side ? "patched" : "base";
			struct lab_kernel k = { a->image, a->dtb, a->modules, sname,
						side ? patched : base };
			struct db_import_opts io;
			struct lab_result lr;
			char *wd = xstrfmt("%s/%s-%u", workdir, sname, r);

			if (o->progress)
				info("run: round %u/%u, %s kernel on %s", r, rounds, sname, kind);
			memset(&lr, 0, sizeof(lr));
			if (lab_device_run(&dev, &o->plan, &k, wd, &lr) < 0) {
				fail(res, "run", "round %u, %s kernel: the %s device cannot run this plan",
				     r, sname, kind);
				lab_result_release(&lr);
				free(wd);
				goto out;
			}
			if (lr.status != LAB_COMPLETE) {
				fail(res, "run", "round %u, %s kernel: %s%s%s (files in %s)", r, sname,
				     lab_status_name(lr.status), lr.message ? ": " : "",
				     lr.message ? lr.message : "", wd);
				lab_result_release(&lr);
				free(wd);
				goto out;
			}
			memset(&io, 0, sizeof(io));
			io.series = rev.series;
			io.revision = rev.version;
			io.kind = sname;
			io.commit = side ? patched : base;
			io.config_fingerprint = side ? cfg_patched : cfg_base;
			io.device_kind = kind;
			io.job = lr.job_id;
			if (db_import_jsonl(db, lr.jsonl_path, side ? lpatched : lbase, &io, NULL) < 0) {
				fail(res, "run", "cannot store round %u of the %s kernel", r, sname);
				lab_result_release(&lr);
				free(wd);
				goto out;
			}
			if (side)
				res->runs_patched++;
			else
				res->runs_base++;
			lab_result_release(&lr);
			free(wd);
		}
	}

	/* Report. */
	if (write_reports(db, &rev, o, lbase, lpatched, rounds, res) < 0)
		goto out;
	res->stage = NULL;
	ret = 0;
	/* The device files of good runs are not kept (a failed run's are, and named). */
	if (!o->workdir)
		rm_rf(workdir);
out:
	if (dev_ok)
		lab_device_release(&dev);
	kbuild_artifact_release(&abase);
	kbuild_artifact_release(&apatched);
	intake_revision_release(&rev);
	free(tree);
	free(base);
	free(wt);
	free(patched);
	free(lbase);
	free(lpatched);
	free(workdir);
	return ret;
}
