/*
 * cmd_kernel.c - `swaplab kernel`: the lab's kernel trees, revision
 * worktrees and content-addressed builds (ci/kbuild.h).
 *
 *   swaplab kernel tree [--dir DIR] [--source TARBALL] [--tag TAG]
 *   swaplab kernel worktree --name NAME --patches DIR|MBOX [--tree DIR]
 *                           [--base REV] [--dir PATH]
 *   swaplab kernel build [--tree DIR] [--commit REV] [--arch x86_64|arm64]
 *                        [--config-fragment FILE]... [--force] [-j N]
 *   swaplab kernel show KEY
 *
 * build and show print "field value" lines (key, status, image, ...) so
 * scripts can pick what they need; progress goes to stderr.
 */
#include "src/builtin.h"
#include "ci/kbuild.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* Every verb's help ends with where the lab keeps its trees. */
#define KERNEL_HOME_HELP \
	"", \
	"The lab's home is $SWAPLAB_HOME (default " KBUILD_DEFAULT_HOME "); the default", \
	"tree is its linux-" KBUILD_DEFAULT_BASE "/ ('swaplab kernel tree')."

static int usage_error(const char *msg)
{
	error("%s", msg);
	return EXIT_USAGE;
}

/* The default base's tree, made when missing; NULL with a message. */
static char *default_tree(void)
{
	char *tree;

	if (kbuild_base_tree(kbuild_base_find(KBUILD_DEFAULT_BASE), NULL, &tree) < 0)
		return NULL;
	return tree;
}

static const char *const tree_usage[] = {
	"swaplab kernel tree [--base 6.12|6.1]",
	"   or: swaplab kernel tree [--dir DIR] [--source TARBALL] [--tag TAG]",
	"",
	"Makes a kernel tree: a git repository of a source tarball, committed and",
	"tagged once; prints its directory.  By default, or with --base, one of",
	"the lab's pinned bases (default " KBUILD_DEFAULT_BASE "): Debian's linux-source package at",
	"one version, fetched from the archive when missing, the same commit on",
	"every machine.  With --dir, --source or --tag, the tarball given (default",
	"the installed " KBUILD_DEBIAN_TARBALL ") into DIR (default linux/).",
	KERNEL_HOME_HELP,
	NULL,
};

