/*
 * test_http_hostile.c - the listener against clients without the token:
 * a slowloris trickle must not keep a real peer out, and a wrong token is
 * refused on the headers, before any body byte is read.
 *
 * Loopback only (127.0.0.1). Bounded: at most ATTACK_ROUNDS rounds of
 * trickling, MAX_OPENS connections, PEER_ATTEMPTS real requests, and a
 * 10 s ceiling on each wait; everything stops by itself. No timing
 * assertion: the outcomes are asserted (the real request succeeds, the
 * trickling connections get closed).
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fake_handler.h"
#include "http_test_util.h"
#include "http_test_serve.h"

#define SLOTS 4
#define TRICKLERS (3 * SLOTS)
#define MAX_OPENS 200
#define ATTACK_ROUNDS 1000      /* x 10 ms pacing: the attack lasts <= 10 s */
#define PEER_ATTEMPTS 20
#define WAIT_MS 10000

static uint16_t port;
static int fds[TRICKLERS];
static atomic_int stop_attack;
static int opens, closes_seen;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int rounds_done;

static int connect_loopback(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* A request whose headers never end: the trickle adds one byte per round. */
static int open_trickler(void)
{
	int fd = connect_loopback();

	opens++;
	if (fd >= 0 && send_all(fd, "POST /hiveha/v1/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                            "X-Slow: ") != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* 1 when the server closed `fd` (EOF or reset), 0 while it is open. */
static int closed_by_server(int fd)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0)
		return 1;
	if (n < 0)
		return errno != EAGAIN && errno != EWOULDBLOCK;
	return 0; /* an answer arrived: the close follows */
}

static void *trickle(void *arg)
{
	int round, i;

	(void)arg;
	for (round = 0; round < ATTACK_ROUNDS && !atomic_load(&stop_attack); round++) {
		struct timespec pace = { 0, 10 * 1000 * 1000 }; /* the attack's rate */

		for (i = 0; i < TRICKLERS; i++) {
			if (fds[i] < 0)
				continue;
			if (closed_by_server(fds[i]) || send(fds[i], "a", 1, MSG_NOSIGNAL) != 1) {
				close(fds[i]);
				closes_seen++;
				/* Come back at once, as a slowloris does. */
				fds[i] = opens < MAX_OPENS ? open_trickler() : -1;
			}
		}
		pthread_mutex_lock(&mu);
		rounds_done++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
		nanosleep(&pace, NULL);
	}
	return NULL;
}

Test(http_hostile, slowloris_does_not_keep_a_real_peer_out)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_listener *l = NULL;
	fake_handler f;
	pthread_t t;
	int attempt, served = 0, i, open_left, waited;

	fake_handler_init(&f, 0, "ok");
	o.address = "127.0.0.1:0";
	o.max_connections = SLOTS;
	o.token = "t0ken";
	o.request_timeout_s = 1;
	cr_assert_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), 0);
	port = hiveha_http_listener_port(l);

	/* More trickling connections than slots, all open before the peer. */
	for (i = 0; i < TRICKLERS; i++)
		fds[i] = open_trickler();
	cr_assert_eq(pthread_create(&t, NULL, trickle, NULL), 0);
	/* The peer comes while the attack runs (a few rounds in). */
	{
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += WAIT_MS / 1000;
		pthread_mutex_lock(&mu);
		while (rounds_done < 3 && pthread_cond_timedwait(&cv, &mu, &until) == 0)
			;
		pthread_mutex_unlock(&mu);
	}

	for (attempt = 0; attempt < PEER_ATTEMPTS && !served; attempt++) {
		tu_http h;
		int rc = tu_request(&h, port, "POST", "/hiveha/v1/hello", "{}", 2,
		                    "Authorization: Bearer t0ken");
		served = rc == 0 && h.status == 200 && h.body.len == 2 &&
		         memcmp(h.body.data, "ok", 2) == 0;
		tu_buf_free(&h.body);
	}
	atomic_store(&stop_attack, 1);
	pthread_join(t, NULL);
	cr_expect(served, "the real peer was not served in %d attempts", PEER_ATTEMPTS);
	cr_expect_eq(fake_calls(&f), 1, "no trickling request reached the handler");
	cr_expect_gt(closes_seen, 0, "the extra trickling connections were never closed");

	/* The trickle stopped but the connections stay open: the listener
	 * closes every one once its request time budget is spent. */
	for (waited = 0, open_left = 1; open_left && waited < WAIT_MS / 50; waited++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		open_left = 0;
		for (i = 0; i < TRICKLERS; i++) {
			if (fds[i] >= 0 && closed_by_server(fds[i])) {
				close(fds[i]);
				fds[i] = -1;
			}
			open_left += fds[i] >= 0;
		}
		if (open_left)
			nanosleep(&ts, NULL);
	}
	for (i = 0; i < TRICKLERS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	cr_expect_eq(open_left, 0, "%d trickling connection(s) still open", open_left);
	hiveha_http_listener_free(l);
}

