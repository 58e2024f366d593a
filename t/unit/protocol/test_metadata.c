/*
 * test_metadata.c: the Metadata codec (protocol/metadata.c), v0-8, both
 * directions: round trip at every version, known bytes, truncation, hostile
 * counts, and v0/v1 "all topics" semantics.
 */
#include "msg_test.h"
#include "protocol/metadata.h"

/* --------------------------------------------------------------- samples */

static void
md_req_sample(int16_t v, sm_MetadataRequest_t *req)
{
    static sm_MetadataRequestTopic_t topics[] = {
        { SM_S("alpha") }, { SM_S("b") }, { SM_S("") },
    };

    memset(req, 0, sizeof(*req));
    req->ApiVersion = v;
    req->TopicsCnt = 3;
    req->Topics = topics;
    /* non-default values wherever the version carries the field */
    req->AllowAutoTopicCreation = v >= 4 ? 0 : 1;
    req->IncludeClusterAuthorizedOperations = v >= 8;
    req->IncludeTopicAuthorizedOperations = v >= 8;
}

static void
md_resp_sample(int16_t v, sm_MetadataResponse_t *resp)
{
    static sm_MetadataResponseBroker_t brokers[2];
    static int32_t replicas[] = { 1, 2, 3 }, isr[] = { 1, 3 }, off[] = { 2 };
    static sm_MetadataResponsePartition_t parts[2];
    static sm_MetadataResponseTopic_t topics[2];

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = v;
    resp->ThrottleTimeMs = v >= 3 ? 7 : 0;
    brokers[0] = (sm_MetadataResponseBroker_t){
        1, SM_S("host-a"), 9092, v >= 1 ? SM_S("rack1") : SM_STR_NULL };
    brokers[1] = (sm_MetadataResponseBroker_t){
        2, SM_S("h2"), 9093, SM_STR_NULL };
    resp->BrokersCnt = 2;
    resp->Brokers = brokers;
    resp->ClusterId = v >= 2 ? SM_S("cluster-x") : SM_STR_NULL;
    resp->ControllerId = v >= 1 ? 2 : -1;
    parts[0] = (sm_MetadataResponsePartition_t){
        0, 0, 1, v >= 7 ? 5 : -1, 3, replicas, 2, isr,
        v >= 5 ? 1 : 0, v >= 5 ? off : NULL };
    parts[1] = (sm_MetadataResponsePartition_t){
        SM_ERR_LEADER_NOT_AVAILABLE, 1, -1, -1, 1, replicas, 0, NULL, 0,
        NULL };
    topics[0] = (sm_MetadataResponseTopic_t){
        0, SM_S("alpha"), v >= 1, 2, parts,
        v >= 8 ? 0x0f : SM_METADATA_AUTHOPS_UNKNOWN };
    topics[1] = (sm_MetadataResponseTopic_t){
        SM_ERR_UNKNOWN_TOPIC_OR_PARTITION, SM_S("missing"), 0, 0, NULL,
        SM_METADATA_AUTHOPS_UNKNOWN };
    resp->TopicsCnt = 2;
    resp->Topics = topics;
    resp->ClusterAuthorizedOperations =
        v >= 8 ? 0x07 : SM_METADATA_AUTHOPS_UNKNOWN;
}

/* ------------------------------------------------------------ equality */

static void
md_req_topic_eq(const sm_MetadataRequestTopic_t *a,
                const sm_MetadataRequestTopic_t *b)
{
    SM_MSG_TEST_STR(a, b, Name);
}

static void
md_req_eq(const sm_MetadataRequest_t *a, const sm_MetadataRequest_t *b)
{
    SM_MSG_TEST_ARRAY(a, b, Topics, md_req_topic_eq);
    SM_MSG_TEST_EQ(a, b, AllowAutoTopicCreation);
    SM_MSG_TEST_EQ(a, b, IncludeClusterAuthorizedOperations);
    SM_MSG_TEST_EQ(a, b, IncludeTopicAuthorizedOperations);
}

