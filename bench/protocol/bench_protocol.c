/*
 * bench_protocol.c - encode / decode speed and wire size of timeseries
 * reply pages, binary and JSON sample encodings.
 *
 * Usage: bench_protocol [total_samples [page_samples]]
 * (defaults 4194304 and 65536: 64 pages of the responder's default page).
 * The series are 1 Hz doubles of good quality (the common case), plus a
 * mixed series (irregular times, varying quality, int64 and strings), one
 * item per page; and pages of 1000 items x 10 samples of 1 Hz doubles with
 * 25-byte ids (a deputy batch of a 10-second gap), where the per-item cost
 * shows. bytes/sample counts the reply only (the request's ids are not in it).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol/protocol.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fill_1hz(hiveha_sample *s, size_t n, size_t base)
{
	size_t i;

	for (i = 0; i < n; i++) {
		s[i].time = INT64_C(133500000000000000) + (hiveha_time)(base + i) * HIVEHA_TICKS_PER_SECOND;
		hiveha_value_set_double(&s[i].value, 20.0 + 5.0 * sin((double)(base + i) / 300.0));
		s[i].quality = HIVEHA_QUALITY_GOOD;
	}
}

static void fill_mixed(hiveha_sample *s, size_t n, size_t base)
{
	static const char *words[] = { "open", "closed", "fault \"E42\"", "Gr\xc3\xbc\xc3\x9f" "e" };
	hiveha_time t = INT64_C(133500000000000000) + (hiveha_time)base * 7919;
	size_t i;

	for (i = 0; i < n; i++) {
		t += 1 + (hiveha_time)((base + i) * 2654435761u % 50000);
		s[i].time = t;
		s[i].quality = (i % 17) ? HIVEHA_QUALITY_GOOD : 0x40u;
		switch (i % 3) {
		case 0: hiveha_value_set_double(&s[i].value, (double)i * 0.001); break;
		case 1: hiveha_value_set_int64(&s[i].value, (int64_t)(i * 977) - 100000); break;
		default: {
			const char *w = words[i % 4];

			s[i].value.type = HIVEHA_TYPE_EMPTY;
			hiveha_value_set_string(&s[i].value, w, strlen(w));
		}
		}
	}
}

static void clear(hiveha_sample *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		hiveha_value_clear(&s[i].value);
}

static void run(const char *name, void (*fill)(hiveha_sample *, size_t, size_t), uint32_t enc,
                size_t total, size_t page)
{
	hiveha_sample *s = calloc(page, sizeof(*s));
	hh_ts_item item = { .id = "plant/area/unit/temperature", .samples = s, .count = page };
	hh_ts_reply rep = { .items = &item, .item_count = 1, .cursor = "t1:0:133500000000000000:1" },
	            out;
	const char *const ids[] = { item.id };
	hh_limits lim;
	hh_errbuf err;
	hh_buf b;
	double t_enc = 0, t_dec = 0, t0;
	size_t done = 0, bytes = 0;

	if (!s) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	hh_limits_default(&lim);
	hh_buf_init(&b, NULL);
	while (done < total) {
		size_t n = total - done < page ? total - done : page;

		fill(s, n, done);
		item.count = n;
		b.len = 0;
		t0 = now();
		if (hh_encode_ts_reply_for(&b, &rep, enc, ids, 1)) {
			fprintf(stderr, "encode failed\n");
			exit(1);
		}
		t_enc += now() - t0;
		t0 = now();
		if (hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, ids, 1)) {
			fprintf(stderr, "decode failed: %s\n", err.msg);
			exit(1);
		}
		t_dec += now() - t0;
		if (out.items[0].count != n || out.items[0].samples[n - 1].time != s[n - 1].time) {
			fprintf(stderr, "round trip mismatch\n");
			exit(1);
		}
		hh_ts_reply_free(&out);
		bytes += b.len;
		done += n;
		clear(s, n);
	}
	printf("%-6s %-10s %10zu samples  encode %7.2f M/s  decode %7.2f M/s  "
	       "both %7.2f M/s  %6.2f bytes/sample\n",
	       enc == HH_ENC_BIN ? "bin" : "json", name, total, total / t_enc / 1e6,
	       total / t_dec / 1e6, total / (t_enc + t_dec) / 1e6, (double)bytes / (double)total);
	hh_buf_free(&b);
	free(s);
}

/* Pages of `m` items x `per` samples: the short-gap shape. */
static void run_items(uint32_t enc, size_t total, size_t m, size_t per)
{
	hiveha_sample *s = calloc(m * per, sizeof(*s));
	hh_ts_item *items = calloc(m, sizeof(*items));
	char **ids = calloc(m, sizeof(*ids));
	hh_ts_reply rep = { NULL, 0, items, m, "t1:999:133500000000000000:1" }, out;
	hh_limits lim;
	hh_errbuf err;
	hh_buf b;
	double t_enc = 0, t_dec = 0, t0;
	size_t done = 0, bytes = 0, i;

	if (!s || !items || !ids) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (i = 0; i < m; i++) {
		if (!(ids[i] = malloc(32))) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		snprintf(ids[i], 32, "Plant1/Area%03zu/Tag%07zu", i / 100, i);
		items[i].id = ids[i];
		items[i].complete = 1;
		items[i].samples = s + i * per;
		items[i].count = per;
		fill_1hz(items[i].samples, per, 0);
	}
	hh_limits_default(&lim);
	hh_buf_init(&b, NULL);
	while (done < total) {
		b.len = 0;
		t0 = now();
		if (hh_encode_ts_reply_for(&b, &rep, enc, (const char *const *)ids, m)) {
			fprintf(stderr, "encode failed\n");
			exit(1);
		}
		t_enc += now() - t0;
		t0 = now();
		if (hh_decode_ts_reply_for(&out, b.data, b.len, &lim, &err, (const char *const *)ids, m)) {
			fprintf(stderr, "decode failed: %s\n", err.msg);
			exit(1);
		}
		t_dec += now() - t0;
		if (out.item_count != m || out.items[m - 1].count != per ||
		    strcmp(out.items[m - 1].id, ids[m - 1])) {
			fprintf(stderr, "round trip mismatch\n");
			exit(1);
		}
		hh_ts_reply_free(&out);
		bytes += b.len;
		done += m * per;
	}
	printf("%-6s %-10s %10zu samples  encode %7.2f M/s  decode %7.2f M/s  "
	       "both %7.2f M/s  %6.2f bytes/sample\n",
	       enc == HH_ENC_BIN ? "bin" : "json", "1e3x10", done, done / t_enc / 1e6,
	       done / t_dec / 1e6, done / (t_enc + t_dec) / 1e6, (double)bytes / (double)done);
	hh_buf_free(&b);
	clear(s, m * per);
	for (i = 0; i < m; i++)
		free(ids[i]);
	free(ids);
	free(items);
	free(s);
}

int main(int argc, char **argv)
{
	size_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : (size_t)1 << 22;
	size_t page = argc > 2 ? strtoull(argv[2], NULL, 10) : 65536;

	if (!total || !page) {
		fprintf(stderr, "usage: %s [total_samples [page_samples]]\n", argv[0]);
		return 2;
	}
	run("1hz-double", fill_1hz, HH_ENC_BIN, total, page);
	run("mixed", fill_mixed, HH_ENC_BIN, total, page);
	run_items(HH_ENC_BIN, total / 4 ? total / 4 : 1, 1000, 10);
	/* JSON is the interoperable path; fewer samples keep the run short. */
	run("1hz-double", fill_1hz, HH_ENC_JSON, total / 8 ? total / 8 : 1, page);
	run("mixed", fill_mixed, HH_ENC_JSON, total / 8 ? total / 8 : 1, page);
	run_items(HH_ENC_JSON, total / 8 ? total / 8 : 1, 1000, 10);
	return 0;
}
