/*
 * hash.h - the one place the core takes its hash from: xxHash (XXH3,
 * 64 bit), compiled in header-only so that it adds no runtime dependency.
 * Internal; used where a digest detects change (checkpoints now,
 * reconciliation digests later), never as a defence against an attacker.
 */
#ifndef HH_HASH_H
#define HH_HASH_H

#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* 64-bit hash of `len` bytes, seeded (a running digest can be the seed). */
static inline uint64_t hh_hash64(const void *data, size_t len, uint64_t seed)
{
	return (uint64_t)XXH3_64bits_withSeed(data, len, (XXH64_hash_t)seed);
}

#endif /* HH_HASH_H */
