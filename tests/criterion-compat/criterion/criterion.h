/*
 * criterion.h - the smallest stand-in for Criterion's API that libhiveha's
 * tests use, for the Windows (MinGW + wine) CI stage only: Criterion and
 * its five dependencies are not cross-built there (docs/windows.md says
 * why, with figures). Everywhere else the tests link the real Criterion.
 *
 * Supported: Test, TestSuite (.init .fini .timeout .signal .disabled),
 * cr_assert_* / cr_expect_* as used in tests/, cr_skip_test, cr_log_info.
 * Each test runs in its own process, as with Criterion, so a failed or
 * crashing test cannot disturb the next one; see runner.c.
 */
#ifndef HH_CRITERION_COMPAT_H
#define HH_CRITERION_COMPAT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct criterion_test_extra_data {
	int compat_first_; /* lets `{ .x = 0, __VA_ARGS__ }` be empty */
	void (*init)(void);
	void (*fini)(void);
	double timeout; /* seconds, 0 = the runner's default */
	int signal;     /* the test passes only if it dies of this signal */
	int exit_code;
	bool disabled;
	const char *description;
};

struct crc_suite {
	const char *name;
	struct criterion_test_extra_data data;
	struct crc_suite *next;
};

struct crc_test {
	const char *suite;
	const char *name;
	void (*fn)(void);
	struct criterion_test_extra_data data;
	struct crc_test *next;
};

void crc_register_suite(struct crc_suite *s);
void crc_register_test(struct crc_test *t);
/* Reports a failed check; a fatal one ends the test (longjmp), and says so
 * to the compiler, as Criterion does, so that code after a cr_assert may
 * rely on it. */
void crc_fail(const char *file, int line, const char *what, const char *fmt, ...);
_Noreturn void crc_fail_fatal(const char *file, int line, const char *what, const char *fmt, ...);
void crc_skip(const char *fmt, ...);
void crc_log(const char *fmt, ...);

#define Test(suite, name, ...)                                                                 \
	static void crc_fn_##suite##_##name(void);                                             \
	static struct crc_test crc_test_##suite##_##name = {                                   \
		#suite, #name, crc_fn_##suite##_##name, { .compat_first_ = 0, __VA_ARGS__ }, NULL \
	};                                                                                     \
	__attribute__((constructor)) static void crc_reg_##suite##_##name(void)                \
	{                                                                                      \
		crc_register_test(&crc_test_##suite##_##name);                                 \
	}                                                                                      \
	static void crc_fn_##suite##_##name(void)

#define TestSuite(suite, ...)                                                            \
	static struct crc_suite crc_suite_##suite = {                                    \
		#suite, { .compat_first_ = 0, __VA_ARGS__ }, NULL                        \
	};                                                                               \
	__attribute__((constructor)) static void crc_reg_suite_##suite(void)             \
	{                                                                                \
		crc_register_suite(&crc_suite_##suite);                                  \
	}                                                                                \
	extern int crc_suite_dummy_##suite

/* The optional message is a format literal: "" glues onto it or stands alone. */
#define CRC_CHECK(fatal, cond, what, ...)                                            \
	do {                                                                         \
		if (!(cond)) {                                                       \
			if (fatal)                                                   \
				crc_fail_fatal(__FILE__, __LINE__, what, "" __VA_ARGS__); \
			crc_fail(__FILE__, __LINE__, what, "" __VA_ARGS__);          \
		}                                                                    \
	} while (0)

#define cr_assert(c, ...) CRC_CHECK(true, (c), #c, __VA_ARGS__)
#define cr_expect(c, ...) CRC_CHECK(false, (c), #c, __VA_ARGS__)
#define cr_assert_not(c, ...) CRC_CHECK(true, !(c), "!(" #c ")", __VA_ARGS__)
#define cr_expect_not(c, ...) CRC_CHECK(false, !(c), "!(" #c ")", __VA_ARGS__)
#define cr_assert_fail(...) CRC_CHECK(true, 0, "cr_assert_fail", __VA_ARGS__)

#define CRC_CMP(fatal, a, op, b, ...) CRC_CHECK(fatal, (a)op(b), #a " " #op " " #b, __VA_ARGS__)
#define cr_assert_eq(a, b, ...) CRC_CMP(true, a, ==, b, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) CRC_CMP(false, a, ==, b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) CRC_CMP(true, a, !=, b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) CRC_CMP(false, a, !=, b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) CRC_CMP(true, a, <, b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) CRC_CMP(false, a, <, b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) CRC_CMP(true, a, <=, b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) CRC_CMP(true, a, >, b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) CRC_CMP(false, a, >, b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) CRC_CMP(true, a, >=, b, __VA_ARGS__)

#define cr_assert_null(p, ...) CRC_CHECK(true, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_expect_null(p, ...) CRC_CHECK(false, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) CRC_CHECK(true, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_expect_not_null(p, ...) CRC_CHECK(false, (p) != NULL, #p " != NULL", __VA_ARGS__)

#define CRC_STR(fatal, a, op, b, ...) \
	CRC_CHECK(fatal, strcmp((a), (b)) op 0, "strcmp(" #a ", " #b ") " #op " 0", __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) CRC_STR(true, a, ==, b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) CRC_STR(false, a, ==, b, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...) CRC_STR(true, a, !=, b, __VA_ARGS__)
#define cr_assert_str_empty(s, ...) CRC_CHECK(true, (s)[0] == '\0', #s " is empty", __VA_ARGS__)
#define cr_expect_str_empty(s, ...) CRC_CHECK(false, (s)[0] == '\0', #s " is empty", __VA_ARGS__)
#define cr_expect_arr_eq(a, b, n, ...) \
	CRC_CHECK(false, memcmp((a), (b), (n)) == 0, "memcmp(" #a ", " #b ", " #n ") == 0", __VA_ARGS__)

#define cr_skip_test(...) crc_skip("" __VA_ARGS__)
#define cr_log_info(...) crc_log(__VA_ARGS__)

#endif /* HH_CRITERION_COMPAT_H */
