/*
 * test_leaderandisr.c: the LeaderAndIsr codec (protocol/leaderandisr.c),
 * v0-2, both directions: round trip at every version (flat states grouped
 * by topic from v2), known bytes, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/leaderandisr.h"

static int32_t lai_isr[] = { 1, 2 };
static int32_t lai_reps[] = { 1, 2, 3 };

static void
lai_req_sample(int16_t v, sm_LeaderAndIsrRequest_t *req)
{
    static sm_LeaderAndIsrPartitionState_t ps[3];
    static sm_LeaderAndIsrLiveLeader_t ll[2];
    static const char *topics[3] = { "alpha", "alpha", "b" };

    for (int i = 0; i < 3; i++) {
        memset(&ps[i], 0, sizeof(ps[i]));
        ps[i].TopicName = (sm_str_t){ topics[i],
                                      (int32_t)strlen(topics[i]) };
        ps[i].PartitionIndex = i;
        ps[i].ControllerEpoch = 7;
        ps[i].Leader = 1 + i;
        ps[i].LeaderEpoch = 10 + i;
        ps[i].IsrCnt = 2;
        ps[i].Isr = lai_isr;
        ps[i].ZkVersion = 20 + i;
        ps[i].ReplicasCnt = 3;
        ps[i].Replicas = lai_reps;
        ps[i].IsNew = v >= 1 && i == 1;
    }
    ll[0] = (sm_LeaderAndIsrLiveLeader_t){ 1, SM_S("host1"), 9092 };
    ll[1] = (sm_LeaderAndIsrLiveLeader_t){ 3, SM_S("h3"), 9094 };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->ControllerId = 2;
    req->ControllerEpoch = 7;
    req->BrokerEpoch = v >= 2 ? 0x100000001LL : -1;
    req->PartitionStatesCnt = 3;
    req->PartitionStates = ps;
    req->LiveLeadersCnt = 2;
    req->LiveLeaders = ll;
}

static void
lai_resp_sample(int16_t v, sm_LeaderAndIsrResponse_t *resp)
{
    static sm_LeaderAndIsrPartitionError_t pe[2];

    pe[0] = (sm_LeaderAndIsrPartitionError_t){ SM_S("alpha"), 0, 0 };
    pe[1] = (sm_LeaderAndIsrPartitionError_t){
        SM_S("b"), 2, SM_ERR_KAFKA_STORAGE_ERROR };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ErrorCode = 0;
    resp->PartitionErrorsCnt = 2;
    resp->PartitionErrors = pe;
}

static void
lai_ps_eq(const sm_LeaderAndIsrPartitionState_t *a,
          const sm_LeaderAndIsrPartitionState_t *b)
{
    SM_MSG_TEST_STR(a, b, TopicName);
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, ControllerEpoch);
    SM_MSG_TEST_EQ(a, b, Leader);
    SM_MSG_TEST_EQ(a, b, LeaderEpoch);
    SM_MSG_TEST_I32S(a, b, Isr);
    SM_MSG_TEST_EQ(a, b, ZkVersion);
    SM_MSG_TEST_I32S(a, b, Replicas);
    SM_MSG_TEST_EQ(a, b, IsNew);
}

static void
lai_ll_eq(const sm_LeaderAndIsrLiveLeader_t *a,
          const sm_LeaderAndIsrLiveLeader_t *b)
{
    SM_MSG_TEST_EQ(a, b, BrokerId);
    SM_MSG_TEST_STR(a, b, HostName);
    SM_MSG_TEST_EQ(a, b, Port);
}

static void
lai_req_eq(const sm_LeaderAndIsrRequest_t *a,
           const sm_LeaderAndIsrRequest_t *b)
{
    SM_MSG_TEST_EQ(a, b, ControllerId);
    SM_MSG_TEST_EQ(a, b, ControllerEpoch);
    SM_MSG_TEST_EQ(a, b, BrokerEpoch);
    SM_MSG_TEST_ARRAY(a, b, PartitionStates, lai_ps_eq);
    SM_MSG_TEST_ARRAY(a, b, LiveLeaders, lai_ll_eq);
}

static void
lai_pe_eq(const sm_LeaderAndIsrPartitionError_t *a,
          const sm_LeaderAndIsrPartitionError_t *b)
{
    SM_MSG_TEST_STR(a, b, TopicName);
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

static void
lai_resp_eq(const sm_LeaderAndIsrResponse_t *a,
            const sm_LeaderAndIsrResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_ARRAY(a, b, PartitionErrors, lai_pe_eq);
}

START_TEST(leaderandisr__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_LEADERANDISR_MAX_VERSION; v++) {
        sm_LeaderAndIsrRequest_t req;

        lai_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(LeaderAndIsrRequest, v, &req, lai_req_eq);
    }
}
END_TEST

START_TEST(leaderandisr__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_LEADERANDISR_MAX_VERSION; v++) {
        sm_LeaderAndIsrResponse_t resp;

        lai_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(LeaderAndIsrResponse, v, &resp, lai_resp_eq);
    }
}
END_TEST

/* The header's v0 example, and v2 grouping two partitions of "t". */
START_TEST(leaderandisr__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 0,
        0, 0, 0, 2,  0, 0, 0, 1,  0, 0, 0, 0,  0, 0, 0, 1, 0, 0, 0, 1,
        0, 0, 0, 0,  0, 0, 0, 1, 0, 0, 0, 1,
        0, 0, 0, 1,  0, 0, 0, 1,  0, 1, 'h',  0, 0, 0x23, 0x84,
    };
    static const uint8_t v2_req[] = {
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0, 0, 0, 0, 9,
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 2,
        /* partition 0 */
        0, 0, 0, 0,  0, 0, 0, 2,  0, 0, 0, 1,  0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 1,  0, 0, 0, 0,  0, 0, 0, 1, 0, 0, 0, 1,  1,
        /* partition 1 */
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 1,  0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 1,  0, 0, 0, 0,  0, 0, 0, 1, 0, 0, 0, 1,  0,
        0, 0, 0, 0,
    };
    static const uint8_t v1_resp[] = {
        0, 11,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 0,  0, 11,
    };
    int32_t one = 1;
    sm_LeaderAndIsrPartitionState_t ps[2] = {
        { SM_S("t"), 0, 2, 1, 0, 1, &one, 0, 1, &one, 1 },
        { SM_S("t"), 1, 2, 1, 0, 1, &one, 0, 1, &one, 0 },
    };
    sm_LeaderAndIsrLiveLeader_t ll = { 1, SM_S("h"), 9092 };
    sm_LeaderAndIsrRequest_t req0 = { 0, 1, 2, -1, 1, ps, 1, &ll };
    sm_LeaderAndIsrRequest_t req2 = { 2, 1, 2, 9, 2, ps, 0, NULL };
    sm_LeaderAndIsrPartitionError_t pe = {
        SM_S("t"), 0, SM_ERR_STALE_CONTROLLER_EPOCH };
    sm_LeaderAndIsrResponse_t resp = {
        1, SM_ERR_STALE_CONTROLLER_EPOCH, 1, &pe };
    sm_LeaderAndIsrRequest_t out;

    SM_MSG_TEST_BYTES_EQ(LeaderAndIsrRequest, 0, &req0, v0_req);
    SM_MSG_TEST_BYTES_EQ(LeaderAndIsrRequest, 2, &req2, v2_req);
    SM_MSG_TEST_BYTES_EQ(LeaderAndIsrResponse, 1, &resp, v1_resp);
    SM_MSG_TEST_PARSE(LeaderAndIsrRequest, 2, v2_req, sizeof(v2_req), &out);
    ck_assert_int_eq(out.PartitionStatesCnt, 2);
    ck_assert(sm_str_eq_cstr(out.PartitionStates[1].TopicName, "t"));
    ck_assert_int_eq(out.PartitionStates[1].PartitionIndex, 1);
    ck_assert_int_eq(out.PartitionStates[0].IsNew, 1);
    ck_assert_int_eq(out.BrokerEpoch, 9);
    sm_LeaderAndIsrRequest_free(&out);
}
END_TEST

