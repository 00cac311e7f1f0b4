/*
 * test_storefaults.c - the fault schedule and counters memstore and
 * proxystore share (storefaults.h), and the reference count every double
 * shares (refcount.h). Each schedule row runs against the plan alone, a
 * memstore and a proxystore over a memstore: a fault test written for one
 * store must mean the same on the other.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>

#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "memstore.h"
#include "proxystore.h"
#include "refcount.h"
#include "storefaults.h"

#define CALLS 6

/* The calls each row makes, in order. */
static const memstore_member call_seq[CALLS] = {
	MEMSTORE_LIST_ITEMS, MEMSTORE_KV_GET, MEMSTORE_LIST_ITEMS,
	MEMSTORE_ROLLBACK, MEMSTORE_KV_GET, MEMSTORE_LIST_ITEMS,
};

typedef struct fault_row {
	const char *name;
	unsigned mask;
	uint64_t n;
	storefaults_mode mode;
	int err;
	int want[CALLS];       /* what each call of call_seq returns */
	uint64_t faults;
	const char *reason;    /* substring of the last reason, NULL: none */
} fault_row;

static const fault_row fault_rows[] = {
	{ "nothing scheduled", 0, 0, STOREFAULTS_ONCE, 0, { 0, 0, 0, 0, 0, 0 }, 0, NULL },
	{ "n = 0 schedules nothing", MEMSTORE_ALL, 0, STOREFAULTS_FROM, 0,
	  { 0, 0, 0, 0, 0, 0 }, 0, NULL },
	{ "first read, once", MEMSTORE_READS, 1, STOREFAULTS_ONCE, 0,
	  { HIVEHA_ESTORE, 0, 0, 0, 0, 0 }, 1, "injected failure of list_items (call 1)" },
	{ "third read, once, own code", MEMSTORE_READS, 3, STOREFAULTS_ONCE, HIVEHA_ENOMEM,
	  { 0, 0, HIVEHA_ENOMEM, 0, 0, 0 }, 1, "injected failure of list_items (call 3)" },
	{ "only kv_get counts", MEMSTORE_MASK(MEMSTORE_KV_GET), 2, STOREFAULTS_ONCE, 0,
	  { 0, 0, 0, 0, HIVEHA_ESTORE, 0 }, 1, "injected failure of kv_get (call 2)" },
	{ "from the second read on", MEMSTORE_READS, 2, STOREFAULTS_FROM, 0,
	  { 0, HIVEHA_ESTORE, HIVEHA_ESTORE, 0, HIVEHA_ESTORE, HIVEHA_ESTORE }, 4,
	  "injected failure of list_items (call 5)" },
	{ "rollback is never faulted", MEMSTORE_MASK(MEMSTORE_ROLLBACK), 1, STOREFAULTS_FROM, 0,
	  { 0, 0, 0, 0, 0, 0 }, 0, NULL },
	{ "writes only: reads pass", MEMSTORE_WRITES, 1, STOREFAULTS_FROM, 0,
	  { 0, 0, 0, 0, 0, 0 }, 0, NULL },
	{ "past the calls made", MEMSTORE_ALL, 6, STOREFAULTS_ONCE, 0,
	  { 0, 0, 0, 0, 0, 0 }, 0, NULL },
};

static int noop_item(const char *id, void *p)
{
	(void)id;
	(void)p;
	return 0;
}

static int noop_bytes(const void *data, size_t len, void *p)
{
	(void)data;
	(void)len;
	(void)p;
	return 0;
}

/* A real call of `member` on a store that holds key "k"; rollback ends `txn`. */
static int store_call(hiveha_store *s, memstore_member member, hiveha_store_txn *txn)
{
	switch (member) {
	case MEMSTORE_LIST_ITEMS:
		return s->list_items(s->ctx, noop_item, NULL);
	case MEMSTORE_KV_GET:
		return s->kv_get(s->ctx, "k", noop_bytes, NULL);
	case MEMSTORE_ROLLBACK:
		s->rollback(s->ctx, txn);
		return 0;
	default:
		cr_assert_fail("no call for member %d", (int)member);
		return -1;
	}
}

Test(storefaults, schedule_rows_on_the_plan_alone)
{
	for (size_t r = 0; r < sizeof(fault_rows) / sizeof(fault_rows[0]); r++) {
		const fault_row *row = &fault_rows[r];
		storefaults f;
		storefaults_init(&f, "plan");
		storefaults_schedule(&f, row->mask, row->n, row->mode, row->err);
		for (size_t i = 0; i < CALLS; i++)
			cr_expect_eq(storefaults_enter(&f, call_seq[i]), row->want[i],
			             "row \"%s\", call %zu", row->name, i + 1);
		cr_expect_eq(f.counts.faults, row->faults, "row \"%s\"", row->name);
		cr_expect_eq(f.counts.calls[MEMSTORE_LIST_ITEMS], 3, "row \"%s\"", row->name);
		cr_expect_eq(f.counts.calls[MEMSTORE_ROLLBACK], 1, "row \"%s\"", row->name);
		char why[160];
		storefaults_reason(&f, why, sizeof(why));
		if (row->reason)
			cr_expect(strstr(why, row->reason) && strncmp(why, "plan: ", 6) == 0,
			          "row \"%s\": reason \"%s\"", row->name, why);
		else
			cr_expect_str_empty(why, "row \"%s\"", row->name);
	}
}

