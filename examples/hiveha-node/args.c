/* args.c - see args.h. */
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void node_args_init(node_args *a, int argc, char **argv, int first)
{
	memset(a, 0, sizeof(*a));
	a->argc = argc;
	a->argv = argv;
	a->i = first - 1;
}

int node_args_next(node_args *a)
{
	if (++a->i >= a->argc)
		return 0;
	const char *s = a->argv[a->i];
	if (strncmp(s, "--", 2) != 0 || !s[2]) {
		fprintf(stderr, "hiveha-node: unexpected argument '%s'\n", s);
		return -1;
	}
	const char *eq = strchr(s, '=');
	a->inline_value = NULL;
	if (eq) {
		size_t n = (size_t)(eq - s);
		if (n >= sizeof(a->flagbuf))
			n = sizeof(a->flagbuf) - 1;
		memcpy(a->flagbuf, s, n);
		a->flagbuf[n] = '\0';
		a->flag = a->flagbuf;
		a->inline_value = eq + 1;
	} else {
		a->flag = s;
	}
	return 1;
}

int node_args_is(const node_args *a, const char *name)
{
	return strcmp(a->flag, name) == 0;
}

const char *node_args_value(node_args *a)
{
	if (a->inline_value)
		return a->inline_value;
	if (a->i + 1 >= a->argc) {
		fprintf(stderr, "hiveha-node: %s needs a value\n", a->flag);
		return NULL;
	}
	return a->argv[++a->i];
}

int node_args_u64(const char *flag, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
		fprintf(stderr, "hiveha-node: %s: '%s' is not a number in %llu..%llu\n", flag, text,
		        (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}
