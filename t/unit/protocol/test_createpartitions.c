/*
 * test_createpartitions.c: the CreatePartitions codec
 * (protocol/createpartitions.c), v0-1, both directions: round trip at every
 * version, known bytes, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/createpartitions.h"

static void
cp_req_sample(int16_t v, sm_CreatePartitionsRequest_t *req)
{
    static int32_t b0[] = { 1, 2 }, b1[] = { 3 };
    static sm_CreatePartitionsRequestAssignment_t assign[2];
    static sm_CreatePartitionsRequestTopic_t topics[3];

    assign[0] = (sm_CreatePartitionsRequestAssignment_t){ 2, b0 };
    assign[1] = (sm_CreatePartitionsRequestAssignment_t){ 1, b1 };
    topics[0] = (sm_CreatePartitionsRequestTopic_t){
        SM_S("alpha"), 5, 2, assign };
    topics[1] = (sm_CreatePartitionsRequestTopic_t){
        SM_S("b"), 2, -1, NULL };              /* null: broker assigns */
    topics[2] = (sm_CreatePartitionsRequestTopic_t){
        SM_S("c"), 9, 0, NULL };               /* empty */
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->TopicsCnt = 3;
    req->Topics = topics;
    req->TimeoutMs = 25000;
    req->ValidateOnly = 1;
}

static void
cp_resp_sample(int16_t v, sm_CreatePartitionsResponse_t *resp)
{
    static sm_CreatePartitionsResponseResult_t results[2];

    results[0] = (sm_CreatePartitionsResponseResult_t){
        SM_S("alpha"), 0, SM_STR_NULL };
    results[1] = (sm_CreatePartitionsResponseResult_t){
        SM_S("b"), SM_ERR_INVALID_PARTITIONS, SM_S("too few") };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = 8;
    resp->ResultsCnt = 2;
    resp->Results = results;
}

static void
cp_assign_eq(const sm_CreatePartitionsRequestAssignment_t *a,
             const sm_CreatePartitionsRequestAssignment_t *b)
{
    SM_MSG_TEST_I32S(a, b, BrokerIds);
}

static void
cp_topic_eq(const sm_CreatePartitionsRequestTopic_t *a,
            const sm_CreatePartitionsRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_EQ(a, b, Count);
    SM_MSG_TEST_ARRAY(a, b, Assignments, cp_assign_eq);
}

static void
cp_req_eq(const sm_CreatePartitionsRequest_t *a,
          const sm_CreatePartitionsRequest_t *b)
{
    SM_MSG_TEST_ARRAY(a, b, Topics, cp_topic_eq);
    SM_MSG_TEST_EQ(a, b, TimeoutMs);
    SM_MSG_TEST_EQ(a, b, ValidateOnly);
}

static void
cp_result_eq(const sm_CreatePartitionsResponseResult_t *a,
             const sm_CreatePartitionsResponseResult_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_STR(a, b, ErrorMessage);
}

static void
cp_resp_eq(const sm_CreatePartitionsResponse_t *a,
           const sm_CreatePartitionsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Results, cp_result_eq);
}

START_TEST(createpartitions__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_CREATEPARTITIONS_MAX_VERSION; v++) {
        sm_CreatePartitionsRequest_t req;

        cp_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(CreatePartitionsRequest, v, &req, cp_req_eq);
    }
}
END_TEST

START_TEST(createpartitions__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_CREATEPARTITIONS_MAX_VERSION; v++) {
        sm_CreatePartitionsResponse_t resp;

        cp_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(CreatePartitionsResponse, v, &resp,
                               cp_resp_eq);
    }
}
END_TEST

START_TEST(createpartitions__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 3,  0xff, 0xff, 0xff, 0xff,
        0, 0, 0x03, 0xe8,  0,
    };
    static const uint8_t v0_resp[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 0,  0xff, 0xff,
    };
    sm_CreatePartitionsRequestTopic_t t = { SM_S("t"), 3, -1, NULL };
    sm_CreatePartitionsRequest_t req = { 0, 1, &t, 1000, 0 };
    sm_CreatePartitionsResponseResult_t r = { SM_S("t"), 0, SM_STR_NULL };
    sm_CreatePartitionsResponse_t resp = { 0, 0, 1, &r };

    SM_MSG_TEST_BYTES_EQ(CreatePartitionsRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(CreatePartitionsResponse, 0, &resp, v0_resp);
}
END_TEST

START_TEST(createpartitions__hostile_counts)
{
    static const uint8_t topics[] = { 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0,
                                      0 };
    static const uint8_t assign[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 3,  0x20, 0, 0, 0,
        0, 0, 0x03, 0xe8,  0,
    };
    static const uint8_t brokers[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 3,  0, 0, 0, 1,
        0xff, 0xff, 0xff, 0xff,  0, 0, 0x03, 0xe8,  0,
    };

    SM_MSG_TEST_REJECT(CreatePartitionsRequest, 0, topics,
                       SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(CreatePartitionsRequest, 0, assign,
                       SM_ERR__TRUNCATED);
    /* BrokerIds is not nullable */
    SM_MSG_TEST_REJECT(CreatePartitionsRequest, 1, brokers,
                       SM_ERR__NEGATIVE_LENGTH);
    ck_assert_int_eq(SM_CREATEPARTITIONS_MAX_VERSION,
                     sm_api_info(SM_API_CreatePartitions)->max_version);
    SM_MSG_TEST_REJECT(CreatePartitionsRequest,
                       SM_CREATEPARTITIONS_MAX_VERSION + 1, topics,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(createpartitions__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(CreatePartitions, cp,
                          SM_CREATEPARTITIONS_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_createpartitions(void)
{
    Suite *s = suite_create("createpartitions");
    TCase *tc = tcase_create("createpartitions");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, createpartitions__request_round_trip_every_version);
    tcase_add_test(tc, createpartitions__response_round_trip_every_version);
    tcase_add_test(tc, createpartitions__known_bytes);
    tcase_add_test(tc, createpartitions__hostile_counts);
    tcase_add_test(tc,
                   createpartitions__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
