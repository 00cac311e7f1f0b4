/*
 * abi.c - the version -> size table of every public struct the library
 * reads from or writes into host memory, and the two copies that use it.
 *
 * Appending a member to one of these structs (docs/conventions.md):
 *  1. in its header, under a new "---- version N ----" comment, append the
 *     member (0 / NULL must mean "as before") and bump its _VERSION macro;
 *     add the member to its _INIT macro;
 *  2. here, append HH_END(type, new_last_member) to its ends[] list;
 *  3. add a row to the table in docs/conventions.md.
 * The static assertions below fail the build when step 2 is forgotten.
 */
#include <string.h>

#include <hiveha/clock.h>
#include <hiveha/governor.h>
#include <hiveha/responder.h>
#include <hiveha/store.h>
#include <hiveha/transport.h>

#include "abi.h"

/* Bytes from the start of `type` to the end of `member`. */
#define HH_END(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

#define HH_LAYOUT(var, type, current, ends)                                                   \
	_Static_assert(sizeof(ends) / sizeof((ends)[0]) == (current) + 1,                          \
	               #type ": its _VERSION grew; append the new version's end to " #ends);       \
	const hh_abi_layout var = { #type, (current), sizeof(type), ends }

/* ends[v] for v = 1..current; [0] is unused (version 0 is invalid). */

static const size_t store_ends[] = {
	0,
	HH_END(hiveha_store, kv_delete),                    /* version 1 */
	HH_END(hiveha_store, last_error),                   /* version 2 */
	HH_END(hiveha_store, last_error),                   /* version 3: no new member */
};
HH_LAYOUT(hh_abi_store, hiveha_store, HIVEHA_STORE_VERSION, store_ends);

static const size_t transport_ends[] = {
	0,
	HH_END(hiveha_transport, reset),                    /* version 1 */
};
HH_LAYOUT(hh_abi_transport, hiveha_transport, HIVEHA_TRANSPORT_VERSION, transport_ends);

static const size_t clock_ends[] = {
	0,
	HH_END(hiveha_clock, wake),                         /* version 1 */
	HH_END(hiveha_clock, reset),                        /* version 2 */
};
HH_LAYOUT(hh_abi_clock, hiveha_clock, HIVEHA_CLOCK_VERSION, clock_ends);

static const size_t governor_config_ends[] = {
	0,
	HH_END(hiveha_governor_config, allocator), /* version 1 */ /* NOLINT(bugprone-sizeof-expression): the pointer member's own size */
	HH_END(hiveha_governor_config, max_bytes_per_s), /* version 2 */
};
HH_LAYOUT(hh_abi_governor_config, hiveha_governor_config, HIVEHA_GOVERNOR_CONFIG_VERSION,
          governor_config_ends);

static const size_t responder_config_ends[] = {
	0,
	HH_END(hiveha_responder_config, allocator), /* version 1 */ /* NOLINT(bugprone-sizeof-expression): the pointer member's own size */
	HH_END(hiveha_responder_config, clock), /* version 2 */ /* NOLINT(bugprone-sizeof-expression): the pointer member's own size */
};
HH_LAYOUT(hh_abi_responder_config, hiveha_responder_config, HIVEHA_RESPONDER_CONFIG_VERSION,
          responder_config_ends);

static const size_t request_ends[] = {
	0,
	HH_END(hiveha_request, body_len),                   /* version 1 */
};
HH_LAYOUT(hh_abi_request, hiveha_request, HIVEHA_REQUEST_VERSION, request_ends);

static const size_t deputy_snapshot_ends[] = {
	0,
	HH_END(hiveha_deputy_snapshot, sync_state),         /* version 1 */
};
HH_LAYOUT(hh_abi_deputy_snapshot, hiveha_deputy_snapshot, HIVEHA_DEPUTY_SNAPSHOT_VERSION,
          deputy_snapshot_ends);

size_t hh_abi_size(const hh_abi_layout *l, unsigned int version)
{
	return version == 0 || version > l->current ? 0 : l->ends[version];
}

int hh_abi_copy_in(const hh_abi_layout *l, void *dst, const void *src)
{
	unsigned int version;
	size_t n;

	/* The version member is the one thing every version has. */
	memcpy(&version, src, sizeof(version));
	n = hh_abi_size(l, version);
	if (!n)
		return HIVEHA_EVERSION;
	memcpy(dst, src, n);
	memset((char *)dst + n, 0, l->size - n);
	return HIVEHA_OK;
}

int hh_abi_copy_out(const hh_abi_layout *l, void *dst, const void *src, unsigned int version)
{
	size_t n = hh_abi_size(l, version);

	if (!n)
		return HIVEHA_EVERSION;
	memcpy(dst, src, n);
	return HIVEHA_OK;
}
