/*
 * node_platform.c - the OS-specific bits of hiveha-node (node_platform.h).
 *
 * POSIX: signals only set a flag and write to a self-pipe the main loop
 * polls, so nothing else runs inside a signal handler.
 * Windows: the console control handler runs on a thread of its own that the
 * system starts; it sets an atomic flag and a manual-reset event the main
 * loop waits on.
 */
#ifdef _WIN32
/* GetSystemTimePreciseAsFileTime is declared from Windows 8 on. */
#  if !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0602
#    undef _WIN32_WINNT
#    define _WIN32_WINNT 0x0602
#  endif
#  define WIN32_LEAN_AND_MEAN
#  include <windows.h>
#  include <io.h>
#endif

#include "node_platform.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>

#ifdef _WIN32

#include <fcntl.h>
#include <io.h>
#include <shellapi.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_int stop_sig;
static HANDLE stop_event; /* manual reset: set once, wakes every wait */
static HANDLE done_event; /* the node is torn down: a close handler may return */

static BOOL WINAPI on_console(DWORD type)
{
	int sig = SIGTERM;
	switch (type) {
	case CTRL_C_EVENT:
	case CTRL_BREAK_EVENT:
		sig = SIGINT;
		break;
	case CTRL_CLOSE_EVENT:
	case CTRL_LOGOFF_EVENT:
	case CTRL_SHUTDOWN_EVENT:
		break;
	default:
		return FALSE;
	}
	atomic_store(&stop_sig, sig);
	SetEvent(stop_event);
	/* Returning from these ends the process (after about 5 s at the
	 * latest anyway): give the main loop the time to store and stop. */
	if (sig == SIGTERM)
		WaitForSingleObject(done_event, 4500);
	return TRUE;
}

int node_stop_install(void)
{
	stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	done_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!stop_event || !done_event || !SetConsoleCtrlHandler(on_console, TRUE)) {
		errno = EINVAL; /* the reason is in GetLastError(); rare enough */
		return -1;
	}
	return 0;
}

int node_stop_requested(void)
{
	return atomic_load(&stop_sig);
}

void node_stop_wait(int64_t ms)
{
	WaitForSingleObject(stop_event, ms < 0 ? 0 : (DWORD)ms);
}

void node_stop_done(void)
{
	if (done_event)
		SetEvent(done_event);
}

hiveha_time node_wall_now(void)
{
	FILETIME ft;

	/* FILETIME is the tick itself: 100 ns since 1601-01-01 UTC. */
	GetSystemTimePreciseAsFileTime(&ft);
	return (hiveha_time)(((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime);
}

int64_t node_mono_ns(void)
{
	LARGE_INTEGER count, freq;

	/* Split so count * 1e9 does not overflow after days of uptime. */
	QueryPerformanceCounter(&count);
	QueryPerformanceFrequency(&freq);
	return count.QuadPart / freq.QuadPart * 1000000000 +
	       count.QuadPart % freq.QuadPart * 1000000000 / freq.QuadPart;
}

int node_stdout_is_tty(void)
{
	return _isatty(_fileno(stdout));
}

/* UTF-8 -> UTF-16 for the wide file API; NULL when it does not convert. */
static wchar_t *widen(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0)
		return NULL;
	wchar_t *w = malloc((size_t)n * sizeof(*w));
	if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
		free(w);
		w = NULL;
	}
	return w;
}

FILE *node_fopen(const char *path, const char *mode)
{
	wchar_t *wpath = widen(path), *wmode = widen(mode);
	FILE *f = wpath && wmode ? _wfopen(wpath, wmode) : NULL;
	if (!wpath || !wmode)
		errno = EINVAL;
	free(wpath);
	free(wmode);
	return f;
}

char **node_utf8_argv(int argc, char **argv)
{
	/* main()'s argv is in the ANSI code page; the API takes UTF-8, so the
	 * arguments are taken again from the wide command line. On any
	 * failure the narrow ones stay (ASCII paths work either way). */
	int n = 0;
	wchar_t **w = CommandLineToArgvW(GetCommandLineW(), &n);
	if (!w || n != argc) {
		if (w)
			LocalFree(w);
		return argv;
	}
	char **out = calloc((size_t)argc + 1, sizeof(*out));
	for (int i = 0; out && i < argc; i++) {
		int len = WideCharToMultiByte(CP_UTF8, 0, w[i], -1, NULL, 0, NULL, NULL);
		out[i] = len > 0 ? malloc((size_t)len) : NULL;
		if (!out[i] || WideCharToMultiByte(CP_UTF8, 0, w[i], -1, out[i], len, NULL, NULL) != len) {
			for (int k = 0; k <= i; k++)
				free(out[k]);
			free(out);
			out = NULL;
		}
	}
	LocalFree(w);
	return out ? out : argv; /* `out` lives as long as the process */
}

void node_stdout_binary(void)
{
	/* text mode would turn every "\n" into CRLF: exports and status must be
	 * the same bytes as on POSIX (docs/cli.md) */
	(void)_setmode(_fileno(stdout), _O_BINARY);
}

#else /* POSIX */

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static int stop_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	stop_signal = sig;
	if (stop_pipe[1] >= 0) {
		ssize_t w = write(stop_pipe[1], "x", 1);
		(void)w; /* a full pipe already wakes the loop */
	}
	errno = saved;
}

int node_stop_install(void)
{
	if (pipe(stop_pipe) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(stop_pipe[i], F_SETFL, fcntl(stop_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(stop_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	/* a peer that hangs up fails that write (EPIPE), it does not kill us */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	return 0;
}

int node_stop_requested(void)
{
	return (int)stop_signal;
}

static void drain_pipe(void)
{
	char buf[64];
	while (read(stop_pipe[0], buf, sizeof(buf)) > 0) {
	}
}

void node_stop_wait(int64_t ms)
{
	struct pollfd pfd = { stop_pipe[0], POLLIN, 0 };
	if (poll(&pfd, 1, (int)ms) > 0)
		drain_pipe();
}

void node_stop_done(void)
{
}

hiveha_time node_wall_now(void)
{
	struct timespec ts;
	hiveha_time t = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	hiveha_time_from_unix(&t, ts.tv_sec, (uint32_t)ts.tv_nsec);
	return t;
}

int64_t node_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int node_stdout_is_tty(void)
{
	return isatty(STDOUT_FILENO);
}

void node_stdout_binary(void)
{
}

FILE *node_fopen(const char *path, const char *mode)
{
	return fopen(path, mode);
}

char **node_utf8_argv(int argc, char **argv)
{
	(void)argc;
	return argv;
}

#endif
