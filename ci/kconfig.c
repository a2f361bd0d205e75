/*
 * kconfig.c - parsing, merging and checking Kconfig fragments for the
 * lab's small kernels (virtual board, Raspberry Pi 4B).  See kconfig.h.
 */
#include "ci/kconfig.h"
#include "common/sha256.h"
#include "common/util.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void kconfig_init(struct kconfig *kc)
{
	memset(kc, 0, sizeof(*kc));
}

void kconfig_release(struct kconfig *kc)
{
	size_t i;

	for (i = 0; i < kc->nr; i++) {
		free(kc->v[i].name);
		free(kc->v[i].value);
		free(kc->v[i].file);
	}
	free(kc->v);
	kconfig_init(kc);
}

const struct kconfig_entry *kconfig_get(const struct kconfig *kc, const char *name)
{
	size_t i;

	for (i = 0; i < kc->nr; i++)
		if (!strcmp(kc->v[i].name, name))
			return &kc->v[i];
	return NULL;
}

void kconfig_set(struct kconfig *kc, const char *name, const char *value,
		 const char *file, unsigned line)
{
	struct kconfig_entry *e = (struct kconfig_entry *)kconfig_get(kc, name);

	if (!e) {
		ALLOC_GROW(kc->v, kc->nr + 1, kc->alloc);
		e = &kc->v[kc->nr++];
		e->name = xstrdup(name);
	} else {
		free(e->value);
		free(e->file);
	}
	e->value = xstrdup(value);
	e->file = xstrdup(file ? file : "");
	e->line = line;
}

