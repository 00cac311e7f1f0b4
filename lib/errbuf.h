/*
 * errbuf.h - the one error-text buffer of the library (internal).
 *
 * Every layer that reports a message beside a status code (protocol codec,
 * responder, governor, sync state) fills an hh_errbuf through hh_err(), so
 * a message can travel up unchanged and there is one truncation rule.
 */
#ifndef HH_ERRBUF_H
#define HH_ERRBUF_H

#include "platform/compiler.h"

typedef struct hh_errbuf {
	char msg[256];
} hh_errbuf;

/* Writes a message (err may be NULL) and returns `status`, so a caller can
 * write `return hh_err(err, HIVEHA_EPROTOCOL, "...")`. */
int hh_err(hh_errbuf *err, int status, const char *fmt, ...) HH_FMT(3, 4);

#endif
