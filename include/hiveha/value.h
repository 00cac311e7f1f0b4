/*
 * hiveha/value.h - values, samples and events (DESIGN §4).
 *
 * Ownership: a hiveha_value / hiveha_event that a helper here filled owns
 * its strings and elements (allocated with the C library heap) and is
 * released with the matching _clear(). Structures that the library hands to a callback are
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
 * Type tags. Scalars use the low byte. A vector (1-D) of a scalar type is
 * HIVEHA_TYPE_ARRAY | that type, a matrix (2-D, row-major) HIVEHA_TYPE_MATRIX
 * | that type; the element type is any scalar type but EMPTY, and no other
 * bits are defined. Narrower integers widen to INT64 / UINT64.
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
	HIVEHA_TYPE_ARRAY = 0x100,  /**< flag: a vector of the low byte's type */
	HIVEHA_TYPE_MATRIX = 0x200  /**< flag: a matrix of the low byte's type */
} hiveha_type;

/** The scalar (element) type of a type tag: tag & HIVEHA_TYPE_SCALAR_MASK. */
#define HIVEHA_TYPE_SCALAR_MASK 0xFFu

/**
 * Bounds of one vector or matrix, enforced by every constructor and decoder:
 * at most HIVEHA_VALUE_MAX_ELEMENTS elements (rows x cols, and each
 * dimension alone), and at most HIVEHA_VALUE_MAX_BYTES bytes of string
 * elements in total (the bound of a single string on the wire). So the
 * largest array sample, encoded, stays far below a page (docs/protocol.md).
 */
#define HIVEHA_VALUE_MAX_ELEMENTS 65536u
#define HIVEHA_VALUE_MAX_BYTES 1048576u

/** An element of a string vector or matrix: `len` bytes at `ptr` (any bytes,
 * NUL included), with ptr[len] == '\0'. ptr may be NULL only when len is 0. */
typedef struct hiveha_string {
	char *ptr;
	size_t len;
} hiveha_string;

/** The payload of a vector or matrix; opaque, read it with the accessors. */
typedef struct hiveha_array hiveha_array;

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
		hiveha_array *arr;  /**< vectors and matrices: use the accessors */
		void *reserved_[2]; /**< keeps the size of earlier releases */
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

/* ---- vectors and matrices ------------------------------------------------ */

/*
 * Elements are laid out as C arrays of the element type: bool, int64_t,
 * uint64_t, float, double, hiveha_string, hiveha_time. A vector of `count`
 * elements reports rows 1 and cols `count`; a matrix keeps both dimensions
 * even when one is 0 (a 0 x 3 matrix is not a 0 x 5 one).
 */

/**
 * Makes `v` an owned vector of `count` elements of `elem_type`, copied from
 * `elems` (strings are copied too); `elems` NULL gives zeroed elements
 * (false, 0, empty strings). `v` must own nothing (clear it first).
 * HIVEHA_EINVAL: NULL `v`, an element type that is not a scalar type other
 * than EMPTY, or a string element with ptr NULL and len > 0. HIVEHA_ELIMIT:
 * beyond the bounds above.
 * HIVEHA_ENOMEM. On failure `v` is left untouched.
 */
HIVEHA_API int hiveha_value_set_vector(hiveha_value *v, uint32_t elem_type, const void *elems,
                                       size_t count);

/** As hiveha_value_set_vector(), a rows x cols matrix; `elems` row-major. */
HIVEHA_API int hiveha_value_set_matrix(hiveha_value *v, uint32_t elem_type, const void *elems,
                                       size_t rows, size_t cols);

/**
 * As hiveha_value_set_vector() / _set_matrix(), but takes ownership of
 * `elems` instead of copying: a buffer from malloc() (and, for strings,
 * every non-NULL element's ptr from malloc(), NUL-terminated at len) that
 * hiveha_value_clear() will free(). `elems` may be NULL only when there are
 * no elements. On failure nothing is taken: the caller still owns `elems`.
 */
