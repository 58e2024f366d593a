/* test_buf.c: sm_buf_t growth, offsets and detach. */
#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "sm_test.h"

START_TEST(buf__offsets_and_growth)
{
    sm_buf_t buf = SM_BUF_INIT;
    char blk[100];

    memset(blk, 'x', sizeof(blk));
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(sm_buf_write(&buf, blk, sizeof(blk)),
                          (size_t)i * sizeof(blk));
    ck_assert_uint_eq(buf.len, 100000);
    ck_assert_uint_ge(buf.cap, buf.len);
    ck_assert_uint_eq(sm_buf_skip(&buf, 4), 100000);
    ck_assert_uint_eq(buf.len, 100004);
    sm_buf_fini(&buf);
    ck_assert_ptr_null(buf.data);
}
END_TEST

START_TEST(buf__detach_hands_over_memory)
{
    sm_buf_t buf;
    size_t len;
    uint8_t *p;

    sm_buf_init(&buf, 8);
    sm_buf_write(&buf, "hello", 5);
    p = sm_buf_detach(&buf, &len);
    ck_assert_uint_eq(len, 5);
    ck_assert_mem_eq(p, "hello", 5);
    ck_assert_uint_eq(buf.len, 0);
    ck_assert_ptr_null(buf.data);
    free(p);
}
END_TEST

START_TEST(buf__error_names)
{
    ck_assert_str_eq(sm_err_name(SM_ERR_NOT_LEADER_FOR_PARTITION),
                     "NOT_LEADER_FOR_PARTITION");
    ck_assert_int_eq(SM_ERR_NOT_LEADER_FOR_PARTITION, 6);
    ck_assert_int_eq(SM_ERR_UNSUPPORTED_VERSION, 35);
    ck_assert_int_eq(SM_ERR_UNKNOWN_SERVER_ERROR, -1);
    ck_assert_str_eq(sm_err_name(SM_ERR__TRUNCATED), "_TRUNCATED");
    ck_assert_str_eq(sm_err_name((sm_err_t)4242), "ERR_4242");
    ck_assert(sm_err_is_local(SM_ERR__CRC));
    ck_assert(!sm_err_is_local(SM_ERR_CORRUPT_MESSAGE));
    ck_assert_int_eq(sm_err_to_wire(SM_ERR__CRC), SM_ERR_CORRUPT_MESSAGE);
    ck_assert_int_eq(sm_err_to_wire(SM_ERR_OFFSET_OUT_OF_RANGE),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
}
END_TEST

Suite *
sm_test_suite_buf(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("buf");

    tcase_add_test(tc, buf__offsets_and_growth);
    tcase_add_test(tc, buf__detach_hands_over_memory);
    tcase_add_test(tc, buf__error_names);
    suite_add_tcase(s, tc);
    return s;
}
