/*
 * Unit tests of kernel-patches/series.c: subject prefixes, picking the
 * series out of a thread (replies left out, N/M order), missing and
 * duplicate patches, mails that are not patches, truncated hunks, version
 * selection, the content hash and names.
 */
#include "kernel-patches/series.h"
#include "tap.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name)
{
	const char *top = getenv("TOP");

	return xstrfmt("%s/tests/fixtures/intake/%s", top && *top ? top : ".", name);
}

static int assemble(const char *name, const struct series_opts *o, struct patch_series *s)
{
	struct mbox mb = { NULL, 0, 0 };
	struct series_opts none = { NULL, 0, NULL };
	char *path = fixture(name);
	int ret = mbox_read_file(&mb, path, MBOX_RD);

	if (ret == 0)
		ret = series_assemble(&mb, o ? o : &none, path, s);
	else
		memset(s, 0, sizeof(*s));
	mbox_release(&mb);
	free(path);
	return ret;
}

static void test_subjects(void)
{
	struct subject_info si;

	subject_parse("[RFC PATCH v3 1/4] mm/zsmalloc: introduce deferred free", &si);
	ok(si.is_patch && si.rfc && !si.is_reply, "RFC PATCH recognised");
	is_int(si.version, 3, "v3");
	ok(si.numbered && si.n == 1 && si.m == 4, "1/4");
	is_str(si.title, "mm/zsmalloc: introduce deferred free", "title without prefix");
	is_str(si.prefix, "RFC PATCH v3 1/4", "prefix tags");
	subject_info_release(&si);

	subject_parse("Re: [RFC PATCH v3 1/4] mm/zsmalloc: x", &si);
	ok(si.is_reply && si.is_patch, "Re: is a reply");
	subject_info_release(&si);
	subject_parse("AW: RE[2]: Fwd: [PATCH] x", &si);
	ok(si.is_reply, "AW:/RE[2]:/Fwd: are replies");
	subject_info_release(&si);

	subject_parse("[PATCH] mm: one patch", &si);
	ok(si.is_patch && !si.numbered && si.version == 1 && !si.rfc, "[PATCH] x: unnumbered v1");
	subject_info_release(&si);

	subject_parse("[PATCH net-next v2 03/12] net: x", &si);
	ok(si.is_patch && si.version == 2 && si.n == 3 && si.m == 12, "tree tag, leading zeros");
	subject_info_release(&si);

	subject_parse("[PATCHv4 2/5] a", &si);
	ok(si.is_patch && si.version == 4 && si.n == 2, "PATCHv4 form");
	subject_info_release(&si);

	subject_parse("[RFC][PATCH 1/2] b", &si);
	ok(si.is_patch && si.rfc && si.n == 1 && si.m == 2, "[RFC][PATCH 1/2]: two bracket groups");
	is_str(si.title, "b", "title after two groups");
	subject_info_release(&si);

	subject_parse("[PATCH RESEND v2] c", &si);
	ok(si.is_patch && si.resend && si.version == 2, "RESEND");
	subject_info_release(&si);

	subject_parse("[RFC v2 0/3] only RFC", &si);
	ok(si.is_patch && si.rfc && si.n == 0 && si.m == 3, "[RFC v2 0/3] counts as a patch mail");
	subject_info_release(&si);

	subject_parse("[ANNOUNCE] v6.1 released", &si);
	ok(!si.is_patch, "[ANNOUNCE] is not a patch");
	subject_info_release(&si);
	subject_parse("plain subject", &si);
	ok(!si.is_patch && !si.is_reply, "plain subject");
	subject_info_release(&si);
	subject_parse(NULL, &si);
	ok(!si.is_patch, "no subject");
	subject_info_release(&si);
}

