/*
 * test_delete_topics.c: the DeleteTopics handler (server/delete_topics.c)
 * against ZooKeeper (admin_harness.h): the deletion marker, the wait until
 * the topic leaves the metadata cache, timeouts, NOT_CONTROLLER,
 * delete.topic.enable=false per version, unknown topics.
 */
#include <string.h>

#include "admin_harness.h"
#include "common/sm_mem.h"
#include "protocol/deletetopics.h"
#include "sm_test.h"

static const int32_t ids2[] = { 1, 2 };
static const int32_t reps2[] = { 1, 2 };

static void
dt_write(sm_buf_t *buf, int16_t v, const void *m)
{
    sm_DeleteTopicsRequest_write(buf, v, m);
}

typedef struct dt_out {
    ah_resp_t *r;
    sm_DeleteTopicsResponse_t m;
} dt_out_t;

static void
dt_call(ah_t *h, int16_t v, const char *const *names, int n,
        int32_t timeout_ms)
{
    sm_str_t s[8];
    sm_DeleteTopicsRequest_t req = { 0 };

    ck_assert_int_le(n, 8);
    for (int i = 0; i < n; i++)
        s[i] = sm_str_cstr(names[i]);
    req.TopicNamesCnt = n;
    req.TopicNames = s;
    req.TimeoutMs = timeout_ms;
    ah_send(h, SM_API_DeleteTopics, v, dt_write, &req);
}

static void
dt_recv(dt_out_t *o, int16_t v, int timeout_ms)
{
    sm_rd_t rd;

    memset(o, 0, sizeof(*o));
    o->r = ah_wait(timeout_ms);
    ck_assert_msg(o->r != NULL, "no DeleteTopics response");
    rd = ah_body(o->r, SM_API_DeleteTopics, v);
    ck_assert_int_eq(sm_DeleteTopicsResponse_read(&rd, v, &o->m), SM_OK);
}

static void
dt_check(const dt_out_t *o, int i, const char *name, sm_err_t err)
{
    ck_assert_int_gt(o->m.ResponsesCnt, i);
    ck_assert(sm_str_eq_cstr(o->m.Responses[i].Name, name));
    ck_assert_msg(o->m.Responses[i].ErrorCode == err, "%s: %s, want %s",
                  name, sm_err_name(o->m.Responses[i].ErrorCode),
                  sm_err_name(err));
}

static void
dt_out_free(dt_out_t *o)
{
    sm_DeleteTopicsResponse_free(&o->m);
    ah_resp_free(o->r);
}

START_TEST(delete_topics__marks_and_waits)
{
    static const char *const names[] = { "a", "nope", "b" };
    dt_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids2, NULL, 2, 1);
    ah_make_topic(&h, "a", 2, reps2, 2);
    ah_make_topic(&h, "b", 1, reps2, 1);
    dt_call(&h, 1, names, 3, 30000);
    ck_assert(!ah_pending());
    ck_assert(ah_zk_exists(&h, "/admin/delete_topics/a"));
    ck_assert(ah_zk_exists(&h, "/admin/delete_topics/b"));
    ck_assert(!ah_zk_exists(&h, "/admin/delete_topics/nope"));
    ah_drop(&h, "a");
    ck_assert(!ah_pending());                   /* b is still there */
    ah_drop(&h, "b");
    dt_recv(&o, 1, 5000);
    ck_assert_int_eq(o.m.ThrottleTimeMs, 0);
    dt_check(&o, 0, "a", SM_OK);
    dt_check(&o, 1, "nope", SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    dt_check(&o, 2, "b", SM_OK);
    dt_out_free(&o);
    ah_fini(&h);
}
END_TEST

START_TEST(delete_topics__timeouts)
{
    static const char *const names[] = { "slow" };
    dt_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids2, NULL, 2, 1);
    ah_make_topic(&h, "slow", 1, reps2, 2);
    dt_call(&h, 0, names, 1, 300);
    dt_recv(&o, 0, 10000);
    dt_check(&o, 0, "slow", SM_ERR_REQUEST_TIMED_OUT);
    dt_out_free(&o);
    /* marked again while marked: fine, and 0 answers at once */
    dt_call(&h, 3, names, 1, 0);
    ck_assert(ah_pending());
    dt_recv(&o, 3, 0);
    dt_check(&o, 0, "slow", SM_ERR_REQUEST_TIMED_OUT);
    dt_out_free(&o);
    ck_assert(ah_zk_exists(&h, "/admin/delete_topics/slow"));
    ah_fini(&h);
}
END_TEST

START_TEST(delete_topics__refused)
{
    static const char *const names[] = { "t", "u" };
    dt_out_t o;
    ah_t h;

    ah_init(&h, "delete.topic.enable=false\n", ids2, NULL, 2, 1);
    ah_make_topic(&h, "t", 1, reps2, 1);
    dt_call(&h, 2, names, 2, 1000);
    dt_recv(&o, 2, 0);
    dt_check(&o, 0, "t", SM_ERR_INVALID_REQUEST);       /* v0-2 */
    dt_check(&o, 1, "u", SM_ERR_INVALID_REQUEST);
    dt_out_free(&o);
    dt_call(&h, 3, names, 2, 1000);
    dt_recv(&o, 3, 0);
    dt_check(&o, 0, "t", SM_ERR_TOPIC_DELETION_DISABLED);
    dt_check(&o, 1, "u", SM_ERR_TOPIC_DELETION_DISABLED);
    dt_out_free(&o);
    ck_assert(!ah_zk_exists(&h, "/admin/delete_topics/t"));
    ah_set_brokers(&h, ids2, NULL, 2, 2);       /* not the controller */
    dt_call(&h, 3, names, 1, 1000);
    dt_recv(&o, 3, 0);
    dt_check(&o, 0, "t", SM_ERR_NOT_CONTROLLER);
    dt_out_free(&o);
    ah_fini(&h);
}
END_TEST

/* The cache knows the topic but its znode is gone: Kafka's
 * deleteTopic finds no topic and reports UNKNOWN_TOPIC_OR_PARTITION. */
START_TEST(delete_topics__znode_gone)
{
    static const char *const names[] = { "ghost", "" };
    dt_out_t o;
    ah_t h;

    ah_init(&h, NULL, ids2, NULL, 2, 1);
    ah_cache_topic(&h, "ghost", 1);
    dt_call(&h, 1, names, 2, 1000);
    dt_recv(&o, 1, 0);
    dt_check(&o, 0, "ghost", SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    dt_check(&o, 1, "", SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    dt_out_free(&o);
    ck_assert(!ah_zk_exists(&h, "/admin/delete_topics/ghost"));
    ah_fini(&h);
}
END_TEST

Suite *
sm_test_suite_delete_topics(void)
{
    Suite *s = suite_create("delete_topics");
    TCase *tc = tcase_create("handler");

    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, delete_topics__marks_and_waits);
    tcase_add_test(tc, delete_topics__timeouts);
    tcase_add_test(tc, delete_topics__refused);
    tcase_add_test(tc, delete_topics__znode_gone);
    suite_add_tcase(s, tc);
    return s;
}
