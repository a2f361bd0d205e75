/*
 * kbuild.h - kernel trees and builds for the lab (issue 5, ci/):
 *
 *   tree      a base git repository made from Debian's linux-source-6.1
 *             (one commit, tagged), or any kernel git tree;
 *   worktree  one git worktree per revision of a patch series: `git am`
 *             of the series onto the base; a patch that does not apply is
 *             an error naming it, and leaves no worktree behind;
 *   build     a small kernel for one device kind (x86_64 virtual board,
 *             arm64 virt / Raspberry Pi 4B) from tinyconfig plus the
 *             fragments in ci/config/, out of tree, with ccache, niced;
 *             every build (good or failed) is an artifact named by
 *             sha256(commit, arch, toolchain, final .config) and reused
 *             when the same thing is asked for again.
 *
 * Layout under the lab's home ($SWAPLAB_HOME, default /var/lib/swaplab,
 * outside any clone so CI reruns reuse it):
 *   linux/                     default base tree (tag v6.1-debian)
 *   worktrees/<name>/          revisions made by `swaplab kernel worktree`
 *   build/<slot>/{src,out}     one detached worktree + output dir per
 *                              (repository, arch): switching commits
 *                              rebuilds only what changed
 *   artifacts/<key>/           manifest.json, config, build.log, and on
 *                              success the image (+ dtb, modules.tar.gz)
 *   artifacts/requests/<rkey>  request key -> artifact key, so a repeated
 *                              request is answered without touching a tree
 *
 * Library code: returns error() (-1), never exits.
 */
#ifndef SWAPLAB_CI_KBUILD_H
#define SWAPLAB_CI_KBUILD_H

#include <stddef.h>

#define KBUILD_DEFAULT_HOME "/var/lib/swaplab"
#define KBUILD_DEFAULT_CCACHE "/var/cache/swaplab/ccache"
/* The default base: what `kernel tree` makes and the pipeline applies a
 * series to when its base-commit names no pinned base. */
#define KBUILD_DEFAULT_BASE "6.12"
/* The installed Debian source `kernel tree --source` imports by default. */
#define KBUILD_DEBIAN_TARBALL "/usr/src/linux-source-6.1.tar.xz"
#define KBUILD_DEBIAN_TAG "v6.1-debian"

/*
 * The lab's base trees: Debian's linux-source packages at one pinned
 * version each, so every lab machine gets the same base commit (the
 * tree's one commit is dated by the tarball, which the package fixes).
 * A pinned version stays installable from Debian's archive after newer
 * ones arrive (`apt-get download PACKAGE=VERSION`); the tag follows
 * DEP-14 (debian/<version>, '~' as '_').
 */
struct kbuild_base {
	const char *name;     /* "6.12": what --base and series.json say */
	const char *package;  /* linux-source-6.12 */
	const char *version;  /* the pinned Debian version */
	const char *tag;      /* the tree's tag: debian/<version> */
	const char *dir;      /* the tree, under the lab's home */
	const char *commit;   /* the commit the import makes, on every machine */
};
/* Measured: `swaplab kernel tree --base NAME` on two lab homes. */
#define KBUILD_COMMIT_6_12 "783b17fac6ee9cded9367d15a7a0b18569b88a2f"
#define KBUILD_COMMIT_6_1  "2b88228b96f348f03b3d626249909152a6179891"
extern const struct kbuild_base kbuild_bases[];
extern const size_t kbuild_nr_bases;
/* By name ("6.12"), tag, or "package=version"; NULL if unknown. */
const struct kbuild_base *kbuild_base_find(const char *name);
/* The pinned base whose import commit this is (7 to 40 hex digits); NULL
 * if none.  How a series' base-commit names the tree it was written for. */
const struct kbuild_base *kbuild_base_by_commit(const char *commit);
/*
 * The base's tree under home (NULL: kbuild_home()), made when missing:
 * the pinned package is fetched with `apt-get download` into
 * <home>/debian/ (nothing is installed), its tarball unpacked and
 * imported (kbuild_tree_import).  *tree is malloc'd.
 */
int kbuild_base_tree(const struct kbuild_base *b, const char *home, char **tree);

