/* Store conformance factory for hiveha-sqlite: one file per test. */
#include <stdio.h>

#include <hiveha/sqlite.h>

#include "conformance.h"

int conformance_store_open(hiveha_store *out, const char *scratch_dir)
{
	char path[1024];
	char err[256];
	hiveha_sqlite_options o = HIVEHA_SQLITE_OPTIONS_INIT;
	int rc;

	if (snprintf(path, sizeof path, "%s/store.db", scratch_dir) >= (int)sizeof path)
		return HIVEHA_EINVAL;
	o.errbuf = err;
	o.errbuf_size = sizeof err;
	rc = hiveha_sqlite_open(out, path, &o);
	if (rc != 0)
		fprintf(stderr, "conformance_sqlite: %s\n", err);
	return rc;
}

void conformance_store_close(hiveha_store *s)
{
	if (s->destroy != NULL)
		s->destroy(s->ctx);
}
