/*
 * errbuf.c - hh_err(), the set-error helper for hh_errbuf.
 */
#include <stdarg.h>
#include <stdio.h>

#include "errbuf.h"

int hh_err(hh_errbuf *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		/* A longer message is cut to the buffer, on purpose. */
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return status;
}
