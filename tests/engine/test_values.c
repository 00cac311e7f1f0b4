/*
 * Vectors and matrices through a real sync (issue 13; MERGE-CASES.md V1):
 * an array sample is one sample, carried bit for bit in both encodings,
 * paged at equal timestamps, larger than a page budget, and kept away from
 * a store that cannot hold it. Runs on both store backends (harness.h).
 *
 * The JSON encoding is forced by a peer that takes HH_CAP_BIN_SAMPLES out
 * of its hello reply (a peer without the binary block), as
 * tests/protocol/test_items_fc_deputy.c does for front-coding.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocol/protocol.h"

static harness h;

typedef struct peer {
	hiveha_responder *responder;
	uint32_t hide;       /* caps taken out of the hello reply */
	uint32_t announced;  /* caps the deputy announced in hello */
	uint64_t ts_replies; /* timeseries replies, and their encodings seen */
	uint64_t bin_replies;
} peer;

static peer P;

static int collect_write(const void *data, size_t len, void *payload)
{
	return hh_buf_append(payload, data, len);
}

static int handler(const hiveha_request *req, hiveha_reply_fn write, void *write_payload, void *ctx)
{
	peer *p = ctx;
	hh_buf b;
	int rc;

	hh_buf_init(&b, NULL);
	rc = hiveha_responder_handle(p->responder, req, collect_write, &b);
	if (!rc && !strcmp(req->kind, HIVEHA_MSG_HELLO)) {
		hh_limits lim;
		hh_errbuf err;
		hh_hello in, out;

		hh_limits_default(&lim);
		cr_assert_eq(hh_decode_hello(&in, req->body, req->body_len, &lim, &err), 0, "%s",
		             err.msg);
		p->announced = in.caps;
		hh_hello_free(&in);
		cr_assert_eq(hh_decode_hello(&out, b.data, b.len, &lim, &err), 0, "%s", err.msg);
		out.caps &= ~p->hide;
		b.len = 0;
		cr_assert_eq(hh_encode_hello(&b, &out), 0);
		hh_hello_free(&out);
	}
	if (!rc && !strcmp(req->kind, HIVEHA_MSG_TIMESERIES) && b.len) {
		p->ts_replies++;
		p->bin_replies += b.data[0] != '{';
	}
	if (b.len && write(b.data, b.len, write_payload))
		rc = HIVEHA_ECANCELLED;
	hh_buf_free(&b);
	return rc;
}

/* Routes the local governor through handler(); `hide` caps hidden. */
static void via_handler(uint32_t hide)
{
	memset(&P, 0, sizeof(P));
	P.responder = h.responder;
	P.hide = hide;
	looptransport_free(&h.transport);
	cr_assert_eq(looptransport_new_with_handler(&h.transport, handler, &P), 0);
}

static void setup(void)
{
	h_init(&h);
	h.cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	h.cfg.trend_expert_start = 10;
	h.cfg.start_time = 20;
}

static void teardown(void)
{
	h_fini(&h);
}

TestSuite(values, .init = setup, .fini = teardown);

