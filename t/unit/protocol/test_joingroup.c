/*
 * test_joingroup.c: the JoinGroup codec (protocol/joingroup.c), v0-5, both
 * directions: round trip at every version, known bytes, the v0 rebalance
 * timeout default, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/joingroup.h"

static void
jg_req_sample(int16_t v, sm_JoinGroupRequest_t *req)
{
    static sm_JoinGroupRequestProtocol_t protos[2];

    protos[0] = (sm_JoinGroupRequestProtocol_t){
        SM_S("range"), SM_B("\0\0\0\0\0\1\0\1t\0\0\0\0") };
    protos[1] = (sm_JoinGroupRequestProtocol_t){
        SM_S("roundrobin"), SM_B("") };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->GroupId = SM_S("group-1");
    req->SessionTimeoutMs = 10000;
    req->RebalanceTimeoutMs = v >= 1 ? 300000 : 10000;
    req->MemberId = SM_S("");
    req->GroupInstanceId = v >= 5 ? SM_S("static-1") : SM_STR_NULL;
    req->ProtocolType = SM_S("consumer");
    req->ProtocolsCnt = 2;
    req->Protocols = protos;
}

static void
jg_resp_sample(int16_t v, sm_JoinGroupResponse_t *resp)
{
    static sm_JoinGroupResponseMember_t members[2];

    members[0] = (sm_JoinGroupResponseMember_t){
        SM_S("m-1"), SM_STR_NULL, SM_B("\0\0") };
    members[1] = (sm_JoinGroupResponseMember_t){
        SM_S("m-2"), v >= 5 ? SM_S("i-2") : SM_STR_NULL, SM_B("x") };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 2 ? 11 : 0;
    resp->ErrorCode = 0;
    resp->GenerationId = 5;
    resp->ProtocolName = SM_S("range");
    resp->Leader = SM_S("m-1");
    resp->MemberId = SM_S("m-1");
    resp->MembersCnt = 2;
    resp->Members = members;
}

static void
jg_proto_eq(const sm_JoinGroupRequestProtocol_t *a,
            const sm_JoinGroupRequestProtocol_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_BYTES(a, b, Metadata);
}

static void
jg_req_eq(const sm_JoinGroupRequest_t *a, const sm_JoinGroupRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_EQ(a, b, SessionTimeoutMs);
    SM_MSG_TEST_EQ(a, b, RebalanceTimeoutMs);
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
    SM_MSG_TEST_STR(a, b, ProtocolType);
    SM_MSG_TEST_ARRAY(a, b, Protocols, jg_proto_eq);
}

static void
jg_member_eq(const sm_JoinGroupResponseMember_t *a,
             const sm_JoinGroupResponseMember_t *b)
{
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
    SM_MSG_TEST_BYTES(a, b, Metadata);
}

static void
jg_resp_eq(const sm_JoinGroupResponse_t *a, const sm_JoinGroupResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_EQ(a, b, GenerationId);
    SM_MSG_TEST_STR(a, b, ProtocolName);
    SM_MSG_TEST_STR(a, b, Leader);
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_ARRAY(a, b, Members, jg_member_eq);
}

START_TEST(joingroup__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_JOINGROUP_MAX_VERSION; v++) {
        sm_JoinGroupRequest_t req;
        sm_JoinGroupResponse_t resp;

        jg_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(JoinGroupRequest, v, &req, jg_req_eq);
        jg_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(JoinGroupResponse, v, &resp, jg_resp_eq);
    }
}
END_TEST

START_TEST(joingroup__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 1, 'g',  0, 0, 0x27, 0x10,  0, 0,
        0, 8, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r',  0, 0, 0, 1,
        0, 5, 'r', 'a', 'n', 'g', 'e',  0, 0, 0, 1, 1,
    };
    static const uint8_t v4_resp[] = {
        0, 0, 0, 0,  0, 79,  0xff, 0xff, 0xff, 0xff,  0, 0,  0, 0,
        0, 3, 'm', '-', '1',  0, 0, 0, 0,
    };
    sm_JoinGroupRequestProtocol_t proto = { SM_S("range"), SM_B("\1") };
    sm_JoinGroupRequest_t req = {
        0, SM_S("g"), 10000, 10000, SM_S(""), SM_STR_NULL, SM_S("consumer"),
        1, &proto };
    sm_JoinGroupResponse_t resp = {
        4, 0, SM_ERR_MEMBER_ID_REQUIRED, -1, SM_S(""), SM_S(""),
        SM_S("m-1"), 0, NULL };
    sm_JoinGroupRequest_t out;

    SM_MSG_TEST_BYTES_EQ(JoinGroupRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(JoinGroupResponse, 4, &resp, v4_resp);
    /* v0 has no rebalance timeout: the session timeout stands in. */
    SM_MSG_TEST_PARSE(JoinGroupRequest, 0, v0_req, sizeof(v0_req), &out);
    ck_assert_int_eq(out.RebalanceTimeoutMs, 10000);
    ck_assert_int_eq(out.GroupInstanceId.len, -1);
    ck_assert_int_eq(out.ProtocolsCnt, 1);
    ck_assert_int_eq(out.Protocols[0].Metadata.len, 1);
    sm_JoinGroupRequest_free(&out);
}
END_TEST

START_TEST(joingroup__hostile_counts)
{
    static const uint8_t protos[] = {
        0, 1, 'g',  0, 0, 0x27, 0x10,  0, 0,  0, 0,  0x10, 0, 0, 0,
    };
    static const uint8_t null_protos[] = {
        0, 1, 'g',  0, 0, 0x27, 0x10,  0, 0,  0, 0,  0xff, 0xff, 0xff, 0xff,
    };

    SM_MSG_TEST_REJECT(JoinGroupRequest, 0, protos, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(JoinGroupRequest, 0, null_protos,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(JoinGroupRequest, SM_JOINGROUP_MAX_VERSION + 1,
                       protos, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_joingroup(void)
{
    Suite *s = suite_create("joingroup");
    TCase *tc = tcase_create("joingroup");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, joingroup__round_trip_every_version);
    tcase_add_test(tc, joingroup__known_bytes);
    tcase_add_test(tc, joingroup__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
