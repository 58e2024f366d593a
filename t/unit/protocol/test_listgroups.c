/*
 * test_listgroups.c: the ListGroups codec (protocol/listgroups.c), v0-2,
 * both directions: empty request, round trip at every version, known
 * bytes, truncation.
 */
#include "msg_test.h"
#include "protocol/listgroups.h"

static void
lgr_resp_sample(int16_t v, sm_ListGroupsResponse_t *resp)
{
    static sm_ListGroupsResponseGroup_t groups[2];

    groups[0] = (sm_ListGroupsResponseGroup_t){ SM_S("g1"),
                                                SM_S("consumer") };
    groups[1] = (sm_ListGroupsResponseGroup_t){ SM_S("connect"),
                                                SM_S("") };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 8 : 0;
    resp->ErrorCode = 0;
    resp->GroupsCnt = 2;
    resp->Groups = groups;
}

static void
lgr_group_eq(const sm_ListGroupsResponseGroup_t *a,
             const sm_ListGroupsResponseGroup_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_STR(a, b, ProtocolType);
}

static void
lgr_resp_eq(const sm_ListGroupsResponse_t *a,
            const sm_ListGroupsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_ARRAY(a, b, Groups, lgr_group_eq);
}

static void
lgr_req_eq(const sm_ListGroupsRequest_t *a, const sm_ListGroupsRequest_t *b)
{
    (void)a;
    (void)b;
}

START_TEST(listgroups__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_LISTGROUPS_MAX_VERSION; v++) {
        sm_ListGroupsRequest_t req = { v };
        sm_ListGroupsResponse_t resp;

        SM_MSG_TEST_ROUND_TRIP(ListGroupsRequest, v, &req, lgr_req_eq);
        lgr_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(ListGroupsResponse, v, &resp, lgr_resp_eq);
    }
}
END_TEST

START_TEST(listgroups__known_bytes)
{
    static const uint8_t v0_resp[] = {
        0, 0,  0, 0, 0, 1,  0, 1, 'g',
        0, 8, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r',
    };
    static const uint8_t v1_resp[] = { 0, 0, 0, 0,  0, 15,  0, 0, 0, 0 };
    sm_ListGroupsResponseGroup_t g = { SM_S("g"), SM_S("consumer") };
    sm_ListGroupsResponse_t r0 = { 0, 0, 0, 1, &g };
    sm_ListGroupsResponse_t r1 = { 1, 0, SM_ERR_COORDINATOR_NOT_AVAILABLE,
                                   0, NULL };
    sm_ListGroupsRequest_t req = { 0 };
    sm_buf_t buf = SM_BUF_INIT;

    SM_MSG_TEST_BYTES_EQ(ListGroupsResponse, 0, &r0, v0_resp);
    SM_MSG_TEST_BYTES_EQ(ListGroupsResponse, 1, &r1, v1_resp);
    sm_ListGroupsRequest_write(&buf, 2, &req);
    ck_assert_uint_eq(buf.len, 0);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(listgroups__bad_input)
{
    static const uint8_t groups[] = { 0, 0,  0x00, 0x10, 0, 0 };

    SM_MSG_TEST_REJECT(ListGroupsResponse, 0, groups, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ListGroupsRequest, SM_LISTGROUPS_MAX_VERSION + 1,
                       groups, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_listgroups(void)
{
    Suite *s = suite_create("listgroups");
    TCase *tc = tcase_create("listgroups");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, listgroups__round_trip_every_version);
    tcase_add_test(tc, listgroups__known_bytes);
    tcase_add_test(tc, listgroups__bad_input);
    suite_add_tcase(s, tc);
    return s;
}
