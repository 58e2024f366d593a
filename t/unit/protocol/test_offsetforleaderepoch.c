/*
 * test_offsetforleaderepoch.c: the OffsetForLeaderEpoch codec
 * (protocol/offsetforleaderepoch.c), v0-2: round trip at every version
 * (partitions of two topics, grouped on the wire), known bytes of the
 * header's example, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/offsetforleaderepoch.h"

static void
ole_rp_eq(const sm_OffsetForLeaderPartition_t *a,
          const sm_OffsetForLeaderPartition_t *b)
{
    SM_MSG_TEST_STR(a, b, Topic);
    SM_MSG_TEST_EQ(a, b, Partition);
    SM_MSG_TEST_EQ(a, b, CurrentLeaderEpoch);
    SM_MSG_TEST_EQ(a, b, LeaderEpoch);
}

static void
ole_req_eq(const sm_OffsetForLeaderEpochRequest_t *a,
           const sm_OffsetForLeaderEpochRequest_t *b)
{
    SM_MSG_TEST_ARRAY(a, b, Partitions, ole_rp_eq);
}

static void
ole_pe_eq(const sm_EpochEndOffset_t *a, const sm_EpochEndOffset_t *b)
{
    SM_MSG_TEST_STR(a, b, Topic);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_EQ(a, b, Partition);
    SM_MSG_TEST_EQ(a, b, LeaderEpoch);
    SM_MSG_TEST_EQ(a, b, EndOffset);
}

static void
ole_resp_eq(const sm_OffsetForLeaderEpochResponse_t *a,
            const sm_OffsetForLeaderEpochResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Partitions, ole_pe_eq);
}

START_TEST(offsetforleaderepoch__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_OFFSETFORLEADEREPOCH_MAX_VERSION; v++) {
        sm_OffsetForLeaderPartition_t rp[3] = {
            { SM_S("a"), 0, v >= 2 ? 7 : -1, 6 },
            { SM_S("a"), 2, v >= 2 ? 7 : -1, 5 },
            { SM_S("bb"), 1, v >= 2 ? 3 : -1, 3 } };
        sm_EpochEndOffset_t pe[2] = {
            { SM_S("a"), 0, 0, v >= 1 ? 6 : -1, 1532 },
            { SM_S("bb"), SM_ERR_NOT_LEADER_FOR_PARTITION, 1, -1, -1 } };
        sm_OffsetForLeaderEpochRequest_t req = { v, 3, rp };
        sm_OffsetForLeaderEpochResponse_t resp = { v, v >= 2 ? 9 : 0, 2,
                                                   pe };

        SM_MSG_TEST_ROUND_TRIP(OffsetForLeaderEpochRequest, v, &req,
                               ole_req_eq);
        SM_MSG_TEST_ROUND_TRIP(OffsetForLeaderEpochResponse, v, &resp,
                               ole_resp_eq);
    }
}
END_TEST

START_TEST(offsetforleaderepoch__known_bytes)
{
    static const uint8_t v2_req[] = { 0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
                                      0, 0, 0, 0,  0, 0, 0, 5,  0, 0, 0, 4 };
    static const uint8_t v1_resp[] = { 0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
                                       0, 0,  0, 0, 0, 0,  0, 0, 0, 4,
                                       0, 0, 0, 0, 0, 0, 0, 9 };
    sm_OffsetForLeaderPartition_t rp = { SM_S("t"), 0, 5, 4 };
    sm_OffsetForLeaderEpochRequest_t req = { 2, 1, &rp };
    sm_EpochEndOffset_t pe = { SM_S("t"), 0, 0, 4, 9 };
    sm_OffsetForLeaderEpochResponse_t resp = { 1, 0, 1, &pe };

    SM_MSG_TEST_BYTES_EQ(OffsetForLeaderEpochRequest, 2, &req, v2_req);
    SM_MSG_TEST_BYTES_EQ(OffsetForLeaderEpochResponse, 1, &resp, v1_resp);
}
END_TEST

START_TEST(offsetforleaderepoch__hostile_counts)
{
    static const uint8_t topics[] = { 0x40, 0, 0, 0,  0, 1, 't' };
    static const uint8_t parts[] = { 0, 0, 0, 1,  0, 1, 't',
                                     0x7f, 0, 0, 0,  0, 0, 0, 0 };

    SM_MSG_TEST_REJECT(OffsetForLeaderEpochRequest, 0, topics,
                       SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(OffsetForLeaderEpochRequest, 1, parts,
                       SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(OffsetForLeaderEpochResponse, 1, parts,
                       SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(OffsetForLeaderEpochRequest,
                       SM_OFFSETFORLEADEREPOCH_MAX_VERSION + 1, parts,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_offsetforleaderepoch(void)
{
    Suite *s = suite_create("offsetforleaderepoch");
    TCase *tc = tcase_create("offsetforleaderepoch");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, offsetforleaderepoch__round_trip_every_version);
    tcase_add_test(tc, offsetforleaderepoch__known_bytes);
    tcase_add_test(tc, offsetforleaderepoch__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
