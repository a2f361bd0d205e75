/*
 * gen_boots.h - generated per-boot figures for the decision-rule tests and
 * the bisect simulation: a splitmix64 stream (seeded per program with
 * gen_seed(), so every run draws the same numbers) and lognormal boots.
 */
#ifndef SWAPLAB_TEST_GEN_BOOTS_H
#define SWAPLAB_TEST_GEN_BOOTS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

static uint64_t gen_state;

static inline void gen_seed(uint64_t seed)
{
	gen_state = seed;
}

/* Uniform in (0, 1). */
static inline double unit(void)
{
	uint64_t z = (gen_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return ((double)((z ^ (z >> 31)) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double normal(void)
{
	return sqrt(-2 * log(unit())) * cos(2 * M_PI * unit());
}

/* n boot figures (ns) around a median of ms, log-sd sd. */
static inline void boots(double *v, size_t n, double ms, double sd)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = ms * 1e6 * exp(sd * normal());
}

#endif
