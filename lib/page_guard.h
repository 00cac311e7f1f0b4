/*
 * page_guard.h - a paged transfer must move (internal; issue 9 item 12).
 *
 * A peer whose store ignores `skip` answers a continuation with the page it
 * sent before - same records, a cursor further on only in its skip count -
 * and a deputy that trusts cursors loops for ever. The deputies fingerprint
 * every page that asks to be continued; the same fingerprint twice in a
 * row, or a continued page that carries nothing, is no progress, and the
 * round ends with a clear SyncState instead.
 *
 * The fingerprint covers the records' identity and content and where in
 * the transfer they sit, so two different pages never look alike unless
 * a store holds 2 x page-limit identical records at one timestamp (then
 * the round ends with the same message; nothing is lost, the gap stays
 * pending).
 */
#ifndef HH_PAGE_GUARD_H
#define HH_PAGE_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include <hiveha/value.h>

typedef struct hh_page_guard {
	uint64_t last;   /* fingerprint of the previous continued page */
	int have;
} hh_page_guard;

/* Chained XXH3 (lib/hash.h): the running fingerprint seeds the next
 * field's hash. A repeat detector; any start value will do. */
#define HH_SIG_INIT UINT64_C(0x9E3779B97F4A7C15)
void hh_sig_bytes(uint64_t *sig, const void *p, size_t n);
void hh_sig_u64(uint64_t *sig, uint64_t v);
void hh_sig_value(uint64_t *sig, const hiveha_value *v);
void hh_sig_event(uint64_t *sig, const hiveha_event *e);

/* Records the fingerprint of a page that has a cursor; returns 1 when it
 * equals the previous one (no progress). A page without a cursor resets
 * the guard (the next unit starts afresh). */
int hh_page_guard_repeat(hh_page_guard *g, uint64_t sig, int has_cursor);

#endif /* HH_PAGE_GUARD_H */
