/*
 * test_offsetdelete.c: the OffsetDelete codec (protocol/offsetdelete.c),
 * v0, both directions: round trip, known bytes, truncation, hostile
 * counts.
 */
#include "msg_test.h"
#include "protocol/offsetdelete.h"

static void
odl_req_eq(const sm_OffsetDeleteRequest_t *a,
           const sm_OffsetDeleteRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    ck_assert_int_eq(a->TopicsCnt, b->TopicsCnt);
    for (int32_t i = 0; i < a->TopicsCnt; i++) {
        SM_MSG_TEST_STR(&a->Topics[i], &b->Topics[i], Name);
        ck_assert_int_eq(a->Topics[i].PartitionsCnt,
                         b->Topics[i].PartitionsCnt);
        for (int32_t j = 0; j < a->Topics[i].PartitionsCnt; j++)
            ck_assert_int_eq(a->Topics[i].Partitions[j],
                             b->Topics[i].Partitions[j]);
    }
}

static void
odl_resp_eq(const sm_OffsetDeleteResponse_t *a,
            const sm_OffsetDeleteResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    ck_assert_int_eq(a->TopicsCnt, b->TopicsCnt);
    for (int32_t i = 0; i < a->TopicsCnt; i++) {
        const sm_OffsetDeleteResponseTopic_t *x = &a->Topics[i];
        const sm_OffsetDeleteResponseTopic_t *y = &b->Topics[i];

        SM_MSG_TEST_STR(x, y, Name);
        ck_assert_int_eq(x->PartitionsCnt, y->PartitionsCnt);
        for (int32_t j = 0; j < x->PartitionsCnt; j++) {
            ck_assert_int_eq(x->Partitions[j].PartitionIndex,
                             y->Partitions[j].PartitionIndex);
            ck_assert_int_eq(x->Partitions[j].ErrorCode,
                             y->Partitions[j].ErrorCode);
        }
    }
}

START_TEST(offsetdelete__round_trip)
{
    static int32_t parts[3] = { 0, 4, 7 };
    static sm_OffsetDeleteRequestTopic_t rt[2] = {
        { SM_S("t1"), 3, parts }, { SM_S("t2"), 0, NULL } };
    static sm_OffsetDeleteResponsePartition_t rp[2] = { { 0, 0 },
                                                        { 4, 86 } };
    static sm_OffsetDeleteResponseTopic_t st[1] = { { SM_S("t1"), 2, rp } };
    sm_OffsetDeleteRequest_t req = { 0, SM_S("g"), 2, rt };
    sm_OffsetDeleteResponse_t resp = { 0, 0, 5, 1, st };

    SM_MSG_TEST_ROUND_TRIP(OffsetDeleteRequest, 0, &req, odl_req_eq);
    SM_MSG_TEST_ROUND_TRIP(OffsetDeleteResponse, 0, &resp, odl_resp_eq);
}
END_TEST

START_TEST(offsetdelete__known_bytes)
{
    static const uint8_t req_v0[] = { 0, 1, 'g',  0, 0, 0, 1,  0, 1, 't',
                                      0, 0, 0, 1,  0, 0, 0, 0 };
    static const uint8_t resp_v0[] = { 0, 69,  0, 0, 0, 0,  0, 0, 0, 0 };
    int32_t p0 = 0;
    sm_OffsetDeleteRequestTopic_t t = { SM_S("t"), 1, &p0 };
    sm_OffsetDeleteRequest_t req = { 0, SM_S("g"), 1, &t };
    sm_OffsetDeleteResponse_t resp = { 0, SM_ERR_GROUP_ID_NOT_FOUND, 0, 0,
                                       NULL };

    SM_MSG_TEST_BYTES_EQ(OffsetDeleteRequest, 0, &req, req_v0);
    SM_MSG_TEST_BYTES_EQ(OffsetDeleteResponse, 0, &resp, resp_v0);
}
END_TEST

START_TEST(offsetdelete__bad_input)
{
    static const uint8_t huge[] = { 0, 1, 'g',  0x00, 0x10, 0, 0,  0, 0 };

    SM_MSG_TEST_REJECT(OffsetDeleteRequest, 0, huge, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(OffsetDeleteRequest, 1, huge,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_offsetdelete(void)
{
    Suite *s = suite_create("offsetdelete");
    TCase *tc = tcase_create("offsetdelete");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, offsetdelete__round_trip);
    tcase_add_test(tc, offsetdelete__known_bytes);
    tcase_add_test(tc, offsetdelete__bad_input);
    suite_add_tcase(s, tc);
    return s;
}
