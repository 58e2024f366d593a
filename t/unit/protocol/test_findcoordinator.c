/*
 * test_findcoordinator.c: the FindCoordinator codec
 * (protocol/findcoordinator.c), v0-2, both directions: round trip at every
 * version, known bytes, truncation, version bounds.
 */
#include "msg_test.h"
#include "protocol/findcoordinator.h"

static void
fc_req_sample(int16_t v, sm_FindCoordinatorRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->Key = SM_S("my-group");
    req->KeyType = v >= 1 ? SM_COORDINATOR_KEY_TRANSACTION : 0;
}

static void
fc_resp_sample(int16_t v, sm_FindCoordinatorResponse_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 7 : 0;
    resp->ErrorCode = v == 2 ? SM_ERR_COORDINATOR_NOT_AVAILABLE : 0;
    resp->ErrorMessage = v == 2 ? SM_S("not yet") : SM_STR_NULL;
    resp->NodeId = 3;
    resp->Host = SM_S("localhost");
    resp->Port = 9092;
}

static void
fc_req_eq(const sm_FindCoordinatorRequest_t *a,
          const sm_FindCoordinatorRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, Key);
    SM_MSG_TEST_EQ(a, b, KeyType);
}

static void
fc_resp_eq(const sm_FindCoordinatorResponse_t *a,
           const sm_FindCoordinatorResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_STR(a, b, ErrorMessage);
    SM_MSG_TEST_EQ(a, b, NodeId);
    SM_MSG_TEST_STR(a, b, Host);
    SM_MSG_TEST_EQ(a, b, Port);
}

START_TEST(findcoordinator__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_FINDCOORDINATOR_MAX_VERSION; v++) {
        sm_FindCoordinatorRequest_t req;
        sm_FindCoordinatorResponse_t resp;

        fc_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(FindCoordinatorRequest, v, &req, fc_req_eq);
        fc_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(FindCoordinatorResponse, v, &resp,
                               fc_resp_eq);
    }
}
END_TEST

START_TEST(findcoordinator__known_bytes)
{
    static const uint8_t v0_req[] = { 0, 1, 'g' };
    static const uint8_t v1_req[] = { 0, 1, 'g', 0 };
    static const uint8_t v0_resp[] = {
        0, 0,  0, 0, 0, 1,  0, 1, 'h',  0, 0, 0x23, 0x84,
    };
    static const uint8_t v1_resp[] = {
        0, 0, 0, 0,  0, 15,  0xff, 0xff,  0xff, 0xff, 0xff, 0xff,
        0, 0,  0xff, 0xff, 0xff, 0xff,
    };
    sm_FindCoordinatorRequest_t req = { 0, SM_S("g"), 0 };
    sm_FindCoordinatorResponse_t r0 = {
        0, 0, 0, SM_STR_NULL, 1, SM_S("h"), 9092 };
    sm_FindCoordinatorResponse_t r1 = {
        1, 0, SM_ERR_COORDINATOR_NOT_AVAILABLE, SM_STR_NULL, -1,
        SM_S(""), -1 };
    sm_FindCoordinatorResponse_t out;

    SM_MSG_TEST_BYTES_EQ(FindCoordinatorRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(FindCoordinatorRequest, 1, &req, v1_req);
    SM_MSG_TEST_BYTES_EQ(FindCoordinatorResponse, 0, &r0, v0_resp);
    SM_MSG_TEST_BYTES_EQ(FindCoordinatorResponse, 1, &r1, v1_resp);
    SM_MSG_TEST_PARSE(FindCoordinatorResponse, 1, v1_resp, sizeof(v1_resp),
                      &out);
    ck_assert_int_eq(out.ErrorMessage.len, -1);
    ck_assert_int_eq(out.NodeId, -1);
}
END_TEST

START_TEST(findcoordinator__bad_input)
{
    static const uint8_t null_key[] = { 0xff, 0xff };

    SM_MSG_TEST_REJECT(FindCoordinatorRequest, 0, null_key,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(FindCoordinatorRequest,
                       SM_FINDCOORDINATOR_MAX_VERSION + 1, null_key,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_findcoordinator(void)
{
    Suite *s = suite_create("findcoordinator");
    TCase *tc = tcase_create("findcoordinator");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, findcoordinator__round_trip_every_version);
    tcase_add_test(tc, findcoordinator__known_bytes);
    tcase_add_test(tc, findcoordinator__bad_input);
    suite_add_tcase(s, tc);
    return s;
}
