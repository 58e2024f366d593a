/*
 * test_controlled_shutdown.c: the controller side of a broker's controlled
 * shutdown (src/controller/controlled_shutdown.c with the controlled-
 * shutdown election strategy of partition_sm.c), against a real ZooKeeper
 * with fake brokers and a recording channel.
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

#define CTL_ID 100      /* the controller hosts no replica */

typedef struct cs_result {
    pthread_mutex_t lock;
    int done;
    sm_err_t err;
    char remaining[256];        /* "t-0,r-0" */
} cs_result_t;

static void
cs_cb(void *arg, sm_err_t err, const sm_zk_tps_t *remaining)
{
    cs_result_t *r = arg;
    size_t off = 0;

    pthread_mutex_lock(&r->lock);
    r->err = err;
    r->remaining[0] = '\0';
    for (int i = 0; i < remaining->cnt && off < sizeof(r->remaining); i++)
        off += (size_t)snprintf(r->remaining + off,
                                sizeof(r->remaining) - off, "%s%s-%d",
                                i ? "," : "", remaining->v[i].topic,
                                (int)remaining->v[i].partition);
    r->done = 1;
    pthread_mutex_unlock(&r->lock);
}

/* Ask for broker id's controlled shutdown and wait for the answer. */
static sm_err_t
cs_call(sm_controller_t *ctl, int32_t id, int64_t epoch, char *remaining,
        size_t size)
{
    cs_result_t r;
    int64_t deadline = sm_mono_ms() + zkt_ms(10000);
    int done = 0;

    memset(&r, 0, sizeof(r));
    pthread_mutex_init(&r.lock, NULL);
    ck_assert_int_eq(sm_controller_controlled_shutdown(ctl, id, epoch, cs_cb,
                                                       &r), SM_OK);
    while (!done && sm_mono_ms() < deadline) {
        pthread_mutex_lock(&r.lock);
        done = r.done;
        pthread_mutex_unlock(&r.lock);
        if (!done)
            usleep(5000);
    }
    ck_assert_msg(done, "no answer to the controlled shutdown");
    snprintf(remaining, size, "%s", r.remaining);
    pthread_mutex_destroy(&r.lock);
    return r.err;
}

static void
assert_state(sm_zk_t *admin, const char *topic, int32_t p, int32_t leader,
             const char *isr)
{
    sm_zk_part_state_t s;

    ck_assert_int_eq(sm_zk_get_partition_state(admin, topic, p, &s), SM_OK);
    ck_assert_msg(s.leader == leader, "%s-%d: leader %d, expected %d", topic,
                  (int)p, (int)s.leader, (int)leader);
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), isr);
    sm_zk_part_state_fini(&s);
}

/* Broker 1 leads t-0 and t-2, follows t-1, alone hosts single-0, and leads
 * r-0 whose other replica (4) never registered.  After its controlled
 * shutdown: t-0 -> 2, t-2 -> 3, 1 out of t-1's ISR (StopReplica without
 * delete), single-0 untouched (one replica), r-0 remains (nobody to take
 * over).  Stale epochs and unknown brokers are refused; a retry answers
 * the same. */
START_TEST(controlled_shutdown__moves_leaders_away)
{
    static const int32_t trepl[] = { 1, 2, 2, 1, 1, 3 };
    static const int32_t one[] = { 1 }, r[] = { 1, 4 };
    const char *chroot = zkt_chroot("cshut");
    sm_zk_t *admin = ctlt_admin(chroot);
    ctlt_broker_t *b[3];
    ctlt_chan_t *chan = ctlt_chan_new();
    ctlt_ctl_t *t;
    sm_zk_part_state_t s;
    char rem[256];

    for (int i = 0; i < 3; i++)
        b[i] = ctlt_broker_up(chroot, i + 1);
    t = ctlt_ctl_start(chroot, CTL_ID, chan, NULL);
    ck_assert(ctlt_wait_active(t->ctl, 10000));
    ctlt_create_topic(admin, "t", 3, 2, trepl, NULL);
    ctlt_create_topic(admin, "single", 1, 1, one, NULL);
    ctlt_create_topic(admin, "r", 1, 2, r, NULL);
    ck_assert(ctlt_wait_leader(admin, "t", 2, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "single", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_leader(admin, "r", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_barrier(t->ctl);
    ctlt_chan_clear(chan);

    ck_assert_int_eq(cs_call(t->ctl, 1, b[0]->epoch - 1, rem, sizeof(rem)),
                     SM_ERR_STALE_BROKER_EPOCH);
    ck_assert_int_eq(cs_call(t->ctl, 9, -1, rem, sizeof(rem)),
                     SM_ERR_BROKER_NOT_AVAILABLE);
    ck_assert_int_eq(ctlt_count(chan, CTLT_LAI, -1, NULL, 0, -1), 0);

    ck_assert_int_eq(cs_call(t->ctl, 1, b[0]->epoch, rem, sizeof(rem)),
                     SM_OK);
    ck_assert_str_eq(rem, "r-0");
    assert_state(admin, "t", 0, 2, "2");
    assert_state(admin, "t", 1, 2, "2");
    assert_state(admin, "t", 2, 3, "3");
    assert_state(admin, "single", 0, 1, "1");
    assert_state(admin, "r", 0, 1, "1");
    ck_assert(ctlt_wait_count(chan, CTLT_LAI, 2, "t", 0, -1, 1, 10000));
    ck_assert(ctlt_wait_count(chan, CTLT_LAI, 3, "t", 2, -1, 1, 10000));
    ck_assert(ctlt_wait_count(chan, CTLT_STOP, 1, "t", 1, 0, 1, 10000));
    ck_assert_int_eq(ctlt_count(chan, CTLT_STOP, 1, "t", 1, 1), 0);
    /* again (the broker retries): nothing left to move but r-0 */
    ck_assert_int_eq(cs_call(t->ctl, 1, -1, rem, sizeof(rem)), SM_OK);
    ck_assert_str_eq(rem, "r-0");

    /* the broker goes and comes back; with 2 gone too, t-0 (ISR [2])
     * goes offline rather than electing 1 from outside the ISR */
    ctlt_broker_down(b[0]);
    b[0] = ctlt_broker_up(chroot, 1);
    ctlt_barrier(t->ctl);
    ctlt_broker_down(b[1]);         /* t-0, t-1 offline: ISR was [2] */
    b[1] = NULL;
    ck_assert(ctlt_wait_leader(admin, "t", 0, -1, -1, &s, 10000));
    sm_zk_part_state_fini(&s);

    ctlt_ctl_stop(t);
    for (int i = 0; i < 3; i++)
        if (b[i] != NULL)
            ctlt_broker_down(b[i]);
    ctlt_chan_destroy(chan);
    sm_zk_destroy(admin);
}
END_TEST

Suite *
sm_test_suite_controlled_shutdown(void)
{
    Suite *s = suite_create("controlled_shutdown");
    TCase *tc = tcase_create("controlled_shutdown");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, controlled_shutdown__moves_leaders_away);
    suite_add_tcase(s, tc);
    return s;
}
