/*
 * test_updatemetadata.c: the UpdateMetadata codec
 * (protocol/updatemetadata.c), v0-5, both directions: round trip at every
 * version (v0 host/port, v1+ endpoints, v2 rack, v3 listener, v4 offline
 * replicas, v5 grouping by topic), known bytes, truncation and hostile
 * counts.
 */
#include "msg_test.h"
#include "protocol/updatemetadata.h"

static int32_t um_isr[] = { 1, 2 };
static int32_t um_reps[] = { 1, 2, 3 };
static int32_t um_off[] = { 3 };

static void
um_req_sample(int16_t v, sm_UpdateMetadataRequest_t *req)
{
    static sm_UpdateMetadataPartitionState_t ps[3];
    static sm_UpdateMetadataEndpoint_t eps[2];
    static sm_UpdateMetadataBroker_t br[2];
    static const char *topics[3] = { "alpha", "alpha", "b" };

    for (int i = 0; i < 3; i++) {
        memset(&ps[i], 0, sizeof(ps[i]));
        ps[i].TopicName = (sm_str_t){ topics[i],
                                      (int32_t)strlen(topics[i]) };
        ps[i].PartitionIndex = i;
        ps[i].ControllerEpoch = 4;
        ps[i].Leader = i == 2 ? -1 : 1;
        ps[i].LeaderEpoch = 3 + i;
        ps[i].IsrCnt = 2;
        ps[i].Isr = um_isr;
        ps[i].ZkVersion = i;
        ps[i].ReplicasCnt = 3;
        ps[i].Replicas = um_reps;
        ps[i].OfflineReplicasCnt = v >= 4 ? 1 : 0;
        ps[i].OfflineReplicas = v >= 4 ? um_off : NULL;
    }
    eps[0] = (sm_UpdateMetadataEndpoint_t){
        9092, SM_S("h1"), v >= 3 ? SM_S("PLAINTEXT") : SM_STR_EMPTY, 0 };
    eps[1] = (sm_UpdateMetadataEndpoint_t){
        9093, SM_S("h1"), v >= 3 ? SM_S("SSL") : SM_STR_EMPTY, 1 };
    memset(br, 0, sizeof(br));
    br[0].Id = 1;
    br[1].Id = 2;
    br[0].Rack = br[1].Rack = SM_STR_NULL;
    if (v == 0) {
        br[0].V0Host = SM_S("h1");
        br[0].V0Port = 9092;
        br[1].V0Host = SM_S("h2");
        br[1].V0Port = 9093;
    } else {
        br[0].EndpointsCnt = 2;
        br[0].Endpoints = eps;
        br[1].EndpointsCnt = 1;
        br[1].Endpoints = eps;
    }
    if (v >= 2)
        br[1].Rack = SM_S("rack-b");
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->ControllerId = 1;
    req->ControllerEpoch = 4;
    req->BrokerEpoch = v >= 5 ? 0x7000000000LL : -1;
    req->PartitionStatesCnt = 3;
    req->PartitionStates = ps;
    req->LiveBrokersCnt = 2;
    req->LiveBrokers = br;
}

static void
um_ps_eq(const sm_UpdateMetadataPartitionState_t *a,
         const sm_UpdateMetadataPartitionState_t *b)
{
    SM_MSG_TEST_STR(a, b, TopicName);
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, ControllerEpoch);
    SM_MSG_TEST_EQ(a, b, Leader);
    SM_MSG_TEST_EQ(a, b, LeaderEpoch);
    SM_MSG_TEST_I32S(a, b, Isr);
    SM_MSG_TEST_EQ(a, b, ZkVersion);
    SM_MSG_TEST_I32S(a, b, Replicas);
    SM_MSG_TEST_I32S(a, b, OfflineReplicas);
}

static void
um_ep_eq(const sm_UpdateMetadataEndpoint_t *a,
         const sm_UpdateMetadataEndpoint_t *b)
{
    SM_MSG_TEST_EQ(a, b, Port);
    SM_MSG_TEST_STR(a, b, Host);
    SM_MSG_TEST_STR(a, b, Listener);
    SM_MSG_TEST_EQ(a, b, SecurityProtocol);
}

static void
um_br_eq(const sm_UpdateMetadataBroker_t *a,
         const sm_UpdateMetadataBroker_t *b)
{
    SM_MSG_TEST_EQ(a, b, Id);
    SM_MSG_TEST_STR(a, b, V0Host);
    SM_MSG_TEST_EQ(a, b, V0Port);
    SM_MSG_TEST_ARRAY(a, b, Endpoints, um_ep_eq);
    SM_MSG_TEST_STR(a, b, Rack);
}

static void
um_req_eq(const sm_UpdateMetadataRequest_t *a,
          const sm_UpdateMetadataRequest_t *b)
{
    SM_MSG_TEST_EQ(a, b, ControllerId);
    SM_MSG_TEST_EQ(a, b, ControllerEpoch);
    SM_MSG_TEST_EQ(a, b, BrokerEpoch);
    SM_MSG_TEST_ARRAY(a, b, PartitionStates, um_ps_eq);
    SM_MSG_TEST_ARRAY(a, b, LiveBrokers, um_br_eq);
}

