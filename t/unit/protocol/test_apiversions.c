/*
 * test_apiversions.c: the ApiVersions codec (protocol/apiversions.c), v0-3
 * (v3 flexible): round trips, known bytes of the compact encoding, tagged
 * fields, the table-driven response, the KIP-511 fallback on both sides,
 * software-name validation, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/apiversions.h"

static void
av_req_sample(int16_t v, sm_ApiVersionsRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->ClientSoftwareName = v >= 3 ? SM_S("librdkafka") : SM_STR_EMPTY;
    req->ClientSoftwareVersion = v >= 3 ? SM_S("2.0.2") : SM_STR_EMPTY;
}

static void
av_resp_sample(int16_t v, sm_ApiVersionsResponse_t *resp)
{
    static sm_ApiVersionsResponseKey_t keys[] = {
        { 0, 0, 7 }, { 1, 0, 11 }, { 18, 0, 3 }, { 37, 0, 1 },
    };

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ErrorCode = 0;
    resp->ApiKeysCnt = 4;
    resp->ApiKeys = keys;
    resp->ThrottleTimeMs = v >= 1 ? 12 : 0;
}

static void
av_req_eq(const sm_ApiVersionsRequest_t *a, const sm_ApiVersionsRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, ClientSoftwareName);
    SM_MSG_TEST_STR(a, b, ClientSoftwareVersion);
}

static void
av_key_eq(const sm_ApiVersionsResponseKey_t *a,
          const sm_ApiVersionsResponseKey_t *b)
{
    SM_MSG_TEST_EQ(a, b, ApiKey);
    SM_MSG_TEST_EQ(a, b, MinVersion);
    SM_MSG_TEST_EQ(a, b, MaxVersion);
}

static void
av_resp_eq(const sm_ApiVersionsResponse_t *a,
           const sm_ApiVersionsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_ARRAY(a, b, ApiKeys, av_key_eq);
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
}

START_TEST(apiversions__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_APIVERSIONS_MAX_VERSION; v++) {
        sm_ApiVersionsRequest_t req;

        av_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(ApiVersionsRequest, v, &req, av_req_eq);
    }
}
END_TEST

START_TEST(apiversions__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_APIVERSIONS_MAX_VERSION; v++) {
        sm_ApiVersionsResponse_t resp;

        av_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(ApiVersionsResponse, v, &resp, av_resp_eq);
    }
}
END_TEST

START_TEST(apiversions__known_bytes_v3)
{
    static const uint8_t req3[] = {
        0x0b, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a',
        0x06, '2', '.', '0', '.', '2',  0x00,
    };
    static const uint8_t resp3[] = {
        0, 0,  0x03,  0, 0, 0, 0, 0, 7, 0,  0, 18, 0, 0, 0, 3, 0,
        0, 0, 0, 0,  0,
    };
    static const uint8_t resp1[] = {
        0, 0,  0, 0, 0, 2,  0, 0, 0, 0, 0, 7,  0, 18, 0, 0, 0, 3,
        0, 0, 0, 0,
    };
    sm_ApiVersionsRequest_t req;
    sm_ApiVersionsResponseKey_t keys[] = { { 0, 0, 7 }, { 18, 0, 3 } };
    sm_ApiVersionsResponse_t resp = { 3, 0, 2, keys, 0 };
    sm_buf_t buf = SM_BUF_INIT;

    av_req_sample(3, &req);
    SM_MSG_TEST_BYTES_EQ(ApiVersionsRequest, 3, &req, req3);
    SM_MSG_TEST_BYTES_EQ(ApiVersionsResponse, 3, &resp, resp3);
    SM_MSG_TEST_BYTES_EQ(ApiVersionsResponse, 1, &resp, resp1);
    for (int16_t v = 0; v <= 2; v++) {          /* v0-2: empty body */
        sm_ApiVersionsRequest_write(&buf, v, &req);
        ck_assert_uint_eq(buf.len, 0);
    }
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(apiversions__tagged_fields_skipped)
{
    /* v3 request with an unknown tag (7, 2 bytes) in its tag section */
    static const uint8_t req3[] = {
        0x02, 'k', 0x02, '1',  0x01, 0x07, 0x02, 0xaa, 0xbb,
    };
    /* v3 response with an entry tag and top-level tags 0 and 1 */
    static const uint8_t resp3[] = {
        0, 0,  0x02,  0, 18, 0, 0, 0, 3,  0x01, 0x09, 0x01, 0x00,
        0, 0, 0, 0,
        0x02,  0x00, 0x01, 0x01,  0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 1,
    };
    sm_ApiVersionsRequest_t req;
    sm_ApiVersionsResponse_t resp;

    SM_MSG_TEST_PARSE(ApiVersionsRequest, 3, req3, sizeof(req3), &req);
    ck_assert(sm_str_eq_cstr(req.ClientSoftwareName, "k"));
    ck_assert(sm_str_eq_cstr(req.ClientSoftwareVersion, "1"));
    SM_MSG_TEST_PARSE(ApiVersionsResponse, 3, resp3, sizeof(resp3), &resp);
    ck_assert_int_eq(resp.ApiVersion, 3);
    ck_assert_int_eq(resp.ApiKeysCnt, 1);
    ck_assert_int_eq(resp.ApiKeys[0].MaxVersion, 3);
    sm_ApiVersionsResponse_free(&resp);
    SM_MSG_TEST_TRUNCATE(ApiVersionsRequest, 3, req3, sizeof(req3));
    SM_MSG_TEST_TRUNCATE(ApiVersionsResponse, 3, resp3, sizeof(resp3));
}
END_TEST

