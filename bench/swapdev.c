/*
 * bench/swapdev.c - swap signature, swapon/swapoff, swap files, loop and
 * zram devices (see swapdev.h).
 */
#include "bench/swapdev.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

/* The on-disk header of mm/swapfile.c (union swap_header, version 1). */
struct swap_info_v1 {
	uint32_t version;
	uint32_t last_page;
	uint32_t nr_badpages;
	unsigned char sws_uuid[16];
	unsigned char sws_volume[16];
	uint32_t padding[117];
	uint32_t badpages[1];
};

int swap_write_header(int fd, uint64_t size, const char *what)
{
	long psz = sysconf(_SC_PAGESIZE);
	unsigned char *page;
	struct swap_info_v1 info;
	uint64_t pages = size / (uint64_t)psz;
	int ret = 0;

	if (pages < 10 || pages - 1 > UINT32_MAX)
		return error("cannot make '%s' a swap device: %llu pages is out of range",
			     what, (unsigned long long)pages);
	page = xcalloc(1, (size_t)psz);
	memset(&info, 0, sizeof(info));
	info.version = 1;
	info.last_page = (uint32_t)(pages - 1);
	if (getrandom(info.sws_uuid, sizeof(info.sws_uuid), 0) < 0)
		memset(info.sws_uuid, 0x5a, sizeof(info.sws_uuid));
	memcpy(info.sws_volume, "swaplab", 7);
	memcpy(page + 1024, &info, sizeof(info));
	memcpy(page + psz - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, (size_t)psz, 0) != psz || fsync(fd) < 0)
		ret = error_errno("cannot write the swap signature to '%s'", what);
	free(page);
	return ret;
}

int swapdev_on(const char *path, int prio)
{
	int flags = SWAP_FLAG_PREFER | ((prio << SWAP_FLAG_PRIO_SHIFT) & SWAP_FLAG_PRIO_MASK);

	if (swapon(path, flags) < 0)
		return error_errno("swapon '%s' (priority %d)", path, prio);
	return 0;
}

int swapdev_off(const char *path)
{
	/* swapoff can be interrupted by a signal while it swaps pages in. */
	for (int tries = 0; tries < 5; tries++) {
		if (swapoff(path) == 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	return error_errno("swapoff '%s'", path);
}

int swapfile_create(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int err;

	if (fd < 0)
		return error_errno("cannot create swap file '%s'", path);
	/* swapon refuses files with holes: allocate every block now. */
	err = posix_fallocate(fd, 0, (off_t)size);
	if (err) {
		errno = err;
		error_errno("cannot allocate %llu bytes for swap file '%s'",
			    (unsigned long long)size, path);
		goto fail;
	}
	if (swap_write_header(fd, size, path) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	close(fd);
	unlink(path);
	return -1;
}

int loopdev_attach(const char *file, char *out, size_t len)
{
	int ctl = -1, fd = -1, lfd = -1, nr;
	struct loop_info64 li;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return error_errno("cannot open /dev/loop-control");
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		return error_errno("no free loop device");
	snprintf(out, len, "/dev/loop%d", nr);
	fd = open(file, O_RDWR | O_CLOEXEC);
	lfd = open(out, O_RDWR | O_CLOEXEC);
	if (fd < 0 || lfd < 0) {
		error_errno("cannot open '%s' or '%s'", file, out);
		goto fail;
	}
	if (ioctl(lfd, LOOP_SET_FD, fd) < 0) {
		error_errno("cannot attach '%s' to '%s'", file, out);
		goto fail;
	}
	memset(&li, 0, sizeof(li));
	/* Autoclear: the device goes away once swapoff drops the last user. */
	li.lo_flags = LO_FLAGS_AUTOCLEAR;
	snprintf((char *)li.lo_file_name, sizeof(li.lo_file_name), "%s", file);
	if (ioctl(lfd, LOOP_SET_STATUS64, &li) < 0) {
		error_errno("cannot configure '%s'", out);
		ioctl(lfd, LOOP_CLR_FD, 0);
		goto fail;
	}
	close(fd);
	/* Autoclear detaches on the last close: the caller closes lfd after swapon. */
	return lfd;
fail:
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
	out[0] = '\0';
	return -1;
}

int loopdev_detach(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : error_errno("cannot open '%s'", dev);
	/* ENXIO: autoclear already detached it. */
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO) {
		error_errno("cannot detach '%s'", dev);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int zram_hot_add(void)
{
	char buf[32];
	uint64_t id;

	if (read_file_trim("/sys/class/zram-control/hot_add", buf, sizeof(buf)) < 0)
		return error_errno("cannot add a zram device (/sys/class/zram-control/hot_add)");
	if (sscanf(buf, "%llu", (unsigned long long *)&id) != 1)
		return error("unexpected reply '%s' from zram hot_add", buf);
	return (int)id;
}

int zram_remove(int id)
{
	char path[64], num[16];
	struct stat sb;

	snprintf(path, sizeof(path), "/sys/block/zram%d", id);
	if (stat(path, &sb) < 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/block/zram%d/reset", id);
	/* EBUSY here means something still holds the device open. */
	for (int tries = 0; write_file(path, "1") < 0; tries++) {
		if (errno != EBUSY || tries == 20)
			return -1;
		sleep_ns(100000000);
	}
	snprintf(num, sizeof(num), "%d", id);
	return write_file("/sys/class/zram-control/hot_remove", num);
}

int zram_comp_list(int id, char *out, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/block/zram%d/comp_algorithm", id);
	if (read_file_trim(path, out, len) < 0)
		return error_errno("cannot read '%s'", path);
	return 0;
}

int zram_configure(int id, const char *comp, uint64_t disksize)
{
	char path[64], val[32];
	struct stat sb;
	int i;

	if (comp) {
		snprintf(path, sizeof(path), "/sys/block/zram%d/comp_algorithm", id);
		if (write_file(path, comp) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "/sys/block/zram%d/disksize", id);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)disksize);
	if (write_file(path, val) < 0)
		return -1;
	/* devtmpfs creates the node asynchronously on some kernels. */
	snprintf(path, sizeof(path), "/dev/zram%d", id);
	for (i = 0; i < 200 && stat(path, &sb) < 0; i++)
		sleep_ns(5000000);
	if (stat(path, &sb) < 0)
		return error_errno("'%s' did not appear", path);
	return 0;
}
