/*
 * array_csv.h - the export's text form of a vector or matrix (docs/cli.md
 * "Array values"): one JSON object, lossless for every element type, and
 * its reader (the round-trip test in tests/node uses it).
 */
#ifndef HIVEHA_NODE_ARRAY_CSV_H
#define HIVEHA_NODE_ARRAY_CSV_H

#include <hiveha/value.h>

#include <stddef.h>

/* The JSON text of the vector or matrix `v`, without a line break, or
 * NULL with *rc set (HIVEHA_EINVAL: not an array or a broken one;
 * HIVEHA_ENOMEM). Free it with node_array_text_free(). */
char *node_array_text(const hiveha_value *v, int *rc);
void node_array_text_free(char *text);

/* Reads the text back into `out` (which must own nothing). HIVEHA_EINVAL
 * with a reason in *why (a constant string) for anything that is not the
 * form; HIVEHA_ELIMIT beyond the value bounds; HIVEHA_ENOMEM. */
int node_array_parse(hiveha_value *out, const char *text, size_t len, const char **why);

/* "vector<double>", "matrix<int64>", ...; NULL for a scalar tag. */
const char *node_array_type_name(uint32_t type);

#endif /* HIVEHA_NODE_ARRAY_CSV_H */
