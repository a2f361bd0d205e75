/*
 * Differential test (issue 14): db import's in-place sample scanner and
 * the JSON parser agree on every line - whatever the fast path reads, the
 * parser reads with the same values and verdict.  Hand-picked hostile
 * lines, then a few hundred thousand deterministic mutations of the lines
 * swapbench writes, fed as one stream (the scanner caches keys per
 * position from line to line).
 */
#include "db/db.h"
#include "tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const base[] = {
	"{\"type\":\"sample\",\"backend\":\"zram\",\"comp\":\"lzo-rle\",\"size_bytes\":67108864,"
	"\"procs\":2,\"run\":1,\"proc\":0,\"munmap_ns\":1234567,\"start_ns\":0,\"swap_bytes\":4096,"
	"\"drained\":true,\"wall_ns\":99,\"cpu_ns\":5}",
	"{\"type\":\"sample\",\"backend\":\"zswap\",\"size_bytes\":1,\"procs\":1,\"run\":3,"
	"\"proc\":0,\"munmap_ns\":999999999999999999,\"drained\":false}",
	"{\"procs\":4,\"type\":\"sample\",\"backend\":\"z\",\"size_bytes\":0,\"run\":1,\"proc\":3,\"munmap_ns\":0,\"x\":\"y\"}",
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const tokens[] = {
	"0", "01", "-1", "1.", "1.5", "1e3", "1e400", "18446744073709551616", "9223372036854775808",
	"\"", "\\", "\\u0000", "\\ud800", "\xff", "\xc3\xa9", "\xed\xa0\x80", "\x01", "\t", " ",
	"true", "false", "null", "tru", ",", ":", "{", "}", "[", "]", "\"type\"", "\"sample\"",
	"\"procs\"", "\"backend\"", "\"comp\"", "\"proc\"", "\"run\"", "9999999999999999999",
};

static void mutate(char *out, size_t cap, const char *in)
{
	size_t n = strlen(in), o = 0, i;
	int edits = 1 + (int)(next() % 3);

	if (n >= cap)
		n = cap - 1;
	memcpy(out, in, n);
	o = n;
	while (edits--) {
		size_t at = o ? next() % o : 0;
		const char *t = tokens[next() % (sizeof(tokens) / sizeof(tokens[0]))];
		size_t tl = strlen(t), del = next() % 4;

		switch (next() % 3) {
		case 0: /* replace a few bytes with a token */
			if (at + del > o)
				del = o - at;
			if (o - del + tl >= cap)
				break;
			memmove(out + at + tl, out + at + del, o - at - del);
			memcpy(out + at, t, tl);
			o = o - del + tl;
			break;
		case 1: /* flip a byte */
			if (o)
				out[at] = (char)(next() & 0xff);
			break;
		default: /* a digit in place of a digit, a value's length changes */
			for (i = at; i < o; i++)
				if (out[i] >= '0' && out[i] <= '9') {
					out[i] = (char)('0' + next() % 10);
					break;
				}
		}
	}
	for (i = 0; i < o; i++)
		if (out[i] == '\n')
			out[i] = ' ';
	out[o] = '\0';
}

static int agrees(const char *s, char *err)
{
	return db_import_fast_agrees(s, strlen(s), err, 512) == 0;
}

int main(void)
{
	static const char *const hostile[] = {
		/* non-ASCII in a string or key: the parser decides (and refuses invalid UTF-8) */
		"{\"type\":\"sample\",\"backend\":\"zr\xff\",\"size_bytes\":1,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"k\xfe\":1,\"size_bytes\":1,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zr\xc3\xa9\",\"size_bytes\":1,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		/* numbers at the edges */
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":01,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":999999999999999999,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":9999999999999999999,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":1.,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":1e400,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		/* duplicates, trailing bytes, control characters */
		"{\"type\":\"sample\",\"backend\":\"zram\",\"procs\":1,\"procs\":2,\"size_bytes\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":1,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}}",
		"{\"type\":\"sample\",\"backend\":\"zr\tam\",\"size_bytes\":1,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":1,\"procs\":0,\"run\":1,\"proc\":0,\"munmap_ns\":1}",
		"{\"type\":\"sample\",\"backend\":\"zram\",\"size_bytes\":1,\"procs\":1,\"run\":1,\"proc\":0,\"munmap_ns\":1,\"drained\":1}",
	};
	char err[512], buf[1024];
	static char stream[1 << 20];
	size_t k, so = 0;
	unsigned fails = 0, n;

	for (k = 0; k < sizeof(base) / sizeof(base[0]); k++)
		ok(agrees(base[k], err), "swapbench's line %zu: %s", k, err);
	for (k = 0; k < sizeof(hostile) / sizeof(hostile[0]); k++)
		ok(agrees(hostile[k], err), "hostile line %zu: %s", k, err);
	/* Mutations, as lone lines and as one stream (the key cache carried over). */
	for (n = 0; n < 200000; n++) {
		mutate(buf, sizeof(buf), base[next() % (sizeof(base) / sizeof(base[0]))]);
		if (!agrees(buf, err) && fails++ < 5)
			printf("# disagree on '%s': %s\n", buf, err);
		if (so + strlen(buf) + 1 < sizeof(stream)) {
			memcpy(stream + so, buf, strlen(buf));
			so += strlen(buf);
			stream[so++] = '\n';
		}
	}
	ok(fails == 0, "200000 mutated lines: %u disagreements", fails);
	ok(db_import_fast_agrees(stream, so, err, sizeof(err)) == 0, "as one stream of %zu bytes: %s",
	   so, err);
	return done_testing();
}
