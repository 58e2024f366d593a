/*
 * test_describegroups.c: the DescribeGroups codec
 * (protocol/describegroups.c), v0-4, both directions: round trip at every
 * version, known bytes, the AuthorizedOperations default, truncation and
 * hostile counts.
 */
#include "msg_test.h"
#include "protocol/describegroups.h"

static void
dg_req_sample(int16_t v, sm_DescribeGroupsRequest_t *req)
{
    static sm_str_t groups[2];

    groups[0] = SM_S("g1");
    groups[1] = SM_S("g2");
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->GroupsCnt = 2;
    req->Groups = groups;
    req->IncludeAuthorizedOperations = v >= 3;
}

static void
dg_resp_sample(int16_t v, sm_DescribeGroupsResponse_t *resp)
{
    static sm_DescribeGroupsResponseMember_t members[2];
    static sm_DescribeGroupsResponseGroup_t groups[2];

    members[0] = (sm_DescribeGroupsResponseMember_t){
        SM_S("m-1"), v >= 4 ? SM_S("i-1") : SM_STR_NULL, SM_S("rdkafka"),
        SM_S("/127.0.0.1"), SM_B("\0\1"), SM_B("\0\2\3") };
    members[1] = (sm_DescribeGroupsResponseMember_t){
        SM_S("m-2"), SM_STR_NULL, SM_S("c"), SM_S("/::1"), SM_B(""),
        SM_B("") };
    groups[0] = (sm_DescribeGroupsResponseGroup_t){
        0, SM_S("g1"), SM_S("Stable"), SM_S("consumer"), SM_S("range"),
        2, members, v >= 3 ? 0x08 : INT32_MIN };
    groups[1] = (sm_DescribeGroupsResponseGroup_t){
        0, SM_S("g2"), SM_S("Dead"), SM_S(""), SM_S(""), 0, NULL,
        INT32_MIN };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 5 : 0;
    resp->GroupsCnt = 2;
    resp->Groups = groups;
}

static void
dg_req_eq(const sm_DescribeGroupsRequest_t *a,
          const sm_DescribeGroupsRequest_t *b)
{
    ck_assert_int_eq(a->GroupsCnt, b->GroupsCnt);
    for (int32_t i = 0; i < a->GroupsCnt; i++)
        sm_msg_test_str(a->Groups[i], b->Groups[i], "Groups");
    SM_MSG_TEST_EQ(a, b, IncludeAuthorizedOperations);
}

static void
dg_member_eq(const sm_DescribeGroupsResponseMember_t *a,
             const sm_DescribeGroupsResponseMember_t *b)
{
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
    SM_MSG_TEST_STR(a, b, ClientId);
    SM_MSG_TEST_STR(a, b, ClientHost);
    SM_MSG_TEST_BYTES(a, b, MemberMetadata);
    SM_MSG_TEST_BYTES(a, b, MemberAssignment);
}

static void
dg_group_eq(const sm_DescribeGroupsResponseGroup_t *a,
            const sm_DescribeGroupsResponseGroup_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_STR(a, b, GroupState);
    SM_MSG_TEST_STR(a, b, ProtocolType);
    SM_MSG_TEST_STR(a, b, ProtocolData);
    SM_MSG_TEST_ARRAY(a, b, Members, dg_member_eq);
    SM_MSG_TEST_EQ(a, b, AuthorizedOperations);
}

static void
dg_resp_eq(const sm_DescribeGroupsResponse_t *a,
           const sm_DescribeGroupsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Groups, dg_group_eq);
}

START_TEST(describegroups__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_DESCRIBEGROUPS_MAX_VERSION; v++) {
        sm_DescribeGroupsRequest_t req;
        sm_DescribeGroupsResponse_t resp;

        dg_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(DescribeGroupsRequest, v, &req, dg_req_eq);
        dg_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(DescribeGroupsResponse, v, &resp,
                               dg_resp_eq);
    }
}
END_TEST

START_TEST(describegroups__known_bytes)
{
    static const uint8_t v0_req[] = { 0, 0, 0, 1,  0, 1, 'g' };
    static const uint8_t v3_req[] = { 0, 0, 0, 1,  0, 1, 'g',  1 };
    static const uint8_t v0_resp[] = {
        0, 0, 0, 1,  0, 0,  0, 1, 'g',  0, 4, 'D', 'e', 'a', 'd',
        0, 0,  0, 0,  0, 0, 0, 0,
    };
    static const uint8_t v4_resp[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 16,  0, 1, 'g',  0, 0,  0, 0,  0, 0,
        0, 0, 0, 1,  0, 1, 'm',  0xff, 0xff,  0, 1, 'c',  0, 1, 'h',
        0, 0, 0, 0,  0, 0, 0, 1, 9,  0x80, 0, 0, 0,
    };
    sm_str_t name = SM_S("g");
    sm_DescribeGroupsRequest_t req = { 0, 1, &name, 1 };
    sm_DescribeGroupsResponseGroup_t g0 = {
        0, SM_S("g"), SM_S("Dead"), SM_S(""), SM_S(""), 0, NULL, 0 };
    sm_DescribeGroupsResponse_t r0 = { 0, 0, 1, &g0 };
    sm_DescribeGroupsResponseMember_t m = {
        SM_S("m"), SM_STR_NULL, SM_S("c"), SM_S("h"), SM_B(""),
        SM_B("\x09") };
    sm_DescribeGroupsResponseGroup_t g4 = {
        SM_ERR_NOT_COORDINATOR, SM_S("g"), SM_S(""), SM_S(""), SM_S(""),
        1, &m, INT32_MIN };
    sm_DescribeGroupsResponse_t r4 = { 4, 0, 1, &g4 };
    sm_DescribeGroupsResponse_t out;

    SM_MSG_TEST_BYTES_EQ(DescribeGroupsRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(DescribeGroupsRequest, 3, &req, v3_req);
    SM_MSG_TEST_BYTES_EQ(DescribeGroupsResponse, 0, &r0, v0_resp);
    SM_MSG_TEST_BYTES_EQ(DescribeGroupsResponse, 4, &r4, v4_resp);
    SM_MSG_TEST_PARSE(DescribeGroupsResponse, 0, v0_resp, sizeof(v0_resp),
                      &out);
    ck_assert_int_eq(out.Groups[0].AuthorizedOperations, INT32_MIN);
    sm_DescribeGroupsResponse_free(&out);
}
END_TEST

START_TEST(describegroups__hostile_counts)
{
    static const uint8_t members[] = {
        0, 0, 0, 1,  0, 0,  0, 1, 'g',  0, 0,  0, 0,  0, 0,
        0x01, 0, 0, 0,
    };
    static const uint8_t null_groups[] = { 0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(DescribeGroupsResponse, 0, members,
                       SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(DescribeGroupsRequest, 0, null_groups,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(DescribeGroupsRequest,
                       SM_DESCRIBEGROUPS_MAX_VERSION + 1, null_groups,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_describegroups(void)
{
    Suite *s = suite_create("describegroups");
    TCase *tc = tcase_create("describegroups");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, describegroups__round_trip_every_version);
    tcase_add_test(tc, describegroups__known_bytes);
    tcase_add_test(tc, describegroups__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
