/*
 * test_preferred_election.c: preferred replica elections
 * (src/controller/preferred_election.c and the preferred strategy of
 * partition_sm.c) - triggered through /admin/preferred_replica_election as
 * kafka-preferred-replica-election.sh writes it, pending at failover, and
 * by the auto.leader.rebalance.enable timer - against a real ZooKeeper
 * with fake brokers and a recording channel.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "ctlt.h"
#include "sm_test.h"
#include "zk/zk_paths.h"
#include "zk/zkt.h"

#define CTL_ID 100      /* the controller hosts no replica */

/* Ask for a preferred election of the "topic:partition" list. */
static void
request_election(sm_zk_t *admin, const char *const *tps, int n)
{
    sm_zk_tps_t l = { 0 };
    char *json;

    for (int i = 0; i < n; i++) {
        char topic[64];
        const char *colon = strchr(tps[i], ':');
        snprintf(topic, sizeof(topic), "%.*s", (int)(colon - tps[i]),
                 tps[i]);
        sm_zk_tps_add(&l, topic, atoi(colon + 1));
    }
    json = sm_zk_preferred_election_encode(&l);
    ck_assert_int_eq(sm_zk_create(admin,
                                  sm_zk_path_preferred_replica_election(),
                                  json, (int)strlen(json), SM_ZK_PERSISTENT,
                                  NULL, NULL), SM_OK);
    sm_free(json);
    sm_zk_tps_fini(&l);
}

/* What the partition's leader does when a follower caught up: the ISR in
 * the state znode, written conditionally on its version. */
static void
expand_isr(sm_zk_t *admin, const char *topic, int32_t p, int32_t id)
{
    sm_zk_part_state_t s;
    int32_t isr[16];
    int n;

    ck_assert_int_eq(sm_zk_get_partition_state(admin, topic, p, &s), SM_OK);
    ck_assert_int_lt(s.isr.cnt, 16);
    n = s.isr.cnt;
    memcpy(isr, s.isr.v, sizeof(isr[0]) * (size_t)n);
    isr[n++] = id;
    sm_zk_ints_set(&s.isr, isr, n);
    ck_assert_int_eq(sm_zk_set_partition_state(admin, topic, p, &s,
                                               SM_ZK_ANY_VERSION), SM_OK);
    sm_zk_part_state_fini(&s);
}

/* Topic t: t-0 [1,2], t-1 [2,1]; broker 1 dies (2 leads both) and comes
 * back (not in t-0's ISR yet). */
static void
lose_preferred_leader(sm_zk_t *admin, ctlt_ctl_t *t, ctlt_broker_t **b1,
                      const char *chroot)
{
    static const int32_t repl[] = { 1, 2, 2, 1 };
    sm_zk_part_state_t s;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 2, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_broker_down(*b1);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 2, 1, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2");
    sm_zk_part_state_fini(&s);
    *b1 = ctlt_broker_up(chroot, 1);
    ctlt_barrier(t->ctl);
}

/* The znode moves t-0 back to broker 1 once 1 is in the ISR; t-1 (led by
 * its preferred replica) and an unknown partition are left alone; the
 * znode is deleted. */
