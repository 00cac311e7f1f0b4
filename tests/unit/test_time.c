/*
 * Time conversions: ticks <-> Unix <-> ISO 8601.
 *
 * Expected tick values come from outside this library: the Unix epoch
 * constant, 2^31 seconds, and the FILETIME values of .NET's
 * DateTime.MinValue / MaxValue. A naive year-by-year day count is the
 * oracle for the calendar arithmetic.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <hiveha/time.h>

#define DAY (INT64_C(86400) * HIVEHA_TICKS_PER_SECOND)
#define TICKS_0001 INT64_C(-504911232000000000)
#define TICKS_9999_END INT64_C(2650467743999999999)

static hiveha_time parse(const char *s)
{
	hiveha_time t = 0;
	int rc = hiveha_time_from_iso8601(&t, s);

	cr_assert_eq(rc, HIVEHA_OK, "parsing '%s' gave %d", s, rc);
	return t;
}

static void expect_format(hiveha_time t, const char *want)
{
	char buf[HIVEHA_ISO8601_SIZE];

	cr_assert_eq(hiveha_time_to_iso8601(buf, sizeof(buf), t), HIVEHA_OK);
	cr_assert_str_eq(buf, want);
}

static int naive_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

Test(time_iso, epoch_edges)
{
	struct {
		const char *text;
		hiveha_time ticks;
	} cases[] = {
		{ "1601-01-01T00:00:00.0000000Z", 0 },
		{ "1970-01-01T00:00:00.0000000Z", HIVEHA_UNIX_EPOCH_TICKS },
		{ "1969-12-31T23:59:59.9999999Z", HIVEHA_UNIX_EPOCH_TICKS - 1 },
		{ "2038-01-19T03:14:08.0000000Z",
		  HIVEHA_UNIX_EPOCH_TICKS + INT64_C(2147483648) * HIVEHA_TICKS_PER_SECOND },
		{ "9999-12-31T23:59:59.9999999Z", TICKS_9999_END },
		{ "0001-01-01T00:00:00.0000000Z", TICKS_0001 },
		{ "1601-01-01T00:00:00.0000001Z", 1 },
		{ "1600-12-31T23:59:59.9999999Z", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(parse(cases[i].text), cases[i].ticks, "%s", cases[i].text);
		expect_format(cases[i].ticks, cases[i].text);
	}
}

Test(time_iso, every_new_year_matches_naive_day_count)
{
	int64_t days = -584388; /* 0001-01-01, from TICKS_0001 */
	char text[64];
	int64_t y;

	cr_assert_eq(days * DAY, TICKS_0001);
	for (y = 1; y <= 9999; y++) {
		snprintf(text, sizeof(text), "%04d-01-01T00:00:00Z", (int)y);
		cr_assert_eq(parse(text), days * DAY, "%s", text);
		days += naive_leap(y) ? 366 : 365;
	}
	/* one past the last day of 9999 */
	cr_assert_eq(days * DAY - 1, TICKS_9999_END);
}

Test(time_iso, every_day_of_leap_edge_years)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	static const int years[] = { 1600, 1601, 1899, 1900, 1969, 1970, 1999, 2000, 2023, 2024 };
	size_t k;

	for (k = 0; k < sizeof(years) / sizeof(years[0]); k++) {
		int y = years[k];
		char text[64];
		hiveha_time t;
		int m, d;

		snprintf(text, sizeof(text), "%04d-01-01T00:00:00Z", y);
		t = parse(text);
		for (m = 1; m <= 12; m++) {
			int n = mdays[m - 1] + (m == 2 && naive_leap(y));

			for (d = 1; d <= n; d++) {
				snprintf(text, sizeof(text), "%04d-%02d-%02dT00:00:00.0000000Z", y, m, d);
				cr_assert_eq(parse(text), t, "%s", text);
				expect_format(t, text);
				t += DAY;
			}
		}
	}
}

