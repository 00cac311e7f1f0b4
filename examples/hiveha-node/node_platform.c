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
#include <stdatomic.h>

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

#endif
