/*
 * test_reassignment.c: partition reassignment through
 * /admin/reassign_partitions (src/controller/reassignment.c) against a real
 * ZooKeeper with fake brokers and a recording channel.  The fake brokers
 * do not replicate: a test plays the leader by writing the ISR into the
 * state znode once "the new replicas caught up".
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

static void
request(sm_zk_t *admin, const char *topic, int32_t p, const int32_t *r,
        int n)
{
    sm_zk_tps_t l = { 0 };
    char *json;

    sm_zk_ints_set(&sm_zk_tps_add(&l, topic, p)->replicas, r, n);
    json = sm_zk_reassignment_encode(&l);
    ck_assert_int_eq(sm_zk_create(admin, sm_zk_path_reassign_partitions(),
                                  json, (int)strlen(json), SM_ZK_PERSISTENT,
                                  NULL, NULL), SM_OK);
    sm_free(json);
    sm_zk_tps_fini(&l);
}

/* The leader adding id to the ISR (conditional write, as a broker does). */
static void
expand_isr(sm_zk_t *admin, const char *topic, int32_t p, int32_t id)
{
    sm_zk_part_state_t s;
    int32_t isr[16];
    int n;

    ck_assert_int_eq(sm_zk_get_partition_state(admin, topic, p, &s), SM_OK);
    n = s.isr.cnt;
    memcpy(isr, s.isr.v, sizeof(isr[0]) * (size_t)n);
    isr[n++] = id;
    sm_zk_ints_set(&s.isr, isr, n);
    ck_assert_int_eq(sm_zk_set_partition_state(admin, topic, p, &s,
                                               SM_ZK_ANY_VERSION), SM_OK);
    sm_zk_part_state_fini(&s);
}

/* Wait (bounded) until topic-p's assignment in ZooKeeper reads want. */
static int
wait_assignment(sm_zk_t *admin, const char *topic, int32_t p,
                const char *want)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(10000);
    char got[64] = "";

    do {
        sm_zk_topic_t t;
        memset(&t, 0, sizeof(t));
        if (sm_zk_get_topic(admin, topic, 0, &t) == SM_OK) {
            const sm_zk_assignment_t *a = sm_zk_topic_find(&t, p);
            snprintf(got, sizeof(got), "%s",
                     a ? ctlt_ints(a->replicas.v, a->replicas.cnt) : "-");
        }
        sm_zk_topic_fini(&t);
        if (strcmp(got, want) == 0)
            return 1;
        usleep(10000);
    } while (sm_mono_ms() < deadline);
    fprintf(stderr, "# assignment of %s-%d: %s, expected %s\n", topic,
            (int)p, got, want);
    return 0;
}

typedef struct env {
    const char *chroot;
    sm_zk_t *admin;
    ctlt_broker_t *b[3];
    ctlt_chan_t *chan;
    ctlt_ctl_t *t;
} env_t;

/* Brokers 1-3, a controller, topic t with t-0 on [1,2] (leader 1). */
static void
env_up(env_t *e, const char *name)
{
    static const int32_t repl[] = { 1, 2 };
    sm_zk_part_state_t s;

    e->chroot = zkt_chroot(name);
    e->admin = ctlt_admin(e->chroot);
    for (int i = 0; i < 3; i++)
        e->b[i] = ctlt_broker_up(e->chroot, i + 1);
    e->chan = ctlt_chan_new();
    e->t = ctlt_ctl_start(e->chroot, CTL_ID, e->chan, NULL);
    ck_assert(ctlt_wait_active(e->t->ctl, 10000));
    ctlt_create_topic(e->admin, "t", 1, 2, repl, NULL);
    ck_assert(ctlt_wait_leader(e->admin, "t", 0, 1, 0, &s, 10000));
    sm_zk_part_state_fini(&s);
    ctlt_barrier(e->t->ctl);
    ctlt_chan_clear(e->chan);
}

static void
env_down(env_t *e)
{
    ctlt_ctl_stop(e->t);
    for (int i = 0; i < 3; i++)
        ctlt_broker_down(e->b[i]);
    ctlt_chan_destroy(e->chan);
    sm_zk_destroy(e->admin);
}

/* [1,2] -> [2,3]: AR [2,3,1] while 3 catches up (IsNew LeaderAndIsr to
 * 3); once 3 is in the ISR leadership moves to 2, 1 is stopped and
 * deleted, AR [2,3], the znode goes. */
