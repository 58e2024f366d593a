/*
 * test_produce.c: the Produce codec (protocol/produce.c), v0-7, both
 * directions: round trip at every version, known bytes, truncation and
 * hostile counts and lengths.
 */
#include "msg_test.h"
#include "protocol/produce.h"

static const uint8_t pr_blob[] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0xde, 0xad, 0xbe, 0xef, 2,
};

static void
pr_req_sample(int16_t v, sm_ProduceRequest_t *req)
{
    static sm_ProduceRequestPartition_t parts[3];
    static sm_ProduceRequestTopic_t topics[2];

    parts[0] = (sm_ProduceRequestPartition_t){
        0, { pr_blob, (int32_t)sizeof(pr_blob) } };
    parts[1] = (sm_ProduceRequestPartition_t){ 3, SM_BYTES_NULL };
    parts[2] = (sm_ProduceRequestPartition_t){ 7, SM_B("") };
    topics[0] = (sm_ProduceRequestTopic_t){ SM_S("alpha"), 3, parts };
    topics[1] = (sm_ProduceRequestTopic_t){ SM_S("b"), 0, NULL };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->TransactionalId = v >= 3 ? SM_S("txn-1") : SM_STR_NULL;
    req->Acks = -1;
    req->TimeoutMs = 30000;
    req->TopicDataCnt = 2;
    req->TopicData = topics;
}

static void
pr_resp_sample(int16_t v, sm_ProduceResponse_t *resp)
{
    static sm_ProduceResponsePartition_t parts[2];
    static sm_ProduceResponseTopic_t topics[1];

    parts[0] = (sm_ProduceResponsePartition_t){
        0, 0, 100, v >= 2 ? 1234 : -1, v >= 5 ? 10 : -1 };
    parts[1] = (sm_ProduceResponsePartition_t){
        1, SM_ERR_NOT_LEADER_FOR_PARTITION, -1, -1, -1 };
    topics[0] = (sm_ProduceResponseTopic_t){ SM_S("alpha"), 2, parts };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ResponsesCnt = 1;
    resp->Responses = topics;
    resp->ThrottleTimeMs = v >= 1 ? 5 : 0;
}

static void
pr_req_part_eq(const sm_ProduceRequestPartition_t *a,
               const sm_ProduceRequestPartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, Index);
    SM_MSG_TEST_BYTES(a, b, Records);
}

static void
pr_req_topic_eq(const sm_ProduceRequestTopic_t *a,
                const sm_ProduceRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_ARRAY(a, b, PartitionData, pr_req_part_eq);
}

static void
pr_req_eq(const sm_ProduceRequest_t *a, const sm_ProduceRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, TransactionalId);
    SM_MSG_TEST_EQ(a, b, Acks);
    SM_MSG_TEST_EQ(a, b, TimeoutMs);
    SM_MSG_TEST_ARRAY(a, b, TopicData, pr_req_topic_eq);
}

static void
pr_resp_part_eq(const sm_ProduceResponsePartition_t *a,
                const sm_ProduceResponsePartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, Index);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_EQ(a, b, BaseOffset);
    SM_MSG_TEST_EQ(a, b, LogAppendTimeMs);
    SM_MSG_TEST_EQ(a, b, LogStartOffset);
}

static void
pr_resp_topic_eq(const sm_ProduceResponseTopic_t *a,
                 const sm_ProduceResponseTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_ARRAY(a, b, PartitionResponses, pr_resp_part_eq);
}

static void
pr_resp_eq(const sm_ProduceResponse_t *a, const sm_ProduceResponse_t *b)
{
    SM_MSG_TEST_ARRAY(a, b, Responses, pr_resp_topic_eq);
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
}

START_TEST(produce__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_PRODUCE_MAX_VERSION; v++) {
        sm_ProduceRequest_t req;

        pr_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(ProduceRequest, v, &req, pr_req_eq);
        req.TransactionalId = SM_STR_NULL;     /* the usual case */
        SM_MSG_TEST_ROUND_TRIP(ProduceRequest, v, &req, pr_req_eq);
    }
}
END_TEST