static void
md_broker_eq(const sm_MetadataResponseBroker_t *a,
             const sm_MetadataResponseBroker_t *b)
{
    SM_MSG_TEST_EQ(a, b, NodeId);
    SM_MSG_TEST_STR(a, b, Host);
    SM_MSG_TEST_EQ(a, b, Port);
    SM_MSG_TEST_STR(a, b, Rack);
}

static void
md_part_eq(const sm_MetadataResponsePartition_t *a,
           const sm_MetadataResponsePartition_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_EQ(a, b, PartitionIndex);
    SM_MSG_TEST_EQ(a, b, LeaderId);
    SM_MSG_TEST_EQ(a, b, LeaderEpoch);
    SM_MSG_TEST_I32S(a, b, ReplicaNodes);
    SM_MSG_TEST_I32S(a, b, IsrNodes);
    SM_MSG_TEST_I32S(a, b, OfflineReplicas);
}

static void
md_topic_eq(const sm_MetadataResponseTopic_t *a,
            const sm_MetadataResponseTopic_t *b)
{
    SM_MSG_TEST_EQ(a, b, ErrorCode);
    SM_MSG_TEST_STR(a, b, Name);
    SM_MSG_TEST_EQ(a, b, IsInternal);
    SM_MSG_TEST_ARRAY(a, b, Partitions, md_part_eq);
    SM_MSG_TEST_EQ(a, b, TopicAuthorizedOperations);
}

static void
md_resp_eq(const sm_MetadataResponse_t *a, const sm_MetadataResponse_t *b)
{
    SM_MSG_TEST_EQ(a, b, ThrottleTimeMs);
    SM_MSG_TEST_ARRAY(a, b, Brokers, md_broker_eq);
    SM_MSG_TEST_STR(a, b, ClusterId);
    SM_MSG_TEST_EQ(a, b, ControllerId);
    SM_MSG_TEST_ARRAY(a, b, Topics, md_topic_eq);
    SM_MSG_TEST_EQ(a, b, ClusterAuthorizedOperations);
}

/* --------------------------------------------------------------- tests */

START_TEST(metadata__request_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_METADATA_MAX_VERSION; v++) {
        sm_MetadataRequest_t req;

        md_req_sample(v, &req);
        SM_MSG_TEST_ROUND_TRIP(MetadataRequest, v, &req, md_req_eq);
        if (v >= 1) {                   /* null = all topics */
            req.TopicsCnt = -1;
            req.Topics = NULL;
            SM_MSG_TEST_ROUND_TRIP(MetadataRequest, v, &req, md_req_eq);
        }
        req.TopicsCnt = 0;              /* empty */
        SM_MSG_TEST_ROUND_TRIP(MetadataRequest, v, &req, md_req_eq);
    }
}
END_TEST

START_TEST(metadata__response_round_trip_every_version)
{
    for (int16_t v = 0; v <= SM_METADATA_MAX_VERSION; v++) {
        sm_MetadataResponse_t resp;

        md_resp_sample(v, &resp);
        SM_MSG_TEST_ROUND_TRIP(MetadataResponse, v, &resp, md_resp_eq);
    }
}
END_TEST

