/*
 * test_fetch.c: the Fetch codec (protocol/fetch.c), v0-11, both directions:
 * round trip at every version, known bytes, truncation, hostile counts, and
 * the emit contract that lets the broker send record bytes from a file.
 */
#include "common/sm_endian.h"
#include "msg_test.h"
#include "protocol/fetch.h"

static const uint8_t fe_blob[] = { 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 3,
                                   1, 2, 3 };

static void
fe_req_sample(int16_t v, sm_FetchRequest_t *req)
{
    static sm_FetchRequestPartition_t parts[2];
    static sm_FetchRequestTopic_t topics[2];
    static int32_t forgotten_parts[] = { 1, 2 };
    static sm_FetchRequestForgottenTopic_t forgotten[1];

    parts[0] = (sm_FetchRequestPartition_t){
        0, v >= 9 ? 4 : -1, 100, v >= 5 ? 7 : -1, 1048576 };
    parts[1] = (sm_FetchRequestPartition_t){
        2, v >= 9 ? 4 : -1, 0, -1, 65536 };
    topics[0] = (sm_FetchRequestTopic_t){ SM_S("alpha"), 2, parts };
    topics[1] = (sm_FetchRequestTopic_t){ SM_S("b"), 0, NULL };
    forgotten[0] = (sm_FetchRequestForgottenTopic_t){
        SM_S("old"), 2, forgotten_parts };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->ReplicaId = -1;
    req->MaxWaitMs = 500;
    req->MinBytes = 1;
    req->MaxBytes = v >= 3 ? 52428800 : INT32_MAX;
    req->IsolationLevel = v >= 4 ? 1 : 0;
    req->SessionId = v >= 7 ? 12 : 0;
    req->SessionEpoch = v >= 7 ? 3 : -1;
    req->TopicsCnt = 2;
    req->Topics = topics;
    req->ForgottenTopicsDataCnt = v >= 7 ? 1 : 0;
    req->ForgottenTopicsData = v >= 7 ? forgotten : NULL;
    req->RackId = v >= 11 ? SM_S("rack-1") : SM_STR_EMPTY;
}

static void
fe_resp_sample(int16_t v, sm_FetchResponse_t *resp)
{
    static sm_FetchResponseAbortedTxn_t aborted[] = { { 1000, 150 } };
    static sm_FetchResponsePartition_t parts[2];
    static sm_FetchResponseTopic_t topics[2];

    memset(parts, 0, sizeof(parts));
    parts[0].PartitionIndex = 0;
    parts[0].HighWatermark = 200;
    parts[0].LastStableOffset = v >= 4 ? 190 : -1;
    parts[0].LogStartOffset = v >= 5 ? 10 : -1;
    parts[0].AbortedTransactionsCnt = v >= 4 ? 1 : 0;
    parts[0].AbortedTransactions = v >= 4 ? aborted : NULL;
    parts[0].PreferredReadReplica = v >= 11 ? 2 : -1;
    parts[0].Records = (sm_bytes_t){ fe_blob, (int32_t)sizeof(fe_blob) };
    parts[1].PartitionIndex = 1;
    parts[1].ErrorCode = SM_ERR_OFFSET_OUT_OF_RANGE;
    parts[1].HighWatermark = -1;
    parts[1].LastStableOffset = -1;
    parts[1].LogStartOffset = -1;
    parts[1].AbortedTransactionsCnt = v >= 4 ? -1 : 0;   /* null */
    parts[1].PreferredReadReplica = -1;
    parts[1].Records = SM_BYTES_NULL;
    topics[0] = (sm_FetchResponseTopic_t){ SM_S("alpha"), 2, parts };
    topics[1] = (sm_FetchResponseTopic_t){ SM_S("b"), 0, NULL };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 1 ? 3 : 0;
    resp->ErrorCode = v >= 7 ? SM_ERR_LEADER_NOT_AVAILABLE : 0;
    resp->SessionId = v >= 7 ? 99 : 0;
    resp->ResponsesCnt = 2;
    resp->Responses = topics;
}

static void
fe_req_part_eq(const sm_FetchRequestPartition_t *a,
               const sm_FetchRequestPartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, Partition);
    SM_MSG_TEST_EQ(a, b, CurrentLeaderEpoch);
    SM_MSG_TEST_EQ(a, b, FetchOffset);
    SM_MSG_TEST_EQ(a, b, LogStartOffset);
    SM_MSG_TEST_EQ(a, b, PartitionMaxBytes);
}

static void
fe_req_topic_eq(const sm_FetchRequestTopic_t *a,
                const sm_FetchRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Topic);
    SM_MSG_TEST_ARRAY(a, b, Partitions, fe_req_part_eq);
}

