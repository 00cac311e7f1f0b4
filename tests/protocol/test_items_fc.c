/*
 * test_items_fc.c - front-coded ids in the timeseries request
 * (docs/protocol.md §4 "items_fc"): exact bytes, round trips of any UTF-8
 * id, the encoder's fallback to plain "items", and hostile input.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"

static hh_limits lim;

static void setup(void)
{
	hh_limits_default(&lim);
}

TestSuite(items_fc, .init = setup);

/* Encodes a request for `items` with `caps`, decodes it, checks every id. */
static void roundtrip(char **items, size_t n, uint32_t caps, hh_buf *b)
{
	hh_ts_request in, out;
	hh_errbuf err = { "" };
	size_t i;

	memset(&in, 0, sizeof(in));
	in.window.from = 1;
	in.window.to = 2;
	in.items = items;
	in.item_count = n;
	in.encoding = HH_ENC_BIN;
	hh_buf_init(b, NULL);
	cr_assert_eq(hh_encode_ts_request_caps(b, &in, caps), 0);
	cr_assert_eq(hh_decode_ts_request(&out, b->data, b->len, &lim, &err), 0, "%s", err.msg);
	cr_assert_eq(out.item_count, n);
	for (i = 0; i < n; i++)
		cr_assert_str_eq(out.items[i], items[i], "item %zu", i);
	cr_assert_eq(out.window.from, 1);
	cr_assert_eq(out.window.to, 2);
	cr_assert_eq(out.encoding, HH_ENC_BIN);
	hh_ts_request_free(&out);
}

static int has(const hh_buf *b, const char *text)
{
	size_t n = strlen(text), i;

	for (i = 0; i + n <= b->len; i++)
		if (!memcmp(b->data + i, text, n))
			return 1;
	return 0;
}

