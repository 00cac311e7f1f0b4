/*
 * deputy_report.h - what a deputy tells the host (internal): its state
 * items (`<Kind>_DeputyState`, `_SyncState`, `_LastUpToDate`), the notes
 * SyncState is rendered from, progress, and the per-request bookkeeping
 * around an exchange with the peer. The layers below the deputy (peer.c,
 * fetch.c) return what happened; the deputy reports it through these.
 */
#ifndef HH_DEPUTY_REPORT_H
#define HH_DEPUTY_REPORT_H

#include "deputy.h"
#include "fetch.h"

void hh_dep_set_state(hh_deputy *d, int state);
void hh_dep_note(hh_deputy *d, int level, const char *fmt, ...) HH_FMT(3, 4);
void hh_dep_progress(hh_deputy *d);
/* Publishes `<Kind>_LastUpToDate`. */
void hh_dep_publish_up_to_date(hh_deputy *d, hiveha_time t);

/* Around one request: begin publishes states 3 and 4; end counts it and,
 * for a failure, closes the connection and notes why. Returns rc. */
void hh_dep_request_begin(hh_deputy *d);
int hh_dep_request_end(hh_deputy *d, const char *kind, int rc);

/* One request/reply with the peer, reported as above; decodes nothing. */
int hh_dep_exchange(hh_deputy *d, const char *kind, const hh_buf *body, hh_buf *reply);

/* The observer a deputy hands to the pager (fetch.h): the same reports
 * for every page. */
hh_fetch_observer hh_dep_observer(hh_deputy *d);

#endif /* HH_DEPUTY_REPORT_H */
