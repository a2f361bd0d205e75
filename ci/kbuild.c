/*
 * kbuild.c - the lab's kernel trees, revision worktrees and small
 * content-addressed kernel builds (x86_64 virtual board, arm64 virt and
 * Raspberry Pi 4B).  See kbuild.h for the layout under $SWAPLAB_HOME.
 *
 * Every external program (tar, git, make, nice, env) runs through argv,
 * never a shell string.  Kernel builds are niced: the benchmark shares
 * the machine's cores.
 */
#include "ci/kbuild.h"
#include "ci/kconfig.h"
#include "common/sha256.h"
#include "common/json.h"
#include "common/util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bump when what goes into a key or an artifact changes meaning. */
#define KBUILD_FORMAT "swaplab-kbuild 1"
#define LOG_TAIL_LINES 40

const char *kbuild_home(void)
{
	const char *h = getenv("SWAPLAB_HOME");

	return h && *h ? h : KBUILD_DEFAULT_HOME;
}

const char *kbuild_arch(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "x86_64"))
		return "x86_64";
	if (!strcmp(name, "arm64") || !strcmp(name, "aarch64"))
		return "arm64";
	return NULL;
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

char *kbuild_config_dir(void)
{
	const char *env = getenv("SWAPLAB_CONFIG_DIR");
	char *dir;

	if (env && *env)
		return xstrdup(env);
	dir = source_tree_path("ci/config", "swaplab-base.config");
	if (!dir)
		error("cannot find the config fragments (ci/config) near the swaplab binary; "
		      "set SWAPLAB_CONFIG_DIR");
	return dir;
}

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			error_errno("cannot create directory '%s'", p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		error_errno("cannot create directory '%s'", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* Runs argv with stdout and stderr together into *out (malloc'd). */
static int run_capture_all(const char *const *argv, char **out)
{
	FILE *tmp = tmpfile();
	int st;
	long len;

	*out = NULL;
	if (!tmp)
		return error_errno("cannot create a temporary file");
	st = run_argv(argv, fileno(tmp), fileno(tmp));
	fflush(tmp);
	len = lseek(fileno(tmp), 0, SEEK_END);
	*out = xmalloc(len > 0 ? (size_t)len + 1 : 1);
	if (len > 0 && pread(fileno(tmp), *out, (size_t)len, 0) != len)
		len = 0;
	(*out)[len > 0 ? len : 0] = '\0';
	fclose(tmp);
	return st;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* stdout of a command that must succeed, trimmed; NULL with a message. */
static char *capture_ok(const char *const *argv, const char *what)
{
	char *out = NULL;
	int st = run_argv_capture(argv, &out);

	if (st != 0) {
		free(out);
		if (st > 0)
			error("%s: '%s' exited with status %d", what, argv[0], st);
		return NULL;
	}
	trim(out);
	return out;
}

/* Appends "$ argv" to the log, then runs argv with its output there. */
/*
 * make, with its output appended to log.  If swaplab dies (even by
 * SIGKILL), make gets SIGTERM: it stops its compilers and deletes the
 * targets they were writing, so no half-written object looks up to date
 * to the next build.  It also inherits the slot's lock (lock_fd): the next
 * build of this slot waits until the old make is really gone.
 */
static int run_logged(const char *const *argv, const char *log, int lock_fd)
{
	struct run_opts ro = RUN_OPTS_INIT;
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	FILE *f;
	int st, i;

	if (fd < 0)
		return error_errno("cannot open build log '%s'", log);
	f = fdopen(dup(fd), "a");
	if (f) {
		fputs("$", f);
		for (i = 0; argv[i]; i++)
			fprintf(f, " %s", argv[i]);
		fputc('\n', f);
		fclose(f);
	}
	ro.out_fd = ro.err_fd = fd;
	ro.flags = RUN_TERM_WITH_PARENT;
	ro.keep_fd = lock_fd;
	st = run_argv_opts(argv, &ro);
	close(fd);
	if (st > 255)
		return error("'%s' died from signal %d", argv[0], st - 256);
	return st;
}

/* ---- tree --------------------------------------------------------- */

/*
 * The import commit's message.  It is part of the commit id, so it names
 * only what every machine has in common: the package, its version and the
 * tarball's path inside the package - never where the lab unpacked it.
 */
static char *import_message(const char *pkg, const char *ver, const char *path)
{
	if (pkg && ver)
		return xstrfmt("Import %s %s\n\nThe unpacked %s, unchanged, as the lab's base tree.\n",
			       pkg, ver, path);
	return xstrfmt("Import %s\n\nThe unpacked source tarball, unchanged, as the lab's base tree.\n",
		       path);
}

int kbuild_tree_import(const char *tarball, const char *dir, const char *tag, int *created)
{
	return kbuild_tree_import_as(tarball, dir, tag, NULL, created);
}

int kbuild_tree_import_as(const char *tarball, const char *dir, const char *tag,
			  const struct kbuild_base *as, int *created)
{
	struct stat st;
	char *tmp, *date, *msg, *tagref = xstrfmt("refs/tags/%s", tag);
	int ret = -1;

	*created = 0;
	if (is_dir(dir)) {
		const char *argv[] = { "git", "-C", dir, "rev-parse", "-q", "--verify", tagref, NULL };
		char *out = NULL;
		int rc = run_argv_capture(argv, &out);

		free(out);
		free(tagref);
		if (rc == 0)
			return 0;
		return error("'%s' exists but has no tag '%s': not a tree made by 'swaplab kernel tree'; remove it or choose another --dir",
			     dir, tag);
	}
	if (stat(tarball, &st) < 0) {
		free(tagref);
		return error_errno("cannot use kernel source '%s' (install Debian's linux-source-6.1)", tarball);
	}
	tmp = xstrfmt("%s.tmp.%d", dir, (int)getpid());
	date = xstrfmt("@%lld +0000", (long long)st.st_mtime);
	if (as) {
		char *path = xstrfmt("/usr/src/%s.tar.xz", as->package);

		msg = import_message(as->package, as->version, path);
		free(path);
	} else {
		/* Name the Debian package and version when dpkg knows the file. */
		const char *q[] = { "dpkg-query", "-S", tarball, NULL };
		char *pkg = NULL, *ver = NULL, *colon;

		if (run_argv_capture(q, &pkg) == 0 && (colon = strchr(pkg, ':'))) {
			*colon = '\0';
			const char *w[] = { "dpkg-query", "-W", "-f=${Version}", pkg, NULL };

			if (run_argv_capture(w, &ver) != 0) {
				free(ver);
				ver = NULL;
			}
		}
		msg = import_message(ver && *ver ? pkg : NULL, ver, tarball);
		free(pkg);
		free(ver);
	}
	{
		char *parent = xstrdup(dir), *slash = strrchr(parent, '/');

		if (slash && slash != parent) {
			*slash = '\0';
			if (mkdir_p(parent) < 0) {
				free(parent);
				goto out;
			}
		}
		free(parent);
	}
	if (mkdir(tmp, 0755) < 0) {
		error_errno("cannot create '%s'", tmp);
		goto out;
	}
	info("unpacking %s into %s", tarball, dir);
	{
		const char *tar[] = { "tar", "-xf", tarball, "-C", tmp, "--strip-components=1",
				      "--no-same-owner", NULL };
		const char *init[] = { "git", "-C", tmp, "init", "-q", NULL };
		const char *gcoff[] = { "git", "-C", tmp, "config", "gc.auto", "0", NULL };
		/* -f: the tarball ships files its own .gitignore would hide */
		const char *add[] = { "git", "-C", tmp, "add", "-A", "-f", ".", NULL };
		char *ad = xstrfmt("GIT_AUTHOR_DATE=%s", date), *cd = xstrfmt("GIT_COMMITTER_DATE=%s", date);
		const char *commit[] = { "env", ad, cd, "git", "-C", tmp, "-c", "user.name=swaplab",
					 "-c", "user.email=swaplab@localhost", "commit", "-q",
					 "--no-verify", "-m", msg, NULL };
		const char *tagv[] = { "git", "-C", tmp, "tag", tag, NULL };
		int ok = run_argv(tar, -1, -1) == 0;

		if (!ok)
			error("cannot unpack '%s'", tarball);
		ok = ok && run_argv(init, -1, -1) == 0 && run_argv(gcoff, -1, -1) == 0;
		if (ok)
			info("committing the tree (about a minute for a full kernel)");
		ok = ok && run_argv(add, -1, -1) == 0 && run_argv(commit, -1, -1) == 0 &&
		     run_argv(tagv, -1, -1) == 0;
		free(ad);
		free(cd);
		if (!ok) {
			error("cannot make the git repository in '%s'", tmp);
			rm_rf(tmp);
			goto out;
		}
	}
	if (rename(tmp, dir) < 0) {
		error_errno("cannot rename '%s' to '%s'", tmp, dir);
		rm_rf(tmp);
		goto out;
	}
	*created = 1;
	ret = 0;
out:
	free(tmp);
	free(date);
	free(msg);
	free(tagref);
	return ret;
}

char *kbuild_git_commit(const char *dir, const char *rev)
{
	char *spec = xstrfmt("%s^{commit}", rev), *out = NULL;
	const char *argv[] = { "git", "-C", dir, "rev-parse", "-q", "--verify", spec, NULL };
	int st = run_argv_capture(argv, &out);

	free(spec);
	if (st != 0) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* ---- pinned bases ------------------------------------------------- */

/*
 * The commit ids are what kbuild_base_tree() makes from each pinned
 * package on any machine (measured here); a tree that has another commit
 * under the tag was not made from that package that way, and is refused.
 */
const struct kbuild_base kbuild_bases[] = {
	{ "6.12", "linux-source-6.12", "6.12.118-1~deb12u1", "debian/6.12.118-1_deb12u1",
	  "linux-6.12", KBUILD_COMMIT_6_12 },
	{ "6.1", "linux-source-6.1", "6.1.192-2", "debian/6.1.192-2", "linux-6.1",
	  KBUILD_COMMIT_6_1 },
};
const size_t kbuild_nr_bases = ARRAY_SIZE(kbuild_bases);

const struct kbuild_base *kbuild_base_by_commit(const char *commit)
{
	size_t i, n = commit ? strlen(commit) : 0;

	/* An abbreviated id as git prints it, at least 7 digits. */
	for (i = 0; n >= 7 && n <= 40 && i < kbuild_nr_bases; i++)
		if (!strncasecmp(commit, kbuild_bases[i].commit, n))
			return &kbuild_bases[i];
	return NULL;
}

const struct kbuild_base *kbuild_base_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < kbuild_nr_bases; i++) {
		const struct kbuild_base *b = &kbuild_bases[i];
		size_t n = strlen(b->package);

		if (!strcmp(name, b->name) || !strcmp(name, b->tag) ||
		    (!strncmp(name, b->package, n) && name[n] == '=' &&
		     !strcmp(name + n + 1, b->version)))
			return b;
	}
	return NULL;
}

/* The one <package>_*.deb in dir (malloc'd), or NULL. */
static char *find_deb(const char *dir, const char *package)
{
	char *pattern = xstrfmt("%s/%s_*.deb", dir, package), *found = NULL;
	glob_t g;

	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1)
		found = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	free(pattern);
	return found;
}

int kbuild_base_tree(const struct kbuild_base *b, const char *home, char **tree)
{
	char *deb_dir = NULL, *pkg = NULL, *root = NULL, *tarball = NULL, *deb = NULL;
	int created, ret = -1;

	if (!home)
		home = kbuild_home();
	*tree = xstrfmt("%s/%s", home, b->dir);
	if (is_dir(*tree)) {
		ret = kbuild_tree_import_as(NULL, *tree, b->tag, b, &created);
		goto check;
	}
	deb_dir = xstrfmt("%s/debian/%s_%s", home, b->package, b->version);
	pkg = xstrfmt("%s=%s", b->package, b->version);
	root = xstrfmt("%s/root", deb_dir);
	tarball = xstrfmt("%s/usr/src/%s.tar.xz", root, b->package);
	if (!is_file(tarball)) {
		/* apt-get download writes into its working directory. */
		const char *dl[] = { "env", "-C", deb_dir, "apt-get", "download", "-q", pkg, NULL };

		if (mkdir_p(deb_dir) < 0)
			goto out;
		info("fetching %s from Debian's archive (the pinned base %s)", pkg, b->name);
		if (run_argv(dl, -1, -1) != 0) {
			error("cannot download %s: is Debian's archive reachable, and the version "
			      "still listed ('apt-cache madison %s')?", pkg, b->package);
			goto out;
		}
		deb = find_deb(deb_dir, b->package);
		if (!deb) {
			error("apt-get download left no %s package in '%s'", b->package, deb_dir);
			goto out;
		}
		{
			const char *x[] = { "dpkg-deb", "-x", deb, root, NULL };

			if (run_argv(x, -1, -1) != 0 || !is_file(tarball)) {
				error("cannot unpack '%s' (expected %s in it)", deb,
				      tarball + strlen(root));
				rm_rf(root);
				goto out;
			}
		}
	}
	ret = kbuild_tree_import_as(tarball, *tree, b->tag, b, &created);
check:
	if (ret == 0) {
		/* The same base on every lab machine, or no base at all. */
		char *have = kbuild_git_commit(*tree, b->tag);

		if (!have)
			ret = error("'%s' has no tag '%s'", *tree, b->tag);
		else if (strncmp(have, b->commit, 40))
			ret = error("'%s': tag %s is commit %.12s, but %s %s imports as %.12s: "
				    "not the lab's pinned base; remove the directory and run "
				    "'swaplab kernel tree --base %s' again",
				    *tree, b->tag, have, b->package, b->version, b->commit, b->name);
		free(have);
	}
out:
	if (ret < 0) {
		free(*tree);
		*tree = NULL;
	}
	free(deb_dir);
	free(pkg);
	free(root);
	free(tarball);
	free(deb);
	return ret;
}

/* ---- worktrees and patches ----------------------------------------- */

void kbuild_free_list(char **list, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(list[i]);
	free(list);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

int kbuild_list_patches(const char *path, char ***out, size_t *nr)
{
	char **list = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;

	if (is_file(path)) {
		list = xmalloc(sizeof(*list));
		list[0] = xstrdup(path);
		*out = list;
		*nr = 1;
		return 0;
	}
	d = opendir(path);
	if (!d)
		return error_errno("cannot read patches from '%s'", path);
	while ((de = readdir(d))) {
		char *full;

		if (!ends_with(de->d_name, ".patch") && !ends_with(de->d_name, ".diff") &&
		    !ends_with(de->d_name, ".mbox") && !ends_with(de->d_name, ".eml"))
			continue;
		full = xstrfmt("%s/%s", path, de->d_name);
		if (!is_file(full)) {
			free(full);
			continue;
		}
		ALLOC_GROW(list, n + 1, alloc);
		list[n++] = full;
	}
	closedir(d);
	if (!n)
		return error("no patches (*.patch, *.diff, *.mbox, *.eml) in '%s'", path);
	qsort(list, n, sizeof(*list), cmp_str);
	*out = list;
	*nr = n;
	return 0;
}

void kbuild_am_failure_release(struct kbuild_am_failure *f)
{
	free(f->patch);
	free(f->subject);
	free(f->detail);
	memset(f, 0, sizeof(*f));
}

/* "Patch failed at 0002 mm/zswap: foo" -> "mm/zswap: foo" (malloc'd). */
static char *am_failed_subject(const char *out)
{
	const char *p = strstr(out, "Patch failed at ");
	const char *eol;

	if (!p)
		return NULL;
	p += strlen("Patch failed at ");
	p += strspn(p, "0123456789");
	p += strspn(p, " ");
	eol = strchrnul(p, '\n');
	return xstrfmt("%.*s", (int)(eol - p), p);
}

/* The Subject: of a mail (folded lines joined), or NULL. */
static char *mail_subject(const char *path)
{
	char *text = slurp_file(path, NULL), *p, *res = NULL;

	if (!text)
		return NULL;
	for (p = text; *p && *p != '\n'; p = strchrnul(p, '\n'), p += !!*p) {
		if (strncasecmp(p, "Subject:", 8))
			continue;
		p += 8;
		res = xmalloc(strlen(p) + 1);
		res[0] = '\0';
		for (;;) {
			char *eol = strchrnul(p, '\n');

			p += strspn(p, " \t");
			if (*res)
				strcat(res, " ");
			strncat(res, p, (size_t)(eol - p));
			if (!*eol || (eol[1] != ' ' && eol[1] != '\t'))
				break;
			p = eol + 1;
		}
		break;
	}
	free(text);
	return res;
}

/*
 * `git am` without a working tree: every mail of every patch file is
 * applied in order to a scratch index of base.  A series that would stop
 * `git am` is found in a second or two, before a kernel-sized checkout is
 * made, and the failing mail is named exactly.
 */
static int am_dry_run(const char *tree, const char *base, char *const *patches, size_t nr,
		      struct kbuild_am_failure *fail)
{
	char *dir = make_work_dir("am");
	char *index, *env_index, *split;
	size_t i;
	int ret = 0;

	if (!dir)
		return -1;
	index = xstrfmt("%s/index", dir);
	env_index = xstrfmt("GIT_INDEX_FILE=%s", index);
	split = xstrfmt("-o%s/split", dir);
	{
		const char *rt[] = { "env", env_index, "git", "-C", tree, "read-tree", base, NULL };
		char *out = NULL;

		if (run_capture_all(rt, &out) != 0) {
			trim(out);
			ret = error("cannot read '%s' of '%s': %s", base, tree, out);
		}
		free(out);
	}
	for (i = 0; i < nr && !ret; i++) {
		char *abs = realpath(patches[i], NULL), *out = NULL, *sdir = split + 2;
		const char *ms[] = { "git", "mailsplit", "-b", split, abs ? abs : patches[i], NULL };
		unsigned long n = 0, k;

		rm_rf(sdir);
		mkdir(sdir, 0700);
		if (run_argv_capture(ms, &out) != 0 || (n = strtoul(out, NULL, 10)) == 0) {
			ret = error("cannot read the mails in '%s'", patches[i]);
			fail->patch = xstrdup(patches[i]);
			fail->detail = xstrdup("not a mailbox of patches");
		}
		free(out);
		free(abs);
		for (k = 1; !ret && k <= n; k++) {
			char *mail = xstrfmt("%s/%04lu", sdir, k);
			const char *ap[] = { "env", env_index, "git", "-C", tree, "apply", "--cached", mail, NULL };

			if (run_capture_all(ap, &out) != 0) {
				trim(out);
				fail->patch = xstrdup(patches[i]);
				fail->subject = mail_subject(mail);
				fail->detail = out;
				out = NULL;
				char *which = n > 1 ? xstrfmt(" (mail %lu of %lu)", k, n) : xstrdup("");

				ret = error("patch '%s'%s%s%s%s does not apply onto '%s':\n%s", patches[i], which,
					    fail->subject ? " (" : "", fail->subject ? fail->subject : "",
					    fail->subject ? ")" : "", base, fail->detail);
				free(which);
			}
			free(out);
			out = NULL;
			free(mail);
		}
	}
	rm_rf(dir);
	free(dir);
	free(index);
	free(env_index);
	free(split);
	return ret;
}

int kbuild_worktree_add(const char *tree, const char *path, const char *branch,
			const char *base, char *const *patches, size_t nr,
			struct kbuild_am_failure *fail)
{
	/* checkout.workers=0: one checkout worker per CPU (half the time) */
	const char *add[] = { "git", "-C", tree, "-c", "checkout.workers=0", "worktree", "add", "-q",
			      "-b", branch, path, base, NULL };
	const char *prune[] = { "git", "-C", tree, "worktree", "prune", NULL };
	char *ref = xstrfmt("refs/heads/%s", branch);
	const char *has_branch[] = { "git", "-C", tree, "rev-parse", "-q", "--verify", ref, NULL };
	char *out = NULL;
	size_t i;
	int st;

	memset(fail, 0, sizeof(*fail));
	if (!is_dir(tree)) {
		free(ref);
		return error("kernel tree '%s' does not exist", tree);
	}
	if (access(path, F_OK) == 0) {
		free(ref);
		return error("worktree '%s' already exists", path);
	}
	st = run_argv_capture(has_branch, &out);
	free(out);
	free(ref);
	if (st == 0)
		return error("branch '%s' already exists in '%s'", branch, tree);
	if (am_dry_run(tree, base, patches, nr, fail) < 0)
		return -1;
	run_argv(prune, -1, -1);
	st = run_capture_all(add, &out);
	if (st != 0) {
		trim(out);
		error("cannot create worktree '%s' on branch '%s' from '%s': %s", path, branch, base, out);
		free(out);
		return -1;
	}
	free(out);
	for (i = 0; i < nr; i++) {
		char *abs = realpath(patches[i], NULL);
		const char *am[] = { "git", "-C", path, "-c", "user.name=swaplab", "-c",
				     "user.email=swaplab@localhost", "am", "--quiet", abs ? abs : patches[i], NULL };
		const char *abort_am[] = { "git", "-C", path, "am", "--abort", NULL };
		const char *rm_wt[] = { "git", "-C", tree, "worktree", "remove", "--force", path, NULL };
		const char *rm_br[] = { "git", "-C", tree, "branch", "-q", "-D", branch, NULL };

		st = run_capture_all(am, &out);
		free(abs);
		if (st == 0) {
			free(out);
			continue;
		}
		trim(out);
		fail->patch = xstrdup(patches[i]);
		fail->subject = am_failed_subject(out);
		fail->detail = out;
		run_argv(abort_am, -1, -1);
		if (run_argv(rm_wt, -1, -1) != 0)
			rm_rf(path);
		run_argv(prune, -1, -1);
		run_argv(rm_br, -1, -1);
		return error("patch '%s'%s%s%s does not apply onto '%s' (worktree removed):\n%s",
			     patches[i], fail->subject ? " (" : "", fail->subject ? fail->subject : "",
			     fail->subject ? ")" : "", base, fail->detail);
	}
	return 0;
}

/* ---- artifacts ------------------------------------------------------ */

void kbuild_artifact_release(struct kbuild_artifact *a)
{
	free(a->key); free(a->dir); free(a->status); free(a->stage);
	free(a->arch); free(a->commit); free(a->release); free(a->toolchain); free(a->config_sha256);
	free(a->image); free(a->dtb); free(a->modules); free(a->config); free(a->log);
	free(a->message); free(a->log_tail);
	memset(a, 0, sizeof(*a));
}

static char *dup_str(const struct json *o, const char *key)
{
	const char *s;

	return json_get_str(o, key, &s) ? NULL : xstrdup(s);
}

static char *file_path(const char *dir, const struct json *files, const char *key)
{
	const char *s;

	if (!files || json_get_str(files, key, &s))
		return NULL;
	return xstrfmt("%s/%s", dir, s);
}

int kbuild_artifact_load(const char *home, const char *key, struct kbuild_artifact *a)
{
	char *dir, *path, *text, err[128];
	struct json *root, *files;
	struct json_doc *doc;
	size_t len;

	memset(a, 0, sizeof(*a));
	if (strlen(key) != SHA256_HEX_LEN || strspn(key, "0123456789abcdef") != SHA256_HEX_LEN)
		return error("'%s' is not an artifact key (64 hex digits)", key);
	dir = xstrfmt("%s/artifacts/%s", home ? home : kbuild_home(), key);
	path = xstrfmt("%s/manifest.json", dir);
	text = slurp_file(path, &len);
	if (!text) {
		error_errno("no kernel artifact '%s' (cannot read '%s')", key, path);
		goto fail;
	}
	doc = json_parse(text, len, &root, err, sizeof(err));
	if (!doc) {
		error("%s: %s", path, err);
		free(text);
		goto fail;
	}
	files = json_get(root, "files");
	a->key = xstrdup(key);
	a->dir = xstrdup(dir);
	a->status = dup_str(root, "status");
	a->stage = dup_str(root, "stage");
	a->arch = dup_str(root, "arch");
	a->commit = dup_str(root, "commit");
	a->release = dup_str(root, "kernel_release");
	a->toolchain = dup_str(root, "toolchain");
	a->config_sha256 = dup_str(root, "config_sha256");
	a->message = dup_str(root, "message");
	a->log_tail = dup_str(root, "log_tail");
	json_get_double(root, "build_seconds", &a->build_seconds);
	a->image = file_path(dir, files, "image");
	a->dtb = file_path(dir, files, "dtb");
	a->modules = file_path(dir, files, "modules");
	a->config = file_path(dir, files, "config");
	a->log = file_path(dir, files, "log");
	json_doc_free(doc);
	free(text);
	free(path);
	free(dir);
	if (!a->status || (strcmp(a->status, "ok") && strcmp(a->status, "failed")) ||
	    (!strcmp(a->status, "ok") && !a->image)) {
		error("artifact '%s': manifest without a valid status and image", key);
		kbuild_artifact_release(a);
		return -1;
	}
	return 0;
fail:
	free(path);
	free(dir);
	return -1;
}

static int have_manifest(const char *home, const char *key)
{
	char *path = xstrfmt("%s/artifacts/%s/manifest.json", home, key);
	int ret = is_file(path);

	free(path);
	return ret;
}

/* The last n lines of a file (malloc'd; "" when unreadable). */
static char *tail_lines(const char *path, int n)
{
	size_t len;
	char *text = slurp_file(path, &len), *p, *res;

	if (!text)
		return xstrdup("");
	p = text + len;
	while (p > text && (p[-1] == '\n'))
		p--;
	while (p > text && n > 0) {
		p--;
		if (*p == '\n')
			n--;
	}
	if (*p == '\n')
		p++;
	res = xstrdup(p);
	free(text);
	trim(res);
	return res;
}

/* The first line of the log that looks like a compiler or make error. */
static char *first_error_line(const char *path)
{
	char *text = slurp_file(path, NULL), *p, *res = NULL;

	if (!text)
		return NULL;
	for (p = text; *p; ) {
		char *eol = strchrnul(p, '\n');

		if ((memmem(p, (size_t)(eol - p), "error:", 6) ||
		     memmem(p, (size_t)(eol - p), "*** ", 4)) && !res) {
			res = xstrfmt("%.*s", (int)(eol - p), p);
			break;
		}
		p = *eol ? eol + 1 : eol;
	}
	free(text);
	return res;
}

struct manifest {
	const char *key, *status, *stage, *arch, *commit, *tree, *toolchain;
	const char *config_sha, *release, *message, *log_tail, *started;
	const char *image, *dtb, *modules;
	char *const *fragments;
	char (*fragment_sha)[SHA256_HEX_LEN + 1];
	size_t nr_fragments;
	double seconds;
};

static int write_manifest(const char *dir, const struct manifest *m)
{
	char *buf = NULL, *path;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return error_errno("open_memstream");
#define STR(k, v) do { fputs(",\n  \"" k "\": ", f); if (v) json_put_string(f, v); else fputs("null", f); } while (0)
	fputs("{\n  \"schema\": 1", f);
	STR("key", m->key);
	STR("status", m->status);
	STR("stage", m->stage);
	STR("arch", m->arch);
	STR("commit", m->commit);
	STR("tree", m->tree);
	STR("toolchain", m->toolchain);
	STR("config_sha256", m->config_sha);
	STR("kernel_release", m->release);
	STR("started", m->started);
	fprintf(f, ",\n  \"build_seconds\": %.1f", m->seconds);
	fputs(",\n  \"fragments\": [", f);
	for (i = 0; i < m->nr_fragments; i++) {
		fputs(i ? ", {\"path\": " : "{\"path\": ", f);
		json_put_string(f, m->fragments[i]);
		fputs(", \"sha256\": ", f);
		json_put_string(f, m->fragment_sha[i]);
		fputc('}', f);
	}
	fputs("],\n  \"files\": {\"config\": \"config\", \"log\": \"build.log\"", f);
	if (m->image) {
		fputs(", \"image\": ", f);
		json_put_string(f, m->image);
	}
	if (m->dtb) {
		fputs(", \"dtb\": ", f);
		json_put_string(f, m->dtb);
	}
	if (m->modules)
		fputs(", \"modules\": \"modules.tar.gz\"", f);
	fputc('}', f);
	STR("message", m->message);
	STR("log_tail", m->log_tail);
	fputs("\n}\n", f);
#undef STR
	fclose(f);
	path = xstrfmt("%s/manifest.json", dir);
	ret = write_file_atomic(path, buf, len);
	free(path);
	free(buf);
	return ret;
}

/* ---- build ---------------------------------------------------------- */

struct build {
	const struct kbuild_request *r;
	const char *home, *arch, *karch;
	char *config_dir, *ccache_dir;
	char *commit, *toolchain, *cc, *cross;
	char **fragments;     /* defaults + extra, in order */
	char (*fragment_sha)[SHA256_HEX_LEN + 1];
	size_t nr_fragments;
	struct kconfig want;
	char *slot, *src, *out;
	int lock_fd;
	char *tmpdir, *log;   /* artifact being made, its build.log */
	char started[32];
	char *jobs;
};

static void build_release(struct build *b)
{
	free(b->config_dir);
	free(b->ccache_dir);
	free(b->commit);
	free(b->toolchain);
	free(b->cc);
	free(b->cross);
	kbuild_free_list(b->fragments, b->nr_fragments);
	free(b->fragment_sha);
	kconfig_release(&b->want);
	free(b->slot);
	free(b->src);
	free(b->out);
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	if (b->tmpdir)
		rm_rf(b->tmpdir);
	free(b->tmpdir);
	free(b->log);
	free(b->jobs);
}

static int first_line_of(const char *const *argv, char **out)
{
	char *s = NULL;

	if (run_argv_capture(argv, &s) != 0 || !*s) {
		free(s);
		return error("cannot run '%s --version': is the toolchain installed?", argv[0]);
	}
	*strchrnul(s, '\n') = '\0';
	*out = s;
	return 0;
}

static int resolve_toolchain(struct build *b)
{
	char *gcc = xstrfmt("%sgcc", b->cross), *ld = xstrfmt("%sld", b->cross);
	const char *gv[] = { gcc, "--version", NULL }, *lv[] = { ld, "--version", NULL };
	char *g = NULL, *l = NULL;
	int ret = 0;

	if (!have_program(gcc))
		ret = error("compiler '%s' not found (install %s)", gcc,
			    *b->cross ? "gcc-aarch64-linux-gnu" : "gcc");
	else if (first_line_of(gv, &g) < 0 || first_line_of(lv, &l) < 0)
		ret = -1;
	else
		b->toolchain = xstrfmt("%s; %s", g, l);
	b->cc = have_program("ccache") ? xstrfmt("CC=ccache %s", gcc) : xstrfmt("CC=%s", gcc);
	free(g);
	free(l);
	free(gcc);
	free(ld);
	return ret;
}

static int load_fragments(struct build *b)
{
	const struct kbuild_request *r = b->r;
	size_t alloc = 0, i;
	char *paths[2];

	paths[0] = xstrfmt("%s/swaplab-base.config", b->config_dir);
	paths[1] = xstrfmt("%s/%s.config", b->config_dir, b->arch);
	for (i = 0; i < 2 + r->nr_fragments; i++) {
		const char *p = i < 2 ? paths[i] : r->fragments[i - 2];

		ALLOC_GROW(b->fragments, b->nr_fragments + 1, alloc);
		b->fragments[b->nr_fragments++] = i < 2 ? paths[i] : xstrdup(p);
	}
	b->fragment_sha = xcalloc(b->nr_fragments, sizeof(*b->fragment_sha));
	for (i = 0; i < b->nr_fragments; i++) {
		if (kconfig_read_file(&b->want, b->fragments[i], 1) < 0)
			return -1;
		if (sha256_file_hex(b->fragments[i], b->fragment_sha[i]) < 0)
			return -1;
	}
	return 0;
}

static char *request_key(const struct build *b)
{
	struct sha256 c;
	char hex[SHA256_HEX_LEN + 1];
	size_t i;

	sha256_init(&c);
	sha256_update(&c, KBUILD_FORMAT " request\n", strlen(KBUILD_FORMAT " request\n"));
	sha256_update(&c, b->commit, strlen(b->commit) + 1);
	sha256_update(&c, b->arch, strlen(b->arch) + 1);
	sha256_update(&c, b->toolchain, strlen(b->toolchain) + 1);
	for (i = 0; i < b->nr_fragments; i++)
		sha256_update(&c, b->fragment_sha[i], SHA256_HEX_LEN + 1);
	sha256_final_hex(&c, hex);
	return xstrdup(hex);
}

/* sha256(format, commit, arch, toolchain, final .config). */
static char *artifact_key(const struct build *b, const char *config)
{
	struct sha256 c;
	char hex[SHA256_HEX_LEN + 1];

	sha256_init(&c);
	sha256_update(&c, KBUILD_FORMAT " artifact\n", strlen(KBUILD_FORMAT " artifact\n"));
	sha256_update(&c, b->commit, strlen(b->commit) + 1);
	sha256_update(&c, b->arch, strlen(b->arch) + 1);
	sha256_update(&c, b->toolchain, strlen(b->toolchain) + 1);
	sha256_update(&c, config, strlen(config));
	sha256_final_hex(&c, hex);
	return xstrdup(hex);
}

static char *request_path(const struct build *b, const char *rkey)
{
	return xstrfmt("%s/artifacts/requests/%s", b->home, rkey);
}

/* Finds what a request key points at; 1 found, 0 not, -1 broken. */
static int lookup_request(const struct build *b, const char *rkey, struct kbuild_artifact *a)
{
	char *path = request_path(b, rkey), key[SHA256_HEX_LEN + 2];
	int ret = 0;

	if (read_file_trim(path, key, sizeof(key)) == 0 && strlen(key) == SHA256_HEX_LEN &&
	    have_manifest(b->home, key))
		ret = kbuild_artifact_load(b->home, key, a) == 0 ? 1 : 0;
	free(path);
	return ret;
}

static int record_request(const struct build *b, const char *rkey, const char *key)
{
	char *dir = xstrfmt("%s/artifacts/requests", b->home), *path = request_path(b, rkey);
	char *line = xstrfmt("%s\n", key);
	int ret = mkdir_p(dir) < 0 ? -1 : write_file_atomic(path, line, strlen(line));

	free(dir);
	free(path);
	free(line);
	return ret;
}

/* One detached worktree + output dir per (repository, arch), locked. */
static int prepare_slot(struct build *b)
{
	const char *cd[] = { "git", "-C", b->r->tree, "rev-parse", "--git-common-dir", NULL };
	char *common = capture_ok(cd, "cannot find the git directory of the tree"), *real, *lockp;
	char hex[SHA256_HEX_LEN + 1];

	if (!common)
		return -1;
	if (common[0] != '/') {
		char *full = xstrfmt("%s/%s", b->r->tree, common);

		free(common);
		common = full;
	}
	real = realpath(common, NULL);
	free(common);
	if (!real)
		return error_errno("cannot resolve the git directory of '%s'", b->r->tree);
	sha256_hex(real, strlen(real), hex);
	free(real);
	b->slot = xstrfmt("%s/build/%s-%.12s", b->home, b->arch, hex);
	b->src = xstrfmt("%s/src", b->slot);
	b->out = xstrfmt("%s/out", b->slot);
	if (mkdir_p(b->out) < 0)
		return -1;
	lockp = xstrfmt("%s.lock", b->slot);
	b->lock_fd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (b->lock_fd < 0) {
		error_errno("cannot open '%s'", lockp);
		free(lockp);
		return -1;
	}
	if (flock(b->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		info("waiting for another build in %s", b->slot);
		if (flock(b->lock_fd, LOCK_EX) < 0) {
			error_errno("cannot lock '%s'", lockp);
			free(lockp);
			return -1;
		}
	}
	free(lockp);
	{
		const char *prune[] = { "git", "-C", b->r->tree, "worktree", "prune", NULL };
		const char *add[] = { "git", "-C", b->r->tree, "-c", "checkout.workers=0", "worktree", "add",
				      "-q", "-f", "--detach", b->src, b->commit, NULL };
		const char *co[] = { "git", "-C", b->src, "-c", "checkout.workers=0", "checkout", "-q", "-f",
				     "--detach", b->commit, NULL };
		char *git_file = xstrfmt("%s/.git", b->src);
		int have = access(git_file, F_OK) == 0, st;

		free(git_file);
		if (!have) {
			run_argv(prune, -1, -1);
			if (is_dir(b->src))
				rm_rf(b->src);
			info("checking out %.12s into %s", b->commit, b->src);
			st = run_argv(add, -1, -1);
		} else {
			st = run_argv(co, -1, -1);
			if (st != 0) {
				/* The slot's worktree belongs to a repository that is
				 * gone (the tree was made again at the same path). */
				info("the checkout in %s does not answer: making it again from %s",
				     b->src, b->r->tree);
				rm_rf(b->src);
				run_argv(prune, -1, -1);
				st = run_argv(add, -1, -1);
			}
		}
		if (st != 0)
			return error("cannot check out %s in '%s'", b->commit, b->src);
	}
	return 0;
}

/* make -C src O=out ARCH=.. [CROSS_COMPILE=..] CC=.. -jN target..., niced. */
static int make(struct build *b, const char *const *targets)
{
	char *ccd = xstrfmt("CCACHE_DIR=%s", b->ccache_dir);
	char *ccb = xstrfmt("CCACHE_BASEDIR=%s", b->home);
	char *o = xstrfmt("O=%s", b->out), *arch = xstrfmt("ARCH=%s", b->karch);
	char *cross = xstrfmt("CROSS_COMPILE=%s", b->cross);
	const char *argv[32];
	int n = 0, i, st;

	argv[n++] = "nice";
	argv[n++] = "-n";
	argv[n++] = "10";
	argv[n++] = "env";
	argv[n++] = ccd;
	argv[n++] = ccb;
	argv[n++] = "KBUILD_BUILD_USER=swaplab";
	argv[n++] = "KBUILD_BUILD_HOST=swaplab";
	argv[n++] = "make";
	argv[n++] = "-s";
	argv[n++] = "-C";
	argv[n++] = b->src;
	argv[n++] = o;
	argv[n++] = arch;
	if (*b->cross)
		argv[n++] = cross;
	argv[n++] = b->cc;
	argv[n++] = b->jobs;
	for (i = 0; targets[i]; i++) {
		assert(n < (int)ARRAY_SIZE(argv) - 1);
		argv[n++] = targets[i];
	}
	argv[n] = NULL;
	st = run_logged(argv, b->log, b->lock_fd);
	free(ccd);
	free(ccb);
	free(o);
	free(arch);
	free(cross);
	return st;
}

static double since(uint64_t t0)
{
	return (double)(now_ns() - t0) / 1e9;
}

/* Moves the artifact being made into the store under key. */
static int publish(struct build *b, const char *key, const struct manifest *m)
{
	char *dst = xstrfmt("%s/artifacts/%s", b->home, key);
	int ret = 0;

	char *log = xstrfmt("%s/build.log", b->tmpdir);

	if (copy_file(b->log, log) < 0 || write_manifest(b->tmpdir, m) < 0) {
		free(log);
		free(dst);
		return -1;
	}
	free(log);
	if (is_dir(dst))
		rm_rf(dst);  /* --force over an old result */
	if (rename(b->tmpdir, dst) < 0)
		ret = error_errno("cannot store artifact '%s'", dst);
	else {
		free(b->tmpdir);
		b->tmpdir = NULL;
	}
	free(dst);
	return ret;
}

static void fill_manifest(const struct build *b, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->arch = b->arch;
	m->commit = b->commit;
	m->tree = b->r->tree;
	m->toolchain = b->toolchain;
	m->started = b->started;
	m->fragments = b->fragments;
	m->fragment_sha = b->fragment_sha;
	m->nr_fragments = b->nr_fragments;
}

/* Image, dtb and modules of a finished build into the artifact dir. */
static int collect(struct build *b, const struct kconfig *have, const char **image,
		   const char **dtb, const char **modules)
{
	char *src, *dst;
	int ret = 0;

	*image = !strcmp(b->arch, "x86_64") ? "bzImage" : "Image";
	*dtb = NULL;
	*modules = NULL;
	src = xstrfmt("%s/arch/%s/boot/%s", b->out, !strcmp(b->arch, "x86_64") ? "x86" : "arm64", *image);
	dst = xstrfmt("%s/%s", b->tmpdir, *image);
	ret = copy_file(src, dst);
	free(src);
	free(dst);
	if (!ret && !strcmp(b->arch, "arm64")) {
		*dtb = "bcm2711-rpi-4-b.dtb";
		src = xstrfmt("%s/arch/arm64/boot/dts/broadcom/%s", b->out, *dtb);
		dst = xstrfmt("%s/%s", b->tmpdir, *dtb);
		ret = copy_file(src, dst);
		free(src);
		free(dst);
	}
	if (!ret && kconfig_get(have, "CONFIG_MODULES") &&
	    !strcmp(kconfig_get(have, "CONFIG_MODULES")->value, "y")) {
		char *mods = xstrfmt("%s/mods", b->tmpdir), *mp = xstrfmt("INSTALL_MOD_PATH=%s", mods);
		char *tgz = xstrfmt("%s/modules.tar.gz", b->tmpdir);
		const char *targets[] = { mp, "INSTALL_MOD_STRIP=1", "modules_install", NULL };
		const char *tar[] = { "tar", "-C", mods, "-czf", tgz, "--owner=0", "--group=0", "lib", NULL };

		if (make(b, targets) != 0 || run_argv(tar, -1, -1) != 0)
			ret = error("cannot install and pack the modules (see %s)", b->log);
		else
			*modules = "modules.tar.gz";
		rm_rf(mods);
		free(mods);
		free(mp);
		free(tgz);
	}
	return ret;
}

int kbuild_build(const struct kbuild_request *r, struct kbuild_artifact *a)
{
	struct build b;
	struct kconfig have;
	struct manifest m;
	char *rkey = NULL, *key = NULL, *config = NULL, *base = NULL, *merged = NULL;
	char *report = NULL, *cfgpath = NULL, *tail = NULL, *msg = NULL, *errline = NULL;
	char config_sha[SHA256_HEX_LEN + 1], release[128] = "";
	const char *image, *dtb, *modules;
	uint64_t t0 = now_ns();
	int ret = -1, found;
	time_t now = time(NULL);

	memset(a, 0, sizeof(*a));
	memset(&b, 0, sizeof(b));
	b.lock_fd = -1;
	b.r = r;
	kconfig_init(&b.want);
	kconfig_init(&have);
	strftime(b.started, sizeof(b.started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	b.home = r->home ? r->home : kbuild_home();
	b.arch = kbuild_arch(r->arch);
	if (!b.arch) {
		error("unsupported arch '%s' (x86_64 or arm64)", r->arch ? r->arch : "");
		goto out;
	}
	b.karch = b.arch;
	b.cross = xstrdup(!strcmp(b.arch, "arm64") ? "aarch64-linux-gnu-" : "");
	b.jobs = xstrfmt("-j%ld", r->jobs ? (long)r->jobs : sysconf(_SC_NPROCESSORS_ONLN));
	b.config_dir = r->config_dir ? xstrdup(r->config_dir) : kbuild_config_dir();
	b.ccache_dir = xstrdup(r->ccache_dir ? r->ccache_dir
			       : getenv("CCACHE_DIR") && *getenv("CCACHE_DIR") ? getenv("CCACHE_DIR")
			       : KBUILD_DEFAULT_CCACHE);
	if (!b.config_dir)
		goto out;
	if (!r->tree || !is_dir(r->tree)) {
		error("kernel tree '%s' does not exist (make one with 'swaplab kernel tree')",
		      r->tree ? r->tree : "");
		goto out;
	}
	{
		char *rev = xstrfmt("%s^{commit}", r->commit ? r->commit : "HEAD");
		const char *rp[] = { "git", "-C", r->tree, "rev-parse", "-q", "--verify", rev, NULL };

		b.commit = capture_ok(rp, "unknown revision");
		if (!b.commit)
			error("'%s' is not a commit of '%s'", r->commit ? r->commit : "HEAD", r->tree);
		free(rev);
		if (!b.commit)
			goto out;
	}
	if (resolve_toolchain(&b) < 0 || load_fragments(&b) < 0)
		goto out;

	/* A request seen before is answered from the store. */
	rkey = request_key(&b);
	found = r->force ? 0 : lookup_request(&b, rkey, a);
	if (found == 1) {
		a->reused = 1;
		ret = !strcmp(a->status, "ok") ? 0 : -1;
		if (ret)
			error("kernel %.12s (%s) failed before at its %s stage and is not retried without --force: %s",
			      b.commit, b.arch, a->stage ? a->stage : "build", a->message ? a->message : "");
		goto out;
	}
	if (mkdir_p(b.ccache_dir) < 0)
		goto out;
	{
		char *dir = xstrfmt("%s/artifacts", b.home);

		/* A killed build's tmp.<pid>.*: removed once that pid is gone. */
		reap_dead_owners(dir, "tmp.");
		b.tmpdir = xstrfmt("%s/tmp.%d.%lld", dir, (int)getpid(), (long long)now_ns());
		free(dir);
		if (mkdir_p(b.tmpdir) < 0)
			goto out;
	}
	if (prepare_slot(&b) < 0)
		goto out;
	/* The log lives in the slot while building (tail -f it); publish()
	 * copies it into the artifact. */
	b.log = xstrfmt("%s/build.log", b.slot);
	if (write_file_atomic(b.log, "", 0) < 0)
		goto out;

	/* The configuration: tinyconfig + fragments, resolved, checked. */
	info("configuring %.12s for %s", b.commit, b.arch);
	cfgpath = xstrfmt("%s/.config", b.out);
	{
		const char *t1[] = { "tinyconfig", NULL }, *t2[] = { "olddefconfig", NULL };

		if (make(&b, t1) != 0) {
			error("'make tinyconfig' failed in '%s' (see %s)", b.src, b.log);
			goto out;
		}
		base = slurp_file(cfgpath, NULL);
		if (!base) {
			error_errno("cannot read '%s'", cfgpath);
			goto out;
		}
		merged = kconfig_apply(base, &b.want);
		if (write_file_atomic(cfgpath, merged, strlen(merged)) < 0)
			goto out;
		if (make(&b, t2) != 0) {
			error("'make olddefconfig' failed in '%s' (see %s)", b.src, b.log);
			goto out;
		}
	}
	config = slurp_file(cfgpath, NULL);
	if (!config || kconfig_parse(&have, config, cfgpath, 0) < 0) {
		error("cannot read the resolved configuration '%s'", cfgpath);
		goto out;
	}
	sha256_hex(config, strlen(config), config_sha);
	key = artifact_key(&b, config);
	{
		char *cp = xstrfmt("%s/config", b.tmpdir);
		int w = write_file_atomic(cp, config, strlen(config));

		free(cp);
		if (w < 0)
			goto out;
	}
	fill_manifest(&b, &m);
	m.config_sha = config_sha;
	if (kconfig_verify(&b.want, &have, &report)) {
		/*
		 * The request failed, not a kernel: the resolved config may be
		 * exactly that of a good artifact (an unknown option simply
		 * vanishes), so the failure is stored under the request key.
		 */
		msg = xstrfmt("requested options did not stick after olddefconfig:\n%s", report);
		trim(msg);
		m.key = rkey;
		m.status = "failed";
		m.stage = "config";
		m.message = msg;
		m.seconds = since(t0);
		if (publish(&b, rkey, &m) == 0) {
			record_request(&b, rkey, rkey);
			kbuild_artifact_load(b.home, rkey, a);
		}
		error("kernel %.12s (%s): %s", b.commit, b.arch, msg);
		goto out;
	}
	m.key = key;
	if (!r->force && have_manifest(b.home, key) && kbuild_artifact_load(b.home, key, a) == 0) {
		/* Another request (other fragments) resolved to the same config. */
		a->reused = 1;
		record_request(&b, rkey, key);
		ret = !strcmp(a->status, "ok") ? 0 : -1;
		if (ret)
			error("kernel %.12s (%s) failed before and is not retried without --force: %s",
			      b.commit, b.arch, a->message ? a->message : "");
		goto out;
	}

	info("building %.12s for %s in %s (log: %s)", b.commit, b.arch, b.out, b.log);
	{
		const char *x86[] = { "bzImage", NULL };
		const char *x86m[] = { "bzImage", "modules", NULL };
		const char *arm[] = { "Image", "broadcom/bcm2711-rpi-4-b.dtb", NULL };
		const char *armm[] = { "Image", "broadcom/bcm2711-rpi-4-b.dtb", "modules", NULL };
		const struct kconfig_entry *mods = kconfig_get(&have, "CONFIG_MODULES");
		int with_modules = mods && !strcmp(mods->value, "y");
		const char *const *targets = !strcmp(b.arch, "x86_64") ? (with_modules ? x86m : x86)
								       : (with_modules ? armm : arm);
		int st = make(&b, targets);

		if (st < 0) {
			/* killed: nothing is known about the kernel; not recorded */
			error("the build of %.12s was interrupted (see %s)", b.commit, b.log);
			goto out;
		}
		if (st > 0) {
			tail = tail_lines(b.log, LOG_TAIL_LINES);
			errline = first_error_line(b.log);
			msg = xstrfmt("make exited with status %d%s%s", st, errline ? ": " : "",
				      errline ? errline : "");
			m.status = "failed";
			m.stage = "build";
			m.message = msg;
			m.log_tail = tail;
			m.seconds = since(t0);
			if (publish(&b, key, &m) == 0) {
				record_request(&b, rkey, key);
				kbuild_artifact_load(b.home, key, a);
			}
			error("kernel %.12s (%s) does not build: %s\n--- last lines of the build log:\n%s",
			      b.commit, b.arch, msg, tail);
			goto out;
		}
	}
	if (collect(&b, &have, &image, &dtb, &modules) < 0)
		goto out;
	{
		char *rel = xstrfmt("%s/include/config/kernel.release", b.out);

		read_file_trim(rel, release, sizeof(release));
		free(rel);
	}
	m.status = "ok";
	m.release = release;
	m.image = image;
	m.dtb = dtb;
	m.modules = modules;
	m.seconds = since(t0);
	if (publish(&b, key, &m) < 0 || record_request(&b, rkey, key) < 0 ||
	    kbuild_artifact_load(b.home, key, a) < 0)
		goto out;
	ret = 0;
out:
	kconfig_release(&have);
	build_release(&b);
	free(rkey);
	free(key);
	free(config);
	free(base);
	free(merged);
	free(report);
	free(cfgpath);
	free(tail);
	free(msg);
	free(errline);
	return ret;
}
