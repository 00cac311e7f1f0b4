/*
 * export_check DB CSV - reads a `hiveha-node export` back: every array row
 * of CSV is parsed (array_csv.c, the form docs/cli.md documents) and must
 * equal, by hiveha_value_compare, the sample the store DB holds for that
 * item and time, quality included. Prints how many array rows it checked;
 * exits 1 on any difference or unreadable row, or when there is no array
 * row at all (the test is about them).
 *
 * The CSV is read as RFC 4180, which is what the export writes: a field is
 * quoted when it holds a comma, quote or line break, quotes doubled.
 */
#include <hiveha/hiveha.h>
#include <hiveha/sqlite.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_csv.h"

#define FIELDS 4

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_put(struct buf *b, int c)
{
	if (b->len + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->len++] = (char)c;
	b->p[b->len] = '\0';
	return 0;
}

/* One CSV record into f[0..FIELDS); 1 read, 0 at the end, -1 malformed. */
static int read_record(FILE *in, struct buf f[FIELDS])
{
	size_t n = 0;
	int c = getc(in), quoted = 0;
	if (c == EOF)
		return 0;
	for (size_t i = 0; i < FIELDS; i++)
		f[i].len = 0;
	buf_put(&f[0], 0);
	f[0].len = 0;
	for (;;) {
		if (quoted) {
			if (c == EOF)
				return -1;
			if (c == '"') {
				c = getc(in);
				if (c != '"') {
					quoted = 0;
					continue;
				}
			}
			if (buf_put(&f[n], c))
				return -1;
		} else if (c == '"' && f[n].len == 0) {
			quoted = 1;
		} else if (c == ',') {
			if (++n == FIELDS)
				return -1;
			buf_put(&f[n], 0);
			f[n].len = 0;
		} else if (c == '\n' || c == EOF) {
			return n == FIELDS - 1 ? 1 : -1;
		} else if (buf_put(&f[n], c)) {
			return -1;
		}
		c = getc(in);
	}
}

struct want {
	const hiveha_value *value;
	uint32_t quality;
	uint64_t skip; /* rows of this item and time before this one */
	int found, equal;
};

static int on_samples(const hiveha_sample *s, size_t n, void *payload)
{
	struct want *w = payload;
	if (n > w->skip) {
		w->found = 1;
		w->equal = hiveha_value_compare(&s[w->skip].value, w->value) == 0 &&
		           s[w->skip].quality == w->quality;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: export_check DB CSV\n");
		return 2;
	}
	hiveha_store store;
	hiveha_sqlite_options so = HIVEHA_SQLITE_OPTIONS_INIT;
	so.flags = HIVEHA_SQLITE_READ_ONLY;
	if (hiveha_sqlite_open(&store, argv[1], &so)) {
		fprintf(stderr, "export_check: cannot open %s\n", argv[1]);
		return 1;
	}
	FILE *in = fopen(argv[2], "rb");
	if (!in) {
		fprintf(stderr, "export_check: cannot read %s\n", argv[2]);
		return 1;
	}
	struct buf f[FIELDS] = { { 0 } };
	struct buf prev_item = { 0 };
	hiveha_time prev_t = 0;
	uint64_t dup = 0, rows = 0, arrays = 0, bad = 0;
	int r = read_record(in, f); /* the header */
	for (;;) {
		r = read_record(in, f);
		if (r <= 0)
			break;
		rows++;
		hiveha_time t;
		if (hiveha_time_from_iso8601(&t, f[1].p)) {
			fprintf(stderr, "row %" PRIu64 ": bad time %s\n", rows, f[1].p);
			bad++;
			continue;
		}
		dup = prev_item.p && strcmp(prev_item.p, f[0].p) == 0 && prev_t == t ? dup + 1 : 0;
		prev_item.len = 0;
		for (size_t i = 0; i < f[0].len; i++)
			buf_put(&prev_item, f[0].p[i]);
		prev_t = t;
		if (f[2].len == 0 || f[2].p[0] != '{')
			continue; /* a scalar */
		hiveha_value v = { 0 };
		const char *why = NULL;
		if (node_array_parse(&v, f[2].p, f[2].len, &why)) {
			fprintf(stderr, "row %" PRIu64 " (%s): %s\n", rows, f[0].p, why);
			bad++;
			continue;
		}
		struct want w = { &v, (uint32_t)strtoul(f[3].p, NULL, 10), dup, 0, 0 };
		int rc = store.read_samples(store.ctx, f[0].p, t, t + 1, 0, (size_t)dup + 1, on_samples,
		                            &w);
		if (rc || !w.found || !w.equal) {
			fprintf(stderr, "row %" PRIu64 " (%s %s): %s\n", rows, f[0].p, f[1].p,
			        rc ? hiveha_strerror(rc) : !w.found ? "not in the store" : "differs from the store");
			bad++;
		}
		arrays++;
		hiveha_value_clear(&v);
	}
	if (r < 0) {
		fprintf(stderr, "export_check: malformed CSV after row %" PRIu64 "\n", rows);
		bad++;
	}
	fclose(in);
	store.destroy(store.ctx);
	for (size_t i = 0; i < FIELDS; i++)
		free(f[i].p);
	free(prev_item.p);
	printf("export_check: %" PRIu64 " rows, %" PRIu64 " array rows read back, %" PRIu64
	       " differ or unreadable\n", rows, arrays, bad);
	return bad || arrays == 0 ? 1 : 0;
}
