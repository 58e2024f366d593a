/*
 * test_offsetcommit.c: the OffsetCommit codec (protocol/offsetcommit.c),
 * v0-7, both directions: round trip at every version, known bytes with the
 * version-dependent fields (v1 timestamp, v2-4 retention, v6 epoch, v7
 * instance id), defaults, truncation and hostile counts.
 */
#include "msg_test.h"
#include "protocol/offsetcommit.h"

static void
oc_req_sample(int16_t v, sm_OffsetCommitRequest_t *req)
{
    static sm_OffsetCommitRequestPartition_t parts[2];
    static sm_OffsetCommitRequestTopic_t topics[2];

    parts[0] = (sm_OffsetCommitRequestPartition_t){
        0, 100, v >= 6 ? 4 : -1, v == 1 ? 1600000000000LL : -1,
        SM_S("meta") };
    parts[1] = (sm_OffsetCommitRequestPartition_t){
        5, 0x100000000LL, -1, -1, SM_STR_NULL };
    topics[0] = (sm_OffsetCommitRequestTopic_t){ SM_S("t1"), 2, parts };
    topics[1] = (sm_OffsetCommitRequestTopic_t){ SM_S("t2"), 0, NULL };
    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->GroupId = SM_S("group-1");
    req->GenerationId = v >= 1 ? 7 : -1;
    req->MemberId = v >= 1 ? SM_S("m-1") : SM_S("");
    req->GroupInstanceId = v >= 7 ? SM_S("i") : SM_STR_NULL;
    req->RetentionTimeMs = v >= 2 && v <= 4 ? 86400000 : -1;
    req->TopicsCnt = 2;
    req->Topics = topics;
}

static void
oc_resp_sample(int16_t v, sm_OffsetCommitResponse_t *resp)
{
    static sm_OffsetCommitResponsePartition_t parts[2];
    static sm_OffsetCommitResponseTopic_t topics[1];

    parts[0] = (sm_OffsetCommitResponsePartition_t){ 0, 0 };
    parts[1] = (sm_OffsetCommitResponsePartition_t){
        5, SM_ERR_OFFSET_METADATA_TOO_LARGE };
    topics[0] = (sm_OffsetCommitResponseTopic_t){ SM_S("t1"), 2, parts };
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 3 ? 3 : 0;
    resp->TopicsCnt = 1;
    resp->Topics = topics;
}

static void
oc_rqp_eq(const sm_OffsetCommitRequestPartition_t *a,
          const sm_OffsetCommitRequestPartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, CommittedOffset);
    SM_MSG_TEST_EQ(a, b, CommittedLeaderEpoch);
    SM_MSG_TEST_EQ(a, b, CommitTimestamp);
    SM_MSG_TEST_STR(a, b, CommittedMetadata);
}

static void
oc_rqt_eq(const sm_OffsetCommitRequestTopic_t *a,
          const sm_OffsetCommitRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_ARRAY(a, b, Partitions, oc_rqp_eq);
}

static void
oc_req_eq(const sm_OffsetCommitRequest_t *a, const sm_OffsetCommitRequest_t *b)
{
    SM_MSG_TEST_STR(a, b, GroupId);
    SM_MSG_TEST_EQ(a, b, GenerationId);
    SM_MSG_TEST_STR(a, b, MemberId);
    SM_MSG_TEST_STR(a, b, GroupInstanceId);
    SM_MSG_TEST_EQ(a, b, RetentionTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Topics, oc_rqt_eq);
}

static void
oc_rsp_eq(const sm_OffsetCommitResponsePartition_t *a,
          const sm_OffsetCommitResponsePartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, ErrorCode);
}

static void
oc_rst_eq(const sm_OffsetCommitResponseTopic_t *a,
          const sm_OffsetCommitResponseTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_ARRAY(a, b, Partitions, oc_rsp_eq);
}

static void
oc_resp_eq(const sm_OffsetCommitResponse_t *a,
           const sm_OffsetCommitResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Topics, oc_rst_eq);
}

START_TEST(offsetcommit__round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_OFFSETCOMMIT_MAX_VERSION; v++) {
        sm_OffsetCommitRequest_t req;
        sm_OffsetCommitResponse_t resp;

        oc_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(OffsetCommitRequest, v, &req, oc_req_eq);
        oc_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(OffsetCommitResponse, v, &resp, oc_resp_eq);
    }
}
END_TEST

