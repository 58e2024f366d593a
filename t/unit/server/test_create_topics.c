/*
 * test_create_topics.c: the CreateTopics handler (server/create_topics.c)
 * from request bytes to response bytes and znodes, against ZooKeeper
 * (admin_harness.h): creation and the wait for leaders, timeouts,
 * ValidateOnly, Kafka's per-topic errors and messages, v0 and v4.
 */
#include <string.h>

#include "admin_harness.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/createtopics.h"
#include "sm_test.h"
#include "zk/zkt.h"

/* A string literal as a wire string. */
#define SM_STR(x) ((sm_str_t){ (x), (int32_t)sizeof(x) - 1 })

static const int32_t ids3[] = { 1, 2, 3 };

static void
ct_write(sm_buf_t *buf, int16_t v, const void *m)
{
    sm_CreateTopicsRequest_write(buf, v, m);
}

typedef struct ct_out {
    ah_resp_t *r;
    sm_CreateTopicsResponse_t m;
} ct_out_t;

static void
ct_recv(ct_out_t *o, int16_t v, int timeout_ms)
{
    sm_rd_t rd;

    memset(o, 0, sizeof(*o));
    o->r = ah_wait(timeout_ms);
    ck_assert_msg(o->r != NULL, "no CreateTopics response");
    rd = ah_body(o->r, SM_API_CreateTopics, v);
    ck_assert_int_eq(sm_CreateTopicsResponse_read(&rd, v, &o->m), SM_OK);
}

static void
ct_out_free(ct_out_t *o)
{
    sm_CreateTopicsResponse_free(&o->m);
    ah_resp_free(o->r);
}

static void
ct_check(const ct_out_t *o, int i, const char *name, sm_err_t err,
         const char *msg)
{
    const sm_CreateTopicsResponseTopic_t *t = &o->m.Topics[i];

    ck_assert_int_gt(o->m.TopicsCnt, i);
    ck_assert_msg(sm_str_eq_cstr(t->Name, name), "topic %d: %.*s, want %s",
                  i, SM_STR_ARG(t->Name), name);
    ck_assert_msg(t->ErrorCode == err, "%s: %s, want %s (%.*s)", name,
                  sm_err_name(t->ErrorCode), sm_err_name(err),
                  SM_STR_ARG(t->ErrorMessage));
    if (msg == NULL)
        ck_assert_int_lt(t->ErrorMessage.len, 0);
    else
        ck_assert_msg(sm_str_eq_cstr(t->ErrorMessage, msg),
                      "%s: message '%.*s', want '%s'", name,
                      SM_STR_ARG(t->ErrorMessage), msg);
}

static sm_CreateTopicsRequestTopic_t
topic(const char *name, int32_t np, int16_t rf)
{
    sm_CreateTopicsRequestTopic_t t;

    memset(&t, 0, sizeof(t));
    t.Name = sm_str_cstr(name);
    t.NumPartitions = np;
    t.ReplicationFactor = rf;
    return t;
}

/* One explicit assignment for partitions 0..n-1 (rf 2). */
static sm_CreateTopicsRequestAssignment_t *
assignments(const int32_t (*reps)[2], int n)
{
    sm_CreateTopicsRequestAssignment_t *a = sm_calloc((size_t)n,
                                                      sizeof(*a));

    for (int i = 0; i < n; i++) {
        a[i].PartitionIndex = i;
        a[i].BrokerIdsCnt = 2;
        a[i].BrokerIds = (int32_t *)reps[i];
    }
    return a;
}

static void
check_json(ah_t *h, const char *path, const char *want)
{
    char *data = ah_zk_get(h, path);

    ck_assert_msg(data != NULL, "%s missing", path);
    ck_assert_msg(zkt_json_eq(data, want), "%s", path);
    free(data);
}

