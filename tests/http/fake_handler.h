/* A scripted stand-in for hiveha_responder_handle(), counting its calls. */
#ifndef FAKE_HANDLER_H
#define FAKE_HANDLER_H

#include <pthread.h>
#include <stddef.h>

#include <hiveha/http.h>

typedef struct fake_handler {
	pthread_mutex_t mu;
	/* script */
	int rc;                 /* returned after writing */
	const char *reply;      /* written once (may be NULL) */
	size_t repeat;          /* write `reply` this many times (0 = once) */
	int block;              /* non-zero: wait in the handler until fake_release() */
	/* observations */
	int calls;
	char kind[32];
	char token[64];
	int had_token;
	unsigned char body[256];
	size_t body_len;
	int inside;             /* calls that reached the handler so far */
	pthread_cond_t cv;
} fake_handler;

void fake_handler_init(fake_handler *f, int rc, const char *reply);
int fake_handle(void *ctx, const hiveha_request *req, hiveha_reply_fn write, void *payload);
int fake_calls(fake_handler *f);
/* Waits (at most 10 s) until `n` calls are inside the handler; returns
 * how many are. */
int fake_wait_inside(fake_handler *f, int n);
/* Lets every blocked and later call return. */
void fake_release(fake_handler *f);

#endif