Test(time_iso, feb_29)
{
	hiveha_time t;

	cr_assert_eq(parse("1600-03-01T00:00:00Z") - parse("1600-02-29T00:00:00Z"), DAY);
	cr_assert_eq(parse("2000-03-01T00:00:00Z") - parse("2000-02-29T00:00:00Z"), DAY);
	cr_assert_eq(parse("2024-03-01T00:00:00Z") - parse("2024-02-29T00:00:00Z"), DAY);
	cr_assert_eq(parse("1900-03-01T00:00:00Z") - parse("1900-02-28T00:00:00Z"), DAY);
	cr_assert_eq(hiveha_time_from_iso8601(&t, "1900-02-29T00:00:00Z"), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_time_from_iso8601(&t, "2023-02-29T00:00:00Z"), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_time_from_iso8601(&t, "2100-02-29T00:00:00Z"), HIVEHA_EPARSE);
	cr_assert_eq(hiveha_time_from_iso8601(&t, "2024-02-30T00:00:00Z"), HIVEHA_EPARSE);
}

Test(time_iso, fractions_are_scaled_not_guessed)
{
	hiveha_time base = parse("2024-05-06T07:08:09Z");

	cr_assert_eq(parse("2024-05-06T07:08:09.5Z") - base, 5000000);
	cr_assert_eq(parse("2024-05-06T07:08:09.05Z") - base, 500000);
	cr_assert_eq(parse("2024-05-06T07:08:09.123Z") - base, 1230000);
	cr_assert_eq(parse("2024-05-06T07:08:09.1234567Z") - base, 1234567);
	cr_assert_eq(parse("2024-05-06T07:08:09.0000001Z") - base, 1);
	cr_assert_eq(base - parse("2024-05-06T00:00:00Z"),
	             (7 * 3600 + 8 * 60 + 9) * HIVEHA_TICKS_PER_SECOND);
}

Test(time_iso, offsets_are_applied)
{
	cr_assert_eq(parse("2024-03-10T12:00:00+01:00"), parse("2024-03-10T11:00:00Z"));
	cr_assert_eq(parse("2024-03-10T12:00:00-05:30"), parse("2024-03-10T17:30:00Z"));
	cr_assert_eq(parse("2024-03-10T12:00:00+00:00"), parse("2024-03-10T12:00:00Z"));
	cr_assert_eq(parse("2024-03-10T12:00:00-00:00"), parse("2024-03-10T12:00:00Z"));
	cr_assert_eq(parse("2000-01-01T00:30:00.25+01:00"), parse("1999-12-31T23:30:00.25Z"));
	cr_assert_eq(parse("1999-12-31T23:00:00-23:59"), parse("2000-01-01T22:59:00Z"));
	/* An offset may carry a year-1 time below the formatter's range. */
	cr_assert_eq(parse("0001-01-01T00:00:00+01:00"), TICKS_0001 - 3600 * HIVEHA_TICKS_PER_SECOND);
}

