/*
 * sha256.h - SHA-256 (FIPS 180-4) for content-addressed kernel artifacts
 * and for checking the JSON Lines stream a guest prints on its console.
 * libc only, streaming: init, update any number of times, final.
 */
#ifndef SWAPLAB_SHA256_H
#define SWAPLAB_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	unsigned char buf[64];
	size_t fill;           /* bytes waiting in buf, < 64 */
};

#define SHA256_HEX_LEN 64

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Writes the digest as 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_final_hex(struct sha256 *c, char hex[SHA256_HEX_LEN + 1]);
/* One-shot digest of a buffer. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);
/* Digest of a file's contents; -1 with a message if it cannot be read. */
int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN + 1]);

#endif