static void
fe_forgotten_eq(const sm_FetchRequestForgottenTopic_t *a,
                const sm_FetchRequestForgottenTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Topic);
    SM_MSG_TEST_I32S(a, b, Partitions);
}

static void
fe_req_eq(const sm_FetchRequest_t *a, const sm_FetchRequest_t *b)
{
    SM_MSG_TEST_EQ(a, b, ReplicaId);
    SM_MSG_TEST_EQ(a, b, MaxWaitMs);
    SM_MSG_TEST_EQ(a, b, MinBytes);
    SM_MSG_TEST_EQ(a, b, MaxBytes);
    SM_MSG_TEST_EQ(a, b, IsolationLevel);
    SM_MSG_TEST_EQ(a, b, SessionId);
    SM_MSG_TEST_EQ(a, b, SessionEpoch);
    SM_MSG_TEST_ARRAY(a, b, Topics, fe_req_topic_eq);
    SM_MSG_TEST_ARRAY(a, b, ForgottenTopicsData, fe_forgotten_eq);
    SM_MSG_TEST_STR(a, b, RackId);
}

static void
fe_aborted_eq(const sm_FetchResponseAbortedTxn_t *a,
              const sm_FetchResponseAbortedTxn_t *b)
{
    SM_MSG_TEST_EQ(a, b, ProducerId);
    SM_MSG_TEST_EQ(a, b, FirstOffset);
}

static void
fe_resp_part_eq(const sm_FetchResponsePartition_t *a,
                const sm_FetchResponsePartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_EQ(a, b, HighWatermark);
    SM_MSG_TEST_EQ(a, b, LastStableOffset);
    SM_MSG_TEST_EQ(a, b, LogStartOffset);
    SM_MSG_TEST_ARRAY(a, b, AbortedTransactions, fe_aborted_eq);
    SM_MSG_TEST_EQ(a, b, PreferredReadReplica);
    SM_MSG_TEST_BYTES(a, b, Records);
    ck_assert_ptr_null(b->records_ref);
}

static void
fe_resp_topic_eq(const sm_FetchResponseTopic_t *a,
                 const sm_FetchResponseTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Topic);
    SM_MSG_TEST_ARRAY(a, b, Partitions, fe_resp_part_eq);
}

static void
fe_resp_eq(const sm_FetchResponse_t *a, const sm_FetchResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_EQ(a, b, SessionId);
    SM_MSG_TEST_ARRAY(a, b, Responses, fe_resp_topic_eq);
}

START_TEST(fetch__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_FETCH_MAX_VERSION; v++) {
        sm_FetchRequest_t req;

        fe_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(FetchRequest, v, &req, fe_req_eq);
    }
}
END_TEST

START_TEST(fetch__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_FETCH_MAX_VERSION; v++) {
        sm_FetchResponse_t resp;

        fe_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(FetchResponse, v, &resp, fe_resp_eq);
    }
}
END_TEST

