/*
 * test_controller_batch.c: the request batch (ControllerBrokerRequestBatch)
 * without ZooKeeper: a controller that is never started, a hand-made
 * context and the recording channel.
 */
#include <string.h>

#include "controller/controller_int.h"
#include "ctlt.h"
#include "sm_test.h"

typedef struct fixture {
    ctlt_chan_t *chan;
    sm_controller_t *ctl;
    sm_ctl_part_t *p0, *p1;
} fixture_t;

static void
put_broker(sm_controller_t *ctl, int32_t id)
{
    sm_zk_broker_t zb = { .version = 4, .jmx_port = -1 };

    sm_zk_broker_add_endpoint(&zb, "PLAINTEXT", "PLAINTEXT", "h", 9000 + id);
    sm_ctl_ctx_put_broker(&ctl->ctx, id, 100 + id, &zb);
    sm_zk_broker_fini(&zb);
}

/* Brokers 1 and 2 live (3 dead); t-0 on [1,2] led by 1, t-1 on [2,3] led
 * by 2, both with ISR = replicas. */
static void
setup(fixture_t *f)
{
    static const int32_t r0[] = { 1, 2 }, r1[] = { 2, 3 };
    sm_zk_assignment_t a = { 0 };
    sm_zk_part_state_t s = { .controller_epoch = 5, .leader_epoch = 7,
                             .zk_version = 9 };
    sm_ctl_topic_t *top;

    f->chan = ctlt_chan_new();
    f->ctl = sm_controller_new(NULL, 1, 101, &f->chan->chan, NULL);
    f->ctl->ctx.epoch = 5;
    put_broker(f->ctl, 1);
    put_broker(f->ctl, 2);
    top = sm_ctl_ctx_add_topic(&f->ctl->ctx, "t");
    sm_zk_ints_set(&a.replicas, r0, 2);
    f->p0 = sm_ctl_topic_add_part(top, &a);
    a.partition = 1;
    sm_zk_ints_set(&a.replicas, r1, 2);
    f->p1 = sm_ctl_topic_add_part(top, &a);
    sm_zk_ints_fini(&a.replicas);
    s.leader = 1;
    sm_zk_ints_set(&s.isr, r0, 2);
    sm_ctl_part_set_lis(f->p0, &s);
    s.leader = 2;
    sm_zk_ints_set(&s.isr, r1, 2);
    sm_ctl_part_set_lis(f->p1, &s);
    sm_zk_part_state_fini(&s);
}

static void
teardown(fixture_t *f)
{
    sm_controller_destroy(f->ctl);
    ctlt_chan_destroy(f->chan);
}

