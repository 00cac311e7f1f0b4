/*
 * Names taken out of the public headers on purpose (docs/conventions.md,
 * "Versions and ABI policy"); the build fails if one comes back.
 *
 * HIVEHA_DEPUTY_KIND_COUNT: a count that grows when a kind is appended
 * would make a host's arrays disagree with the library it runs against.
 * HIVEHA_DEPUTIES_ALL: "all" would change meaning when a kind is appended;
 * the mask is HIVEHA_DEPUTIES_HIVE.
 */
#include <hiveha/hiveha.h>

/* A redeclaration error if the header still has this enumerator. */
enum { HIVEHA_DEPUTY_KIND_COUNT = 0 };

#ifdef HIVEHA_DEPUTIES_ALL
#error "HIVEHA_DEPUTIES_ALL is back in a public header; use HIVEHA_DEPUTIES_HIVE"
#endif

typedef int hiveha_headertest_removed_names;