START_TEST(metadata__known_bytes)
{
    static const uint8_t v0_req[] = { 0, 0, 0, 1, 0, 1, 't' };
    static const uint8_t v4_req[] = { 0xff, 0xff, 0xff, 0xff, 0 };
    static const uint8_t v0_resp[] = {
        0, 0, 0, 1,  0, 0, 0, 1,  0, 1, 'h',  0, 0, 0x23, 0x84,
        0, 0, 0, 1,  0, 0,  0, 1, 't',  0, 0, 0, 1,
        0, 0,  0, 0, 0, 0,  0, 0, 0, 1,  0, 0, 0, 1, 0, 0, 0, 1,
        0, 0, 0, 1, 0, 0, 0, 1,
    };
    sm_MetadataRequestTopic_t t = { SM_S("t") };
    sm_MetadataRequest_t req = { 0, 1, &t, 1, 0, 0 };
    sm_MetadataRequest_t req4 = { 4, -1, NULL, 0, 0, 0 };
    int32_t one = 1;
    sm_MetadataResponseBroker_t b = { 1, SM_S("h"), 9092, SM_STR_NULL };
    sm_MetadataResponsePartition_t p = { 0, 0, 1, -1, 1, &one, 1, &one,
                                         0, NULL };
    sm_MetadataResponseTopic_t rt = { 0, SM_S("t"), 0, 1, &p,
                                      SM_METADATA_AUTHOPS_UNKNOWN };
    sm_MetadataResponse_t resp = { 0, 0, 1, &b, SM_STR_NULL, -1, 1, &rt,
                                   SM_METADATA_AUTHOPS_UNKNOWN };
    sm_MetadataResponse_t out;

    SM_MSG_TEST_BYTES_EQ(MetadataRequest, 0, &req, v0_req);
    SM_MSG_TEST_BYTES_EQ(MetadataRequest, 4, &req4, v4_req);
    SM_MSG_TEST_BYTES_EQ(MetadataResponse, 0, &resp, v0_resp);
    SM_MSG_TEST_PARSE(MetadataResponse, 0, v0_resp, sizeof(v0_resp), &out);
    md_resp_eq(&resp, &out);
    sm_MetadataResponse_free(&out);
}
END_TEST

START_TEST(metadata__all_topics_semantics)
{
    static const uint8_t empty[] = { 0, 0, 0, 0 };
    static const uint8_t null[] = { 0xff, 0xff, 0xff, 0xff };
    sm_MetadataRequest_t req;

    SM_MSG_TEST_PARSE(MetadataRequest, 0, empty, sizeof(empty), &req);
    ck_assert(sm_MetadataRequest_all_topics(&req));
    ck_assert_int_eq(req.AllowAutoTopicCreation, 1);   /* v0 default */
    SM_MSG_TEST_PARSE(MetadataRequest, 1, empty, sizeof(empty), &req);
    ck_assert(!sm_MetadataRequest_all_topics(&req));
    SM_MSG_TEST_PARSE(MetadataRequest, 1, null, sizeof(null), &req);
    ck_assert(sm_MetadataRequest_all_topics(&req));
    ck_assert_int_eq(req.TopicsCnt, -1);
    /* null is not allowed at v0 */
    SM_MSG_TEST_REJECT(MetadataRequest, 0, null, SM_ERR__NEGATIVE_LENGTH);
}
END_TEST

START_TEST(metadata__hostile_counts)
{
    static const uint8_t huge[] = { 0x7f, 0xff, 0xff, 0xff, 0, 1, 't' };
    static const uint8_t neg[] = { 0xff, 0xff, 0xff, 0xfe, 0, 1, 't' };
    /* v0 response: no brokers, one topic whose partition count is huge */
    static const uint8_t parts[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 0,  0, 1, 't',  0x10, 0, 0, 0,
    };
    /* ... and one partition whose replica count is huge */
    static const uint8_t replicas[] = {
        0, 0, 0, 0,  0, 0, 0, 1,  0, 0,  0, 1, 't',  0, 0, 0, 1,
        0, 0,  0, 0, 0, 0,  0, 0, 0, 1,  0x40, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0,
    };

    for (int16_t v = 0; v <= SM_METADATA_MAX_VERSION; v++) {
        SM_MSG_TEST_REJECT(MetadataRequest, v, huge, SM_ERR__TRUNCATED);
        SM_MSG_TEST_REJECT(MetadataRequest, v, neg,
                           SM_ERR__NEGATIVE_LENGTH);
    }
    SM_MSG_TEST_REJECT(MetadataResponse, 0, parts, SM_ERR__TRUNCATED);
    SM_MSG_TEST_REJECT(MetadataResponse, 0, replicas, SM_ERR__TRUNCATED);
}
END_TEST

