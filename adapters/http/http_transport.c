/*
 * http_transport.c - the client transport: a hiveha_transport over libcurl.
 *
 * One multi handle per transport holds the connection cache, so keep-alive
 * reuses TCP/TLS connections across exchanges (and across connect/close
 * pairs to the same peer). Each exchange runs the easy handle of its
 * hiveha_conn on that multi handle with curl_multi_poll(), which cancel()
 * interrupts with curl_multi_wakeup(): a cancel takes effect at once
 * instead of at libcurl's next progress tick.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

#define HH_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define HH_DEFAULT_TIMEOUT_MS 60000
/* Upper bound of one curl_multi_poll() wait; only a safety net, since
 * curl's own timers and curl_multi_wakeup() end the wait earlier. */
#define HH_POLL_MS 1000

typedef struct hh_client {
	hiveha_http_client_options opts; /* strings below are owned copies */
	char *ca_file, *cert_file, *key_file;
	CURLM *multi;
	atomic_int cancelled;
	atomic_flag busy;
	int global_init;
} hh_client;

struct hiveha_conn {
	CURL *easy;
	char *base;
	long connect_timeout_ms;
	char errbuf[CURL_ERROR_SIZE];
};

/* State of one exchange, seen by the write and progress callbacks. */
typedef struct hh_xfer {
	hh_client *cl;
	CURL *easy;
	hiveha_reply_fn on_reply;
	void *payload;
	int decided;  /* status line seen, `deliver` is set */
	int deliver;  /* pass the body to on_reply */
	int reply_rc; /* on_reply's non-zero value */
	size_t delivered; /* bytes passed to on_reply */
} hh_xfer;

static void client_log(const hh_client *cl, int level, const char *fmt, ...)
	HH_HTTP_FMT(3, 4);

static void client_log(const hh_client *cl, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!cl->opts.on_log)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap); /* a long line is cut */
	va_end(ap);
	cl->opts.on_log(level, line, cl->opts.payload);
}

static char *dup_or_null(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = malloc(strlen(s) + 1);
	if (d)
		strcpy(d, s);
	return d;
}

/* a, b and c joined in a malloc'd string, or NULL: sized from the parts,
 * so nothing can be cut. */
static char *concat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	if (!s)
		return NULL;
	strcpy(s, a);
	strcpy(s + la, b);
	strcpy(s + la + lb, c);
	return s;
}

static long clamp_ms(int64_t ms)
{
	return ms > 0x7fffffffLL ? 0x7fffffffL : (long)ms;
}

/* ---- callbacks --------------------------------------------------------- */

static int is_octet_stream(CURL *easy)
{
	char *ct = NULL;

	if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK || !ct)
		return 0;
	return strncmp(ct, "application/octet-stream", 24) == 0 &&
	       (ct[24] == '\0' || ct[24] == ';' || ct[24] == ' ');
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
	hh_xfer *x = ud;
	size_t n = size * nmemb;
	int rc;

	if (!x->decided) {
		long code = 0;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		/* 400, 413 and 500 from our listener carry the responder's
		 * error reply: deliver it so the library's decoder reports the
		 * peer's own code and message. An error page from anything else
		 * (a proxy: not application/octet-stream) is not ours to decode. */
		x->deliver = (code >= 200 && code < 300) ||
		             ((code == 400 || code == 413 || code == 500) && is_octet_stream(x->easy));
		x->decided = 1;
	}
	if (!x->deliver || n == 0)
		return n;
	x->delivered += n;
	rc = x->on_reply(data, n, x->payload);
	if (rc != 0) {
		x->reply_rc = rc;
		return 0; /* short write: curl aborts with CURLE_WRITE_ERROR */
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	hh_xfer *x = ud;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(&x->cl->cancelled) ? 1 : 0;
}

/* ---- transport members ------------------------------------------------- */

static void client_destroy(void *ctx)
{
	hh_client *cl = ctx;

	if (!cl)
		return;
	if (cl->multi)
		curl_multi_cleanup(cl->multi);
	free(cl->ca_file);
	free(cl->cert_file);
	free(cl->key_file);
	if (cl->global_init)
		curl_global_cleanup();
	free(cl);
}