/* Non-adjacent partitions of one topic become two TopicStates entries
 * and still read back flat in order. */
START_TEST(leaderandisr__v2_non_adjacent_topics)
{
    int32_t one = 1;
    sm_LeaderAndIsrPartitionState_t ps[3] = {
        { SM_S("a"), 0, 1, 1, 0, 1, &one, 0, 1, &one, 0 },
        { SM_S("b"), 0, 1, 1, 0, 1, &one, 0, 1, &one, 0 },
        { SM_S("a"), 1, 1, 1, 0, 1, &one, 0, 1, &one, 0 },
    };
    sm_LeaderAndIsrRequest_t req = { 2, 1, 1, 3, 3, ps, 0, NULL };
    sm_buf_t buf = SM_BUF_INIT;

    sm_LeaderAndIsrRequest_write(&buf, 2, &req);
    /* ControllerId, ControllerEpoch, BrokerEpoch, then 3 topic entries */
    ck_assert_int_eq(buf.data[16 + 3], 3);
    sm_buf_fini(&buf);
    SM_MSG_TEST_ROUND_TRIP(LeaderAndIsrRequest, 2, &req, lai_req_eq);
}
END_TEST

START_TEST(leaderandisr__hostile_counts)
{
    static const uint8_t states[] = { 0, 0, 0, 1,  0, 0, 0, 2,
                                      0x40, 0, 0, 0,  0, 0, 0, 0 };
    static const uint8_t topics_v2[] = { 0, 0, 0, 1,  0, 0, 0, 2,
                                         0, 0, 0, 0, 0, 0, 0, 1,
                                         0, 0, 0, 1,  0, 1, 't',
                                         0x7f, 0xff, 0xff, 0xff };
    static const uint8_t null_leaders[] = { 0, 0, 0, 1,  0, 0, 0, 2,
                                            0, 0, 0, 0,
                                            0xff, 0xff, 0xff, 0xff };
    static const uint8_t errs[] = { 0, 0,  0x10, 0, 0, 0 };

    SM_MSG_TEST_REJECT(LeaderAndIsrRequest, 0, states, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(LeaderAndIsrRequest, 2, topics_v2,
                       SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(LeaderAndIsrRequest, 1, null_leaders,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(LeaderAndIsrResponse, 0, errs, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(LeaderAndIsrRequest, SM_LEADERANDISR_MAX_VERSION + 1,
                       states, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_leaderandisr(void)
{
    Suite *s = suite_create("leaderandisr");
    TCase *tc = tcase_create("leaderandisr");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, leaderandisr__request_round_trip_every_version);
    tcase_add_test(tc, leaderandisr__response_round_trip_every_version);
    tcase_add_test(tc, leaderandisr__known_bytes);
    tcase_add_test(tc, leaderandisr__v2_non_adjacent_topics);
    tcase_add_test(tc, leaderandisr__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
