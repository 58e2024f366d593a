/*
 * test_listoffsets.c: the ListOffsets codec (protocol/listoffsets.c), v0-5,
 * both directions: round trip at every version, known bytes (v0's
 * MaxNumOffsets / OldStyleOffsets and v1's single offset), truncation and
 * hostile counts.
 */
#include "msg_test.h"
#include "protocol/listoffsets.h"

static void
lo_req_sample(int16_t v, sm_ListOffsetsRequest_t *req)
{
    static sm_ListOffsetsRequestPartition_t parts[2];
    static sm_ListOffsetsRequestTopic_t topics[2];

    parts[0] = (sm_ListOffsetsRequestPartition_t){
        0, v >= 4 ? 6 : -1, SM_LISTOFFSETS_LATEST, v == 0 ? 10 : 1 };
    parts[1] = (sm_ListOffsetsRequestPartition_t){
        5, -1, 1600000000000LL, 1 };
    topics[0] = (sm_ListOffsetsRequestTopic_t){ SM_S("alpha"), 2, parts };
    topics[1] = (sm_ListOffsetsRequestTopic_t){ SM_S("b"), 0, NULL };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->ReplicaId = -1;
    req->IsolationLevel = v >= 2 ? 1 : 0;
    req->TopicsCnt = 2;
    req->Topics = topics;
}

static void
lo_resp_sample(int16_t v, sm_ListOffsetsResponse_t *resp)
{
    static int64_t offsets[] = { 300, 200, 0 };
    static sm_ListOffsetsResponsePartition_t parts[2];
    static sm_ListOffsetsResponseTopic_t topics[1];

    parts[0] = (sm_ListOffsetsResponsePartition_t){
        0, 0, v == 0 ? 3 : 0, v == 0 ? offsets : NULL,
        v >= 1 ? 1600000000000LL : -1, v >= 1 ? 300 : -1, v >= 4 ? 6 : -1 };
    parts[1] = (sm_ListOffsetsResponsePartition_t){
        5, SM_ERR_UNKNOWN_TOPIC_OR_PARTITION, 0, NULL, -1, -1, -1 };
    topics[0] = (sm_ListOffsetsResponseTopic_t){ SM_S("alpha"), 2, parts };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 2 ? 9 : 0;
    resp->TopicsCnt = 1;
    resp->Topics = topics;
}

static void
lo_req_part_eq(const sm_ListOffsetsRequestPartition_t *a,
               const sm_ListOffsetsRequestPartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, CurrentLeaderEpoch);
    SM_MSG_TEST_EQ(a, b, Timestamp);
    SM_MSG_TEST_EQ(a, b, MaxNumOffsets);
}

static void
lo_req_topic_eq(const sm_ListOffsetsRequestTopic_t *a,
                const sm_ListOffsetsRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_ARRAY(a, b, Partitions, lo_req_part_eq);
}

static void
lo_req_eq(const sm_ListOffsetsRequest_t *a, const sm_ListOffsetsRequest_t *b)
{
    SM_MSG_TEST_EQ(a, b, ReplicaId);
    SM_MSG_TEST_EQ(a, b, IsolationLevel);
    SM_MSG_TEST_ARRAY(a, b, Topics, lo_req_topic_eq);
}

static void
lo_resp_part_eq(const sm_ListOffsetsResponsePartition_t *a,
                const sm_ListOffsetsResponsePartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    ck_assert_int_eq(a->OldStyleOffsetsCnt, b->OldStyleOffsetsCnt);
    for (int32_t i = 0; i < a->OldStyleOffsetsCnt; i++)
        ck_assert_int_eq(a->OldStyleOffsets[i], b->OldStyleOffsets[i]);
    SM_MSG_TEST_EQ(a, b, Timestamp);
    SM_MSG_TEST_EQ(a, b, Offset);
    SM_MSG_TEST_EQ(a, b, LeaderEpoch);
}

static void
lo_resp_topic_eq(const sm_ListOffsetsResponseTopic_t *a,
                 const sm_ListOffsetsResponseTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_ARRAY(a, b, Partitions, lo_resp_part_eq);
}

static void
lo_resp_eq(const sm_ListOffsetsResponse_t *a,
           const sm_ListOffsetsResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Topics, lo_resp_topic_eq);
}

START_TEST(listoffsets__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_LISTOFFSETS_MAX_VERSION; v++) {
        sm_ListOffsetsRequest_t req;

        lo_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(ListOffsetsRequest, v, &req, lo_req_eq);
    }
}
END_TEST

START_TEST(listoffsets__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_LISTOFFSETS_MAX_VERSION; v++) {
        sm_ListOffsetsResponse_t resp;

        lo_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(ListOffsetsResponse, v, &resp, lo_resp_eq);
    }
}
END_TEST

