/* factory_custom_store.c - the store conformance suite against the in-memory
 * store of examples/custom-store, so the example a reader copies is held to
 * the same contract as the shipped stores. */
#include "conformance.h"
#include "mem_store.h"

int conformance_store_open(hiveha_store *out, const char *scratch_dir)
{
	(void)scratch_dir; /* nothing on disk */
	return mem_store_new(out);
}

void conformance_store_close(hiveha_store *s)
{
	s->destroy(s->ctx);
}
