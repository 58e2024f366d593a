/*
 * test_controller_election.c: election, failover and fencing
 * (src/controller/controller_election.c) against a real ZooKeeper.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "ctlt.h"
#include "sm_test.h"
#include "zk/zkt.h"

static int32_t
zk_epoch(sm_zk_t *zk, int32_t *zkv)
{
    int32_t e = -1, v = -1;

    ck_assert_int_eq(sm_zk_get_controller_epoch(zk, &e, &v), SM_OK);
    if (zkv != NULL)
        *zkv = v;
    return e;
}

static int
wait_id(sm_controller_t *ctl, int32_t id, int ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(ms);

    while (sm_controller_id(ctl) != id) {
        if (sm_mono_ms() > deadline)
            return 0;
        usleep(10000);
    }
    return 1;
}

START_TEST(controller_election__two_compete_one_wins)
{
    const char *chroot = zkt_chroot("elect");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_ctl_t *a = ctlt_ctl_start(chroot, 1, NULL, NULL);
    ctlt_ctl_t *b = ctlt_ctl_start(chroot, 2, NULL, NULL);
    sm_controller_t *ctls[2] = { a->ctl, b->ctl };
    int32_t owner = -1;
    int w;

    w = ctlt_wait_one_active(ctls, 2, 10000);
    ck_assert_int_ge(w, 0);
    usleep(300000);                 /* and it stays that way */
    ck_assert_int_eq(ctlt_wait_one_active(ctls, 2, 0), w);
    ck_assert_int_eq(sm_zk_get_controller(admin, 0, &owner), SM_OK);
    ck_assert_int_eq(owner, w + 1);
    ck_assert(wait_id(ctls[1 - w], w + 1, 10000));  /* the loser knows */
    ck_assert_int_eq(sm_controller_id(ctls[w]), w + 1);
    ck_assert_int_eq(sm_controller_epoch(ctls[w]), 1);
    ck_assert_int_eq(sm_controller_epoch(ctls[1 - w]), -1);
    ck_assert_int_eq(zk_epoch(admin, NULL), 1);
    ctlt_ctl_stop(a);
    ctlt_ctl_stop(b);
    sm_zk_destroy(admin);
}
END_TEST

/* Killing the winner's session makes the other take over with a higher
 * epoch; the old winner comes back as a follower. */
START_TEST(controller_election__takeover_after_session_expiry)
{
    const char *chroot = zkt_chroot("takeover");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_ctl_t *t[2] = { ctlt_ctl_start(chroot, 1, NULL, NULL),
                         ctlt_ctl_start(chroot, 2, NULL, NULL) };
    sm_controller_t *ctls[2] = { t[0]->ctl, t[1]->ctl };
    int w, l;
    int32_t e1, e2;
    int64_t t0, took;

    w = ctlt_wait_one_active(ctls, 2, 10000);
    ck_assert_int_ge(w, 0);
    l = 1 - w;
    e1 = sm_controller_epoch(ctls[w]);
    t0 = sm_mono_ms();
    ck_assert_int_eq(sm_zk_expire_session_for_test(t[w]->zk), SM_OK);
    ck_assert(ctlt_wait_active(ctls[l], 20000));
    took = sm_mono_ms() - t0;
    e2 = sm_controller_epoch(ctls[l]);
    ck_assert_int_gt(e2, e1);
    ck_assert_int_eq(zk_epoch(admin, NULL), e2);
    /* the old winner resigned, re-registered its session and follows */
    ck_assert(wait_id(ctls[w], l + 1, 20000));
    ck_assert(!sm_controller_is_active(ctls[w]));
    ck_assert_int_eq(sm_controller_epoch(ctls[w]), -1);
    fprintf(stderr, "# takeover after session expiry: %lld ms\n",
            (long long)took);
    ctlt_ctl_stop(t[0]);
    ctlt_ctl_stop(t[1]);
    sm_zk_destroy(admin);
}
END_TEST

