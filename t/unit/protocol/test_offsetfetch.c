/*
 * test_offsetfetch.c: the OffsetFetch codec (protocol/offsetfetch.c), v0-5,
 * both directions: round trip at every version, the null Topics array
 * (v2+ only), known bytes, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/offsetfetch.h"

static void
of_req_sample(int16_t v, sm_OffsetFetchRequest_t *req)
{
    static int32_t idx[3] = { 0, 1, 7 };
    static sm_OffsetFetchRequestTopic_t topics[2];

    topics[0] = (sm_OffsetFetchRequestTopic_t){ SM_S("t1"), 3, idx };
    topics[1] = (sm_OffsetFetchRequestTopic_t){ SM_S("t2"), 0, NULL };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->GroupId = SM_S("group-1");
    /* v2+ samples ask for everything (null), older ones list topics. */
    req->TopicsCnt = v >= 2 && (v % 2) == 0 ? -1 : 2;
    req->Topics = req->TopicsCnt > 0 ? topics : NULL;
}

static void
of_resp_sample(int16_t v, sm_OffsetFetchResponse_t *resp)
{
    static sm_OffsetFetchResponsePartition_t parts[2];
    static sm_OffsetFetchResponseTopic_t topics[1];

    parts[0] = (sm_OffsetFetchResponsePartition_t){
        0, 42, v >= 5 ? 3 : -1, SM_S(""), 0 };
    parts[1] = (sm_OffsetFetchResponsePartition_t){
        1, -1, -1, SM_STR_NULL, 0 };
    topics[0] = (sm_OffsetFetchResponseTopic_t){ SM_S("t1"), 2, parts };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 3 ? 6 : 0;
    resp->TopicsCnt = 1;
    resp->Topics = topics;
    resp->ErrorCode = v >= 2 ? SM_ERR_COORDINATOR_LOAD_IN_PROGRESS : 0;
}

static void
of_rqt_eq(const sm_OffsetFetchRequestTopic_t *a,
          const sm_OffsetFetchRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_I32S(a, b, PartitionIndexes);
}

static void
of_req_eq(const sm_OffsetFetchRequest_t *a, const sm_OffsetFetchRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_ARRAY(a, b, Topics, of_rqt_eq);
}

static void
of_rsp_eq(const sm_OffsetFetchResponsePartition_t *a,
          const sm_OffsetFetchResponsePartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, CommittedOffset);
    SM_MSG_TEST_EQ(a, b, CommittedLeaderEpoch);
    SM_MSG_TEST_STR(a, b, Metadata);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

static void
of_rst_eq(const sm_OffsetFetchResponseTopic_t *a,
          const sm_OffsetFetchResponseTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_ARRAY(a, b, Partitions, of_rsp_eq);
}

static void
of_resp_eq(const sm_OffsetFetchResponse_t *a,
           const sm_OffsetFetchResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Topics, of_rst_eq);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

START_TEST(offsetfetch__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_OFFSETFETCH_MAX_VERSION; v++) {
        sm_OffsetFetchRequest_t req;
        sm_OffsetFetchResponse_t resp;

        of_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(OffsetFetchRequest, v, &req, of_req_eq);
        of_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(OffsetFetchResponse, v, &resp, of_resp_eq);
    }
}
END_TEST

START_TEST(offsetfetch__known_bytes)
{
    static const uint8_t v1_req[] = {
        0, 1, 'g',  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,  0, 0, 0, 2,
    };
    static const uint8_t v2_req_all[] = { 0, 1, 'g',  0xff, 0xff, 0xff, 0xff };
    static const uint8_t v5_resp[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 2,  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff,  0, 0,  0, 0,  0, 0,
    };
    int32_t idx = 2;
    sm_OffsetFetchRequestTopic_t t = { SM_S("t"), 1, &idx };
    sm_OffsetFetchRequest_t r1 = { 1, SM_S("g"), 1, &t };
    sm_OffsetFetchRequest_t r2 = { 2, SM_S("g"), -1, NULL };
    sm_OffsetFetchResponsePartition_t p = { 2, -1, -1, SM_S(""), 0 };
    sm_OffsetFetchResponseTopic_t rt = { SM_S("t"), 1, &p };
    sm_OffsetFetchResponse_t resp = { 5, 0, 1, &rt, 0 };
    sm_OffsetFetchRequest_t out;

    SM_MSG_TEST_BYTES_EQ(OffsetFetchRequest, 1, &r1, v1_req);
    SM_MSG_TEST_BYTES_EQ(OffsetFetchRequest, 2, &r2, v2_req_all);
    SM_MSG_TEST_BYTES_EQ(OffsetFetchResponse, 5, &resp, v5_resp);
    SM_MSG_TEST_PARSE(OffsetFetchRequest, 2, v2_req_all,
                      sizeof(v2_req_all), &out);
    ck_assert_int_eq(out.TopicsCnt, -1);
    ck_assert_ptr_null(out.Topics);
    sm_OffsetFetchRequest_free(&out);
}
END_TEST

START_TEST(offsetfetch__null_topics_only_v2)
{
    static const uint8_t all[] = { 0, 1, 'g',  0xff, 0xff, 0xff, 0xff };
    static const uint8_t topics[] = { 0, 1, 'g',  0x40, 0, 0, 0 };

    SM_MSG_TEST_REJECT(OffsetFetchRequest, 1, all, SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(OffsetFetchRequest, 3, topics, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(OffsetFetchRequest, SM_OFFSETFETCH_MAX_VERSION + 1,
                       all, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_offsetfetch(void)
{
    Suite *s = suite_create("offsetfetch");
    TCase *tc = tcase_create("offsetfetch");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, offsetfetch__round_trip_every_version);
    tcase_add_test(tc, offsetfetch__known_bytes);
    tcase_add_test(tc, offsetfetch__null_topics_only_v2);
    suite_add_tcase(s, tc);
    return s;
}
