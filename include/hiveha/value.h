/*
 * hiveha/value.h - values, samples and events (DESIGN §4).
 *
 * Ownership: a hiveha_value / hiveha_event that a helper here filled owns
 * its strings (allocated with the C library heap) and is released with the
 * matching _clear(). Structures that the library hands to a callback are
 * borrowed: valid during the call only.
 *
 * Thread-safety: the helpers touch only their arguments; they may be called
 * from any thread on distinct objects.
 */
#ifndef HIVEHA_VALUE_H
#define HIVEHA_VALUE_H

#include <stdbool.h>

#include "common.h"
#include "time.h"

HIVEHA_BEGIN_DECLS

/**
 * Type tags. Scalars use the low byte; HIVEHA_TYPE_ARRAY and
 * HIVEHA_TYPE_MATRIX are reserved flag bits for vectors and matrices of a
 * scalar type (a later release). Narrower integers widen to INT64 / UINT64.
 */
typedef enum hiveha_type {
	HIVEHA_TYPE_EMPTY = 0,  /**< no value (e.g. a bad-quality sample) */
	HIVEHA_TYPE_BOOL = 1,
	HIVEHA_TYPE_INT64 = 2,
	HIVEHA_TYPE_UINT64 = 3,
	HIVEHA_TYPE_FLOAT = 4,
	HIVEHA_TYPE_DOUBLE = 5,
	HIVEHA_TYPE_STRING = 6, /**< UTF-8, explicit length, NUL-terminated too */
	HIVEHA_TYPE_TIME = 7,   /**< a hiveha_time */
	HIVEHA_TYPE_ARRAY = 0x100,  /**< reserved flag */
	HIVEHA_TYPE_MATRIX = 0x200  /**< reserved flag */
} hiveha_type;

/** A tagged variant. Zero-initialised it is HIVEHA_TYPE_EMPTY. */
typedef struct hiveha_value {
	uint32_t type;      /**< a hiveha_type */
	uint32_t reserved;  /**< 0; keeps the union 8-byte aligned */
	union {
		bool b;
		int64_t i64;
		uint64_t u64;
		float f32;
		double f64;
		hiveha_time time;
		struct {
			char *ptr;   /**< NUL-terminated; ptr[len] == '\0' */
			size_t len;  /**< bytes, excluding the terminator */
		} str;
		void *reserved_[2]; /**< room for array / matrix payloads */
	} as;
} hiveha_value;

/** OPC DA "good" quality word. */
#define HIVEHA_QUALITY_GOOD 192u

/**
 * One sample of an item. `quality`: the low 16 bits are the OPC DA quality
 * word, the bits above carry Hive/HDA flags; the library passes it through
 * untouched.
 */
typedef struct hiveha_sample {
	hiveha_time time;
	hiveha_value value;
	uint32_t quality;
} hiveha_sample;

/** A named extra attribute of an event. */
typedef struct hiveha_attribute {
	char *name;          /**< UTF-8, NUL-terminated */
	hiveha_value value;
} hiveha_attribute;

/**
 * An event record. Strings are UTF-8 and NUL-terminated; NULL means empty.
 * Identity for de-duplication (unless a store supplies a stronger key) is
 * (time, source_id, type_id, message): see hiveha_event_identity_compare().
 */
typedef struct hiveha_event {
	hiveha_time time;           /**< when it happened */
	hiveha_time received_time;  /**< when the instance received it */
	uint32_t source_id;
	uint32_t type_id;
	uint32_t category;
	uint32_t state;             /**< state bitmap */
	uint32_t severity;          /**< 0..1000 */
	char *source_name;
	char *message;
	char *user_name;
	hiveha_attribute *attributes;
	size_t attribute_count;
} hiveha_event;

/* ---- values -------------------------------------------------------------- */

/* The setters overwrite `v` without releasing what it owns: clear a value
 * that holds a string (hiveha_value_clear) before setting it again. */

HIVEHA_API void hiveha_value_set_bool(hiveha_value *v, bool b);
HIVEHA_API void hiveha_value_set_int64(hiveha_value *v, int64_t i);
HIVEHA_API void hiveha_value_set_uint64(hiveha_value *v, uint64_t u);
HIVEHA_API void hiveha_value_set_float(hiveha_value *v, float f);
HIVEHA_API void hiveha_value_set_double(hiveha_value *v, double d);
HIVEHA_API void hiveha_value_set_time(hiveha_value *v, hiveha_time t);

/**
 * Makes `v` an owned copy of the `len` bytes at `s` (which need not be
 * NUL-terminated). `v` must not own a string already (clear it first).
 * Returns HIVEHA_ENOMEM or HIVEHA_EINVAL (s == NULL with len > 0).
 */
HIVEHA_API int hiveha_value_set_string(hiveha_value *v, const char *s, size_t len);

/**
 * Deep copy: `dst` receives its own string. `dst` is overwritten, not
 * cleared, and left untouched on failure: HIVEHA_ENOMEM, HIVEHA_ENOTIMPL
 * for array / matrix values (reserved), HIVEHA_EINVAL for an unknown type
 * tag or a NULL argument.
 */
HIVEHA_API int hiveha_value_copy(hiveha_value *dst, const hiveha_value *src);

/**
 * Total order: first by type tag, then by value. Doubles and floats compare
 * by value with -0.0 < +0.0 and every NaN equal to every NaN and greater
 * than +Inf, so that a round-tripped NaN compares equal to itself.
 * Strings compare byte-wise. Returns <0, 0 or >0.
 */
HIVEHA_API int hiveha_value_compare(const hiveha_value *a, const hiveha_value *b);

/** Releases an owned string and resets `v` to EMPTY. NULL is a no-op. */
HIVEHA_API void hiveha_value_clear(hiveha_value *v);

/* ---- samples ------------------------------------------------------------- */

/** Compares time, then value (hiveha_value_compare), then quality. */
HIVEHA_API int hiveha_sample_compare(const hiveha_sample *a, const hiveha_sample *b);

/* ---- events -------------------------------------------------------------- */

/** Deep copy of every field and attribute. On failure `dst` is left empty. */
HIVEHA_API int hiveha_event_copy(hiveha_event *dst, const hiveha_event *src);

/**
 * Compares the identity (time, source_id, type_id, message; a NULL message
 * equals ""). Returns <0, 0 or >0; 0 means "the same event".
 */
HIVEHA_API int hiveha_event_identity_compare(const hiveha_event *a, const hiveha_event *b);

/** True when every field and attribute (in order) is equal. */
HIVEHA_API bool hiveha_event_equal(const hiveha_event *a, const hiveha_event *b);

/** Frees everything `e` owns and zeroes it. NULL is a no-op. */
HIVEHA_API void hiveha_event_clear(hiveha_event *e);

HIVEHA_END_DECLS

#endif /* HIVEHA_VALUE_H */