static void test_diffs(void)
{
	char h1[SHA256_HEX_LEN + 1], h2[SHA256_HEX_LEN + 1];
	const char *good =
		"msg\n---\n f | 2 +-\n\n"
		"diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n"
		"@@ -1,2 +1,2 @@\n a\n-b\n+B\n"
		"@@ -10 +10,2 @@ ctx\n-x\n+y\n+z\n\\ No newline at end of file\n"
		"-- \n2.39.5\n";
	const char *reindexed =
		"other msg\n---\n"
		"diff --git a/f b/f\nindex 9..8 100644\n--- a/f\n+++ b/f\n"
		"@@ -1,2 +1,2 @@\n a\n-b\n+B\n"
		"@@ -10 +10,2 @@ ctx\n-x\n+y\n+z\n\\ No newline at end of file\n";

	is_int(patch_check_diff(good, strlen(good), "good", h1), 1, "valid diff, one file");
	is_int(patch_check_diff(reindexed, strlen(reindexed), "reindexed", h2), 1, "same diff, other index line");
	is_str(h1, h2, "diff hash ignores the message, the index line and the signature");
	{
		const char *other = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+C\n";

		patch_check_diff(other, strlen(other), "other", h2);
		ok(strcmp(h1, h2) != 0, "a different change has a different hash");
	}
	{
		const char *plain = "--- a.c\n+++ a.c\n@@ -1 +1 @@\n-a\n+b\n--- b.c\n+++ b.c\n@@ -0,0 +1 @@\n+n\n";

		is_int(patch_check_diff(plain, strlen(plain), "plain", h2), 2, "plain unified diff, two files");
	}
	{
		const char *rename = "diff --git a/x b/y\nsimilarity index 100%\nrename from x\nrename to y\n";

		is_int(patch_check_diff(rename, strlen(rename), "rename", h2), 1, "pure rename: a patch without hunks");
	}
	{
		const char *empty_ctx = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n";

		is_int(patch_check_diff(empty_ctx, strlen(empty_ctx), "emptyctx", h2), 1,
		       "an empty line counts as blank context");
	}
	{
		const char *cut = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n-b\n";

		ok(patch_check_diff(cut, strlen(cut), "cut", h2) < 0, "hunk cut short: error");
	}
	{
		const char *sig = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n-- \n2.39.5\n";

		ok(patch_check_diff(sig, strlen(sig), "sig", h2) < 0, "hunk cut by the signature: error");
	}
	{
		const char *extra = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n-b\n+c\n";

		ok(patch_check_diff(extra, strlen(extra), "extra", h2) < 0, "more lines than the header says");
	}
	{
		const char *bad = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -x +1 @@\n+c\n";

		ok(patch_check_diff(bad, strlen(bad), "bad", h2) < 0, "malformed hunk header");
	}
	{
		const char *nohunk = "diff --git a/f b/f\nindex 1..2\n--- a/f\n+++ b/f\n";

		ok(patch_check_diff(nohunk, strlen(nohunk), "nohunk", h2) < 0, "file header without a hunk");
	}
	{
		const char *bare = "text\n\ndiff --git a/f b/f\n";

		ok(patch_check_diff(bare, strlen(bare), "bare", h2) < 0, "'diff --git' with nothing after it");
	}
	{
		const char *prose = "Some words.\n---\nA diffstat-less note.\n@@ not a hunk\n";

		ok(patch_check_diff(prose, strlen(prose), "prose", h2) < 0, "prose is not a patch");
	}
}

