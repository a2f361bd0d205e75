/* Fuzz target: the benchmark's /proc and sysfs parsers (bench/sysfs.c). */
#include "fuzz.h"
#include "bench/sysfs.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char paths[8][256];
	struct zram_mm_stat st;
	uint64_t a, b;
	char word[64], mnt[256], *text;

	util_quiet = 1;
	text = fuzz_cstr(data, size);
	(void)parse_zram_mm_stat(text, &st);
	(void)parse_zram_io_stat(text, &a);
	(void)parse_zram_debug_stat(text, &a);
	(void)parse_kb_field(text, "SwapTotal", &a);
	(void)parse_kb_field(text, "VmSwap", &a);
	(void)parse_vmstat_field(text, "pswpout", &a);
	(void)parse_smaps_range(text, (uintptr_t)0x7f0000000000ULL, (uintptr_t)0x7f0000100000ULL, &a, &b);
	(void)parse_smaps_range(text, 0, UINTPTR_MAX, &a, &b);
	if (parse_bracketed(text, word, sizeof(word)) == 0)
		FUZZ_CHECK(strlen(word) < sizeof(word), "bracketed word overran");
	(void)word_in_list(text, "madvise");
	(void)parse_proc_stat_busy(text, &a);
	(void)parse_cpu_stat_usage(text, &a);
	FUZZ_CHECK(parse_proc_swaps(text, paths, 8) >= -1, "swaps count");
	if (parse_mount_point(text, "debugfs", NULL, mnt, sizeof(mnt)) == 0)
		FUZZ_CHECK(strlen(mnt) < sizeof(mnt), "mount point overran");
	(void)parse_mount_point(text, "cgroup2", "rw", mnt, sizeof(mnt));
	free(text);
	return 0;
}