START_TEST(produce__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_PRODUCE_MAX_VERSION; v++) {
        sm_ProduceResponse_t resp;

        pr_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(ProduceResponse, v, &resp, pr_resp_eq);
    }
}
END_TEST

START_TEST(produce__records_borrow_from_frame)
{
    sm_ProduceRequest_t req, out;
    sm_buf_t buf = SM_BUF_INIT;
    sm_rd_t rd;

    pr_req_sample(3, &req);
    sm_ProduceRequest_write(&buf, 3, &req);
    sm_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(sm_ProduceRequest_read(&rd, 3, &out), SM_OK);
    /* Records points into the frame, no copy */
    ck_assert(out.TopicData[0].PartitionData[0].Records.ptr >= buf.data);
    ck_assert(out.TopicData[0].PartitionData[0].Records.ptr <
              buf.data + buf.len);
    ck_assert_int_eq(out.TopicData[0].PartitionData[1].Records.len, -1);
    sm_ProduceRequest_free(&out);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(produce__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 1,  0, 0, 0x03, 0xe8,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 0,  0, 0, 0, 0,
    };
    static const uint8_t v3_req_head[] = { 0xff, 0xff };   /* null txn id */
    static const uint8_t v0_resp[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,  0, 0,
        0, 0, 0, 0, 0, 0, 0, 0x64,
    };
    static const uint8_t v7_resp_tail[] = {
        0, 0, 0, 0, 0, 0, 0x04, 0xd2,  0, 0, 0, 0, 0, 0, 0, 0x0a,
        0, 0, 0, 0x05,
    };
    sm_ProduceRequestPartition_t p = { 0, SM_B("") };
    sm_ProduceRequestTopic_t t = { SM_S("t"), 1, &p };
    sm_ProduceRequest_t req = { 0, SM_STR_NULL, 1, 1000, 1, &t };
    sm_ProduceResponsePartition_t rp = { 0, 0, 100, -1, -1 };
    sm_ProduceResponseTopic_t rt = { SM_S("t"), 1, &rp };
    sm_ProduceResponse_t resp = { 0, 1, &rt, 0 };
    sm_buf_t buf = SM_BUF_INIT;

    SM_MSG_TEST_BYTES_EQ(ProduceRequest, 0, &req, v0_req);
    sm_ProduceRequest_write(&buf, 3, &req);
    ck_assert_uint_eq(buf.len, sizeof(v0_req) + 2);
    ck_assert_mem_eq(buf.data, v3_req_head, 2);
    ck_assert_mem_eq(buf.data + 2, v0_req, sizeof(v0_req));
    sm_buf_reset(&buf);

    SM_MSG_TEST_BYTES_EQ(ProduceResponse, 0, &resp, v0_resp);
    rp.LogAppendTimeMs = 1234;
    rp.LogStartOffset = 10;
    resp.ThrottleTimeMs = 5;
    sm_ProduceResponse_write(&buf, 7, &resp);
    ck_assert_uint_eq(buf.len, sizeof(v0_resp) + sizeof(v7_resp_tail));
    ck_assert_mem_eq(buf.data, v0_resp, sizeof(v0_resp));
    ck_assert_mem_eq(buf.data + sizeof(v0_resp), v7_resp_tail,
                     sizeof(v7_resp_tail));
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(produce__hostile_counts)
{
    static const uint8_t topics[] = {
        0, 1,  0, 0, 0, 0,  0x7f, 0xff, 0xff, 0xff,  0, 1, 't',
    };
    static const uint8_t parts[] = {
        0, 1,  0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0x01, 0, 0, 0,
        0, 0, 0, 0,  0, 0, 0, 0,
    };
    static const uint8_t records_len[] = {
        0, 1,  0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 0,  0x7f, 0xff, 0xff, 0xff,  1, 2, 3,
    };
    static const uint8_t records_neg[] = {
        0, 1,  0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 0,  0xff, 0xff, 0xff, 0xfe,
    };
    static const uint8_t topics_null[] = { 0, 1,  0, 0, 0, 0,
                                           0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(ProduceRequest, 0, topics, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ProduceRequest, 0, parts, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ProduceRequest, 0, records_len, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(ProduceRequest, 0, records_neg,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(ProduceRequest, 0, topics_null,
                       SM_ERR__NEGATIVE_LENGTH);
}
END_TEST

START_TEST(produce__version_range)
{
    static const uint8_t v0_empty[] = { 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };

    ck_assert_int_eq(SM_PRODUCE_MAX_VERSION,
                     sm_api_info(SM_API_Produce)->max_version);
    SM_MSG_TEST_REJECT(ProduceRequest, SM_PRODUCE_MAX_VERSION + 1, v0_empty,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Real clients' Produce requests (t/data, from branch golden): every
 * field, and the records blob's magic byte for the version. */
START_TEST(produce__golden_captures)
{
    static const char *const clients[] = { "kafkapython", "kcat" };
    static const char *const codecs[] = { "none", "gzip", "snappy", "lz4" };
    static const int16_t versions[] = { 0, 2, 7 };
    static const char *const extra[] = {
        "Produce_v7_kafkapython_zstd.bin", "Produce_v7_kcat_zstd.bin",
        "Produce_v7_confluent_none.bin",
    };
    char files[32][64];
    int n = 0;

    for (size_t v = 0; v < 3; v++)
        for (size_t c = 0; c < 2; c++)
            for (size_t z = 0; z < 4; z++)
                snprintf(files[n++], sizeof(files[0]), "Produce_v%d_%s_%s.bin",
                         versions[v], clients[c], codecs[z]);
    for (size_t i = 0; i < 3; i++)
        snprintf(files[n++], sizeof(files[0]), "%s", extra[i]);
    for (int i = 0; i < n; i++) {
        int kp = strstr(files[i], "kafkapython") != NULL;
        int16_t v = (int16_t)(files[i][9] - '0');
        sm_msg_golden_t gf;
        sm_ProduceRequest_t req;
        const sm_ProduceRequestPartition_t *p;

        sm_msg_test_golden_open(&gf, files[i], SM_API_Produce, v,
                                kp ? SM_GOLDEN_KP_PRODUCER : SM_GOLDEN_RDKAFKA);
        SM_MSG_TEST_GOLDEN_BODY(ProduceRequest, &gf, &req);
        ck_assert_int_eq(req.TransactionalId.len, -1);
        ck_assert_int_eq(req.Acks, kp ? 1 : -1);
        ck_assert_int_eq(req.TimeoutMs, 30000);
        ck_assert_int_eq(req.TopicDataCnt, 1);
        ck_assert(sm_str_eq_cstr(req.TopicData[0].Name, SM_GOLDEN_TOPIC));
        ck_assert_int_eq(req.TopicData[0].PartitionDataCnt, 1);
        p = &req.TopicData[0].PartitionData[0];
        ck_assert_int_eq(p->Index, 0);
        /* magic 0 for v0, 1 for v2, 2 for v3+ */
        ck_assert_int_gt(p->Records.len, 16);
        ck_assert_int_eq(p->Records.ptr[16], v == 0 ? 0 : v == 2 ? 1 : 2);
        /* the blob borrows from the frame */
        ck_assert(p->Records.ptr > gf.frame &&
                  p->Records.ptr + p->Records.len == gf.frame + gf.len);
        sm_ProduceRequest_free(&req);
        sm_msg_test_golden_close(&gf);
    }
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(produce__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(Produce, pr, SM_PRODUCE_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_produce(void)
{
    Suite *s = suite_create("produce");
    TCase *tc = tcase_create("produce");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, produce__request_round_trip_every_version);
    tcase_add_test(tc, produce__response_round_trip_every_version);
    tcase_add_test(tc, produce__records_borrow_from_frame);
    tcase_add_test(tc, produce__known_bytes);
    tcase_add_test(tc, produce__hostile_counts);
    tcase_add_test(tc, produce__version_range);
    tcase_add_test(tc, produce__golden_captures);
    tcase_add_test(tc, produce__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
