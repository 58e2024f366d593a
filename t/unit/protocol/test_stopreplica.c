/*
 * test_stopreplica.c: the StopReplica codec (protocol/stopreplica.c), v0-1,
 * both directions: round trip at every version (v1 groups by topic), known
 * bytes, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/stopreplica.h"

static void
sr_req_sample(int16_t v, sm_StopReplicaRequest_t *req)
{
    static sm_StopReplicaPartition_t parts[3];

    parts[0] = (sm_StopReplicaPartition_t){ SM_S("alpha"), 0 };
    parts[1] = (sm_StopReplicaPartition_t){ SM_S("alpha"), 5 };
    parts[2] = (sm_StopReplicaPartition_t){ SM_S("b"), 1 };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->ControllerId = 3;
    req->ControllerEpoch = 12;
    req->BrokerEpoch = v >= 1 ? 77 : -1;
    req->DeletePartitions = 1;
    req->PartitionsCnt = 3;
    req->Partitions = parts;
}

static void
sr_resp_sample(int16_t v, sm_StopReplicaResponse_t *resp)
{
    static sm_StopReplicaPartitionError_t pe[2];

    pe[0] = (sm_StopReplicaPartitionError_t){ SM_S("alpha"), 0, 0 };
    pe[1] = (sm_StopReplicaPartitionError_t){
        SM_S("b"), 1, SM_ERR_KAFKA_STORAGE_ERROR };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->PartitionErrorsCnt = 2;
    resp->PartitionErrors = pe;
}

static void
sr_part_eq(const sm_StopReplicaPartition_t *a,
           const sm_StopReplicaPartition_t *b)
{
    SM_MSG_TEST_STR(a, b, TopicName);
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
}

static void
sr_req_eq(const sm_StopReplicaRequest_t *a, const sm_StopReplicaRequest_t *b)
{
    SM_MSG_TEST_EQ(a, b, ControllerId);
    SM_MSG_TEST_EQ(a, b, ControllerEpoch);
    SM_MSG_TEST_EQ(a, b, BrokerEpoch);
    SM_MSG_TEST_EQ(a, b, DeletePartitions);
    SM_MSG_TEST_ARRAY(a, b, Partitions, sr_part_eq);
}

static void
sr_pe_eq(const sm_StopReplicaPartitionError_t *a,
         const sm_StopReplicaPartitionError_t *b)
{
    SM_MSG_TEST_STR(a, b, TopicName);
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

static void
sr_resp_eq(const sm_StopReplicaResponse_t *a,
           const sm_StopReplicaResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_ARRAY(a, b, PartitionErrors, sr_pe_eq);
}

START_TEST(stopreplica__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_STOPREPLICA_MAX_VERSION; v++) {
        sm_StopReplicaRequest_t req;

        sr_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(StopReplicaRequest, v, &req, sr_req_eq);
    }
}
END_TEST

START_TEST(stopreplica__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_STOPREPLICA_MAX_VERSION; v++) {
        sm_StopReplicaResponse_t resp;

        sr_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(StopReplicaResponse, v, &resp, sr_resp_eq);
    }
}
END_TEST

/* The header's v1 example and its v0 form. */
START_TEST(stopreplica__known_bytes)
{
    static const uint8_t v1_req[] = {
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0, 0, 0, 0, 5,  1,
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 2,  0, 0, 0, 0,  0, 0, 0, 1,
    };
    static const uint8_t v0_req[] = {
        0, 0, 0, 1,  0, 0, 0, 2,  1,
        0, 0, 0, 2,  0, 1, 't', 0, 0, 0, 0,  0, 1, 't', 0, 0, 0, 1,
    };
    static const uint8_t v0_resp[] = {
        0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 56,
    };
    sm_StopReplicaPartition_t parts[2] = { { SM_S("t"), 0 },
                                           { SM_S("t"), 1 } };
    sm_StopReplicaRequest_t req = { 1, 1, 2, 5, 1, 2, parts };
    sm_StopReplicaPartitionError_t pe = {
        SM_S("t"), 1, SM_ERR_KAFKA_STORAGE_ERROR };
    sm_StopReplicaResponse_t resp = { 0, 0, 1, &pe };
    sm_StopReplicaRequest_t out;

    SM_MSG_TEST_BYTES_EQ(StopReplicaRequest, 1, &req, v1_req);
    SM_MSG_TEST_BYTES_EQ(StopReplicaRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(StopReplicaResponse, 0, &resp, v0_resp);
    SM_MSG_TEST_PARSE(StopReplicaRequest, 1, v1_req, sizeof(v1_req), &out);
    ck_assert_int_eq(out.PartitionsCnt, 2);
    ck_assert(sm_str_eq_cstr(out.Partitions[1].TopicName, "t"));
    ck_assert_int_eq(out.Partitions[1].PartitionIndex, 1);
    ck_assert_int_eq(out.DeletePartitions, 1);
    sm_StopReplicaRequest_free(&out);
}
END_TEST

START_TEST(stopreplica__hostile_counts)
{
    static const uint8_t parts_v0[] = { 0, 0, 0, 1,  0, 0, 0, 2,  0,
                                        0x20, 0, 0, 0 };
    static const uint8_t idx_v1[] = { 0, 0, 0, 1,  0, 0, 0, 2,
                                      0, 0, 0, 0, 0, 0, 0, 5,  0,
                                      0, 0, 0, 1,  0, 1, 't',
                                      0x7f, 0xff, 0xff, 0xff };
    static const uint8_t null_topics[] = { 0, 0, 0, 1,  0, 0, 0, 2,
                                           0, 0, 0, 0, 0, 0, 0, 5,  0,
                                           0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(StopReplicaRequest, 0, parts_v0, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(StopReplicaRequest, 1, idx_v1, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(StopReplicaRequest, 1, null_topics,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(StopReplicaRequest, SM_STOPREPLICA_MAX_VERSION + 1,
                       parts_v0, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_stopreplica(void)
{
    Suite *s = suite_create("stopreplica");
    TCase *tc = tcase_create("stopreplica");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, stopreplica__request_round_trip_every_version);
    tcase_add_test(tc, stopreplica__response_round_trip_every_version);
    tcase_add_test(tc, stopreplica__known_bytes);
    tcase_add_test(tc, stopreplica__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
