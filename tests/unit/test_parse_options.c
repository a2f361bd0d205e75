/*
 * test_parse_options.c - the option layer (common/parse-options.h): both
 * value forms, no abbreviations, "--", revisions N and vN, one error line
 * naming the option, --help on stdout, and the after-parse hook the
 * command layer's root check uses (not run for --help or a usage error).
 */
#include "common/parse-options.h"
#include "common/util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dbpath, *label;
static unsigned revision, rounds;
static int json;
static struct strlist list;

static const struct po_option opts[] = {
	OPT_DB(&dbpath),
	OPT_STRING(0, "label", &label, "NAME", "a label"),
	OPT_REVISION(&revision),
	OPT_UINT(0, "rounds", &rounds, "N", "rounds", 1, 10),
	OPT_LIST(0, "option", &list, "KEY=VALUE", "repeatable"),
	OPT_JSON(&json),
	OPT_END(),
};

static const char *const usage[] = { "prog [<options>]", NULL };

/* Output of the last parse: stdout and stderr, and the result. */
static char out[8192], err[8192];

static int capture_fd(int fd, char *buf, size_t len, FILE *f, int saved)
{
	ssize_t n;

	fflush(f);
	dup2(saved, fileno(f));
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return 0;
}

/* Parses a NULL-terminated copy of args; fills out and err. */
static int parse(const char **args, unsigned flags, char ***rest)
{
	static char *argv[32];
	char tmpl_o[] = "/tmp/po-out-XXXXXX", tmpl_e[] = "/tmp/po-err-XXXXXX";
	int fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e), so, se, argc, ret;

	unlink(tmpl_o);
	unlink(tmpl_e);
	for (argc = 0; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	dbpath = label = NULL;
	revision = rounds = 0;
	json = 0;
	strlist_release(&list);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fo, 1);
	dup2(fe, 2);
	ret = parse_options(argc, argv, opts, usage, flags);
	capture_fd(fo, out, sizeof(out), stdout, so);
	capture_fd(fe, err, sizeof(err), stderr, se);
	if (rest)
		*rest = argv;
	return ret;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int hook_calls, hook_result;
static int hook(void)
{
	hook_calls++;
	if (hook_result < 0)
		return error("refused by the hook");
	return 0;
}

int main(void)
{
	char **rest;
	int n;

	{
		const char *a[] = { "prog", "--db", "a.db", "--label=x", "-v", "v3", "--rounds=2", NULL };
		n = parse(a, 0, NULL);
		ok(n == 0 && !strcmp(dbpath, "a.db") && !strcmp(label, "x") && revision == 3 && rounds == 2,
		   "--opt value, --opt=value, -v vN");
	}
	{
		const char *a[] = { "prog", "--revision=7", NULL };
		ok(parse(a, 0, NULL) == 0 && revision == 7, "--revision=N");
	}
	{
		const char *a[] = { "prog", "-v", "0", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_ERROR && po_exit_code(n) == EXIT_USAGE, "revision 0 is a usage error");
		ok(lines(err) == 1 && strstr(err, "'--revision'") && strstr(err, "'0'"),
		   "one error line naming --revision and the value: %.*s", (int)strcspn(err, "\n"), err);
	}
	{
		const char *a[] = { "prog", "--lab", "x", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_ERROR && lines(err) == 1 && strstr(err, "'--lab'") && strstr(err, "--label"),
		   "no abbreviation: --lab is unknown and --label suggested: %.*s", (int)strcspn(err, "\n"), err);
	}
	{
		const char *a[] = { "prog", "--json", "--db", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_ERROR && lines(err) == 1 && strstr(err, "'--db' needs a value"),
		   "a missing value at the end: one line naming it: %.*s", (int)strcspn(err, "\n"), err);
	}
	{
		const char *a[] = { "prog", "--db", "--json", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_ERROR && lines(err) == 1 && strstr(err, "'--db' needs a value"),
		   "the next option is not taken as the value: %.*s", (int)strcspn(err, "\n"), err);
	}
	{
		const char *a[] = { "prog", "--json=yes", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_ERROR && lines(err) == 1 && strstr(err, "'--json' takes no value"),
		   "a flag with a value: %.*s", (int)strcspn(err, "\n"), err);
	}
	{
		const char *a[] = { "prog", "--rounds", "11", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_ERROR && lines(err) == 1 && strstr(err, "'--rounds'"),
		   "a number out of range names the option: %.*s", (int)strcspn(err, "\n"), err);
	}
	{
		const char *a[] = { "prog", "one", "--option", "a=1", "two", "--option=b=2", "--",
				    "--json", "x", NULL };
		n = parse(a, PO_KEEP_DASHDASH, &rest);
		ok(n == 5 && !strcmp(rest[0], "one") && !strcmp(rest[1], "two") &&
		   !strcmp(rest[2], "--") && !strcmp(rest[3], "--json") && !json,
		   "arguments in order; after '--' untouched (%d)", n);
		ok(list.nr == 2 && !strcmp(list.items[1], "b=2"), "a list option collects every value");
		ok(po_dashdash(n, rest) == 2, "po_dashdash finds '--'");
	}
	{
		const char *a[] = { "prog", "--help", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_HELP && po_exit_code(n) == EXIT_OK && !*err &&
		   strstr(out, "usage: prog [<options>]") && strstr(out, "--revision N"),
		   "--help: generated, on stdout, exit 0");
	}

	/* The after-parse hook: once, after a good parse only. */
	po_after_parse = hook;
	hook_calls = 0;
	hook_result = 0;
	{
		const char *a[] = { "prog", "--help", NULL };
		ok(parse(a, 0, NULL) == PO_HELP && hook_calls == 0, "hook: not run for --help");
	}
	{
		const char *a[] = { "prog", "--no-such-option", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_ERROR && hook_calls == 0 && lines(err) == 1,
		   "hook: not run after a usage error, which stays 129");
	}
	{
		const char *a[] = { "prog", "--json", NULL };
		ok(parse(a, 0, NULL) == 0 && hook_calls == 1 && po_after_parse == NULL,
		   "hook: run once after a good parse, then reset");
	}
	po_after_parse = hook;
	hook_result = -1;
	{
		const char *a[] = { "prog", "--json", NULL };
		n = parse(a, 0, NULL);
		ok(n == PO_REFUSED && po_exit_code(n) == EXIT_FATAL && strstr(err, "refused by the hook"),
		   "hook: a refusal is PO_REFUSED, exit 128");
	}
	po_after_parse = NULL;
	strlist_release(&list);
	return done_testing();
}
