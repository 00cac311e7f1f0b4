/*
 * looptransport_responder.c - the looptransport wired to a real responder.
 *
 * Kept in its own file so that tests which use only a fake handler do not
 * pull hiveha_responder_handle into their link.
 */
#include "looptransport.h"

static int responder_handler(const hiveha_request *req, hiveha_reply_fn write,
                             void *write_payload, void *ctx)
{
	return hiveha_responder_handle(ctx, req, write, write_payload);
}

int looptransport_new_responder(hiveha_transport *out, hiveha_responder *responder)
{
	if (!responder)
		return HIVEHA_EINVAL;
	return looptransport_new_with_handler(out, responder_handler, responder);
}
