/* test_apis.c: the ApiKey table and request/response header versions. */
#include <string.h>

#include "protocol/apis.h"
#include "sm_test.h"

START_TEST(apis__table_consistent)
{
    int n;
    const sm_api_info_t *t = sm_api_table(&n);

    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(t[i].min_version, 0);   /* librdkafka needs 0 */
        ck_assert_int_le(t[i].min_version, t[i].max_version);
        ck_assert_str_eq(t[i].name, sm_api_name(t[i].key));
        if (i > 0)
            ck_assert_int_gt(t[i].key, t[i - 1].key);
    }
    ck_assert_ptr_nonnull(sm_api_info(23));
    ck_assert_ptr_null(sm_api_info(24));          /* not served */
    ck_assert_str_eq(sm_api_name(23), "OffsetForLeaderEpoch");
    ck_assert_str_eq(sm_api_name(999), "Unknown");
}
END_TEST

START_TEST(apis__header_versions)
{
    ck_assert_int_eq(sm_api_req_hdr_version(SM_API_ApiVersions, 3), 2);
    ck_assert_int_eq(sm_api_req_hdr_version(SM_API_ApiVersions, 2), 1);
    ck_assert_int_eq(sm_api_resp_hdr_version(SM_API_ApiVersions, 3), 0);
    ck_assert_int_eq(sm_api_req_hdr_version(SM_API_Fetch, 11), 1);
    ck_assert_int_eq(sm_api_req_hdr_version(SM_API_Fetch, 12), 2);
    ck_assert_int_eq(sm_api_resp_hdr_version(SM_API_Fetch, 12), 1);
    ck_assert_int_eq(sm_api_req_hdr_version(7, 0), 0);   /* ControlledShutdown */
    ck_assert_int_eq(sm_api_req_hdr_version(9, 6), 2);   /* OffsetFetch v6 */
}
END_TEST

START_TEST(apis__request_header_round_trip)
{
    sm_buf_t buf = SM_BUF_INIT;
    sm_req_hdr_t hdr;
    sm_rd_t rd;

    sm_req_hdr_write(&buf, SM_API_ApiVersions, 3, 77, "rdkafka");
    sm_wr_i8(&buf, 0x55);
    sm_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(sm_req_hdr_read(&rd, &hdr), SM_OK);
    ck_assert_int_eq(hdr.ApiKey, 18);
    ck_assert_int_eq(hdr.ApiVersion, 3);
    ck_assert_int_eq(hdr.CorrelationId, 77);
    ck_assert_int_eq(hdr.hdr_version, 2);
    ck_assert(sm_str_eq_cstr(hdr.ClientId, "rdkafka"));
    ck_assert_int_eq(sm_rd_i8(&rd), 0x55);

    /* truncated after the correlation id: the id is still known */
    sm_rd_init(&rd, buf.data, 9);
    ck_assert_int_eq(sm_req_hdr_read(&rd, &hdr), SM_ERR__TRUNCATED);
    ck_assert_int_eq(hdr.CorrelationId, 77);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(apis__response_header)
{
    sm_buf_t buf = SM_BUF_INIT;
    int32_t corr = 0;
    sm_rd_t rd;

    sm_resp_hdr_write(&buf, SM_API_ApiVersions, 3, 5);
    ck_assert_uint_eq(buf.len, 4);                 /* always v0 */
    sm_buf_reset(&buf);
    sm_resp_hdr_write(&buf, SM_API_Fetch, 12, 6);
    ck_assert_uint_eq(buf.len, 5);                 /* v1: tags byte */
    sm_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(sm_resp_hdr_read(&rd, SM_API_Fetch, 12, &corr), SM_OK);
    ck_assert_int_eq(corr, 6);
    sm_buf_fini(&buf);
}
END_TEST

Suite *
sm_test_suite_apis(void)
{
    Suite *s = suite_create("apis");
    TCase *tc = tcase_create("apis");

    tcase_add_test(tc, apis__table_consistent);
    tcase_add_test(tc, apis__header_versions);
    tcase_add_test(tc, apis__request_header_round_trip);
    tcase_add_test(tc, apis__response_header);
    suite_add_tcase(s, tc);
    return s;
}
