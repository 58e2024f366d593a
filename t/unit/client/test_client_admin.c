/* test_client_admin.c: client_admin.c - the public admin calls against a
 * scripted peer: what goes on the wire, how answers become results and
 * messages, NOT_CONTROLLER retries, version limits. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "client/client.h"
#include "fake_broker.h"
#include "protocol/apiversions.h"
#include "protocol/createpartitions.h"
#include "protocol/createtopics.h"
#include "protocol/deletetopics.h"
#include "protocol/describeconfigs.h"
#include "protocol/metadata.h"
#include "sm_test.h"

static samsa_client_t *
client_for(const fb_t *fb)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_client_t *c;
    char errstr[256], servers[64];

    snprintf(servers, sizeof(servers), "127.0.0.1:%d", fb->port);
    samsa_conf_set(conf, "bootstrap.servers", servers, errstr,
                   sizeof(errstr));
    samsa_conf_set(conf, "default.api.timeout.ms", "5000", errstr,
                   sizeof(errstr));
    samsa_conf_set(conf, "retry.backoff.ms", "10", errstr, sizeof(errstr));
    c = samsa_client_new(conf, errstr, sizeof(errstr));
    ck_assert_msg(c != NULL, "%s", errstr);
    samsa_conf_destroy(conf);
    return c;
}

/* ------------------------------------------------------------ metadata */

static const fb_topic_t topics4[] = {
    { "b", 0, 0, 2 },
    { "__consumer_offsets", 0, 1, 1 },
    { "a", 0, 0, 3 },
    { "pending", SM_ERR_LEADER_NOT_AVAILABLE, 0, 0 },
};

