#include "fake_handler.h"

#include <string.h>

void fake_handler_init(fake_handler *f, int rc, const char *reply)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
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
