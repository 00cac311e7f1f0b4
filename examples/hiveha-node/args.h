/*
 * args.h - a tiny "--flag VALUE" / "--flag=VALUE" reader shared by the run
 * mode and the subcommands (no getopt_long: it is not in C11 or POSIX).
 */
#ifndef HIVEHA_NODE_ARGS_H
#define HIVEHA_NODE_ARGS_H

#include <stdint.h>

typedef struct node_args {
	int argc;
	char **argv;
	int i;              /* index of the current argument */
	const char *flag;   /* the current flag, without "=value" */
	const char *inline_value;
	char flagbuf[64];
} node_args;

/* Starts reading at argv[first]. */
void node_args_init(node_args *a, int argc, char **argv, int first);
/* Moves to the next flag; 0 at the end. A non-flag argument is an error (-1). */
int node_args_next(node_args *a);
/* True if the current flag is `name`. */
int node_args_is(const node_args *a, const char *name);
/* The current flag's value; NULL (after printing why) when it has none. */
const char *node_args_value(node_args *a);
/* Parses an unsigned integer in [min, max]; prints why on failure. */
int node_args_u64(const char *flag, const char *text, uint64_t min, uint64_t max, uint64_t *out);

#endif /* HIVEHA_NODE_ARGS_H */
