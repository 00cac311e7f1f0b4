/*
 * hiveha/hiveha.h - umbrella header: everything a host needs from the core.
 * Adapters have their own headers (hiveha/sqlite.h, hiveha/http.h).
 */
#ifndef HIVEHA_HIVEHA_H
#define HIVEHA_HIVEHA_H

#include "common.h"
#include "version.h"
#include "time.h"
#include "value.h"
#include "store.h"
#include "transport.h"
#include "clock.h"
#include "governor.h"
#include "responder.h"

#endif /* HIVEHA_HIVEHA_H */
