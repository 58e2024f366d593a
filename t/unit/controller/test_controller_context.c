/*
 * test_controller_context.c: the controller context (ControllerContext)
 * without ZooKeeper: broker and partition bookkeeping and the queries the
 * state machines are built on.
 */
#include <string.h>

#include "controller/controller_int.h"
#include "sm_test.h"

static void
put_broker(sm_ctl_ctx_t *ctx, int32_t id, int64_t epoch, const char *rack)
{
    sm_zk_broker_t zb = { .version = 4, .jmx_port = -1 };

    sm_zk_broker_add_endpoint(&zb, "PLAINTEXT", "PLAINTEXT", "h", 9092);
    sm_zk_broker_add_endpoint(&zb, "secure", "SASL_SSL", "h", 9093);
    zb.rack = rack ? strdup(rack) : NULL;
    sm_ctl_ctx_put_broker(ctx, id, epoch, &zb);
    sm_zk_broker_fini(&zb);
}

static sm_ctl_part_t *
add_part(sm_ctl_topic_t *top, int32_t p, const int32_t *r, int n)
{
    sm_zk_assignment_t a = { .partition = p };
    sm_ctl_part_t *part;

    sm_zk_ints_set(&a.replicas, r, n);
    part = sm_ctl_topic_add_part(top, &a);
    sm_zk_ints_fini(&a.replicas);
    return part;
}