START_TEST(create_topics__creates_and_waits)
{
    static const int32_t reps[2][2] = { { 1, 2 }, { 2, 3 } };
    sm_CreateTopicsRequestConfig_t cfg = { SM_STR("retention.ms"),
                                           SM_STR("1000") };
    sm_CreateTopicsRequestTopic_t ts[2] = { topic("t1", 3, 2),
                                            topic("t2", -1, -1) };
    sm_CreateTopicsRequest_t req = { 0 };
    sm_zk_topic_t zt = { 0 };
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    ts[0].ConfigsCnt = 1;
    ts[0].Configs = &cfg;
    ts[1].AssignmentsCnt = 2;
    ts[1].Assignments = assignments(reps, 2);
    req.TopicsCnt = 2;
    req.Topics = ts;
    req.TimeoutMs = 30000;
    ah_send(&h, SM_API_CreateTopics, 2, ct_write, &req);
    ck_assert(!ah_pending());                   /* waits for leaders */
    check_json(&h, "/config/topics/t1",
               "{\"version\":1,\"config\":{\"retention.ms\":\"1000\"}}");
    check_json(&h, "/config/topics/t2", "{\"version\":1,\"config\":{}}");
    ck_assert_int_eq(sm_zk_get_topic(h.b.zk, "t2", 0, &zt), SM_OK);
    ck_assert_int_eq(zt.part_cnt, 2);
    ck_assert_int_eq(zt.parts[1].replicas.v[0], 2);
    ck_assert_int_eq(zt.parts[1].replicas.v[1], 3);
    sm_zk_topic_fini(&zt);
    ck_assert_int_eq(sm_zk_get_topic(h.b.zk, "t1", 0, &zt), SM_OK);
    ck_assert_int_eq(zt.part_cnt, 3);
    for (int p = 0; p < 3; p++)
        ck_assert_int_eq(zt.parts[p].replicas.cnt, 2);
    sm_zk_topic_fini(&zt);
    ah_elect(&h, "t1");
    ck_assert(!ah_pending());                   /* t2 has no leader yet */
    ah_elect(&h, "t2");
    ct_recv(&o, 2, 5000);
    ck_assert_int_eq(o.m.ThrottleTimeMs, 0);
    ck_assert_int_eq(o.m.TopicsCnt, 2);
    ct_check(&o, 0, "t1", SM_OK, NULL);
    ct_check(&o, 1, "t2", SM_OK, NULL);
    ct_out_free(&o);
    free(ts[1].Assignments);
    ah_fini(&h);
}
END_TEST

START_TEST(create_topics__timeout)
{
    sm_CreateTopicsRequestTopic_t ts[2] = { topic("slow", 1, 1),
                                            topic("bad name", 1, 1) };
    sm_CreateTopicsRequest_t req = { 0 };
    int64_t t0;
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    req.TopicsCnt = 2;
    req.Topics = ts;
    req.TimeoutMs = 300;
    t0 = sm_mono_ms();
    ah_send(&h, SM_API_CreateTopics, 1, ct_write, &req);
    ct_recv(&o, 1, 10000);
    ck_assert_int_ge(sm_mono_ms() - t0, 250);
    ct_check(&o, 0, "slow", SM_ERR_REQUEST_TIMED_OUT, NULL);
    ct_check(&o, 1, "bad name", SM_ERR_INVALID_TOPIC_EXCEPTION,
             "Topic name \"bad name\" is illegal, it contains a character "
             "other than ASCII alphanumerics, '.', '_' and '-'");
    ct_out_free(&o);
    ck_assert(ah_zk_exists(&h, "/brokers/topics/slow"));   /* written */
    ah_fini(&h);
}
END_TEST

START_TEST(create_topics__timeout_zero)
{
    sm_CreateTopicsRequestTopic_t ts[1] = { topic("now", 2, 1) };
    sm_CreateTopicsRequest_t req = { 0 };
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    req.TopicsCnt = 1;
    req.Topics = ts;
    req.TimeoutMs = 0;
    ah_send(&h, SM_API_CreateTopics, 3, ct_write, &req);
    ck_assert(ah_pending());                    /* answered at once */
    ct_recv(&o, 3, 0);
    /* Kafka: created, but "timed out" since the client would not wait */
    ct_check(&o, 0, "now", SM_ERR_REQUEST_TIMED_OUT, NULL);
    ct_out_free(&o);
    ck_assert(ah_zk_exists(&h, "/brokers/topics/now"));
    ah_fini(&h);
}
END_TEST

START_TEST(create_topics__validate_only)
{
    sm_CreateTopicsRequestTopic_t ts[2] = { topic("v", 2, 3),
                                            topic("w", 2, 4) };
    sm_CreateTopicsRequest_t req = { 0 };
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    req.TopicsCnt = 2;
    req.Topics = ts;
    req.TimeoutMs = 30000;
    req.ValidateOnly = 1;
    ah_send(&h, SM_API_CreateTopics, 1, ct_write, &req);
    ck_assert(ah_pending());
    ct_recv(&o, 1, 0);
    ct_check(&o, 0, "v", SM_OK, NULL);
    ct_check(&o, 1, "w", SM_ERR_INVALID_REPLICATION_FACTOR,
             "Replication factor: 4 larger than available brokers: 3.");
    ct_out_free(&o);
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/v"));
    ck_assert(!ah_zk_exists(&h, "/config/topics/v"));
    ah_fini(&h);
}
END_TEST

