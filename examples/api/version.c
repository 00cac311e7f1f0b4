/*
 * version.c - compile-time and run-time version (docs/api/version.md).
 *
 * Prints the version of the headers and of the library actually linked,
 * and refuses to run against a library older than the headers it was
 * built with. Exits 0 when the linked library matches the headers.
 */
#include <hiveha/version.h>

#include <stdio.h>
#include <string.h>

#if !HIVEHA_VERSION_CHECK(0, 1, 0)
#error "this program needs libhiveha 0.1.0 or newer"
#endif

int main(void)
{
	printf("headers: %s (%d.%d.%d, number %d)\n", HIVEHA_VERSION_STRING, HIVEHA_VERSION_MAJOR,
	       HIVEHA_VERSION_MINOR, HIVEHA_VERSION_PATCH, HIVEHA_VERSION_NUMBER);
	printf("library: %s (number %d)\n", hiveha_version(), hiveha_version_number());

	/* A host may run against a newer library of the same major version,
	 * never against an older one than it was compiled for. */
	if (hiveha_version_number() / 10000 != HIVEHA_VERSION_MAJOR ||
	    hiveha_version_number() < HIVEHA_VERSION_NUMBER) {
		fprintf(stderr, "libhiveha %s is not compatible with headers %s\n", hiveha_version(),
		        HIVEHA_VERSION_STRING);
		return 1;
	}
	/* Built and linked from the same tree, both must agree exactly. */
	if (strcmp(hiveha_version(), HIVEHA_VERSION_STRING) != 0 ||
	    hiveha_version_number() != HIVEHA_VERSION_NUMBER) {
		fprintf(stderr, "version mismatch\n");
		return 1;
	}
	return 0;
}