Test(items_fc, exact_bytes)
{
	char *items[] = { "Plant1/Area007/Tag0007123", "Plant1/Area007/Tag0007124",
		          "Plant1/Area007/Tag0007130", "Plant1/Area008/Tag0008000" };
	static const char want[] =
		"{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\","
		"\"items_fc\":{\"prefix\":[0,24,23,13],"
		"\"suffix\":[\"Plant1/Area007/Tag0007123\",\"4\",\"30\",\"8/Tag0008000\"]},"
		"\"max_samples\":0,\"encoding\":\"bin\"}";
	hh_buf b;

	roundtrip(items, 4, HH_CAP_BIN_SAMPLES | HH_CAP_ITEMS_FC, &b);
	cr_assert_eq(b.len, strlen(want), "%.*s", (int)b.len, (const char *)b.data);
	cr_assert_eq(memcmp(b.data, want, b.len), 0, "%.*s", (int)b.len, (const char *)b.data);
	hh_buf_free(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(items_fc, utf8_prefixes_stop_at_a_character_boundary)
{
	/* Pairs whose shared bytes end inside a 2-, 3- and 4-byte character,
	 * and one that shares a whole character. */
	char *items[] = { "a\xc3\xa4", "a\xc3\xb6", "\xe2\x82\xac", "\xe2\x82\xad", "z\xf0\x9f\x98\x80",
		          "z\xf0\x9f\x98\x81", "\xc3\xa4x", "\xc3\xa4y", "a" };
	size_t n = sizeof(items) / sizeof(items[0]);
	hh_buf b;

	qsort(items, n, sizeof(items[0]), cmp_str);
	roundtrip(items, n, HH_CAP_ITEMS_FC, &b);
	/* a, a\xc3\xa4 (1), a\xc3\xb6 (1), z.. (0), z\xf0\x9f\x98\x81 (1),
	 * \xc3\xa4x (0), \xc3\xa4y (2), \xe2\x82\xac (0), \xe2\x82\xad (0) */
	cr_assert(has(&b, "\"prefix\":[0,1,1,0,1,0,2,0,0]"), "%.*s", (int)b.len, (const char *)b.data);
	hh_buf_free(&b);
}

Test(items_fc, one_id)
{
	char *items[] = { "only" };
	hh_buf b;

	roundtrip(items, 1, HH_CAP_ITEMS_FC, &b);
	cr_assert(has(&b, "\"items_fc\":{\"prefix\":[0],\"suffix\":[\"only\"]}"));
	hh_buf_free(&b);
}

Test(items_fc, hundred_thousand_ids)
{
	size_t n = 100000, i, fc_len;
	char **items = calloc(n, sizeof(*items));
	hh_buf b;

	cr_assert(items);
	for (i = 0; i < n; i++) {
		items[i] = malloc(32);
		cr_assert(items[i]);
		snprintf(items[i], 32, "Plant1/Area%03zu/Tag%07zu", i / 1000, i);
	}
	lim.max_items = n;
	roundtrip(items, n, HH_CAP_ITEMS_FC, &b);
	fc_len = b.len;
	hh_buf_free(&b);
	roundtrip(items, n, 0, &b);
	/* 28 bytes per id in "items"; mostly a 1-2 byte suffix and a 2-digit
	 * prefix length in "items_fc". */
	cr_assert_gt(b.len, 2800000);
	cr_assert_lt(fc_len, 800000, "%zu", fc_len);
	hh_buf_free(&b);
	lim.max_items = n - 1;
	{
		hh_ts_request in, out;
		hh_errbuf err;

		memset(&in, 0, sizeof(in));
		in.window.from = 1;
		in.window.to = 2;
		in.items = items;
		in.item_count = n;
		hh_buf_init(&b, NULL);
		cr_assert_eq(hh_encode_ts_request_caps(&b, &in, HH_CAP_ITEMS_FC), 0);
		cr_assert_eq(hh_decode_ts_request(&out, b.data, b.len, &lim, &err), HIVEHA_ELIMIT);
		hh_buf_free(&b);
	}
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

Test(items_fc, encoder_falls_back_to_items)
{
	char *asc[] = { "a", "ab" };
	char *desc[] = { "b", "a" };
	hh_ts_request in;
	hh_buf b;

	/* The peer did not announce the cap. */
	roundtrip(asc, 2, HH_CAP_BIN_SAMPLES, &b);
	cr_assert(has(&b, "\"items\":[\"a\",\"ab\"]") && !has(&b, "items_fc"));
	hh_buf_free(&b);
	roundtrip(asc, 2, 0, &b);
	cr_assert(has(&b, "\"items\":[\"a\",\"ab\"]") && !has(&b, "items_fc"));
	hh_buf_free(&b);
	/* The plain entry point never front-codes. */
	memset(&in, 0, sizeof(in));
	in.window.from = 1;
	in.window.to = 2;
	in.items = asc;
	in.item_count = 2;
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_request(&b, &in), 0);
	cr_assert(has(&b, "\"items\":[\"a\",\"ab\"]") && !has(&b, "items_fc"));
	hh_buf_free(&b);
	/* Not ascending: front coding cannot carry the order. */
	roundtrip(desc, 2, HH_CAP_ITEMS_FC, &b);
	cr_assert(has(&b, "\"items\":[\"b\",\"a\"]") && !has(&b, "items_fc"));
	hh_buf_free(&b);
	/* The cap with ascending ids does front-code. */
	roundtrip(asc, 2, HH_CAP_ITEMS_FC, &b);
	cr_assert(has(&b, "\"items_fc\":{\"prefix\":[0,1],\"suffix\":[\"a\",\"b\"]}"));
	hh_buf_free(&b);
}

static int decode(const char *text, hh_errbuf *err)
{
	hh_ts_request q;
	int rc = hh_decode_ts_request(&q, text, strlen(text), &lim, err);

	hh_ts_request_free(&q);
	return rc;
}

#define REQ(fc) "{\"v\":1,\"type\":\"timeseries\",\"from\":\"1\",\"to\":\"2\"," fc "}"
#define FC(p, s) REQ("\"items_fc\":{\"prefix\":" p ",\"suffix\":" s "}")

#define EXPECT(code, text) do { \
	hh_errbuf e_ = { "" }; \
	int r_ = decode(text, &e_); \
	cr_assert_eq(r_, code, "%s -> %d (%s), want %d", text, r_, e_.msg, code); \
	cr_assert(code == 0 || e_.msg[0], "no message for %s", text); \
} while (0)

Test(items_fc, hostile)
{
	hh_errbuf err = { "" };

	EXPECT(0, FC("[0,1,1]", "[\"a\",\"b\",\"c\"]"));
	/* prefix longer than the previous id (the first has none) */
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,2]", "[\"a\",\"b\"]"));
	cr_assert_eq(decode(FC("[0,2]", "[\"a\",\"b\"]"), &err), HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "prefix of 2 bytes, the previous id has 1"), "%s", err.msg);
	EXPECT(HIVEHA_EPROTOCOL, FC("[1]", "[\"a\"]"));
	/* both forms, neither */
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items\":[\"a\"],\"items_fc\":{\"prefix\":[0],\"suffix\":[\"a\"]}"));
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items\":[\"a\"],\"items_fc\":null"));
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"x\":1"));
	cr_assert_eq(decode(REQ("\"x\":1"), &err), HIVEHA_EPROTOCOL);
	cr_assert(strstr(err.msg, "needs \"items\" or \"items_fc\""), "%s", err.msg);
	/* not strictly ascending: descending, duplicate, an id that is a prefix of the one before */
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,0]", "[\"b\",\"a\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,1]", "[\"ab\",\"b\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,2]", "[\"ab\",\"\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,1]", "[\"ab\",\"\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,0]", "[\"a\",\"a\"]"));
	/* empty id */
	EXPECT(HIVEHA_EPROTOCOL, FC("[0]", "[\"\"]"));
	/* a prefix ending inside a UTF-8 character: the rebuilt id would be invalid */
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,2]", "[\"a\xc3\xa4\",\"x\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,2]", "[\"a\xe2\x82\xac\",\"x\"]"));
	EXPECT(0, FC("[0,1]", "[\"a\xc3\xa4\",\"\xc3\xb6\"]"));
	/* a suffix that starts inside a character is itself invalid UTF-8 */
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,2]", "[\"a\xc3\xa4\",\"\xb6\"]"));
	/* wrong JSON types and shapes */
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items_fc\":null"));
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items_fc\":[\"a\"]"));
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items_fc\":\"a\""));
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items_fc\":{}"));
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items_fc\":{\"suffix\":[\"a\"]}"));
	EXPECT(HIVEHA_EPROTOCOL, REQ("\"items_fc\":{\"prefix\":[0]}"));
	EXPECT(HIVEHA_EPROTOCOL, FC("0", "[\"a\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0]", "\"a\""));
	EXPECT(HIVEHA_EPROTOCOL, FC("[\"0\"]", "[\"a\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[null]", "[\"a\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,-1]", "[\"a\",\"b\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,0.5]", "[\"a\",\"b\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,4294967296]", "[\"a\",\"b\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,1e300]", "[\"a\",\"b\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0]", "[1]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,0]", "[\"a\",[\"b\"]]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0,0]", "[\"a\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[0]", "[\"a\",\"b\"]"));
	EXPECT(HIVEHA_EPROTOCOL, FC("[]", "[]"));
}