static int cmd_kernel__tree(int argc, char **argv)
{
	const char *dir = NULL, *source = NULL, *tag = NULL, *base = NULL;
	char *def;
	int created;
	const struct po_option opts[] = {
		OPT_STRING(0, "base", &base, "NAME", "a pinned base: 6.12 or 6.1 (or its tag, or PACKAGE=VERSION)"),
		OPT_STRING(0, "dir", &dir, "DIR", "where the tree goes (default: the lab's linux/)"),
		OPT_STRING(0, "source", &source, "TARBALL", "the source (default " KBUILD_DEBIAN_TARBALL ")"),
		OPT_STRING(0, "tag", &tag, "TAG", "the tag of its commit (default " KBUILD_DEBIAN_TAG ")"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, tree_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0)
		return usage_error(xstrfmt("unexpected argument '%s'", argv[0]));
	if (!base && !dir && !source && !tag)
		base = KBUILD_DEFAULT_BASE;
	if (base) {
		const struct kbuild_base *b = kbuild_base_find(base);
		char *tree;
		size_t i;

		if (dir || source || tag)
			return usage_error("--base goes alone: a pinned base has its own tarball, tag and directory");
		if (!b) {
			error("unknown base '%s'; the lab's pinned bases are:", base);
			for (i = 0; i < kbuild_nr_bases; i++)
				fprintf(stderr, "  %-5s %s=%s (tag %s)\n", kbuild_bases[i].name,
					kbuild_bases[i].package, kbuild_bases[i].version, kbuild_bases[i].tag);
			return EXIT_USAGE;
		}
		if (kbuild_base_tree(b, NULL, &tree) < 0)
			return EXIT_FAIL;
		info("%s: %s=%s, tag %s, commit %.12s", tree, b->package, b->version, b->tag, b->commit);
		printf("%s\n", tree);
		free(tree);
		return 0;
	}
	if (!source)
		source = KBUILD_DEBIAN_TARBALL;
	if (!tag)
		tag = KBUILD_DEBIAN_TAG;
	def = xstrfmt("%s/linux", kbuild_home());
	if (!dir)
		dir = def;
	if (kbuild_tree_import(source, dir, tag, &created) < 0) {
		free(def);
		return EXIT_FAIL;
	}
	info("%s %s (tag %s)", created ? "made" : "already have", dir, tag);
	printf("%s\n", dir);
	free(def);
	return 0;
}

static const char *const worktree_usage[] = {
	"swaplab kernel worktree --name NAME --patches DIR|MBOX [--tree DIR] [--base REV] [--dir PATH]",
	"",
	"Applies a revision's patches (git am) onto BASE in a worktree of its own,",
	"on the branch swaplab/NAME; prints its path, branch and commit.",
	KERNEL_HOME_HELP,
	NULL,
};

static int cmd_kernel__worktree(int argc, char **argv)
{
	const char *tree = NULL, *name = NULL, *patches = NULL, *base = NULL, *path = NULL;
	char *def = NULL, *defpath = NULL, *branch, **list = NULL, *head;
	struct kbuild_am_failure fail;
	size_t nr = 0;
	int ret;
	const struct po_option opts[] = {
		OPT_STRING(0, "name", &name, "NAME", "the worktree's name (required)"),
		OPT_STRING(0, "patches", &patches, "DIR|MBOX", "the patches to apply (required)"),
		OPT_STRING(0, "tree", &tree, "DIR", "the kernel tree (default: the lab's linux/)"),
		OPT_STRING(0, "base", &base, "REV", "what they apply onto (default HEAD)"),
		OPT_STRING(0, "dir", &path, "PATH", "where it goes (default: the lab's worktrees/NAME)"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, worktree_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc > 0)
		return usage_error(xstrfmt("unexpected argument '%s'", argv[0]));
	if (!name || !*name || strchr(name, '/') || name[0] == '.' || name[0] == '-')
		return usage_error("--name NAME is required (no '/', not starting with '.' or '-')");
	if (!patches)
		return usage_error("--patches DIR|MBOX is required");
	if (!tree && !(tree = def = default_tree()))
		return EXIT_FAIL;
	if (!base)
		base = "HEAD";
	if (!path)
		path = defpath = xstrfmt("%s/worktrees/%s", kbuild_home(), name);
	if (kbuild_list_patches(patches, &list, &nr) < 0) {
		free(def);
		free(defpath);
		return EXIT_FAIL;
	}
	branch = xstrfmt("swaplab/%s", name);
	ret = kbuild_worktree_add(tree, path, branch, base, list, nr, &fail);
	kbuild_free_list(list, nr);
	kbuild_am_failure_release(&fail);
	if (ret < 0) {
		free(branch);
		free(def);
		free(defpath);
		return EXIT_FAIL;
	}
	{
		const char *argv2[] = { "git", "-C", path, "rev-parse", "HEAD", NULL };

		if (run_argv_capture(argv2, &head) == 0) {
			printf("worktree %s\nbranch %s\ncommit %s", path, branch, head);
			free(head);
		}
	}
	info("applied %zu patch file(s) onto %s in %s", nr, base, path);
	free(branch);
	free(def);
	free(defpath);
	return 0;
}

static void print_artifact(const struct kbuild_artifact *a)
{
	printf("key %s\nstatus %s\n", a->key, a->status);
	if (a->stage)
		printf("stage %s\n", a->stage);
	printf("reused %s\n", a->reused ? "yes" : "no");
	printf("arch %s\ncommit %s\n", a->arch ? a->arch : "", a->commit ? a->commit : "");
	if (a->release)
		printf("release %s\n", a->release);
	printf("dir %s\n", a->dir);
	if (a->image)
		printf("image %s\n", a->image);
	if (a->dtb)
		printf("dtb %s\n", a->dtb);
	if (a->modules)
		printf("modules %s\n", a->modules);
	if (a->config)
		printf("config %s\n", a->config);
	if (a->log)
		printf("log %s\n", a->log);
	printf("build_seconds %.1f\n", a->build_seconds);
}

static const char *const build_usage[] = {
	"swaplab kernel build [--tree DIR] [--commit REV] [--arch ARCH] [--config-fragment FILE]... [--force] [-j N]",
	"",
	"Builds a commit for the lab (the config is the lab's base config and the",
	"fragments); a build is stored under a key of what went in and reused.",
	"Prints \"field value\" lines (key, status, image, ...); progress goes to",
	"standard error.  Exit status 1: the build failed.",
	KERNEL_HOME_HELP,
	NULL,
};

static int cmd_kernel__build(int argc, char **argv)
{
	struct kbuild_request r;
	struct kbuild_artifact a;
	struct strlist frags = { 0 };
	char *def = NULL;
	int ret;
	const struct po_option opts[] = {
		OPT_STRING(0, "tree", &r.tree, "DIR", "the kernel tree (default: the lab's linux/)"),
		OPT_STRING(0, "commit", &r.commit, "REV", "what to build (default: the tree's HEAD)"),
		OPT_STRING(0, "arch", &r.arch, "x86_64|arm64", "the architecture (default x86_64)"),
		OPT_LIST(0, "config-fragment", &frags, "FILE", "a config fragment (repeatable)"),
		OPT_FLAG(0, "force", &r.force, "build again, even a recorded failure"),
		OPT_UINT('j', "jobs", &r.jobs, "N", "make's jobs (default: the CPUs)", 1, 1024),
		OPT_END(),
	};

	memset(&r, 0, sizeof(r));
	r.arch = "x86_64";
	argc = parse_options(argc, argv, opts, build_usage, 0);
	if (argc < 0) {
		strlist_release(&frags);
		return po_exit_code(argc);
	}
	if (argc > 0) {
		strlist_release(&frags);
		return usage_error(xstrfmt("unexpected argument '%s'", argv[0]));
	}
	if (!kbuild_arch(r.arch)) {
		strlist_release(&frags);
		return usage_error(xstrfmt("unsupported --arch '%s' (x86_64 or arm64)", r.arch));
	}
	if (!r.tree && !(r.tree = def = default_tree()))
		return EXIT_FAIL;
	/* The request's list is not const; the strings are argv's. */
	r.fragments = (char *const *)frags.items;
	r.nr_fragments = frags.nr;
	ret = kbuild_build(&r, &a);
	if (a.status)
		print_artifact(&a);
	if (ret == 0)
		info("%s %s: %s", a.reused ? "reused" : "built", a.key, a.image);
	kbuild_artifact_release(&a);
	strlist_release(&frags);
	free(def);
	return ret ? EXIT_FAIL : EXIT_OK;
}

static const char *const show_usage[] = {
	"swaplab kernel show KEY",
	"",
	"Prints a stored build's \"field value\" lines, as build does, and its",
	"message when it failed.",
	NULL,
};

static int cmd_kernel__show(int argc, char **argv)
{
	struct kbuild_artifact a;
	const struct po_option opts[] = {
		OPT_END(),
	};

	argc = parse_options(argc, argv, opts, show_usage, 0);
	if (argc < 0)
		return po_exit_code(argc);
	if (argc != 1)
		return usage_error("show needs one artifact KEY");
	if (kbuild_artifact_load(NULL, argv[0], &a) < 0)
		return EXIT_FAIL;
	a.reused = 1;
	print_artifact(&a);
	if (a.message)
		printf("message %s\n", a.message);
	kbuild_artifact_release(&a);
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	static const struct cmd_struct verbs[] = {
		{ "tree", cmd_kernel__tree, 0, "make the lab's kernel tree from the source tarball" },
		{ "worktree", cmd_kernel__worktree, 0, "a revision's patches applied in a worktree" },
		{ "build", cmd_kernel__build, 0, "build a commit for the lab, or reuse its build" },
		{ "show", cmd_kernel__show, 0, "a stored build's fields" },
	};

	return run_subcommand("swaplab kernel", verbs, ARRAY_SIZE(verbs), argc, argv);
}
