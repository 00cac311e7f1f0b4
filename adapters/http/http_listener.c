/*
 * http_listener.c - serves a responder (or any hiveha_http_handle_fn) over
 * HTTP with libmicrohttpd.
 *
 * libmicrohttpd runs in "thread per connection" mode: one listening thread
 * plus one thread per open connection, capped by max_connections. A request
 * body is collected (bounded by max_request_bytes, refused early from its
 * Content-Length), the handler runs on the connection's thread and writes
 * its reply into a buffer bounded by max_reply_bytes. The reply must be
 * buffered: its HTTP status depends on the handler's return value, known
 * only after the last byte was written.
 *
 * Hostile clients (issue 10): the token is checked on the headers, before
 * any body byte is read; http_guard.c gives every request phase a time
 * budget and keeps the slots for peers that passed the token; the handler
 * runs only once its worst-case memory fits the budget shared by all
 * requests (http_budget.c), else it waits and finally answers 503.
 */
#define _POSIX_C_SOURCE 200809L /* getaddrinfo */

#if defined(_WIN32)
#  include <winsock2.h> /* before <windows.h>, which microhttpd.h includes */
#  include <ws2tcpip.h>
#else
#  include <arpa/inet.h>
#  include <netdb.h>
#  include <netinet/in.h>
#  include <sys/socket.h>
#endif
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif
#include <limits.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

#define HH_DEFAULT_MAX_REQUEST (1u << 20)
#define HH_DEFAULT_MAX_REPLY (16u << 20)
#define HH_DEFAULT_MAX_CONNECTIONS 16u
#define HH_DEFAULT_IDLE_S 60u
#define HH_DEFAULT_REQUEST_TIMEOUT_S 10u
#define HH_DEFAULT_MIN_RATE 16384u
#define HH_DEFAULT_BUDGET ((uint64_t)256 << 20)
#define HH_PEM_MAX (1u << 20)
#define HH_GZIP_MIN 1024u
/* Bytes of handler memory reserved per request body byte. Measured with
 * tests/http/test_http_memory.c (100 000 short unknown ids, the worst
 * shape known: cJSON trees of the request and of the reply): about 80;
 * rounded up. */
#define HH_WORK_PER_BODY_BYTE 96u
/* Requests that moved at least this much give free heap pages back. */
#define HH_TRIM_MIN ((size_t)256 << 10)

struct hiveha_http_listener {
	struct MHD_Daemon *daemon;
	hiveha_http_handle_fn handle;
	void *ctx;
	uint32_t max_request, max_reply;
	int gzip;
	hiveha_log_fn on_log;
	void *payload;
	char *cert_pem, *key_pem; /* kept for the daemon's lifetime */
	uint16_t port;
	char *token;              /* options' token, NULL = none */
	size_t token_len;
	hiveha_responder *responder; /* its token is checked too; NULL = handler mode */
	unsigned int request_timeout_s;
	hh_guard *guard;
	hh_budget budget;
	int budget_ok;            /* budget initialised */
};

/* One request in progress (MHD's per-request pointer). */
typedef struct hh_req {
	const char *kind;
	unsigned char *body;
	size_t len, cap;
	uint64_t reserved;        /* bytes of the memory budget held */
} hh_req;

/* The reply being written by the handler. */
typedef struct hh_reply {
	unsigned char *data;
	size_t len, cap, max;
	int overflow;
} hh_reply;

static void listener_log(const hiveha_http_listener *l, int level, const char *fmt, ...)
	HH_HTTP_FMT(3, 4);

static void listener_log(const hiveha_http_listener *l, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!l->on_log)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap); /* a long line is cut */
	va_end(ap);
	l->on_log(level, line, l->payload);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) HH_HTTP_FMT(2, 0);

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	const hiveha_http_listener *l = cls;
	char line[512];
	size_t n;

	if (!l->on_log)
		return;
	/* A long line is cut; on an encoding error the buffer is unspecified
	 * and strlen() below must not read it. */
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		return;
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	l->on_log(HIVEHA_LOG_WARN, line, l->payload);
}

