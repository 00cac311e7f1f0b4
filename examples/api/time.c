/*
 * time.c - hiveha_time and its conversions (docs/api/time.md).
 *
 * Converts between Unix time, ticks and ISO 8601, shows that a formatted
 * time parses back exactly and that malformed text is refused rather than
 * guessed. Exits 0 when every conversion gives the expected result.
 */
#include <hiveha/time.h>

#include <stdio.h>
#include <string.h>

static int fails;

static void expect(int ok, const char *what)
{
	printf("%-48s %s\n", what, ok ? "ok" : "FAILED");
	fails += !ok;
}

int main(void)
{
	hiveha_time t = 0, back = 0, epoch = 0;
	char iso[HIVEHA_ISO8601_SIZE];
	int64_t sec = 0;
	uint32_t ns = 0;

	/* Unix time with nanoseconds in, ticks out (truncated to 100 ns). */
	expect(hiveha_time_from_unix(&t, 1700000000, 123456789) == HIVEHA_OK,
	       "from_unix(1700000000 s, 123456789 ns)");
	expect(t == HIVEHA_UNIX_EPOCH_TICKS + 1700000000 * HIVEHA_TICKS_PER_SECOND + 1234567,
	       "ticks = epoch + seconds + 100-ns units");
	expect(hiveha_time_to_unix(&sec, &ns, t) == HIVEHA_OK && sec == 1700000000 &&
	               ns == 123456700,
	       "to_unix gives 1700000000 s, 123456700 ns");

	/* ISO 8601: seven fraction digits out, so parsing it back is exact. */
	expect(hiveha_time_to_iso8601(iso, sizeof iso, t) == HIVEHA_OK &&
	               strcmp(iso, "2023-11-14T22:13:20.1234567Z") == 0,
	       "to_iso8601 = 2023-11-14T22:13:20.1234567Z");
	expect(hiveha_time_from_iso8601(&back, iso) == HIVEHA_OK && back == t,
	       "from_iso8601(to_iso8601(t)) == t");

	/* An offset is applied; the result is UTC. */
	expect(hiveha_time_from_iso8601(&back, "2023-11-14T23:13:20.1234567+01:00") == HIVEHA_OK &&
	               back == t,
	       "+01:00 offset gives the same instant");

	/* The constants agree with the conversions. */
	expect(hiveha_time_from_iso8601(&epoch, "1970-01-01T00:00:00Z") == HIVEHA_OK &&
	               epoch == HIVEHA_UNIX_EPOCH_TICKS,
	       "1970-01-01T00:00:00Z == HIVEHA_UNIX_EPOCH_TICKS");
	expect(HIVEHA_TICKS_PER_SECOND == 1000 * HIVEHA_TICKS_PER_MS, "1 s == 1000 ms of ticks");
	expect(hiveha_time_from_iso8601(&back, "1601-01-01T00:00:00Z") == HIVEHA_OK && back == 0,
	       "tick 0 is 1601-01-01T00:00:00Z");

	/* Malformed or ambiguous text is an error, never a guess. */
	expect(hiveha_time_from_iso8601(&back, "2024-04-31T00:00:00Z") == HIVEHA_EPARSE,
	       "April 31 is HIVEHA_EPARSE");
	expect(hiveha_time_from_iso8601(&back, "2024-01-01T00:00:00") == HIVEHA_EPARSE,
	       "a missing zone is HIVEHA_EPARSE");
	expect(hiveha_time_from_unix(&back, 0, 1000000000) == HIVEHA_EINVAL,
	       "nanoseconds >= 10^9 is HIVEHA_EINVAL");
	expect(hiveha_time_to_iso8601(iso, sizeof iso, HIVEHA_TIME_MAX) == HIVEHA_ERANGE,
	       "HIVEHA_TIME_MAX (year 30828) is HIVEHA_ERANGE");
	expect(hiveha_time_to_iso8601(iso, 8, t) == HIVEHA_EINVAL, "a short buffer is HIVEHA_EINVAL");
	/* Times before 1601 are negative; to_unix floors. */
	expect(hiveha_time_to_unix(&sec, &ns, HIVEHA_TIME_MIN) == HIVEHA_OK && ns < 1000000000,
	       "to_unix(HIVEHA_TIME_MIN) works");
	return fails != 0;
}