START_TEST(controller_context__brokers_sorted_and_converted)
{
    sm_ctl_ctx_t ctx;
    sm_ctl_broker_t *b;

    sm_ctl_ctx_init(&ctx);
    put_broker(&ctx, 3, 30, NULL);
    put_broker(&ctx, 1, 10, "r1");
    put_broker(&ctx, 2, 20, NULL);
    put_broker(&ctx, 1, 11, "r2");             /* replace */
    ck_assert_int_eq(ctx.nbrokers, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ctx.brokers[i].md.id, i + 1);
    b = sm_ctl_ctx_broker(&ctx, 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(b->epoch, 11);
    ck_assert_str_eq(b->md.rack, "r2");
    ck_assert_int_eq(b->md.neps, 2);
    ck_assert_str_eq(b->md.eps[1].listener, "SECURE");
    ck_assert_int_eq(b->md.eps[1].security_protocol, 3);   /* SASL_SSL */
    ck_assert_int_eq(b->md.eps[0].security_protocol, 0);
    sm_ctl_ctx_remove_broker(&ctx, 2);
    sm_ctl_ctx_remove_broker(&ctx, 7);                     /* absent */
    ck_assert(!sm_ctl_ctx_is_live(&ctx, 2));
    ck_assert(sm_ctl_ctx_is_live(&ctx, 3));
    ck_assert_int_eq(ctx.nbrokers, 2);
    sm_ctl_ctx_reset(&ctx);
    ck_assert_int_eq(ctx.nbrokers, 0);
    ck_assert_int_eq(ctx.epoch, -1);
}
END_TEST

START_TEST(controller_context__broker_differs)
{
    sm_ctl_ctx_t a, b;

    sm_ctl_ctx_init(&a);
    sm_ctl_ctx_init(&b);
    put_broker(&a, 1, 1, NULL);
    put_broker(&b, 1, 1, NULL);
    ck_assert(!sm_ctl_broker_differs(&a.brokers[0].md, &b.brokers[0].md));
    put_broker(&b, 1, 1, "rack");
    ck_assert(sm_ctl_broker_differs(&a.brokers[0].md, &b.brokers[0].md));
    put_broker(&b, 1, 1, NULL);
    b.brokers[0].md.eps[0].port = 9999;
    ck_assert(sm_ctl_broker_differs(&a.brokers[0].md, &b.brokers[0].md));
    sm_ctl_ctx_reset(&a);
    sm_ctl_ctx_reset(&b);
}
END_TEST

START_TEST(controller_context__partitions_and_replicas)
{
    static const int32_t r12[] = { 1, 2 }, r23[] = { 2, 3 }, r3[] = { 3 };
    sm_ctl_ctx_t ctx;
    sm_ctl_topic_t *t, *u;
    sm_ctl_part_t *p0, *p1, *a0;
    sm_ctl_reps_t reps = { 0 };
    sm_ctl_parts_t parts = { 0 };
    sm_ctl_rep_t rep;
    int32_t on2[] = { 2 };

    sm_ctl_ctx_init(&ctx);
    t = sm_ctl_ctx_add_topic(&ctx, "t");
    ck_assert_ptr_eq(sm_ctl_ctx_add_topic(&ctx, "t"), t);
    p1 = add_part(t, 1, r23, 2);
    p0 = add_part(t, 0, r12, 2);               /* inserted before */
    ck_assert_ptr_eq(t->parts[0], p0);
    ck_assert_ptr_eq(sm_ctl_topic_part(t, 1), p1);
    ck_assert_ptr_null(sm_ctl_topic_part(t, 2));
    u = sm_ctl_ctx_add_topic(&ctx, "a");
    a0 = add_part(u, 0, r3, 1);

    /* sorted by topic name, then partition */
    sm_ctl_ctx_all_parts(&ctx, &parts);
    ck_assert_int_eq(parts.cnt, 3);
    ck_assert_str_eq(parts.v[0]->top->name, "a");
    ck_assert_ptr_eq(parts.v[1], p0);
    sm_ctl_parts_fini(&parts);

    sm_ctl_ctx_replicas_on(&ctx, on2, 1, &reps);
    ck_assert_int_eq(reps.cnt, 2);
    sm_ctl_reps_fini(&reps);

    /* replica states travel with the replica when one is removed */
    p0->rst[0] = SM_CTL_RST_ONLINE;
    p0->rst[1] = SM_CTL_RST_OFFLINE;
    sm_ctl_part_remove_replica(p0, 1);
    ck_assert_int_eq(p0->replicas.cnt, 1);
    rep.part = p0;
    rep.id = 2;
    ck_assert_int_eq(sm_ctl_rep_state(&rep), SM_CTL_RST_OFFLINE);
    rep.id = 1;
    ck_assert_int_eq(sm_ctl_rep_state(&rep), SM_CTL_RST_NONEXISTENT);

    /* New/Offline partitions of topics queued for deletion are skipped */
    p0->pst = SM_CTL_PST_OFFLINE;
    p1->pst = SM_CTL_PST_NEW;
    a0->pst = SM_CTL_PST_NEW;
    t->del_queued = 1;
    sm_ctl_ctx_new_or_offline(&ctx, &parts);
    ck_assert_int_eq(parts.cnt, 1);
    ck_assert_ptr_eq(parts.v[0], a0);
    sm_ctl_parts_fini(&parts);

    sm_ctl_ctx_remove_topic(&ctx, "t");
    ck_assert_ptr_null(sm_ctl_ctx_topic(&ctx, "t"));
    sm_ctl_ctx_reset(&ctx);
}
END_TEST

START_TEST(controller_context__leadership_queries)
{
    static const int32_t r12[] = { 1, 2 };
    sm_zk_part_state_t s = { .leader = 1, .leader_epoch = 4 };
    sm_ctl_parts_t parts = { 0 };
    sm_ctl_ctx_t ctx;
    sm_ctl_topic_t *t;
    sm_ctl_part_t *p0, *p1;

    sm_ctl_ctx_init(&ctx);
    put_broker(&ctx, 2, 1, NULL);
    t = sm_ctl_ctx_add_topic(&ctx, "t");
    p0 = add_part(t, 0, r12, 2);
    p1 = add_part(t, 1, r12, 2);
    sm_zk_ints_set(&s.isr, r12, 2);
    sm_ctl_part_set_lis(p0, &s);               /* leader 1: dead */
    s.leader = 2;
    sm_ctl_part_set_lis(p1, &s);
    sm_zk_part_state_fini(&s);
    ck_assert_int_eq(p0->lis.isr.cnt, 2);

    sm_ctl_ctx_offline_leader(&ctx, &parts);
    ck_assert_int_eq(parts.cnt, 1);
    ck_assert_ptr_eq(parts.v[0], p0);
    sm_ctl_parts_fini(&parts);
    sm_ctl_ctx_with_leaders(&ctx, &parts);
    ck_assert_int_eq(parts.cnt, 2);
    sm_ctl_parts_fini(&parts);
    sm_ctl_ctx_reset(&ctx);
}
END_TEST

Suite *
sm_test_suite_controller_context(void)
{
    Suite *s = suite_create("controller_context");
    TCase *tc = tcase_create("controller_context");

    tcase_add_test(tc, controller_context__brokers_sorted_and_converted);
    tcase_add_test(tc, controller_context__broker_differs);
    tcase_add_test(tc, controller_context__partitions_and_replicas);
    tcase_add_test(tc, controller_context__leadership_queries);
    suite_add_tcase(s, tc);
    return s;
}