START_TEST(create_topics__errors)
{
    static const int32_t dupreps[1][2] = { { 1, 1 } };
    static const int32_t okreps[1][2] = { { 1, 2 } };
    static const int32_t one = 1;
    sm_CreateTopicsRequestConfig_t bad = { SM_STR("retention.ms"),
                                           SM_STR("abc") };
    sm_CreateTopicsRequestConfig_t nul = { SM_STR("retention.ms"),
                                           SM_STR_NULL };
    sm_CreateTopicsRequestTopic_t ts[] = {
        topic("dup", 1, 1), topic("exists", 1, 1), topic("bad name!", 1, 1),
        topic("badcfg", 1, 1), topic("rf", 1, 4), topic("np0", 0, 1),
        topic("both", 1, -1), topic("dupreps", -1, -1),
        topic("collide.x", 1, 1), topic("dup", 1, 1), topic("nullcfg", 1, 1),
        topic("holes", -1, -1),
    };
    sm_CreateTopicsRequestAssignment_t holes[2] = {
        { 0, 1, (int32_t *)&one }, { 2, 1, (int32_t *)&one } };
    sm_CreateTopicsRequest_t req = { 0 };
    int n = (int)(sizeof(ts) / sizeof(ts[0]));
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    ah_cache_topic(&h, "exists", 1);
    ah_make_topic(&h, "collide_x", 1, &one, 1);
    ts[3].ConfigsCnt = 1;
    ts[3].Configs = &bad;
    ts[6].AssignmentsCnt = 1;
    ts[6].Assignments = assignments(okreps, 1);
    ts[7].AssignmentsCnt = 1;
    ts[7].Assignments = assignments(dupreps, 1);
    ts[10].ConfigsCnt = 1;
    ts[10].Configs = &nul;
    ts[11].AssignmentsCnt = 2;
    ts[11].Assignments = holes;
    req.TopicsCnt = n;
    req.Topics = ts;
    req.TimeoutMs = 0;
    ah_send(&h, SM_API_CreateTopics, 3, ct_write, &req);
    ct_recv(&o, 3, 0);
    ck_assert_int_eq(o.m.TopicsCnt, n);
    ct_check(&o, 0, "dup", SM_ERR_INVALID_REQUEST,
             "Found multiple entries for this topic.");
    ct_check(&o, 1, "exists", SM_ERR_TOPIC_ALREADY_EXISTS,
             "Topic 'exists' already exists.");
    ct_check(&o, 2, "bad name!", SM_ERR_INVALID_TOPIC_EXCEPTION,
             "Topic name \"bad name!\" is illegal, it contains a "
             "character other than ASCII alphanumerics, '.', '_' and '-'");
    ct_check(&o, 3, "badcfg", SM_ERR_INVALID_CONFIG, "Invalid value abc for "
             "configuration retention.ms: Not a number of type LONG");
    ct_check(&o, 4, "rf", SM_ERR_INVALID_REPLICATION_FACTOR,
             "Replication factor: 4 larger than available brokers: 3.");
    ct_check(&o, 5, "np0", SM_ERR_INVALID_PARTITIONS,
             "Number of partitions must be larger than 0.");
    ct_check(&o, 6, "both", SM_ERR_INVALID_REQUEST, "Both numPartitions or "
             "replicationFactor and replicasAssignments were set. Both "
             "cannot be used at the same time.");
    ct_check(&o, 7, "dupreps", SM_ERR_INVALID_REPLICA_ASSIGNMENT,
             "Duplicate replica assignment found: Map(0 -> ArrayBuffer(1, "
             "1))");
    ct_check(&o, 8, "collide.x", SM_ERR_INVALID_TOPIC_EXCEPTION,
             "Topic 'collide.x' collides with existing topics: collide_x");
    ct_check(&o, 9, "dup", SM_ERR_INVALID_REQUEST,
             "Found multiple entries for this topic.");
    ct_check(&o, 10, "nullcfg", SM_ERR_INVALID_REQUEST,
             "Null value not supported for topic configs : retention.ms");
    ct_check(&o, 11, "holes", SM_ERR_INVALID_REPLICA_ASSIGNMENT,
             "partitions should be a consecutive 0-based integer sequence");
    ct_out_free(&o);
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/dup"));
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/exists"));
    ck_assert(!ah_zk_exists(&h, "/config/topics/badcfg"));
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/collide.x"));
    free(ts[6].Assignments);
    free(ts[7].Assignments);
    ah_fini(&h);
}
END_TEST