static int client_connect(void *ctx, const char *endpoint, int64_t timeout_ms,
                          hiveha_conn **conn_out)
{
	hh_client *cl = ctx;
	hiveha_conn *c;
	const char *why = NULL;
	int rc;

	if (!cl || !conn_out)
		return HIVEHA_EINVAL;
	*conn_out = NULL;
	if (atomic_load(&cl->cancelled))
		return HIVEHA_ECANCELLED;
	if (atomic_flag_test_and_set(&cl->busy))
		return HIVEHA_ESTATE;
	c = calloc(1, sizeof(*c));
	if (!c) {
		rc = HIVEHA_ENOMEM;
		goto out;
	}
	rc = hh_http_base_url(endpoint, cl->opts.use_tls, &c->base, &why);
	if (rc != 0) {
		if (why)
			client_log(cl, HIVEHA_LOG_ERROR, "http: bad endpoint \"%s\": %s",
			           endpoint ? endpoint : "(null)", why);
		goto fail;
	}
	c->connect_timeout_ms = clamp_ms(timeout_ms > 0 ? timeout_ms : cl->opts.connect_timeout_ms);
	c->easy = curl_easy_init();
	if (!c->easy) {
		rc = HIVEHA_ENOMEM;
		goto fail;
	}
	*conn_out = c;
	goto out;
fail:
	free(c->base);
	free(c);
out:
	atomic_flag_clear(&cl->busy);
	return rc;
}

static void client_close(void *ctx, hiveha_conn *conn)
{
	(void)ctx;
	if (!conn)
		return;
	curl_easy_cleanup(conn->easy);
	free(conn->base);
	free(conn);
}

/* Sets every option of one exchange; non-zero when curl refused one. */
static CURLcode setup(hh_client *cl, hiveha_conn *c, hh_xfer *x, const char *url,
                      struct curl_slist *headers, const hiveha_request *req, int64_t timeout_ms)
{
	CURL *e = c->easy;
	CURLcode r = CURLE_OK;
	long total = clamp_ms(timeout_ms > 0 ? timeout_ms : cl->opts.timeout_ms);

#define SET(opt, val) do { if (r == CURLE_OK) r = curl_easy_setopt(e, opt, val); } while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, req->body_len ? req->body : "");
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, total);
	SET(CURLOPT_FORBID_REUSE, cl->opts.no_reuse ? 1L : 0L);
	SET(CURLOPT_FRESH_CONNECT, cl->opts.no_reuse ? 1L : 0L);
	if (cl->opts.accept_gzip)
		SET(CURLOPT_ACCEPT_ENCODING, "gzip");
	if (cl->ca_file)
		SET(CURLOPT_CAINFO, cl->ca_file);
	if (cl->cert_file) {
		SET(CURLOPT_SSLCERT, cl->cert_file);
		SET(CURLOPT_SSLKEY, cl->key_file);
	}
	SET(CURLOPT_SSL_VERIFYPEER, cl->opts.insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, cl->opts.insecure ? 0L : 2L);
#undef SET
	return r;
}

/* Runs the transfer on the multi handle until it ends or is cancelled. */
static CURLcode run(hh_client *cl, CURL *easy, int *cancelled)
{
	CURLcode result = CURLE_OK;
	int running = 1, done = 0;

	*cancelled = 0;
	if (curl_multi_add_handle(cl->multi, easy) != CURLM_OK)
		return CURLE_FAILED_INIT;
	/* Ends: curl's CURLOPT_TIMEOUT_MS bounds the transfer, so `done` is set
	 * in finite time; a cancel ends it at once. */
	while (!done) {
		CURLMsg *msg;
		int left;

		if (atomic_load(&cl->cancelled)) {
			*cancelled = 1;
			break;
		}
		if (curl_multi_perform(cl->multi, &running) != CURLM_OK) {
			result = CURLE_FAILED_INIT;
			break;
		}
		for (;;) {
			msg = curl_multi_info_read(cl->multi, &left);
			if (!msg)
				break;
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
				result = msg->data.result;
				done = 1;
			}
		}
		if (!done && curl_multi_poll(cl->multi, NULL, 0, HH_POLL_MS, NULL) != CURLM_OK) {
			result = CURLE_FAILED_INIT;
			break;
		}
	}
	curl_multi_remove_handle(cl->multi, easy);
	return result;
}

