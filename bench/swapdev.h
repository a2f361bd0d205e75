/*
 * bench/swapdev.h - swap devices without external tools: the swap
 * signature (what mkswap writes), swapon/swapoff, swap files, loop
 * devices and zram devices.  The static benchmark must work in an
 * initramfs that has none of util-linux.
 */
#ifndef SWAPLAB_BENCH_SWAPDEV_H
#define SWAPLAB_BENCH_SWAPDEV_H

#include <stddef.h>
#include <stdint.h>

/* Writes a version-1 swap header for size bytes to the open device or file. */
int swap_write_header(int fd, uint64_t size, const char *what);
int swapdev_on(const char *path, int prio);
int swapdev_off(const char *path);

/* Creates path (O_EXCL), allocates size bytes (no holes) and signs it. */
int swapfile_create(const char *path, uint64_t size);
/*
 * Attaches file to a free loop device (autoclear); writes its path to out
 * and returns an open fd of it, or -1.  Autoclear detaches the device on
 * its last close, so keep the fd open until swapon holds the device.
 */
int loopdev_attach(const char *file, char *out, size_t len);
int loopdev_detach(const char *dev);

/* zram-control: a new device's id, or -1. */
int zram_hot_add(void);
/* Resets and hot_removes the device (ENOENT is success). */
int zram_remove(int id);
/* Sets compressor (NULL: keep) and disksize, waits for /dev/zramN. */
int zram_configure(int id, const char *comp, uint64_t disksize);
/* The compressors the zram device offers, e.g. "lzo [lzo-rle] lz4". */
int zram_comp_list(int id, char *out, size_t len);

#endif
