/*
 * scratchdir.h - a fresh empty directory for one test, and its removal,
 * on POSIX (mkdtemp, nftw) and Windows (the user's temp folder).
 */
#ifndef HH_TEST_SCRATCHDIR_H
#define HH_TEST_SCRATCHDIR_H

#include <stddef.h>

/* Creates a new directory named after `tag` in the temp folder and writes
 * its path to buf. Returns 0, or -1 (buf then holds "") on failure. */
int scratchdir_make(char *buf, size_t size, const char *tag);
/* Removes dir and everything below it; errors are ignored (cleanup). */
void scratchdir_remove(const char *dir);

#endif /* HH_TEST_SCRATCHDIR_H */