static int map_result(hh_client *cl, hiveha_conn *c, const hh_xfer *x, CURLcode res,
                      int cancelled, const char *kind)
{
	long code = 0, connects = 0;

	if (x->reply_rc != 0)
		return x->reply_rc;
	if (cancelled || res == CURLE_ABORTED_BY_CALLBACK || atomic_load(&cl->cancelled))
		return HIVEHA_ECANCELLED;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &connects);
	client_log(cl, HIVEHA_LOG_DEBUG, "http: %s: status %ld, %s connection", kind, code,
	           connects > 0 ? "new" : "reused");
	/* A refused token or size can arrive while the body is still being
	 * sent (the listener answers early and closes): trust the status. */
	if (code == 401)
		return HIVEHA_EAUTH;
	if (code == 413 && (res != CURLE_OK || x->delivered == 0))
		return HIVEHA_ELIMIT;
	if (res == CURLE_OPERATION_TIMEDOUT) {
		client_log(cl, HIVEHA_LOG_WARN, "http: %s: %s", kind, c->errbuf);
		return HIVEHA_ETIMEOUT;
	}
	if (res != CURLE_OK) {
		client_log(cl, HIVEHA_LOG_WARN, "http: %s: %s", kind,
		           c->errbuf[0] ? c->errbuf : curl_easy_strerror(res));
		return HIVEHA_ETRANSPORT;
	}
	if ((code >= 200 && code < 300) || x->delivered > 0)
		return 0; /* a reply, or the peer's error reply for the decoder */
	if (code == 400)
		return HIVEHA_EPROTOCOL;
	if (code == 503) {
		/* Our listener's memory budget is spent: transient, retried. */
		client_log(cl, HIVEHA_LOG_WARN, "http: %s: peer is busy (HTTP 503); retry later", kind);
		return HIVEHA_ETRANSPORT;
	}
	client_log(cl, HIVEHA_LOG_WARN, "http: %s: peer answered HTTP %ld", kind, code);
	return HIVEHA_ETRANSPORT;
}

static int client_exchange(void *ctx, hiveha_conn *c, const hiveha_request *req,
                           hiveha_reply_fn on_reply, void *payload, int64_t timeout_ms)
{
	hh_client *cl = ctx;
	struct curl_slist *headers = NULL, *h;
	char *url = NULL, *auth = NULL;
	hh_xfer x;
	CURLcode res;
	int rc, cancelled = 0;

	if (!cl || !c || !req || !on_reply || (!req->body && req->body_len))
		return HIVEHA_EINVAL;
	if (!hh_http_kind_ok(req->kind))
		return HIVEHA_EINVAL;
	if (req->token && *req->token && !hh_http_token_ok(req->token))
		return HIVEHA_EINVAL; /* a space or CR/LF would forge a header */
	if (atomic_load(&cl->cancelled))
		return HIVEHA_ECANCELLED;
	if (atomic_flag_test_and_set(&cl->busy))
		return HIVEHA_ESTATE;

	rc = HIVEHA_ENOMEM;
	url = concat3(c->base, HIVEHA_HTTP_PATH_PREFIX, req->kind);
	if (!url)
		goto out;
	h = curl_slist_append(headers, "Content-Type: application/octet-stream");
	if (!h)
		goto out;
	headers = h;
	if (req->token && *req->token) {
		auth = concat3("Authorization: Bearer ", req->token, "");
		if (!auth)
			goto out;
		h = curl_slist_append(headers, auth);
		if (!h)
			goto out;
		headers = h;
	}

	memset(&x, 0, sizeof(x));
	x.cl = cl;
	x.easy = c->easy;
	x.on_reply = on_reply;
	x.payload = payload;
	c->errbuf[0] = '\0';
	if (setup(cl, c, &x, url, headers, req, timeout_ms) != CURLE_OK) {
		client_log(cl, HIVEHA_LOG_ERROR, "http: libcurl refused an option");
		rc = HIVEHA_ETRANSPORT;
		goto out;
	}
	res = run(cl, c->easy, &cancelled);
	rc = map_result(cl, c, &x, res, cancelled, req->kind);
out:
	/* The easy handle keeps pointers to these until the next setup. */
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
	for (h = headers; h; h = h->next) /* do not leave the token lying around */
		memset(h->data, 0, strlen(h->data));
	curl_slist_free_all(headers);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	free(url);
	atomic_flag_clear(&cl->busy);
	return rc;
}

