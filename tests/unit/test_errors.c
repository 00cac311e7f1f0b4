/*
 * Status strings, runtime version and deputy names.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include <hiveha/hiveha.h>

#define FIRST_CODE HIVEHA_OK
#define LAST_CODE HIVEHA_EWRITE

Test(errors, every_code_has_its_own_string)
{
	int a, b;

	for (a = FIRST_CODE; a >= LAST_CODE; a--) {
		const char *s = hiveha_strerror(a);

		cr_assert_not_null(s);
		cr_assert_gt(strlen(s), 0);
		cr_assert_str_neq(s, "unknown status", "code %d", a);
		for (b = a - 1; b >= LAST_CODE; b--)
			cr_assert_str_neq(s, hiveha_strerror(b), "codes %d and %d", a, b);
	}
}

/* Each code's text names what went wrong, and anything outside the enum
 * (including the positive and extreme ints a host may pass) is unknown. */
static const struct strerror_row {
	int status;
	const char *text; /* a substring of hiveha_strerror(status) */
} strerror_rows[] = {
	{ HIVEHA_OK, "success" },
	{ HIVEHA_ERROR, "generic" },
	{ HIVEHA_EINVAL, "invalid argument" },
	{ HIVEHA_ENOMEM, "memory" },
	{ HIVEHA_EVERSION, "version" },
	{ HIVEHA_ENOTIMPL, "not implemented" },
	{ HIVEHA_ENOTFOUND, "not found" },
	{ HIVEHA_ESTORE, "store" },
	{ HIVEHA_ETRANSPORT, "transport" },
	{ HIVEHA_ETIMEOUT, "timed out" },
	{ HIVEHA_EPROTOCOL, "protocol" },
	{ HIVEHA_EAUTH, "authentication" },
	{ HIVEHA_ELIMIT, "limit" },
	{ HIVEHA_ECANCELLED, "cancelled" },
	{ HIVEHA_ESTATE, "state" },
	{ HIVEHA_EPARSE, "malformed text" },
	{ HIVEHA_ERANGE, "range" },
	{ HIVEHA_EUSER, "callback" },
	{ HIVEHA_EWRITE, "writer" },
	{ LAST_CODE - 1, "unknown status" },
	{ 1, "unknown status" },
	{ INT32_MIN, "unknown status" },
	{ INT32_MAX, "unknown status" },
};

Test(errors, strerror_table)
{
	size_t i;
	int known = 0;

	for (i = 0; i < sizeof(strerror_rows) / sizeof(strerror_rows[0]); i++) {
		const struct strerror_row *row = &strerror_rows[i];
		const char *s = hiveha_strerror(row->status);

		cr_expect_not_null(strstr(s, row->text),
		                   "row %zu: hiveha_strerror(%d) = \"%s\", wanted \"%s\"", i, row->status,
		                   s, row->text);
		if (row->status <= FIRST_CODE && row->status >= LAST_CODE)
			known++;
	}
	/* a code appended to the enum needs its row */
	cr_expect_eq(known, FIRST_CODE - LAST_CODE + 1, "every code from %d to %d has a row",
	             FIRST_CODE, LAST_CODE);
}

Test(version, runtime_matches_headers)
{
	char expect[32];

	snprintf(expect, sizeof(expect), "%d.%d.%d", HIVEHA_VERSION_MAJOR, HIVEHA_VERSION_MINOR,
	         HIVEHA_VERSION_PATCH);
	cr_assert_str_eq(hiveha_version(), expect);
	cr_assert_eq(hiveha_version_number(), HIVEHA_VERSION_MAJOR * 10000 +
	                                          HIVEHA_VERSION_MINOR * 100 + HIVEHA_VERSION_PATCH);
}

Test(names, deputies_and_states)
{
	static const char *states[] = { "idle", "started", "waiting_for_connection",
	                                "sending_sync_request", "waiting_for_reply", "finished_ok",
	                                "finished_with_error" };
	int i;

	cr_assert_str_eq(hiveha_deputy_name(HIVEHA_DEPUTY_TREND), "TrendHistory");
	cr_assert_str_eq(hiveha_deputy_name(HIVEHA_DEPUTY_EVENTS), "EventHistory");
	cr_assert_null(hiveha_deputy_name(HIVEHA_DEPUTY_EVENTS + 1));
	cr_assert_null(hiveha_deputy_name(-1));
	for (i = 0; i < 7; i++)
		cr_assert_str_eq(hiveha_deputy_state_name(i), states[i]);
	cr_assert_eq(HIVEHA_DEPUTY_FINISHED_WITH_ERROR, 6);
	cr_assert_null(hiveha_deputy_state_name(7));
	cr_assert_null(hiveha_deputy_state_name(-1));
}
