/*
 * test_electleaders.c: the ElectLeaders codec (protocol/electleaders.c),
 * v0-1, both directions: round trip at every version (null and present
 * TopicPartitions, null and present ErrorMessage), known bytes of the
 * fields v1 adds, defaults of fields absent in v0, truncation and hostile
 * counts.
 */
#include "msg_test.h"
#include "protocol/electleaders.h"

static void
el_topic_eq(const sm_ElectLeadersTopic_t *a, const sm_ElectLeadersTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Topic);
    SM_MSG_TEST_I32S(a, b, Partitions);
}

static void
el_req_eq(const sm_ElectLeadersRequest_t *a, const sm_ElectLeadersRequest_t *b)
{
    SM_MSG_TEST_EQ(a, b, ElectionType);
    SM_MSG_TEST_ARRAY(a, b, TopicPartitions, el_topic_eq);
    SM_MSG_TEST_EQ(a, b, TimeoutMs);
}

static void
el_part_eq(const sm_ElectLeadersPartitionResult_t *a,
           const sm_ElectLeadersPartitionResult_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionId);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_STR(a, b, ErrorMessage);
    ck_assert_int_eq(sm_str_is_null(a->ErrorMessage),
                     sm_str_is_null(b->ErrorMessage));
}

static void
el_result_eq(const sm_ElectLeadersResult_t *a,
             const sm_ElectLeadersResult_t *b)
{
    SM_MSG_TEST_STR(a, b, Topic);
    SM_MSG_TEST_ARRAY(a, b, PartitionResult, el_part_eq);
}

static void
el_resp_eq(const sm_ElectLeadersResponse_t *a,
           const sm_ElectLeadersResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_ARRAY(a, b, ReplicaElectionResults, el_result_eq);
}

START_TEST(electleaders__round_trip_every_version)
{
    int32_t p1[] = { 0, 2 }, p2[] = { 7 };
    sm_ElectLeadersTopic_t tps[2] = { { SM_S("alpha"), 2, p1 },
                                      { SM_S("b"), 1, p2 } };
    sm_ElectLeadersPartitionResult_t pr[2] = {
        { 0, 0, { NULL, -1 } },
        { 2, SM_ERR_PREFERRED_LEADER_NOT_AVAILABLE, SM_S("Failed") },
    };
    sm_ElectLeadersResult_t res[1] = { { SM_S("alpha"), 2, pr } };

    for (int16_t v = 0; v <= SM_ELECTLEADERS_MAX_VERSION; v++) {
        sm_ElectLeadersRequest_t req = { v, v >= 1 ? 1 : 0, 2, tps, 1500 };
        sm_ElectLeadersRequest_t all = { v, 0, -1, NULL, 60000 };
        sm_ElectLeadersResponse_t resp = { v, 3, v >= 1 ? 41 : 0, 1, res };

        SM_MSG_TEST_ROUND_TRIP(ElectLeadersRequest, v, &req, el_req_eq);
        SM_MSG_TEST_ROUND_TRIP(ElectLeadersRequest, v, &all, el_req_eq);
        SM_MSG_TEST_ROUND_TRIP(ElectLeadersResponse, v, &resp, el_resp_eq);
    }
}
END_TEST

START_TEST(electleaders__known_bytes)
{
    static const uint8_t v1_req[] = { 1,  0, 0, 0, 1,  0, 1, 't',
                                      0, 0, 0, 1,  0, 0, 0, 2,
                                      0, 0, 0x03, 0xe8 };
    static const uint8_t v0_all[] = { 0xff, 0xff, 0xff, 0xff,
                                      0, 0, 0xea, 0x60 };
    static const uint8_t v1_resp[] = { 0, 0, 0, 0,  0, 0,  0, 0, 0, 1,
                                       0, 1, 't',  0, 0, 0, 1,
                                       0, 0, 0, 2,  0, 84,  0xff, 0xff };
    static const uint8_t v0_resp[] = { 0, 0, 0, 0,  0, 0, 0, 0 };
    int32_t p = 2;
    sm_ElectLeadersTopic_t tp = { SM_S("t"), 1, &p };
    sm_ElectLeadersRequest_t req = { 1, SM_ELECTION_UNCLEAN, 1, &tp, 1000 };
    sm_ElectLeadersPartitionResult_t pr = { 2, SM_ERR_ELECTION_NOT_NEEDED,
                                            { NULL, -1 } };
    sm_ElectLeadersResult_t res = { SM_S("t"), 1, &pr };
    sm_ElectLeadersResponse_t resp = { 1, 0, 0, 1, &res };
    sm_ElectLeadersResponse_t empty = { 0, 0, SM_ERR_NOT_CONTROLLER, 0,
                                        NULL };
    sm_ElectLeadersRequest_t out;

    SM_MSG_TEST_BYTES_EQ(ElectLeadersRequest, 1, &req, v1_req);
    SM_MSG_TEST_BYTES_EQ(ElectLeadersResponse, 1, &resp, v1_resp);
    /* v0 has no top-level ErrorCode: it is not written */
    SM_MSG_TEST_BYTES_EQ(ElectLeadersResponse, 0, &empty, v0_resp);
    /* v0: no ElectionType (PREFERRED), a null list means every partition */
    SM_MSG_TEST_PARSE(ElectLeadersRequest, 0, v0_all, sizeof(v0_all), &out);
    ck_assert_int_eq(out.ElectionType, SM_ELECTION_PREFERRED);
    ck_assert_int_eq(out.TopicPartitionsCnt, -1);
    ck_assert_ptr_null(out.TopicPartitions);
    ck_assert_int_eq(out.TimeoutMs, 60000);
    sm_ElectLeadersRequest_free(&out);
}
END_TEST

START_TEST(electleaders__hostile_counts)
{
    static const uint8_t topics[] = { 1,  0x40, 0, 0, 0,  0, 1, 't' };
    static const uint8_t parts[] = { 0, 0, 0, 1,  0, 1, 't',
                                     0x7f, 0xff, 0xff, 0xff };
    static const uint8_t null_parts[] = { 0, 0, 0, 1,  0, 1, 't',
                                          0xff, 0xff, 0xff, 0xff,
                                          0, 0, 0, 0 };
    static const uint8_t results[] = { 0, 0, 0, 0,  0, 0,
                                       0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(ElectLeadersRequest, 1, topics, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ElectLeadersRequest, 0, parts, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ElectLeadersRequest, 0, null_parts,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(ElectLeadersResponse, 1, results,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(ElectLeadersRequest, SM_ELECTLEADERS_MAX_VERSION + 1,
                       topics, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_electleaders(void)
{
    Suite *s = suite_create("electleaders");
    TCase *tc = tcase_create("electleaders");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, electleaders__round_trip_every_version);
    tcase_add_test(tc, electleaders__known_bytes);
    tcase_add_test(tc, electleaders__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
