/*
 * peer.c - connection, hello and the single exchange with the peer.
 */
#include "peer.h"

#include <string.h>

struct reply_sink {
	hh_buf *buf;
	size_t limit;
};

static int on_reply(const void *data, size_t len, void *payload)
{
	struct reply_sink *s = payload;
	if (len > s->limit - s->buf->len)
		return HIVEHA_ELIMIT;
	return hh_buf_append(s->buf, data, len);
}

int hh_peer_connect(hh_peer *p, const hh_sync *s, hh_errbuf *err)
{
	if (!p->address[0])
		return hh_err(err, HIVEHA_EINVAL, "no peer configured: cannot fill the gap");
	if (hh_sync_stopping(s))
		return HIVEHA_ECANCELLED;
	int rc = p->transport->connect(p->transport->ctx, p->address, s->cfg->connect_timeout_ms,
	                               &p->conn);
	if (rc) {
		p->conn = NULL;
		if (rc != HIVEHA_ECANCELLED)
			hh_err(err, rc, "cannot connect to %s: %s", p->address, hiveha_strerror(rc));
	}
	return rc;
}

int hh_peer_hello_request(const hh_peer *p, const hh_sync *s, hh_buf *body, hiveha_time *sent)
{
	/* what we accept in replies; the peer's reply says what it accepts in
	 * requests, and every request is sized to that (docs/sync.md "Limits") */
	*sent = s->clock->now(s->clock->ctx);
	hh_hello hello = {
		.protocol = HH_PROTOCOL_VERSION,
		.instance_id = p->instance_id,
		.clock = *sent,
		.caps = hh_requester_caps(s->store->version),
		.limits = { .request_bytes = 0,
		            .items = (uint32_t)s->limits->max_items,
		            .reply_bytes = s->cfg->max_reply_bytes,
		            .strings = (uint32_t)s->limits->max_string_bytes },
	};
	return hh_encode_hello(body, &hello);
}

/*
 * The skew a hello proves: the peer read its clock somewhere between our
 * `sent` and `received`, so only its distance outside that interval is
 * certain - the round trip is not held against the peer (two instances on
 * one clock measure 0, whatever the network). Unsigned arithmetic: a
 * hostile clock must not overflow.
 */
static hiveha_time certain_skew(hiveha_time sent, hiveha_time received, hiveha_time peer)
{
	uint64_t skew = 0;
	if (peer > received)
		skew = (uint64_t)peer - (uint64_t)received;
	else if (peer < sent)
		skew = (uint64_t)sent - (uint64_t)peer;
	return skew > (uint64_t)HIVEHA_TIME_MAX ? HIVEHA_TIME_MAX : (hiveha_time)skew;
}

int hh_peer_hello_reply(hh_peer *p, const hh_sync *s, hiveha_time sent, const hh_buf *reply,
                        hh_errbuf *err)
{
	hh_hello peer;
	memset(&peer, 0, sizeof(peer));
	hh_errbuf why = { "" };
	int rc = hh_decode_hello(&peer, reply->data, reply->len, s->limits, &why);
	if (rc)
		hh_err(err, rc, "bad hello reply from the peer: %s", why.msg);
	if (!rc && peer.protocol != HH_PROTOCOL_VERSION)
		rc = hh_err(err, HIVEHA_EVERSION, "the peer speaks protocol %u, we speak %d",
		            peer.protocol, HH_PROTOCOL_VERSION);
	if (!rc) {
		p->caps = peer.caps;
		p->limits = peer.limits;
		p->skew = certain_skew(sent, s->clock->now(s->clock->ctx), peer.clock);
	}
	hh_hello_free(&peer);
	return rc;
}

int hh_peer_exchange(hh_peer *p, const hh_sync *s, const char *kind, const hh_buf *body,
                     hh_buf *reply)
{
	if (hh_sync_stopping(s))
		return HIVEHA_ECANCELLED;
	hiveha_request req = { .version = HIVEHA_REQUEST_VERSION, .kind = kind, .token = p->token,
	                       .body = body->data, .body_len = body->len };
	struct reply_sink sink = { reply, s->cfg->max_reply_bytes };
	reply->len = 0;
	return p->transport->exchange(p->transport->ctx, p->conn, &req, on_reply, &sink,
	                              s->cfg->request_timeout_ms);
}

void hh_peer_failure(const hh_sync *s, const char *kind, int rc, hh_errbuf *err)
{
	err->msg[0] = '\0';
	if (rc == HIVEHA_ELIMIT)
		hh_err(err, rc, "%s reply larger than %u bytes", kind, s->cfg->max_reply_bytes);
	else if (rc == HIVEHA_EAUTH)
		hh_err(err, rc, "the peer refused our token (check that both instances share it)");
	else if (rc != HIVEHA_ECANCELLED)
		hh_err(err, rc, "%s request failed: %s", kind, hiveha_strerror(rc));
}

void hh_peer_close(hh_peer *p)
{
	if (p->conn) {
		p->transport->close(p->transport->ctx, p->conn);
		p->conn = NULL;
	}
}

int64_t hh_peer_skew_ms(const hh_peer *p)
{
	return p->skew / HIVEHA_TICKS_PER_MS;
}

int hh_peer_skew_too_large(const hh_peer *p, const hh_sync *s)
{
	return hh_peer_skew_ms(p) > s->cfg->overlap_ms;
}
