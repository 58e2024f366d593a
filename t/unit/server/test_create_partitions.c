/*
 * test_create_partitions.c: the CreatePartitions handler
 * (server/create_partitions.c) against ZooKeeper (admin_harness.h): the
 * computed and the manual assignment written to /brokers/topics/<t>, the
 * wait for leaders, ValidateOnly, timeouts, and Kafka's errors and
 * messages.
 */
#include <string.h>

#include "admin_harness.h"
#include "common/sm_mem.h"
#include "protocol/createpartitions.h"
#include "sm_test.h"

static const int32_t ids4[] = { 1, 2, 3, 4 };
static const int32_t reps12[] = { 1, 2 };

static void
cp_write(sm_buf_t *buf, int16_t v, const void *m)
{
    sm_CreatePartitionsRequest_write(buf, v, m);
}

typedef struct cp_out {
    ah_resp_t *r;
    sm_CreatePartitionsResponse_t m;
} cp_out_t;

static void
cp_recv(cp_out_t *o, int16_t v, int timeout_ms)
{
    sm_rd_t rd;

    memset(o, 0, sizeof(*o));
    o->r = ah_wait(timeout_ms);
    ck_assert_msg(o->r != NULL, "no CreatePartitions response");
    rd = ah_body(o->r, SM_API_CreatePartitions, v);
    ck_assert_int_eq(sm_CreatePartitionsResponse_read(&rd, v, &o->m),
                     SM_OK);
}

static void
cp_out_free(cp_out_t *o)
{
    sm_CreatePartitionsResponse_free(&o->m);
    ah_resp_free(o->r);
}

static void
cp_check(const cp_out_t *o, int i, const char *name, sm_err_t err,
         const char *msg)
{
    const sm_CreatePartitionsResponseResult_t *r = &o->m.Results[i];

    ck_assert_int_gt(o->m.ResultsCnt, i);
    ck_assert_msg(sm_str_eq_cstr(r->Name, name), "result %d: %.*s, want %s",
                  i, SM_STR_ARG(r->Name), name);
    ck_assert_msg(r->ErrorCode == err, "%s: %s, want %s (%.*s)", name,
                  sm_err_name(r->ErrorCode), sm_err_name(err),
                  SM_STR_ARG(r->ErrorMessage));
    if (msg == NULL)
        ck_assert_int_lt(r->ErrorMessage.len, 0);
    else
        ck_assert_msg(sm_str_eq_cstr(r->ErrorMessage, msg),
                      "%s: message '%.*s', want '%s'", name,
                      SM_STR_ARG(r->ErrorMessage), msg);
}

static sm_CreatePartitionsRequestTopic_t
grow(const char *name, int32_t count)
{
    sm_CreatePartitionsRequestTopic_t t;

    memset(&t, 0, sizeof(t));
    t.Name = sm_str_cstr(name);
    t.Count = count;
    t.AssignmentsCnt = -1;
    return t;
}

static void
check_replicas(ah_t *h, const char *topic, int32_t n, const int32_t *want,
               int rf)
{
    sm_zk_topic_t t = { 0 };

    ck_assert_int_eq(sm_zk_get_topic(h->b.zk, topic, 0, &t), SM_OK);
    ck_assert_int_eq(t.part_cnt, n);
    for (int32_t p = 0; p < n; p++) {
        ck_assert_int_eq(t.parts[p].replicas.cnt, rf);
        for (int j = 0; j < rf; j++)
            ck_assert_int_eq(t.parts[p].replicas.v[j], want[p * rf + j]);
    }
    sm_zk_topic_fini(&t);
}

START_TEST(create_partitions__grows_and_waits)
{
    /* AdminUtils with start index 0 (first broker >= 1), shift 0 */
    static const int32_t want[] = { 1, 2,  2, 3,  3, 4 };
    sm_CreatePartitionsRequestTopic_t ts[1] = { grow("g", 3) };
    sm_CreatePartitionsRequest_t req = { 0 };
    cp_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids4, NULL, 4, 1);
    ah_make_topic(&h, "g", 1, reps12, 2);
    req.TopicsCnt = 1;
    req.Topics = ts;
    req.TimeoutMs = 30000;
    ah_send(&h, SM_API_CreatePartitions, 1, cp_write, &req);
    ck_assert(!ah_pending());                   /* new partitions: no leader */
    check_replicas(&h, "g", 3, want, 2);
    ah_elect(&h, "g");
    cp_recv(&o, 1, 5000);
    cp_check(&o, 0, "g", SM_OK, NULL);
    cp_out_free(&o);
    ah_fini(&h);
}
END_TEST

