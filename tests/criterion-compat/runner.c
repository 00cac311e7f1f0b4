/*
 * runner.c - main() of a test program built against the Criterion
 * stand-in (criterion.h beside this file). Windows only.
 *
 *   prog [--jobs N] [--filter SUITE/NAME] [--single SUITE/NAME]
 *
 * The parent runs every registered test, sorted by suite and name, each in
 * a child process of its own (itself with --single), so a fatal assertion,
 * a crash or a leaked lock ends that test only. A test that runs longer
 * than its .timeout (default 300 s: never wait forever) is killed and
 * fails. .signal = SIGABRT passes when the child ends as abort() ends a
 * Windows process (exit code 3). --jobs is accepted and ignored (sequential).
 * Prints a Criterion-style synthesis and exits 1 if any test failed.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <process.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "criterion/criterion.h"

#define SKIP_EXIT 77
#define ABORT_EXIT 3
#define DEFAULT_TIMEOUT_S 300.0

static struct crc_suite *suites;
static struct crc_test *tests;
static size_t n_tests;
static jmp_buf test_end;
static int test_failed;

void crc_register_suite(struct crc_suite *s)
{
	s->next = suites;
	suites = s;
}

void crc_register_test(struct crc_test *t)
{
	t->next = tests;
	tests = t;
	n_tests++;
}

static void report(const char *file, int line, const char *kind, const char *what,
                   const char *fmt, va_list ap)
{
	fprintf(stderr, "%s:%d: %s failed: %s", file, line, kind, what);
	if (fmt[0]) {
		fputs(": ", stderr);
		vfprintf(stderr, fmt, ap);
	}
	fputc('\n', stderr);
	test_failed = 1;
}

void crc_fail(const char *file, int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(file, line, "expectation", what, fmt, ap);
	va_end(ap);
}

_Noreturn void crc_fail_fatal(const char *file, int line, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(file, line, "assertion", what, fmt, ap);
	va_end(ap);
	longjmp(test_end, 1);
}

void crc_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("skipped: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	_exit(SKIP_EXIT);
}

void crc_log(const char *fmt, ...)
{
	va_list ap;

	fputs("[----] ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct criterion_test_extra_data *suite_data(const char *name)
{
	static const struct criterion_test_extra_data none;
	struct crc_suite *s;

	for (s = suites; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			return &s->data;
	return &none;
}

/* Test-level settings override the suite's, as in Criterion. */
static struct criterion_test_extra_data effective(const struct crc_test *t)
{
	const struct criterion_test_extra_data *s = suite_data(t->suite);
	struct criterion_test_extra_data d = t->data;

	if (!d.init)
		d.init = s->init;
	if (!d.fini)
		d.fini = s->fini;
	if (d.timeout <= 0)
		d.timeout = s->timeout > 0 ? s->timeout : DEFAULT_TIMEOUT_S;
	if (!d.signal)
		d.signal = s->signal;
	d.disabled = d.disabled || s->disabled;
	return d;
}

static int run_single(const struct crc_test *t)
{
	struct criterion_test_extra_data d = effective(t);
	volatile int stage = 0;

	/* No error dialog boxes: a crash must end the child, not hang it. */
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
	if (setjmp(test_end) == 0) {
		if (d.init)
			d.init();
		stage = 1;
		t->fn();
	}
	/* fini runs after a failed assertion too, but not after a failed init. */
	if (stage == 1 && d.fini && setjmp(test_end) == 0)
		d.fini();
	fflush(NULL);
	return test_failed ? 1 : 0;
}

static int cmp_tests(const void *a, const void *b)
{
	const struct crc_test *x = *(const struct crc_test *const *)a;
	const struct crc_test *y = *(const struct crc_test *const *)b;
	int r = strcmp(x->suite, y->suite);

	return r ? r : strcmp(x->name, y->name);
}

static int matches(const struct crc_test *t, const char *spec)
{
	size_t n = strlen(t->suite);

	return strncmp(spec, t->suite, n) == 0 && spec[n] == '/' && strcmp(spec + n + 1, t->name) == 0;
}

/* Runs the test in a child; returns its exit code, or -1 on a timeout. */
static long run_child(const char *self, const struct crc_test *t, double timeout_s)
{
	char spec[512];
	const char *args[4];
	intptr_t h;
	DWORD code = 1;

	snprintf(spec, sizeof(spec), "%s/%s", t->suite, t->name);
	args[0] = self;
	args[1] = "--single";
	args[2] = spec;
	args[3] = NULL;
	fflush(NULL);
	h = _spawnv(_P_NOWAIT, self, args);
	if (h == -1) {
		perror("spawn");
		return 1;
	}
	if (WaitForSingleObject((HANDLE)h, (DWORD)(timeout_s * 1000.0)) == WAIT_TIMEOUT) {
		TerminateProcess((HANDLE)h, 1);
		WaitForSingleObject((HANDLE)h, INFINITE);
		CloseHandle((HANDLE)h);
		return -1;
	}
	GetExitCodeProcess((HANDLE)h, &code);
	CloseHandle((HANDLE)h);
	return (long)code;
}

/* Windows has no signals to die of: abort() exits with 3, a crash with an
 * NTSTATUS such as 0xC0000005. */
static int died_of(long rc, int sig)
{
	if (sig == SIGABRT)
		return rc == ABORT_EXIT;
	return (unsigned long)rc >= 0xC0000000UL;
}

int main(int argc, char **argv)
{
	struct crc_test **all, *t;
	const char *single = NULL, *filter = NULL;
	char self[MAX_PATH];
	size_t i, n = 0, passed = 0, failed = 0, skipped = 0;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--single") == 0 && a + 1 < argc)
			single = argv[++a];
		else if (strcmp(argv[a], "--filter") == 0 && a + 1 < argc)
			filter = argv[++a];
		else if (strcmp(argv[a], "--jobs") == 0 && a + 1 < argc)
			a++;
	}
	all = calloc(n_tests ? n_tests : 1, sizeof(*all));
	if (!all)
		return 2;
	for (t = tests; t; t = t->next)
		all[n++] = t;
	qsort(all, n, sizeof(*all), cmp_tests);
	if (single) {
		for (i = 0; i < n; i++)
			if (matches(all[i], single))
				return run_single(all[i]);
		fprintf(stderr, "no test %s\n", single);
		return 2;
	}
	if (!GetModuleFileNameA(NULL, self, sizeof(self)))
		return 2;
	for (i = 0; i < n; i++) {
		struct criterion_test_extra_data d = effective(all[i]);
		long rc;
		const char *verdict;

		if (filter && !matches(all[i], filter))
			continue;
		if (d.disabled) {
			skipped++;
			printf("[SKIP] %s::%s: disabled\n", all[i]->suite, all[i]->name);
			continue;
		}
		rc = run_child(self, all[i], d.timeout);
		if (rc == SKIP_EXIT) {
			skipped++;
			verdict = "SKIP";
		} else if (d.signal ? died_of(rc, d.signal) : rc == 0) {
			passed++;
			verdict = "PASS";
		} else {
			failed++;
			verdict = rc == -1 ? "FAIL (timeout)" : "FAIL";
		}
		printf("[%s] %s::%s (exit %ld)\n", verdict, all[i]->suite, all[i]->name, rc);
	}
	printf("[====] Synthesis: Tested: %zu | Passing: %zu | Failing: %zu | Crashing: 0 | Skipped: %zu\n",
	       passed + failed, passed, failed, skipped);
	free(all);
	return failed ? 1 : 0;
}