/* `git rev-parse -q --verify REV^{commit}` in dir: the full id (malloc'd),
 * or NULL when rev names no commit there. */
char *kbuild_git_commit(const char *dir, const char *rev);

/* $SWAPLAB_HOME or KBUILD_DEFAULT_HOME (static storage). */
const char *kbuild_home(void);
/* Directory of the config fragments: $SWAPLAB_CONFIG_DIR, else ci/config
 * of the source tree the running binary was built in.  Malloc'd, or NULL
 * with a message. */
char *kbuild_config_dir(void);

/*
 * Imports a kernel source tarball (one top directory) into a new git
 * repository dir with one commit, dated by the tarball's mtime so the
 * commit id is the same on every machine, and tags it.  Idempotent: a dir
 * that already has the tag is left alone (*created = 0).  Built in a
 * temporary directory and renamed, so no half-made tree is left.
 */
int kbuild_tree_import(const char *tarball, const char *dir, const char *tag, int *created);
/* The same for a pinned base's tarball: the commit message names the
 * package and version (kbuild_base_tree uses it). */
int kbuild_tree_import_as(const char *tarball, const char *dir, const char *tag,
			  const struct kbuild_base *as, int *created);

/* Patches given as a directory (its *.patch, *.diff, *.mbox, *.eml in
 * name order) or as one mbox file. */
int kbuild_list_patches(const char *dir_or_file, char ***out, size_t *nr);
void kbuild_free_list(char **list, size_t nr);

struct kbuild_am_failure {
	char *patch;    /* file that did not apply */
	char *subject;  /* its subject, when git am said it */
	char *detail;   /* git am's output */
};

/*
 * Creates worktree path on a new branch from base (a revision of tree)
 * and `git am`s the patches in order.  If one does not apply: `git am
 * --abort`, the worktree and branch are removed, fail is filled and -1 is
 * returned with a message naming the patch.
 */
int kbuild_worktree_add(const char *tree, const char *path, const char *branch,
			const char *base, char *const *patches, size_t nr,
			struct kbuild_am_failure *fail);
void kbuild_am_failure_release(struct kbuild_am_failure *f);

struct kbuild_request {
	const char *tree;        /* git repository or worktree */
	const char *commit;      /* revision, default HEAD */
	const char *arch;        /* "x86_64" or "arm64" */
	char *const *fragments;  /* extra fragments applied after the defaults */
	size_t nr_fragments;
	const char *home;        /* default kbuild_home() */
	const char *ccache_dir;  /* default $CCACHE_DIR or KBUILD_DEFAULT_CCACHE */
	const char *config_dir;  /* default kbuild_config_dir() */
	unsigned jobs;           /* default: online CPUs */
	int force;               /* rebuild even a recorded failure or artifact */
};

struct kbuild_artifact {
	char *key;
	char *dir;
	char *status;    /* "ok" or "failed" */
	char *stage;     /* "config" or "build" when failed */
	char *arch, *commit, *release, *toolchain;
	char *config_sha256;  /* sha256 of the final .config: the config fingerprint */
	char *image, *dtb, *modules, *config, *log;  /* absolute paths or NULL */
	char *message;   /* why it failed */
	char *log_tail;  /* last lines of the build log when it failed */
	double build_seconds;
	int reused;      /* answered from the store, nothing built */
};

/*
 * Builds (or finds) the artifact for a request.  Returns 0 when an ok
 * artifact is there; -1 otherwise - with a->status "failed" (and
 * a->message, a->log_tail) when the failure is recorded in the store,
 * with a->status NULL when nothing could be recorded (bad arguments,
 * git or disk errors).
 */
int kbuild_build(const struct kbuild_request *r, struct kbuild_artifact *a);
/* Loads artifacts/<key>/manifest.json of home (NULL: kbuild_home()). */
int kbuild_artifact_load(const char *home, const char *key, struct kbuild_artifact *a);
void kbuild_artifact_release(struct kbuild_artifact *a);

/* Kernel ARCH= for an arch name ("x86_64", "arm64"; "aarch64" is taken as
 * arm64); NULL if unsupported. */
const char *kbuild_arch(const char *name);

#endif
