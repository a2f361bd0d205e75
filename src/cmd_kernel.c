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

static const char kernel_usage[] =
	"usage: swaplab kernel tree [--dir DIR] [--source TARBALL] [--tag TAG]\n"
	"   or: swaplab kernel worktree --name NAME --patches DIR|MBOX [--tree DIR] [--base REV] [--dir PATH]\n"
	"   or: swaplab kernel build [--tree DIR] [--commit REV] [--arch x86_64|arm64]\n"
	"                            [--config-fragment FILE]... [--force] [-j N]\n"
	"   or: swaplab kernel show KEY\n"
	"\n"
	"The lab's home is $SWAPLAB_HOME (default " KBUILD_DEFAULT_HOME "); the default\n"
	"tree is its linux/ (Debian's linux-source-6.1, tagged " KBUILD_DEBIAN_TAG ").\n";

static void usage_die(const char *msg)
{
	if (msg)
		error("%s", msg);
	fputs(kernel_usage, stderr);
	exit(129);
}

/* The value of an option at argv[*i] ("--opt VALUE" or "--opt=VALUE"). */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name))
		return NULL;
	if (*i + 1 >= argc)
		usage_die(xstrfmt("%s needs a value", name));
	return argv[++*i];
}

static char *default_tree(void)
{
	return xstrfmt("%s/linux", kbuild_home());
}

static int cmd_kernel__tree(int argc, char **argv)
{
	const char *dir = NULL, *source = KBUILD_DEBIAN_TARBALL, *tag = KBUILD_DEBIAN_TAG, *v;
	char *def = default_tree();
	int i, created;

	for (i = 1; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--dir")))
			dir = v;
		else if ((v = opt_value(argc, argv, &i, "--source")))
			source = v;
		else if ((v = opt_value(argc, argv, &i, "--tag")))
			tag = v;
		else
			usage_die(xstrfmt("unknown option '%s'", argv[i]));
	}
	if (!dir)
		dir = def;
	if (kbuild_tree_import(source, dir, tag, &created) < 0)
		return 1;
	info("%s %s (tag %s)", created ? "made" : "already have", dir, tag);
	printf("%s\n", dir);
	free(def);
	return 0;
}

static int cmd_kernel__worktree(int argc, char **argv)
{
	const char *tree = NULL, *name = NULL, *patches = NULL, *base = NULL, *path = NULL, *v;
	char *def = default_tree(), *defpath = NULL, *branch, **list = NULL, *head;
	struct kbuild_am_failure fail;
	size_t nr = 0;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--tree")))
			tree = v;
		else if ((v = opt_value(argc, argv, &i, "--name")))
			name = v;
		else if ((v = opt_value(argc, argv, &i, "--patches")))
			patches = v;
		else if ((v = opt_value(argc, argv, &i, "--base")))
			base = v;
		else if ((v = opt_value(argc, argv, &i, "--dir")))
			path = v;
		else
			usage_die(xstrfmt("unknown option '%s'", argv[i]));
	}
	if (!name || !*name || strchr(name, '/') || name[0] == '.' || name[0] == '-')
		usage_die("--name NAME is required (no '/', not starting with '.' or '-')");
	if (!patches)
		usage_die("--patches DIR|MBOX is required");
	if (!tree)
		tree = def;
	if (!base)
		base = "HEAD";
	if (!path)
		path = defpath = xstrfmt("%s/worktrees/%s", kbuild_home(), name);
	if (kbuild_list_patches(patches, &list, &nr) < 0)
		return 1;
	branch = xstrfmt("swaplab/%s", name);
	ret = kbuild_worktree_add(tree, path, branch, base, list, nr, &fail);
	kbuild_free_list(list, nr);
	kbuild_am_failure_release(&fail);
	if (ret < 0)
		return 1;
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

static int cmd_kernel__build(int argc, char **argv)
{
	struct kbuild_request r;
	struct kbuild_artifact a;
	char *def = default_tree(), **frags = NULL;
	size_t nr = 0, alloc = 0;
	const char *v;
	int i, ret;

	memset(&r, 0, sizeof(r));
	r.arch = "x86_64";
	for (i = 1; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--tree")))
			r.tree = v;
		else if ((v = opt_value(argc, argv, &i, "--commit")))
			r.commit = v;
		else if ((v = opt_value(argc, argv, &i, "--arch")))
			r.arch = v;
		else if ((v = opt_value(argc, argv, &i, "--config-fragment"))) {
			ALLOC_GROW(frags, nr + 1, alloc);
			frags[nr++] = (char *)v;
		} else if ((v = opt_value(argc, argv, &i, "-j"))) {
			if (parse_uint(v, 1, 1024, &r.jobs) < 0)
				usage_die(NULL);
		} else if (!strcmp(argv[i], "--force"))
			r.force = 1;
		else
			usage_die(xstrfmt("unknown option '%s'", argv[i]));
	}
	if (!kbuild_arch(r.arch))
		usage_die(xstrfmt("unsupported --arch '%s' (x86_64 or arm64)", r.arch));
	if (!r.tree)
		r.tree = def;
	r.fragments = frags;
	r.nr_fragments = nr;
	ret = kbuild_build(&r, &a);
	if (a.status)
		print_artifact(&a);
	if (ret == 0)
		info("%s %s: %s", a.reused ? "reused" : "built", a.key, a.image);
	kbuild_artifact_release(&a);
	free(frags);
	free(def);
	return ret ? 1 : 0;
}

static int cmd_kernel__show(int argc, char **argv)
{
	struct kbuild_artifact a;

	if (argc != 2)
		usage_die("show needs one artifact KEY");
	if (kbuild_artifact_load(NULL, argv[1], &a) < 0)
		return 1;
	a.reused = 1;
	print_artifact(&a);
	if (a.message)
		printf("message %s\n", a.message);
	kbuild_artifact_release(&a);
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(kernel_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 129 : 0;
	}
	if (!strcmp(argv[1], "tree"))
		return cmd_kernel__tree(argc - 1, argv + 1);
	if (!strcmp(argv[1], "worktree"))
		return cmd_kernel__worktree(argc - 1, argv + 1);
	if (!strcmp(argv[1], "build"))
		return cmd_kernel__build(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return cmd_kernel__show(argc - 1, argv + 1);
	usage_die(xstrfmt("unknown kernel command '%s'", argv[1]));
	return 129;
}