typedef enum store_kind { KIND_MEMSTORE, KIND_PROXYSTORE } store_kind;

static void run_row_on_store(const fault_row *row, store_kind kind)
{
	const char *kname = kind == KIND_MEMSTORE ? "memstore" : "proxystore";
	hiveha_store s;
	cr_assert_eq(memstore_new(&s), 0);
	cr_assert_eq(memstore_put_kv(&s, "k", "v", 1), 0);
	if (kind == KIND_PROXYSTORE) {
		hiveha_store inner = s;
		cr_assert_eq(proxystore_new(&s, &inner), 0);
	}
	/* begun before the schedule is set, so that begin is not one of the counted calls */
	hiveha_store_txn *txn = NULL;
	cr_assert_eq(s.begin(s.ctx, &txn), 0);
	void (*fail_nth)(const hiveha_store *, unsigned, uint64_t, int) =
		kind == KIND_MEMSTORE ? memstore_fail_nth : proxystore_fail_nth;
	void (*fail_from)(const hiveha_store *, unsigned, uint64_t, int) =
		kind == KIND_MEMSTORE ? memstore_fail_from : proxystore_fail_from;
	if (row->mode == STOREFAULTS_FROM)
		fail_from(&s, row->mask, row->n, row->err);
	else
		fail_nth(&s, row->mask, row->n, row->err);
	for (size_t i = 0; i < CALLS; i++)
		cr_expect_eq(store_call(&s, call_seq[i], txn), row->want[i], "%s, row \"%s\", call %zu",
		             kname, row->name, i + 1);
	memstore_counts c;
	if (kind == KIND_MEMSTORE)
		memstore_get_counts(&s, &c);
	else
		proxystore_get_counts(&s, &c);
	cr_expect_eq(c.faults, row->faults, "%s, row \"%s\"", kname, row->name);
	cr_expect_eq(c.calls[MEMSTORE_ROLLBACK], 1, "%s, row \"%s\"", kname, row->name);
	char why[160] = "";
	s.last_error(s.ctx, why, sizeof(why));
	if (row->reason)
		cr_expect(strstr(why, row->reason) && strncmp(why, kname, strlen(kname)) == 0,
		          "%s, row \"%s\": last_error \"%s\"", kname, row->name, why);
	else
		cr_expect_str_empty(why, "%s, row \"%s\"", kname, row->name);
	if (kind == KIND_MEMSTORE)
		memstore_free(&s);
	else
		proxystore_free(&s);
}

Test(storefaults, schedule_rows_mean_the_same_on_both_stores)
{
	for (size_t r = 0; r < sizeof(fault_rows) / sizeof(fault_rows[0]); r++) {
		run_row_on_store(&fault_rows[r], KIND_MEMSTORE);
		run_row_on_store(&fault_rows[r], KIND_PROXYSTORE);
	}
}

Test(storefaults, off_and_reset_counts)
{
	storefaults f;
	storefaults_init(&f, "plan");
	storefaults_schedule(&f, MEMSTORE_ALL, 1, STOREFAULTS_FROM, 0);
	cr_assert_eq(storefaults_enter(&f, MEMSTORE_BEGIN), HIVEHA_ESTORE);
	storefaults_off(&f);
	cr_assert_eq(storefaults_enter(&f, MEMSTORE_BEGIN), 0, "off cancels a sticky schedule");
	cr_assert_eq(f.counts.calls[MEMSTORE_BEGIN], 2);
	cr_assert_eq(f.counts.faults, 1);
	char why[160];
	storefaults_reason(&f, why, sizeof(why));
	cr_assert(strstr(why, "begin (call 1)"), "off keeps the last reason: \"%s\"", why);
	storefaults_reset_counts(&f);
	cr_assert_eq(f.counts.calls[MEMSTORE_BEGIN], 0);
	cr_assert_eq(f.counts.faults, 0);
	/* a new schedule counts from when it is set, not from the first call */
	storefaults_schedule(&f, MEMSTORE_ALL, 2, STOREFAULTS_ONCE, 0);
	cr_assert_eq(storefaults_enter(&f, MEMSTORE_COMMIT), 0);
	cr_assert_eq(storefaults_enter(&f, MEMSTORE_COMMIT), HIVEHA_ESTORE);
}

Test(refcount, last_put_reports_zero)
{
	refcount r;
	refcount_init(&r);
	refcount_get(&r);
	refcount_get(&r);
	cr_assert_not(refcount_put(&r));
	cr_assert_not(refcount_put(&r));
	cr_assert(refcount_put(&r), "the third drop of three references is the last");
}

Test(refcount, put_after_the_last_aborts, .signal = SIGABRT)
{
	refcount r;
	refcount_init(&r);
	cr_assert(refcount_put(&r));
	(void)refcount_put(&r);
}