START_TEST(admin__list_topics)
{
    char **names = NULL, *errmsg = NULL;
    samsa_client_t *c;
    int n = -1;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, NULL, NULL), 0);
    fb.topics = topics4;
    fb.ntopics = 4;
    c = client_for(&fb);
    ck_assert_int_eq(samsa_list_topics(c, 0, &names, &n, &errmsg), SAMSA_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(names[0], "a");
    ck_assert_str_eq(names[1], "b");
    samsa_strings_free(names, n);
    ck_assert_int_eq(samsa_list_topics(c, 1, &names, &n, &errmsg), SAMSA_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(names[0], "__consumer_offsets");
    samsa_strings_free(names, n);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

START_TEST(admin__describe_topics)
{
    const char *want[] = { "a", "missing" };
    samsa_metadata_t *md = NULL;
    sm_MetadataRequest_t req;
    char *errmsg = NULL;
    samsa_client_t *c;
    uint8_t *body;
    size_t len;
    sm_rd_t rd;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, NULL, NULL), 0);
    fb.topics = topics4;
    fb.ntopics = 4;
    c = client_for(&fb);
    ck_assert_int_eq(samsa_describe_topics(c, want, 2, &md, &errmsg),
                     SAMSA_OK);
    ck_assert_int_eq(md->topic_cnt, 2);
    ck_assert_str_eq(md->topics[0].name, "a");
    ck_assert_int_eq(md->topics[0].err, SAMSA_OK);
    ck_assert_int_eq(md->topics[0].partition_cnt, 3);
    for (int p = 0; p < 3; p++)         /* the fake lists them reversed */
        ck_assert_int_eq(md->topics[0].partitions[p].partition, p);
    ck_assert_int_eq(md->topics[0].partitions[1].replica_cnt, 1);
    ck_assert_str_eq(md->topics[1].name, "missing");
    ck_assert_int_eq(md->topics[1].err, SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    /* what went out: the two names, no auto-creation */
    body = fb_last_body(&fb, SM_API_Metadata, &len);
    sm_rd_init(&rd, body, len);
    ck_assert_int_eq(sm_MetadataRequest_read(&rd, 8, &req), SM_OK);
    ck_assert_int_eq(req.TopicsCnt, 2);
    ck_assert(sm_str_eq_cstr(req.Topics[1].Name, "missing"));
    ck_assert_int_eq(req.AllowAutoTopicCreation, 0);
    sm_MetadataRequest_free(&req);
    free(body);
    samsa_metadata_destroy(md);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* ------------------------------------------------------------ create */

/* CreateTopics: NOT_CONTROLLER for "moved" the first time; "dup" exists
 * (with a message), "bad" has no message, "lost" is left out. */
static int
create_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
               sm_buf_t *out)
{
    sm_CreateTopicsRequest_t req;
    sm_CreateTopicsResponse_t resp;
    sm_CreateTopicsResponseTopic_t t[8];
    int first = atomic_load(&fb->nreq[SM_API_CreateTopics]) == 1;

    if (hdr->ApiKey != SM_API_CreateTopics)
        return fb_default(fb, hdr, body, out);
    if (sm_CreateTopicsRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    memset(&resp, 0, sizeof(resp));
    memset(t, 0, sizeof(t));
    resp.Topics = t;
    for (int32_t i = 0; i < req.TopicsCnt && i < 8; i++) {
        sm_str_t name = req.Topics[i].Name;
        if (sm_str_eq_cstr(name, "lost"))
            continue;
        t[resp.TopicsCnt].Name = name;
        t[resp.TopicsCnt].ErrorMessage = SM_STR_NULL;
        if (sm_str_eq_cstr(name, "moved") && first) {
            t[resp.TopicsCnt].ErrorCode = SM_ERR_NOT_CONTROLLER;
        } else if (sm_str_eq_cstr(name, "dup")) {
            t[resp.TopicsCnt].ErrorCode = SM_ERR_TOPIC_ALREADY_EXISTS;
            t[resp.TopicsCnt].ErrorMessage =
                sm_str_cstr("Topic 'dup' already exists.");
        } else if (sm_str_eq_cstr(name, "bad")) {
            t[resp.TopicsCnt].ErrorCode = SM_ERR_INVALID_PARTITIONS;
        }
        resp.TopicsCnt++;
    }
    sm_CreateTopicsResponse_write(out, hdr->ApiVersion, &resp);
    sm_CreateTopicsRequest_free(&req);
    return FB_ANSWER;
}

START_TEST(admin__create_topics)
{
    static const int32_t r0[] = { 0, 1 }, r1[] = { 1, 0 };
    const int32_t *reps[] = { r0, r1 };
    const int cnts[] = { 2, 2 };
    samsa_assignment_t a = { reps, cnts, 2 };
    const char *cn[] = { "retention.ms" }, *cv[] = { "1000" };
    samsa_new_topic_t nt[] = {
        { "moved", 3, 1, NULL, cn, cv, 1 },
        { "dup", -1, -1, NULL, NULL, NULL, 0 },
        { "bad", 0, 1, NULL, NULL, NULL, 0 },
        { "lost", 1, 1, NULL, NULL, NULL, 0 },
        { "manual", -1, -1, &a, NULL, NULL, 0 },
    };
    samsa_result_t *res = NULL;
    sm_CreateTopicsRequest_t req;
    char *errmsg = NULL;
    samsa_client_t *c;
    uint8_t *body;
    size_t len;
    sm_rd_t rd;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, create_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_create_topics(c, nt, 5, 0, &res, &errmsg),
                     SAMSA_OK);
    ck_assert_int_eq(res[0].err, SAMSA_OK);             /* after a retry */
    ck_assert_ptr_null(res[0].errmsg);
    ck_assert_int_eq(res[1].err, SM_ERR_TOPIC_ALREADY_EXISTS);
    ck_assert_str_eq(res[1].errmsg, "Topic 'dup' already exists.");
    ck_assert_int_eq(res[2].err, SM_ERR_INVALID_PARTITIONS);
    ck_assert_str_eq(res[2].errmsg, "Number of partitions is below 1.");
    ck_assert_int_eq(res[3].err, SM_ERR_UNKNOWN_SERVER_ERROR);
    ck_assert_str_eq(res[3].errmsg, "The controller response did not "
                     "contain a result for topic lost");
    ck_assert_int_eq(res[4].err, SAMSA_OK);
    ck_assert_str_eq(res[4].name, "manual");
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_CreateTopics]), 2);
    /* the retry carried only the topic that met NOT_CONTROLLER */
    body = fb_last_body(&fb, SM_API_CreateTopics, &len);
    sm_rd_init(&rd, body, len);
    ck_assert_int_eq(sm_CreateTopicsRequest_read(&rd, 4, &req), SM_OK);
    ck_assert_int_eq(req.TopicsCnt, 1);
    ck_assert(sm_str_eq_cstr(req.Topics[0].Name, "moved"));
    ck_assert_int_eq(req.Topics[0].NumPartitions, 3);
    ck_assert_int_eq(req.Topics[0].ReplicationFactor, 1);
    ck_assert_int_eq(req.Topics[0].ConfigsCnt, 1);
    ck_assert(sm_str_eq_cstr(req.Topics[0].Configs[0].Value, "1000"));
    sm_CreateTopicsRequest_free(&req);
    free(body);
    samsa_results_free(res, 5);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* Records the assignment of the one topic of a CreateTopics request. */