START_TEST(controller_election__takeover_after_stop)
{
    const char *chroot = zkt_chroot("stop");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_ctl_t *t[2] = { ctlt_ctl_start(chroot, 1, NULL, NULL),
                         ctlt_ctl_start(chroot, 2, NULL, NULL) };
    sm_controller_t *ctls[2] = { t[0]->ctl, t[1]->ctl };
    int w;
    int64_t t0, took;

    w = ctlt_wait_one_active(ctls, 2, 10000);
    ck_assert_int_ge(w, 0);
    t0 = sm_mono_ms();
    sm_controller_stop(ctls[w]);    /* session stays open */
    ck_assert(ctlt_wait_active(ctls[1 - w], 10000));
    took = sm_mono_ms() - t0;
    ck_assert_int_eq(sm_controller_epoch(ctls[1 - w]), 2);
    ck_assert_int_lt(took, zkt_ms(3000));   /* no session timeout wait */
    fprintf(stderr, "# takeover after stop: %lld ms\n", (long long)took);
    ctlt_ctl_stop(t[0]);
    ctlt_ctl_stop(t[1]);
    sm_zk_destroy(admin);
}
END_TEST

/* ------------------------------------------------------------ fencing */

/*
 * A controller whose epoch znode moved on behind its back (what another
 * controller's election does) must not write: its fenced write fails with
 * NOT_CONTROLLER, it resigns, and - since /controller still names it - it
 * removes its own registration and is elected afresh with a newer epoch.
 * No partition state is ever written, and no request sent, with the stale
 * epoch after the fence moved.
 */
START_TEST(controller_election__stale_controller_is_fenced)
{
    static const int32_t repl[] = { 1, 2 };
    const char *chroot = zkt_chroot("fence");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b1 = ctlt_broker_up(chroot, 1), *b2;
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t;
    ctlt_hold_t *hold;
    sm_zk_part_state_t s;
    int32_t e, zkv, stale;
    char *ep;
    int before;

    b2 = ctlt_broker_up(chroot, 2);
    t = ctlt_ctl_start(chroot, 100, chan, NULL);
    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 1, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    stale = sm_controller_epoch(t->ctl);

    /* hold the controller thread, move the epoch on, kill the leader */
    hold = ctlt_hold(t->ctl);
    e = zk_epoch(admin, &zkv);
    ck_assert_int_eq(e, stale);
    ep = sm_asprintf("%d", (int)(e + 1));
    ck_assert_int_eq(sm_zk_set(admin, "/controller_epoch", ep,
                               (int)strlen(ep), zkv, NULL), SM_OK);
    sm_free(ep);
    ctlt_broker_down(b1);
    ck_assert(ctlt_wait_gone(admin, "/brokers/ids/1", 5000));
    pthread_mutex_lock(&chan->lock);
    before = chan->cnt;
    pthread_mutex_unlock(&chan->lock);
    ctlt_release(hold);

    /* it resigns, deletes its orphaned /controller, wins epoch e + 2 and
     * moves leadership to broker 2 with that epoch */
    ck_assert(ctlt_wait_leader(admin, "t", 0, 2, -1, &s, 20000));
    ck_assert_int_eq(s.controller_epoch, stale + 2);
    ck_assert_int_eq(sm_controller_epoch(t->ctl), stale + 2);
    sm_zk_part_state_fini(&s);
    pthread_mutex_lock(&chan->lock);
    for (int i = before; i < chan->cnt; i++)
        ck_assert_int_ne(chan->v[i].controller_epoch, stale);
    pthread_mutex_unlock(&chan->lock);

    ctlt_ctl_stop(t);
    ctlt_broker_down(b2);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

Suite *
sm_test_suite_controller_election(void)
{
    Suite *s = suite_create("controller_election");
    TCase *tc = tcase_create("controller_election");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, controller_election__two_compete_one_wins);
    tcase_add_test(tc, controller_election__takeover_after_session_expiry);
    tcase_add_test(tc, controller_election__takeover_after_stop);
    tcase_add_test(tc, controller_election__stale_controller_is_fenced);
    suite_add_tcase(s, tc);
    return s;
}