START_TEST(metadata__version_range)
{
    static const uint8_t empty[] = { 0, 0, 0, 0 };

    ck_assert_int_eq(SM_METADATA_MAX_VERSION,
                     sm_api_info(SM_API_Metadata)->max_version);
    SM_MSG_TEST_REJECT(MetadataRequest, SM_METADATA_MAX_VERSION + 1, empty,
                       SM_ERR_UNSUPPORTED_VERSION);
    SM_MSG_TEST_REJECT(MetadataRequest, -1, empty,
                       SM_ERR_UNSUPPORTED_VERSION);
}
END_TEST

/* Real clients' Metadata requests (t/data, from branch golden). */
START_TEST(metadata__golden_captures)
{
    static const struct {
        const char *file;
        int16_t     v;
        const char *client;
        int32_t     topics;             /* -1: null array */
        int         all, auto_create;
    } g[] = {
        { "Metadata_v0_kafkapython_082.bin", 0, SM_GOLDEN_KP_PRODUCER,
          1, 0, 1 },
        { "Metadata_v0_kafkapython_probe.bin", 0, SM_GOLDEN_KP_PRODUCER,
          0, 1, 1 },
        { "Metadata_v0_kcat_082.bin", 0, SM_GOLDEN_RDKAFKA, 1, 0, 1 },
        { "Metadata_v1_kafkapython_0100.bin", 1, SM_GOLDEN_KP_PRODUCER,
          1, 0, 1 },
        { "Metadata_v1_kafkapython_all.bin", 1, SM_GOLDEN_KP_PRODUCER,
          -1, 1, 1 },
        { "Metadata_v4_kcat.bin", 4, SM_GOLDEN_RDKAFKA, 1, 0, 1 },
        { "Metadata_v4_kcat_all.bin", 4, SM_GOLDEN_RDKAFKA, -1, 1, 1 },
        { "Metadata_v4_kcat_brokers.bin", 4, SM_GOLDEN_RDKAFKA, 0, 0, 0 },
    };

    for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
        sm_msg_golden_t gf;
        sm_MetadataRequest_t req;

        sm_msg_test_golden_open(&gf, g[i].file, SM_API_Metadata, g[i].v,
                                g[i].client);
        SM_MSG_TEST_GOLDEN_BODY(MetadataRequest, &gf, &req);
        ck_assert_int_eq(req.TopicsCnt, g[i].topics);
        if (g[i].topics == 1)
            ck_assert(sm_str_eq_cstr(req.Topics[0].Name, SM_GOLDEN_TOPIC));
        ck_assert_int_eq(sm_MetadataRequest_all_topics(&req), g[i].all);
        ck_assert_int_eq(req.AllowAutoTopicCreation, g[i].auto_create);
        sm_MetadataRequest_free(&req);
        sm_msg_test_golden_close(&gf);
    }
}
END_TEST

/* Every version's sample encodes to the cross-checked reference bytes. */
START_TEST(metadata__every_version_matches_reference)
{
    SM_MSG_TEST_REFERENCE(Metadata, md, SM_METADATA_MAX_VERSION);
}
END_TEST

Suite *
sm_test_suite_metadata(void)
{
    Suite *s = suite_create("metadata");
    TCase *tc = tcase_create("metadata");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, metadata__request_round_trip_every_version);
    tcase_add_test(tc, metadata__response_round_trip_every_version);
    tcase_add_test(tc, metadata__known_bytes);
    tcase_add_test(tc, metadata__all_topics_semantics);
    tcase_add_test(tc, metadata__hostile_counts);
    tcase_add_test(tc, metadata__version_range);
    tcase_add_test(tc, metadata__golden_captures);
    tcase_add_test(tc, metadata__every_version_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}
