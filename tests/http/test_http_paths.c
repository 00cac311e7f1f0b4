/* URL mapping, endpoint and listen-address parsing, header helpers. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

static char *base(const char *endpoint, int tls, int *rc)
{
	char *out = NULL;
	const char *why = NULL;

	*rc = hh_http_base_url(endpoint, tls, &out, &why);
	if (*rc != 0) {
		cr_expect_null(out);
		cr_expect_not_null(why, "a rejected endpoint gives a reason: %s", endpoint);
	}
	return out;
}

Test(http_paths, kind_from_path)
{
	cr_expect_str_eq(hh_http_kind_from_path("/hiveha/v1/hello"), HIVEHA_MSG_HELLO);
	cr_expect_str_eq(hh_http_kind_from_path("/hiveha/v1/timeseries"), HIVEHA_MSG_TIMESERIES);
	cr_expect_str_eq(hh_http_kind_from_path("/hiveha/v1/events"), HIVEHA_MSG_EVENTS);
	cr_expect_null(hh_http_kind_from_path("/hiveha/v1/"));
	cr_expect_null(hh_http_kind_from_path("/hiveha/v1/hello/"));
	cr_expect_null(hh_http_kind_from_path("/hiveha/v2/hello"));
	cr_expect_null(hh_http_kind_from_path("/hiveha/v1/config"));
	cr_expect_null(hh_http_kind_from_path("/"));
	cr_expect_null(hh_http_kind_from_path(NULL));
}

Test(http_paths, kind_ok)
{
	cr_expect(hh_http_kind_ok("hello"));
	cr_expect(hh_http_kind_ok("time_series-2"));
	cr_expect_not(hh_http_kind_ok(""));
	cr_expect_not(hh_http_kind_ok(NULL));
	cr_expect_not(hh_http_kind_ok("../x"));
	cr_expect_not(hh_http_kind_ok("a b"));
	cr_expect_not(hh_http_kind_ok("Hello"));
}

Test(http_paths, host_port_endpoints)
{
	int rc;
	char *s;

	s = base("127.0.0.1:8080", 0, &rc);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(s, "http://127.0.0.1:8080");
	free(s);
	s = base("peer.example:443", 1, &rc);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(s, "https://peer.example:443");
	free(s);
	s = base("[::1]:9000", 0, &rc);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(s, "http://[::1]:9000");
	free(s);
}

Test(http_paths, url_endpoints)
{
	int rc;
	char *s;

	s = base("http://127.0.0.1:8080/", 0, &rc);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(s, "http://127.0.0.1:8080");
	free(s);
	s = base("https://peer:8443/proxy/a//", 0, &rc);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(s, "https://peer:8443/proxy/a");
	free(s);
	s = base("https://peer", 1, &rc);
	cr_assert_eq(rc, 0);
	cr_expect_str_eq(s, "https://peer");
	free(s);
}

Test(http_paths, bad_endpoints)
{
	static const char *bad[] = {
		"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "host:80x",
		"::1:80", "[::1", "[]:80", "[::1]x80", "ftp://host:21", "http://", "http://:80",
		"host name:80", "host:80/path", "http://host:80/a b", "http://host:80/?q",
		"http://host:80\r\nX: y", "ho$t:80"
	};
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *s = base(bad[i], 0, &rc);
		cr_expect_eq(rc, HIVEHA_EINVAL, "endpoint \"%s\" must be refused", bad[i]);
		free(s);
	}
	base(NULL, 0, &rc);
	cr_expect_eq(rc, HIVEHA_EINVAL);
}

Test(http_paths, tls_refuses_plain_url)
{
	int rc;

	base("http://127.0.0.1:80", 1, &rc);
	cr_expect_eq(rc, HIVEHA_EINVAL);
}

Test(http_paths, bearer)
{
	cr_expect_str_eq(hh_http_bearer("Bearer abc"), "abc");
	cr_expect_str_eq(hh_http_bearer("bearer   abc"), "abc");
	cr_expect_null(hh_http_bearer("Basic abc"));
	cr_expect_null(hh_http_bearer("Bearer"));
	cr_expect_null(hh_http_bearer("Bearer "));
	cr_expect_null(hh_http_bearer("Bearerabc"));
	cr_expect_null(hh_http_bearer(NULL));
	cr_expect(hh_http_token_ok("s3cr3t-_.~+/="));
	cr_expect_not(hh_http_token_ok("a b"));
	cr_expect_not(hh_http_token_ok("a\r\nX: y"));
}

Test(http_paths, listen_addresses)
{
	char host[HH_HTTP_HOST_MAX];
	const char *why;
	uint16_t port;

	cr_assert_eq(hh_http_split_listen("127.0.0.1:8443", 0, host, sizeof(host), &port, &why), 0);
	cr_expect_str_eq(host, "127.0.0.1");
	cr_expect_eq(port, 8443);
	cr_assert_eq(hh_http_split_listen("[::1]:0", 0, host, sizeof(host), &port, &why), 0);
	cr_expect_str_eq(host, "::1");
	cr_expect_eq(port, 0);
	cr_assert_eq(hh_http_split_listen("::1", 7000, host, sizeof(host), &port, &why), 0);
	cr_expect_str_eq(host, "::1");
	cr_expect_eq(port, 7000);
	cr_assert_eq(hh_http_split_listen("localhost", 0, host, sizeof(host), &port, &why), 0);
	cr_expect_str_eq(host, "localhost");
	cr_expect_eq(port, 0);

	cr_expect_eq(hh_http_split_listen(NULL, 80, host, sizeof(host), &port, &why), HIVEHA_EINVAL);
	cr_expect_not_null(why);
	cr_expect_eq(hh_http_split_listen("", 80, host, sizeof(host), &port, &why), HIVEHA_EINVAL);
	cr_expect_eq(hh_http_split_listen("127.0.0.1:80", 81, host, sizeof(host), &port, &why),
	             HIVEHA_EINVAL);
	cr_expect_eq(hh_http_split_listen("127.0.0.1:http", 0, host, sizeof(host), &port, &why),
	             HIVEHA_EINVAL);
	cr_expect_eq(hh_http_split_listen("127.0.0.1:80", 0, host, 4, &port, &why), HIVEHA_EINVAL);
}

Test(http_paths, accept_encoding)
{
	cr_expect(hh_http_accepts_gzip("gzip"));
	cr_expect(hh_http_accepts_gzip("deflate, GZIP;q=0.5"));
	cr_expect(hh_http_accepts_gzip("br,x-gzip"));
	cr_expect_not(hh_http_accepts_gzip("gzip;q=0"));
	cr_expect_not(hh_http_accepts_gzip("gzip; q=0.000, deflate"));
	cr_expect_not(hh_http_accepts_gzip("deflate, br"));
	cr_expect_not(hh_http_accepts_gzip("gzipx"));
	cr_expect_not(hh_http_accepts_gzip(""));
	cr_expect_not(hh_http_accepts_gzip(NULL));
}

Test(http_paths, gzip_shrinks_or_declines)
{
	char in[4096];
	void *z = NULL;
	size_t zlen = 0;

	memset(in, 'a', sizeof(in));
	cr_assert_eq(hh_http_gzip(in, sizeof(in), &z, &zlen), 0);
	cr_expect_lt(zlen, sizeof(in));
	cr_expect_eq(((unsigned char *)z)[0], 0x1f); /* gzip magic */
	cr_expect_eq(((unsigned char *)z)[1], 0x8b);
	free(z);
	/* Too short to gain anything: declined, nothing allocated. */
	cr_expect_neq(hh_http_gzip("ab", 2, &z, &zlen), 0);
	cr_expect_null(z);
}
