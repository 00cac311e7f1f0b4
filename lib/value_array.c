/*
 * value_array.c - vectors and matrices (value.h, DESIGN section 4).
 *
 * A value holds one pointer to a hiveha_array: the dimensions, the total
 * string bytes (so bounds are checked once, not per read) and the
 * elements. A copy is one allocation, header and elements together, so a
 * decoded array sample costs one malloc; an adopted buffer stays apart and
 * is freed on its own. Everything comes from the C library heap, as value.h
 * promises.
 */
#include <stdlib.h>
#include <string.h>

#include "value_array.h"

struct hiveha_array {
	size_t rows, cols, count;
	size_t str_bytes;  /* sum of the string elements' lengths */
	void *elems;       /* NULL when count == 0 */
	int adopted;       /* elems is a separate allocation */
};

/* Elements of a copy start here, aligned for any element type. */
#define HEADER_SIZE ((sizeof(struct hiveha_array) + 15u) & ~(size_t)15u)

int hh_type_valid(uint32_t type)
{
	uint32_t elem = type & HIVEHA_TYPE_SCALAR_MASK;
	uint32_t flags = type & ~HIVEHA_TYPE_SCALAR_MASK;

	if (flags == 0)
		return elem <= HIVEHA_TYPE_TIME;
	if (flags != HIVEHA_TYPE_ARRAY && flags != HIVEHA_TYPE_MATRIX)
		return 0;
	return elem >= HIVEHA_TYPE_BOOL && elem <= HIVEHA_TYPE_TIME;
}

size_t hh_elem_size(uint32_t elem_type)
{
	switch (elem_type & HIVEHA_TYPE_SCALAR_MASK) {
	case HIVEHA_TYPE_BOOL: return sizeof(bool);
	case HIVEHA_TYPE_FLOAT: return sizeof(float);
	case HIVEHA_TYPE_STRING: return sizeof(hiveha_string);
	default: return 8; /* int64_t, uint64_t, double, hiveha_time */
	}
}

int hh_dims_check(size_t rows, size_t cols)
{
	if (rows > HIVEHA_VALUE_MAX_ELEMENTS || cols > HIVEHA_VALUE_MAX_ELEMENTS)
		return HIVEHA_ELIMIT;
	if (rows && cols > HIVEHA_VALUE_MAX_ELEMENTS / rows)
		return HIVEHA_ELIMIT;
	return 0;
}

size_t hh_value_string_bytes(const hiveha_value *v)
{
	return hh_type_is_array(v->type) && v->as.arr ? v->as.arr->str_bytes : 0;
}

static void free_strings(hiveha_string *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(s[i].ptr);
}

static void array_free(uint32_t type, hiveha_array *a)
{
	if (!a)
		return;
	if ((type & HIVEHA_TYPE_SCALAR_MASK) == HIVEHA_TYPE_STRING && a->elems)
		free_strings(a->elems, a->count);
	if (a->adopted)
		free(a->elems);
	free(a);
}

void hh_value_array_clear(hiveha_value *v)
{
	array_free(v->type, v->as.arr);
}

/* Checks the tag and the dimensions of a new array value. */
static int check_new(const hiveha_value *v, uint32_t elem, size_t rows, size_t cols)
{
	if (!v || elem < HIVEHA_TYPE_BOOL || elem > HIVEHA_TYPE_TIME)
		return HIVEHA_EINVAL;
	return hh_dims_check(rows, cols);
}

/* Sums string lengths, refusing NULL with len > 0 and passing the bound. */
static int sum_strings(const hiveha_string *s, size_t n, size_t *out)
{
	size_t i, total = 0;

	for (i = 0; i < n; i++) {
		if (!s[i].ptr && s[i].len)
			return HIVEHA_EINVAL;
		if (s[i].len > HIVEHA_VALUE_MAX_BYTES - total)
			return HIVEHA_ELIMIT;
		total += s[i].len;
	}
	*out = total;
	return 0;
}

static void publish(hiveha_value *v, uint32_t type, hiveha_array *a)
{
	v->type = type;
	v->reserved = 0;
	memset(&v->as, 0, sizeof(v->as));
	v->as.arr = a;
}

