/*
 * test_leavegroup.c: the LeaveGroup codec (protocol/leavegroup.c), v0-3,
 * both directions: round trip at every version (single member v0-2, batch
 * v3), known bytes, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/leavegroup.h"

static void
lg_req_sample(int16_t v, sm_LeaveGroupRequest_t *req)
{
    static sm_LeaveGroupRequestMember_t members[2];

    members[0] = (sm_LeaveGroupRequestMember_t){ SM_S("m-1"), SM_STR_NULL };
    members[1] = (sm_LeaveGroupRequestMember_t){ SM_S(""), SM_S("i-2") };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->GroupId = SM_S("group-1");
    req->MemberId = v <= 2 ? SM_S("m-1") : SM_S("");
    req->MembersCnt = v >= 3 ? 2 : 0;
    req->Members = v >= 3 ? members : NULL;
}

static void
lg_resp_sample(int16_t v, sm_LeaveGroupResponse_t *resp)
{
    static sm_LeaveGroupResponseMember_t members[1];

    members[0] = (sm_LeaveGroupResponseMember_t){
        SM_S("m-1"), SM_STR_NULL, SM_ERR_UNKNOWN_MEMBER_ID };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 1 : 0;
    resp->ErrorCode = v >= 3 ? 0 : SM_ERR_UNKNOWN_MEMBER_ID;
    resp->MembersCnt = v >= 3 ? 1 : 0;
    resp->Members = v >= 3 ? members : NULL;
}

static void
lg_rqm_eq(const sm_LeaveGroupRequestMember_t *a,
          const sm_LeaveGroupRequestMember_t *b)
{
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
}

static void
lg_req_eq(const sm_LeaveGroupRequest_t *a, const sm_LeaveGroupRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_ARRAY(a, b, Members, lg_rqm_eq);
}

static void
lg_rsm_eq(const sm_LeaveGroupResponseMember_t *a,
          const sm_LeaveGroupResponseMember_t *b)
{
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

static void
lg_resp_eq(const sm_LeaveGroupResponse_t *a, const sm_LeaveGroupResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_ARRAY(a, b, Members, lg_rsm_eq);
}

START_TEST(leavegroup__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_LEAVEGROUP_MAX_VERSION; v++) {
        sm_LeaveGroupRequest_t req;
        sm_LeaveGroupResponse_t resp;

        lg_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(LeaveGroupRequest, v, &req, lg_req_eq);
        lg_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(LeaveGroupResponse, v, &resp, lg_resp_eq);
    }
}
END_TEST

START_TEST(leavegroup__known_bytes)
{
    static const uint8_t v0_req[] = { 0, 1, 'g',  0, 1, 'm' };
    static const uint8_t v3_req[] = {
        0, 1, 'g',  0, 0, 0, 1,  0, 1, 'm',  0xff, 0xff,
    };
    static const uint8_t v3_resp[] = {
        0, 0, 0, 0,  0, 0,  0, 0, 0, 1,  0, 1, 'm',  0xff, 0xff,  0, 25,
    };
    sm_LeaveGroupRequestMember_t rqm = { SM_S("m"), SM_STR_NULL };
    sm_LeaveGroupRequest_t r0 = { 0, SM_S("g"), SM_S("m"), 0, NULL };
    sm_LeaveGroupRequest_t r3 = { 3, SM_S("g"), SM_STR_NULL, 1, &rqm };
    sm_LeaveGroupResponseMember_t rsm = { SM_S("m"), SM_STR_NULL,
                                          SM_ERR_UNKNOWN_MEMBER_ID };
    sm_LeaveGroupResponse_t p3 = { 3, 0, 0, 1, &rsm };

    SM_MSG_TEST_BYTES_EQ(LeaveGroupRequest, 0, &r0, v0_req);
    SM_MSG_TEST_BYTES_EQ(LeaveGroupRequest, 3, &r3, v3_req);
    SM_MSG_TEST_BYTES_EQ(LeaveGroupResponse, 3, &p3, v3_resp);
}
END_TEST

START_TEST(leavegroup__hostile_counts)
{
    static const uint8_t members[] = { 0, 1, 'g',  0x7f, 0xff, 0xff, 0xff };
    static const uint8_t null_members[] = { 0, 1, 'g',
                                            0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(LeaveGroupRequest, 3, members, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(LeaveGroupRequest, 3, null_members,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(LeaveGroupRequest, SM_LEAVEGROUP_MAX_VERSION + 1,
                       members, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_leavegroup(void)
{
    Suite *s = suite_create("leavegroup");
    TCase *tc = tcase_create("leavegroup");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, leavegroup__round_trip_every_version);
    tcase_add_test(tc, leavegroup__known_bytes);
    tcase_add_test(tc, leavegroup__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
