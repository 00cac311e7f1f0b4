/*
 * hiveha-hello: a tour of the basic public API.
 *
 * Prints the library version and the current time from the system clock,
 * then round-trips a timestamp through ISO 8601 and a value through a deep
 * copy. Exits non-zero if a round trip does not give back what went in.
 */
#include <hiveha/hiveha.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check(int status, const char *what)
{
	if (status != HIVEHA_OK) {
		fprintf(stderr, "%s: %s\n", what, hiveha_strerror(status));
	}
	return status;
}

/* Reads "now" from the default clock and prints it in ISO 8601 UTC. */
static int show_now(void)
{
	hiveha_clock clock;
	char iso[HIVEHA_ISO8601_SIZE];
	int64_t unix_s = 0;
	int rc;

	if (check(hiveha_clock_system(&clock), "hiveha_clock_system")) {
		return 1;
	}
	hiveha_time now = clock.now(clock.ctx);
	rc = check(hiveha_time_to_iso8601(iso, sizeof iso, now), "hiveha_time_to_iso8601");
	if (rc == HIVEHA_OK) {
		rc = check(hiveha_time_to_unix(&unix_s, NULL, now), "hiveha_time_to_unix");
	}
	if (rc == HIVEHA_OK) {
		printf("now:      %s (%lld ticks, Unix %lld)\n", iso, (long long)now, (long long)unix_s);
	}
	/* The clock's context is ours until a governor takes it over. */
	clock.destroy(clock.ctx);
	return rc != HIVEHA_OK;
}

/* Local time with an offset in, UTC with seven fraction digits out, and back. */
static int round_trip_time(void)
{
	const char *in = "2024-02-29T13:34:56.789+01:00";
	const char *want = "2024-02-29T12:34:56.7890000Z";
	char out[HIVEHA_ISO8601_SIZE];
	hiveha_time t = 0, back = 0;

	if (check(hiveha_time_from_iso8601(&t, in), "hiveha_time_from_iso8601") ||
	    check(hiveha_time_to_iso8601(out, sizeof out, t), "hiveha_time_to_iso8601") ||
	    check(hiveha_time_from_iso8601(&back, out), "hiveha_time_from_iso8601")) {
		return 1;
	}
	printf("time:     %s -> %s\n", in, out);
	if (strcmp(out, want) != 0 || back != t) {
		fprintf(stderr, "time round trip: got %s, want %s\n", out, want);
		return 1;
	}
	return 0;
}

/* A string and a NaN survive a deep copy and compare equal to the original. */
static int round_trip_value(void)
{
	static const char text[] = "Tank 7 level";
	hiveha_value a = { 0 }, b = { 0 };
	int failed = 0;

	if (check(hiveha_value_set_string(&a, text, strlen(text)), "hiveha_value_set_string") ||
	    check(hiveha_value_copy(&b, &a), "hiveha_value_copy")) {
		hiveha_value_clear(&a);
		return 1;
	}
	failed |= hiveha_value_compare(&a, &b) != 0 || b.as.str.ptr == a.as.str.ptr;
	printf("value:    \"%s\" copied as \"%s\"\n", a.as.str.ptr, b.as.str.ptr);
	hiveha_value_clear(&a);
	hiveha_value_clear(&b);

	hiveha_value_set_double(&a, NAN);
	if (check(hiveha_value_copy(&b, &a), "hiveha_value_copy")) {
		return 1;
	}
	failed |= hiveha_value_compare(&a, &b) != 0;
	printf("value:    NaN copied, compares %s\n", failed ? "unequal" : "equal");
	if (failed) {
		fprintf(stderr, "value round trip failed\n");
	}
	return failed;
}

int main(void)
{
	printf("libhiveha %s (headers %s)\n", hiveha_version(), HIVEHA_VERSION_STRING);
	int failed = show_now();
	failed |= round_trip_time();
	failed |= round_trip_value();
	return failed ? 1 : 0;
}
