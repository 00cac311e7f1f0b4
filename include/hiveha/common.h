/*
 * hiveha/common.h - linkage, status codes and the allocator hook.
 *
 * Thread-safety: everything declared here is safe to call from any thread.
 */
#ifndef HIVEHA_COMMON_H
#define HIVEHA_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* HIVEHA_API marks every exported symbol; the library is built with hidden
 * visibility so nothing else leaks into the ABI. Define HIVEHA_STATIC when
 * linking the static library on Windows. */
#if defined(_WIN32) && !defined(HIVEHA_STATIC)
#  if defined(HIVEHA_BUILDING)
#    define HIVEHA_API __declspec(dllexport)
#  else
#    define HIVEHA_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define HIVEHA_API __attribute__((visibility("default")))
#else
#  define HIVEHA_API
#endif

/* HIVEHA_DEPRECATED(msg) marks a symbol that will go away in the next major. */
#if defined(__GNUC__) || defined(__clang__)
#  define HIVEHA_DEPRECATED(msg) __attribute__((deprecated(msg)))
#elif defined(_MSC_VER)
#  define HIVEHA_DEPRECATED(msg) __declspec(deprecated(msg))
#else
#  define HIVEHA_DEPRECATED(msg)
#endif

#ifdef __cplusplus
#  define HIVEHA_BEGIN_DECLS extern "C" {
#  define HIVEHA_END_DECLS }
#else
#  define HIVEHA_BEGIN_DECLS
#  define HIVEHA_END_DECLS
#endif

HIVEHA_BEGIN_DECLS

/**
 * Status codes. Every call that can fail returns an `int`: 0 on success, one
 * of these negative values on failure. The values are part of the ABI:
 * new codes are only ever appended, none is renumbered or removed.
 */
typedef enum hiveha_status {
	HIVEHA_OK = 0,            /**< success */
	HIVEHA_ERROR = -1,        /**< generic failure; see the message */
	HIVEHA_EINVAL = -2,       /**< an argument is invalid (NULL, out of range) */
	HIVEHA_ENOMEM = -3,       /**< an allocation failed */
	HIVEHA_EVERSION = -4,     /**< an interface or config version is not supported */
	HIVEHA_ENOTIMPL = -5,     /**< declared but not implemented in this build */
	HIVEHA_ENOTFOUND = -6,    /**< the item / key / object does not exist */
	HIVEHA_ESTORE = -7,       /**< the store failed */
	HIVEHA_ETRANSPORT = -8,   /**< the transport failed (connect, send, receive) */
	HIVEHA_ETIMEOUT = -9,     /**< an operation timed out */
	HIVEHA_EPROTOCOL = -10,   /**< a message is malformed or not understood */
	HIVEHA_EAUTH = -11,       /**< authentication failed (wrong or missing token) */
	HIVEHA_ELIMIT = -12,      /**< a size or count limit was exceeded */
	HIVEHA_ECANCELLED = -13,  /**< interrupted by stop / cancel */
	HIVEHA_ESTATE = -14,      /**< the call is not valid in the object's current state */
	HIVEHA_EPARSE = -15,      /**< a text input (e.g. ISO 8601) is malformed */
	HIVEHA_ERANGE = -16,      /**< a value does not fit the target range */
	HIVEHA_EUSER = -17,       /**< a host callback asked to stop; returned unchanged */
	HIVEHA_EWRITE = -18       /**< hiveha_responder_handle(): the host's reply writer failed */
	/* append new codes here, never reuse a value */
} hiveha_status;

/**
 * A static, human-readable English description of a status code.
 * Never returns NULL; unknown codes give "unknown status".
 */
HIVEHA_API const char *hiveha_strerror(int status);

/**
 * Optional allocator, passed per object (governor, responder), never global.
 * All three functions are required when a hiveha_allocator is supplied.
 * `realloc` and `free` receive only pointers obtained from the same
 * allocator; `free(NULL, ctx)` must be a no-op. Pass NULL wherever an
 * allocator is accepted to use the C library heap.
 */
typedef struct hiveha_allocator {
	void *(*malloc)(size_t size, void *ctx);
	void *(*realloc)(void *ptr, size_t size, void *ctx);
	void (*free)(void *ptr, void *ctx);
	void *ctx;
} hiveha_allocator;

/** Log levels handed to hiveha_log_fn. */
typedef enum hiveha_log_level {
	HIVEHA_LOG_ERROR = 0,
	HIVEHA_LOG_WARN = 1,
	HIVEHA_LOG_INFO = 2,
	HIVEHA_LOG_DEBUG = 3
} hiveha_log_level;

/**
 * Log callback. `message` is a NUL-terminated UTF-8 line without a trailing
 * newline, valid only during the call.
 */
typedef void (*hiveha_log_fn)(int level, const char *message, void *payload);

HIVEHA_END_DECLS

#endif /* HIVEHA_COMMON_H */
