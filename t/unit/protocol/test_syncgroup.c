/*
 * test_syncgroup.c: the SyncGroup codec (protocol/syncgroup.c), v0-3, both
 * directions: round trip at every version, known bytes, truncation.
 */
#include "msg_test.h"
#include "protocol/syncgroup.h"

static void
sg_req_sample(int16_t v, sm_SyncGroupRequest_t *req)
{
    static sm_SyncGroupRequestAssignment_t as[2];

    as[0] = (sm_SyncGroupRequestAssignment_t){ SM_S("m-1"), SM_B("\0\1") };
    as[1] = (sm_SyncGroupRequestAssignment_t){ SM_S("m-2"), SM_B("") };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->GroupId = SM_S("group-1");
    req->GenerationId = 3;
    req->MemberId = SM_S("m-1");
    req->GroupInstanceId = v >= 3 ? SM_S("i") : SM_STR_NULL;
    req->AssignmentsCnt = 2;
    req->Assignments = as;
}

static void
sg_resp_sample(int16_t v, sm_SyncGroupResponse_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 9 : 0;
    resp->ErrorCode = 0;
    resp->Assignment = SM_B("\0\0\0\0\0\1");
}

static void
sg_as_eq(const sm_SyncGroupRequestAssignment_t *a,
         const sm_SyncGroupRequestAssignment_t *b)
{
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_BYTES(a, b, Assignment);
}

static void
sg_req_eq(const sm_SyncGroupRequest_t *a, const sm_SyncGroupRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_EQ(a, b, GenerationId);
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
    SM_MSG_TEST_ARRAY(a, b, Assignments, sg_as_eq);
}

static void
sg_resp_eq(const sm_SyncGroupResponse_t *a, const sm_SyncGroupResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_BYTES(a, b, Assignment);
}

START_TEST(syncgroup__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_SYNCGROUP_MAX_VERSION; v++) {
        sm_SyncGroupRequest_t req;
        sm_SyncGroupResponse_t resp;

        sg_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(SyncGroupRequest, v, &req, sg_req_eq);
        sg_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(SyncGroupResponse, v, &resp, sg_resp_eq);
    }
}
END_TEST

START_TEST(syncgroup__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 1, 'g',  0, 0, 0, 1,  0, 1, 'm',  0, 0, 0, 1,
        0, 1, 'm',  0, 0, 0, 2, 1, 2,
    };
    static const uint8_t v0_resp[] = { 0, 0,  0, 0, 0, 2, 1, 2 };
    static const uint8_t v1_resp_null[] = { 0, 0, 0, 0,  0, 22,
                                            0, 0, 0, 0 };
    sm_SyncGroupRequestAssignment_t as = { SM_S("m"), SM_B("\1\2") };
    sm_SyncGroupRequest_t req = { 0, SM_S("g"), 1, SM_S("m"), SM_STR_NULL,
                                  1, &as };
    sm_SyncGroupResponse_t r0 = { 0, 0, 0, SM_B("\1\2") };
    /* A null assignment goes out as empty bytes: the field is not
     * nullable. */
    sm_SyncGroupResponse_t r1 = { 1, 0, SM_ERR_ILLEGAL_GENERATION,
                                  SM_BYTES_NULL };

    SM_MSG_TEST_BYTES_EQ(SyncGroupRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(SyncGroupResponse, 0, &r0, v0_resp);
    SM_MSG_TEST_BYTES_EQ(SyncGroupResponse, 1, &r1, v1_resp_null);
}
END_TEST

START_TEST(syncgroup__hostile_counts)
{
    static const uint8_t as[] = {
        0, 1, 'g',  0, 0, 0, 1,  0, 1, 'm',  0, 0x10, 0, 0,
    };
    static const uint8_t null_as[] = { 0, 0, 0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(SyncGroupRequest, 0, as, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(SyncGroupResponse, 0, null_as,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(SyncGroupRequest, SM_SYNCGROUP_MAX_VERSION + 1, as,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_syncgroup(void)
{
    Suite *s = suite_create("syncgroup");
    TCase *tc = tcase_create("syncgroup");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, syncgroup__round_trip_every_version);
    tcase_add_test(tc, syncgroup__known_bytes);
    tcase_add_test(tc, syncgroup__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