static int set_array(hiveha_value *v, uint32_t flag, uint32_t elem, const void *elems, size_t rows,
                     size_t cols)
{
	size_t n, size, total = 0, i;
	hiveha_array *a;
	int rc = check_new(v, elem, rows, cols);

	if (rc)
		return rc;
	n = rows * cols;
	if (elem == HIVEHA_TYPE_STRING && elems) {
		rc = sum_strings(elems, n, &total);
		if (rc)
			return rc;
	}
	size = n * hh_elem_size(elem);
	a = calloc(1, HEADER_SIZE + size);
	if (!a)
		return HIVEHA_ENOMEM;
	a->rows = rows;
	a->cols = cols;
	a->count = n;
	a->elems = n ? (unsigned char *)a + HEADER_SIZE : NULL;
	if (n && elems && elem != HIVEHA_TYPE_STRING) {
		memcpy(a->elems, elems, size);
	} else if (n && elems) {
		const hiveha_string *src = elems;
		hiveha_string *dst = a->elems;

		for (i = 0; i < n; i++) {
			dst[i].ptr = malloc(src[i].len + 1);
			if (!dst[i].ptr) {
				free_strings(dst, i);
				free(a);
				return HIVEHA_ENOMEM;
			}
			if (src[i].len)
				memcpy(dst[i].ptr, src[i].ptr, src[i].len);
			dst[i].ptr[src[i].len] = '\0';
			dst[i].len = src[i].len;
		}
		a->str_bytes = total;
	}
	if (n && elem == HIVEHA_TYPE_BOOL && elems) {
		/* a bool is 0 or 1 in a C program; the compare relies on it */
		bool *b = a->elems;

		for (i = 0; i < n; i++)
			b[i] = b[i] ? true : false;
	}
	publish(v, flag | elem, a);
	return 0;
}

