/*
 * test_describeconfigs.c: the DescribeConfigs codec
 * (protocol/describeconfigs.c), v0-2, both directions: round trip at every
 * version, known bytes (v0 IsDefault vs v1 ConfigSource + synonyms),
 * truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/describeconfigs.h"

static void
dc_req_sample(int16_t v, sm_DescribeConfigsRequest_t *req)
{
    static sm_str_t keys[2];
    static sm_DescribeConfigsRequestResource_t res[3];

    keys[0] = SM_S("retention.ms");
    keys[1] = SM_S("cleanup.policy");
    res[0] = (sm_DescribeConfigsRequestResource_t){
        SM_CONFIG_RESOURCE_TOPIC, SM_S("alpha"), 2, keys };
    res[1] = (sm_DescribeConfigsRequestResource_t){
        SM_CONFIG_RESOURCE_BROKER, SM_S("1"), -1, NULL };    /* all keys */
    res[2] = (sm_DescribeConfigsRequestResource_t){
        SM_CONFIG_RESOURCE_TOPIC, SM_S("b"), 0, NULL };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->ResourcesCnt = 3;
    req->Resources = res;
    req->IncludeSynonyms = v >= 1;
}

static void
dc_resp_sample(int16_t v, sm_DescribeConfigsResponse_t *resp)
{
    static sm_DescribeConfigsResponseSynonym_t syn[2];
    static sm_DescribeConfigsResponseConfig_t cfg[2];
    static sm_DescribeConfigsResponseResult_t res[2];

    syn[0] = (sm_DescribeConfigsResponseSynonym_t){
        SM_S("retention.ms"), SM_S("1000"), SM_DC_SOURCE_TOPIC };
    syn[1] = (sm_DescribeConfigsResponseSynonym_t){
        SM_S("log.retention.hours"), SM_STR_NULL,
        SM_DC_SOURCE_STATIC_BROKER };
    memset(cfg, 0, sizeof(cfg));
    cfg[0].Name = SM_S("retention.ms");
    cfg[0].Value = SM_S("1000");
    cfg[0].ReadOnly = 0;
    cfg[0].IsDefault = 0;
    cfg[0].ConfigSource = v >= 1 ? SM_DC_SOURCE_TOPIC : -1;
    cfg[0].SynonymsCnt = v >= 1 ? 2 : 0;
    cfg[0].Synonyms = v >= 1 ? syn : NULL;
    cfg[1].Name = SM_S("ssl.key.password");
    cfg[1].Value = SM_STR_NULL;
    cfg[1].ReadOnly = 1;
    cfg[1].IsDefault = v == 0;
    cfg[1].ConfigSource = v >= 1 ? SM_DC_SOURCE_DEFAULT : -1;
    cfg[1].IsSensitive = 1;
    res[0] = (sm_DescribeConfigsResponseResult_t){
        0, SM_STR_NULL, SM_CONFIG_RESOURCE_TOPIC, SM_S("alpha"), 2, cfg };
    res[1] = (sm_DescribeConfigsResponseResult_t){
        SM_ERR_UNKNOWN_TOPIC_OR_PARTITION, SM_S("nope"),
        SM_CONFIG_RESOURCE_TOPIC, SM_S("b"), 0, NULL };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = 2;
    resp->ResultsCnt = 2;
    resp->Results = res;
}

static void
dc_res_eq(const sm_DescribeConfigsRequestResource_t *a,
          const sm_DescribeConfigsRequestResource_t *b)
{
    SM_MSG_TEST_EQ(a, b, ResourceType);
    SM_MSG_TEST_STR(a, b, ResourceName);
    ck_assert_int_eq(a->ConfigurationKeysCnt, b->ConfigurationKeysCnt);
    for (int32_t i = 0; i < a->ConfigurationKeysCnt; i++)
        sm_msg_test_str(a->ConfigurationKeys[i], b->ConfigurationKeys[i],
                        "ConfigurationKeys");
}

static void
dc_req_eq(const sm_DescribeConfigsRequest_t *a,
          const sm_DescribeConfigsRequest_t *b)
{
    SM_MSG_TEST_ARRAY(a, b, Resources, dc_res_eq);
    SM_MSG_TEST_EQ(a, b, IncludeSynonyms);
}

static void
dc_syn_eq(const sm_DescribeConfigsResponseSynonym_t *a,
          const sm_DescribeConfigsResponseSynonym_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_STR(a, b, Value);
    SM_MSG_TEST_EQ(a, b, Source);
}

static void
dc_cfg_eq(const sm_DescribeConfigsResponseConfig_t *a,
          const sm_DescribeConfigsResponseConfig_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_STR(a, b, Value);
    SM_MSG_TEST_EQ(a, b, ReadOnly);
    SM_MSG_TEST_EQ(a, b, IsDefault);
    SM_MSG_TEST_EQ(a, b, ConfigSource);
    SM_MSG_TEST_EQ(a, b, IsSensitive);
    SM_MSG_TEST_ARRAY(a, b, Synonyms, dc_syn_eq);
}

static void
dc_result_eq(const sm_DescribeConfigsResponseResult_t *a,
             const sm_DescribeConfigsResponseResult_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_STR(a, b, ErrorMessage);
    SM_MSG_TEST_EQ(a, b, ResourceType);
    SM_MSG_TEST_STR(a, b, ResourceName);
    SM_MSG_TEST_ARRAY(a, b, Configs, dc_cfg_eq);
}