START_TEST(reassignment__moves_a_partition)
{
    static const int32_t to[] = { 2, 3 };
    env_t e;
    sm_zk_part_state_t s;
    sm_pstate_t ps;

    env_up(&e, "reassign");
    request(e.admin, "t", 0, to, 2);
    ck_assert(wait_assignment(e.admin, "t", 0, "2,3,1"));
    ck_assert(ctlt_wait_count(e.chan, CTLT_LAI, 3, "t", 0, -1, 1, 10000));
    ck_assert(ctlt_last_state(e.chan, CTLT_LAI, 3, "t", 0, &ps));
    ck_assert_int_eq(ps.leader, 1);
    ck_assert_int_eq(ps.is_new, 1);
    sm_pstate_fini(&ps);
    ctlt_barrier(e.t->ctl);
    ck_assert_int_eq(sm_zk_exists(e.admin, sm_zk_path_reassign_partitions(),
                                  0, NULL), SM_OK);   /* still waiting */
    ck_assert_int_eq(sm_zk_get_partition_state(e.admin, "t", 0, &s), SM_OK);
    ck_assert_int_eq(s.leader, 1);
    ck_assert_int_eq(s.leader_epoch, 1);
    sm_zk_part_state_fini(&s);

    expand_isr(e.admin, "t", 0, 3);
    ck_assert(ctlt_wait_gone(e.admin, sm_zk_path_reassign_partitions(),
                             10000));
    ck_assert(wait_assignment(e.admin, "t", 0, "2,3"));
    ck_assert_int_eq(sm_zk_get_partition_state(e.admin, "t", 0, &s), SM_OK);
    ck_assert_int_eq(s.leader, 2);
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "2,3");
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_count(e.chan, CTLT_STOP, 1, "t", 0, 1, 1, 10000));
    ck_assert(ctlt_wait_count(e.chan, CTLT_LAI, 2, "t", 0, -1, 1, 10000));
    env_down(&e);
}
END_TEST

/* Refused requests are dropped from the znode and change nothing: a dead
 * target broker, the current assignment, an unknown partition.  Each one
 * is a new znode, so the watch is re-armed after every delete. */
START_TEST(reassignment__refusals)
{
    static const int32_t dead[] = { 1, 9 }, same[] = { 1, 2 }, ok[] = { 2 };
    env_t e;

    env_up(&e, "reassignno");
    request(e.admin, "t", 0, dead, 2);
    ck_assert(ctlt_wait_gone(e.admin, sm_zk_path_reassign_partitions(),
                             10000));
    request(e.admin, "t", 0, same, 2);
    ck_assert(ctlt_wait_gone(e.admin, sm_zk_path_reassign_partitions(),
                             10000));
    request(e.admin, "t", 7, ok, 1);
    ck_assert(ctlt_wait_gone(e.admin, sm_zk_path_reassign_partitions(),
                             10000));
    ck_assert(wait_assignment(e.admin, "t", 0, "1,2"));
    ctlt_barrier(e.t->ctl);
    ck_assert_int_eq(ctlt_count(e.chan, CTLT_STOP, -1, NULL, 0, -1), 0);
    env_down(&e);
}
END_TEST

/* A reassignment left waiting by a controller that stopped is resumed by
 * the next one: it completes when the ISR catches up.  Shrinking [1,2] to
 * [1] keeps the leader. */
START_TEST(reassignment__resumed_after_failover)
{
    static const int32_t to[] = { 1, 3 };
    env_t e;
    sm_zk_part_state_t s;

    env_up(&e, "reassignfo");
    request(e.admin, "t", 0, to, 2);
    ck_assert(wait_assignment(e.admin, "t", 0, "1,3,2"));
    ctlt_ctl_stop(e.t);
    e.t = ctlt_ctl_start(e.chroot, CTL_ID, e.chan, NULL);
    ck_assert(ctlt_wait_active(e.t->ctl, 10000));
    ctlt_barrier(e.t->ctl);
    expand_isr(e.admin, "t", 0, 3);
    ck_assert(ctlt_wait_gone(e.admin, sm_zk_path_reassign_partitions(),
                             10000));
    ck_assert(wait_assignment(e.admin, "t", 0, "1,3"));
    ck_assert_int_eq(sm_zk_get_partition_state(e.admin, "t", 0, &s), SM_OK);
    ck_assert_int_eq(s.leader, 1);
    ck_assert_str_eq(ctlt_ints(s.isr.v, s.isr.cnt), "1,3");
    sm_zk_part_state_fini(&s);
    ck_assert(ctlt_wait_count(e.chan, CTLT_STOP, 2, "t", 0, 1, 1, 10000));
    env_down(&e);
}
END_TEST

Suite *
sm_test_suite_reassignment(void)
{
    Suite *s = suite_create("reassignment");
    TCase *tc = tcase_create("reassignment");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, reassignment__moves_a_partition);
    tcase_add_test(tc, reassignment__refusals);
    tcase_add_test(tc, reassignment__resumed_after_failover);
    suite_add_tcase(s, tc);
    return s;
}
