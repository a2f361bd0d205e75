/*
 * replay.c - a main() for the fuzz targets without libFuzzer: feeds each
 * file named on the command line (or each file in a named directory) to
 * LLVMFuzzerTestOneInput once.  Built with gcc under ASan/UBSan, it is
 * how `make check` replays the corpora without clang.  Prints TAP, one
 * line per corpus directory or file.
 */
#include "fuzz.h"

#include <dirent.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f)
		return -1;
	for (;;) {
		if (alloc - len < 65536) {
			alloc = alloc ? alloc * 2 : 65536;
			buf = realloc(buf, alloc);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, alloc - len, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	/* An exact-size copy, as libFuzzer passes: ASan sees a read past the end. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact)
			abort();
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, t = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;
		unsigned files = 0;

		if (stat(argv[i], &st) < 0) {
			printf("not ok %d - cannot read %s\n", ++t, argv[i]);
			bad = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;

			while (d && (e = readdir(d))) {
				char p[4096];

				if (e->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", argv[i], e->d_name);
				if (run_file(p) == 0)
					files++;
			}
			if (d)
				closedir(d);
		} else if (run_file(argv[i]) == 0) {
			files++;
		}
		printf("%s %d - %s: %u inputs replayed\n", files ? "ok" : "not ok", ++t, argv[i], files);
		bad |= !files;
	}
	printf("1..%d\n", t);
	return bad;
}
