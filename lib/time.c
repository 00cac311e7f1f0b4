/*
 * time.c - conversions between hiveha ticks, Unix time and ISO 8601.
 *
 * Calendar arithmetic is done on int64 with the proleptic Gregorian
 * days-from-civil algorithm, never with time_t / gmtime / timegm, so that
 * it is exact before 1970, after 2038 and on every platform.
 */
#include <hiveha/time.h>

#define TICKS_PER_MINUTE (60 * HIVEHA_TICKS_PER_SECOND)
#define TICKS_PER_DAY (INT64_C(86400) * HIVEHA_TICKS_PER_SECOND)
/* Days from 1970-01-01 back to 1601-01-01. */
#define DAYS_1601_TO_1970 INT64_C(134774)
#define UNIX_EPOCH_SECONDS (HIVEHA_UNIX_EPOCH_TICKS / HIVEHA_TICKS_PER_SECOND)
/* Days since 1601-01-01 of 0001-01-01 and of 10000-01-01. */
#define DAYS_YEAR_1 INT64_C(-584388)
#define DAYS_YEAR_10000 INT64_C(3067671)

/* Floor division and the matching non-negative remainder (b > 0). */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b < 0) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;

	return r < 0 ? r + b : r;
}

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian; m 1..12, d 1..31). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int hiveha_time_from_unix(hiveha_time *out, int64_t seconds, uint32_t nanoseconds)
{
	int64_t sub = (int64_t)(nanoseconds / 100);
	int64_t s, base, neg;

	if (!out || nanoseconds > 999999999u)
		return HIVEHA_EINVAL;
	if (seconds > INT64_MAX - UNIX_EPOCH_SECONDS)
		return HIVEHA_ERANGE;
	s = seconds + UNIX_EPOCH_SECONDS;
	if (s >= 0) {
		if (s > (INT64_MAX - sub) / HIVEHA_TICKS_PER_SECOND)
			return HIVEHA_ERANGE;
		*out = s * HIVEHA_TICKS_PER_SECOND + sub;
		return HIVEHA_OK;
	}
	/* Negative: s * 1e7 alone may underflow although s * 1e7 + sub fits
	 * (down to HIVEHA_TIME_MIN exactly), so go through (s + 1). */
	if (s + 1 < INT64_MIN / HIVEHA_TICKS_PER_SECOND)
		return HIVEHA_ERANGE;
	base = (s + 1) * HIVEHA_TICKS_PER_SECOND;
	neg = sub - HIVEHA_TICKS_PER_SECOND; /* -1e7 .. -1 */
	if (base < INT64_MIN - neg)
		return HIVEHA_ERANGE;
	*out = base + neg;
	return HIVEHA_OK;
}

int hiveha_time_to_unix(int64_t *seconds_out, uint32_t *nanoseconds_out, hiveha_time t)
{
	/* Floor first so that no step can overflow, whatever t is. */
	int64_t s = floor_div(t, HIVEHA_TICKS_PER_SECOND);
	int64_t r = floor_mod(t, HIVEHA_TICKS_PER_SECOND);

	if (seconds_out)
		*seconds_out = s - UNIX_EPOCH_SECONDS;
	if (nanoseconds_out)
		*nanoseconds_out = (uint32_t)(r * 100);
	return HIVEHA_OK;
}

/* Reads exactly n decimal digits at *p into *v and advances *p. */
static int digits(const char **p, int n, int64_t *v)
{
	int64_t x = 0;
	int i;

	for (i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return 0;
		x = x * 10 + (c - '0');
	}
	*p += n;
	*v = x;
	return 1;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return 0;
	(*p)++;
	return 1;
}

int hiveha_time_from_iso8601(hiveha_time *out, const char *text)
{
	const char *p = text;
	int64_t year, month, day, hour, minute, second, frac = 0, off = 0;
	int64_t days, ticks;

	if (!out || !text)
		return HIVEHA_EINVAL;
	if (!digits(&p, 4, &year) || !expect(&p, '-') || !digits(&p, 2, &month) ||
	    !expect(&p, '-') || !digits(&p, 2, &day) || !expect(&p, 'T') ||
	    !digits(&p, 2, &hour) || !expect(&p, ':') || !digits(&p, 2, &minute) ||
	    !expect(&p, ':') || !digits(&p, 2, &second))
		return HIVEHA_EPARSE;
	if (year < 1 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, (int)month) || hour > 23 || minute > 59 || second > 59)
		return HIVEHA_EPARSE;
	if (*p == '.') {
		int n = 0;

		p++;
		while (*p >= '0' && *p <= '9') {
			if (++n > 7)
				return HIVEHA_EPARSE;
			frac = frac * 10 + (*p++ - '0');
		}
		if (n == 0)
			return HIVEHA_EPARSE;
		for (; n < 7; n++)
			frac *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;
		int64_t oh, om;

		if (!digits(&p, 2, &oh) || !expect(&p, ':') || !digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return HIVEHA_EPARSE;
		off = sign * (oh * 60 + om);
	} else {
		return HIVEHA_EPARSE;
	}
	if (*p != '\0')
		return HIVEHA_EPARSE;

	/* Years 1..9999 keep every term below 2^62: no step can overflow. */
	days = days_from_civil(year, month, day) + DAYS_1601_TO_1970;
	ticks = days * TICKS_PER_DAY + (hour * 3600 + minute * 60 + second) * HIVEHA_TICKS_PER_SECOND +
	        frac;
	/* Local = UTC + offset, so UTC = local - offset. */
	*out = ticks - off * TICKS_PER_MINUTE;
	return HIVEHA_OK;
}

static char *put(char *p, int64_t v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

int hiveha_time_to_iso8601(char *buf, size_t size, hiveha_time t)
{
	int64_t days = floor_div(t, TICKS_PER_DAY);
	int64_t rem = floor_mod(t, TICKS_PER_DAY);
	int64_t year;
	int month, day;
	char *p = buf;

	if (!buf || size < HIVEHA_ISO8601_SIZE) {
		if (buf && size)
			buf[0] = '\0';
		return HIVEHA_EINVAL;
	}
	if (days < DAYS_YEAR_1 || days >= DAYS_YEAR_10000) {
		buf[0] = '\0';
		return HIVEHA_ERANGE;
	}
	civil_from_days(days - DAYS_1601_TO_1970, &year, &month, &day);
	p = put(p, year, 4);
	*p++ = '-';
	p = put(p, month, 2);
	*p++ = '-';
	p = put(p, day, 2);
	*p++ = 'T';
	p = put(p, rem / (3600 * HIVEHA_TICKS_PER_SECOND), 2);
	*p++ = ':';
	p = put(p, rem / TICKS_PER_MINUTE % 60, 2);
	*p++ = ':';
	p = put(p, rem / HIVEHA_TICKS_PER_SECOND % 60, 2);
	*p++ = '.';
	p = put(p, rem % HIVEHA_TICKS_PER_SECOND, 7);
	*p++ = 'Z';
	*p = '\0';
	return HIVEHA_OK;
}