/* The guard's record of a connection (NULL if it could not be made). */
static hh_guard_conn *conn_guard(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* ---- replies --------------------------------------------------------- */

/* Queues a reply. `body` (malloc'd or NULL) is taken over. */
static enum MHD_Result respond(const hiveha_http_listener *l, struct MHD_Connection *conn,
                               unsigned int status, void *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int gzipped = 0;

	if (body && len >= HH_GZIP_MIN && l->gzip &&
	    hh_http_accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                     MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
		void *z;
		size_t zlen;
		if (hh_http_gzip(body, len, &z, &zlen) == 0) {
			free(body);
			body = z;
			len = zlen;
			gzipped = 1;
		}
	}
	if (body && len > 0) {
		resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
		if (!resp)
			free(body);
	} else {
		free(body);
		len = 0;
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	if (len > 0 || status == MHD_HTTP_OK)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	if (gzipped)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	if (l->gzip)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, MHD_HTTP_METHOD_POST);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"hiveha\"");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	/* A connection that never passed the token keeps no slot after its
	 * answer. */
	if (!hh_guard_trusted(l->guard, conn_guard(conn)))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static int reply_write(const void *data, size_t len, void *payload)
{
	hh_reply *r = payload;

	if (len == 0)
		return 0;
	if (len > r->max - r->len) {
		r->overflow = 1;
		return HIVEHA_ELIMIT;
	}
	if (r->len + len > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		unsigned char *d;
		while (cap < r->len + len)
			cap = cap > r->max / 2 ? r->max : cap * 2;
		d = realloc(r->data, cap);
		if (!d)
			return HIVEHA_ENOMEM;
		r->data = d;
		r->cap = cap;
	}
	memcpy(r->data + r->len, data, len);
	r->len += len;
	return 0;
}

static unsigned int status_of(int rc)
{
	switch (rc) {
	case 0: return MHD_HTTP_OK;
	case HIVEHA_EAUTH: return MHD_HTTP_UNAUTHORIZED;
	case HIVEHA_ELIMIT: return MHD_HTTP_CONTENT_TOO_LARGE;
	case HIVEHA_EPROTOCOL: return MHD_HTTP_BAD_REQUEST;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

/* Reserves the handler's worst case: the working memory for decoding this
 * body and building the reply (measured, HH_WORK_PER_BODY_BYTE), the reply
 * page with its copy in the handler (2 x max_reply) and its gzip. */
static int reserve(hiveha_http_listener *l, hh_req *q)
{
	uint64_t need = (uint64_t)q->len * HH_WORK_PER_BODY_BYTE + 2 * (uint64_t)l->max_reply;
	int rc;

	if (l->gzip)
		need += l->max_reply;
	rc = hh_budget_take(&l->budget, need, l->request_timeout_s * 1000u);
	if (rc == 0)
		q->reserved = need;
	return rc;
}

static void keep_reserved(hiveha_http_listener *l, hh_req *q, uint64_t keep)
{
	if (keep < q->reserved) {
		hh_budget_give(&l->budget, q->reserved - keep);
		q->reserved = keep;
	}
}

/* glibc keeps what a thread freed in that thread's arena; with one arena
 * per connection thread the process would keep the peak of every thread
 * that ever served a big request (measured: 319 MiB where the budget
 * allows 170). Returning free pages after a big request keeps RSS at what
 * the budget admits. */
static void trim_heap(size_t bytes)
{
#ifdef __GLIBC__
	if (bytes >= HH_TRIM_MIN)
		(void)malloc_trim(0);
#else
	(void)bytes;
#endif
}

/* Runs the handler on a complete request and queues its reply. */
static enum MHD_Result serve(hiveha_http_listener *l, struct MHD_Connection *conn, hh_req *q)
{
	hiveha_request req;
	hh_reply reply;
	unsigned int status;
	int rc;

	memset(&reply, 0, sizeof(reply));
	reply.max = l->max_reply;
	hh_guard_disarm(l->guard, conn_guard(conn), HH_GUARD_BUSY); /* our own time from here */
	rc = reserve(l, q);
	if (rc != 0) {
		listener_log(l, HIVEHA_LOG_WARN,
		             "http: %s request waited %u s for the memory budget; answered 503",
		             q->kind, l->request_timeout_s);
		hh_guard_arm(l->guard, conn_guard(conn), 0);
		return respond(l, conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, 0);
	}
	req.version = HIVEHA_REQUEST_VERSION;
	req.kind = q->kind;
	req.token = hh_http_bearer(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                       MHD_HTTP_HEADER_AUTHORIZATION));
	req.body = q->body ? (const void *)q->body : (const void *)"";
	req.body_len = q->len;
	rc = l->handle(l->ctx, &req, reply_write, &reply);
	/* The body is no longer needed: give it back before the reply is
	 * (possibly) gzipped. */
	free(q->body);
	q->body = NULL;
	q->cap = 0;
	trim_heap(q->len + reply.len);
	status = status_of(rc);
	if (reply.overflow) {
		listener_log(l, HIVEHA_LOG_ERROR,
		             "http: %s reply exceeds max_reply_bytes (%u); answered 500",
		             q->kind, (unsigned)l->max_reply);
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if (status == MHD_HTTP_UNAUTHORIZED || reply.overflow) {
		free(reply.data); /* never say why a token was refused */
		reply.data = NULL;
		reply.len = 0;
	}
	if (status != MHD_HTTP_OK)
		listener_log(l, HIVEHA_LOG_INFO, "http: %s answered %u (%s)", q->kind, status,
		             hiveha_strerror(rc));
	/* Until it is sent the reply stays allocated (twice while gzipped):
	 * keep that much of the reservation, give back the rest. */
	keep_reserved(l, q, 2 * (uint64_t)reply.len);
	hh_guard_arm(l->guard, conn_guard(conn), reply.len);
	return respond(l, conn, status, reply.data, reply.len);
}

/* ---- request handling -------------------------------------------------- */

/* Compares without an early exit (as the responder does). */
static int same_token(const char *want, size_t want_len, const char *given)
{
	volatile unsigned char diff;
	size_t glen, i;

	if (!given)
		given = "";
	glen = strlen(given);
	diff = (unsigned char)(glen != want_len);
	for (i = 0; i < want_len; i++)
		diff |= (unsigned char)(want[i] ^ (glen ? given[i % glen] : 0));
	return diff == 0;
}

/* The token check on the headers alone: the listener's own token and the
 * responder's. A handler without either decides for itself. */
static int token_accepted(const hiveha_http_listener *l, struct MHD_Connection *conn)
{
	const char *given = hh_http_bearer(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                                              MHD_HTTP_HEADER_AUTHORIZATION));
	int ok = 1;

	if (l->token && !same_token(l->token, l->token_len, given))
		ok = 0;
	if (l->responder && hiveha_responder_check_token(l->responder, given) != 0)
		ok = 0;
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
	hiveha_http_listener *l = cls;
	hh_req *q = *req_cls;

	(void)version;
	if (!q) {
		/* First call: only the headers are known. Refuse early, before
		 * any body byte is read. */
		const char *kind = hh_http_kind_from_path(url);
		const char *cl;

		if (!kind)
			return respond(l, conn, MHD_HTTP_NOT_FOUND, NULL, 0);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return respond(l, conn, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, 0);
		if (!token_accepted(l, conn)) {
			listener_log(l, HIVEHA_LOG_INFO, "http: %s request refused on its headers (401)",
			             kind);
			return respond(l, conn, MHD_HTTP_UNAUTHORIZED, NULL, 0);
		}
		hh_guard_trust(l->guard, conn_guard(conn));
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > l->max_request) {
			listener_log(l, HIVEHA_LOG_INFO, "http: %s request of %s bytes refused (413)",
			             kind, cl);
			return respond(l, conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, 0);
		}
		q = calloc(1, sizeof(*q));
		if (!q)
			return MHD_NO;
		q->kind = kind;
		*req_cls = q;
		/* The body's deadline: its declared size (or the limit) at the
		 * minimum rate, on top of the fixed allowance. */
		hh_guard_arm(l->guard, conn_guard(conn),
		             cl ? strtoull(cl, NULL, 10) : (uint64_t)l->max_request);
		return MHD_YES;
	}
	if (*upload_size != 0) {
		size_t n = *upload_size;

		if (n > l->max_request - q->len) {
			/* No (or a lying) Content-Length: refuse now; MHD closes the
			 * connection after the reply, leaving the rest unread. */
			listener_log(l, HIVEHA_LOG_INFO, "http: %s request over %u bytes refused (413)",
			             q->kind, (unsigned)l->max_request);
			free(q->body);
			q->body = NULL;
			q->len = q->cap = 0;
			*upload_size = 0;
			return respond(l, conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, 0);
		}
		if (q->len + n > q->cap) {
			size_t cap = q->cap ? q->cap : 4096;
			unsigned char *b;
			while (cap < q->len + n)
				cap = cap > l->max_request / 2 ? l->max_request : cap * 2;
			b = realloc(q->body, cap);
			if (!b)
				return MHD_NO;
			q->body = b;
			q->cap = cap;
		}
		memcpy(q->body + q->len, upload_data, n);
		q->len += n;
		*upload_size = 0;
		return MHD_YES;
	}
	return serve(l, conn, q);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
	hiveha_http_listener *l = cls;
	hh_req *q = *req_cls;
	hh_guard_conn *gc = conn_guard(conn);

	(void)toe;
	if (q) {
		hh_budget_give(&l->budget, q->reserved);
		free(q->body);
		free(q);
		*req_cls = NULL;
	}
	/* Between requests a trusted connection idles under the idle timeout;
	 * any other keeps its budget running. */
	if (hh_guard_trusted(l->guard, gc))
		hh_guard_disarm(l->guard, gc, HH_GUARD_IDLE);
	else
		hh_guard_arm(l->guard, gc, 0);
}

/* A request line arrived: on a trusted keep-alive connection the next
 * request's budget starts now (a new connection's started with it). The
 * return value is MHD's initial *req_cls, which must stay NULL. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	hiveha_http_listener *l = cls;
	hh_guard_conn *gc = conn_guard(conn);

	(void)uri;
	if (hh_guard_trusted(l->guard, gc))
		hh_guard_arm(l->guard, gc, 0);
	return NULL;
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	hiveha_http_listener *l = cls;

	(void)addr;
	(void)addrlen;
	return hh_guard_admit(l->guard) ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	hiveha_http_listener *l = cls;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci ? hh_guard_opened(l->guard, ci->connect_fd) : NULL;
	} else {
		hh_guard_closed(l->guard, *socket_context);
		*socket_context = NULL;
	}
}

/* ---- construction ------------------------------------------------------ */

int hiveha_http_listener_options_init(hiveha_http_listener_options *opts, unsigned int version)
{
	if (!opts)
		return HIVEHA_EINVAL;
	if (version == 0 || version > HIVEHA_HTTP_LISTENER_OPTIONS_VERSION)
		return HIVEHA_EVERSION;
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	return 0;
}

/* Reads a whole PEM file as a NUL-terminated string (bounded). */
static int read_pem(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	*out = NULL;
	if (!f)
		return HIVEHA_ETRANSPORT;
	buf = malloc(HH_PEM_MAX + 1);
	if (!buf) {
		(void)fclose(f); /* read only: closing cannot lose data */
		return HIVEHA_ENOMEM;
	}
	n = fread(buf, 1, HH_PEM_MAX + 1, f);
	(void)fclose(f); /* read only; a short read shows in n */
	if (n == 0 || n > HH_PEM_MAX) {
		free(buf);
		return HIVEHA_ETRANSPORT;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static int responder_thunk(void *ctx, const hiveha_request *req, hiveha_reply_fn write,
                           void *payload)
{
	return hiveha_responder_handle(ctx, req, write, payload);
}

static int listener_new(hiveha_http_listener **out, const hiveha_http_listener_options *opts,
                        hiveha_http_handle_fn handle, void *ctx, hiveha_responder *responder);

int hiveha_http_listener_new(hiveha_http_listener **out, const hiveha_http_listener_options *opts,
                             hiveha_responder *responder)
{
	if (out)
		*out = NULL;
	if (!responder)
		return HIVEHA_EINVAL;
	return listener_new(out, opts, responder_thunk, responder, responder);
}

int hiveha_http_listener_new_handler(hiveha_http_listener **out,
                                     const hiveha_http_listener_options *opts,
                                     hiveha_http_handle_fn handle, void *ctx)
{
	return listener_new(out, opts, handle, ctx, NULL);
}

/* Frees a PEM buffer; the key is a secret, so wipe it first. */
static void free_pem(char *pem)
{
	if (pem) {
		memset(pem, 0, strlen(pem));
		free(pem);
	}
}

static int start_daemon(hiveha_http_listener *l, const struct sockaddr *sa, int ipv6,
                        unsigned int max_conn, unsigned int idle_s)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	                     MHD_USE_ERROR_LOG | MHD_USE_ITC;
	const union MHD_DaemonInfo *info;
	/* The guard keeps max_conn live connections (http_guard.c); the room
	 * above it is for connections it shut down that libmicrohttpd has not
	 * reaped yet, so eviction never waits for them. */
	unsigned int mhd_limit = max_conn > UINT_MAX / 2 ? max_conn : max_conn * 2;

	if (MHD_is_feature_supported(MHD_FEATURE_POLL) == MHD_YES)
		flags |= MHD_USE_POLL; /* no FD_SETSIZE limit on descriptors */
	if (ipv6)
		flags |= MHD_USE_IPv6;
	if (l->cert_pem)
		flags |= MHD_USE_TLS;
	if (l->cert_pem)
		l->daemon = MHD_start_daemon(flags, 0, on_accept, l, on_request, l,
		                             /* first, so that MHD logs through it from the start */
		                             MHD_OPTION_EXTERNAL_LOGGER, mhd_log, l,
		                             MHD_OPTION_SOCK_ADDR, sa,
		                             MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
		                             MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
		                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		                             MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		                             MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
		                             MHD_OPTION_HTTPS_MEM_KEY, l->key_pem,
		                             MHD_OPTION_HTTPS_MEM_CERT, l->cert_pem,
		                             MHD_OPTION_END);
	else
		l->daemon = MHD_start_daemon(flags, 0, on_accept, l, on_request, l,
		                             /* first, so that MHD logs through it from the start */
		                             MHD_OPTION_EXTERNAL_LOGGER, mhd_log, l,
		                             MHD_OPTION_SOCK_ADDR, sa,
		                             MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
		                             MHD_OPTION_CONNECTION_TIMEOUT, idle_s,
		                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
		                             MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		                             MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
		                             MHD_OPTION_END);
	if (!l->daemon)
		return HIVEHA_ETRANSPORT;
	info = MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info ? info->port : 0;
	return 0;
}

/* Frees what listener_new() set up, the daemon already stopped. */
static void listener_release(hiveha_http_listener *l)
{
	hh_guard_free(l->guard);
	if (l->budget_ok)
		hh_budget_destroy(&l->budget);
	free_pem(l->cert_pem);
	free_pem(l->key_pem);
	if (l->token) {
		memset(l->token, 0, l->token_len);
		free(l->token);
	}
	free(l);
}

static int listener_new(hiveha_http_listener **out, const hiveha_http_listener_options *opts,
                        hiveha_http_handle_fn handle, void *ctx, hiveha_responder *responder)
{
	char host[HH_HTTP_HOST_MAX];
	struct addrinfo hints, *ai = NULL;
	hiveha_http_listener *l;
	const char *why;
	uint16_t port;
	unsigned int max_conn;
	uint32_t min_rate = HH_DEFAULT_MIN_RATE;
	uint64_t budget = HH_DEFAULT_BUDGET;
	int rc, gai;

	if (!out)
		return HIVEHA_EINVAL;
	*out = NULL;
	if (!opts || !handle)
		return HIVEHA_EINVAL;
	if (opts->version == 0 || opts->version > HIVEHA_HTTP_LISTENER_OPTIONS_VERSION)
		return HIVEHA_EVERSION;
	if (!opts->tls_cert_file != !opts->tls_key_file)
		return HIVEHA_EINVAL;
	if (opts->tls_cert_file && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		/* Debian's Windows sysroot builds microhttpd without GnuTLS
		 * (docs/windows.md, "TLS"): say so rather than fail silently */
		if (opts->on_log)
			opts->on_log(HIVEHA_LOG_ERROR,
			             "http: this build's libmicrohttpd has no TLS (built without "
			             "GnuTLS): the listener cannot serve HTTPS; use a TLS-terminating "
			             "proxy or a libmicrohttpd with GnuTLS",
			             opts->payload);
		return HIVEHA_ENOTIMPL;
	}
	rc = hh_http_split_listen(opts->address, opts->port, host, sizeof(host), &port, &why);
	if (rc != 0) {
		if (opts->on_log) {
			char line[256];
			(void)snprintf(line, sizeof(line), "http: bad listen address: %s", why);
			opts->on_log(HIVEHA_LOG_ERROR, line, opts->payload);
		}
		return rc;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return HIVEHA_ENOMEM;
	l->handle = handle;
	l->ctx = ctx;
	l->responder = responder;
	max_conn = opts->max_connections ? opts->max_connections : HH_DEFAULT_MAX_CONNECTIONS;
	l->request_timeout_s = HH_DEFAULT_REQUEST_TIMEOUT_S;
	if (opts->version >= 2) {
		if (opts->token && opts->token[0]) {
			l->token_len = strlen(opts->token);
			l->token = malloc(l->token_len + 1);
			if (!l->token) {
				rc = HIVEHA_ENOMEM;
				goto fail;
			}
			memcpy(l->token, opts->token, l->token_len + 1);
		}
		if (opts->request_timeout_s)
			l->request_timeout_s = opts->request_timeout_s;
		if (opts->min_rate_bytes_per_s)
			min_rate = opts->min_rate_bytes_per_s;
		if (opts->memory_budget_bytes)
			budget = opts->memory_budget_bytes;
	}
	if (hh_budget_init(&l->budget, budget) != 0) {
		rc = HIVEHA_ENOMEM;
		goto fail;
	}
	l->budget_ok = 1;
	rc = hh_guard_new(&l->guard, max_conn, l->request_timeout_s, min_rate, opts->on_log,
	                  opts->payload);
	if (rc != 0)
		goto fail;
	l->max_request = opts->max_request_bytes ? opts->max_request_bytes : HH_DEFAULT_MAX_REQUEST;
	l->max_reply = opts->max_reply_bytes ? opts->max_reply_bytes : HH_DEFAULT_MAX_REPLY;
	l->gzip = opts->gzip;
	l->on_log = opts->on_log;
	l->payload = opts->payload;
	if (opts->tls_cert_file) {
		rc = read_pem(opts->tls_cert_file, &l->cert_pem);
		if (rc == 0)
			rc = read_pem(opts->tls_key_file, &l->key_pem);
		if (rc != 0) {
			listener_log(l, HIVEHA_LOG_ERROR, "http: cannot read TLS certificate or key file");
			goto fail;
		}
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(host, NULL, &hints, &ai);
	if (gai != 0 || !ai || (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)) {
		listener_log(l, HIVEHA_LOG_ERROR, "http: cannot resolve listen host \"%s\": %s", host,
		             gai ? gai_strerror(gai) : "no IPv4/IPv6 address");
		rc = HIVEHA_EINVAL;
		goto fail;
	}
	if (ai->ai_family == AF_INET)
		((struct sockaddr_in *)(void *)ai->ai_addr)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_port = htons(port);
	rc = start_daemon(l, ai->ai_addr, ai->ai_family == AF_INET6, max_conn,
	                  opts->idle_timeout_s ? opts->idle_timeout_s : HH_DEFAULT_IDLE_S);
	freeaddrinfo(ai);
	if (rc != 0) {
		listener_log(l, HIVEHA_LOG_ERROR, "http: cannot listen on %s port %u", host,
		             (unsigned)port);
		goto fail;
	}
	*out = l;
	return 0;
fail:
	listener_release(l);
	return rc;
}

uint16_t hiveha_http_listener_port(const hiveha_http_listener *l)
{
	return l ? l->port : 0;
}

void hiveha_http_listener_free(hiveha_http_listener *l)
{
	if (!l)
		return;
	/* Closes every connection and joins every thread: afterwards no
	 * handler runs. */
	hh_budget_close(&l->budget); /* a request waiting for memory gives up */
	MHD_stop_daemon(l->daemon);
	listener_release(l);
}
