/*
 * Unit tests of kernel-patches/mbox.c: "From " separators, mboxrd
 * unquoting, folded headers, RFC 2047 encoded-words both ways, MIME
 * bodies (base64, quoted-printable, multipart refused), gzip, and the
 * errors for truncated, malformed and non-mbox input.  Fixtures are in
 * tests/fixtures/intake/ (run from the repository root, or set TOP).
 */
#include "kernel-patches/mbox.h"
#include "common/utf8.h"
#include "tap.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char *fixture(const char *name)
{
	const char *top = getenv("TOP");

	return xstrfmt("%s/tests/fixtures/intake/%s", top && *top ? top : ".", name);
}

static int load(struct mbox *mb, const char *name, unsigned flags)
{
	char *path = fixture(name);
	int ret = mbox_read_file(mb, path, flags);

	free(path);
	return ret;
}

static int parse_str(struct mbox *mb, const char *s, unsigned flags)
{
	return mbox_parse(mb, s, strlen(s), "test", flags);
}

static void test_from_lines(void)
{
	const char *git = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001";
	const char *pi = "From mboxrd@z Thu Jan  1 00:00:00 1970";

	ok(mbox_is_from_line(git, strlen(git)), "git format-patch separator");
	ok(mbox_is_from_line(pi, strlen(pi)), "public-inbox mboxrd separator");
	ok(!mbox_is_from_line("From the start this was wrong", 29), "prose 'From ' is not a separator");
	ok(!mbox_is_from_line("From: Ada <a@b>", 15), "a From: header is not a separator");
	ok(!mbox_is_from_line("From x Mon Sep 17 00:00:00", 26), "no year: not a separator");
}

static void test_cover3(void)
{
	struct mbox mb = { NULL, 0, 0 };

	ok(load(&mb, "series-cover3.mbox", MBOX_RD) == 0, "series-cover3.mbox parses");
	is_int(mb.nr, 4, "cover letter and 3 patches");
	if (mb.nr == 4) {
		is_str(mb.mails[0].subject, "[PATCH v2 0/3] mm: initialise b everywhere", "cover subject");
		is_str(mb.mails[3].subject,
		       "[PATCH v2 3/3] mm: initialise b3 in a subject that is long enough to be folded",
		       "folded subject unfolded");
		is_str(mb.mails[1].message_id, "p1.v2@example.org", "Message-ID without brackets");
		is_str(mb.mails[1].in_reply_to, "cover.v2@example.org", "In-Reply-To");
		is_int(mb.mails[1].nr_references, 1, "References parsed");
		is_str(mb.mails[2].from, "Ada Lovelace <ada@example.org>", "From");
		is_str(mail_header(&mb.mails[2], "date"), "Mon, 4 May 2026 10:00:00 +0000",
		       "header lookup is case-insensitive");
		ok(mb.mails[1].body && strstr(mb.mails[1].body, "diff --git a/mm/file1.c"), "body kept");
		ok(mb.mails[1].body_len && mb.mails[1].body[mb.mails[1].body_len - 1] == '\n' &&
		   strcmp(mb.mails[1].body + mb.mails[1].body_len - 8, "\n2.39.5\n") == 0,
		   "the blank line between messages is not part of the body");
		is_int(mb.mails[1].line, 18, "line of the second message's separator");
	}
	mbox_release(&mb);
}

static void test_mboxrd(void)
{
	struct mbox mb = { NULL, 0, 0 };

	ok(load(&mb, "thread-rfc-v3.mbox", MBOX_RD) == 0, "thread-rfc-v3.mbox parses");
	is_int(mb.nr, 8, "5 series mails and 3 replies");
	if (mb.nr >= 2) {
		ok(strstr(mb.mails[0].body, "\nFrom the start this was about munmap().\n") != NULL,
		   "mboxrd: >From unquoted in the cover letter");
		ok(strstr(mb.mails[1].body, "\nFrom quoted in mboxrd.\n>From twice quoted.\n") != NULL,
		   "mboxrd: one '>' removed from >From and >>From");
	}
	mbox_release(&mb);
	ok(load(&mb, "thread-rfc-v3.mbox", 0) == 0, "thread parses without MBOX_RD");
	if (mb.nr >= 1)
		ok(strstr(mb.mails[0].body, "\n>From the start") != NULL,
		   "without MBOX_RD (git format-patch input) body lines are kept");
	mbox_release(&mb);
}

