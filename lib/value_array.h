/*
 * value_array.h - what the core needs to know about vectors and matrices
 * beyond value.h (internal). The codecs use these to size and check what
 * they read before they allocate.
 */
#ifndef HH_VALUE_ARRAY_H
#define HH_VALUE_ARRAY_H

#include <hiveha/value.h>

/* True for every tag value.h defines: a scalar (EMPTY included), or a
 * vector / matrix of a scalar type other than EMPTY. */
int hh_type_valid(uint32_t type);

/* True for a vector or matrix tag (valid or not: check hh_type_valid). */
static inline int hh_type_is_array(uint32_t type)
{
	return (type & (HIVEHA_TYPE_ARRAY | HIVEHA_TYPE_MATRIX)) != 0;
}

/* Bytes of one element of a valid array tag in memory (bool, int64_t,
 * uint64_t, float, double, hiveha_string, hiveha_time). */
size_t hh_elem_size(uint32_t elem_type);

/* Checks the bounds of value.h for rows x cols elements: 0 or
 * HIVEHA_ELIMIT. A vector passes rows 1. */
int hh_dims_check(size_t rows, size_t cols);

/* Sum of the string element lengths of a string array, else 0. */
size_t hh_value_string_bytes(const hiveha_value *v);

/* Element i of an array's elements as a borrowed scalar value of type
 * `elem` (a string points into the array), and back (not strings): how the
 * codecs read and write elements one by one. */
void hh_elem_get(hiveha_value *v, uint32_t elem, const void *elems, size_t i);
void hh_elem_put(void *elems, uint32_t elem, size_t i, const hiveha_value *v);

/* For value.c: the array parts of hiveha_value_clear() and _copy() (a
 * valid array tag; copy leaves dst untouched on failure). */
void hh_value_array_clear(hiveha_value *v);
int hh_value_array_copy(hiveha_value *dst, const hiveha_value *src);

#endif /* HH_VALUE_ARRAY_H */
