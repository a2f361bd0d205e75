/*
 * Fuzz target: mbox splitting, headers, RFC 2047, transfer encodings and
 * charsets (kernel-patches/mbox.c), then series assembly (series.c).  What
 * they hand on must be valid UTF-8.
 */
#include "fuzz.h"
#include "kernel-patches/mbox.h"
#include "kernel-patches/series.h"
#include "common/utf8.h"
#include "common/util.h"

static void check_utf8(const char *s, const char *what)
{
	if (s)
		FUZZ_CHECK(utf8_valid(s, strlen(s)), "%s is not UTF-8", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbox mb = { NULL, 0, 0 };
	struct patch_series s;
	struct series_opts opts = { NULL, 0, NULL };
	unsigned flags;
	size_t i;

	util_quiet = 1;
	if (size < 1)
		return 0;
	flags = data[0] & 1 ? MBOX_RD : 0;
	if (mbox_parse(&mb, (const char *)data + 1, size - 1, "fuzz", flags) < 0)
		return 0;
	for (i = 0; i < mb.nr; i++) {
		char *text = NULL;
		size_t len = 0;

		check_utf8(mb.mails[i].subject, "a subject");
		check_utf8(mb.mails[i].from, "a From");
		if (mail_body_text(&mb.mails[i], "fuzz", &text, &len) == 0) {
			FUZZ_CHECK(utf8_valid(text, len), "a body is not UTF-8");
			free(text);
		}
	}
	memset(&s, 0, sizeof(s));
	if (series_assemble(&mb, &opts, "fuzz", &s) == 0) {
		check_utf8(s.title, "the series title");
		check_utf8(s.author, "the series author");
		for (i = 0; i < s.total; i++)
			FUZZ_CHECK(utf8_valid(s.patches[i].body, s.patches[i].body_len), "a patch body");
		series_release(&s);
	}
	mbox_release(&mb);
	return 0;
}
