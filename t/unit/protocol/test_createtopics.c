/*
 * test_createtopics.c: the CreateTopics codec (protocol/createtopics.c),
 * v0-4, both directions: round trip at every version, known bytes,
 * truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/createtopics.h"

static void
ct_req_sample(int16_t v, sm_CreateTopicsRequest_t *req)
{
    static int32_t b0[] = { 1, 2 }, b1[] = { 2, 3 };
    static sm_CreateTopicsRequestAssignment_t assign[2];
    static sm_CreateTopicsRequestConfig_t configs[2];
    static sm_CreateTopicsRequestTopic_t topics[2];

    assign[0] = (sm_CreateTopicsRequestAssignment_t){ 0, 2, b0 };
    assign[1] = (sm_CreateTopicsRequestAssignment_t){ 1, 2, b1 };
    configs[0] = (sm_CreateTopicsRequestConfig_t){
        SM_S("cleanup.policy"), SM_S("compact") };
    configs[1] = (sm_CreateTopicsRequestConfig_t){
        SM_S("retention.ms"), SM_STR_NULL };
    topics[0] = (sm_CreateTopicsRequestTopic_t){
        SM_S("alpha"), -1, -1, 2, assign, 2, configs };
    topics[1] = (sm_CreateTopicsRequestTopic_t){
        SM_S("b"), 3, 1, 0, NULL, 0, NULL };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->TopicsCnt = 2;
    req->Topics = topics;
    req->TimeoutMs = 30000;
    req->ValidateOnly = v >= 1;
}

static void
ct_resp_sample(int16_t v, sm_CreateTopicsResponse_t *resp)
{
    static sm_CreateTopicsResponseTopic_t topics[2];

    topics[0] = (sm_CreateTopicsResponseTopic_t){
        SM_S("alpha"), 0, SM_STR_NULL };
    topics[1] = (sm_CreateTopicsResponseTopic_t){
        SM_S("b"), SM_ERR_TOPIC_ALREADY_EXISTS,
        v >= 1 ? SM_S("Topic 'b' already exists.") : SM_STR_NULL };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 2 ? 11 : 0;
    resp->TopicsCnt = 2;
    resp->Topics = topics;
}

static void
ct_assign_eq(const sm_CreateTopicsRequestAssignment_t *a,
             const sm_CreateTopicsRequestAssignment_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_I32S(a, b, BrokerIds);
}

static void
ct_config_eq(const sm_CreateTopicsRequestConfig_t *a,
             const sm_CreateTopicsRequestConfig_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_STR(a, b, Value);
}

static void
ct_topic_eq(const sm_CreateTopicsRequestTopic_t *a,
            const sm_CreateTopicsRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_EQ(a, b, NumPartitions);
    SM_MSG_TEST_EQ(a, b, ReplicationFactor);
    SM_MSG_TEST_ARRAY(a, b, Assignments, ct_assign_eq);
    SM_MSG_TEST_ARRAY(a, b, Configs, ct_config_eq);
}

static void
ct_req_eq(const sm_CreateTopicsRequest_t *a, const sm_CreateTopicsRequest_t *b)
{
    SM_MSG_TEST_ARRAY(a, b, Topics, ct_topic_eq);
    SM_MSG_TEST_EQ(a, b, TimeoutMs);
    SM_MSG_TEST_EQ(a, b, ValidateOnly);
}

static void
ct_result_eq(const sm_CreateTopicsResponseTopic_t *a,
             const sm_CreateTopicsResponseTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_STR(a, b, ErrorMessage);
}

static void
ct_resp_eq(const sm_CreateTopicsResponse_t *a,
           const sm_CreateTopicsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Topics, ct_result_eq);
}

START_TEST(createtopics__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_CREATETOPICS_MAX_VERSION; v++) {
        sm_CreateTopicsRequest_t req;

        ct_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(CreateTopicsRequest, v, &req, ct_req_eq);
    }
}
END_TEST

START_TEST(createtopics__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_CREATETOPICS_MAX_VERSION; v++) {
        sm_CreateTopicsResponse_t resp;

        ct_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(CreateTopicsResponse, v, &resp, ct_resp_eq);
    }
}
END_TEST

START_TEST(createtopics__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 1,  0, 0, 0, 0,
        0, 0, 0, 0,  0, 0, 0x03, 0xe8,
    };
    static const uint8_t v1_resp[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0x24,  0, 2, 'n', 'o',
    };
    sm_CreateTopicsRequestTopic_t t = { SM_S("t"), 1, 1, 0, NULL, 0, NULL };
    sm_CreateTopicsRequest_t req = { 0, 1, &t, 1000, 0 };
    sm_CreateTopicsResponseTopic_t rt = {
        SM_S("t"), SM_ERR_TOPIC_ALREADY_EXISTS, SM_S("no") };
    sm_CreateTopicsResponse_t resp = { 1, 0, 1, &rt };

    SM_MSG_TEST_BYTES_EQ(CreateTopicsRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(CreateTopicsResponse, 1, &resp, v1_resp);
}
END_TEST

START_TEST(createtopics__hostile_counts)
{
    static const uint8_t topics[] = { 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
    static const uint8_t assign[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 1,  0x10, 0, 0, 0,
        0, 0, 0, 0,  0, 0, 0x03, 0xe8,
    };
    static const uint8_t brokers[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 1,  0, 0, 0, 1,
        0, 0, 0, 0,  0x7f, 0xff, 0xff, 0xff,  0, 0, 0, 0,  0, 0, 0x03, 0xe8,
    };
    static const uint8_t name_null[] = {
        0, 0, 0, 1,  0xff, 0xff,  0, 0, 0, 1,  0, 1,  0, 0, 0, 0,
        0, 0, 0, 0,  0, 0, 0x03, 0xe8,
    };

    SM_MSG_TEST_REJECT(CreateTopicsRequest, 0, topics, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(CreateTopicsRequest, 0, assign, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(CreateTopicsRequest, 0, brokers, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(CreateTopicsRequest, 0, name_null,
                       SM_ERR__NEGATIVE_LENGTH);
    ck_assert_int_eq(SM_CREATETOPICS_MAX_VERSION,
                     sm_api_info(SM_API_CreateTopics)->max_version);
    SM_MSG_TEST_REJECT(CreateTopicsRequest, SM_CREATETOPICS_MAX_VERSION + 1,
                       topics, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(createtopics__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(CreateTopics, ct, SM_CREATETOPICS_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_createtopics(void)
{
    Suite *s = suite_create("createtopics");
    TCase *tc = tcase_create("createtopics");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, createtopics__request_round_trip_every_version);
    tcase_add_test(tc, createtopics__response_round_trip_every_version);
    tcase_add_test(tc, createtopics__known_bytes);
    tcase_add_test(tc, createtopics__hostile_counts);
    tcase_add_test(tc, createtopics__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
