/*
 * test_controller_handlers.c: what the active controller does about
 * topics, partitions and brokers (src/controller/controller_handlers.c,
 * with partition_sm.c and replica_sm.c underneath), against a real
 * ZooKeeper with fake brokers and a recording channel.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "ctlt.h"
#include "sm_test.h"
#include "zk/zkt.h"

#define CTL_ID 100      /* the controller hosts no replica */

static char *
raw(sm_zk_t *zk, const char *path)
{
    char *data = NULL;
    int len;

    ck_assert_msg(sm_zk_get(zk, path, 0, &data, &len, NULL) == SM_OK,
                  "cannot read %s", path);
    return data;
}

static void
assert_lai(ctlt_chan_t *c, int32_t broker, const char *topic, int32_t p,
           int32_t leader, int32_t leader_epoch, const char *isr, int is_new)
{
    sm_pstate_t ps;

    ck_assert_msg(ctlt_wait_count(c, CTLT_LAI, broker, topic, p, -1, 1,
                                  10000),
                  "no LeaderAndIsr for %s-%d to broker %d", topic, (int)p,
                  (int)broker);
    ck_assert(ctlt_last_state(c, CTLT_LAI, broker, topic, p, &ps));
    ck_assert_int_eq(ps.leader, leader);
    ck_assert_int_eq(ps.leader_epoch, leader_epoch);
    ck_assert_str_eq(ctlt_ints(ps.isr, ps.nisr), isr);
    if (is_new >= 0)
        ck_assert_int_eq(ps.is_new, is_new);
    sm_pstate_fini(&ps);
}

static void
assert_um_leader(ctlt_chan_t *c, int32_t broker, const char *topic,
                 int32_t p, int32_t leader)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(10000);
    sm_pstate_t ps;
    int32_t got = -100;

    do {
        if (ctlt_last_state(c, CTLT_UM, broker, topic, p, &ps)) {
            got = ps.leader;
            sm_pstate_fini(&ps);
        }
        if (got == leader)
            return;
        usleep(10000);
    } while (sm_mono_ms() < deadline);
    ck_abort_msg("UpdateMetadata to %d for %s-%d: leader %d, expected %d",
                 (int)broker, topic, (int)p, (int)got, (int)leader);
}

/* A topic created as kafka-topics.sh --zookeeper creates it gets state
 * znodes in Kafka's JSON, LeaderAndIsr to its replicas and UpdateMetadata
 * to every broker. */
START_TEST(controller_handlers__new_topic_comes_online)
{
    static const int32_t repl[] = { 1, 2, 2, 3, 3, 1 };
    const char *chroot = zkt_chroot("newtopic");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b[3];
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t;
    sm_zk_part_state_t s;
    sm_zk_stat_t st;
    char *data, expect[256];
    int32_t epoch;
    int64_t t0;

    for (int i = 0; i < 3; i++)
        b[i] = ctlt_broker_up(chroot, i + 1);
    t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    ck_assert(ctlt_wait_active(t->ctl, 10000));
    epoch = sm_controller_epoch(t->ctl);
    t0 = sm_mono_ms();
    ctlt_create_topic(admin, "orders", 3, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "orders", 2, 3, 0, &s, 10000));
    fprintf(stderr, "# topic online after %lld ms\n",
            (long long)(sm_mono_ms() - t0));
    sm_zk_part_state_fini(&s);
    for (int p = 0; p < 3; p++) {
        char path[128];
        snprintf(path, sizeof(path),
                 "/brokers/topics/orders/partitions/%d/state", p);
        data = raw(admin, path);
        snprintf(expect, sizeof(expect), "{\"controller_epoch\":%d,"
                 "\"leader\":%d,\"version\":1,\"leader_epoch\":0,"
                 "\"isr\":[%d,%d]}", (int)epoch, (int)repl[2 * p],
                 (int)repl[2 * p], (int)repl[2 * p + 1]);
        ck_assert(zkt_json_eq(data, expect));
        sm_free(data);
        ck_assert_int_eq(sm_zk_exists(admin, path, 0, &st), SM_OK);
        ck_assert_int_eq(st.version, 0);
    }
    /* broker 1 leads orders-0 and follows orders-2; IsNew on both */
    assert_lai(chan, 1, "orders", 0, 1, 0, "1,2", 1);
    assert_lai(chan, 1, "orders", 2, 3, 0, "3,1", 1);
    assert_lai(chan, 2, "orders", 1, 2, 0, "2,3", 1);
    ck_assert_int_eq(ctlt_count(chan, CTLT_LAI, CTL_ID, NULL, 0, -1), 0);
    for (int i = 1; i <= 3; i++)
        for (int p = 0; p < 3; p++)
            assert_um_leader(chan, i, "orders", p, repl[2 * p]);
    /* every request came from this controller and epoch */
    pthread_mutex_lock(&chan->lock);
    for (int i = 0; i < chan->cnt; i++) {
        ck_assert_int_eq(chan->v[i].controller_id, CTL_ID);
        ck_assert_int_eq(chan->v[i].controller_epoch, epoch);
        ck_assert_int_eq(chan->v[i].broker_epoch,
                         b[chan->v[i].broker_id - 1]->epoch);
    }
    pthread_mutex_unlock(&chan->lock);
    ctlt_ctl_stop(t);
    for (int i = 0; i < 3; i++)
        ctlt_broker_down(b[i]);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A new controller reads the existing state, rewrites nothing, and tells
 * every live replica and broker. */