static int adopt_array(hiveha_value *v, uint32_t flag, uint32_t elem, void *elems, size_t rows,
                       size_t cols)
{
	size_t n, total = 0;
	hiveha_array *a;
	int rc = check_new(v, elem, rows, cols);

	if (rc)
		return rc;
	n = rows * cols;
	if (n && !elems)
		return HIVEHA_EINVAL;
	if (elem == HIVEHA_TYPE_STRING && n) {
		rc = sum_strings(elems, n, &total);
		if (rc)
			return rc;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return HIVEHA_ENOMEM;
	a->rows = rows;
	a->cols = cols;
	a->count = n;
	a->str_bytes = total;
	a->elems = n ? elems : NULL;
	a->adopted = n != 0;
	if (!n)
		free(elems); /* owned now, and nothing to keep */
	publish(v, flag | elem, a);
	return 0;
}

int hiveha_value_set_vector(hiveha_value *v, uint32_t elem_type, const void *elems, size_t count)
{
	return set_array(v, HIVEHA_TYPE_ARRAY, elem_type, elems, 1, count);
}

int hiveha_value_set_matrix(hiveha_value *v, uint32_t elem_type, const void *elems, size_t rows,
                            size_t cols)
{
	return set_array(v, HIVEHA_TYPE_MATRIX, elem_type, elems, rows, cols);
}

int hiveha_value_adopt_vector(hiveha_value *v, uint32_t elem_type, void *elems, size_t count)
{
	return adopt_array(v, HIVEHA_TYPE_ARRAY, elem_type, elems, 1, count);
}

int hiveha_value_adopt_matrix(hiveha_value *v, uint32_t elem_type, void *elems, size_t rows,
                              size_t cols)
{
	return adopt_array(v, HIVEHA_TYPE_MATRIX, elem_type, elems, rows, cols);
}

/* The payload of a valid, set array value; NULL otherwise. */
static const hiveha_array *arr_of(const hiveha_value *v)
{
	if (!v || !hh_type_is_array(v->type) || !hh_type_valid(v->type))
		return NULL;
	return v->as.arr;
}

static hiveha_array *arr_mut(hiveha_value *v)
{
	if (!v || !hh_type_is_array(v->type) || !hh_type_valid(v->type))
		return NULL;
	return v->as.arr;
}

bool hiveha_value_is_array(const hiveha_value *v)
{
	return v && hh_type_is_array(v->type) && hh_type_valid(v->type);
}

uint32_t hiveha_value_element_type(const hiveha_value *v)
{
	return v ? v->type & HIVEHA_TYPE_SCALAR_MASK : HIVEHA_TYPE_EMPTY;
}

size_t hiveha_value_rows(const hiveha_value *v)
{
	const hiveha_array *a = arr_of(v);

	if (a)
		return a->rows;
	return v && v->type != HIVEHA_TYPE_EMPTY && !hh_type_is_array(v->type) ? 1 : 0;
}

size_t hiveha_value_cols(const hiveha_value *v)
{
	const hiveha_array *a = arr_of(v);

	if (a)
		return a->cols;
	return hiveha_value_rows(v);
}

size_t hiveha_value_count(const hiveha_value *v)
{
	const hiveha_array *a = arr_of(v);

	return a ? a->count : hiveha_value_rows(v);
}

const void *hiveha_value_elements(const hiveha_value *v)
{
	const hiveha_array *a = arr_of(v);

	return a ? a->elems : NULL;
}

void *hiveha_value_elements_mut(hiveha_value *v)
{
	hiveha_array *a = arr_mut(v);

	return a ? a->elems : NULL;
}

int hiveha_value_set_string_at(hiveha_value *v, size_t index, const char *s, size_t len)
{
	hiveha_array *a = arr_mut(v);
	hiveha_string *e;
	char *p;

	if (!a || (v->type & HIVEHA_TYPE_SCALAR_MASK) != HIVEHA_TYPE_STRING || index >= a->count ||
	    (!s && len))
		return HIVEHA_EINVAL;
	e = (hiveha_string *)a->elems + index;
	if (len > HIVEHA_VALUE_MAX_BYTES - (a->str_bytes - e->len))
		return HIVEHA_ELIMIT;
	p = malloc(len + 1);
	if (!p)
		return HIVEHA_ENOMEM;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	free(e->ptr);
	a->str_bytes = a->str_bytes - e->len + len;
	e->ptr = p;
	e->len = len;
	return 0;
}

int hh_value_array_copy(hiveha_value *dst, const hiveha_value *src)
{
	const hiveha_array *a = src->as.arr;
	hiveha_value tmp;
	uint32_t flag = src->type & ~HIVEHA_TYPE_SCALAR_MASK;
	uint32_t elem = src->type & HIVEHA_TYPE_SCALAR_MASK;
	int rc;

	if (!a)
		return HIVEHA_EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	rc = set_array(&tmp, flag, elem, a->elems, a->rows, a->cols);
	if (!rc)
		*dst = tmp;
	return rc;
}

void hh_elem_get(hiveha_value *v, uint32_t elem, const void *elems, size_t i)
{
	memset(v, 0, sizeof(*v));
	v->type = elem;
	switch (elem) {
	case HIVEHA_TYPE_BOOL:
		v->as.b = ((const bool *)elems)[i];
		break;
	case HIVEHA_TYPE_FLOAT:
		memcpy(&v->as.f32, (const float *)elems + i, sizeof(float)); /* the bits, NaNs too */
		break;
	case HIVEHA_TYPE_STRING: {
		const hiveha_string *s = (const hiveha_string *)elems + i;

		v->as.str.ptr = s->ptr;
		v->as.str.len = s->len;
		break;
	}
	default: /* int64_t, uint64_t, double and hiveha_time: 8 bytes */
		memcpy(&v->as.u64, (const unsigned char *)elems + 8 * i, 8);
		break;
	}
}

void hh_elem_put(void *elems, uint32_t elem, size_t i, const hiveha_value *v)
{
	switch (elem) {
	case HIVEHA_TYPE_BOOL:
		((bool *)elems)[i] = v->as.b;
		break;
	case HIVEHA_TYPE_FLOAT:
		memcpy((float *)elems + i, &v->as.f32, sizeof(float));
		break;
	default:
		memcpy((unsigned char *)elems + 8 * i, &v->as.u64, 8);
		break;
	}
}
