/*
 * test_elect_leaders.c: the ElectLeaders request on the controller side
 * (src/controller/elect_leaders.c, through sm_controller_elect_leaders) -
 * PREFERRED and UNCLEAN elections with every per-partition outcome
 * (elected, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE,
 * ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_CONTROLLER) against a real ZooKeeper with fake brokers and a
 * recording channel.  The answer must come after the state znode was
 * written and LeaderAndIsr queued, so the checks after it do not wait.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "ctlt.h"
#include "protocol/electleaders.h"
#include "sm_test.h"
#include "zk/zk_paths.h"
#include "zk/zkt.h"

#define CTL_ID 100      /* the controller hosts no replica */
#define EL_MAX 8

/* The callback's results, copied; filled on the controller thread. */
typedef struct el_wait {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int done, n;
    char topic[EL_MAX][32];
    int32_t partition[EL_MAX];
    sm_err_t err[EL_MAX];
    char msg[EL_MAX][200];
    int32_t leader[EL_MAX];
} el_wait_t;

static void
el_cb(void *arg, const sm_controller_election_t *res, int n)
{
    el_wait_t *w = arg;

    pthread_mutex_lock(&w->lock);
    w->n = n;
    for (int i = 0; i < n && i < EL_MAX; i++) {
        snprintf(w->topic[i], sizeof(w->topic[i]), "%s", res[i].topic);
        w->partition[i] = res[i].partition;
        w->err[i] = res[i].err;
        snprintf(w->msg[i], sizeof(w->msg[i]), "%s",
                 res[i].msg ? res[i].msg : "(null)");
        w->leader[i] = res[i].leader;
    }
    w->done = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->lock);
}

/* Elect the "topic:partition" list with type; wait (10 s) for the
 * answer into *w. */
static void
elect(sm_controller_t *ctl, int type, const char *const *tps, int n,
      el_wait_t *w)
{
    sm_zk_tps_t l = { 0 };
    int64_t deadline = sm_mono_ms() + 10000;

    memset(w, 0, sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cv, NULL);
    for (int i = 0; i < n; i++) {
        char topic[64];
        const char *colon = strchr(tps[i], ':');
        snprintf(topic, sizeof(topic), "%.*s", (int)(colon - tps[i]),
                 tps[i]);
        sm_zk_tps_add(&l, topic, atoi(colon + 1));
    }
    ck_assert_int_eq(sm_controller_elect_leaders(ctl, type, &l, el_cb, w),
                     SM_OK);
    sm_zk_tps_fini(&l);
    pthread_mutex_lock(&w->lock);
    while (!w->done && sm_mono_ms() < deadline) {
        pthread_mutex_unlock(&w->lock);
        usleep(10 * 1000);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    ck_assert_msg(w->done, "no ElectLeaders answer within 10 s");
    ck_assert_int_eq(w->n, n);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cv);
}

/* The leader's ISR expansion: id joins the ISR in the state znode. */
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

static void
check_state(sm_zk_t *admin, const char *topic, int32_t p, int32_t leader,
            int32_t epoch, const char *isr)
{
    sm_zk_part_state_t s;

    ck_assert_int_eq(sm_zk_get_partition_state(admin, topic, p, &s), SM_OK);
    ck_assert_int_eq(s.leader, leader);
    ck_assert_int_eq(s.leader_epoch, epoch);
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), isr);
    sm_zk_part_state_fini(&s);
}

/* t-0 [1,2], t-1 [2,1]; broker 1 dies and comes back (2 leads both, 1 not
 * in the ISR of t-0).  PREFERRED: t-0 not available until 1 rejoins the
 * ISR, then elected (znode, LeaderAndIsr to both replicas, answered
 * after); t-1 and a second try not needed; an unknown partition refused. */
