/*
 * command.c - what every command shares in the command layer: running a
 * command or sub-verb from its table after checking what it declared it
 * needs, and opening the database the way it declared.
 */
#include "src/builtin.h"
#include "common/util.h"
#include "db/db.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cmd_exit_status_help[] =
	"exit status: 0 success, 1 what was asked failed (a build, a regression found),\n"
	"2 an infrastructure failure that may be retried, 125 could not decide or\n"
	"measure (git bisect run: skip), 128 fatal error, 129 bad usage.\n";

/* The command being run: cmd_open_db() and the checks read its flags. */
static const struct cmd_struct *current;

static void list_commands(FILE *f, const char *name, const struct cmd_struct *cmds, size_t nr)
{
	int top = !current;
	size_t i;

	fprintf(f, "usage: %s <%s> [<args>]\n\n%ss:\n", name, top ? "command" : "verb",
		top ? "command" : "verb");
	for (i = 0; i < nr; i++)
		fprintf(f, "   %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'%s <%s> --help' describes one.\n", name,
		top ? "command" : "verb");
	if (top)
		fprintf(f, "\n%s", cmd_exit_status_help);
}

/*
 * The root check of a CMD_NEED_ROOT command runs from parse_options()
 * (po_after_parse), once its options parsed: --help and usage errors
 * (129) come first, and a command's help is readable without root.
 * Such a command must therefore parse its options with parse_options().
 */
static const char *root_needed_by;

static int check_root(void)
{
	if (geteuid() == 0)
		return 0;
	return error("'%s' needs root: it creates swap devices and changes zram, zswap and "
		     "THP settings", root_needed_by);
}

static int run_one(const char *parent, const struct cmd_struct *c, int argc, char **argv)
{
	char *full = xstrfmt("%s %s", parent, c->name);
	const struct cmd_struct *saved = current;
	int ret;

	if (c->flags & CMD_NEED_ROOT) {
		root_needed_by = full;
		po_after_parse = check_root;
	}
	/* argv[0] becomes the full command name, for usage lines and messages. */
	argv[0] = full;
	current = c;
	ret = c->fn(argc, argv);
	current = saved;
	po_after_parse = NULL;
	free(full);
	return ret;
}

int run_subcommand(const char *name, const struct cmd_struct *cmds, size_t nr,
		   int argc, char **argv)
{
	int top = !current;
	size_t i;

	if (argc < 2) {
		list_commands(stderr, name, cmds, nr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		list_commands(stdout, name, cmds, nr);
		return EXIT_OK;
	}
	for (i = 0; i < nr; i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			/* A verb inherits the command's flags. */
			struct cmd_struct c = cmds[i];

			if (!top)
				c.flags |= current->flags;
			return run_one(name, &c, argc - 1, argv + 1);
		}
	error("'%s' is not a %s %s; see '%s --help'", argv[1], name,
	      top ? "command" : "verb", name);
	return EXIT_USAGE;
}

struct db *cmd_open_db(const char *path)
{
	int write = current && (current->flags & CMD_DB_WRITE);

	return db_open(path ? path : DB_DEFAULT_PATH, write ? DB_CREATE : DB_READONLY);
}