static void test_rfc2047(void)
{
	char *s;
	struct mbox mb = { NULL, 0, 0 };

	s = rfc2047_decode("=?UTF-8?B?WsO8cmljaA==?=");
	is_str(s, "Zürich", "B encoding");
	free(s);
	s = rfc2047_decode("=?utf-8?q?Z=C3=BCrich_is_nice?=");
	is_str(s, "Zürich is nice", "Q encoding, '_' is a space");
	free(s);
	s = rfc2047_decode("=?UTF-8?Q?a?=  \t =?UTF-8?Q?b?= c =?UTF-8?Q?d?=");
	is_str(s, "ab c d", "blanks between encoded-words dropped, others kept");
	free(s);
	s = rfc2047_decode("=?ISO-8859-1?Q?Andr=E9?=");
	is_str(s, "André", "ISO-8859-1 converted to UTF-8");
	free(s);
	s = rfc2047_decode("=?UTF-8?X?abc?= and =?broken");
	is_str(s, "=?UTF-8?X?abc?= and =?broken", "malformed encoded-words kept literally");
	free(s);
	s = rfc2047_decode("[PATCH v2 1/3] plain ASCII");
	is_str(s, "[PATCH v2 1/3] plain ASCII", "ASCII unchanged");
	free(s);

	s = rfc2047_encode("plain");
	is_str(s, "plain", "encode: ASCII left alone");
	free(s);
	{
		const char *long_subj = "[PATCH 1/2] zram: “deferred” slot free for Zürich, "
					"Köln, Genève and Malmö, a long subject with accents";
		char *enc = rfc2047_encode(long_subj), *line, *save = NULL, *copy = xstrdup(enc);
		char *dec;
		int lines = 0, short_words = 1;

		for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			lines++;
			if (strlen(line) > 76)
				short_words = 0;
		}
		ok(lines > 1 && short_words, "encode: folded into words of at most 75 characters");
		/* A reader unfolds ("\n " becomes " ") before decoding. */
		{
			char *p, *q, *unfolded = xstrdup(enc);

			for (p = q = unfolded; *p; p++)
				if (*p != '\n')
					*q++ = *p;
			*q = '\0';
			dec = rfc2047_decode(unfolded);
			free(unfolded);
		}
		is_str(dec, long_subj, "encode then decode round-trips");
		free(dec);
		free(enc);
		free(copy);
	}

	ok(load(&mb, "encoded-single.mbox", MBOX_RD) == 0, "encoded-single.mbox parses");
	if (mb.nr == 1) {
		is_str(mb.mails[0].subject, "[PATCH] zram: fix the “slot” free for Zürich",
		       "folded B and Q words in Subject");
		is_str(mb.mails[0].from, "André Müller <andre@example.org>", "ISO-8859-1 Q words in From");
	}
	mbox_release(&mb);
}

static void test_bodies(void)
{
	struct mbox mb = { NULL, 0, 0 };
	char *text = NULL;
	size_t len = 0;

	ok(load(&mb, "base64-body.mbox", MBOX_RD) == 0, "base64-body.mbox parses");
	if (mb.nr == 1) {
		ok(mail_body_text(&mb.mails[0], "b64", &text, &len) == 0, "base64 body decoded");
		ok(text && !strncmp(text, "Käse patch.\n", 13) && strstr(text, "+int b2 = 2;\n"),
		   "decoded base64 text is UTF-8 with the diff");
		free(text);
	}
	mbox_release(&mb);

	ok(load(&mb, "multipart.mbox", MBOX_RD) == 0, "multipart.mbox parses as mail");
	if (mb.nr == 1)
		ok(mail_body_text(&mb.mails[0], "mp", &text, &len) < 0,
		   "a multipart body is refused with an error");
	mbox_release(&mb);

	ok(parse_str(&mb, "From: a@b\nSubject: qp\nContent-Type: text/plain; charset=iso-8859-1\n"
			  "Content-Transfer-Encoding: quoted-printable\n\nK=E4se =\nsoft break=3D\n", 0) == 0,
	   "bare message with QP body parses");
	if (mb.nr == 1) {
		ok(mail_body_text(&mb.mails[0], "qp", &text, &len) == 0, "QP decoded");
		is_str(text, "Käse soft break=\n", "QP soft break and =XX, latin-1 to UTF-8");
		free(text);
	}
	mbox_release(&mb);

	ok(parse_str(&mb, "From: a@b\nSubject: b\nContent-Transfer-Encoding: base64\n\n!!!notbase64\n", 0) == 0,
	   "message with a bad base64 body parses");
	if (mb.nr == 1)
		ok(mail_body_text(&mb.mails[0], "bad", &text, &len) < 0, "corrupt base64 is an error");
	mbox_release(&mb);

	ok(parse_str(&mb, "From: a@b\r\nSubject: crlf\r\n folded\r\n\r\nline one\r\nline two\r\n", 0) == 0,
	   "CRLF mail parses");
	if (mb.nr == 1) {
		is_str(mb.mails[0].subject, "crlf folded", "CRLF folded header");
		is_str(mb.mails[0].body, "line one\nline two\n", "CRLF body becomes LF");
	}
	mbox_release(&mb);
}