static void test_names(void)
{
	char *s;
	const char *why;

	s = series_slug("mm/zsmalloc: per-cpu deferred free to accelerate swap entry release", 64);
	is_str(s, "mm-zsmalloc-per-cpu-deferred-free-to-accelerate-swap-entry", "slug cut at a '-' within 64");
	free(s);
	s = series_slug("  zram: “slot” free for Zürich!  ", 64);
	is_str(s, "zram-slot-free-for-zrich", "slug: punctuation, non-ASCII, ends trimmed");
	free(s);
	s = series_slug("€€€", 64);
	is_str(s, "", "slug of no ASCII letters is empty");
	free(s);
	s = series_slug("abcdefghijklmnopqrstuvwxyz", 10);
	is_str(s, "abcdefghij", "slug without '-' cut hard");
	free(s);
	ok(series_name_valid("demo-zram-deferred-free", &why), "valid name");
	ok(!series_name_valid("../etc", &why), "'..' / rejected");
	ok(!series_name_valid("a/b", &why), "slash rejected");
	ok(!series_name_valid(".hidden", &why), "leading dot rejected");
	ok(!series_name_valid("", &why), "empty rejected");
}

static void test_assemble(void)
{
	struct patch_series s;
	struct series_opts o = { NULL, 0, NULL };
	char *hash_v1;

	ok(assemble("series-cover3.mbox", NULL, &s) == 0, "cover + 3 patches assembled");
	is_int(s.version, 2, "version 2");
	is_int(s.total, 3, "3 patches");
	ok(s.cover && s.cover->n == 0, "cover letter kept");
	ok(!s.rfc, "not RFC");
	is_str(s.name, "mm-initialise-b-everywhere", "series name from the cover letter");
	is_str(s.base_commit, "0123456789abcdef0123456789abcdef01234567", "base-commit");
	is_str(s.author, "Ada Lovelace <ada@example.org>", "author");
	if (s.total == 3) {
		is_str(s.patches[0].message_id, "p1.v2@example.org", "patch 1 message-id");
		is_str(s.patches[2].title,
		       "mm: initialise b3 in a subject that is long enough to be folded", "patch 3 title");
		is_int(s.patches[1].files, 1, "patch 2 touches one file");
	}
	is_int(strlen(s.content_hash), 64, "content hash");
	series_release(&s);

	ok(assemble("thread-rfc-v3.mbox", NULL, &s) == 0, "lore thread with replies assembled");
	is_int(s.version, 3, "v3");
	ok(s.rfc, "RFC");
	is_int(s.total, 4, "4 patches, replies left out");
	is_int(s.replies, 3, "3 replies seen");
	if (s.total == 4) {
		int i, in_order = 1;

		for (i = 0; i < 4; i++)
			if (s.patches[i].n != (unsigned)i + 1 ||
			    strcmp(s.patches[i].title, (const char *[]){ "zsmalloc: part 1", "zsmalloc: part 2",
									 "zsmalloc: part 3", "zsmalloc: part 4" }[i]))
				in_order = 0;
		ok(in_order, "patches ordered by N although mailed 1, 3, 2, 4");
	}
	is_str(s.name, "mm-zsmalloc-per-cpu-deferred-free-to-accelerate-swap-entry", "name from the cover");
	is_str(s.base_commit, "abcdef0123456", "short base-commit");
	series_release(&s);

	o.name = "my-series";
	o.anchor = "<20260508060724.3810904-3-x@example.com>";
	ok(assemble("thread-rfc-v3.mbox", &o, &s) == 0 && !strcmp(s.name, "my-series"),
	   "--series name and an anchor message-id");
	series_release(&s);
	o.anchor = "nowhere@example.com";
	ok(assemble("thread-rfc-v3.mbox", &o, &s) < 0, "an anchor not in the thread is an error");
	o.anchor = NULL;
	o.name = "bad/name";
	ok(assemble("thread-rfc-v3.mbox", &o, &s) < 0, "an invalid --series is an error");
	o.name = NULL;

	ok(assemble("encoded-single.mbox", NULL, &s) == 0, "[PATCH] without N/M assembled");
	ok(s.total == 1 && !s.cover, "a 1-patch series without cover");
	is_str(s.name, "zram-fix-the-slot-free-for-zrich", "name from the single patch");
	is_str(s.author, "André Müller <andre@example.org>", "decoded author");
	series_release(&s);

	ok(assemble("base64-body.mbox", NULL, &s) == 0, "base64-encoded patch assembled");
	series_release(&s);

	ok(assemble("missing-2of3.mbox", NULL, &s) < 0 && !s.patches && !s.name,
	   "missing 2/3: error, nothing kept");
	ok(assemble("duplicate-2of3.mbox", NULL, &s) < 0, "duplicate 2/3: error");
	ok(assemble("not-a-patch.mbox", NULL, &s) < 0, "a patch mail without a diff: error");
	ok(assemble("truncated-hunk.mbox", NULL, &s) < 0, "truncated hunk: error");
	ok(assemble("multipart.mbox", NULL, &s) < 0, "multipart patch mail: error");
	ok(assemble("two-versions.mbox", NULL, &s) < 0, "two revisions without --version: error");

	o.version = 1;
	ok(assemble("two-versions.mbox", &o, &s) == 0 && s.version == 1, "--version 1 picks v1");
	hash_v1 = xstrdup(s.content_hash);
	series_release(&s);
	o.version = 2;
	ok(assemble("two-versions.mbox", &o, &s) == 0 && s.version == 2, "--version 2 picks v2");
	is_str(s.content_hash, hash_v1, "same diffs, other wording: same content hash");
	series_release(&s);
	o.version = 7;
	ok(assemble("two-versions.mbox", &o, &s) < 0, "--version 7 not present: error");
	free(hash_v1);
	o.version = 0;

	{
		struct mbox mb = { NULL, 0, 0 };
		const char *txt = "From: a@b\nSubject: Re: [PATCH 1/1] x\n\nreply\n\n"
				  "From x Mon Sep 17 00:00:00 2001\nFrom: a@b\nSubject: hello\n\nhi\n";

		ok(mbox_parse(&mb, txt, strlen(txt), "t", 0) == 0 &&
		   series_assemble(&mb, &o, "t", &s) < 0, "only replies and chatter: error");
		mbox_release(&mb);
	}
}

