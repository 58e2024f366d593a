/*
 * test_deletetopics.c: the DeleteTopics codec (protocol/deletetopics.c),
 * v0-3, both directions: round trip at every version, known bytes,
 * truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/deletetopics.h"

static void
dt_req_sample(int16_t v, sm_DeleteTopicsRequest_t *req)
{
    static sm_str_t names[3];

    names[0] = SM_S("alpha");
    names[1] = SM_S("b");
    names[2] = SM_S("");
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->TopicNamesCnt = 3;
    req->TopicNames = names;
    req->TimeoutMs = 15000;
}

static void
dt_resp_sample(int16_t v, sm_DeleteTopicsResponse_t *resp)
{
    static sm_DeleteTopicsResponseTopic_t results[2];

    results[0] = (sm_DeleteTopicsResponseTopic_t){ SM_S("alpha"), 0 };
    results[1] = (sm_DeleteTopicsResponseTopic_t){
        SM_S("b"), SM_ERR_UNKNOWN_TOPIC_OR_PARTITION };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 4 : 0;
    resp->ResponsesCnt = 2;
    resp->Responses = results;
}

static void
dt_req_eq(const sm_DeleteTopicsRequest_t *a, const sm_DeleteTopicsRequest_t *b)
{
    ck_assert_int_eq(a->TopicNamesCnt, b->TopicNamesCnt);
    for (int32_t i = 0; i < a->TopicNamesCnt; i++)
        sm_msg_test_str(a->TopicNames[i], b->TopicNames[i], "TopicNames");
    SM_MSG_TEST_EQ(a, b, TimeoutMs);
}

static void
dt_result_eq(const sm_DeleteTopicsResponseTopic_t *a,
             const sm_DeleteTopicsResponseTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

static void
dt_resp_eq(const sm_DeleteTopicsResponse_t *a,
           const sm_DeleteTopicsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Responses, dt_result_eq);
}

START_TEST(deletetopics__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_DELETETOPICS_MAX_VERSION; v++) {
        sm_DeleteTopicsRequest_t req;

        dt_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(DeleteTopicsRequest, v, &req, dt_req_eq);
    }
}
END_TEST

START_TEST(deletetopics__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_DELETETOPICS_MAX_VERSION; v++) {
        sm_DeleteTopicsResponse_t resp;

        dt_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(DeleteTopicsResponse, v, &resp, dt_resp_eq);
    }
}
END_TEST

START_TEST(deletetopics__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0x03, 0xe8,
    };
    static const uint8_t v1_resp[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 3,
    };
    sm_str_t name = SM_S("t");
    sm_DeleteTopicsRequest_t req = { 0, 1, &name, 1000 };
    sm_DeleteTopicsResponseTopic_t rt = {
        SM_S("t"), SM_ERR_UNKNOWN_TOPIC_OR_PARTITION };
    sm_DeleteTopicsResponse_t resp = { 1, 0, 1, &rt };

    SM_MSG_TEST_BYTES_EQ(DeleteTopicsRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(DeleteTopicsResponse, 1, &resp, v1_resp);
}
END_TEST

START_TEST(deletetopics__hostile_counts)
{
    static const uint8_t names[] = { 0x40, 0, 0, 0,  0, 1, 't',
                                     0, 0, 0x03, 0xe8 };
    static const uint8_t null[] = { 0xff, 0xff, 0xff, 0xff,
                                    0, 0, 0x03, 0xe8 };
    static const uint8_t results[] = { 0, 0, 0, 0,  0x7f, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(DeleteTopicsRequest, 0, names, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(DeleteTopicsRequest, 3, null,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(DeleteTopicsResponse, 1, results, SM_ERR__TRUNCATED);
    ck_assert_int_eq(SM_DELETETOPICS_MAX_VERSION,
                     sm_api_info(SM_API_DeleteTopics)->max_version);
    SM_MSG_TEST_REJECT(DeleteTopicsRequest, SM_DELETETOPICS_MAX_VERSION + 1,
                       names, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(deletetopics__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(DeleteTopics, dt, SM_DELETETOPICS_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_deletetopics(void)
{
    Suite *s = suite_create("deletetopics");
    TCase *tc = tcase_create("deletetopics");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, deletetopics__request_round_trip_every_version);
    tcase_add_test(tc, deletetopics__response_round_trip_every_version);
    tcase_add_test(tc, deletetopics__known_bytes);
    tcase_add_test(tc, deletetopics__hostile_counts);
    tcase_add_test(tc, deletetopics__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