START_TEST(controller_batch__leader_and_isr_one_request_per_broker)
{
    sm_pstate_t ps;
    fixture_t f;

    setup(&f);
    sm_ctl_batch_new(f.ctl);
    sm_ctl_batch_add_lai(f.ctl, f.p0->replicas.v, 2, f.p0, 1);
    sm_ctl_batch_add_lai(f.ctl, f.p1->replicas.v, 2, f.p1, 0);
    sm_ctl_batch_add_lai(f.ctl, f.p0->replicas.v, 1, f.p0, 0); /* again */
    sm_ctl_batch_send(f.ctl);
    ck_assert(sm_ctl_batch_empty(&f.ctl->batch));

    /* broker 1: t-0; broker 2: t-0 and t-1; broker 3 is dead */
    ck_assert_int_eq(ctlt_count(f.chan, CTLT_LAI, 1, NULL, 0, -1), 1);
    ck_assert_int_eq(ctlt_count(f.chan, CTLT_LAI, 2, NULL, 0, -1), 1);
    ck_assert_int_eq(ctlt_count(f.chan, CTLT_LAI, 3, NULL, 0, -1), 0);
    ck_assert_int_eq(f.chan->v[0].broker_id, 1);
    ck_assert_int_eq(f.chan->v[0].broker_epoch, 101);
    ck_assert_int_eq(f.chan->v[0].controller_id, 1);
    ck_assert_int_eq(f.chan->v[0].controller_epoch, 5);
    ck_assert_int_eq(f.chan->v[0].n, 1);
    ck_assert_int_eq(f.chan->v[1].n, 2);
    /* live leaders: 1 and 2 for broker 2's request */
    ck_assert_int_eq(f.chan->v[1].nbrokers, 2);
    ck_assert(ctlt_last_state(f.chan, CTLT_LAI, 1, "t", 0, &ps));
    ck_assert_int_eq(ps.is_new, 1);             /* or-ed with the 2nd add */
    ck_assert_int_eq(ps.leader, 1);
    ck_assert_int_eq(ps.leader_epoch, 7);
    ck_assert_int_eq(ps.zk_version, 9);
    ck_assert_int_eq(ps.controller_epoch, 5);
    ck_assert_str_eq(ctlt_ints(ps.replicas, ps.nreplicas), "1,2");
    sm_pstate_fini(&ps);

    /* UpdateMetadata for both partitions to both live brokers */
    ck_assert_int_eq(ctlt_count(f.chan, CTLT_UM, -1, NULL, 0, -1), 2);
    ck_assert(ctlt_last_state(f.chan, CTLT_UM, 2, "t", 1, &ps));
    ck_assert_str_eq(ctlt_ints(ps.offline, ps.noffline), "3");
    sm_pstate_fini(&ps);
    ck_assert_int_eq(f.chan->v[2].type, CTLT_UM);
    ck_assert_int_eq(f.chan->v[2].n, 2);
    ck_assert_int_eq(f.chan->v[2].nbrokers, 2);
    teardown(&f);
}
END_TEST

START_TEST(controller_batch__update_metadata_during_delete)
{
    sm_pstate_t ps;
    fixture_t f;

    setup(&f);
    f.p0->top->del_queued = 1;
    sm_ctl_batch_new(f.ctl);
    sm_ctl_batch_add_um(f.ctl, NULL, 0, NULL);
    sm_ctl_batch_add_um_part(f.ctl, f.p0);
    sm_ctl_batch_add_stop(f.ctl, 1, f.p0, 0);
    sm_ctl_batch_add_stop(f.ctl, 1, f.p0, 1);   /* merged: delete wins */
    sm_ctl_batch_add_stop(f.ctl, 3, f.p0, 1);   /* dead: dropped */
    sm_ctl_batch_send(f.ctl);
    ck_assert(ctlt_last_state(f.chan, CTLT_UM, 1, "t", 0, &ps));
    ck_assert_int_eq(ps.leader, SM_LEADER_DURING_DELETE);
    ck_assert_int_eq(ps.leader_epoch, 0);
    sm_pstate_fini(&ps);
    ck_assert_int_eq(ctlt_count(f.chan, CTLT_STOP, -1, NULL, 0, -1), 1);
    ck_assert_int_eq(ctlt_count(f.chan, CTLT_STOP, 1, "t", 0, 1), 1);
    ck_assert_int_eq(f.chan->v[f.chan->cnt - 1].leader_epoch, -2);
    teardown(&f);
}
END_TEST

START_TEST(controller_batch__leftover_is_cleared)
{
    fixture_t f;

    setup(&f);
    sm_ctl_batch_new(f.ctl);
    sm_ctl_batch_add_lai(f.ctl, f.p0->replicas.v, 2, f.p0, 0);
    ck_assert(!sm_ctl_batch_empty(&f.ctl->batch));
    sm_ctl_batch_new(f.ctl);                    /* logs, drops */
    ck_assert(sm_ctl_batch_empty(&f.ctl->batch));
    sm_ctl_batch_send(f.ctl);
    ck_assert_int_eq(f.chan->cnt, 0);
    teardown(&f);
}
END_TEST

Suite *
sm_test_suite_controller_batch(void)
{
    Suite *s = suite_create("controller_batch");
    TCase *tc = tcase_create("controller_batch");

    tcase_add_test(tc, controller_batch__leader_and_isr_one_request_per_broker);
    tcase_add_test(tc, controller_batch__update_metadata_during_delete);
    tcase_add_test(tc, controller_batch__leftover_is_cleared);
    suite_add_tcase(s, tc);
    return s;
}
