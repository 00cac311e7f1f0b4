/*
 * abi.h - reading and writing public structs by their declared version
 * (docs/conventions.md, "Versioned structs").
 *
 * A host built against an older header hands the library a smaller struct;
 * one built against a newer header a larger one. The library therefore
 * never copies a public struct by sizeof: it copies the bytes of the
 * version the host declared and zeroes the members that version lacks, so
 * that code past the copy reads a newer member as 0 / NULL ("not set")
 * without checking the version again. The sizes live in one table,
 * lib/abi.c.
 */
#ifndef HH_ABI_H
#define HH_ABI_H

#include <stddef.h>

/* How many bytes each version of one public struct has. */
typedef struct hh_abi_layout {
	const char *name;    /* "hiveha_store", for messages */
	unsigned int current; /* the newest version this library knows */
	size_t size;         /* sizeof the struct in this library */
	const size_t *ends;  /* ends[v]: bytes up to the end of version v's last member */
} hh_abi_layout;

extern const hh_abi_layout hh_abi_store;
extern const hh_abi_layout hh_abi_transport;
extern const hh_abi_layout hh_abi_clock;
extern const hh_abi_layout hh_abi_governor_config;
extern const hh_abi_layout hh_abi_responder_config;
extern const hh_abi_layout hh_abi_request;
extern const hh_abi_layout hh_abi_deputy_snapshot;

/* Bytes of `version` of the struct, or 0 when the version is 0 or newer than
 * this library knows. */
size_t hh_abi_size(const hh_abi_layout *l, unsigned int version);

/*
 * Copies a struct whose first member is `unsigned int version` from host
 * memory `src` into `dst` (l->size bytes): the bytes of src's version, then
 * zeroes to the end. HIVEHA_EVERSION (dst untouched) for version 0 or one
 * newer than l->current.
 */
int hh_abi_copy_in(const hh_abi_layout *l, void *dst, const void *src);

/*
 * Writes the first hh_abi_size(l, version) bytes of `src` (a full struct of
 * this library) to host memory `dst`, and not one byte more.
 * HIVEHA_EVERSION (dst untouched) for an unknown version.
 */
int hh_abi_copy_out(const hh_abi_layout *l, void *dst, const void *src, unsigned int version);

#endif /* HH_ABI_H */
