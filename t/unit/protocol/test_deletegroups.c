/*
 * test_deletegroups.c: the DeleteGroups codec (protocol/deletegroups.c),
 * v0-1, both directions: round trip at every version, known bytes,
 * truncation, hostile counts.
 */
#include "msg_test.h"
#include "protocol/deletegroups.h"

static void
dgr_str_eq(const sm_str_t *a, const sm_str_t *b)
{
    ck_assert_int_eq(a->len, b->len);
    ck_assert_int_eq(memcmp(a->ptr, b->ptr, (size_t)a->len), 0);
}

static void
dgr_req_eq(const sm_DeleteGroupsRequest_t *a,
           const sm_DeleteGroupsRequest_t *b)
{
    SM_MSG_TEST_ARRAY(a, b, GroupsNames, dgr_str_eq);
}

static void
dgr_res_eq(const sm_DeleteGroupsResponseResult_t *a,
           const sm_DeleteGroupsResponseResult_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

static void
dgr_resp_eq(const sm_DeleteGroupsResponse_t *a,
            const sm_DeleteGroupsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Results, dgr_res_eq);
}

START_TEST(deletegroups__round_trip_every_version)
{
    static sm_str_t names[2] = { SM_S("g1"), SM_S("other") };
    static sm_DeleteGroupsResponseResult_t res[2] = {
        { SM_S("g1"), 0 }, { SM_S("other"), 68 } };

    for (int16_t v = 0; v <= SM_DELETEGROUPS_MAX_VERSION; v++) {
        sm_DeleteGroupsRequest_t req = { v, 2, names };
        sm_DeleteGroupsResponse_t resp = { v, 3, 2, res };

        SM_MSG_TEST_ROUND_TRIP(DeleteGroupsRequest, v, &req, dgr_req_eq);
        SM_MSG_TEST_ROUND_TRIP(DeleteGroupsResponse, v, &resp, dgr_resp_eq);
    }
}
END_TEST

START_TEST(deletegroups__known_bytes)
{
    static const uint8_t req_v0[] = { 0, 0, 0, 1, 0, 1, 'g' };
    static const uint8_t resp_v1[] = { 0, 0, 0, 0,  0, 0, 0, 1,
                                       0, 1, 'g',  0, 68 };
    sm_str_t name = SM_S("g");
    sm_DeleteGroupsResponseResult_t r = { SM_S("g"), 68 };
    sm_DeleteGroupsRequest_t req = { 0, 1, &name };
    sm_DeleteGroupsResponse_t resp = { 1, 0, 1, &r };

    SM_MSG_TEST_BYTES_EQ(DeleteGroupsRequest, 0, &req, req_v0);
    SM_MSG_TEST_BYTES_EQ(DeleteGroupsResponse, 1, &resp, resp_v1);
}
END_TEST

START_TEST(deletegroups__bad_input)
{
    static const uint8_t huge[] = { 0x00, 0x10, 0, 0, 0, 1, 'g' };

    SM_MSG_TEST_REJECT(DeleteGroupsRequest, 0, huge, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(DeleteGroupsRequest, SM_DELETEGROUPS_MAX_VERSION + 1,
                       huge, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_deletegroups(void)
{
    Suite *s = suite_create("deletegroups");
    TCase *tc = tcase_create("deletegroups");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, deletegroups__round_trip_every_version);
    tcase_add_test(tc, deletegroups__known_bytes);
    tcase_add_test(tc, deletegroups__bad_input);
    suite_add_tcase(s, tc);
    return s;
}