START_TEST(preferred_election__zk_triggered)
{
    static const char *const req[] = { "t:0", "t:1", "nosuch:0" };
    const char *chroot = zkt_chroot("prefzk");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;
    sm_pstate_t ps;

    int32_t t1_epoch;

    lose_preferred_leader(admin, t, &b1, chroot);
    expand_isr(admin, "t", 0, 1);
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "t", 1, &s), SM_OK);
    t1_epoch = s.leader_epoch;          /* 1: broker 1 left its ISR */
    sm_zk_part_state_fini(&s);
    ctlt_chan_clear(chan);
    request_election(admin, req, 3);
    ck_assert(ctlt_wait_gone(admin, sm_zk_path_preferred_replica_election(),
                             10000));
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 2, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2,1");
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_count(chan, CTLT_LAI, 1, "t", 0, -1, 1, 10000));
    ck_assert(ctlt_last_state(chan, CTLT_LAI, 1, "t", 0, &ps));
    ck_assert_int_eq(ps.leader, 1);
    ck_assert_int_eq(ps.leader_epoch, 2);
    sm_pstate_fini(&ps);
    ck_assert(ctlt_wait_count(chan, CTLT_LAI, 2, "t", 0, -1, 1, 10000));
    /* t-1 untouched: still leader 2, same epoch, no request about it */
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "t", 1, &s), SM_OK);
    ck_assert_int_eq(s.leader, 2);
    ck_assert_int_eq(s.leader_epoch, t1_epoch);
    sm_zk_part_state_fini(&s);
    /* a LeaderAndIsr about t-1 may still trail broker 1's return (sent
     * after the clear); it must not move the leader or bump the epoch */
    for (int32_t b = 1; b <= 2; b++) {
        if (!ctlt_last_state(chan, CTLT_LAI, b, "t", 1, &ps))
            continue;
        ck_assert_int_eq(ps.leader, 2);
        ck_assert_int_eq(ps.leader_epoch, t1_epoch);
        sm_pstate_fini(&ps);
    }
    /* the watch is re-armed: a second request is processed too */
    request_election(admin, req, 1);
    ck_assert(ctlt_wait_gone(admin, sm_zk_path_preferred_replica_election(),
                             10000));
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A preferred replica outside the ISR cannot lead: nothing changes, the
 * znode still goes away.  A request left pending while there was no
 * controller is processed by the next one at failover. */
START_TEST(preferred_election__not_in_isr_and_pending_at_failover)
{
    static const char *const req[] = { "t:0" };
    const char *chroot = zkt_chroot("prefisr");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;

    lose_preferred_leader(admin, t, &b1, chroot);
    request_election(admin, req, 1);
    ck_assert(ctlt_wait_gone(admin, sm_zk_path_preferred_replica_election(),
                             10000));
    ctlt_barrier(t->ctl);
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "t", 0, &s), SM_OK);
    ck_assert_int_eq(s.leader, 2);
    ck_assert_int_eq(s.leader_epoch, 1);
    sm_zk_part_state_fini(&s);

    ctlt_ctl_stop(t);
    expand_isr(admin, "t", 0, 1);
    request_election(admin, req, 1);
    t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 2, &s, 10000));
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_gone(admin, sm_zk_path_preferred_replica_election(),
                             10000));
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* auto.leader.rebalance.enable: broker 1 leads none of its one preferred
 * partition (100 % > 10 %); once it is back in the ISR the timer moves
 * leadership home without any request.  Disabled, nothing moves. */
START_TEST(preferred_election__auto_rebalance)
{
    const char *chroot = zkt_chroot("prefauto");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    sm_controller_opts_t opts;
    ctlt_ctl_t *t;
    sm_zk_part_state_t s;
    int64_t t0;

    sm_controller_opts_init(&opts);
    ck_assert_int_eq(opts.auto_leader_rebalance_enable, 1);
    ck_assert_int_eq(opts.leader_imbalance_check_interval_ms, 300000);
    ck_assert_int_eq(opts.leader_imbalance_per_broker_percentage, 10);
    opts.auto_leader_rebalance_enable = 0;
    opts.leader_imbalance_check_interval_ms = 200;
    t = ctlt_ctl_start(chroot, CTL_ID, chan, &opts);
    lose_preferred_leader(admin, t, &b1, chroot);
    expand_isr(admin, "t", 0, 1);
    usleep(1000 * 1000);            /* five check intervals, if enabled */
    ctlt_barrier(t->ctl);
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "t", 0, &s), SM_OK);
    ck_assert_int_eq(s.leader, 2);
    sm_zk_part_state_fini(&s);
    ctlt_ctl_stop(t);

    opts.auto_leader_rebalance_enable = 1;
    t0 = sm_mono_ms();
    t = ctlt_ctl_start(chroot, CTL_ID, chan, &opts);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 2, &s, 10000));
    fprintf(stderr, "# auto rebalance moved the leader home after %lld "
            "ms\n", (long long)(sm_mono_ms() - t0));
    sm_zk_part_state_fini(&s);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

Suite *
sm_test_suite_preferred_election(void)
{
    Suite *s = suite_create("preferred_election");
    TCase *tc = tcase_create("preferred_election");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, preferred_election__zk_triggered);
    tcase_add_test(tc, preferred_election__not_in_isr_and_pending_at_failover);
    tcase_add_test(tc, preferred_election__auto_rebalance);
    suite_add_tcase(s, tc);
    return s;
}