/*
 * Every prefix of a real thread either assembles or is refused: never a
 * crash or a sanitizer report (this binary also runs under ASan/UBSan).
 * A cut inside a patch must be refused.
 */
static void test_truncations(void)
{
	char *path = fixture("thread-rfc-v3.mbox");
	size_t len, cut, tried = 0, refused_inside = 0, inside = 0;
	char *text = slurp_file(path, &len);
	struct series_opts o = { NULL, 0, NULL };
	const char *last_hunk;
	FILE *saved = stderr;

	ok(text != NULL, "read the thread fixture");
	if (!text) {
		free(path);
		return;
	}
	/* The last patch mail's diff: cuts in it lose lines of a hunk. */
	last_hunk = strstr(strstr(text, "[RFC PATCH v3 4/4]"), "@@ -1,3 +1,4 @@");
	stderr = fopen("/dev/null", "w");
	for (cut = 0; cut <= len; cut += 7) {
		struct mbox mb = { NULL, 0, 0 };
		struct patch_series s;
		int r = -1;

		if (mbox_parse(&mb, text, cut, "cut", MBOX_RD) == 0)
			r = series_assemble(&mb, &o, "cut", &s);
		if (r == 0)
			series_release(&s);
		mbox_release(&mb);
		tried++;
		if (last_hunk && text + cut > last_hunk + 20 && text + cut < strstr(last_hunk, "\n-- \n")) {
			inside++;
			refused_inside += r < 0;
		}
	}
	fclose(stderr);
	stderr = saved;
	ok(tried > 100, "%zu prefixes parsed without a crash", tried);
	ok(inside > 0 && refused_inside == inside, "every cut inside the last hunk refused (%zu of %zu)",
	   refused_inside, inside);
	free(text);
	free(path);
}

int main(void)
{
	util_quiet = 1;
	test_subjects();
	test_diffs();
	test_names();
	test_assemble();
	test_truncations();
	return done_testing();
}
