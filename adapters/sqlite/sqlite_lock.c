/*
 * sqlite_lock.c - one store per file (issue 9 item 7).
 *
 * Two stores on one file - two hiveha-node processes, or one host opening
 * it twice - would each keep their own picture of the sync state and write
 * over the other's, silently. A read-write open therefore holds an
 * exclusive lock for the store's lifetime, and a second open fails at once
 * with a message naming the file.
 *
 * The lock is SQLite's own: a sidecar database "<path>-lock" in exclusive
 * locking mode, written once so that its lock is taken and never released
 * until the connection closes (or the process dies). The data file itself
 * cannot be used: its WAL mode needs shared locks for the store's own
 * reader connections. Going through SQLite keeps the adapter free of
 * platform code (POSIX and Windows locks alike) and the lock is released
 * by the OS when a process is killed. A read-only open takes no lock, so a
 * running instance can still be inspected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

#define HH_SQ_LOCK_SUFFIX "-lock"

int hh_sq_lock_take(hh_sq_store *st, char *err, size_t err_size)
{
	size_t n = strlen(st->path);
	char *lp = malloc(n + sizeof(HH_SQ_LOCK_SUFFIX));
	sqlite3 *db = NULL;
	int rc;

	if (lp == NULL)
		return HIVEHA_ENOMEM;
	memcpy(lp, st->path, n);
	memcpy(lp + n, HH_SQ_LOCK_SUFFIX, sizeof(HH_SQ_LOCK_SUFFIX));
	rc = sqlite3_open_v2(lp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                     NULL);
	if (rc == SQLITE_OK) {
		/* no busy timeout: a lock held by a live store is not going away */
		rc = sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT", NULL,
		                  NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		if (err != NULL && err_size > 0) {
			if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
				(void)snprintf(err, err_size,
				               "sqlite: %s is in use by another store (another process, or "
				               "this one, has it open read-write); each instance needs its "
				               "own file",
				               st->path);
			else
				(void)snprintf(err, err_size, "sqlite: cannot take the lock %s: %s", lp,
				               db != NULL ? sqlite3_errmsg(db) : "out of memory");
		}
		sqlite3_close(db);
		free(lp);
		return db == NULL ? HIVEHA_ENOMEM : HIVEHA_ESTORE;
	}
	free(lp);
	st->lock_db = db;
	return 0;
}

void hh_sq_lock_release(hh_sq_store *st)
{
	sqlite3_close(st->lock_db);
	st->lock_db = NULL;
}