START_TEST(offsetcommit__known_bytes)
{
    static const uint8_t v0_req[] = {
        0, 1, 'g',  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 2,  0, 0, 0, 0, 0, 0, 0, 9,  0xff, 0xff,
    };
    static const uint8_t v1_req[] = {
        0, 1, 'g',  0, 0, 0, 3,  0, 1, 'm',  0, 0, 0, 1,  0, 1, 't',
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0, 0, 0, 0, 9,
        0, 0, 0, 0, 0, 0, 0, 8,  0, 0,
    };
    static const uint8_t v2_req[] = {
        0, 1, 'g',  0, 0, 0, 3,  0, 1, 'm',
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  0, 0, 0, 0,
    };
    static const uint8_t v6_req[] = {
        0, 1, 'g',  0, 0, 0, 3,  0, 1, 'm',  0, 0, 0, 1,  0, 1, 't',
        0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 0, 0, 0, 0, 9,
        0, 0, 0, 4,  0, 0,
    };
    static const uint8_t v3_resp[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 1, 't',  0, 0, 0, 1,
        0, 0, 0, 2,  0, 22,
    };
    sm_OffsetCommitRequestPartition_t p = { 2, 9, 4, 8, SM_S("") };
    sm_OffsetCommitRequestPartition_t p0 = { 2, 9, -1, -1, SM_STR_NULL };
    sm_OffsetCommitRequestTopic_t t = { SM_S("t"), 1, &p };
    sm_OffsetCommitRequestTopic_t t0 = { SM_S("t"), 1, &p0 };
    sm_OffsetCommitRequest_t r0 = { 0, SM_S("g"), -1, SM_S(""), SM_STR_NULL,
                                    -1, 1, &t0 };
    sm_OffsetCommitRequest_t r = { 1, SM_S("g"), 3, SM_S("m"), SM_STR_NULL,
                                   -1, 1, &t };
    sm_OffsetCommitRequest_t r2 = { 2, SM_S("g"), 3, SM_S("m"), SM_STR_NULL,
                                    -1, 0, NULL };
    sm_OffsetCommitResponsePartition_t rp = { 2, SM_ERR_ILLEGAL_GENERATION };
    sm_OffsetCommitResponseTopic_t rt = { SM_S("t"), 1, &rp };
    sm_OffsetCommitResponse_t resp = { 3, 0, 1, &rt };
    sm_OffsetCommitRequest_t out;

    SM_MSG_TEST_BYTES_EQ(OffsetCommitRequest, 0, &r0, v0_req);
    SM_MSG_TEST_BYTES_EQ(OffsetCommitRequest, 1, &r, v1_req);
    SM_MSG_TEST_BYTES_EQ(OffsetCommitRequest, 2, &r2, v2_req);
    SM_MSG_TEST_BYTES_EQ(OffsetCommitRequest, 6, &r, v6_req);
    SM_MSG_TEST_BYTES_EQ(OffsetCommitResponse, 3, &resp, v3_resp);
    /* v0 defaults: no generation, empty member, no timestamp. */
    SM_MSG_TEST_PARSE(OffsetCommitRequest, 0, v0_req, sizeof(v0_req), &out);
    ck_assert_int_eq(out.GenerationId, -1);
    ck_assert_int_eq(out.MemberId.len, 0);
    ck_assert_int_eq(out.RetentionTimeMs, -1);
    ck_assert_int_eq(out.Topics[0].Partitions[0].CommitTimestamp, -1);
    ck_assert_int_eq(out.Topics[0].Partitions[0].CommittedLeaderEpoch, -1);
    ck_assert_int_eq(out.Topics[0].Partitions[0].CommittedMetadata.len, -1);
    sm_OffsetCommitRequest_free(&out);
}
END_TEST

START_TEST(offsetcommit__hostile_counts)
{
    static const uint8_t topics[] = { 0, 1, 'g',  0x7f, 0xff, 0xff, 0xff };
    static const uint8_t parts[] = {
        0, 1, 'g',  0, 0, 0, 1,  0, 1, 't',  0, 1, 0, 0,
    };
    static const uint8_t null_topics[] = { 0, 1, 'g',
                                           0xff, 0xff, 0xff, 0xff };

    SM_MSG_TEST_REJECT(OffsetCommitRequest, 0, topics, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(OffsetCommitRequest, 0, parts, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(OffsetCommitRequest, 0, null_topics,
                       SM_ERR__NEGATIVE_LENGTH);
    SM_MSG_TEST_REJECT(OffsetCommitRequest, SM_OFFSETCOMMIT_MAX_VERSION + 1,
                       topics, SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

Suite *
sm_test_suite_offsetcommit(void)
{
    Suite *s = suite_create("offsetcommit");
    TCase *tc = tcase_create("offsetcommit");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, offsetcommit__round_trip_every_version);
    tcase_add_test(tc, offsetcommit__known_bytes);
    tcase_add_test(tc, offsetcommit__hostile_counts);
    suite_add_tcase(s, tc);
    return s;
}