START_TEST(create_partitions__manual_and_validate_only)
{
    static const int32_t a1[] = { 3, 4 }, a2[] = { 4, 1 };
    static const int32_t want[] = { 1, 2,  3, 4,  4, 1 };
    sm_CreatePartitionsRequestAssignment_t as[2] = {
        { 2, (int32_t *)a1 }, { 2, (int32_t *)a2 } };
    sm_CreatePartitionsRequestTopic_t ts[1] = { grow("m", 3) };
    sm_CreatePartitionsRequest_t req = { 0 };
    cp_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids4, NULL, 4, 1);
    ah_make_topic(&h, "m", 1, reps12, 2);
    ts[0].AssignmentsCnt = 2;
    ts[0].Assignments = as;
    req.TopicsCnt = 1;
    req.Topics = ts;
    req.TimeoutMs = 30000;
    req.ValidateOnly = 1;
    ah_send(&h, SM_API_CreatePartitions, 0, cp_write, &req);
    cp_recv(&o, 0, 0);                          /* at once */
    cp_check(&o, 0, "m", SM_OK, NULL);
    cp_out_free(&o);
    check_replicas(&h, "m", 1, want, 2);        /* unchanged */
    req.ValidateOnly = 0;
    req.TimeoutMs = 0;
    ah_send(&h, SM_API_CreatePartitions, 0, cp_write, &req);
    cp_recv(&o, 0, 0);
    cp_check(&o, 0, "m", SM_ERR_REQUEST_TIMED_OUT, NULL);
    cp_out_free(&o);
    check_replicas(&h, "m", 3, want, 2);
    ah_fini(&h);
}
END_TEST

START_TEST(create_partitions__errors)
{
    static const int32_t bad[] = { 7, 8 }, three[] = { 1, 2, 3 };
    static const int32_t one[] = { 1, 2 };
    sm_CreatePartitionsRequestAssignment_t a_bad = { 2, (int32_t *)bad };
    sm_CreatePartitionsRequestAssignment_t a_one = { 2, (int32_t *)one };
    sm_CreatePartitionsRequestAssignment_t a_three = { 3, (int32_t *)three };
    sm_CreatePartitionsRequestTopic_t ts[] = {
        grow("dup", 2), grow("unknown", 2), grow("same", 1),
        grow("less", 1), grow("badbrokers", 2), grow("count", 4),
        grow("rf", 2), grow("deleting", 2), grow("dup", 3),
        grow("bad name", 2),
    };
    sm_CreatePartitionsRequest_t req = { 0 };
    cp_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids4, NULL, 4, 1);
    ah_make_topic(&h, "dup", 1, reps12, 2);
    ah_make_topic(&h, "same", 1, reps12, 2);
    ah_make_topic(&h, "less", 2, reps12, 2);
    ah_make_topic(&h, "badbrokers", 1, reps12, 2);
    ah_make_topic(&h, "count", 1, reps12, 2);
    ah_make_topic(&h, "rf", 1, reps12, 2);
    ah_make_topic(&h, "deleting", 1, reps12, 2);
    ck_assert_int_eq(sm_zk_mark_topic_for_deletion(h.b.zk, "deleting"),
                     SM_OK);
    ts[4].AssignmentsCnt = 1;
    ts[4].Assignments = &a_bad;
    ts[5].AssignmentsCnt = 1;
    ts[5].Assignments = &a_one;
    ts[6].AssignmentsCnt = 1;
    ts[6].Assignments = &a_three;
    req.TopicsCnt = (int32_t)(sizeof(ts) / sizeof(ts[0]));
    req.Topics = ts;
    req.TimeoutMs = 0;
    ah_send(&h, SM_API_CreatePartitions, 1, cp_write, &req);
    cp_recv(&o, 1, 0);
    ck_assert_int_eq(o.m.ResultsCnt, req.TopicsCnt - 1);  /* one "dup" */
    cp_check(&o, 0, "dup", SM_ERR_INVALID_REQUEST,
             "Duplicate topic in request.");
    cp_check(&o, 1, "unknown", SM_ERR_UNKNOWN_TOPIC_OR_PARTITION,
             "The topic 'unknown' does not exist.");
    cp_check(&o, 2, "same", SM_ERR_INVALID_PARTITIONS,
             "Topic already has 1 partitions.");
    cp_check(&o, 3, "less", SM_ERR_INVALID_PARTITIONS,
             "Topic currently has 2 partitions, which is higher than the "
             "requested 1.");
    cp_check(&o, 4, "badbrokers", SM_ERR_INVALID_REPLICA_ASSIGNMENT,
             "Unknown broker(s) in replica assignment: 7, 8.");
    cp_check(&o, 5, "count", SM_ERR_INVALID_REPLICA_ASSIGNMENT,
             "Increasing the number of partitions by 3 but 1 assignments "
             "provided.");
    cp_check(&o, 6, "rf", SM_ERR_INVALID_REPLICA_ASSIGNMENT,
             "Inconsistent replication factor between partitions, "
             "partition 0 has 2 while partitions [1] have replication "
             "factors [3], respectively.");
    cp_check(&o, 7, "deleting", SM_ERR_INVALID_TOPIC_EXCEPTION,
             "The topic is queued for deletion.");
    cp_check(&o, 8, "bad name", SM_ERR_UNKNOWN_TOPIC_OR_PARTITION,
             "The topic 'bad name' does not exist.");
    cp_out_free(&o);
    ah_fini(&h);
}
END_TEST

