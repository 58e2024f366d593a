/*
 * test_group_record.c: __consumer_offsets keys and values
 * (coordinator/group_record.c): Kafka's bytes for known inputs, the
 * versions samsa picks (offset v3, v1 with an expiry; group v1), decoding
 * of every version, and truncation at every byte failing cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "coordinator/group_record.h"
#include "sm_test.h"

#define S(x) ((sm_str_t){ (x), (int32_t)sizeof(x) - 1 })

static sm_bytes_t
bb(const sm_buf_t *b)
{
    return (sm_bytes_t){ b->data, (int32_t)b->len };
}

START_TEST(group_record__offset_key_bytes)
{
    static const uint8_t want[] = { 0, 1, 0, 1, 'g', 0, 1, 't', 0, 0, 0, 0 };
    sm_buf_t b = SM_BUF_INIT;
    sm_grec_key_t k;

    sm_grec_offset_key_write(&b, S("g"), S("t"), 0);
    ck_assert_uint_eq(b.len, sizeof(want));
    ck_assert_mem_eq(b.data, want, sizeof(want));
    ck_assert_int_eq(sm_grec_key_read(bb(&b), &k), SM_OK);
    ck_assert_int_eq(k.version, 1);
    ck_assert_int_eq(k.partition, 0);
    ck_assert_int_eq(k.topic.len, 1);
    for (size_t n = 0; n < b.len; n++)
        ck_assert_int_eq(sm_grec_key_read((sm_bytes_t){ b.data,
                                                        (int32_t)n }, &k),
                         SM_ERR__BAD_MSG);
    sm_buf_fini(&b);
}
END_TEST

START_TEST(group_record__group_key_and_unknown_version)
{
    static const uint8_t want[] = { 0, 2, 0, 2, 'g', 'x' };
    static const uint8_t bad[] = { 0, 3, 0, 1, 'g' };
    sm_buf_t b = SM_BUF_INIT;
    sm_grec_key_t k;

    sm_grec_group_key_write(&b, S("gx"));
    ck_assert_mem_eq(b.data, want, sizeof(want));
    ck_assert_int_eq(sm_grec_key_read(bb(&b), &k), SM_OK);
    ck_assert_int_eq(k.version, SM_GREC_KEY_GROUP);
    ck_assert_int_eq(k.group.len, 2);
    ck_assert_int_eq(sm_grec_key_read((sm_bytes_t){ bad, sizeof(bad) }, &k),
                     SM_ERR__BAD_MSG);
    sm_buf_fini(&b);
}
END_TEST

START_TEST(group_record__offset_value_v3_and_v1)
{
    static const uint8_t v3[] = {
        0, 3, 0, 0, 0, 0, 0, 0, 0, 42, 0xff, 0xff, 0xff, 0xff,
        0, 2, 'm', 'd', 0, 0, 0, 0, 0, 0, 0x03, 0xe8 };
    sm_grec_offset_t o = { 42, -1, S("md"), 1000, -1 }, r;
    sm_buf_t b = SM_BUF_INIT;

    sm_grec_offset_value_write(&b, &o);
    ck_assert_uint_eq(b.len, sizeof(v3));
    ck_assert_mem_eq(b.data, v3, sizeof(v3));
    ck_assert_int_eq(sm_grec_offset_value_read(bb(&b), &r), SM_OK);
    ck_assert_int_eq(r.offset, 42);
    ck_assert_int_eq(r.commit_ts, 1000);
    ck_assert_int_eq(r.expire_ts, -1);
    for (size_t n = 0; n < b.len; n++)
        ck_assert_int_eq(sm_grec_offset_value_read(
                             (sm_bytes_t){ b.data, (int32_t)n }, &r),
                         SM_ERR__BAD_MSG);
    sm_buf_reset(&b);
    o.expire_ts = 5000;                 /* explicit retention: v1 */
    o.metadata = SM_STR_NULL;           /* written as "" */
    sm_grec_offset_value_write(&b, &o);
    ck_assert_uint_eq(b.len, 2 + 8 + 2 + 8 + 8);
    ck_assert_int_eq(b.data[1], 1);
    ck_assert_int_eq(sm_grec_offset_value_read(bb(&b), &r), SM_OK);
    ck_assert_int_eq(r.expire_ts, 5000);
    ck_assert_int_eq(r.metadata.len, 0);
    sm_buf_fini(&b);
}
END_TEST

