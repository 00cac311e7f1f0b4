/*
 * hiveha/version.h - compile-time and run-time version of libhiveha.
 *
 * Thread-safety: hiveha_version() and hiveha_version_number() may be called
 * from any thread at any time.
 */
#ifndef HIVEHA_VERSION_H
#define HIVEHA_VERSION_H

#include "common.h"

/* The build reads these three lines; keep their form. */
#define HIVEHA_VERSION_MAJOR 0
#define HIVEHA_VERSION_MINOR 1
#define HIVEHA_VERSION_PATCH 0

#define HIVEHA_STRINGIFY_(x) #x
#define HIVEHA_STRINGIFY(x) HIVEHA_STRINGIFY_(x)

/** "MAJOR.MINOR.PATCH" of the headers being compiled against. */
#define HIVEHA_VERSION_STRING                                                   \
	HIVEHA_STRINGIFY(HIVEHA_VERSION_MAJOR) "." HIVEHA_STRINGIFY(HIVEHA_VERSION_MINOR) "." \
	HIVEHA_STRINGIFY(HIVEHA_VERSION_PATCH)

/** One number that grows with every release: MAJOR*10000 + MINOR*100 + PATCH. */
#define HIVEHA_VERSION_NUMBER                                                   \
	((HIVEHA_VERSION_MAJOR) * 10000 + (HIVEHA_VERSION_MINOR) * 100 + (HIVEHA_VERSION_PATCH))

/** True when the headers are at least version maj.min.pat. */
#define HIVEHA_VERSION_CHECK(maj, min, pat)                                     \
	(HIVEHA_VERSION_NUMBER >= ((maj) * 10000 + (min) * 100 + (pat)))

HIVEHA_BEGIN_DECLS

/** "MAJOR.MINOR.PATCH" of the library actually linked; a static string. */
HIVEHA_API const char *hiveha_version(void);

/** HIVEHA_VERSION_NUMBER of the library actually linked. */
HIVEHA_API int hiveha_version_number(void);

HIVEHA_END_DECLS

#endif /* HIVEHA_VERSION_H */