START_TEST(controller_handlers__failover_announces_existing_state)
{
    static const int32_t repl[] = { 1, 2, 2, 1 };
    const char *chroot = zkt_chroot("failover");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *c1 = ctlt_chan_new(), *c2 = ctlt_chan_new();
    ctlt_ctl_t *t1, *t2;
    sm_zk_part_state_t s;
    sm_zk_stat_t st;
    int64_t t0;

    t1 = ctlt_ctl_start(chroot, CTL_ID, c1, NULL);
    ck_assert(ctlt_wait_active(t1->ctl, 10000));
    ctlt_create_topic(admin, "t", 2, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 1, 2, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_ctl_stop(t1);

    t0 = sm_mono_ms();
    t2 = ctlt_ctl_start(chroot, CTL_ID + 1, c2, NULL);
    ck_assert(ctlt_wait_active(t2->ctl, 10000));
    assert_lai(c2, 1, "t", 0, 1, 0, "1,2", 0);
    assert_lai(c2, 1, "t", 1, 2, 0, "2,1", 0);
    assert_lai(c2, 2, "t", 0, 1, 0, "1,2", 0);
    assert_um_leader(c2, 1, "t", 1, 2);
    assert_um_leader(c2, 2, "t", 0, 1);
    fprintf(stderr, "# failover to announced state: %lld ms\n",
            (long long)(sm_mono_ms() - t0));
    ck_assert_int_eq(sm_zk_exists(admin, "/brokers/topics/t/partitions/0/"
                                  "state", 0, &st), SM_OK);
    ck_assert_int_eq(st.version, 0);            /* not rewritten */
    ctlt_ctl_stop(t2);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(c1);
    ctlt_chan_destroy(c2);
    sm_zk_destroy(admin);
}
END_TEST

/* Partitions added to the topic znode later (kafka-topics --alter) come
 * online. */
START_TEST(controller_handlers__added_partitions_come_online)
{
    static const int32_t repl[] = { 1, 2 }, r21[] = { 2, 1 };
    const char *chroot = zkt_chroot("addparts");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_topic_t topic = { 0 };
    sm_zk_part_state_t s;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 1, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ck_assert_int_eq(sm_zk_get_topic(admin, "t", 0, &topic), SM_OK);
    sm_zk_topic_add(&topic, 1, r21, 2);
    sm_zk_topic_add(&topic, 2, repl, 2);
    ck_assert_int_eq(sm_zk_set_topic(admin, "t", &topic, SM_ZK_ANY_VERSION),
                     SM_OK);
    sm_zk_topic_fini(&topic);
    ck_assert(ctlt_wait_leader(admin, "t", 1, 2, 0, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2,1");
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "t", 2, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    assert_lai(chan, 2, "t", 1, 2, 0, "2,1", 1);
    assert_um_leader(chan, 1, "t", 2, 1);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A dying broker: leadership moves to a live ISR member with leader epoch
 * + 1, and it leaves every ISR. */
START_TEST(controller_handlers__broker_death_moves_leaders)
{
    static const int32_t repl[] = { 1, 2, 2, 1, 3, 1 };
    const char *chroot = zkt_chroot("death");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_broker_t *b3 = ctlt_broker_up(chroot, 3);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;
    int64_t t0;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 3, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 2, 3, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_barrier(t->ctl);           /* the creation round is sent */
    ctlt_chan_clear(chan);

    t0 = sm_mono_ms();
    ctlt_broker_down(b1);
    /* t-0: 1 led -> 2, epoch 1, ISR [2] */
    ck_assert(ctlt_wait_leader(admin, "t", 0, 2, 1, &s, 10000));
    fprintf(stderr, "# leader moved %lld ms after the broker died\n",
            (long long)(sm_mono_ms() - t0));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2");
    sm_zk_part_state_fini(&s);
    /* t-1 and t-2 keep their leader; 1 leaves the ISR (epoch + 1) */
    ck_assert(ctlt_wait_leader(admin, "t", 1, 2, 1, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2");
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "t", 2, 3, 1, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "3");
    sm_zk_part_state_fini(&s);
    assert_lai(chan, 2, "t", 0, 2, 1, "2", 0);
    assert_lai(chan, 3, "t", 2, 3, 1, "3", 0);
    assert_um_leader(chan, 3, "t", 0, 2);
    ck_assert_int_eq(ctlt_count(chan, CTLT_LAI, 1, NULL, 0, -1), 0);
    ck_assert_int_eq(ctlt_count(chan, CTLT_UM, 1, NULL, 0, -1), 0);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b2);
    ctlt_broker_down(b3);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* All replicas dead: the partition goes offline (leader -1); the broker
 * coming back brings it online again. */
START_TEST(controller_handlers__offline_partition_returns)
{
    static const int32_t repl[] = { 1 };
    const char *chroot = zkt_chroot("offline");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;
    sm_pstate_t ps;
    int before;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 1, 1, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_broker_down(b1);
    ck_assert(ctlt_wait_leader(admin, "t", 0, -1, 1, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "1");  /* kept */
    sm_zk_part_state_fini(&s);
    assert_um_leader(chan, 2, "t", 0, -1);
    ck_assert(ctlt_last_state(chan, CTLT_UM, 2, "t", 0, &ps));
    ck_assert_str_eq(ctlt_ints(ps.offline, ps.noffline), "1");
    sm_pstate_fini(&ps);

    ctlt_barrier(t->ctl);
    pthread_mutex_lock(&chan->lock);
    before = chan->cnt;
    pthread_mutex_unlock(&chan->lock);
    b1 = ctlt_broker_up(chroot, 1);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 2, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "1");
    sm_zk_part_state_fini(&s);
    assert_lai(chan, 1, "t", 0, 1, 2, "1", -1);
    assert_um_leader(chan, 2, "t", 0, 1);
    /* requests to the returned broker carry its new epoch */
    pthread_mutex_lock(&chan->lock);
    for (int i = before; i < chan->cnt; i++)
        if (chan->v[i].broker_id == 1)
            ck_assert_int_eq(chan->v[i].broker_epoch, b1->epoch);
    pthread_mutex_unlock(&chan->lock);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* unclean.leader.election.enable per topic: with it, an out-of-sync
 * replica that returns leads; without it the partition stays offline. */
START_TEST(controller_handlers__unclean_election_per_topic)
{
    static const int32_t repl[] = { 1, 2 };
    const char *chroot = zkt_chroot("unclean");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_config_t cfg = { 0 };
    sm_zk_part_state_t s;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    sm_zk_config_set(&cfg, "unclean.leader.election.enable", "true");
    ctlt_create_topic(admin, "clean", 1, 2, repl, NULL);
    ctlt_create_topic(admin, "dirty", 1, 2, repl, &cfg);
    sm_zk_config_fini(&cfg);
    ck_assert(ctlt_wait_leader(admin, "dirty", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "clean", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);

    ctlt_broker_down(b2);           /* ISR shrinks to [1] */
    ck_assert(ctlt_wait_leader(admin, "clean", 0, 1, 1, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "1");
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "dirty", 0, 1, 1, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_broker_down(b1);           /* no live replica: offline */
    ck_assert(ctlt_wait_leader(admin, "clean", 0, -1, 2, &s, 10000));
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "dirty", 0, -1, 2, &s, 10000));
    sm_zk_part_state_fini(&s);

    b2 = ctlt_broker_up(chroot, 2); /* out of sync */
    ck_assert(ctlt_wait_leader(admin, "dirty", 0, 2, 3, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2");
    sm_zk_part_state_fini(&s);
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "clean", 0, &s),
                     SM_OK);
    ck_assert_int_eq(s.leader, -1);
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "1");
    sm_zk_part_state_fini(&s);
    assert_um_leader(chan, 2, "clean", 0, -1);
    assert_um_leader(chan, 2, "dirty", 0, 2);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A dynamic config change that allows unclean election (the broker
 * default through kafka-configs.sh) elects an offline partition at once,
 * without waiting for another broker event. */
START_TEST(controller_handlers__unclean_enabled_live)
{
    static const int32_t repl[] = { 1, 2 };
    const char *chroot = zkt_chroot("uncleanlive");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "late", 1, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "late", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_broker_down(b2);
    ck_assert(ctlt_wait_leader(admin, "late", 0, 1, 1, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_broker_down(b1);
    ck_assert(ctlt_wait_leader(admin, "late", 0, -1, 2, &s, 10000));
    sm_zk_part_state_fini(&s);
    b2 = ctlt_broker_up(chroot, 2);     /* out of sync: stays offline */
    assert_um_leader(chan, 2, "late", 0, -1);
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "late", 0, &s),
                     SM_OK);
    ck_assert_int_eq(s.leader, -1);
    sm_zk_part_state_fini(&s);
    /* a topic-only notification changes nothing: the default is off */
    ck_assert_int_eq(sm_controller_config_changed(t->ctl, -1), SM_OK);
    /* the broker default switched on */
    ck_assert_int_eq(sm_controller_config_changed(t->ctl, 1), SM_OK);
    ck_assert(ctlt_wait_leader(admin, "late", 0, 2, 3, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2");
    sm_zk_part_state_fini(&s);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A broker that died and re-registered between two looks at /brokers/ids
 * (its epoch grew) is handled as a failure followed by a startup. */
START_TEST(controller_handlers__bounced_broker)
{
    static const int32_t repl[] = { 1, 2 };
    const char *chroot = zkt_chroot("bounce");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;
    ctlt_hold_t *hold;
    int64_t old_epoch = b1->epoch;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 1, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    hold = ctlt_hold(t->ctl);
    ctlt_broker_down(b1);
    b1 = ctlt_broker_up(chroot, 1);
    ck_assert_int_gt(b1->epoch, old_epoch);
    ctlt_chan_clear(chan);
    ctlt_release(hold);
    /* failure: leadership moves to 2 and 1 leaves the ISR */
    ck_assert(ctlt_wait_leader(admin, "t", 0, 2, 1, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2");
    sm_zk_part_state_fini(&s);
    /* startup: the new incarnation learns it is a follower */
    assert_lai(chan, 1, "t", 0, 2, 1, "2", 0);
    pthread_mutex_lock(&chan->lock);
    for (int i = 0; i < chan->cnt; i++)
        if (chan->v[i].broker_id == 1)
            ck_assert_int_eq(chan->v[i].broker_epoch, b1->epoch);
    pthread_mutex_unlock(&chan->lock);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A broker rewriting its registration (new endpoint) is announced. */
START_TEST(controller_handlers__broker_endpoint_change)
{
    const char *chroot = zkt_chroot("brokmod");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_broker_t reg = { .version = 4, .jmx_port = -1, .timestamp = 1 };
    int64_t deadline;
    char *json;
    int ok = 0;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ck_assert(ctlt_wait_count(chan, CTLT_UM, 1, NULL, 0, -1, 1, 10000));
    sm_zk_broker_add_endpoint(&reg, "PLAINTEXT", "PLAINTEXT", "moved", 9999);
    json = sm_zk_broker_encode(&reg);
    ck_assert_int_eq(sm_zk_set(b1->zk, "/brokers/ids/1", json,
                               (int)strlen(json), SM_ZK_ANY_VERSION, NULL),
                     SM_OK);
    sm_free(json);
    sm_zk_broker_fini(&reg);
    deadline = sm_mono_ms() + zkt_ms(10000);
    while (!ok && sm_mono_ms() < deadline) {
        pthread_mutex_lock(&chan->lock);
        for (int i = 0; i < chan->cnt && !ok; i++)
            ok = chan->v[i].type == CTLT_UM && chan->v[i].nbrokers == 1 &&
                 chan->v[i].brokers[0].eps[0].port == 9999 &&
                 strcmp(chan->v[i].brokers[0].eps[0].host, "moved") == 0;
        pthread_mutex_unlock(&chan->lock);
        usleep(10000);
    }
    ck_assert(ok);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

Suite *
sm_test_suite_controller_handlers(void)
{
    Suite *s = suite_create("controller_handlers");
    TCase *tc = tcase_create("controller_handlers");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, controller_handlers__new_topic_comes_online);
    tcase_add_test(tc, controller_handlers__failover_announces_existing_state);
    tcase_add_test(tc, controller_handlers__added_partitions_come_online);
    tcase_add_test(tc, controller_handlers__broker_death_moves_leaders);
    tcase_add_test(tc, controller_handlers__offline_partition_returns);
    tcase_add_test(tc, controller_handlers__unclean_election_per_topic);
    tcase_add_test(tc, controller_handlers__unclean_enabled_live);
    tcase_add_test(tc, controller_handlers__bounced_broker);
    tcase_add_test(tc, controller_handlers__broker_endpoint_change);
    suite_add_tcase(s, tc);
    return s;
}