static void client_cancel(void *ctx)
{
	hh_client *cl = ctx;

	atomic_store(&cl->cancelled, 1);
	curl_multi_wakeup(cl->multi); /* thread-safe; wakes a running poll */
}

static void client_reset(void *ctx)
{
	hh_client *cl = ctx;

	atomic_store(&cl->cancelled, 0);
}

/* ---- construction ------------------------------------------------------ */

int hiveha_http_client_options_init(hiveha_http_client_options *opts, unsigned int version)
{
	if (!opts)
		return HIVEHA_EINVAL;
	if (version == 0 || version > HIVEHA_HTTP_CLIENT_OPTIONS_VERSION)
		return HIVEHA_EVERSION;
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	return 0;
}

int hiveha_http_transport_new(hiveha_transport *out, const hiveha_http_client_options *opts)
{
	hiveha_http_client_options defaults = HIVEHA_HTTP_CLIENT_OPTIONS_INIT;
	const curl_version_info_data *info;
	hh_client *cl;
	int rc;

	if (!out)
		return HIVEHA_EINVAL;
	if (!opts)
		opts = &defaults;
	if (opts->version == 0 || opts->version > HIVEHA_HTTP_CLIENT_OPTIONS_VERSION)
		return HIVEHA_EVERSION;
	if (opts->connect_timeout_ms < 0 || opts->timeout_ms < 0 ||
	    (!opts->client_cert_file != !opts->client_key_file))
		return HIVEHA_EINVAL;
	/* Schannel (libcurl on Windows) takes a client certificate from the
	 * Windows store or a PKCS#12 file, not from PEM files: refuse clearly
	 * instead of failing every connect (docs/windows.md, "TLS"). */
	info = curl_version_info(CURLVERSION_NOW);
	if (opts->client_cert_file && info && info->ssl_version &&
	    strstr(info->ssl_version, "Schannel")) {
		if (opts->on_log)
			opts->on_log(HIVEHA_LOG_ERROR,
			             "http: this libcurl uses Schannel, which cannot read a PEM client "
			             "certificate and key; client_cert_file is not supported here",
			             opts->payload);
		return HIVEHA_ENOTIMPL;
	}
	rc = hiveha_transport_init(out, HIVEHA_TRANSPORT_VERSION);
	if (rc != 0)
		return rc;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return HIVEHA_ENOMEM;
	cl->opts = *opts;
	atomic_init(&cl->cancelled, 0);
	atomic_flag_clear(&cl->busy);
	if (!cl->opts.connect_timeout_ms)
		cl->opts.connect_timeout_ms = HH_DEFAULT_CONNECT_TIMEOUT_MS;
	if (!cl->opts.timeout_ms)
		cl->opts.timeout_ms = HH_DEFAULT_TIMEOUT_MS;
	cl->ca_file = dup_or_null(opts->ca_file);
	cl->cert_file = dup_or_null(opts->client_cert_file);
	cl->key_file = dup_or_null(opts->client_key_file);
	cl->opts.ca_file = cl->opts.client_cert_file = cl->opts.client_key_file = NULL;
	if ((opts->ca_file && !cl->ca_file) || (opts->client_cert_file && !cl->cert_file) ||
	    (opts->client_key_file && !cl->key_file)) {
		client_destroy(cl);
		return HIVEHA_ENOMEM;
	}
	/* libcurl >= 7.84 built thread-safe: global init is reference counted
	 * and safe to call here; older ones leave it to the host. */
#ifdef CURL_VERSION_THREADSAFE
	if (info && (info->features & CURL_VERSION_THREADSAFE)) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			client_destroy(cl);
			return HIVEHA_ETRANSPORT;
		}
		cl->global_init = 1;
	}
#else
	(void)info;
#endif
	cl->multi = curl_multi_init();
	if (!cl->multi) {
		client_destroy(cl);
		return HIVEHA_ETRANSPORT;
	}
	out->ctx = cl;
	out->destroy = client_destroy;
	out->connect = client_connect;
	out->exchange = client_exchange;
	out->close = client_close;
	out->cancel = client_cancel;
	out->reset = client_reset;
	return 0;
}
