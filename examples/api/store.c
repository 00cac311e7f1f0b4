/*
 * store.c - the store interface (docs/api/store.md).
 *
 * A read-only store over a constant table: list_items, read_samples with
 * the skip/max paging contract, and kv_get. The program pages through an
 * item whose samples share timestamps, two samples per page, exactly as
 * the responder does, and checks that nothing is lost or repeated. Then
 * hiveha_store_check() says what is still missing for each use. A
 * complete, writable store is examples/custom-store/mem_store.c.
 * Exits 0 when the pages add up to the item and the checks are as shown.
 */
#include <hiveha/store.h>
#include <hiveha/governor.h> /* HIVEHA_DEPUTY_MASK */

#include <stdio.h>
#include <string.h>

/* ---- the store: one item, five samples, three at the same time ---------- */

static const char *const item_ids[] = { "Boiler/Pressure", "Boiler/Temperature" };
static const hiveha_time times[] = { 10, 20, 20, 20, 30 };
#define N_SAMPLES 5

static int list_items(void *ctx, hiveha_item_fn fn, void *payload)
{
	(void)ctx;
	for (size_t i = 0; i < 2; i++) { /* ascending strcmp order */
		int rc = fn(item_ids[i], payload);
		if (rc)
			return rc; /* the visitor's value, unchanged */
	}
	return HIVEHA_OK;
}

static int read_samples(void *ctx, const char *item_id, hiveha_time from, hiveha_time to,
                        uint64_t skip, size_t max, hiveha_samples_fn fn, void *payload)
{
	hiveha_sample page[N_SAMPLES];
	size_t n = 0;

	(void)ctx;
	if (strcmp(item_id, item_ids[0]) != 0)
		return strcmp(item_id, item_ids[1]) == 0 ? HIVEHA_OK : HIVEHA_ENOTFOUND;
	for (size_t i = 0; i < N_SAMPLES && n < max; i++) {
		if (times[i] < from || times[i] >= to)
			continue;
		if (times[i] == from && skip > 0) { /* already delivered by the previous page */
			skip--;
			continue;
		}
		memset(&page[n], 0, sizeof page[n]);
		page[n].time = times[i];
		page[n].quality = HIVEHA_QUALITY_GOOD;
		hiveha_value_set_int64(&page[n].value, (int64_t)i);
		n++;
	}
	return n ? fn(page, n, payload) : HIVEHA_OK;
}

static int kv_get(void *ctx, const char *key, hiveha_bytes_fn fn, void *payload)
{
	(void)ctx, (void)key, (void)fn, (void)payload;
	return HIVEHA_ENOTFOUND;
}

/* ---- a reader that pages like the responder ------------------------------ */

typedef struct reader {
	int64_t got[N_SAMPLES + 1];
	size_t n, in_page;
	hiveha_time last;
	uint64_t at_last; /* samples received at time `last` */
} reader;

static int on_samples(const hiveha_sample *s, size_t count, void *payload)
{
	reader *r = payload;
	for (size_t i = 0; i < count && r->n <= N_SAMPLES; i++) {
		r->got[r->n++] = s[i].value.as.i64;
		r->at_last = s[i].time == r->last ? r->at_last + 1 : 1;
		r->last = s[i].time;
		r->in_page++;
	}
	return 0;
}

static int count_items(const char *item_id, void *payload)
{
	(void)item_id;
	return ++*(int *)payload == 1 ? 0 : HIVEHA_EUSER; /* stop after the first */
}

int main(void)
{
	hiveha_store st;
	reader r = { { 0 }, 0, 0, 0, 0 };
	char why[160];
	int fails = 0, rc, seen = 0;

	if (hiveha_store_init(&st, HIVEHA_STORE_VERSION) != HIVEHA_OK)
		return 1;
	st.list_items = list_items;
	st.read_samples = read_samples;
	st.kv_get = kv_get;

	/* Pages of at most 2: [10, 20] [20, 20] [30]; each resumes at the last
	 * time seen, skipping the samples already received at that time. */
	hiveha_time from = 0;
	uint64_t skip = 0;
	for (;;) {
		r.in_page = 0;
		rc = st.read_samples(st.ctx, "Boiler/Pressure", from, 100, skip, 2, on_samples, &r);
		if (rc || r.in_page < 2)
			break; /* fewer than max: the range is exhausted */
		from = r.last;
		skip = r.at_last;
		printf("page ended at t=%lld; resume with from=%lld skip=%llu\n", (long long)r.last,
		       (long long)from, (unsigned long long)skip);
	}
	for (size_t i = 0; i < r.n; i++)
		fails += r.got[i] != (int64_t)i;
	printf("read %zu of %d samples in order: %s\n", r.n, N_SAMPLES,
	       rc == 0 && r.n == N_SAMPLES && !fails ? "ok" : "FAILED");
	fails += rc != 0 || r.n != N_SAMPLES;

	fails += st.read_samples(st.ctx, "Nope", 0, 100, 0, 2, on_samples, &r) != HIVEHA_ENOTFOUND;
	fails += st.list_items(st.ctx, count_items, &seen) != HIVEHA_EUSER || seen != 2;

	/* What is missing for each use (the first missing member is named). */
	static const struct {
		const char *what;
		unsigned int mask;
	} uses[] = {
		{ "any use", 0 },
		{ "TrendHistory", HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND) },
		{ "EventHistory", HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_EVENTS) },
	};
	for (size_t i = 0; i < 3; i++) {
		rc = hiveha_store_check(&st, uses[i].mask, why, sizeof why);
		printf("check for %-13s %s: %s\n", uses[i].what, hiveha_strerror(rc), why);
		fails += rc != HIVEHA_EINVAL;
	}
	fails += strstr(why, "read_events") == NULL;
	fails += hiveha_store_init(&st, 0) != HIVEHA_EVERSION;
	return fails != 0;
}
