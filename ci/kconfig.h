/*
 * kconfig.h - Kconfig fragments and .config files for the lab's kernel
 * builds: parse (with file:line for every entry, so a bad option can be
 * named where it was written), merge fragments onto a base .config, and
 * check after `make olddefconfig` that every requested option stuck.
 *
 * Syntax accepted (the subset the kernel's own .config and the fragments
 * in ci/config/ use):
 *     CONFIG_FOO=y | m | n | "string" | 123 | -4 | 0x1f
 *     # CONFIG_FOO is not set            (the same as CONFIG_FOO=n)
 *     # any other comment, blank lines
 * Anything else is an error naming the file, the line and why.
 *
 * Invariant: a struct kconfig holds at most one entry per name; setting a
 * name again replaces its value and remembers where the new one came from
 * (later fragments override earlier ones, as with merge_config.sh).
 */
#ifndef SWAPLAB_CI_KCONFIG_H
#define SWAPLAB_CI_KCONFIG_H

#include <stddef.h>

struct kconfig_entry {
	char *name;    /* with the CONFIG_ prefix */
	char *value;   /* "y", "m", "n" (also for "is not set"), or the raw text */
	char *file;    /* where it was set */
	unsigned line;
};

struct kconfig {
	struct kconfig_entry *v;
	size_t nr, alloc;
};

void kconfig_init(struct kconfig *kc);
void kconfig_release(struct kconfig *kc);

/*
 * Parses text (file names the source in messages) into kc.  With strict
 * set, one name given twice in the same text is an error (a fragment that
 * contradicts itself is a mistake); a .config is read non-strict.
 */
int kconfig_parse(struct kconfig *kc, const char *text, const char *file, int strict);
int kconfig_read_file(struct kconfig *kc, const char *path, int strict);

const struct kconfig_entry *kconfig_get(const struct kconfig *kc, const char *name);
void kconfig_set(struct kconfig *kc, const char *name, const char *value,
		 const char *file, unsigned line);

/*
 * Returns a new .config text (malloc'd): base with every entry of frag
 * applied - existing lines replaced in place, new ones appended - ready
 * for `make olddefconfig` to resolve.
 */
char *kconfig_apply(const char *base_text, const struct kconfig *frag);

/*
 * Compares what was asked (want) with a resolved .config (have).  An
 * option set to n is satisfied when it is absent or not set.  Returns the
 * number of options that did not stick and, if report is not NULL, a
 * malloc'd text with one line per option:
 *     ci/config/x.config:12: CONFIG_FOO=y did not stick (now: not set)
 */
size_t kconfig_verify(const struct kconfig *want, const struct kconfig *have, char **report);

/*
 * Fingerprints of two builds' .config files over the symbols both define
 * (set, or "is not set"): a symbol only one of them has - one a patch
 * adds to Kconfig, or removes - says nothing about how the two kernels
 * were configured, and would otherwise make every report row differ.
 * SHA-256 of the common "NAME=value" lines in name order, as 64 hex
 * digits into hex_a and hex_b.  -1 with a message if a file cannot be read.
 */
int kconfig_fingerprint_common(const char *path_a, const char *path_b,
			       char hex_a[65], char hex_b[65]);

#endif
