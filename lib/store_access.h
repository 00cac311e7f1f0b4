/*
 * store_access.h - the store's own words for its failures (internal).
 *
 * A host's store struct is copied by its declared version (abi.h), so a
 * version-1 store's copy has last_error NULL; the version is checked here
 * too, so the rule holds for any struct handed in.
 */
#ifndef HH_STORE_ACCESS_H
#define HH_STORE_ACCESS_H

#include <hiveha/store.h>

/* "store failure: <the store's own reason>" for a failure `rc` that a
 * store member just returned: hiveha_strerror(rc), followed by the store's
 * last_error text when it has one. Returns buf. */
const char *hh_store_reason(const hiveha_store *s, int rc, char *buf, size_t size);

#endif /* HH_STORE_ACCESS_H */