static void test_errors(void)
{
	struct mbox mb = { NULL, 0, 0 };

	ok(load(&mb, "truncated-headers.mbox", MBOX_RD) < 0 && mb.nr == 0,
	   "truncated inside headers: error, nothing added");
	ok(load(&mb, "malformed-header.mbox", MBOX_RD) < 0 && mb.nr == 0, "malformed header: error");
	ok(load(&mb, "garbage.mbox", MBOX_RD) < 0 && mb.nr == 0, "HTML is not an mbox");
	ok(parse_str(&mb, "", 0) < 0, "empty input is an error");
	ok(parse_str(&mb, "\n\n  \n", 0) < 0, "blank input is an error");
	ok(mbox_parse(&mb, "From: a\0b\n", 10, "nul", 0) < 0, "NUL byte is an error");
	ok(parse_str(&mb, " continuation first\n", 0) < 0, "continuation before any header");
	ok(parse_str(&mb, "From: a@b\nSubject: s\n\nbody cut mid-li", 0) < 0 && mb.nr == 0,
	   "text cut mid-line (no final line break) is a truncated mbox");
	ok(load(&mb, "no-such-file.mbox", MBOX_RD) < 0, "missing file is an error");
	mbox_release(&mb);
}

static int write_gz(const char *path, const char *const *parts, size_t nparts)
{
	size_t i;

	/* Each part its own gzip member, as "gzip -c a >f; gzip -c b >>f". */
	for (i = 0; i < nparts; i++) {
		gzFile gz = gzopen(path, i ? "ab" : "wb");

		if (!gz)
			return -1;
		if (gzwrite(gz, parts[i], (unsigned)strlen(parts[i])) <= 0) {
			gzclose(gz);
			return -1;
		}
		if (gzclose(gz) != Z_OK)
			return -1;
	}
	return 0;
}

static void test_gzip(void)
{
	char dir[] = "/tmp/swaplab-test-mbox.XXXXXX";
	struct mbox mb = { NULL, 0, 0 };
	char *path, *plain, *trunc, *buf, *name;
	size_t len;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	path = xstrfmt("%s/t.mbox.gz", dir);
	name = fixture("series-cover3.mbox");
	plain = slurp_file(name, &len);
	ok(plain != NULL, "read fixture");
	if (!plain)
		goto out;
	{
		/* Split at the second message: two gzip members. */
		const char *second = strstr(plain + 1, "\nFrom 0123") + 1;
		char *a = xstrfmt("%.*s", (int)(second - plain), plain);
		const char *parts[2] = { a, second };

		ok(write_gz(path, parts, 2) == 0, "wrote a two-member gzip file");
		free(a);
	}
	ok(mbox_read_file(&mb, path, MBOX_RD) == 0 && mb.nr == 4, "gzip'd mbox read (both members)");
	if (mb.nr == 4)
		is_str(mb.mails[2].message_id, "p2.v2@example.org", "gzip'd content intact");
	mbox_release(&mb);

	buf = slurp_file(path, &len);
	trunc = xstrfmt("%s/cut.mbox.gz", dir);
	f = fopen(trunc, "w");
	if (f && buf) {
		fwrite(buf, 1, len / 3, f);
		fclose(f);
		ok(mbox_read_file(&mb, trunc, MBOX_RD) < 0 && mb.nr == 0, "truncated gzip is an error");
	}
	f = fopen(trunc, "w");
	if (f && buf) {
		fwrite(buf, 1, len, f);
		fwrite("junk", 1, 4, f);
		fclose(f);
		ok(mbox_read_file(&mb, trunc, MBOX_RD) < 0, "trailing garbage after gzip is an error");
	}
	f = fopen(trunc, "w");
	if (f) {
		fputs(plain, f);
		fclose(f);
		ok(mbox_read_file(&mb, trunc, MBOX_RD) < 0, "a .gz name on plain text is an error");
	}
	{
		char *out = NULL;
		size_t olen;
		unsigned char bad[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff };

		ok(gunzip_buffer(bad, sizeof(bad), "bad", &out, &olen) < 0, "corrupt gzip is an error");
		free(out);
	}
	unlink(trunc);
	free(trunc);
	free(buf);
out:
	unlink(path);
	rmdir(dir);
	free(plain);
	free(name);
	free(path);
}

/* Issue 14: UTF-8 checked after every decoding step. */
static int valid_utf8(const char *s)
{
	return s && utf8_valid(s, strlen(s));
}

