/*
 * proto_fixtures.h - messages with every value type and edge case, shared
 * by the protocol tests.
 */
#ifndef PROTO_FIXTURES_H
#define PROTO_FIXTURES_H

#include "protocol/protocol.h"

/* A reply with three items: one of every value type and edge time, one
 * unknown, one of 1 Hz doubles; `encoding` chooses whether strings with
 * NUL bytes are included (binary only). Free with fx_ts_reply_free. */
void fx_ts_reply(hh_ts_reply *r, int with_nul_strings);
/* The item ids of the request fx_ts_reply answers: its three items and two
 * more that it skips (a binary reply names items by index in these). */
#define FX_TS_ITEM_COUNT 5
extern const char *const fx_ts_items[FX_TS_ITEM_COUNT];
void fx_ts_reply_free(hh_ts_reply *r);

/* Events with every field, NULL and empty strings and attributes of every type. */
void fx_ev_reply(hh_ev_reply *r);
void fx_ev_reply_free(hh_ev_reply *r);

/* Asserts (Criterion) that two replies are equal, types included. */
void fx_assert_ts_equal(const hh_ts_reply *a, const hh_ts_reply *b);
void fx_assert_ev_equal(const hh_ev_reply *a, const hh_ev_reply *b);

/* `n` 1 Hz samples of varying doubles with good quality. */
hiveha_sample *fx_doubles_1hz(size_t n);

#endif