START_TEST(create_partitions__refused)
{
    sm_CreatePartitionsRequestTopic_t ts[1] = { grow("r", 2) };
    sm_CreatePartitionsRequest_t req = { 0 };
    cp_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids4, NULL, 4, 1);
    ah_make_topic(&h, "r", 1, reps12, 2);
    req.TopicsCnt = 1;
    req.Topics = ts;
    req.TimeoutMs = 1000;
    ck_assert_int_eq(sm_zk_create(h.b.zk, "/admin/reassign_partitions",
                                  "{\"version\":1,\"partitions\":[]}", 30,
                                  SM_ZK_PERSISTENT, NULL, NULL), SM_OK);
    ah_send(&h, SM_API_CreatePartitions, 1, cp_write, &req);
    cp_recv(&o, 1, 0);
    cp_check(&o, 0, "r", SM_ERR_REASSIGNMENT_IN_PROGRESS,
             "A partition reassignment is in progress.");
    cp_out_free(&o);
    ck_assert_int_eq(sm_zk_delete(h.b.zk, "/admin/reassign_partitions", -1),
                     SM_OK);
    /* one live broker left: the computed assignment cannot keep rf 2 */
    ah_set_brokers(&h, ids4, NULL, 1, 1);
    ah_send(&h, SM_API_CreatePartitions, 1, cp_write, &req);
    cp_recv(&o, 1, 0);
    cp_check(&o, 0, "r", SM_ERR_INVALID_REPLICATION_FACTOR,
             "Replication factor: 2 larger than available brokers: 1.");
    cp_out_free(&o);
    ah_set_brokers(&h, ids4, NULL, 4, 3);       /* not the controller */
    ah_send(&h, SM_API_CreatePartitions, 0, cp_write, &req);
    cp_recv(&o, 0, 0);
    cp_check(&o, 0, "r", SM_ERR_NOT_CONTROLLER, NULL);
    cp_out_free(&o);
    ah_fini(&h);
}
END_TEST

Suite *
sm_test_suite_create_partitions(void)
{
    Suite *s = suite_create("create_partitions");
    TCase *tc = tcase_create("handler");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, create_partitions__grows_and_waits);
    tcase_add_test(tc, create_partitions__manual_and_validate_only);
    tcase_add_test(tc, create_partitions__errors);
    tcase_add_test(tc, create_partitions__refused);
    suite_add_tcase(s, tc);
    return s;
}