START_TEST(group_record__offset_value_v0_v2_read)
{
    static const uint8_t v0[] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };
    static const uint8_t v2[] = {
        0, 2, 0, 0, 0, 0, 0, 0, 0, 8, 0, 1, 'x', 0, 0, 0, 0, 0, 0, 0, 3 };
    static const uint8_t v4[] = { 0, 4, 0, 0, 0, 0, 0, 0, 0, 8 };
    sm_grec_offset_t r;

    ck_assert_int_eq(sm_grec_offset_value_read(
                         (sm_bytes_t){ v0, sizeof(v0) }, &r), SM_OK);
    ck_assert_int_eq(r.offset, 7);
    ck_assert_int_eq(r.commit_ts, 9);
    ck_assert_int_eq(sm_grec_offset_value_read(
                         (sm_bytes_t){ v2, sizeof(v2) }, &r), SM_OK);
    ck_assert_int_eq(r.offset, 8);
    ck_assert_int_eq(r.metadata.len, 1);
    ck_assert_int_eq(r.commit_ts, 3);
    ck_assert_int_eq(sm_grec_offset_value_read(
                         (sm_bytes_t){ v4, sizeof(v4) }, &r),
                     SM_ERR__BAD_MSG);
    ck_assert_int_eq(sm_grec_offset_value_read(SM_BYTES_NULL, &r),
                     SM_ERR__BAD_MSG);
}
END_TEST

/* A static member makes the value v3, which keeps its instance id. */
START_TEST(group_record__group_value_v3_with_static_member)
{
    sm_grec_member_t m[2] = {
        { S("m-1"), S("cli"), S("/h"), 30000, 10000,
          { (const uint8_t *)"s", 1 }, { (const uint8_t *)"a", 1 },
          { NULL, -1 } },
        { S("m-2"), S("cli"), S("/h"), 30000, 10000,
          { (const uint8_t *)"s", 1 }, { (const uint8_t *)"a", 1 },
          S("inst-2") },
    };
    sm_grec_group_t g = { S("consumer"), 7, S("range"), S("m-1"), 2, m,
                          1700000000123LL };
    sm_grec_group_t r;
    sm_buf_t b = SM_BUF_INIT;

    sm_grec_group_value_write(&b, &g);
    ck_assert_int_eq(b.data[1], 3);
    ck_assert_int_eq(sm_grec_group_value_read(bb(&b), &r), SM_OK);
    ck_assert_int_eq(r.state_ts, 1700000000123LL);
    ck_assert_int_eq(r.nmembers, 2);
    ck_assert_ptr_null(r.members[0].group_instance_id.ptr);
    ck_assert_int_eq(r.members[1].group_instance_id.len, 6);
    ck_assert_int_eq(memcmp(r.members[1].group_instance_id.ptr, "inst-2",
                            6), 0);
    ck_assert_int_eq(r.members[1].session_timeout_ms, 10000);
    sm_grec_group_free(&r);
    sm_buf_fini(&b);
}
END_TEST

START_TEST(group_record__group_value_v1_round_trip)
{
    sm_grec_member_t m = { S("m-1"), S("cli"), S("/127.0.0.1"), 30000,
                           10000, { (const uint8_t *)"sub", 3 },
                           { (const uint8_t *)"as", 2 }, { NULL, -1 } };
    sm_grec_group_t g = { S("consumer"), 5, S("range"), S("m-1"), 1, &m,
                          -1 };
    sm_grec_group_t r;
    sm_buf_t b = SM_BUF_INIT;

    sm_grec_group_value_write(&b, &g);
    ck_assert_int_eq(b.data[0], 0);
    ck_assert_int_eq(b.data[1], 1);
    ck_assert_int_eq(sm_grec_group_value_read(bb(&b), &r), SM_OK);
    ck_assert_int_eq(r.generation, 5);
    ck_assert_int_eq(r.nmembers, 1);
    ck_assert_int_eq(r.members[0].rebalance_timeout_ms, 30000);
    ck_assert_int_eq(r.members[0].session_timeout_ms, 10000);
    ck_assert_int_eq(r.members[0].assignment.len, 2);
    ck_assert_int_eq(memcmp(r.protocol.ptr, "range", 5), 0);
    sm_grec_group_free(&r);
    for (size_t n = 0; n < b.len; n++) {
        ck_assert_int_eq(sm_grec_group_value_read(
                             (sm_bytes_t){ b.data, (int32_t)n }, &r),
                         SM_ERR__BAD_MSG);
        ck_assert_ptr_null(r.members);
    }
    sm_buf_fini(&b);
}
END_TEST