HIVEHA_API int hiveha_value_adopt_vector(hiveha_value *v, uint32_t elem_type, void *elems,
                                         size_t count);
HIVEHA_API int hiveha_value_adopt_matrix(hiveha_value *v, uint32_t elem_type, void *elems,
                                         size_t rows, size_t cols);

/** True for a vector or a matrix (also before any element is set). */
HIVEHA_API bool hiveha_value_is_array(const hiveha_value *v);

/** The element type of a vector or matrix; the type itself for a scalar. */
HIVEHA_API uint32_t hiveha_value_element_type(const hiveha_value *v);

/** Dimensions: a matrix its rows and cols, a vector 1 and its count, a
 * scalar 1 and 1 (EMPTY 0 and 0). hiveha_value_count() is rows x cols. */
HIVEHA_API size_t hiveha_value_rows(const hiveha_value *v);
HIVEHA_API size_t hiveha_value_cols(const hiveha_value *v);
HIVEHA_API size_t hiveha_value_count(const hiveha_value *v);

/**
 * The elements of a vector or matrix (see the layout above), or NULL for a
 * scalar or an array without elements. Valid until the value is cleared.
 * The _mut form lets the owner write elements in place; string elements are
 * replaced with hiveha_value_set_string_at(), not by writing the pointers.
 */
HIVEHA_API const void *hiveha_value_elements(const hiveha_value *v);
HIVEHA_API void *hiveha_value_elements_mut(hiveha_value *v);

/**
 * Replaces element `index` of a string vector or matrix with an owned copy
 * of the `len` bytes at `s`. HIVEHA_EINVAL (not a string array, index out
 * of range, s NULL with len > 0), HIVEHA_ELIMIT (the string bytes of the
 * value would pass HIVEHA_VALUE_MAX_BYTES), HIVEHA_ENOMEM; on failure the
 * element is unchanged.
 */
HIVEHA_API int hiveha_value_set_string_at(hiveha_value *v, size_t index, const char *s,
                                          size_t len);

/* ---- any value ----------------------------------------------------------- */

/**
 * Deep copy: `dst` receives its own strings and elements. `dst` is
 * overwritten, not cleared, and left untouched on failure: HIVEHA_ENOMEM,
 * HIVEHA_EINVAL for an invalid type tag or a NULL argument.
 */
HIVEHA_API int hiveha_value_copy(hiveha_value *dst, const hiveha_value *src);

/**
 * Total order: first by type tag, then by value. Doubles and floats compare
 * by value with -0.0 < +0.0 and every NaN greater than +Inf; NaNs among
 * themselves by their bit pattern, so that equal means bit-identical.
 * Strings compare byte-wise. Vectors and matrices compare by rows, then
 * cols, then element by element in row-major order. Returns <0, 0 or >0.
 */
HIVEHA_API int hiveha_value_compare(const hiveha_value *a, const hiveha_value *b);

/** Releases what `v` owns (string, elements) and resets it to EMPTY.
 * NULL is a no-op. */
HIVEHA_API void hiveha_value_clear(hiveha_value *v);

/**
 * The portable byte form of any value (docs/api/value.md "Packed form"):
 * little-endian, fixed-width, self-describing - for a store that keeps a
 * value as one blob. Writes at most `size` bytes at `buf` and sets
 * *len_out (may be NULL) to the length of the whole form; HIVEHA_ERANGE
 * when `size` is less (call with size 0 to learn it). HIVEHA_EINVAL for an
 * invalid value.
 */
HIVEHA_API int hiveha_value_pack(const hiveha_value *v, void *buf, size_t size, size_t *len_out);

/**
 * Reads exactly `len` bytes of the packed form into `out` (which must own
 * nothing; it owns the result). HIVEHA_EPARSE for truncated, trailing or
 * invalid bytes, HIVEHA_ELIMIT beyond the bounds, HIVEHA_ENOMEM; on failure
 * `out` is left EMPTY.
 */
HIVEHA_API int hiveha_value_unpack(hiveha_value *out, const void *data, size_t len);

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