static int valid_name(const char *s, size_t len)
{
	size_t i;

	if (len <= 7 || strncmp(s, "CONFIG_", 7))
		return 0;
	for (i = 7; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* A value as .config writes it; NULL when fine, else why not. */
static const char *bad_value(const char *v)
{
	size_t len = strlen(v), i;

	if (!len)
		return "empty value (write CONFIG_X=n or '# CONFIG_X is not set')";
	if (!strcmp(v, "y") || !strcmp(v, "m") || !strcmp(v, "n"))
		return NULL;
	if (v[0] == '"') {
		for (i = 1; i < len - 1; i++)
			if (v[i] == '\\')
				i++;
			else if (v[i] == '"')
				return "unescaped '\"' inside a string value";
		if (len < 2 || v[len - 1] != '"' || i != len - 1)
			return "string value without its closing '\"'";
		return NULL;
	}
	if (!strncmp(v, "0x", 2) || !strncmp(v, "0X", 2)) {
		if (len == 2)
			return "'0x' without hex digits";
		for (i = 2; i < len; i++)
			if (!isxdigit((unsigned char)v[i]))
				return "bad hex number";
		return NULL;
	}
	i = v[0] == '-' ? 1 : 0;
	if (i == len)
		return "expected y, m, n, a number or a \"string\"";
	for (; i < len; i++)
		if (!isdigit((unsigned char)v[i]))
			return "expected y, m, n, a number or a \"string\"";
	return NULL;
}

int kconfig_parse(struct kconfig *kc, const char *text, const char *file, int strict)
{
	struct kconfig seen;
	const char *p = text;
	unsigned lineno = 0;
	int ret = 0;

	kconfig_init(&seen);
	while (*p && !ret) {
		const char *eol = strchrnul(p, '\n');
		size_t len = (size_t)(eol - p);
		char *line = xmalloc(len + 1), *s, *end, *eq;
		char *name = NULL, *value = NULL;
		const struct kconfig_entry *prev;

		memcpy(line, p, len);
		line[len] = '\0';
		lineno++;
		p = *eol ? eol + 1 : eol;
		for (s = line; isspace((unsigned char)*s); s++)
			;
		for (end = s + strlen(s); end > s && isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		if (!*s) {
			free(line);
			continue;
		}
		if (*s == '#') {
			/* "# CONFIG_FOO is not set", else a plain comment */
			char *q = s + 1;
			size_t nlen;

			while (*q == ' ')
				q++;
			nlen = strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
			if (valid_name(q, nlen) && !strcmp(q + nlen, " is not set")) {
				name = xstrndup(q, nlen);
				value = xstrdup("n");
			}
		} else {
			eq = strchr(s, '=');
			if (!eq || !valid_name(s, (size_t)(eq - s))) {
				ret = error("%s:%u: expected CONFIG_NAME=value or '# CONFIG_NAME is not set', got '%s'",
					    file, lineno, s);
			} else {
				const char *why = bad_value(eq + 1);

				if (why)
					ret = error("%s:%u: %.*s: %s", file, lineno,
						    (int)(eq - s), s, why);
				else {
					name = xstrndup(s, (size_t)(eq - s));
					value = xstrdup(eq + 1);
				}
			}
		}
		if (name && strict && (prev = kconfig_get(&seen, name)))
			ret = error("%s:%u: %s is already set on line %u of the same file",
				    file, lineno, name, prev->line);
		if (name && !ret) {
			kconfig_set(&seen, name, value, file, lineno);
			kconfig_set(kc, name, value, file, lineno);
		}
		free(name);
		free(value);
		free(line);
	}
	kconfig_release(&seen);
	return ret;
}

int kconfig_read_file(struct kconfig *kc, const char *path, int strict)
{
	char *text = slurp_file(path, NULL);
	int ret;

	if (!text)
		return error_errno("cannot read Kconfig file '%s'", path);
	ret = kconfig_parse(kc, text, path, strict);
	free(text);
	return ret;
}

static void put_entry(char **out, size_t *len, size_t *alloc, const struct kconfig_entry *e)
{
	char *s = strcmp(e->value, "n") ? xstrfmt("%s=%s\n", e->name, e->value)
					: xstrfmt("# %s is not set\n", e->name);
	size_t n = strlen(s);

	ALLOC_GROW(*out, *len + n + 1, *alloc);
	memcpy(*out + *len, s, n + 1);
	*len += n;
	free(s);
}

/* The option a .config line sets or unsets, as a length into line. */
static size_t line_option(const char *line, size_t len, const char **name)
{
	/*
	 * Whatever kconfig_parse() reads as an entry must be found here too
	 * (blanks around the line, any spaces after '#'), else a base line
	 * is kept next to its replacement and wins when read back (found by
	 * tests/fuzz/fuzz_kconfig).
	 */
	const char *s = line, *end = line + len;
	int comment = 0;
	size_t n = 0;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (s < end && *s == '#') {
		comment = 1;
		for (s++; s < end && *s == ' '; s++)
			;
	}
	while (s + n < end && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		n++;
	if (!valid_name(s, n))
		return 0;
	if (comment ? (size_t)(end - (s + n)) != 11 || memcmp(s + n, " is not set", 11)
		    : s + n >= end || s[n] != '=')
		return 0;
	*name = s;
	return n;
}

char *kconfig_apply(const char *base, const struct kconfig *frag)
{
	char *out = NULL, *done = xcalloc(frag->nr ? frag->nr : 1, 1);
	size_t len = 0, alloc = 0, i;
	const char *p = base;

	ALLOC_GROW(out, 1, alloc);
	out[0] = '\0';
	while (*p) {
		const char *eol = strchrnul(p, '\n'), *name = NULL;
		size_t llen = (size_t)(eol - p), nlen = line_option(p, llen, &name);
		const struct kconfig_entry *e = NULL;

		if (nlen) {
			for (i = 0; i < frag->nr; i++)
				if (strlen(frag->v[i].name) == nlen &&
				    !strncmp(frag->v[i].name, name, nlen)) {
					e = &frag->v[i];
					break;
				}
		}
		if (e) {
			if (!done[e - frag->v])
				put_entry(&out, &len, &alloc, e);
			done[e - frag->v] = 1;
		} else {
			ALLOC_GROW(out, len + llen + 2, alloc);
			memcpy(out + len, p, llen);
			len += llen;
			out[len++] = '\n';
			out[len] = '\0';
		}
		p = *eol ? eol + 1 : eol;
	}
	for (i = 0; i < frag->nr; i++)
		if (!done[i])
			put_entry(&out, &len, &alloc, &frag->v[i]);
	free(done);
	return out;
}

size_t kconfig_verify(const struct kconfig *want, const struct kconfig *have, char **report)
{
	char *out = NULL;
	size_t len = 0, alloc = 0, bad = 0, i;

	ALLOC_GROW(out, 1, alloc);
	out[0] = '\0';
	for (i = 0; i < want->nr; i++) {
		const struct kconfig_entry *w = &want->v[i];
		const struct kconfig_entry *h = kconfig_get(have, w->name);
		const char *now = h ? h->value : "n";
		char *line;
		size_t n;

		if (!strcmp(now, w->value))
			continue;
		bad++;
		line = xstrfmt("%s:%u: %s=%s did not stick (now: %s)\n", w->file, w->line,
			       w->name, w->value,
			       h ? (strcmp(h->value, "n") ? h->value : "not set")
				 : "not set; unknown option or unmet dependency");
		n = strlen(line);
		ALLOC_GROW(out, len + n + 1, alloc);
		memcpy(out + len, line, n + 1);
		len += n;
		free(line);
	}
	assert(!bad == !len);
	if (report)
		*report = out;
	else
		free(out);
	return bad;
}

static int cmp_entry_name(const void *a, const void *b)
{
	return strcmp(((const struct kconfig_entry *)a)->name, ((const struct kconfig_entry *)b)->name);
}

/* sha256 of the entries of kc that other also has, in name order (both sorted). */
static void fingerprint_common(const struct kconfig *kc, const struct kconfig *other, char hex[65])
{
	struct sha256 c;
	size_t i;

	sha256_init(&c);
	for (i = 0; i < kc->nr; i++) {
		const struct kconfig_entry *e = &kc->v[i];

		if (!bsearch(e, other->v, other->nr, sizeof(*other->v), cmp_entry_name))
			continue;
		sha256_update(&c, e->name, strlen(e->name));
		sha256_update(&c, "=", 1);
		sha256_update(&c, e->value, strlen(e->value));
		sha256_update(&c, "\n", 1);
	}
	sha256_final_hex(&c, hex);
}

int kconfig_fingerprint_common(const char *path_a, const char *path_b,
			       char hex_a[65], char hex_b[65])
{
	struct kconfig a, b;
	int ret = -1;

	kconfig_init(&a);
	kconfig_init(&b);
	if (kconfig_read_file(&a, path_a, 0) == 0 && kconfig_read_file(&b, path_b, 0) == 0) {
		qsort(a.v, a.nr, sizeof(*a.v), cmp_entry_name);
		qsort(b.v, b.nr, sizeof(*b.v), cmp_entry_name);
		fingerprint_common(&a, &b, hex_a);
		fingerprint_common(&b, &a, hex_b);
		ret = 0;
	}
	kconfig_release(&a);
	kconfig_release(&b);
	return ret;
}
