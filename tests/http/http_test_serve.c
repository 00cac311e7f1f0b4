#include "http_test_serve.h"

#include <criterion/criterion.h>

#include "memstore.h"

void tu_serve(tu_served *s, const char *token, hiveha_http_listener_options *lo)
{
	hiveha_responder_config rc = HIVEHA_RESPONDER_CONFIG_INIT;
	hiveha_http_listener_options def = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_store store;

	if (!lo)
		lo = &def;
	cr_assert_eq(memstore_new(&store), 0);
	rc.token = token;
	cr_assert_eq(hiveha_responder_new(&s->responder, &rc, &store, NULL), 0);
	lo->address = "127.0.0.1:0";
	cr_assert_eq(hiveha_http_listener_new(&s->listener, lo, s->responder), 0);
	s->port = hiveha_http_listener_port(s->listener);
}

void tu_serve_stop(tu_served *s)
{
	hiveha_http_listener_free(s->listener);
	hiveha_responder_free(s->responder);
}