/* Version 0 (no rebalance timeout) and 3 (group_instance_id and the
 * state timestamp) as Kafka 0.10.0 and 2.3+ write them. */
START_TEST(group_record__group_value_v0_v3_read)
{
    static const uint8_t v0[] = {
        0, 0, 0, 1, 'c', 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 1, 0, 1, 'm', 0, 1, 'c', 0, 1, 'h', 0, 0, 0x27, 0x10,
        0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t v3[] = {
        0, 3, 0, 1, 'c', 0, 0, 0, 4, 0, 1, 'r', 0, 1, 'm',
        0, 0, 0, 0, 0, 0, 0, 1,
        0, 0, 0, 1, 0, 1, 'm', 0xff, 0xff, 0, 1, 'c', 0, 1, 'h',
        0, 0, 0x75, 0x30, 0, 0, 0x27, 0x10, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t huge[] = {
        0, 1, 0, 1, 'c', 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff,
        0x7f, 0xff, 0xff, 0xff };
    sm_grec_group_t r;

    ck_assert_int_eq(sm_grec_group_value_read(
                         (sm_bytes_t){ v0, sizeof(v0) }, &r), SM_OK);
    ck_assert_int_eq(r.generation, 2);
    ck_assert_int_eq(r.protocol.len, -1);
    ck_assert_int_eq(r.nmembers, 1);
    ck_assert_int_eq(r.members[0].session_timeout_ms, 10000);
    ck_assert_int_eq(r.members[0].rebalance_timeout_ms, 10000);
    sm_grec_group_free(&r);
    ck_assert_int_eq(sm_grec_group_value_read(
                         (sm_bytes_t){ v3, sizeof(v3) }, &r), SM_OK);
    ck_assert_int_eq(r.generation, 4);
    ck_assert_int_eq(r.members[0].rebalance_timeout_ms, 30000);
    ck_assert_int_eq(r.members[0].client_host.len, 1);
    sm_grec_group_free(&r);
    /* a hostile member count is refused before allocating */
    ck_assert_int_eq(sm_grec_group_value_read(
                         (sm_bytes_t){ huge, sizeof(huge) }, &r),
                     SM_ERR__BAD_MSG);
}
END_TEST

START_TEST(group_record__subscription_topics)
{
    static const uint8_t sub[] = { 0, 1,  0, 0, 0, 2,  0, 2, 't', '1',
                                   0, 1, 'x',  0xff, 0xff, 0xff, 0xff };
    static const uint8_t bad[] = { 0, 0,  0x7f, 0, 0, 0,  0, 1, 'x' };
    sm_bytes_t s = { sub, sizeof(sub) };

    ck_assert_int_eq(sm_grec_subscription_has(s, S("t1")), 1);
    ck_assert_int_eq(sm_grec_subscription_has(s, S("x")), 1);
    ck_assert_int_eq(sm_grec_subscription_has(s, S("t")), 0);
    ck_assert_int_eq(sm_grec_subscription_has(
                         (sm_bytes_t){ bad, sizeof(bad) }, S("x")), -1);
    ck_assert_int_eq(sm_grec_subscription_has(
                         (sm_bytes_t){ sub, 7 }, S("t1")), -1);
}
END_TEST

Suite *
sm_test_suite_group_record(void)
{
    Suite *s = suite_create("group_record");
    TCase *tc = tcase_create("group_record");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, group_record__offset_key_bytes);
    tcase_add_test(tc, group_record__group_key_and_unknown_version);
    tcase_add_test(tc, group_record__offset_value_v3_and_v1);
    tcase_add_test(tc, group_record__offset_value_v0_v2_read);
    tcase_add_test(tc, group_record__group_value_v1_round_trip);
    tcase_add_test(tc, group_record__group_value_v3_with_static_member);
    tcase_add_test(tc, group_record__group_value_v0_v3_read);
    tcase_add_test(tc, group_record__subscription_topics);
    suite_add_tcase(s, tc);
    return s;
}