static void
um_resp_eq(const sm_UpdateMetadataResponse_t *a,
           const sm_UpdateMetadataResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

START_TEST(updatemetadata__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_UPDATEMETADATA_MAX_VERSION; v++) {
        sm_UpdateMetadataRequest_t req;

        um_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(UpdateMetadataRequest, v, &req, um_req_eq);
    }
}
END_TEST

START_TEST(updatemetadata__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_UPDATEMETADATA_MAX_VERSION; v++) {
        sm_UpdateMetadataResponse_t resp = { v, SM_ERR_NOT_CONTROLLER };

        SM_MSG_TEST_ROUND_TRIP(UpdateMetadataResponse, v, &resp,
                               um_resp_eq);
    }
}
END_TEST

/* The header's v0 example; a v3 broker with listener and null rack; v5
 * with one partition. */
START_TEST(updatemetadata__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0,
        0, 0, 0, 1,  0, 0, 0, 1,  0, 1, 'h',  0, 0, 0x23, 0x84,
    };
    static const uint8_t v3_req[] = {
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0,
        0, 0, 0, 1,  0, 0, 0, 1,
        0, 0, 0, 1,  0, 0, 0x23, 0x84,  0, 1, 'h',  0, 2, 'P', 'L',  0, 0,
        0xff, 0xff,
    };
    static const uint8_t v5_req[] = {
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0, 0, 0, 0, 8,
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 0,  0, 0, 0, 2,  0, 0, 0, 1,  0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 1,  0, 0, 0, 3,  0, 0, 0, 1, 0, 0, 0, 1,
        0, 0, 0, 0,
        0, 0, 0, 0,
    };
    static const uint8_t v0_resp[] = { 0, 11 };
    int32_t one = 1;
    sm_UpdateMetadataPartitionState_t ps = {
        SM_S("t"), 0, 2, 1, 0, 1, &one, 3, 1, &one, 0, NULL };
    sm_UpdateMetadataEndpoint_t ep = { 9092, SM_S("h"), SM_S("PL"), 0 };
    sm_UpdateMetadataBroker_t br = { 1, SM_S("h"), 9092, 1, &ep,
                                     SM_STR_NULL };
    sm_UpdateMetadataRequest_t req0 = { 0, 1, 2, -1, 0, NULL, 1, &br };
    sm_UpdateMetadataRequest_t req5 = { 5, 1, 2, 8, 1, &ps, 0, NULL };
    sm_UpdateMetadataResponse_t resp = { 0, SM_ERR_STALE_CONTROLLER_EPOCH };
    sm_UpdateMetadataRequest_t out;

    SM_MSG_TEST_BYTES_EQ(UpdateMetadataRequest, 0, &req0, v0_req);
    SM_MSG_TEST_BYTES_EQ(UpdateMetadataRequest, 3, &req0, v3_req);
    SM_MSG_TEST_BYTES_EQ(UpdateMetadataRequest, 5, &req5, v5_req);
    SM_MSG_TEST_BYTES_EQ(UpdateMetadataResponse, 0, &resp, v0_resp);
    SM_MSG_TEST_PARSE(UpdateMetadataRequest, 3, v3_req, sizeof(v3_req),
                      &out);
    ck_assert_int_eq(out.LiveBrokersCnt, 1);
    ck_assert_int_eq(out.LiveBrokers[0].EndpointsCnt, 1);
    ck_assert(sm_str_eq_cstr(out.LiveBrokers[0].Endpoints[0].Listener,
                             "PL"));
    ck_assert_int_eq(out.LiveBrokers[0].Rack.len, -1);
    sm_UpdateMetadataRequest_free(&out);
}
END_TEST

START_TEST(updatemetadata__hostile_counts)
{
    static const uint8_t states[] = { 0, 0, 0, 1,  0, 0, 0, 2,
                                      0x40, 0, 0, 0,  0, 0, 0, 0 };
    static const uint8_t eps[] = { 0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0,
                                   0, 0, 0, 1,  0, 0, 0, 1,
                                   0x7f, 0xff, 0xff, 0xff };
    static const uint8_t null_brokers[] = { 0, 0, 0, 1,  0, 0, 0, 2,
                                            0, 0, 0, 0,
                                            0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(UpdateMetadataRequest, 0, states, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(UpdateMetadataRequest, 1, eps, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(UpdateMetadataRequest, 4, null_brokers,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(UpdateMetadataRequest,
                       SM_UPDATEMETADATA_MAX_VERSION + 1, states,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_updatemetadata(void)
{
    Suite *s = suite_create("updatemetadata");
    TCase *tc = tcase_create("updatemetadata");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, updatemetadata__request_round_trip_every_version);
    tcase_add_test(tc, updatemetadata__response_round_trip_every_version);
    tcase_add_test(tc, updatemetadata__known_bytes);
    tcase_add_test(tc, updatemetadata__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
