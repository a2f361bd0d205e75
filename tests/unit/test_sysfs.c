/* Unit tests: parsers of zram, /proc and mount files (bench/sysfs.c), fed
 * text captured from real kernels. */
#include "bench/sysfs.h"
#include "tap.h"

#include <string.h>

static const char smaps[] =
"55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0                          [heap]\n"
"Size:                132 kB\n"
"Rss:                   8 kB\n"
"Swap:                  0 kB\n"
"7f1234000000-7f1238000000 rw-p 00000000 00:00 0 \n"
"Size:              65536 kB\n"
"KernelPageSize:        4 kB\n"
"Rss:                  12 kB\n"
"Pss:                  12 kB\n"
"AnonHugePages:         0 kB\n"
"Swap:              65524 kB\n"
"SwapPss:           65524 kB\n"
"VmFlags: rd wr mr mw me ac nh \n"
"7f1238000000-7f1238001000 r--p 00000000 00:00 0 \n"
"Size:                  4 kB\n"
"Rss:                   4 kB\n"
"Swap:                  4 kB\n";

int main(void)
{
	struct zram_mm_stat mm;
	uint64_t v = 0, rss = 0, swap = 0;
	char word[32], paths[4][256], mnt[128];

	ok(parse_zram_mm_stat("  4096  1024  12288  0  12288  1  0  0  0\n", &mm) == 0 &&
	   mm.orig_data_size == 4096 && mm.compr_data_size == 1024 && mm.mem_used_total == 12288 &&
	   mm.same_pages == 1, "mm_stat of a 6.x kernel");
	ok(parse_zram_mm_stat("4096 1024 12288 0 12288\n", &mm) == 0 && mm.mem_used_total == 12288,
	   "mm_stat with only the first five fields");
	ok(parse_zram_mm_stat("garbage", &mm) < 0, "garbage mm_stat rejected");
	ok(parse_zram_io_stat("       0        0        0    16384\n", &v) == 0 && v == 16384,
	   "io_stat notify_free");
	ok(parse_zram_io_stat("0 0\n", &v) < 0, "short io_stat rejected");
	ok(parse_zram_debug_stat("version: 1\n       0        7\n", &v) == 0 && v == 7,
	   "debug_stat miss_free");
	ok(parse_zram_debug_stat("version: 2\n", &v) < 0, "debug_stat without counters");

	ok(parse_kb_field("MemTotal:       24684632 kB\nMemAvailable:   23000000 kB\n",
			  "MemAvailable", &v) == 0 && v == 23000000ULL * 1024, "meminfo field");
	ok(parse_kb_field("MemTotal: 1 kB\n", "Mem", &v) < 0, "no prefix match");
	ok(parse_kb_field("Name:\tx\nVmSwap:\t  65536 kB\n", "VmSwap", &v) == 0 && v == 65536ULL * 1024,
	   "status VmSwap");
	ok(parse_vmstat_field("pswpout 10\nzswpout 65536\nzswpwb 0\n", "zswpout", &v) == 0 &&
	   v == 65536, "vmstat field");
	ok(parse_vmstat_field("zswpoutx 3\n", "zswpout", &v) < 0, "vmstat exact key");

	ok(parse_smaps_range(smaps, 0x7f1238000000UL, 0x7f1238001000UL, &rss, &swap) == 0 &&
	   rss == 4096 && swap == 4096, "smaps last entry");
	ok(parse_smaps_range(smaps, 0x7f1234000000UL, 0x7f1238001000UL, &rss, &swap) == 0 &&
	   rss == 16 * 1024 && swap == 65528ULL * 1024, "smaps range sums its two VMAs");
	ok(parse_smaps_range(smaps, 0x7f1234000000UL, 0x7f1238000000UL, &rss, &swap) == 0 &&
	   rss == 12 * 1024 && swap == 65524ULL * 1024, "smaps range of one VMA");
	ok(parse_smaps_range(smaps, 0x7f1234000000UL, 0x7f1236000000UL, &rss, &swap) < 0,
	   "a VMA reaching outside the range is refused");
	ok(parse_smaps_range(smaps, 0x7f1300000000UL, 0x7f1301000000UL, &rss, &swap) < 0,
	   "no VMA in the range");

	ok(parse_bracketed("always [madvise] never\n", word, sizeof(word)) == 0 &&
	   !strcmp(word, "madvise"), "bracketed THP mode");
	ok(parse_bracketed("lzo [lzo-rle] lz4", word, sizeof(word)) == 0 && !strcmp(word, "lzo-rle"),
	   "bracketed compressor");
	ok(parse_bracketed("no brackets", word, sizeof(word)) < 0, "no brackets");
	ok(word_in_list("lzo [lzo-rle] lz4 zstd", "lz4"), "word in list");
	ok(word_in_list("lzo [lzo-rle] lz4", "lzo-rle"), "bracketed word in list");
	ok(!word_in_list("lzo [lzo-rle] lz4", "lz"), "prefix is not a word");

	ok(parse_proc_stat_busy("cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 1 2 3\n", &v) == 0 &&
	   v == 100 + 5 + 50 + 3 + 2 + 1, "/proc/stat busy ticks");
	ok(parse_cpu_stat_usage("usage_usec 34037407\nuser_usec 1\n", &v) == 0 && v == 34037407,
	   "cgroup2 cpu.stat");
	ok(parse_proc_swaps("Filename\tType\tSize\tUsed\tPriority\n"
			    "/dev/zram1                              partition\t262144\t0\t32767\n"
			    "/var/tmp/swaplab-1.swap                 file\t1024\t0\t-2\n",
			    paths, 4) == 2 && !strcmp(paths[0], "/dev/zram1") &&
	   !strcmp(paths[1], "/var/tmp/swaplab-1.swap"), "/proc/swaps");
	ok(parse_proc_swaps("Filename\tType\tSize\tUsed\tPriority\n", paths, 4) == 0, "no swaps");
	ok(parse_mount_point("cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
			     "cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0\n",
			     "cgroup", "cpuacct", mnt, sizeof(mnt)) == 0 &&
	   !strcmp(mnt, "/sys/fs/cgroup/cpuacct"), "mount with option");
	ok(parse_mount_point("proc /proc proc rw 0 0\n", "debugfs", NULL, mnt, sizeof(mnt)) < 0,
	   "missing mount");
	return done_testing();
}
