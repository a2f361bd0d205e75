/*
 * utf8.h - UTF-8 validation (RFC 3629): what every parser of outside
 * input (JSON, mail) checks before a string reaches the database or an
 * output.  libc only (the benchmark links it).
 */
#ifndef SWAPLAB_UTF8_H
#define SWAPLAB_UTF8_H

#include <stddef.h>

/*
 * Length of the longest valid UTF-8 prefix of s[0..len): len when all of
 * it is valid.  Overlong forms, surrogates (U+D800..U+DFFF), code points
 * above U+10FFFF and truncated sequences are invalid.
 */
size_t utf8_valid_prefix(const char *s, size_t len);
/* 1 when s[0..len) is valid UTF-8. */
int utf8_valid(const char *s, size_t len);
/*
 * Bytes of the sequence starting at s[0..len) when it is one valid
 * character, else 0.
 */
size_t utf8_char_len(const unsigned char *s, size_t len);

#endif