START_TEST(apiversions__from_table)
{
    sm_ApiVersionsResponse_t resp, out;
    sm_buf_t buf = SM_BUF_INIT;
    sm_rd_t rd;
    int n, found = 0;

    (void)sm_api_table(&n);
    sm_ApiVersionsResponse_from_table(&resp);
    ck_assert_int_eq(resp.ApiKeysCnt, n);
    for (int32_t i = 0; i < resp.ApiKeysCnt; i++) {
        const sm_api_info_t *api = sm_api_info(resp.ApiKeys[i].ApiKey);

        ck_assert_ptr_nonnull(api);
        ck_assert_int_eq(resp.ApiKeys[i].MinVersion, api->min_version);
        ck_assert_int_eq(resp.ApiKeys[i].MaxVersion, api->max_version);
        if (resp.ApiKeys[i].ApiKey == SM_API_ApiVersions) {
            found = 1;
            ck_assert_int_eq(resp.ApiKeys[i].MaxVersion,
                             SM_APIVERSIONS_MAX_VERSION);
        }
    }
    ck_assert(found);
    sm_ApiVersionsResponse_write(&buf, 3, &resp);
    sm_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(sm_ApiVersionsResponse_read(&rd, 3, &out), SM_OK);
    av_resp_eq(&resp, &out);
    sm_ApiVersionsResponse_free(&out);
    sm_ApiVersionsResponse_free(&resp);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(apiversions__kip511_unsupported)
{
    static const uint8_t want[] = {
        0, 35,  0, 0, 0, 1,  0, 18, 0, 0, 0, SM_APIVERSIONS_MAX_VERSION,
    };
    sm_buf_t buf = SM_BUF_INIT;
    sm_ApiVersionsResponse_t resp;

    sm_ApiVersionsResponse_write_unsupported(&buf);
    ck_assert_uint_eq(buf.len, sizeof(want));
    ck_assert_mem_eq(buf.data, want, sizeof(want));
    /* a client that asked with v3 (or v1) falls back to reading v0 */
    for (int16_t v = 0; v <= SM_APIVERSIONS_MAX_VERSION; v++) {
        SM_MSG_TEST_PARSE(ApiVersionsResponse, v, want, sizeof(want), &resp);
        ck_assert_int_eq(resp.ApiVersion, 0);
        ck_assert_int_eq(resp.ErrorCode, SM_ERR_UNSUPPORTED_VERSION);
        ck_assert_int_eq(resp.ApiKeysCnt, 1);
        ck_assert_int_eq(resp.ApiKeys[0].ApiKey, SM_API_ApiVersions);
        sm_ApiVersionsResponse_free(&resp);
    }
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(apiversions__software_name_validation)
{
    static const struct { const char *name; int ok; } vec[] = {
        { "librdkafka", 1 }, { "apache-kafka-java", 1 }, { "2.0.2", 1 },
        { "a", 1 }, { "kafka.js-2", 1 }, { "", 0 }, { "-x", 0 },
        { "x-", 0 }, { ".x", 0 }, { "a b", 0 }, { "a_b", 0 },
    };
    sm_ApiVersionsRequest_t req;

    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        av_req_sample(3, &req);
        req.ClientSoftwareName = sm_str_cstr(vec[i].name);
        ck_assert_msg(sm_ApiVersionsRequest_is_valid(&req) == vec[i].ok,
                      "name \"%s\"", vec[i].name);
        av_req_sample(3, &req);
        req.ClientSoftwareVersion = sm_str_cstr(vec[i].name);
        ck_assert_int_eq(sm_ApiVersionsRequest_is_valid(&req), vec[i].ok);
    }
    av_req_sample(2, &req);
    ck_assert(sm_ApiVersionsRequest_is_valid(&req));
}
END_TEST

START_TEST(apiversions__hostile_counts)
{
    static const uint8_t keys3[] = { 0, 0,  0xff, 0xff, 0xff, 0xff, 0x07,
                                     0, 0, 0, 0, 0 };
    static const uint8_t keys0[] = { 0, 0,  0x7f, 0xff, 0xff, 0xff,
                                     0, 0, 0, 0, 0, 0 };
    static const uint8_t name3[] = { 0x7f, 'k', 0x02, '1', 0x00 };
    static const uint8_t tags3[] = { 0x02, 'k', 0x02, '1',  0x7f, 0x01 };

    for (int16_t v = 0; v <= SM_APIVERSIONS_MAX_VERSION; v++)
        SM_MSG_TEST_REJECT(ApiVersionsResponse, v, keys0, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ApiVersionsResponse, 3, keys3, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ApiVersionsRequest, 3, name3, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ApiVersionsRequest, 3, tags3, SM_ERR__TRUNCATED);
    ck_assert_int_eq(SM_APIVERSIONS_MAX_VERSION,
                     sm_api_info(SM_API_ApiVersions)->max_version);
    SM_MSG_TEST_REJECT(ApiVersionsRequest, SM_APIVERSIONS_MAX_VERSION + 1,
                       name3, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Real clients' ApiVersions requests (t/data, from branch golden): v3
 * from librdkafka (kcat, confluent-kafka) and v0 from kafka-python. */
START_TEST(apiversions__golden_captures)
{
    static const struct {
        const char *file;
        int16_t     v;
        const char *client, *name, *version;
    } g[] = {
        { "ApiVersions_v3_kcat.bin", 3, SM_GOLDEN_RDKAFKA, "librdkafka",
          "2.0.2" },
        { "ApiVersions_v3_confluent.bin", 3, SM_GOLDEN_RDKAFKA,
          "confluent-kafka-python", "1.7.0-rdkafka-2.0.2" },
        { "ApiVersions_v0_kafkapython.bin", 0, SM_GOLDEN_KP_PRODUCER, "",
          "" },
    };

    for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
        sm_msg_golden_t gf;
        sm_ApiVersionsRequest_t req;

        sm_msg_test_golden_open(&gf, g[i].file, SM_API_ApiVersions, g[i].v,
                                g[i].client);
        SM_MSG_TEST_GOLDEN_BODY(ApiVersionsRequest, &gf, &req);
        ck_assert(sm_str_eq_cstr(req.ClientSoftwareName, g[i].name));
        ck_assert(sm_str_eq_cstr(req.ClientSoftwareVersion, g[i].version));
        ck_assert(sm_ApiVersionsRequest_is_valid(&req));
        sm_ApiVersionsRequest_free(&req);
        sm_msg_test_golden_close(&gf);
    }
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(apiversions__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(ApiVersions, av, SM_APIVERSIONS_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_apiversions(void)
{
    Suite *s = suite_create("apiversions");
    TCase *tc = tcase_create("apiversions");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, apiversions__request_round_trip_every_version);
    tcase_add_test(tc, apiversions__response_round_trip_every_version);
    tcase_add_test(tc, apiversions__known_bytes_v3);
    tcase_add_test(tc, apiversions__tagged_fields_skipped);
    tcase_add_test(tc, apiversions__from_table);
    tcase_add_test(tc, apiversions__kip511_unsupported);
    tcase_add_test(tc, apiversions__software_name_validation);
    tcase_add_test(tc, apiversions__hostile_counts);
    tcase_add_test(tc, apiversions__golden_captures);
    tcase_add_test(tc, apiversions__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
