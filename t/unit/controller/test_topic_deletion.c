/*
 * test_topic_deletion.c: topic deletion (src/controller/topic_deletion.c)
 * end to end against a real ZooKeeper: znodes gone, StopReplica(delete)
 * per replica, UpdateMetadata with leader -2, waiting for StopReplica
 * answers and for dead replicas, and delete.topic.enable=false.
 */
#include <string.h>
#include <unistd.h>

#include "common/sm_time.h"
#include "ctlt.h"
#include "sm_test.h"
#include "zk/zkt.h"

#define CTL_ID 100

static void
wait_online(sm_zk_t *admin, const char *topic, int nparts,
            const int32_t *leaders)
{
    sm_zk_part_state_t s;

    for (int p = 0; p < nparts; p++) {
        ck_assert(ctlt_wait_leader(admin, topic, p, leaders[p], 0, &s,
                                   10000));
        sm_zk_part_state_fini(&s);
    }
}

static void
assert_topic_gone(sm_zk_t *admin, const char *topic)
{
    char path[128];

    snprintf(path, sizeof(path), "/brokers/topics/%s", topic);
    ck_assert_msg(ctlt_wait_gone(admin, path, 10000), "%s still there",
                  path);
    /* the controller deletes these after /brokers/topics/<t> (Kafka's
     * order), so they may outlive it by a moment */
    snprintf(path, sizeof(path), "/config/topics/%s", topic);
    ck_assert_msg(ctlt_wait_gone(admin, path, 10000), "%s still there",
                  path);
    snprintf(path, sizeof(path), "/admin/delete_topics/%s", topic);
    ck_assert_msg(ctlt_wait_gone(admin, path, 10000), "%s still there",
                  path);
}

static int
um_says_deleting(ctlt_chan_t *c, int32_t broker, const char *topic,
                 int32_t p)
{
    sm_pstate_t ps;
    int found = 0;

    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->cnt && !found; i++) {
        const ctlt_req_t *r = &c->v[i];
        if (r->type != CTLT_UM || r->broker_id != broker)
            continue;
        for (int k = 0; k < r->n && !found; k++)
            found = strcmp(r->states[k].topic, topic) == 0 &&
                    r->states[k].partition == p &&
                    r->states[k].leader == SM_LEADER_DURING_DELETE;
    }
    pthread_mutex_unlock(&c->lock);
    (void)ps;
    return found;
}

START_TEST(topic_deletion__end_to_end)
{
    static const int32_t repl[] = { 1, 2, 2, 1 }, leaders[] = { 1, 2 };
    static const int32_t keep[] = { 2 };
    const char *chroot = zkt_chroot("delete");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    int64_t t0;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "doomed", 2, 2, repl, NULL);
    ctlt_create_topic(admin, "kept", 1, 1, keep, NULL);
    wait_online(admin, "doomed", 2, leaders);
    wait_online(admin, "kept", 1, keep);
    t0 = sm_mono_ms();
    ck_assert_int_eq(sm_zk_mark_topic_for_deletion(admin, "doomed"), SM_OK);
    assert_topic_gone(admin, "doomed");
    fprintf(stderr, "# topic deleted in %lld ms\n",
            (long long)(sm_mono_ms() - t0));
    /* StopReplica(delete) once per replica, after a plain StopReplica */
    for (int b = 1; b <= 2; b++)
        for (int p = 0; p < 2; p++) {
            ck_assert_int_eq(ctlt_count(chan, CTLT_STOP, b, "doomed", p, 1),
                             1);
            ck_assert_int_eq(ctlt_count(chan, CTLT_STOP, b, "doomed", p, 0),
                             1);
            ck_assert(um_says_deleting(chan, b, "doomed", p));
        }
    ck_assert_int_eq(ctlt_count(chan, CTLT_STOP, -1, "kept", 0, -1), 0);
    ck_assert_int_eq(sm_zk_topic_exists(admin, "kept"), SM_OK);
    /* StopReplica v3's leader epoch sentinel for a deleted topic */
    pthread_mutex_lock(&chan->lock);
    for (int i = 0; i < chan->cnt; i++)
        if (chan->v[i].type == CTLT_STOP)
            ck_assert_int_eq(chan->v[i].leader_epoch, -2);
    pthread_mutex_unlock(&chan->lock);
    /* the name can be used again */
    ctlt_create_topic(admin, "doomed", 1, 1, keep, NULL);
    wait_online(admin, "doomed", 1, keep);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* Deletion waits for StopReplica answers; a dead replica halts it until
 * its broker returns. */