static void
dc_resp_eq(const sm_DescribeConfigsResponse_t *a,
           const sm_DescribeConfigsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Results, dc_result_eq);
}

START_TEST(describeconfigs__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_DESCRIBECONFIGS_MAX_VERSION; v++) {
        sm_DescribeConfigsRequest_t req;

        dc_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(DescribeConfigsRequest, v, &req, dc_req_eq);
    }
}
END_TEST

START_TEST(describeconfigs__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_DESCRIBECONFIGS_MAX_VERSION; v++) {
        sm_DescribeConfigsResponse_t resp;

        dc_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(DescribeConfigsResponse, v, &resp,
                               dc_resp_eq);
    }
}
END_TEST

START_TEST(describeconfigs__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 0, 0, 1,  2,  0, 1, 't',  0xff, 0xff, 0xff, 0xff,
    };
    static const uint8_t v1_req_tail[] = { 1 };
    /* one topic config "a"="1", read-only no, default yes (v0) */
    static const uint8_t v0_resp[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 0,  0xff, 0xff,  2,  0, 1, 't',
        0, 0, 0, 1,  0, 1, 'a',  0, 1, '1',  0,  1,  0,
    };
    /* v1: IsDefault replaced by ConfigSource 5, then an empty synonym list */
    static const uint8_t v1_resp[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 0,  0xff, 0xff,  2,  0, 1, 't',
        0, 0, 0, 1,  0, 1, 'a',  0, 1, '1',  0,  5,  0,  0, 0, 0, 0,
    };
    sm_DescribeConfigsRequestResource_t r = {
        SM_CONFIG_RESOURCE_TOPIC, SM_S("t"), -1, NULL };
    sm_DescribeConfigsRequest_t req = { 0, 1, &r, 1 };
    sm_DescribeConfigsResponseConfig_t c = {
        SM_S("a"), SM_S("1"), 0, 1, SM_DC_SOURCE_DEFAULT, 0, 0, NULL };
    sm_DescribeConfigsResponseResult_t res = {
        0, SM_STR_NULL, SM_CONFIG_RESOURCE_TOPIC, SM_S("t"), 1, &c };
    sm_DescribeConfigsResponse_t resp = { 0, 0, 1, &res };
    sm_DescribeConfigsResponse_t out;
    sm_buf_t buf = SM_BUF_INIT;

    SM_MSG_TEST_BYTES_EQ(DescribeConfigsRequest, 0, &req, v0_req);
    sm_DescribeConfigsRequest_write(&buf, 1, &req);
    ck_assert_uint_eq(buf.len, sizeof(v0_req) + 1);
    ck_assert_mem_eq(buf.data + sizeof(v0_req), v1_req_tail, 1);
    sm_buf_fini(&buf);
    SM_MSG_TEST_BYTES_EQ(DescribeConfigsResponse, 0, &resp, v0_resp);
    SM_MSG_TEST_BYTES_EQ(DescribeConfigsResponse, 1, &resp, v1_resp);
    /* defaults of the fields a version lacks */
    SM_MSG_TEST_PARSE(DescribeConfigsResponse, 0, v0_resp, sizeof(v0_resp),
                      &out);
    ck_assert_int_eq(out.Results[0].Configs[0].ConfigSource, -1);
    ck_assert_int_eq(out.Results[0].Configs[0].IsDefault, 1);
    sm_DescribeConfigsResponse_free(&out);
    SM_MSG_TEST_PARSE(DescribeConfigsResponse, 1, v1_resp, sizeof(v1_resp),
                      &out);
    ck_assert_int_eq(out.Results[0].Configs[0].ConfigSource, 5);
    ck_assert_int_eq(out.Results[0].Configs[0].IsDefault, 0);
    sm_DescribeConfigsResponse_free(&out);
}
END_TEST

START_TEST(describeconfigs__hostile_counts)
{
    static const uint8_t res[] = { 0x7f, 0xff, 0xff, 0xff, 1 };
    static const uint8_t keys[] = {
        0, 0, 0, 1,  2,  0, 1, 't',  0x7f, 0xff, 0xff, 0xff,  1,
    };
    static const uint8_t synonyms[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 0,  0xff, 0xff,  2,  0, 1, 't',
        0, 0, 0, 1,  0, 1, 'a',  0, 1, '1',  0,  5,  0,  0x10, 0, 0, 0,
    };

    SM_MSG_TEST_REJECT(DescribeConfigsRequest, 1, res, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(DescribeConfigsRequest, 1, keys, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(DescribeConfigsResponse, 1, synonyms,
                       SM_ERR__TRUNCATED);
    ck_assert_int_eq(SM_DESCRIBECONFIGS_MAX_VERSION,
                     sm_api_info(SM_API_DescribeConfigs)->max_version);
    SM_MSG_TEST_REJECT(DescribeConfigsRequest,
                       SM_DESCRIBECONFIGS_MAX_VERSION + 1, res,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(describeconfigs__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(DescribeConfigs, dc, SM_DESCRIBECONFIGS_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_describeconfigs(void)
{
    Suite *s = suite_create("describeconfigs");
    TCase *tc = tcase_create("describeconfigs");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, describeconfigs__request_round_trip_every_version);
    tcase_add_test(tc, describeconfigs__response_round_trip_every_version);
    tcase_add_test(tc, describeconfigs__known_bytes);
    tcase_add_test(tc, describeconfigs__hostile_counts);
    tcase_add_test(tc, describeconfigs__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
