#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "fake_handler.h"

#include <string.h>
#include <time.h>

void fake_handler_init(fake_handler *f, int rc, const char *reply)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->rc = rc;
	f->reply = reply;
}

int fake_handle(void *ctx, const hiveha_request *req, hiveha_reply_fn write, void *payload)
{
	fake_handler *f = ctx;
	size_t n;
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	f->calls++;
	strncpy(f->kind, req->kind ? req->kind : "", sizeof(f->kind) - 1);
	f->had_token = req->token != NULL;
	strncpy(f->token, req->token ? req->token : "", sizeof(f->token) - 1);
	f->body_len = req->body_len;
	memcpy(f->body, req->body, req->body_len < sizeof(f->body) ? req->body_len : sizeof(f->body));
	f->inside++;
	pthread_cond_broadcast(&f->cv);
	while (f->block)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
	n = f->repeat ? f->repeat : 1;
	for (size_t i = 0; f->reply && i < n && rc == 0; i++)
		rc = write(f->reply, strlen(f->reply), payload);
	return rc != 0 ? rc : f->rc;
}

int fake_calls(fake_handler *f)
{
	int n;

	pthread_mutex_lock(&f->mu);
	n = f->calls;
	pthread_mutex_unlock(&f->mu);
	return n;
}

int fake_wait_inside(fake_handler *f, int n)
{
	struct timespec until;
	int got;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&f->mu);
	while (f->inside < n && pthread_cond_timedwait(&f->cv, &f->mu, &until) == 0)
		;
	got = f->inside;
	pthread_mutex_unlock(&f->mu);
	return got;
}

void fake_release(fake_handler *f)
{
	pthread_mutex_lock(&f->mu);
	f->block = 0;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}
