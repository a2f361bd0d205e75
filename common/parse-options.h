/*
 * parse-options.h - the one option layer of every swaplab command, every
 * sub-verb and the static swapbench.
 *
 * A command declares its options once, as a table of struct po_option;
 * parse_options() parses argv with getopt_long (glibc's, so it works in
 * the static benchmark too) and --help is generated from the same table.
 * What every command gets from it:
 *
 *   --opt value and --opt=value; -o value and -ovalue;
 *   no abbreviations: a long option is spelled in full or it is unknown;
 *   options and arguments in any order; "--" ends the options and the
 *   rest is passed through untouched;
 *   --help / -h prints the generated help on standard output;
 *   an unknown option, a missing or a bad value is one error line that
 *   names the option, and the caller exits 129 (EXIT_USAGE).
 *
 * Library code: it never exits.  The command layer turns the return value
 * into an exit status with po_exit_code().
 */
#ifndef SWAPLAB_COMMON_PARSE_OPTIONS_H
#define SWAPLAB_COMMON_PARSE_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

/*
 * Exit statuses, the same for every command (docs/architecture.md):
 *   0    success
 *   1    what was asked failed (a build failed, a regression was found)
 *   2    an infrastructure failure that may be retried
 *   125  could not decide or measure (what `git bisect run` skips)
 *   128  a fatal error (git's die())
 *   129  bad usage: unknown option, missing or bad value
 */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_INFRA = 2,
	EXIT_UNDECIDED = 125,
	EXIT_FATAL = 128,
	EXIT_USAGE = 129,
};

enum po_type {
	PO_END = 0,
	PO_GROUP,     /* a heading in --help, no option */
	PO_FLAG,      /* int *: set to `min` (1 unless OPT_SET_INT) */
	PO_STRING,    /* const char **: the argument (the last one wins) */
	PO_UINT,      /* unsigned *: a decimal in [min, max] */
	PO_LIST,      /* struct strlist *: every occurrence appended */
	PO_CALLBACK,  /* cb(opt, arg): arg is NULL when argh is NULL */
	PO_REVISION,  /* unsigned *: a revision, "3" or "v3" */
};

struct po_option;
/* 0, or -1 after an error() that names the option and the value. */
typedef int (*po_callback)(const struct po_option *opt, const char *arg);

struct po_option {
	enum po_type type;
	int short_name;       /* 0: none */
	const char *long_name;
	void *value;          /* the destination; a callback's context */
	const char *argh;     /* the argument's name in --help; NULL: no argument */
	const char *help;
	po_callback cb;
	unsigned long long min, max;
};

/* A growing list of strings (repeatable options, positional arguments). */
struct strlist {
	const char **items;
	size_t nr, alloc;
};
void strlist_append(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

#define OPT_END() { PO_END, 0, NULL, NULL, NULL, NULL, NULL, 0, 0 }
#define OPT_GROUP(h) { PO_GROUP, 0, NULL, NULL, NULL, (h), NULL, 0, 0 }
#define OPT_FLAG(s, l, v, h) { PO_FLAG, (s), (l), (v), NULL, (h), NULL, 1, 0 }
#define OPT_SET_INT(s, l, v, val, h) { PO_FLAG, (s), (l), (v), NULL, (h), NULL, (val), 0 }
#define OPT_STRING(s, l, v, a, h) { PO_STRING, (s), (l), (v), (a), (h), NULL, 0, 0 }
#define OPT_UINT(s, l, v, a, h, lo, hi) { PO_UINT, (s), (l), (v), (a), (h), NULL, (lo), (hi) }
#define OPT_LIST(s, l, v, a, h) { PO_LIST, (s), (l), (v), (a), (h), NULL, 0, 0 }
#define OPT_CALLBACK(s, l, v, a, h, fn) { PO_CALLBACK, (s), (l), (v), (a), (h), (fn), 0, 0 }

/* The options that recur across commands, declared once. */
#define OPT_DB(v) OPT_STRING(0, "db", (v), "FILE", "the results database (default lab.db)")
#define OPT_JSON(v) OPT_FLAG(0, "json", (v), "print JSON (one object per line)")
#define OPT_REVISION(v) \
	{ PO_REVISION, 'v', "revision", (v), "N", "the revision of the series (N or vN)", NULL, 1, 9999 }
#define OPT_QUIET(v) OPT_FLAG('q', "quiet", (v), "no progress on standard error")
/* --alpha A: a significance level in [0.001, 0.2], into a double. */
int po_cb_alpha(const struct po_option *opt, const char *arg);
#define OPT_ALPHA(v, h) OPT_CALLBACK(0, "alpha", (v), "A", (h), po_cb_alpha)

/* Parsing flags. */
enum {
	PO_KEEP_DASHDASH = 1 << 0,     /* leave "--" among the arguments */
	PO_STOP_AT_NON_OPTION = 1 << 1 /* the first argument ends the options */
};

/* What parse_options() returns besides a count of arguments. */
enum { PO_ERROR = -1, PO_HELP = -2, PO_REFUSED = -3 };

/*
 * Called once, after the options parsed without error and before
 * parse_options() returns (one-shot: reset to NULL before the call).  The
 * command layer sets it to check what a command needs, such as root, so
 * that --help and usage errors come before that refusal.  Returning < 0
 * (after a message) makes parse_options() return PO_REFUSED.
 */
extern int (*po_after_parse)(void);

/*
 * Parses argv[1..argc) against opts (argv[0] is the command, "swaplab
 * run").  On success the arguments that are not options (and everything
 * after "--") are moved, in order, to argv[0..n) and n is returned.
 * usage[] holds the synopsis lines, then optionally "" and lines of
 * prose; it is printed at the top of --help.  Returns PO_HELP after
 * printing the help on stdout, PO_ERROR after one error line on stderr.
 */
int parse_options(int argc, char **argv, const struct po_option *opts,
		  const char *const *usage, unsigned flags);

/* Writes the generated help (synopsis and option table) to f. */
void po_usage(FILE *f, const struct po_option *opts, const char *const *usage);

/* The exit status for a negative parse_options() result: 0 for --help,
 * 128 for a refusal by po_after_parse, 129 for bad usage. */
static inline int po_exit_code(int ret)
{
	return ret == PO_HELP ? EXIT_OK : ret == PO_REFUSED ? EXIT_FATAL : EXIT_USAGE;
}

/* Index of "--" among the arguments parse_options() left (with
 * PO_KEEP_DASHDASH), or -1. */
int po_dashdash(int argc, char **argv);

/* "3" or "v3" (also "V3") within [1, 9999]; -1 with a message otherwise. */
int parse_revision(const char *s, unsigned *out);

#endif