static void test_utf8_hostile(void)
{
	struct mbox mb = { NULL, 0, 0 };
	char *s, *text = NULL;
	size_t len = 0;

	s = rfc2047_decode("=?UTF-8?Q?=FF?=");
	ok(valid_utf8(s) && !strcmp(s, "=?UTF-8?Q?=FF?="), "Q word decoding to 0xFF kept literally: %s", s);
	free(s);
	s = rfc2047_decode("x =?UTF-8?B?/w==?= y");
	ok(valid_utf8(s) && !strcmp(s, "x =?UTF-8?B?/w==?= y"), "B word decoding to 0xFF kept literally: %s", s);
	free(s);
	s = rfc2047_decode("=?UTF-8?Q?=ED=A0=80?=");
	ok(valid_utf8(s), "an encoded surrogate is no text: %s", s);
	free(s);
	/* U+20AC (E2 82 AC) split across two words, B and Q. */
	s = rfc2047_decode("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?= 5");
	is_str(s, "\xe2\x82\xac 5", "a character split across B words");
	free(s);
	s = rfc2047_decode("=?utf-8?Q?a=E2=82?=\n =?UTF-8?Q?=AC?=");
	is_str(s, "a\xe2\x82\xac", "a character split across folded Q words");
	free(s);
	/* UTF-16 needs the run too: no byte of it is text alone. */
	s = rfc2047_decode("=?UTF-16BE?Q?=00?= =?UTF-16BE?Q?A?=");
	is_str(s, "A", "a UTF-16 unit split across words");
	free(s);
	s = rfc2047_decode("=?UTF-8?Q?a=E2=82?= =?ISO-8859-1?Q?=E9?=");
	ok(valid_utf8(s), "a run cut short by another charset stays valid: %s", s);
	free(s);
	s = rfc2047_decode("raw \xff byte");
	is_str(s, "raw \xef\xbf\xbd byte", "a raw stray byte becomes U+FFFD");
	free(s);

	ok(parse_str(&mb, "From: a@b\nSubject: caf\xe9\n\nbody\n", 0) < 0,
	   "a raw latin-1 Subject is refused");
	mbox_release(&mb);
	ok(parse_str(&mb, "From: a@b\nSubject: caf\xc3\xa9\nMessage-ID: <\xff@x>\n\nbody\n", 0) < 0,
	   "a Message-ID with a stray byte is refused");
	mbox_release(&mb);
	ok(parse_str(&mb, "From: a@b\nSubject: caf\xc3\xa9\nX-Junk: \xff\n\nbody\n", 0) == 0 &&
	   mb.nr == 1 && !strcmp(mb.mails[0].subject, "caf\xc3\xa9"),
	   "raw UTF-8 Subject (RFC 6532) read; a header not stored may hold anything");
	mbox_release(&mb);

	ok(parse_str(&mb, "From: a@b\nSubject: qp\nContent-Type: text/plain; charset=utf-8\n"
			  "Content-Transfer-Encoding: quoted-printable\n\nbad =FF byte\n", 0) == 0 && mb.nr == 1 &&
	   mail_body_text(&mb.mails[0], "qp", &text, &len) < 0, "QP body decoding to invalid UTF-8 refused");
	mbox_release(&mb);
	ok(parse_str(&mb, "From: a@b\nSubject: b64\nContent-Transfer-Encoding: base64\n\n4oI=\n", 0) == 0 &&
	   mb.nr == 1 && mail_body_text(&mb.mails[0], "b64", &text, &len) < 0,
	   "base64 body ending inside a character refused");
	mbox_release(&mb);
	ok(parse_str(&mb, "From: a@b\nSubject: 8bit\nContent-Transfer-Encoding: 8bit\n\nK\xe4se\n", 0) == 0 &&
	   mb.nr == 1 && mail_body_text(&mb.mails[0], "8bit", &text, &len) < 0,
	   "8bit body in latin-1 without a charset refused");
	mbox_release(&mb);
	ok(parse_str(&mb, "From: a@b\nSubject: 8bit\nContent-Type: text/plain; charset=iso-8859-1\n"
			  "Content-Transfer-Encoding: 8bit\n\nK\xe4se\n", 0) == 0 &&
	   mb.nr == 1 && mail_body_text(&mb.mails[0], "8bit", &text, &len) == 0 &&
	   !strcmp(text, "K\xc3\xa4se\n"), "the same body with its charset converted");
	free(text);
	mbox_release(&mb);
}

int main(void)
{
	util_quiet = 1;
	test_from_lines();
	test_utf8_hostile();
	test_cover3();
	test_mboxrd();
	test_rfc2047();
	test_bodies();
	test_errors();
	test_gzip();
	return done_testing();
}
