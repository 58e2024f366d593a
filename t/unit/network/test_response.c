/* test_response.c: building and freeing responses (no sockets). */
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_mem.h"
#include "network/net.h"
#include "sm_test.h"

static int releases;

static void
count_release(void *arg)
{
    (void)arg;
    releases++;
}

START_TEST(response__segments_and_total)
{
    sm_request_t req = { .thread = 1, .conn_id = 42 };
    sm_buf_t buf = SM_BUF_INIT;
    sm_response_t *resp = sm_response_new(&req, SM_RESP_SEND);

    ck_assert_int_eq(resp->thread, 1);
    ck_assert_uint_eq(resp->conn_id, 42);
    ck_assert_int_eq(resp->nsegs, 0);
    sm_response_add_mem(resp, (uint8_t *)sm_strdup("abc"), 3);
    sm_response_add_mem(resp, sm_malloc(1), 0);     /* dropped, freed */
    sm_buf_write(&buf, "hello", 5);
    sm_response_add_buf(resp, &buf);
    ck_assert_ptr_null(buf.data);
    ck_assert_uint_eq(buf.len, 0);
    for (int i = 0; i < 10; i++)                    /* grows segs[] */
        sm_response_add_file(resp, 0, i, 100, count_release, NULL);
    ck_assert_int_eq(resp->nsegs, 12);
    ck_assert_uint_eq(resp->total, 3 + 5 + 1000);
    ck_assert_int_eq(resp->segs[2].is_file, 1);
    ck_assert_int_eq(resp->segs[11].pos, 9);
    releases = 0;
    sm_response_free(resp);
    ck_assert_int_eq(releases, 10);
    sm_response_free(NULL);
    sm_request_free(NULL);
}
END_TEST

Suite *
sm_test_suite_response(void)
{
    Suite *s = suite_create("response");
    TCase *tc = tcase_create("response");

    tcase_add_test(tc, response__segments_and_total);
    suite_add_tcase(s, tc);
    return s;
}