/* v4: -1 takes num.partitions / default.replication.factor. */
START_TEST(create_topics__v4_defaults)
{
    sm_CreateTopicsRequestTopic_t ts[2] = { topic("d", -1, -1),
                                            topic("e", 5, -1) };
    sm_CreateTopicsRequest_t req = { 0 };
    sm_zk_topic_t zt = { 0 };
    ct_out_t o;
    ah_t h;

    ah_init(&h, "num.partitions=2\ndefault.replication.factor=3\n", ids3,
            NULL, 3, 1);
    req.TopicsCnt = 2;
    req.Topics = ts;
    req.TimeoutMs = 30000;
    ah_send(&h, SM_API_CreateTopics, 4, ct_write, &req);
    ah_elect(&h, "d");
    ah_elect(&h, "e");
    ct_recv(&o, 4, 5000);
    ct_check(&o, 0, "d", SM_OK, NULL);
    ct_check(&o, 1, "e", SM_OK, NULL);
    ct_out_free(&o);
    ck_assert_int_eq(sm_zk_get_topic(h.b.zk, "d", 0, &zt), SM_OK);
    ck_assert_int_eq(zt.part_cnt, 2);
    ck_assert_int_eq(zt.parts[0].replicas.cnt, 3);
    sm_zk_topic_fini(&zt);
    ck_assert_int_eq(sm_zk_get_topic(h.b.zk, "e", 0, &zt), SM_OK);
    ck_assert_int_eq(zt.part_cnt, 5);
    ck_assert_int_eq(zt.parts[4].replicas.cnt, 3);
    sm_zk_topic_fini(&zt);
    ah_fini(&h);
}
END_TEST

/* v0 has no ErrorMessage: the codec reads it as null. */
START_TEST(create_topics__v0)
{
    sm_CreateTopicsRequestTopic_t ts[2] = { topic("zero", 1, 1),
                                            topic("", 1, 1) };
    sm_CreateTopicsRequest_t req = { 0 };
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    req.TopicsCnt = 2;
    req.Topics = ts;
    req.TimeoutMs = 0;
    ah_send(&h, SM_API_CreateTopics, 0, ct_write, &req);
    ct_recv(&o, 0, 0);
    ct_check(&o, 0, "zero", SM_ERR_REQUEST_TIMED_OUT, NULL);
    ct_check(&o, 1, "", SM_ERR_INVALID_TOPIC_EXCEPTION, NULL);
    ct_out_free(&o);
    ah_fini(&h);
}
END_TEST

START_TEST(create_topics__not_controller)
{
    sm_CreateTopicsRequestTopic_t ts[1] = { topic("nc", 1, 1) };
    sm_CreateTopicsRequest_t req = { 0 };
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 2);        /* broker 2 controls */
    req.TopicsCnt = 1;
    req.Topics = ts;
    req.TimeoutMs = 1000;
    ah_send(&h, SM_API_CreateTopics, 2, ct_write, &req);
    ct_recv(&o, 2, 0);
    ct_check(&o, 0, "nc", SM_ERR_NOT_CONTROLLER, NULL);
    ct_out_free(&o);
    ck_assert(!ah_zk_exists(&h, "/brokers/topics/nc"));
    ah_fini(&h);
}
END_TEST

START_TEST(create_topics__malformed_closes)
{
    static const uint8_t body[] = { 0, 0, 0, 1, 0, 5, 'a' };
    ah_resp_t *r;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    ah_send_raw(&h, SM_API_CreateTopics, 0, body, sizeof(body));
    r = ah_wait(0);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->closed, 1);
    ah_resp_free(r);
    ah_fini(&h);
}
END_TEST

/* A broker shutting down expires the wait: REQUEST_TIMED_OUT. */
START_TEST(create_topics__shutdown_expires)
{
    sm_CreateTopicsRequestTopic_t ts[1] = { topic("sd", 1, 1) };
    sm_CreateTopicsRequest_t req = { 0 };
    ct_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids3, NULL, 3, 1);
    req.TopicsCnt = 1;
    req.Topics = ts;
    req.TimeoutMs = 60000;
    ah_send(&h, SM_API_CreateTopics, 2, ct_write, &req);
    ck_assert(!ah_pending());
    sm_purgatory_shutdown(h.b.admin_purg);
    ct_recv(&o, 2, 0);
    ct_check(&o, 0, "sd", SM_ERR_REQUEST_TIMED_OUT, NULL);
    ct_out_free(&o);
    ah_fini(&h);
}
END_TEST

Suite *
sm_test_suite_create_topics(void)
{
    Suite *s = suite_create("create_topics");
    TCase *tc = tcase_create("handler");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, create_topics__creates_and_waits);
    tcase_add_test(tc, create_topics__timeout);
    tcase_add_test(tc, create_topics__timeout_zero);
    tcase_add_test(tc, create_topics__validate_only);
    tcase_add_test(tc, create_topics__errors);
    tcase_add_test(tc, create_topics__v4_defaults);
    tcase_add_test(tc, create_topics__v0);
    tcase_add_test(tc, create_topics__not_controller);
    tcase_add_test(tc, create_topics__malformed_closes);
    tcase_add_test(tc, create_topics__shutdown_expires);
    suite_add_tcase(s, tc);
    return s;
}