Test(items_fc, limits)
{
	char big[400];

	/* more ids than max_items: refused before anything is allocated */
	lim.max_items = 2;
	EXPECT(HIVEHA_ELIMIT, FC("[0,0,0]", "[\"a\",\"b\",\"c\"]"));
	EXPECT(0, FC("[0,0]", "[\"a\",\"b\"]"));
	/* a rebuilt id over max_string_bytes, though no string in the message is */
	lim.max_string_bytes = 3;
	EXPECT(0, FC("[0,2]", "[\"abc\",\"d\"]"));
	EXPECT(HIVEHA_ELIMIT, FC("[0,3]", "[\"abc\",\"d\"]"));
	EXPECT(HIVEHA_ELIMIT, FC("[0]", "[\"abcd\"]"));
	/* the ids may not add up to more bytes than a message may hold */
	hh_limits_default(&lim);
	snprintf(big, sizeof(big),
	         FC("[0,100,100,100]", "[\"%0100d\",\"b\",\"c\",\"d\"]"), 0);
	lim.max_message_bytes = strlen(big) + 100;
	cr_assert_lt(lim.max_message_bytes, 100 + 3 * 101);
	EXPECT(HIVEHA_ELIMIT, big);
	lim.max_message_bytes = 100 + 3 * 101;
	EXPECT(0, big);
}

/* Every cut of a front-coded request is refused; flipped bytes never
 * crash, and whatever is still accepted is a valid request again. */
Test(items_fc, truncated_and_flipped)
{
	char *items[] = { "Plant1/Area007/Tag0007123", "Plant1/Area007/Tag0007124", "Plant1/\xc3\xa4",
		          "Plant1/\xc3\xb6" };
	hh_ts_request in, out, again;
	hh_errbuf err;
	unsigned char *copy;
	hh_buf b, b2;
	size_t n;
	int rc;

	memset(&in, 0, sizeof(in));
	in.window.from = 1;
	in.window.to = 2;
	in.items = items;
	in.item_count = 4;
	hh_buf_init(&b, NULL);
	cr_assert_eq(hh_encode_ts_request_caps(&b, &in, HH_CAP_ITEMS_FC), 0);
	cr_assert(has(&b, "items_fc"));
	copy = malloc(b.len);
	cr_assert(copy);
	for (n = 0; n < b.len; n++) {
		memcpy(copy, b.data, n);
		rc = hh_decode_ts_request(&out, copy, n, &lim, &err);
		cr_assert_eq(rc, HIVEHA_EPROTOCOL, "cut at %zu: %d", n, rc);
	}
	for (n = 0; n < b.len; n++) {
		memcpy(copy, b.data, b.len);
		copy[n] ^= (unsigned char)(0x5A + n);
		rc = hh_decode_ts_request(&out, copy, b.len, &lim, &err);
		cr_assert(rc == 0 || rc == HIVEHA_EPROTOCOL || rc == HIVEHA_ELIMIT, "flip %zu: %d", n, rc);
		if (rc)
			continue;
		hh_buf_init(&b2, NULL);
		cr_assert_eq(hh_encode_ts_request_caps(&b2, &out, HH_CAP_ITEMS_FC), 0);
		cr_assert_eq(hh_decode_ts_request(&again, b2.data, b2.len, &lim, &err), 0, "%s", err.msg);
		cr_assert_eq(again.item_count, out.item_count);
		for (size_t i = 0; i < out.item_count; i++)
			cr_assert_str_eq(again.items[i], out.items[i]);
		hh_ts_request_free(&again);
		hh_ts_request_free(&out);
		hh_buf_free(&b2);
	}
	free(copy);
	hh_buf_free(&b);
}
