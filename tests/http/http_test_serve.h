/* The real responder over an empty memory store behind a listener on
 * 127.0.0.1 (ephemeral port), for the hiveha-http tests. */
#ifndef HTTP_TEST_SERVE_H
#define HTTP_TEST_SERVE_H

#include <hiveha/http.h>
#include <hiveha/responder.h>

typedef struct tu_served {
	hiveha_responder *responder;
	hiveha_http_listener *listener;
	uint16_t port;
} tu_served;

/* Asserts success. `token` is the responder's; `lo` may be NULL (defaults;
 * its address is set to 127.0.0.1:0). */
void tu_serve(tu_served *s, const char *token, hiveha_http_listener_options *lo);
void tu_serve_stop(tu_served *s);

#endif