START_TEST(admin__create_topics_assignment)
{
    static const int32_t r0[] = { 0, 1 }, r1[] = { 1, 0 };
    const int32_t *reps[] = { r0, r1 };
    const int cnts[] = { 2, 2 };
    samsa_assignment_t a = { reps, cnts, 2 };
    samsa_new_topic_t nt = { "manual", 5, 5, &a, NULL, NULL, 0 };
    samsa_result_t *res = NULL;
    sm_CreateTopicsRequest_t req;
    char *errmsg = NULL;
    samsa_client_t *c;
    uint8_t *body;
    size_t len;
    sm_rd_t rd;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, create_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_create_topics(c, &nt, 1, 1, &res, &errmsg),
                     SAMSA_OK);
    body = fb_last_body(&fb, SM_API_CreateTopics, &len);
    sm_rd_init(&rd, body, len);
    ck_assert_int_eq(sm_CreateTopicsRequest_read(&rd, 4, &req), SM_OK);
    ck_assert_int_eq(req.ValidateOnly, 1);
    ck_assert_int_eq(req.Topics[0].NumPartitions, -1);   /* explicit */
    ck_assert_int_eq(req.Topics[0].ReplicationFactor, -1);
    ck_assert_int_eq(req.Topics[0].AssignmentsCnt, 2);
    ck_assert_int_eq(req.Topics[0].Assignments[1].PartitionIndex, 1);
    ck_assert_int_eq(req.Topics[0].Assignments[1].BrokerIds[0], 1);
    sm_CreateTopicsRequest_free(&req);
    free(body);
    samsa_results_free(res, 1);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* ------------------------------------------------------------ delete */

static int
delete_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
               sm_buf_t *out)
{
    sm_DeleteTopicsRequest_t req;
    sm_DeleteTopicsResponseTopic_t t[4];
    sm_DeleteTopicsResponse_t resp = { 0, 0, 0, t };

    if (hdr->ApiKey != SM_API_DeleteTopics)
        return fb_default(fb, hdr, body, out);
    if (sm_DeleteTopicsRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    for (int32_t i = 0; i < req.TopicNamesCnt && i < 4; i++) {
        t[i].Name = req.TopicNames[i];
        t[i].ErrorCode = i == 0 ? 0 : SM_ERR_TOPIC_DELETION_DISABLED;
        resp.ResponsesCnt++;
    }
    sm_DeleteTopicsResponse_write(out, hdr->ApiVersion, &resp);
    sm_DeleteTopicsRequest_free(&req);
    return FB_ANSWER;
}

START_TEST(admin__delete_topics)
{
    const char *names[] = { "x", "y" };
    samsa_result_t *res = NULL;
    char *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, delete_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_delete_topics(c, names, 2, &res, &errmsg),
                     SAMSA_OK);
    ck_assert_int_eq(res[0].err, SAMSA_OK);
    ck_assert_int_eq(res[1].err, SM_ERR_TOPIC_DELETION_DISABLED);
    ck_assert_str_eq(res[1].errmsg, "Topic deletion is disabled.");
    samsa_results_free(res, 2);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* ------------------------------------------------------------ partitions */

static int
partitions_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
                   sm_buf_t *out)
{
    sm_CreatePartitionsRequest_t req;
    sm_CreatePartitionsResponseResult_t r[4];
    sm_CreatePartitionsResponse_t resp = { 0, 0, 0, r };

    if (hdr->ApiKey != SM_API_CreatePartitions)
        return fb_default(fb, hdr, body, out);
    if (sm_CreatePartitionsRequest_read(body, hdr->ApiVersion, &req) !=
        SM_OK)
        return FB_CLOSE;
    for (int32_t i = 0; i < req.TopicsCnt && i < 4; i++) {
        r[i].Name = req.Topics[i].Name;
        r[i].ErrorCode = req.Topics[i].Count < 3
                         ? SM_ERR_INVALID_PARTITIONS : 0;
        r[i].ErrorMessage = r[i].ErrorCode
            ? sm_str_cstr("Topic already has 3 partitions.") : SM_STR_NULL;
        resp.ResultsCnt++;
    }
    sm_CreatePartitionsResponse_write(out, hdr->ApiVersion, &resp);
    sm_CreatePartitionsRequest_free(&req);
    return FB_ANSWER;
}

