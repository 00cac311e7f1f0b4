/* A minimal host program built against an installed libhiveha; it calls one
 * function of each adapter it was built with (HIVEHA_CONSUMER_HAVE_*). */
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
#ifdef HIVEHA_CONSUMER_HAVE_SQLITE
	/* one call into each requested adapter: it must link and run */
	if (hiveha_sqlite_schema_version() < 1) {
		fprintf(stderr, "hiveha-sqlite reports schema version %d\n", hiveha_sqlite_schema_version());
		return 1;
	}
#endif
#ifdef HIVEHA_CONSUMER_HAVE_HTTP
	hiveha_http_client_options opts;
	if (hiveha_http_client_options_init(&opts, HIVEHA_HTTP_CLIENT_OPTIONS_VERSION) != 0 ||
	    opts.version != HIVEHA_HTTP_CLIENT_OPTIONS_VERSION) {
		fprintf(stderr, "hiveha_http_client_options_init failed\n");
		return 1;
	}
#endif
	return 0;
}
