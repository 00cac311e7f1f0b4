/*
 * node_platform.h - what hiveha-node needs from the OS, POSIX or Windows:
 * the stop request (SIGINT/SIGTERM, or Ctrl-C and console close), the wait
 * of the main loop on it, the two clocks and "is stdout a terminal".
 */
#ifndef HIVEHA_NODE_PLATFORM_H
#define HIVEHA_NODE_PLATFORM_H

#include <hiveha/hiveha.h>

#include <stdint.h>
#include <stdio.h>

/* Installs the stop handlers (and ignores SIGPIPE on POSIX). 0 or -1 with
 * errno set. */
int node_stop_install(void);
/* 0 until a stop is requested, then the signal number: SIGINT or SIGTERM;
 * on Windows SIGINT for Ctrl-C/Ctrl-Break, SIGTERM for a console close,
 * logoff or shutdown, so the log line reads the same on both. */
int node_stop_requested(void);
/* Waits up to `ms` milliseconds, less if a stop is requested. */
void node_stop_wait(int64_t ms);
/* Windows: a console close ends the process once its handler returns; the
 * handler waits for this (a few seconds at most) so the stop mark is
 * written. Call it when the node is torn down. A no-op on POSIX. */
void node_stop_done(void);

hiveha_time node_wall_now(void);
int64_t node_mono_ns(void);
int node_stdout_is_tty(void);
/* Windows: stdout writes the bytes it is given (no CRLF); POSIX: nothing. */
void node_stdout_binary(void);
/* fopen for a UTF-8 path (Windows: _wfopen; POSIX: fopen). */
FILE *node_fopen(const char *path, const char *mode);
/* The arguments in UTF-8, as every path the API takes is (Windows: from
 * the wide command line; POSIX: argv itself). */
char **node_utf8_argv(int argc, char **argv);

#endif /* HIVEHA_NODE_PLATFORM_H */
