/*
 * sha256.h - SHA-256 (FIPS 180-4) for the intake's content hashes: a
 * revision is identified by the hash of its diffs, so a re-post of the
 * same patches is recognised.  libc only, no OpenSSL: the intake must not
 * depend on libcurl's TLS library.
 */
#ifndef SWAPLAB_SHA256_H
#define SWAPLAB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	unsigned char buf[64];
	size_t fill;           /* bytes waiting in buf, < 64 */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Finishes c and writes 64 lower-case hex digits and a NUL to hex. */
void sha256_final_hex(struct sha256 *c, char hex[SHA256_HEX_LEN + 1]);

#endif
