/*
 * bench_sqlite - rows/s of the hiveha-sqlite write and read paths.
 *
 *   bench_sqlite [dir] [items] [samples-per-item]     (defaults: /tmp 100 10000)
 *
 * Phases (each on the same data volume, items x samples rows):
 *   append       hiveha_sqlite_append_samples, one call (transaction) per item
 *   replace      store->replace_samples over the whole range of each item
 *                (delete + insert), 10 items per transaction, like a sync
 *   time-ordered store->replace_samples with one sample per call, time-major
 *                order, 10 000 rows per transaction (a fresh file)
 *   read         store->read_samples of every item, full range
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiveha/sqlite.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const hiveha_store *st, const char *what)
{
	char msg[256] = "";

	if (rc == 0)
		return;
	if (st != NULL)
		hiveha_sqlite_last_error(st, msg, sizeof msg);
	fprintf(stderr, "bench_sqlite: %s failed: %s %s\n", what, hiveha_strerror(rc), msg);
	exit(1);
}

static void remove_db(const char *path)
{
	char p[1100];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-lock", path);
	unlink(p);
}

static void report(const char *phase, size_t rows, double secs)
{
	printf("%-13s %10zu rows %8.3f s %12.0f rows/s\n", phase, rows, secs, (double)rows / secs);
}

static int count_fn(const hiveha_sample *s, size_t n, void *p)
{
	(void)s;
	*(size_t *)p += n;
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	size_t items = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
	size_t per = argc > 3 ? strtoul(argv[3], NULL, 10) : 10000;
	size_t rows = items * per, got = 0;
	char path[1024], path2[1024], id[32];
	hiveha_store st;
	hiveha_store_txn *txn;
	hiveha_sample *s;
	double t0;

	if (items == 0 || per == 0)
		return 2;
	s = calloc(per, sizeof *s);
	if (s == NULL)
		return 1;
	for (size_t i = 0; i < per; i++) {
		s[i].time = INT64_C(133000000000000000) + (hiveha_time)i * HIVEHA_TICKS_PER_SECOND;
		s[i].quality = HIVEHA_QUALITY_GOOD;
		s[i].value.type = HIVEHA_TYPE_DOUBLE;
		s[i].value.as.f64 = (double)i * 0.5;
	}
	snprintf(path, sizeof path, "%s/bench_sqlite_%ld.db", dir, (long)getpid());
	snprintf(path2, sizeof path2, "%s/bench_sqlite_%ld_t.db", dir, (long)getpid());
	remove_db(path);
	remove_db(path2);
	printf("hiveha-sqlite %zu items x %zu samples, SQLite %s\n", items, per, "3");

	check(hiveha_sqlite_open(&st, path, NULL), NULL, "open");
	t0 = now_s();
	for (size_t it = 0; it < items; it++) {
		snprintf(id, sizeof id, "item%06zu", it);
		check(hiveha_sqlite_append_samples(&st, id, s, per), &st, "append");
	}
	report("append", rows, now_s() - t0);

	t0 = now_s();
	for (size_t it = 0; it < items; it += 10) {
		check(st.begin(st.ctx, &txn), &st, "begin");
		for (size_t k = it; k < it + 10 && k < items; k++) {
			snprintf(id, sizeof id, "item%06zu", k);
			check(st.replace_samples(st.ctx, txn, id, s[0].time, s[per - 1].time + 1, s, per),
			      &st, "replace");
		}
		check(st.commit(st.ctx, txn), &st, "commit");
	}
	report("replace", rows, now_s() - t0);

	t0 = now_s();
	for (size_t it = 0; it < items; it++) {
		snprintf(id, sizeof id, "item%06zu", it);
		check(st.read_samples(st.ctx, id, HIVEHA_TIME_MIN, HIVEHA_TIME_MAX, 0, SIZE_MAX, count_fn, &got),
		      &st, "read");
	}
	report("read", got, now_s() - t0);
	st.destroy(st.ctx);

	check(hiveha_sqlite_open(&st, path2, NULL), NULL, "open");
	for (size_t it = 0; it < items; it++) {
		snprintf(id, sizeof id, "item%06zu", it);
		check(hiveha_sqlite_ensure_item(&st, id), &st, "ensure");
	}
	t0 = now_s();
	{
		size_t in_txn = 0;

		check(st.begin(st.ctx, &txn), &st, "begin");
		for (size_t i = 0; i < per; i++) {
			for (size_t it = 0; it < items; it++) {
				snprintf(id, sizeof id, "item%06zu", it);
				check(st.replace_samples(st.ctx, txn, id, 0, 0, &s[i], 1), &st, "replace");
				if (++in_txn == 10000) {
					check(st.commit(st.ctx, txn), &st, "commit");
					check(st.begin(st.ctx, &txn), &st, "begin");
					in_txn = 0;
				}
			}
		}
		check(st.commit(st.ctx, txn), &st, "commit");
	}
	report("time-ordered", rows, now_s() - t0);
	st.destroy(st.ctx);
	remove_db(path);
	remove_db(path2);
	free(s);
	return 0;
}