Test(time_iso, malformed_strings_are_rejected)
{
	static const char *bad[] = {
		"",
		"2024",
		"2024-01-01",
		"2024-01-01T00:00:00",          /* no zone */
		"2024-01-01T00:00:00.1234567",  /* no zone */
		"2024-01-01T00:00:00.12345678Z", /* 8 fraction digits */
		"2024-01-01T00:00:00.Z",        /* dot without digits */
		"2024-01-01T00:00:00,5Z",
		"2024-04-31T00:00:00Z",         /* day 31 of April */
		"2024-01-32T00:00:00Z",
		"2024-01-00T00:00:00Z",
		"2024-00-01T00:00:00Z",
		"2024-13-01T00:00:00Z",
		"0000-01-01T00:00:00Z",         /* year 0 */
		"2024-01-01T24:00:00Z",
		"2024-01-01T23:60:00Z",
		"2024-01-01T23:59:60Z",         /* leap second */
		"2024-01-01T00:00:00Zx",        /* trailing text */
		"2024-01-01T00:00:00Z ",
		" 2024-01-01T00:00:00Z",
		"2024-01-01 00:00:00Z",
		"2024-01-01t00:00:00Z",
		"2024-01-01T00:00:00z",
		"2024-1-01T00:00:00Z",
		"2024-01-1T00:00:00Z",
		"24-01-01T00:00:00Z",
		"+2024-01-01T00:00:00Z",
		"-2024-01-01T00:00:00Z",
		"12024-01-01T00:00:00Z",
		"2024-01-01T00:00Z",            /* no seconds */
		"2024-01-01T0:00:00Z",
		"2024-01-01T00:00:00+0100",
		"2024-01-01T00:00:00+01",
		"2024-01-01T00:00:00+1:00",
		"2024-01-01T00:00:00+24:00",
		"2024-01-01T00:00:00+01:60",
		"2024-01-01T00:00:00+01:00Z",
		"2024-01-01T00:00:00Z+01:00",
		"2024/01/01T00:00:00Z",
		"2024-01-01T00-00-00Z",
		"2024-0a-01T00:00:00Z",
		"2024-01-01T00:00:00.12a4Z",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hiveha_time t = 12345;

		cr_assert_eq(hiveha_time_from_iso8601(&t, bad[i]), HIVEHA_EPARSE, "'%s'", bad[i]);
		cr_assert_eq(t, 12345, "'%s' touched the output", bad[i]);
	}
}

Test(time_iso, null_arguments)
{
	hiveha_time t;

	cr_assert_eq(hiveha_time_from_iso8601(NULL, "2024-01-01T00:00:00Z"), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_time_from_iso8601(&t, NULL), HIVEHA_EINVAL);
}

/* Deterministic pseudo-random 64-bit values (splitmix64). */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

Test(time_iso, round_trip_many_values)
{
	uint64_t state = 42;
	uint64_t span = (uint64_t)(TICKS_9999_END - TICKS_0001) + 1;
	int i;

	for (i = 0; i < 200000; i++) {
		hiveha_time t = TICKS_0001 + (hiveha_time)(next_random(&state) % span);
		char buf[HIVEHA_ISO8601_SIZE];
		hiveha_time back = 0;

		cr_assert_eq(hiveha_time_to_iso8601(buf, sizeof(buf), t), HIVEHA_OK);
		cr_assert_eq(strlen(buf), 28);
		cr_assert_eq(hiveha_time_from_iso8601(&back, buf), HIVEHA_OK, "%s", buf);
		cr_assert_eq(back, t, "%s", buf);
	}
}

Test(time_iso, formatter_range_and_buffer)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(hiveha_time_to_iso8601(buf, sizeof(buf), TICKS_0001 - 1), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_time_to_iso8601(buf, sizeof(buf), TICKS_9999_END + 1), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_time_to_iso8601(buf, sizeof(buf), HIVEHA_TIME_MIN), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_time_to_iso8601(buf, sizeof(buf), HIVEHA_TIME_MAX), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_time_to_iso8601(buf, HIVEHA_ISO8601_SIZE - 1, 0), HIVEHA_EINVAL);
	cr_assert_eq(buf[0], '\0', "a short buffer must be left empty, not unterminated");
	cr_assert_eq(hiveha_time_to_iso8601(NULL, 64, 0), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_time_to_iso8601(buf, HIVEHA_ISO8601_SIZE, 0), HIVEHA_OK);
	cr_assert_str_eq(buf, "1601-01-01T00:00:00.0000000Z");
}