static double dbl_bits(uint64_t bits)
{
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static hiveha_sample at(hiveha_time t)
{
	hiveha_sample s;

	memset(&s, 0, sizeof(s));
	s.time = t;
	s.quality = HIVEHA_QUALITY_GOOD;
	return s;
}

/* MERGE-CASES V1: the peer's three array samples of item X. A NaN with a
 * payload, not the default one, so that a codec keeping only "NaN" fails. */
static void v1_peer(hiveha_sample s[3])
{
	double d[3] = { 1.0, dbl_bits(UINT64_C(0x7ff800000000dead)), -0.0 };
	int64_t m[6] = { INT64_MIN, -1, 0, 1, 1 << 30, INT64_MAX };
	hiveha_string w[3] = { { (char *)"a", 1 }, { (char *)"", 0 }, { (char *)"b\0c", 3 } };

	s[0] = at(12);
	s[1] = at(13);
	s[2] = at(14);
	cr_assert_eq(hiveha_value_set_vector(&s[0].value, HIVEHA_TYPE_DOUBLE, d, 3), 0);
	cr_assert_eq(hiveha_value_set_matrix(&s[1].value, HIVEHA_TYPE_INT64, m, 2, 3), 0);
	cr_assert_eq(hiveha_value_set_vector(&s[2].value, HIVEHA_TYPE_STRING, w, 3), 0);
}

static void free_samples(hiveha_sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hiveha_value_clear(&s[i].value);
}

/* The local store's X equals `want` bit for bit (compare is bit-exact;
 * the double elements are compared as bytes too). */
static void assert_local(const hiveha_sample *want, size_t n)
{
	hiveha_sample *got;
	size_t k;

	cr_assert_eq(h_get_samples(&h.local, "X", &got, &k), 0);
	cr_assert_eq(k, n, "%s: %zu samples, want %zu", h_backend, k, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(hiveha_sample_compare(&got[i], &want[i]), 0, "%s: sample %zu", h_backend,
		             i);
		if (hiveha_value_is_array(&want[i].value) &&
		    hiveha_value_element_type(&want[i].value) == HIVEHA_TYPE_DOUBLE)
			cr_assert_eq(memcmp(hiveha_value_elements(&got[i].value),
			                    hiveha_value_elements(&want[i].value),
			                    hiveha_value_count(&want[i].value) * sizeof(double)),
			             0, "%s: bits of sample %zu", h_backend, i);
	}
	memstore_free_samples(got, k);
}

static void v1(uint32_t hide, int want_bin)
{
	hiveha_sample s[3];

	via_handler(hide);
	v1_peer(s);
	h_append(&h.peer, "X", s, 3);
	h_add_item(&h.local, "X");
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	assert_local(s, 3);
	cr_assert(P.announced & HH_CAP_ARRAYS, "the deputy announces arrays");
	cr_assert_gt(P.ts_replies, 0);
	cr_assert_eq(P.bin_replies, want_bin ? P.ts_replies : 0, "encoding used");
	free_samples(s, 3);
}

Test(values, v1_binary)
{
	v1(0, 1);
}

Test(values, v1_json)
{
	v1(HH_CAP_BIN_SAMPLES, 0);
}

/* Overwrite rule unchanged: the peer's arrays replace local scalars and
 * local arrays of the vouched range, and nothing outside it. */
Test(values, arrays_merge_like_scalars)
{
	hiveha_sample s[3], mine[2];
	double d = 5;

	v1_peer(s);
	h_append(&h.peer, "X", s, 3);
	mine[0] = at(9);
	cr_assert_eq(hiveha_value_set_vector(&mine[0].value, HIVEHA_TYPE_DOUBLE, &d, 1), 0);
	mine[1] = at(13);
	hiveha_value_set_double(&mine[1].value, 7);
	h_append(&h.local, "X", mine, 2);
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	{
		hiveha_sample want[4] = { mine[0], s[0], s[1], s[2] };

		assert_local(want, 4);
	}
	free_samples(s, 3);
	free_samples(mine, 2);
}

/* Many 32 KiB samples at one timestamp under a 96 KiB reply budget: pages
 * end between equal timestamps and resume with skip, in both encodings. */
static void equal_times(uint32_t hide)
{
	enum { N = 9, E = 4096 };
	hiveha_sample s[N];
	double *d = calloc(E, sizeof(*d));

	h.peer_max_reply_bytes = 96 << 10;
	h_peer_responder(&h, 0);
	via_handler(hide);
	for (int i = 0; i < N; i++) {
		for (int k = 0; k < E; k++)
			d[k] = i * 10000.0 + k;
		s[i] = at(i < 2 ? 11 : 15);
		cr_assert_eq(hiveha_value_set_vector(&s[i].value, HIVEHA_TYPE_DOUBLE, d, E), 0);
	}
	h_append(&h.peer, "X", s, N);
	h_add_item(&h.local, "X");
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	assert_local(s, N);
	cr_assert_geq(P.ts_replies, 3, "%llu pages", (unsigned long long)P.ts_replies);
	free_samples(s, N);
	free(d);
}

Test(values, equal_timestamps_page_binary)
{
	equal_times(0);
}

Test(values, equal_timestamps_page_json)
{
	equal_times(HH_CAP_BIN_SAMPLES);
}

/* The largest vector (65536 doubles, 512 KiB) travels alone in a page whose
 * budget it passes: a page always takes at least one sample. */
Test(values, a_sample_larger_than_the_page_budget_travels)
{
	hiveha_sample s[3];
	size_t n = HIVEHA_VALUE_MAX_ELEMENTS;
	double *d = calloc(n, sizeof(*d));

	for (size_t k = 0; k < n; k++)
		d[k] = (double)k / 7.0;
	h.peer_max_reply_bytes = 64 << 10;
	h_peer_responder(&h, 0);
	via_handler(0);
	s[0] = at(11);
	hiveha_value_set_double(&s[0].value, 1);
	s[1] = at(12);
	cr_assert_eq(hiveha_value_set_vector(&s[1].value, HIVEHA_TYPE_DOUBLE, d, n), 0);
	s[2] = at(13);
	hiveha_value_set_double(&s[2].value, 3);
	h_append(&h.peer, "X", s, 3);
	h_add_item(&h.local, "X");
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	assert_local(s, 3);
	free_samples(s, 3);
	free(d);
}

/* A store of version 2 was written before arrays existed: the deputy does
 * not announce them, the peer reports the array item as one it cannot
 * serve, the scalar item syncs and the round still finishes. */
Test(values, a_version_2_store_gets_no_arrays)
{
	hiveha_sample s[3];

	via_handler(0);
	v1_peer(s);
	h_append(&h.peer, "X", s, 3);
	h_sample1(&h.peer, "Y", 12, 4);
	h_add_item(&h.local, "X");
	h_add_item(&h.local, "Y");
	h_sample1(&h.local, "X", 13, 9);
	h.local.version = 2;
	cr_assert_eq(h_run(&h), 0, "%s", h.log);
	cr_assert_eq(P.announced & HH_CAP_ARRAYS, 0, "no arrays announced for a v2 store");
	{
		char buf[256];

		cr_assert_str_eq(h_fmt(&h.local, "Y", buf, sizeof(buf)), "(12,4)");
		cr_assert_str_eq(h_fmt(&h.local, "X", buf, sizeof(buf)), "(13,9)", "left untouched");
	}
	cr_assert(strstr(h.log, "X"), "the item is named: %s", h.log);
	free_samples(s, 3);
}

/* Checkpoints with array samples: pages of 3 samples end between equal
 * timestamps; the process dies at every commit in turn, and the restart
 * resumes from the checkpoint to the peer's exact history. */
static void array_scenario(harness *x)
{
	double d[64];

	h_init(x);
	x->cfg.deputies = HIVEHA_DEPUTY_MASK(HIVEHA_DEPUTY_TREND);
	x->cfg.chunk_samples = 3;
	x->cfg.start_time = 20;
	x->cfg.max_attempts = 1;
	h_put_state(&x->local, HIVEHA_DEPUTY_TREND, 10, 0, NULL, 0, NULL, 0, 0);
	for (int item = 0; item < 2; item++) {
		hiveha_time t[] = { 10, 11, 11, 11, 11, 14, 15, 15, 19 };
		hiveha_sample s[9];
		const char *id = item ? "B" : "A";

		for (int k = 0; k < 9; k++) {
			for (int j = 0; j < 64; j++)
				d[j] = item * 1000 + k * 64 + j;
			s[k] = at(t[k]);
			cr_assert_eq(hiveha_value_set_vector(&s[k].value, HIVEHA_TYPE_DOUBLE, d, 64), 0);
		}
		h_append(&x->peer, id, s, 9);
		h_sample1(&x->local, id, 11, -1); /* replaced by the peer's */
		free_samples(s, 9);
	}
}

Test(values, crash_at_every_commit_resumes_to_the_same_arrays)
{
	harness x;
	memstore_counts c;
	uint64_t commits;

	array_scenario(&x);
	h_reset_counts(&x.local);
	cr_assert_eq(h_run(&x), 0, "%s", x.log);
	h_get_counts(&x.local, &c);
	commits = c.calls[MEMSTORE_COMMIT];
	cr_assert_geq(commits, 4, "%llu commits", (unsigned long long)commits);
	h_fini(&x);
	for (uint64_t n = 1; n <= commits + 1; n++) {
		char diff[512] = "";

		array_scenario(&x);
		h_fail_from(&x.local, MEMSTORE_MASK(MEMSTORE_COMMIT), n, 0);
		(void)h_try_run(&x);
		h_crash(&x.local); /* the process dies: open transactions vanish */
		h_gov_free(&x);
		h_faults_off(&x.local);
		cr_assert_eq(h_run(&x), 0, "restart after commit %llu: %s", (unsigned long long)n,
		             x.log);
		cr_assert(h_equal(&x.local, &x.peer, diff, sizeof(diff)), "%s at commit %llu: %s",
		          h_backend, (unsigned long long)n, diff);
		h_fini(&x);
	}
}