START_TEST(elect_leaders__preferred)
{
    static const int32_t repl[] = { 1, 2, 2, 1 };
    static const char *const req[] = { "t:0", "t:1", "nosuch:0", "t:7" };
    const char *chroot = zkt_chroot("elpref");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;
    sm_pstate_t ps;
    el_wait_t w;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 2, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_broker_down(b1);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 2, 1, &s, 10000));
    sm_zk_part_state_fini(&s);
    b1 = ctlt_broker_up(chroot, 1);
    ctlt_barrier(t->ctl);

    elect(t->ctl, SM_ELECTION_PREFERRED, req, 4, &w);
    ck_assert_str_eq(w.topic[0], "t");
    ck_assert_int_eq(w.partition[0], 0);
    ck_assert_int_eq(w.err[0], SM_ERR_PREFERRED_LEADER_NOT_AVAILABLE);
    ck_assert_str_eq(w.msg[0], "Failed to elect leader for partition t-0 "
                     "under strategy "
                     "PreferredReplicaPartitionLeaderElectionStrategy");
    ck_assert_int_eq(w.err[1], SM_ERR_ELECTION_NOT_NEEDED);
    ck_assert_str_eq(w.msg[1], "(null)");
    ck_assert_int_eq(w.err[2], SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    ck_assert_str_eq(w.msg[2], "The partition does not exist.");
    ck_assert_int_eq(w.err[3], SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    check_state(admin, "t", 0, 2, 1, "2");

    expand_isr(admin, "t", 0, 1);
    ctlt_chan_clear(chan);
    elect(t->ctl, SM_ELECTION_PREFERRED, req, 2, &w);
    ck_assert_int_eq(w.err[0], SM_OK);
    ck_assert_int_eq(w.leader[0], 1);
    ck_assert_int_eq(w.err[1], SM_ERR_ELECTION_NOT_NEEDED);
    check_state(admin, "t", 0, 1, 2, "2,1");
    ck_assert_int_ge(ctlt_count(chan, CTLT_LAI, 1, "t", 0, -1), 1);
    ck_assert_int_ge(ctlt_count(chan, CTLT_LAI, 2, "t", 0, -1), 1);
    ck_assert(ctlt_last_state(chan, CTLT_LAI, 2, "t", 0, &ps));
    ck_assert_int_eq(ps.leader, 1);
    ck_assert_int_eq(ps.leader_epoch, 2);
    sm_pstate_fini(&ps);
    ck_assert_int_eq(ctlt_count(chan, CTLT_LAI, -1, "t", 1, -1), 0);

    elect(t->ctl, SM_ELECTION_PREFERRED, req, 1, &w);
    ck_assert_int_eq(w.err[0], SM_ERR_ELECTION_NOT_NEEDED);
    check_state(admin, "t", 0, 1, 2, "2,1");
    ctlt_ctl_stop(t);
    ctlt_broker_down(b1);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* u-0 [1,2]: 2 dies (ISR 1), then 1 (no leader, ISR 1), 2 comes back.
 * With unclean.leader.election.enable false the controller leaves u-0
 * offline; UNCLEAN elects 2 anyway, ISR 2.  PREFERRED cannot (1 dead).
 * v-0 [3] whose only replica is dead: not eligible.  A partition with a
 * live leader: not needed. */
START_TEST(elect_leaders__unclean)
{
    static const int32_t ru[] = { 1, 2 }, rv[] = { 3 };
    static const char *const req[] = { "u:0", "v:0" };
    const char *chroot = zkt_chroot("elunclean");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_broker_t *b2 = ctlt_broker_up(chroot, 2);
    ctlt_broker_t *b3 = ctlt_broker_up(chroot, 3);
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    sm_zk_part_state_t s;
    el_wait_t w;

    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "u", 1, 2, ru, NULL);
    ctlt_create_topic(admin, "v", 1, 1, rv, NULL);
    ck_assert(ctlt_wait_leader(admin, "u", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "v", 0, 3, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    elect(t->ctl, SM_ELECTION_UNCLEAN, req, 2, &w);
    ck_assert_int_eq(w.err[0], SM_ERR_ELECTION_NOT_NEEDED);
    ck_assert_int_eq(w.err[1], SM_ERR_ELECTION_NOT_NEEDED);

    ctlt_broker_down(b2);
    ctlt_broker_down(b3);
    ck_assert(ctlt_wait_leader(admin, "u", 0, 1, 1, &s, 10000));
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "1");
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "v", 0, -1, -1, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_broker_down(b1);
    ck_assert(ctlt_wait_leader(admin, "u", 0, -1, -1, &s, 10000));
    sm_zk_part_state_fini(&s);
    b2 = ctlt_broker_up(chroot, 2);
    ctlt_barrier(t->ctl);
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "u", 0, &s), SM_OK);
    ck_assert_int_eq(s.leader, -1);     /* the clean election found none */
    sm_zk_part_state_fini(&s);

    elect(t->ctl, SM_ELECTION_PREFERRED, req, 1, &w);
    ck_assert_int_eq(w.err[0], SM_ERR_PREFERRED_LEADER_NOT_AVAILABLE);
    ctlt_chan_clear(chan);
    elect(t->ctl, SM_ELECTION_UNCLEAN, req, 2, &w);
    ck_assert_int_eq(w.err[0], SM_OK);
    ck_assert_int_eq(w.leader[0], 2);
    ck_assert_int_eq(w.err[1], SM_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE);
    ck_assert_str_eq(w.msg[1], "Failed to elect leader for partition v-0 "
                     "under strategy OfflinePartitionLeaderElectionStrategy"
                     "(true)");
    ck_assert_int_eq(sm_zk_get_partition_state(admin, "u", 0, &s), SM_OK);
    ck_assert_int_eq(s.leader, 2);
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2");
    sm_zk_part_state_fini(&s);
    ck_assert_int_ge(ctlt_count(chan, CTLT_LAI, 2, "u", 0, -1), 1);
    ck_assert_int_eq(ctlt_count(chan, CTLT_LAI, -1, "v", 0, -1), 0);

    elect(t->ctl, SM_ELECTION_UNCLEAN, req, 1, &w);
    ck_assert_int_eq(w.err[0], SM_ERR_ELECTION_NOT_NEEDED);
    ctlt_ctl_stop(t);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

/* A controller that lost the election answers NOT_CONTROLLER for every
 * partition and changes nothing; an unknown election type is refused. */
START_TEST(elect_leaders__not_controller)
{
    static const int32_t repl[] = { 1 };
    static const char *const req[] = { "t:0", "nosuch:3" };
    const char *chroot = zkt_chroot("elnotctl");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1);
    ctlt_chan_t *c1 = ctlt_chan_new(), *c2 = ctlt_chan_new();
    ctlt_ctl_t *t1 = ctlt_ctl_start(chroot, CTL_ID, c1, NULL);
    ctlt_ctl_t *t2, *other;
    sm_controller_t *ctls[2];
    sm_zk_part_state_t s;
    sm_zk_tps_t none = { 0 };
    el_wait_t w;
    int active;

    ck_assert(ctlt_wait_active(t1->ctl, 10000));
    t2 = ctlt_ctl_start(chroot, CTL_ID + 1, c2, NULL);
    ctls[0] = t1->ctl;
    ctls[1] = t2->ctl;
    active = ctlt_wait_one_active(ctls, 2, 10000);
    ck_assert_int_ge(active, 0);
    other = active == 0 ? t2 : t1;
    ctlt_create_topic(admin, "t", 1, 1, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_barrier(other->ctl);

    elect(other->ctl, SM_ELECTION_PREFERRED, req, 2, &w);
    ck_assert_int_eq(w.err[0], SM_ERR_NOT_CONTROLLER);
    ck_assert_int_eq(w.err[1], SM_ERR_NOT_CONTROLLER);
    ck_assert_str_eq(w.topic[1], "nosuch");
    ck_assert_int_eq(w.partition[1], 3);
    elect(other->ctl, SM_ELECTION_UNCLEAN, req, 1, &w);
    ck_assert_int_eq(w.err[0], SM_ERR_NOT_CONTROLLER);
    check_state(admin, "t", 0, 1, 0, "1");
    ck_assert_int_eq(sm_controller_elect_leaders(t1->ctl, 2, &none, el_cb,
                                                 &w), SM_ERR__INVALID_ARG);
    ctlt_ctl_stop(t2);
    ctlt_ctl_stop(t1);
    ctlt_broker_down(b1);
    ctlt_chan_destroy(c1);
    ctlt_chan_destroy(c2);
    sm_zk_destroy(admin);
}
END_TEST

Suite *
sm_test_suite_elect_leaders(void)
{
    Suite *s = suite_create("elect_leaders");
    TCase *tc = tcase_create("elect_leaders");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, elect_leaders__preferred);
    tcase_add_test(tc, elect_leaders__unclean);
    tcase_add_test(tc, elect_leaders__not_controller);
    suite_add_tcase(s, tc);
    return s;
}
