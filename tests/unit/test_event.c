/*
 * Events: deep copy, identity, equality, clear.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <hiveha/value.h>

static hiveha_attribute attrs[2];

static hiveha_event sample_event(void)
{
	hiveha_event e;

	memset(&e, 0, sizeof(e));
	e.time = INT64_C(133500000000000000);
	e.received_time = e.time + 5;
	e.source_id = 7;
	e.type_id = 3;
	e.category = 11;
	e.state = 0x5;
	e.severity = 750;
	e.source_name = "Pump 1";
	e.message = "Pressure high";
	e.user_name = "operator";
	attrs[0].name = "Limit";
	hiveha_value_set_double(&attrs[0].value, 12.5);
	attrs[1].name = "Unit";
	attrs[1].value.type = HIVEHA_TYPE_STRING;
	attrs[1].value.as.str.ptr = "bar";
	attrs[1].value.as.str.len = 3;
	e.attributes = attrs;
	e.attribute_count = 2;
	return e;
}

Test(event, copy_is_deep_and_equal)
{
	hiveha_event src = sample_event(), dst;

	memset(&dst, 0x77, sizeof(dst));
	cr_assert_eq(hiveha_event_copy(&dst, &src), HIVEHA_OK);
	cr_assert(hiveha_event_equal(&dst, &src));
	cr_assert_eq(hiveha_event_identity_compare(&dst, &src), 0);
	cr_assert_neq(dst.message, src.message);
	cr_assert_neq(dst.source_name, src.source_name);
	cr_assert_neq(dst.user_name, src.user_name);
	cr_assert_neq(dst.attributes, src.attributes);
	cr_assert_neq(dst.attributes[0].name, src.attributes[0].name);
	cr_assert_neq(dst.attributes[1].value.as.str.ptr, src.attributes[1].value.as.str.ptr);
	cr_assert_str_eq(dst.attributes[1].value.as.str.ptr, "bar");

	/* Changing the copy does not touch the source, and breaks equality. */
	dst.attributes[1].value.as.str.ptr[0] = 'B';
	cr_assert_str_eq(attrs[1].value.as.str.ptr, "bar");
	cr_assert_not(hiveha_event_equal(&dst, &src));
	cr_assert_eq(hiveha_event_identity_compare(&dst, &src), 0, "attributes are not identity");
	hiveha_event_clear(&dst);
}

Test(event, copy_keeps_null_strings_and_no_attributes)
{
	hiveha_event src, dst;

	memset(&src, 0, sizeof(src));
	src.time = -3;
	cr_assert_eq(hiveha_event_copy(&dst, &src), HIVEHA_OK);
	cr_assert_null(dst.message);
	cr_assert_null(dst.attributes);
	cr_assert_eq(dst.attribute_count, 0);
	cr_assert_eq(dst.time, -3);
	cr_assert(hiveha_event_equal(&dst, &src));
	hiveha_event_clear(&dst);
}

Test(event, failed_copy_leaves_dst_empty)
{
	hiveha_event src = sample_event(), dst, zero;

	memset(&zero, 0, sizeof(zero));
	/* The second attribute cannot be copied, after the first one was. */
	attrs[1].value.type = 0x400u | HIVEHA_TYPE_INT64; /* no such tag */
	memset(&dst, 0x77, sizeof(dst));
	cr_assert_eq(hiveha_event_copy(&dst, &src), HIVEHA_EINVAL);
	cr_assert_eq(memcmp(&dst, &zero, sizeof(dst)), 0, "dst must be left empty");

	src.attributes = NULL;
	memset(&dst, 0x77, sizeof(dst));
	cr_assert_eq(hiveha_event_copy(&dst, &src), HIVEHA_EINVAL);
	cr_assert_eq(memcmp(&dst, &zero, sizeof(dst)), 0, "dst must be left empty");
}

Test(event, identity_fields)
{
	hiveha_event a = sample_event(), b = sample_event();

	/* Not part of identity. */
	b.received_time++;
	b.category++;
	b.state ^= 1;
	b.severity = 1;
	b.source_name = "other";
	b.user_name = NULL;
	b.attribute_count = 0;
	cr_assert_eq(hiveha_event_identity_compare(&a, &b), 0);
	cr_assert_not(hiveha_event_equal(&a, &b));

	/* Each identity field on its own decides, with a consistent sign. */
	b = sample_event();
	b.time++;
	cr_assert_lt(hiveha_event_identity_compare(&a, &b), 0);
	cr_assert_gt(hiveha_event_identity_compare(&b, &a), 0);
	b = sample_event();
	b.source_id++;
	cr_assert_lt(hiveha_event_identity_compare(&a, &b), 0);
	b = sample_event();
	b.type_id++;
	cr_assert_lt(hiveha_event_identity_compare(&a, &b), 0);
	b = sample_event();
	b.message = "Pressure higher";
	cr_assert_lt(hiveha_event_identity_compare(&a, &b), 0);
	cr_assert_gt(hiveha_event_identity_compare(&b, &a), 0);
	/* time is compared before the message */
	b.time--;
	cr_assert_gt(hiveha_event_identity_compare(&a, &b), 0);
}

Test(event, null_message_equals_empty)
{
	hiveha_event a = sample_event(), b = sample_event();

	a.message = NULL;
	b.message = "";
	cr_assert_eq(hiveha_event_identity_compare(&a, &b), 0);
	cr_assert(hiveha_event_equal(&a, &b));
	b.message = "x";
	cr_assert_lt(hiveha_event_identity_compare(&a, &b), 0);
}

Test(event, equal_checks_every_field_and_attribute)
{
	hiveha_event a = sample_event(), b;
	hiveha_attribute battrs[2];

	cr_assert(hiveha_event_equal(&a, &a));
#define CHANGED(stmt)                                                   \
	do {                                                            \
		b = sample_event();                                     \
		memcpy(battrs, attrs, sizeof(battrs));                  \
		b.attributes = battrs;                                  \
		stmt;                                                   \
		cr_assert_not(hiveha_event_equal(&a, &b), #stmt);       \
	} while (0)
	CHANGED(b.received_time++);
	CHANGED(b.category++);
	CHANGED(b.state++);
	CHANGED(b.severity++);
	CHANGED(b.source_name = "Pump 2");
	CHANGED(b.user_name = "admin");
	CHANGED(b.attribute_count = 1);
	CHANGED(battrs[0].name = "limit");
	CHANGED(hiveha_value_set_double(&battrs[0].value, 12.25));
	CHANGED(hiveha_value_set_float(&battrs[0].value, 12.5f));
	CHANGED((battrs[0] = attrs[1], battrs[1] = attrs[0]));
#undef CHANGED
}

Test(event, clear_frees_and_zeroes)
{
	hiveha_event src = sample_event(), dst, zero;

	memset(&zero, 0, sizeof(zero));
	cr_assert_eq(hiveha_event_copy(&dst, &src), HIVEHA_OK);
	hiveha_event_clear(&dst);
	cr_assert_eq(memcmp(&dst, &zero, sizeof(dst)), 0);
	hiveha_event_clear(&dst);
	hiveha_event_clear(NULL);
}
