/* A minimal host program built against an installed libhiveha. */
#include <hiveha/hiveha.h>
#ifdef HIVEHA_CONSUMER_HAVE_SQLITE
#include <hiveha/sqlite.h>
#endif
#ifdef HIVEHA_CONSUMER_HAVE_HTTP
#include <hiveha/http.h>
#endif

#include <stdio.h>
#include <string.h>

int main(void)
{
	const char *linked = hiveha_version();

	printf("hiveha %s\n", linked);
	/* Headers and library from the same installation must agree. */
	if (strcmp(linked, HIVEHA_VERSION_STRING) != 0) {
		fprintf(stderr, "headers are %s, library is %s\n", HIVEHA_VERSION_STRING, linked);
		return 1;
	}
	return 0;
}
