/* factory_mem.c - runs the store conformance suite against the memstore. */
#include "conformance.h"
#include "memstore.h"

int conformance_store_open(hiveha_store *out, const char *scratch_dir)
{
	(void)scratch_dir; /* nothing on disk */
	int rc = memstore_new(out);
	if (rc == 0)
		memstore_set_batch(out, 7); /* odd batches: callers must join them */
	return rc;
}

void conformance_store_close(hiveha_store *s)
{
	memstore_free(s);
}