START_TEST(admin__create_partitions)
{
    static const int32_t r0[] = { 0 };
    const int32_t *reps[] = { r0 };
    const int cnts[] = { 1 };
    samsa_assignment_t a = { reps, cnts, 1 };
    samsa_new_partitions_t np[] = { { "t", 4, &a }, { "u", 2, NULL } };
    sm_CreatePartitionsRequest_t req;
    samsa_result_t *res = NULL;
    char *errmsg = NULL;
    samsa_client_t *c;
    uint8_t *body;
    size_t len;
    sm_rd_t rd;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, partitions_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_create_partitions(c, np, 2, 0, &res, &errmsg),
                     SAMSA_OK);
    ck_assert_int_eq(res[0].err, SAMSA_OK);
    ck_assert_int_eq(res[1].err, SM_ERR_INVALID_PARTITIONS);
    ck_assert_str_eq(res[1].errmsg, "Topic already has 3 partitions.");
    body = fb_last_body(&fb, SM_API_CreatePartitions, &len);
    sm_rd_init(&rd, body, len);
    ck_assert_int_eq(sm_CreatePartitionsRequest_read(&rd, 1, &req), SM_OK);
    ck_assert_int_eq(req.Topics[0].AssignmentsCnt, 1);
    ck_assert_int_eq(req.Topics[0].Assignments[0].BrokerIds[0], 0);
    ck_assert_int_eq(req.Topics[1].AssignmentsCnt, -1);  /* null */
    sm_CreatePartitionsRequest_free(&req);
    free(body);
    samsa_results_free(res, 2);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* ------------------------------------------------------------ configs */

static int
configs_handler(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body,
                sm_buf_t *out)
{
    sm_DescribeConfigsRequest_t req;
    sm_DescribeConfigsResponseConfig_t e[2];
    sm_DescribeConfigsResponseResult_t r;
    sm_DescribeConfigsResponse_t resp = { 0, 0, 1, &r };

    if (hdr->ApiKey != SM_API_DescribeConfigs)
        return fb_default(fb, hdr, body, out);
    if (sm_DescribeConfigsRequest_read(body, hdr->ApiVersion, &req) != SM_OK)
        return FB_CLOSE;
    memset(e, 0, sizeof(e));
    memset(&r, 0, sizeof(r));
    e[0].Name = sm_str_cstr("retention.ms");
    e[0].Value = sm_str_cstr("1000");
    e[0].ConfigSource = SM_DC_SOURCE_TOPIC;
    e[1].Name = sm_str_cstr("segment.bytes");
    e[1].Value = sm_str_cstr("1073741824");
    e[1].ConfigSource = SM_DC_SOURCE_DEFAULT;
    e[1].IsDefault = 1;
    r.ResourceType = req.Resources[0].ResourceType;
    r.ResourceName = req.Resources[0].ResourceName;
    r.ErrorMessage = SM_STR_NULL;
    r.ConfigsCnt = 2;
    r.Configs = e;
    sm_DescribeConfigsResponse_write(out, hdr->ApiVersion, &resp);
    sm_DescribeConfigsRequest_free(&req);
    return FB_ANSWER;
}

