/* storefaults.c - counters and fault schedule of the fake stores (see storefaults.h). */
#include "storefaults.h"

#include <stdio.h>
#include <string.h>

static const char *member_name(memstore_member member)
{
	static const char *const names[MEMSTORE_MEMBER_COUNT] = {
		"list_items", "read_samples", "read_events", "kv_get", "begin", "commit",
		"rollback", "replace_samples", "insert_events", "kv_put", "kv_delete",
	};
	return (unsigned)member < MEMSTORE_MEMBER_COUNT ? names[member] : "?";
}

void storefaults_init(storefaults *f, const char *store)
{
	memset(f, 0, sizeof(*f));
	f->store = store;
}

void storefaults_schedule(storefaults *f, unsigned mask, uint64_t n, storefaults_mode mode,
                          int err)
{
	f->mask = n ? mask & ~MEMSTORE_MASK(MEMSTORE_ROLLBACK) : 0;
	f->nth = n;
	f->seen = 0;
	f->mode = mode;
	f->err = err ? err : HIVEHA_ESTORE;
}

void storefaults_off(storefaults *f)
{
	storefaults_schedule(f, 0, 0, STOREFAULTS_ONCE, 0);
}

int storefaults_enter(storefaults *f, memstore_member member)
{
	f->counts.calls[member]++;
	if (!(f->mask & MEMSTORE_MASK(member)))
		return 0;
	f->seen++;
	if (f->seen < f->nth || (f->seen > f->nth && f->mode != STOREFAULTS_FROM))
		return 0;
	f->counts.faults++;
	snprintf(f->reason, sizeof(f->reason), "%s: injected failure of %s (call %llu)", f->store,
	         member_name(member), (unsigned long long)f->seen);
	return f->err;
}

void storefaults_reason(const storefaults *f, char *buf, size_t size)
{
	snprintf(buf, size, "%s", f->reason);
}

void storefaults_reset_counts(storefaults *f)
{
	memset(&f->counts, 0, sizeof(f->counts));
}