/* Headers with a wrong token and a large Content-Length, and no body: the
 * 401 must come back without the listener waiting for the body. */
static void expect_401_on_headers(void)
{
	const char *head = "POST /hiveha/v1/timeseries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	                   "Authorization: Bearer wrong\r\nContent-Length: 1000000\r\n\r\n";
	char buf[512];
	struct pollfd p;
	ssize_t n;
	int fd = connect_loopback();

	cr_assert_geq(fd, 0);
	cr_assert_eq(send_all(fd, head), 0);
	p.fd = fd;
	p.events = POLLIN;
	cr_assert_eq(poll(&p, 1, WAIT_MS), 1, "no answer before the body");
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	cr_assert_gt(n, 12);
	buf[n] = '\0';
	cr_expect(strncmp(buf, "HTTP/1.1 401", 12) == 0, "got: %.40s", buf);
	close(fd);
}

Test(http_hostile, wrong_token_refused_before_the_body_responder)
{
	tu_served s;

	tu_serve(&s, "t0ken", NULL);
	port = s.port;
	expect_401_on_headers();
	tu_serve_stop(&s);
}

Test(http_hostile, wrong_token_refused_before_the_body_handler)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_listener *l;
	fake_handler f;

	fake_handler_init(&f, 0, "ok");
	o.address = "127.0.0.1:0";
	o.token = "t0ken";
	cr_assert_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), 0);
	port = hiveha_http_listener_port(l);
	expect_401_on_headers();
	cr_expect_eq(fake_calls(&f), 0);
	hiveha_http_listener_free(l);
}

static long peer_status[2];

static void *peer_hello(void *arg)
{
	long *status = arg;
	tu_http h;

	if (tu_request(&h, port, "POST", "/hiveha/v1/hello", "{}", 2,
	               "Authorization: Bearer t0ken") == 0)
		*status = h.status;
	tu_buf_free(&h.body);
	return NULL;
}

/* Slots held by peers' requests in progress are never given to a new
 * connection: with every slot busy, newcomers are refused and the peers'
 * requests complete. */
Test(http_hostile, peers_requests_keep_their_slots)
{
	hiveha_http_listener_options o = HIVEHA_HTTP_LISTENER_OPTIONS_INIT;
	hiveha_http_listener *l;
	fake_handler f;
	pthread_t t[2];
	int i, refused = 0, inside;

	fake_handler_init(&f, 0, "ok");
	f.block = 1;
	o.address = "127.0.0.1:0";
	o.max_connections = 2;
	o.token = "t0ken";
	cr_assert_eq(hiveha_http_listener_new_handler(&l, &o, fake_handle, &f), 0);
	port = hiveha_http_listener_port(l);
	for (i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, peer_hello, &peer_status[i]), 0);
	inside = fake_wait_inside(&f, 2);
	if (inside == 2) {
		for (i = 0; i < 4; i++) {
			struct pollfd p;
			int fd = open_trickler();

			if (fd < 0) {
				refused++;
				continue;
			}
			p.fd = fd;
			p.events = POLLIN;
			if (poll(&p, 1, WAIT_MS) == 1 && closed_by_server(fd))
				refused++;
			close(fd);
		}
	}
	fake_release(&f);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(inside, 2, "the peers' requests never reached the handler");
	cr_expect_eq(refused, 4, "a newcomer got the slot of a request in progress");
	cr_expect_eq(peer_status[0], 200);
	cr_expect_eq(peer_status[1], 200);
	hiveha_http_listener_free(l);
}