START_TEST(listoffsets__known_bytes)
{
    static const uint8_t v0_req[] = {
        0xff, 0xff, 0xff, 0xff,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 0,  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 1,
    };
    static const uint8_t v1_req[] = {
        0xff, 0xff, 0xff, 0xff,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 0,  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    };
    static const uint8_t v0_resp[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,  0, 0,
        0, 0, 0, 1,  0, 0, 0, 0, 0, 0, 0, 0x2a,
    };
    static const uint8_t v1_resp[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,  0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 0, 0, 0, 0, 0x2a,
    };
    sm_ListOffsetsRequestPartition_t p = { 0, -1, SM_LISTOFFSETS_LATEST, 1 };
    sm_ListOffsetsRequestTopic_t t = { SM_S("t"), 1, &p };
    sm_ListOffsetsRequest_t req = { 0, -1, 0, 1, &t };
    int64_t off = 42;
    sm_ListOffsetsResponsePartition_t rp = { 0, 0, 1, &off, -1, 42, -1 };
    sm_ListOffsetsResponseTopic_t rt = { SM_S("t"), 1, &rp };
    sm_ListOffsetsResponse_t resp = { 0, 0, 1, &rt };
    sm_ListOffsetsRequest_t out;

    SM_MSG_TEST_BYTES_EQ(ListOffsetsRequest, 0, &req, v0_req);
    p.Timestamp = SM_LISTOFFSETS_EARLIEST;
    SM_MSG_TEST_BYTES_EQ(ListOffsetsRequest, 1, &req, v1_req);
    SM_MSG_TEST_BYTES_EQ(ListOffsetsResponse, 0, &resp, v0_resp);
    SM_MSG_TEST_BYTES_EQ(ListOffsetsResponse, 1, &resp, v1_resp);
    /* v1+ carries no MaxNumOffsets: the reader supplies Kafka's 1 */
    SM_MSG_TEST_PARSE(ListOffsetsRequest, 1, v1_req, sizeof(v1_req), &out);
    ck_assert_int_eq(out.Topics[0].Partitions[0].MaxNumOffsets, 1);
    ck_assert_int_eq(out.Topics[0].Partitions[0].CurrentLeaderEpoch, -1);
    sm_ListOffsetsRequest_free(&out);
}
END_TEST

START_TEST(listoffsets__hostile_counts)
{
    static const uint8_t topics[] = {
        0xff, 0xff, 0xff, 0xff,  0x7f, 0, 0, 0,  0, 1, 't',
    };
    static const uint8_t parts[] = {
        0xff, 0xff, 0xff, 0xff,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0x10, 0,
        0, 0, 0, 0,
    };
    static const uint8_t offsets[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,  0, 0,
        0x10, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0x2a,
    };

    SM_MSG_TEST_REJECT(ListOffsetsRequest, 0, topics, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ListOffsetsRequest, 1, parts, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ListOffsetsResponse, 0, offsets, SM_ERR__TRUNCATED);
    ck_assert_int_eq(SM_LISTOFFSETS_MAX_VERSION,
                     sm_api_info(SM_API_ListOffsets)->max_version);
    SM_MSG_TEST_REJECT(ListOffsetsRequest, SM_LISTOFFSETS_MAX_VERSION + 1,
                       topics, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Real clients' ListOffsets requests (t/data, from branch golden). */
START_TEST(listoffsets__golden_captures)
{
    static const struct {
        const char *file;
        int16_t     v;
        const char *client;
        int64_t     ts;
    } g[] = {
        { "ListOffsets_v0_kafkapython_0100.bin", 0, SM_GOLDEN_KP_CONSUMER,
          SM_LISTOFFSETS_EARLIEST },
        { "ListOffsets_v0_kafkapython_082.bin", 0, SM_GOLDEN_KP_CONSUMER,
          SM_LISTOFFSETS_EARLIEST },
        { "ListOffsets_v1_kafkapython.bin", 1, SM_GOLDEN_KP_CONSUMER,
          SM_LISTOFFSETS_EARLIEST },
        { "ListOffsets_v2_kcat.bin", 2, SM_GOLDEN_RDKAFKA,
          SM_LISTOFFSETS_EARLIEST },
        { "ListOffsets_v2_kcat_time.bin", 2, SM_GOLDEN_RDKAFKA,
          1600000000000LL },
    };

    for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
        sm_msg_golden_t gf;
        sm_ListOffsetsRequest_t req;
        const sm_ListOffsetsRequestPartition_t *p;

        sm_msg_test_golden_open(&gf, g[i].file, SM_API_ListOffsets, g[i].v,
                                g[i].client);
        SM_MSG_TEST_GOLDEN_BODY(ListOffsetsRequest, &gf, &req);
        ck_assert_int_eq(req.ReplicaId, -1);
        ck_assert_int_eq(req.IsolationLevel, g[i].v >= 2 ? 1 : 0);
        ck_assert_int_eq(req.TopicsCnt, 1);
        ck_assert(sm_str_eq_cstr(req.Topics[0].Name, SM_GOLDEN_TOPIC));
        ck_assert_int_eq(req.Topics[0].PartitionsCnt, 1);
        p = &req.Topics[0].Partitions[0];
        ck_assert_int_eq(p->PartitionIndex, 0);
        ck_assert_int_eq(p->Timestamp, g[i].ts);
        ck_assert_int_eq(p->MaxNumOffsets, 1);
        ck_assert_int_eq(p->CurrentLeaderEpoch, -1);
        sm_ListOffsetsRequest_free(&req);
        sm_msg_test_golden_close(&gf);
    }
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(listoffsets__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(ListOffsets, lo, SM_LISTOFFSETS_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_listoffsets(void)
{
    Suite *s = suite_create("listoffsets");
    TCase *tc = tcase_create("listoffsets");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, listoffsets__request_round_trip_every_version);
    tcase_add_test(tc, listoffsets__response_round_trip_every_version);
    tcase_add_test(tc, listoffsets__known_bytes);
    tcase_add_test(tc, listoffsets__hostile_counts);
    tcase_add_test(tc, listoffsets__golden_captures);
    tcase_add_test(tc, listoffsets__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