Test(time_unix, known_points)
{
	hiveha_time t;
	int64_t s;
	uint32_t ns;

	cr_assert_eq(hiveha_time_from_unix(&t, 0, 0), HIVEHA_OK);
	cr_assert_eq(t, HIVEHA_UNIX_EPOCH_TICKS);
	cr_assert_eq(hiveha_time_from_unix(&t, INT64_C(2147483648), 0), HIVEHA_OK);
	cr_assert_eq(t, parse("2038-01-19T03:14:08Z"));
	cr_assert_eq(hiveha_time_from_unix(&t, -1, 999999999), HIVEHA_OK);
	cr_assert_eq(t, parse("1969-12-31T23:59:59.9999999Z"), "nanoseconds are truncated to 100 ns");
	cr_assert_eq(hiveha_time_from_unix(&t, INT64_C(-11644473600), 0), HIVEHA_OK);
	cr_assert_eq(t, 0);
	cr_assert_eq(hiveha_time_from_unix(&t, INT64_C(-62135596800), 0), HIVEHA_OK);
	cr_assert_eq(t, TICKS_0001);

	/* Floored: one tick before the epoch is second -1, 999999900 ns. */
	cr_assert_eq(hiveha_time_to_unix(&s, &ns, HIVEHA_UNIX_EPOCH_TICKS - 1), HIVEHA_OK);
	cr_assert_eq(s, -1);
	cr_assert_eq(ns, 999999900);
	cr_assert_eq(hiveha_time_to_unix(&s, &ns, 0), HIVEHA_OK);
	cr_assert_eq(s, INT64_C(-11644473600));
	cr_assert_eq(ns, 0);
	cr_assert_eq(hiveha_time_to_unix(&s, &ns, TICKS_9999_END), HIVEHA_OK);
	cr_assert_eq(s, INT64_C(253402300799));
	cr_assert_eq(ns, 999999900);
	cr_assert_eq(hiveha_time_to_unix(NULL, &ns, 15), HIVEHA_OK);
	cr_assert_eq(ns, 1500);
	cr_assert_eq(hiveha_time_to_unix(&s, NULL, 15), HIVEHA_OK);
}

Test(time_unix, round_trips_including_negative_and_extremes)
{
	uint64_t state = 7;
	hiveha_time fixed[] = { HIVEHA_TIME_MIN, HIVEHA_TIME_MIN + 1, -1, 0, 1,
	                        HIVEHA_UNIX_EPOCH_TICKS - 1, HIVEHA_TIME_MAX - 1, HIVEHA_TIME_MAX };
	size_t i;

	for (i = 0; i < 100000 + sizeof(fixed) / sizeof(fixed[0]); i++) {
		hiveha_time t = i < sizeof(fixed) / sizeof(fixed[0]) ? fixed[i]
		                                                    : (hiveha_time)next_random(&state);
		hiveha_time back = 0;
		int64_t s;
		uint32_t ns;

		cr_assert_eq(hiveha_time_to_unix(&s, &ns, t), HIVEHA_OK);
		cr_assert_lt(ns, 1000000000u);
		cr_assert_eq(ns % 100, 0);
		cr_assert_eq(hiveha_time_from_unix(&back, s, ns), HIVEHA_OK, "t=%lld", (long long)t);
		cr_assert_eq(back, t);
	}
}

Test(time_unix, overflow_is_erange)
{
	hiveha_time t = 99;
	int64_t s;
	uint32_t ns;

	cr_assert_eq(hiveha_time_from_unix(&t, INT64_MAX, 0), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_time_from_unix(&t, INT64_MIN, 0), HIVEHA_ERANGE);
	cr_assert_eq(t, 99);

	/* Exactly one step past each end of the tick range. */
	hiveha_time_to_unix(&s, &ns, HIVEHA_TIME_MAX);
	cr_assert_eq(hiveha_time_from_unix(&t, s, ns + 100), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_time_from_unix(&t, s + 1, 0), HIVEHA_ERANGE);
	hiveha_time_to_unix(&s, &ns, HIVEHA_TIME_MIN);
	cr_assert_gt(ns, 0u);
	cr_assert_eq(hiveha_time_from_unix(&t, s, ns - 100), HIVEHA_ERANGE);
	cr_assert_eq(hiveha_time_from_unix(&t, s - 1, 999999900), HIVEHA_ERANGE);
}

Test(time_unix, bad_arguments)
{
	hiveha_time t;

	cr_assert_eq(hiveha_time_from_unix(&t, 0, 1000000000u), HIVEHA_EINVAL);
	cr_assert_eq(hiveha_time_from_unix(NULL, 0, 0), HIVEHA_EINVAL);
}