START_TEST(admin__describe_configs)
{
    const char *names[] = { "t", "gone" }, *brokers[] = { "0" };
    samsa_resource_config_t *rc = NULL;
    char *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, configs_handler, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_describe_configs(c, SAMSA_RESOURCE_TOPIC, names,
                                            2, &rc, &errmsg), SAMSA_OK);
    ck_assert_int_eq(rc[0].err, SAMSA_OK);
    ck_assert_int_eq(rc[0].entry_cnt, 2);
    ck_assert_str_eq(rc[0].entries[0].name, "retention.ms");
    ck_assert_int_eq(rc[0].entries[0].source, SAMSA_CONFIG_SOURCE_TOPIC);
    ck_assert_int_eq(rc[0].entries[0].is_default, 0);
    ck_assert_int_eq(rc[0].entries[1].is_default, 1);
    /* the fake answers the first resource only */
    ck_assert_int_eq(rc[1].err, SM_ERR_UNKNOWN_SERVER_ERROR);
    ck_assert(strstr(rc[1].errmsg, "did not contain a result") != NULL);
    samsa_resource_configs_free(rc, 2);
    ck_assert_int_eq(samsa_describe_configs(c, SAMSA_RESOURCE_BROKER,
                                            brokers, 1, &rc, &errmsg),
                     SAMSA_OK);
    ck_assert_int_eq(rc[0].type, SAMSA_RESOURCE_BROKER);
    ck_assert_int_eq(rc[0].err, SAMSA_OK);
    samsa_resource_configs_free(rc, 1);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

/* ------------------------------------------------------------ versions */

/* Advertises everything but CreateTopics. */
static int
no_create(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    sm_ApiVersionsResponse_t av;
    int32_t n = 0;

    if (hdr->ApiKey != SM_API_ApiVersions)
        return fb_default(fb, hdr, body, out);
    sm_ApiVersionsResponse_from_table(&av);
    for (int32_t i = 0; i < av.ApiKeysCnt; i++)
        if (av.ApiKeys[i].ApiKey != SM_API_CreateTopics)
            av.ApiKeys[n++] = av.ApiKeys[i];
    av.ApiKeysCnt = n;
    sm_ApiVersionsResponse_write(out, hdr->ApiVersion, &av);
    sm_ApiVersionsResponse_free(&av);
    return FB_ANSWER;
}

START_TEST(admin__unsupported_api)
{
    samsa_new_topic_t nt = { "t", 1, 1, NULL, NULL, NULL, 0 };
    samsa_result_t *res = (samsa_result_t *)1;
    char *errmsg = NULL;
    samsa_client_t *c;
    fb_t fb;

    ck_assert_int_eq(fb_start(&fb, 0, no_create, NULL), 0);
    c = client_for(&fb);
    ck_assert_int_eq(samsa_create_topics(c, &nt, 1, 0, &res, &errmsg),
                     SM_ERR_UNSUPPORTED_VERSION);
    ck_assert_ptr_null(res);
    ck_assert_msg(strstr(errmsg, "does not support CreateTopics") != NULL,
                  "%s", errmsg);
    ck_assert_int_eq(atomic_load(&fb.nreq[SM_API_CreateTopics]), 0);
    free(errmsg);
    samsa_client_destroy(c);
    fb_stop(&fb);
}
END_TEST

Suite *
sm_test_suite_client_admin(void)
{
    Suite *s = suite_create("client_admin");
    TCase *tc = tcase_create("client_admin");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, admin__list_topics);
    tcase_add_test(tc, admin__describe_topics);
    tcase_add_test(tc, admin__create_topics);
    tcase_add_test(tc, admin__create_topics_assignment);
    tcase_add_test(tc, admin__delete_topics);
    tcase_add_test(tc, admin__create_partitions);
    tcase_add_test(tc, admin__describe_configs);
    tcase_add_test(tc, admin__unsupported_api);
    suite_add_tcase(s, tc);
    return s;
}
