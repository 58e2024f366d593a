/*
 * test_heartbeat.c: the Heartbeat codec (protocol/heartbeat.c), v0-3, both
 * directions: round trip at every version, known bytes, truncation.
 */
#include "msg_test.h"
#include "protocol/heartbeat.h"

static void
hb_req_sample(int16_t v, sm_HeartbeatRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->GroupId = SM_S("grp");
    req->GenerationId = 42;
    req->MemberId = SM_S("rdkafka-1234");
    req->GroupInstanceId = v >= 3 ? SM_S("inst") : SM_STR_NULL;
}

static void
hb_resp_sample(int16_t v, sm_HeartbeatResponse_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 2 : 0;
    resp->ErrorCode = SM_ERR_REBALANCE_IN_PROGRESS;
}

static void
hb_req_eq(const sm_HeartbeatRequest_t *a, const sm_HeartbeatRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_EQ(a, b, GenerationId);
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
}

static void
hb_resp_eq(const sm_HeartbeatResponse_t *a, const sm_HeartbeatResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

START_TEST(heartbeat__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_HEARTBEAT_MAX_VERSION; v++) {
        sm_HeartbeatRequest_t req;
        sm_HeartbeatResponse_t resp;

        hb_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(HeartbeatRequest, v, &req, hb_req_eq);
        hb_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(HeartbeatResponse, v, &resp, hb_resp_eq);
    }
}
END_TEST

START_TEST(heartbeat__known_bytes)
{
    static const uint8_t v0_req[] = { 0, 1, 'g',  0, 0, 0, 1,  0, 1, 'm' };
    static const uint8_t v3_req[] = {
        0, 1, 'g',  0, 0, 0, 1,  0, 1, 'm',  0xff, 0xff,
    };
    static const uint8_t v0_resp[] = { 0, 27 };
    static const uint8_t v1_resp[] = { 0, 0, 0, 0,  0, 25 };
    sm_HeartbeatRequest_t req = { 0, SM_S("g"), 1, SM_S("m"), SM_STR_NULL };
    sm_HeartbeatResponse_t r0 = { 0, 0, SM_ERR_REBALANCE_IN_PROGRESS };
    sm_HeartbeatResponse_t r1 = { 1, 0, SM_ERR_UNKNOWN_MEMBER_ID };
    sm_HeartbeatRequest_t out;

    SM_MSG_TEST_BYTES_EQ(HeartbeatRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(HeartbeatRequest, 3, &req, v3_req);
    SM_MSG_TEST_BYTES_EQ(HeartbeatResponse, 0, &r0, v0_resp);
    SM_MSG_TEST_BYTES_EQ(HeartbeatResponse, 1, &r1, v1_resp);
    SM_MSG_TEST_PARSE(HeartbeatRequest, 0, v0_req, sizeof(v0_req), &out);
    ck_assert_int_eq(out.GroupInstanceId.len, -1);
    ck_assert_int_eq(out.GenerationId, 1);
}
END_TEST

START_TEST(heartbeat__bad_input)
{
    static const uint8_t null_member[] = { 0, 1, 'g', 0, 0, 0, 1,
                                           0xff, 0xff };

    SM_MSG_TEST_REJECT(HeartbeatRequest, 1, null_member,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(HeartbeatRequest, SM_HEARTBEAT_MAX_VERSION + 1,
                       null_member, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_heartbeat(void)
{
    Suite *s = suite_create("heartbeat");
    TCase *tc = tcase_create("heartbeat");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, heartbeat__round_trip_every_version);
    tcase_add_test(tc, heartbeat__known_bytes);
    tcase_add_test(tc, heartbeat__bad_input);
    suite_add_tcase(s, tc);
    return s;
}
