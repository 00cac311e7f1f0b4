/*
 * responder_cursor.c - the responder's paging cursors.
 *
 * A cursor is only a position (item index, time, samples to skip at that
 * time): the responder keeps no per-client state, so any number of clients
 * may page at once and a cursor survives a responder restart. Cursors
 * come back from the peer and are checked like any other hostile input.
 */
#include <stdio.h>
#include <string.h>

#include "protocol/codec.h"
#include "responder_internal.h"

/* The longest cursor, "t1:" and three 20-digit fields, fits the buffer
 * every caller passes (HH_MAX_CURSOR_BYTES): snprintf never cuts one. */
_Static_assert(HH_MAX_CURSOR_BYTES > sizeof("t1:") + 3 * (size_t)20 + 2, "a cursor fits its buffer");

void hh_cursor_ts_format(char *buf, size_t size, size_t idx, hiveha_time t, uint64_t skip)
{
	char a[24], b[24], c[24];

	hh_fmt_u64(a, idx);
	hh_fmt_i64(b, t);
	hh_fmt_u64(c, skip);
	(void)snprintf(buf, size, "t1:%s:%s:%s", a, b, c); /* fits: see above */
}

void hh_cursor_ev_format(char *buf, size_t size, hiveha_time t, uint64_t skip)
{
	char b[24], c[24];

	hh_fmt_i64(b, t);
	hh_fmt_u64(c, skip);
	(void)snprintf(buf, size, "e1:%s:%s", b, c); /* fits: see above */
}

/* Splits off the next ':'-separated field into buf (at most 23 chars). */
static const char *field(const char *s, char buf[24])
{
	size_t n = 0;

	while (s[n] && s[n] != ':') {
		if (n == 23)
			return NULL;
		buf[n] = s[n];
		n++;
	}
	buf[n] = '\0';
	return s[n] == ':' ? s + n + 1 : s + n;
}

int hh_cursor_ts_parse(const char *s, size_t item_count, hiveha_time from, hiveha_time to,
                       size_t *idx, hiveha_time *t, uint64_t *skip)
{
	char f[24];
	uint64_t i;

	if (strncmp(s, "t1:", 3) != 0)
		return HIVEHA_EPROTOCOL;
	s += 3;
	s = field(s, f);
	if (!s || hh_parse_u64(f, &i) || i >= item_count)
		return HIVEHA_EPROTOCOL;
	s = field(s, f);
	if (!s || hh_parse_i64(f, t) || *t < from || *t >= to)
		return HIVEHA_EPROTOCOL;
	s = field(s, f);
	if (!s || *s || hh_parse_u64(f, skip))
		return HIVEHA_EPROTOCOL;
	/* A field cut by the end of the string must not look complete. */
	if (s[-1] == ':')
		return HIVEHA_EPROTOCOL;
	*idx = (size_t)i;
	return 0;
}

int hh_cursor_ev_parse(const char *s, hiveha_time from, hiveha_time to, hiveha_time *t,
                       uint64_t *skip)
{
	char f[24];

	if (strncmp(s, "e1:", 3) != 0)
		return HIVEHA_EPROTOCOL;
	s += 3;
	s = field(s, f);
	if (!s || hh_parse_i64(f, t) || *t < from || *t >= to)
		return HIVEHA_EPROTOCOL;
	s = field(s, f);
	if (!s || *s || hh_parse_u64(f, skip))
		return HIVEHA_EPROTOCOL;
	if (s[-1] == ':')
		return HIVEHA_EPROTOCOL;
	return 0;
}
