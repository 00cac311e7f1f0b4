/*
 * http_internal.h - helpers shared by the HTTP client and listener.
 * Internal to hiveha-http; depends on the public headers only.
 */
#ifndef HH_HTTP_INTERNAL_H
#define HH_HTTP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <hiveha/http.h>

/* Longest host name or address literal accepted (RFC 1035 names are <= 253). */
#define HH_HTTP_HOST_MAX 256

/* ---- http_paths.c ---- */

/* The message kind served at `path` ("/hiveha/v1/hello" -> HIVEHA_MSG_HELLO),
 * or NULL when the path is not a hiveha path. */
const char *hh_http_kind_from_path(const char *path);

/* Non-zero when `kind` may be put into a URL path (a lowercase word). */
int hh_http_kind_ok(const char *kind);

/* Builds the base URL (no trailing '/') for a transport endpoint: see
 * hiveha_http_transport_new(). *out is malloc'd. HIVEHA_EINVAL with a reason
 * in `why` for a bad endpoint, HIVEHA_ENOMEM. */
int hh_http_base_url(const char *endpoint, int use_tls, char **out, const char **why);

/* The token of an "Authorization: Bearer <token>" value, or NULL. */
const char *hh_http_bearer(const char *authorization);

/* Non-zero when `token` can travel in a header (printable ASCII, no spaces). */
int hh_http_token_ok(const char *token);

/* Splits a listen address ("HOST:PORT", "[V6]:PORT", or a bare host with
 * `port`) into host and port. HIVEHA_EINVAL with a reason in `why`. */
int hh_http_split_listen(const char *address, uint16_t port, char *host, size_t host_size,
                         uint16_t *port_out, const char **why);

/* ---- http_gzip.c ---- */

/* Non-zero when an Accept-Encoding value accepts gzip (q > 0). */
int hh_http_accepts_gzip(const char *accept_encoding);

/* Gzips `in`; on success *out (malloc'd) and *out_len. Non-zero when it
 * failed or did not make the data smaller (send it uncompressed). */
int hh_http_gzip(const void *in, size_t in_len, void **out, size_t *out_len);

#endif /* HH_HTTP_INTERNAL_H */
