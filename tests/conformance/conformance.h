/*
 * conformance.h - the store conformance suite's factory interface.
 *
 * tests/conformance/conformance.c is ONE set of Criterion tests that every
 * hiveha_store must pass. It uses only the public hiveha_store interface
 * and gets a fresh, empty store for each test from a factory that the
 * building test supplies by defining these two functions:
 *
 *   conformance_store_open  - fills `out` with a new, empty store whose
 *                             files (if any) live under `scratch_dir`, an
 *                             empty directory created for this test and
 *                             removed after it; returns 0 or a hiveha_status.
 *   conformance_store_close - releases the store (e.g. s->destroy(s->ctx)).
 *
 * Building the suite for a store (CMake, from any tests/<area>/CMakeLists.txt;
 * the function is defined in tests/conformance/CMakeLists.txt, which is
 * processed before every area that sorts after "conformance", e.g. sqlite):
 *
 *   hiveha_add_conformance_test(conformance_sqlite
 *       FACTORY ${CMAKE_CURRENT_SOURCE_DIR}/factory_sqlite.c
 *       LIBS hiveha_sqlite hiveha)
 *
 * LIBS must provide the store and the public hiveha API (value helpers):
 * `hiveha` (shared) or `hiveha_internal` (static), not both.
 * tests/conformance/factory_mem.c is the memstore factory
 * (test `conformance_memstore`).
 */
#ifndef HH_TEST_CONFORMANCE_H
#define HH_TEST_CONFORMANCE_H

#include <hiveha/store.h>

int conformance_store_open(hiveha_store *out, const char *scratch_dir);
void conformance_store_close(hiveha_store *s);

#endif /* HH_TEST_CONFORMANCE_H */