START_TEST(topic_deletion__waits_for_answers_and_dead_replicas)
{
    static const int32_t repl[] = { 1, 2 }, leaders[] = { 1 };
    const char *chroot = zkt_chroot("delwait");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;

    chan->hold = 1;
    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 1, 2, repl, NULL);
    wait_online(admin, "t", 1, leaders);
    ctlt_broker_down(b2);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 1, &s, 10000));
    sm_zk_part_state_fini(&s);

    ck_assert_int_eq(sm_zk_mark_topic_for_deletion(admin, "t"), SM_OK);
    ck_assert(ctlt_wait_count(chan, CTLT_STOP, 1, "t", 0, 1, 1, 10000));
    ck_assert_int_eq(ctlt_count(chan, CTLT_STOP, 2, "t", 0, -1), 0);
    /* broker 1 answers; broker 2's replica is dead: the topic stays */
    ck_assert_int_eq(ctlt_chan_complete(chan, 1, SM_OK), 1);
    usleep(500000);
    ck_assert_int_eq(sm_zk_topic_exists(admin, "t"), SM_OK);

    /* broker 2 returns: it gets StopReplica(delete); its answer (an error
     * first, then success on the retry) finishes the deletion */
    b2 = ctlt_broker_up(chroot, 2);
    ck_assert(ctlt_wait_count(chan, CTLT_STOP, 2, "t", 0, 1, 1, 10000));
    ck_assert_int_eq(ctlt_chan_complete(chan, 2, SM_ERR_KAFKA_STORAGE_ERROR),
                     1);
    usleep(300000);
    ck_assert_int_eq(sm_zk_topic_exists(admin, "t"), SM_OK);
    ctlt_broker_down(b2);           /* a restart retries it */
    b2 = ctlt_broker_up(chroot, 2);
    ck_assert(ctlt_wait_count(chan, CTLT_STOP, 2, "t", 0, 1, 2, 10000));
    ck_assert_int_eq(ctlt_chan_complete(chan, 2, SM_OK), 1);
    assert_topic_gone(admin, "t");
    ck_assert_int_eq(ctlt_count(chan, CTLT_STOP, 1, "t", 0, 1), 1);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A deletion half done when the controller moves is finished by the
 * next one; an answer the old one never processed is harmless. */
START_TEST(topic_deletion__resumed_by_next_controller)
{
    static const int32_t repl[] = { 1 }, leaders[] = { 1 };
    const char *chroot = zkt_chroot("delresume");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_chan_t *c1 = ctlt_chan_new(), *c2 = ctlt_chan_new();
    ctlt_ctl_t *t1 = ctlt_ctl_start(chroot, CTL_ID, c1, NULL), *t2;

    c1->hold = 1;
    ck_assert(ctlt_wait_active(t1->ctl, 10000));
    ctlt_create_topic(admin, "t", 1, 1, repl, NULL);
    wait_online(admin, "t", 1, leaders);
    ck_assert_int_eq(sm_zk_mark_topic_for_deletion(admin, "t"), SM_OK);
    ck_assert(ctlt_wait_count(c1, CTLT_STOP, 1, "t", 0, 1, 1, 10000));
    ctlt_ctl_stop(t1);              /* answer never processed */
    ck_assert_int_eq(ctlt_chan_complete(c1, -1, SM_OK), 1);
    t2 = ctlt_ctl_start(chroot, CTL_ID + 1, c2, NULL);
    assert_topic_gone(admin, "t");
    ck_assert_int_eq(ctlt_count(c2, CTLT_STOP, 1, "t", 0, 1), 1);
    ctlt_ctl_stop(t2);
    ctlt_broker_down(b1);
    ctlt_chan_destroy(c1);
    ctlt_chan_destroy(c2);
    sm_zk_destroy(admin);
}
END_TEST

START_TEST(topic_deletion__disabled_removes_marker_only)
{
    static const int32_t repl[] = { 1 }, leaders[] = { 1 };
    const char *chroot = zkt_chroot("deloff");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_chan_t *chan = ctlt_chan_new();
    sm_controller_opts_t opts;
    ctlt_ctl_t *t;

    sm_controller_opts_init(&opts);
    opts.delete_topic_enable = 0;
    t = ctlt_ctl_start(chroot, CTL_ID, chan, &opts);
    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 1, 1, repl, NULL);
    wait_online(admin, "t", 1, leaders);
    ck_assert_int_eq(sm_zk_mark_topic_for_deletion(admin, "t"), SM_OK);
    ck_assert(ctlt_wait_gone(admin, "/admin/delete_topics/t", 10000));
    ck_assert_int_eq(sm_zk_topic_exists(admin, "t"), SM_OK);
    ck_assert_int_eq(ctlt_count(chan, CTLT_STOP, -1, NULL, 0, -1), 0);
    ck_assert(!um_says_deleting(chan, 1, "t", 0));
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

Suite *
sm_test_suite_topic_deletion(void)
{
    Suite *s = suite_create("topic_deletion");
    TCase *tc = tcase_create("topic_deletion");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, topic_deletion__end_to_end);
    tcase_add_test(tc, topic_deletion__waits_for_answers_and_dead_replicas);
    tcase_add_test(tc, topic_deletion__resumed_by_next_controller);
    tcase_add_test(tc, topic_deletion__disabled_removes_marker_only);
    suite_add_tcase(s, tc);
    return s;
}