START_TEST(fetch__known_bytes)
{
    static const uint8_t v0_req[] = {
        0xff, 0xff, 0xff, 0xff,  0, 0, 0, 0x64,  0, 0, 0, 1,
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 5,  0, 0x10, 0, 0,
    };
    static const uint8_t v0_resp[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,  0, 0,
        0, 0, 0, 0, 0, 0, 0, 5,  0, 0, 0, 0,
    };
    sm_FetchRequestPartition_t p = { 0, -1, 5, -1, 1 << 20 };
    sm_FetchRequestTopic_t t = { SM_S("t"), 1, &p };
    sm_FetchRequest_t req;
    sm_FetchResponsePartition_t rp;
    sm_FetchResponseTopic_t rt = { SM_S("t"), 1, &rp };
    sm_FetchResponse_t resp = { 0, 0, 0, 0, 1, &rt };

    memset(&req, 0, sizeof(req));
    req.ReplicaId = -1;
    req.MaxWaitMs = 100;
    req.MinBytes = 1;
    req.TopicsCnt = 1;
    req.Topics = &t;
    memset(&rp, 0, sizeof(rp));
    rp.HighWatermark = 5;
    rp.Records = SM_B("");
    SM_MSG_TEST_BYTES_EQ(FetchRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(FetchResponse, 0, &resp, v0_resp);
}
END_TEST

/* ------------------------------------------------- emit (sendfile) path */

/* A fake response: the segments the broker would hand to the network. */
typedef struct fe_segs {
    int      n;
    int      is_file[8];
    uint8_t *data[8];
    size_t   len[8];
} fe_segs_t;

static void
fe_segs_add_buf(fe_segs_t *s, sm_buf_t *buf)
{
    ck_assert_int_lt(s->n, 8);
    s->is_file[s->n] = 0;
    s->data[s->n] = sm_buf_detach(buf, &s->len[s->n]);
    s->n++;
}

/* The callback: check the length just written, cut, add a "file". */
static void
fe_emit(sm_buf_t *buf, const sm_FetchResponsePartition_t *part, void *opaque)
{
    fe_segs_t *s = opaque;

    ck_assert_uint_ge(buf->len, 4);
    ck_assert_int_eq((int32_t)sm_load_be32(buf->data + buf->len - 4),
                     part->records_ref_len);
    fe_segs_add_buf(s, buf);
    ck_assert_int_lt(s->n, 8);
    s->is_file[s->n] = 1;
    s->len[s->n] = (size_t)part->records_ref_len;
    s->data[s->n] = sm_msg_test_copy(part->records_ref, s->len[s->n]);
    s->n++;
}

START_TEST(fetch__emit_cuts_at_record_bytes)
{
    static const char file0[] = "FILE-BYTES-0";
    static const char file1[] = "F1";
    fe_segs_t segs = { 0 };
    sm_buf_t buf = SM_BUF_INIT, whole = SM_BUF_INIT, ref = SM_BUF_INIT;
    sm_FetchResponse_t resp, out;
    int16_t v = SM_FETCH_MAX_VERSION;
    int files = 0;

    fe_resp_sample(v, &resp);
    /* partition 0 from a "file", partition 1 too, topic b has none */
    resp.Responses[0].Partitions[0].records_ref = (void *)file0;
    resp.Responses[0].Partitions[0].records_ref_len = sizeof(file0) - 1;
    resp.Responses[0].Partitions[1].records_ref = (void *)file1;
    resp.Responses[0].Partitions[1].records_ref_len = sizeof(file1) - 1;
    sm_wr_i32(&buf, 42);                /* e.g. a response header first */
    sm_FetchResponse_write_emit(&buf, v, &resp, fe_emit, &segs);
    fe_segs_add_buf(&segs, &buf);

    ck_assert_int_eq(segs.n, 5);        /* mem file mem file mem */
    for (int i = 0; i < segs.n; i++) {
        files += segs.is_file[i];
        ck_assert_int_eq(segs.is_file[i], i % 2);
        if (segs.len[i])
            sm_buf_write(&whole, segs.data[i], segs.len[i]);
        free(segs.data[i]);
    }
    ck_assert_int_eq(files, 2);

    /* the stream equals the in-memory encoding of the same records */
    resp.Responses[0].Partitions[0].records_ref = NULL;
    resp.Responses[0].Partitions[0].Records = SM_B("FILE-BYTES-0");
    resp.Responses[0].Partitions[1].records_ref = NULL;
    resp.Responses[0].Partitions[1].Records = SM_B("F1");
    sm_wr_i32(&ref, 42);
    sm_FetchResponse_write(&ref, v, &resp);
    ck_assert_uint_eq(whole.len, ref.len);
    ck_assert_mem_eq(whole.data, ref.data, ref.len);

    /* and the client-side reader borrows those bytes from the frame */
    SM_MSG_TEST_PARSE(FetchResponse, v, whole.data + 4, whole.len - 4, &out);
    fe_resp_eq(&resp, &out);
    ck_assert(out.Responses[0].Partitions[0].Records.ptr > whole.data);
    sm_FetchResponse_free(&out);
    sm_buf_fini(&whole);
    sm_buf_fini(&ref);
}
END_TEST

START_TEST(fetch__hostile_counts)
{
    static const uint8_t topics[] = {
        0xff, 0xff, 0xff, 0xff,  0, 0, 0, 0x64,  0, 0, 0, 1,
        0x7f, 0xff, 0xff, 0xff,  0, 1, 't',
    };
    static const uint8_t parts[] = {
        0xff, 0xff, 0xff, 0xff,  0, 0, 0, 0x64,  0, 0, 0, 1,
        0, 0, 0, 1,  0, 1, 't',  0, 0x10, 0, 0,  0, 0, 0, 0,
    };
    /* v0 response: partition whose record bytes claim more than is left */
    static const uint8_t records[] = {
        0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,  0, 0,
        0, 0, 0, 0, 0, 0, 0, 5,  0, 0, 0x10, 0,  1, 2, 3,
    };
    /* v4 response: huge aborted-transaction count */
    static const uint8_t aborted[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 0,
        0, 0,  0, 0, 0, 0, 0, 0, 0, 5,  0, 0, 0, 0, 0, 0, 0, 5,
        0x0f, 0xff, 0xff, 0xff,  0, 0, 0, 0,
    };

    SM_MSG_TEST_REJECT(FetchRequest, 0, topics, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(FetchRequest, 0, parts, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(FetchResponse, 0, records, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(FetchResponse, 4, aborted, SM_ERR__TRUNCATED);
}
END_TEST

START_TEST(fetch__defaults_below_their_version)
{
    static const uint8_t v0_req[] = {
        0xff, 0xff, 0xff, 0xff,  0, 0, 0, 0x64,  0, 0, 0, 1,
        0, 0, 0, 0,
    };
    sm_FetchRequest_t req;

    SM_MSG_TEST_PARSE(FetchRequest, 0, v0_req, sizeof(v0_req), &req);
    ck_assert_int_eq(req.MaxBytes, INT32_MAX);
    ck_assert_int_eq(req.IsolationLevel, 0);
    ck_assert_int_eq(req.SessionId, 0);
    ck_assert_int_eq(req.SessionEpoch, -1);
    ck_assert_int_eq(req.ForgottenTopicsDataCnt, 0);
    ck_assert(sm_str_eq_cstr(req.RackId, ""));
    sm_FetchRequest_free(&req);
    ck_assert_int_eq(SM_FETCH_MAX_VERSION,
                     sm_api_info(SM_API_Fetch)->max_version);
    SM_MSG_TEST_REJECT(FetchRequest, SM_FETCH_MAX_VERSION + 1, v0_req,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Real clients' Fetch requests (t/data, from branch golden). */
START_TEST(fetch__golden_captures)
{
    static const struct {
        const char *file;
        int16_t     v;
        const char *client;
        int8_t      isolation;
    } g[] = {
        { "Fetch_v0_kafkapython.bin", 0, SM_GOLDEN_KP_CONSUMER, 0 },
        { "Fetch_v2_kafkapython.bin", 2, SM_GOLDEN_KP_CONSUMER, 0 },
        { "Fetch_v4_kafkapython.bin", 4, SM_GOLDEN_KP_CONSUMER, 0 },
        { "Fetch_v11_kcat.bin", 11, SM_GOLDEN_RDKAFKA, 1 },
    };

    for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
        sm_msg_golden_t gf;
        sm_FetchRequest_t req;
        const sm_FetchRequestPartition_t *p;

        sm_msg_test_golden_open(&gf, g[i].file, SM_API_Fetch, g[i].v,
                                g[i].client);
        SM_MSG_TEST_GOLDEN_BODY(FetchRequest, &gf, &req);
        ck_assert_int_eq(req.ReplicaId, -1);
        ck_assert_int_eq(req.MaxWaitMs, 500);
        ck_assert_int_eq(req.MinBytes, 1);
        ck_assert_int_eq(req.MaxBytes, g[i].v >= 3 ? 52428800 : INT32_MAX);
        ck_assert_int_eq(req.IsolationLevel, g[i].isolation);
        ck_assert_int_eq(req.SessionId, 0);        /* no fetch sessions */
        ck_assert_int_eq(req.SessionEpoch, -1);
        ck_assert_int_eq(req.TopicsCnt, 1);
        ck_assert(sm_str_eq_cstr(req.Topics[0].Topic, SM_GOLDEN_TOPIC));
        ck_assert_int_eq(req.Topics[0].PartitionsCnt, 1);
        p = &req.Topics[0].Partitions[0];
        ck_assert_int_eq(p->Partition, 0);
        ck_assert_int_eq(p->CurrentLeaderEpoch, -1);
        ck_assert_int_eq(p->FetchOffset, 0);
        ck_assert_int_eq(p->LogStartOffset, -1);
        ck_assert_int_eq(p->PartitionMaxBytes, 1048576);
        ck_assert_int_eq(req.ForgottenTopicsDataCnt, 0);
        ck_assert(sm_str_eq_cstr(req.RackId, ""));
        sm_FetchRequest_free(&req);
        sm_msg_test_golden_close(&gf);
    }
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(fetch__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(Fetch, fe, SM_FETCH_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_fetch(void)
{
    Suite *s = suite_create("fetch");
    TCase *tc = tcase_create("fetch");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, fetch__request_round_trip_every_version);
    tcase_add_test(tc, fetch__response_round_trip_every_version);
    tcase_add_test(tc, fetch__known_bytes);
    tcase_add_test(tc, fetch__emit_cuts_at_record_bytes);
    tcase_add_test(tc, fetch__hostile_counts);
    tcase_add_test(tc, fetch__defaults_below_their_version);
    tcase_add_test(tc, fetch__golden_captures);
    tcase_add_test(tc, fetch__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
