/*
 * parse-options.c - the option layer (parse-options.h): a table of
 * struct po_option turned into getopt_long's tables, the rules every
 * command shares enforced on top of it, and --help generated from it.
 *
 * getopt_long accepts any unique prefix of a long option; swaplab does
 * not (a script that says --bas today must not mean --base-dir tomorrow),
 * so every long option getopt returns is checked against the token the
 * user typed.  That token is argv[optind] as it was before the call: in
 * RETURN_IN_ORDER mode ("-" optstring) and REQUIRE_ORDER mode ("+")
 * getopt never permutes argv, and a long option is always a whole token.
 */
#include "common/parse-options.h"
#include "common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int (*po_after_parse)(void);

#define PO_HELP_VAL 0x10000
#define PO_LONG_VAL 0x100 /* val of a long option without a short name: + index */

void strlist_append(struct strlist *l, const char *s)
{
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = s;
}

void strlist_release(struct strlist *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* "3" or "v3" within [1, 9999] into *out; -1 (no message) otherwise. */
static int revision_value(const char *s, unsigned *out)
{
	const char *p = s;
	char *end;
	unsigned long v;

	if (*p == 'v' || *p == 'V')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	v = strtoul(p, &end, 10);
	if (*end || v < 1 || v > 9999)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int parse_revision(const char *s, unsigned *out)
{
	if (revision_value(s, out) < 0)
		return error("'%s' is not a revision: expected N or vN (3, v3), 1 to 9999", s);
	return 0;
}

int po_dashdash(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			return i;
	return -1;
}

static int takes_arg(const struct po_option *o)
{
	switch (o->type) {
	case PO_STRING:
	case PO_UINT:
	case PO_LIST:
	case PO_REVISION:
		return 1;
	case PO_CALLBACK:
		return o->argh != NULL;
	default:
		return 0;
	}
}

static int is_option(const struct po_option *o)
{
	return o->type != PO_GROUP && o->type != PO_END;
}

static int declares(const struct po_option *opts, int shrt, const char *lng)
{
	for (; opts->type != PO_END; opts++)
		if (is_option(opts) && ((shrt && opts->short_name == shrt) ||
					(lng && opts->long_name && !strcmp(opts->long_name, lng))))
			return 1;
	return 0;
}

/* The name of an option as the user would type it, for messages. */
static const char *opt_name(const struct po_option *o, char *buf, size_t len)
{
	if (o->long_name)
		snprintf(buf, len, "--%s", o->long_name);
	else
		snprintf(buf, len, "-%c", o->short_name);
	return buf;
}

static int set_value(const struct po_option *o, const char *arg)
{
	char name[64];
	unsigned long long v;
	char *end;

	opt_name(o, name, sizeof(name));
	switch (o->type) {
	case PO_FLAG:
		*(int *)o->value = (int)o->min;
		return 0;
	case PO_STRING:
		*(const char **)o->value = arg;
		return 0;
	case PO_LIST:
		strlist_append(o->value, arg);
		return 0;
	case PO_UINT:
		if (*arg < '0' || *arg > '9')
			goto bad_uint;
		v = strtoull(arg, &end, 10);
		if (*end || v < o->min || v > o->max)
			goto bad_uint;
		*(unsigned *)o->value = (unsigned)v;
		return 0;
	case PO_REVISION:
		/* One line that names the option, like every other bad value. */
		if (revision_value(arg, o->value) < 0)
			return error("option '%s' expects a revision N or vN (3, v3), 1 to 9999, not '%s'",
				     name, arg);
		return 0;
	case PO_CALLBACK:
		return o->cb(o, arg);
	default:
		return error("option '%s' has no type (a bug)", name);
	}
bad_uint:
	return error("option '%s' expects a whole number from %llu to %llu, not '%s'", name,
		     o->min, o->max, arg);
}

/*
 * When `tok` (what the user typed, "--bas" or "--bas=x") is a prefix of
 * declared long options, names the first one for the message.
 */
static const char *prefix_of(const struct po_option *opts, const char *tok)
{
	size_t n = strcspn(tok, "=");

	if (n == 0)
		return NULL;
	for (; opts->type != PO_END; opts++)
		if (is_option(opts) && opts->long_name && !strncmp(opts->long_name, tok, n))
			return opts->long_name;
	return !strncmp("help", tok, n) ? "help" : NULL;
}

static int unknown_long(const struct po_option *opts, const char *tok)
{
	const char *like = prefix_of(opts, tok + 2);
	int n = (int)strcspn(tok, "=");

	if (like)
		return error("unknown option '%.*s' (options are never abbreviated: '--%s'?)", n,
			     tok, like);
	return error("unknown option '%.*s'", n, tok);
}

int parse_options(int argc, char **argv, const struct po_option *opts,
		  const char *const *usage, unsigned flags)
{
	size_t nr = 0, i, nlong = 0;
	struct option *longopts;
	const struct po_option **byval;
	char *shortopts, *sp;
	char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
	int nrest = 0, ret = 0, want_h = !declares(opts, 'h', NULL);

	for (i = 0; opts[i].type != PO_END; i++)
		nr++;
	longopts = xcalloc(nr + 2, sizeof(*longopts));
	byval = xcalloc(nr + 1, sizeof(*byval));
	sp = shortopts = xmalloc(2 * nr + 8);
	*sp++ = flags & PO_STOP_AT_NON_OPTION ? '+' : '-';
	*sp++ = ':';
	if (want_h)
		*sp++ = 'h';
	for (i = 0; i < nr; i++) {
		const struct po_option *o = &opts[i];

		if (!is_option(o))
			continue;
		byval[i] = o;
		if (o->short_name) {
			*sp++ = (char)o->short_name;
			if (takes_arg(o))
				*sp++ = ':';
		}
		if (o->long_name) {
			longopts[nlong].name = o->long_name;
			longopts[nlong].has_arg = takes_arg(o) ? required_argument : no_argument;
			longopts[nlong].val = o->short_name ? o->short_name : PO_LONG_VAL + (int)i;
			nlong++;
		}
	}
	if (!declares(opts, 0, "help")) {
		longopts[nlong].name = "help";
		longopts[nlong].val = PO_HELP_VAL;
		nlong++;
	}
	*sp = '\0';

	optind = 0; /* glibc: a full re-initialisation, also of a cluster in progress */
	opterr = 0;
	for (;;) {
		int prev = optind ? optind : 1, longindex = -1, c;
		const struct po_option *o = NULL;
		const char *tok;
		char name[64];

		c = getopt_long(argc, argv, shortopts, longopts, &longindex);
		tok = prev < argc ? argv[prev] : "";
		if (c == -1)
			break;
		if (c == 1) {          /* an argument, in order */
			rest[nrest++] = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			int is_long = tok[0] == '-' && tok[1] == '-';

			if (c == ':' && is_long)
				ret = error("option '%.*s' needs a value", (int)strcspn(tok, "="), tok);
			else if (c == ':')
				ret = error("option '-%c' needs a value", optopt);
			else if (is_long && strchr(tok, '=') && optopt)
				ret = error("option '%.*s' takes no value", (int)strcspn(tok, "="), tok);
			else if (is_long)
				ret = unknown_long(opts, tok);
			else
				ret = error("unknown option '-%c'", optopt ? optopt : '?');
			goto out;
		}
		/* No abbreviations: the token must spell the option in full. */
		if (longindex >= 0) {
			size_t n = strlen(longopts[longindex].name);

			if (strncmp(tok, "--", 2) || strncmp(tok + 2, longopts[longindex].name, n) ||
			    (tok[2 + n] != '\0' && tok[2 + n] != '=')) {
				ret = unknown_long(opts, tok);
				goto out;
			}
		}
		if (c == PO_HELP_VAL || (c == 'h' && want_h)) {
			po_usage(stdout, opts, usage);
			ret = PO_HELP;
			goto out;
		}
		if (c >= PO_LONG_VAL && c < PO_LONG_VAL + (int)nr)
			o = byval[c - PO_LONG_VAL];
		else
			for (i = 0; i < nr && !o; i++)
				if (byval[i] && byval[i]->short_name == c)
					o = byval[i];
		if (!o) {
			ret = error("option '%s' is declared but has no handler (a bug)", tok);
			goto out;
		}
		/* "--db --json": the next option was taken as the value. */
		if (takes_arg(o) && optarg && optarg == argv[optind - 1] && optind - 1 > prev &&
		    optarg[0] == '-' && optarg[1] == '-') {
			ret = error("option '%s' needs a value", opt_name(o, name, sizeof(name)));
			goto out;
		}
		if (set_value(o, takes_arg(o) ? optarg : NULL) < 0) {
			ret = PO_ERROR;
			goto out;
		}
	}
	/* What is left: after "--" (consumed by getopt) or, in stop mode, from
	 * the first argument on. */
	if (optind > 1 && optind <= argc && !strcmp(argv[optind - 1], "--") &&
	    (flags & PO_KEEP_DASHDASH))
		rest[nrest++] = argv[optind - 1];
	for (; optind < argc; optind++)
		rest[nrest++] = argv[optind];
	for (i = 0; i < (size_t)nrest; i++)
		argv[i] = rest[i];
	argv[nrest] = NULL;
	ret = nrest;
	if (po_after_parse) {
		int (*hook)(void) = po_after_parse;

		po_after_parse = NULL;
		if (hook() < 0)
			ret = PO_REFUSED;
	}
out:
	if (ret == -1)
		ret = PO_ERROR;
	free(rest);
	free(longopts);
	free(byval);
	free(shortopts);
	return ret;
}

#define PO_HELP_COLUMN 26

void po_usage(FILE *f, const struct po_option *opts, const char *const *usage)
{
	const char *const *u = usage;
	int first = 1;

	for (; u && *u && **u; u++, first = 0)
		fprintf(f, "%s%s\n", first ? "usage: " : "   or: ", *u);
	if (u && *u) {
		fputc('\n', f);
		for (u++; *u; u++)
			fprintf(f, "%s%s\n", **u ? "    " : "", *u);
	}
	/* A leading group heading brings its own blank line. */
	if (opts->type != PO_GROUP)
		fputc('\n', f);
	for (; opts->type != PO_END; opts++) {
		const char *h = opts->help ? opts->help : "";
		int col = 0;

		if (opts->type == PO_GROUP) {
			fprintf(f, "\n%s\n", h);
			continue;
		}
		col += fprintf(f, "    ");
		if (opts->short_name)
			col += fprintf(f, "-%c%s", opts->short_name, opts->long_name ? ", " : "");
		else
			col += fprintf(f, "    ");
		if (opts->long_name)
			col += fprintf(f, "--%s", opts->long_name);
		if (takes_arg(opts))
			col += fprintf(f, " %s", opts->argh);
		if (col >= PO_HELP_COLUMN) {
			fputc('\n', f);
			col = 0;
		}
		/* Continuation lines of the help text keep the column. */
		while (*h) {
			size_t n = strcspn(h, "\n");

			fprintf(f, "%*s%.*s\n", PO_HELP_COLUMN - col, "", (int)n, h);
			col = 0;
			h += n;
			if (*h == '\n')
				h++;
		}
		if (!opts->help || !*opts->help)
			fputc('\n', f);
	}
	fprintf(f, "    -h, --help            this help\n");
}

int po_cb_alpha(const struct po_option *opt, const char *arg)
{
	char *end;
	double a = strtod(arg, &end);

	if (end == arg || *end || !(a >= 0.001 && a <= 0.2))
		return error("option '--%s' must be a number in [0.001, 0.2], not '%s'", opt->long_name,
			     arg);
	*(double *)opt->value = a;
	return 0;
}
