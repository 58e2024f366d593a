/*
 * test_partition.c: the leader's high watermark (server/partition.c) -
 * the smallest log end offset over the ISR, taken from the followers'
 * fetch offsets, monotonic, handed to the log for the checkpoint, and the
 * bound of consumer reads; followers read to the log end.
 */
#include <string.h>

#include "../log/log_test_util.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "server/partition.h"
#include "sm_test.h"

typedef struct ptx {
    char *tmp;
    sm_log_t *log;
    sm_partition_t *p;
} ptx_t;

static void
ptx_setup(ptx_t *x, int32_t *isr, int32_t nisr)
{
    int32_t replicas[3] = { 1, 2, 3 };
    sm_log_config_t cfg;
    sm_pstate_t ps;
    char err[256];

    memset(x, 0, sizeof(*x));
    x->tmp = sm_test_tmpdir();
    tm_config(&cfg, 1 << 20, 4096, 4096);
    ck_assert_int_eq(sm_log_open(x->tmp, "t", 0, &cfg, -1, -1, 0, &x->log,
                                 err, sizeof(err)), SM_OK);
    x->p = sm_partition_new("t", 0, 1);
    memset(&ps, 0, sizeof(ps));
    ps.topic = "t";
    ps.leader = 1;
    ps.leader_epoch = 3;
    ps.isr = isr;
    ps.nisr = nisr;
    ps.replicas = replicas;
    ps.nreplicas = 3;
    ck_assert_int_eq(sm_partition_make_leader(x->p, &ps, x->log), SM_OK);
}

static void
ptx_teardown(ptx_t *x)
{
    sm_partition_release(x->p);
    sm_log_close(x->log);
    sm_test_rmtree(x->tmp);
    free(x->tmp);
}

/* Leader append of n records; returns the last offset. */
static int64_t
ptx_append(ptx_t *x, int n)
{
    sm_buf_t b = SM_BUF_INIT;
    sm_append_result_t ar;

    tb_batch(&b, 0, n, 1000, 8, 'a');
    ck_assert_int_eq(sm_partition_append(x->p, b.data, b.len, 1, 1, 0, &ar),
                     SM_OK);
    sm_buf_fini(&b);
    return ar.last_offset;
}

static int
ptx_fetched(ptx_t *x, int32_t id, int64_t off)
{
    int moved = -1;

    ck_assert_int_eq(sm_partition_follower_fetched(x->p, id, off,
                                                   sm_mono_ms(), &moved),
                     SM_OK);
    return moved;
}

/* Bytes readable by replica_id from offset 0. */
static size_t
ptx_readable(ptx_t *x, int32_t replica_id)
{
    sm_read_result_t rr;
    size_t n;

    ck_assert_int_eq(sm_partition_read(x->p, replica_id, -1, 0, 1 << 20, 1,
                                       &rr), SM_OK);
    n = rr.slice.len;
    sm_log_slice_release(&rr.slice);
    return n;
}

START_TEST(partition__hw_is_min_leo_over_isr)
{
    int32_t isr[3] = { 1, 2, 3 };
    ptx_t x;

    ptx_setup(&x, isr, 3);
    ck_assert_int_eq(ptx_append(&x, 5), 4);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 0);
    ck_assert_uint_eq(ptx_readable(&x, -1), 0);   /* consumer: nothing */
    ck_assert_uint_gt(ptx_readable(&x, 2), 0);    /* follower: all */
    /* replica 3 has not fetched yet: no advance */
    ck_assert_int_eq(ptx_fetched(&x, 2, 5), 0);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 0);
    ck_assert_int_eq(ptx_fetched(&x, 3, 3), 1);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 3);
    ck_assert_int_eq(sm_log_replica_hw(x.log), 3);
    ck_assert_int_eq(ptx_fetched(&x, 3, 5), 1);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 5);
    ck_assert_uint_gt(ptx_readable(&x, -1), 0);
    /* never backwards, never past the leader's end, strangers ignored */
    ck_assert_int_eq(ptx_fetched(&x, 3, 2), 0);
    ck_assert_int_eq(ptx_fetched(&x, 2, 99), 0);
    ck_assert_int_eq(ptx_fetched(&x, 7, 5), 0);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 5);
    ptx_teardown(&x);
}
END_TEST

START_TEST(partition__non_isr_replica_does_not_hold_hw)
{
    int32_t isr[2] = { 1, 2 };
    ptx_t x;

    ptx_setup(&x, isr, 2);
    ptx_append(&x, 4);
    ck_assert_int_eq(ptx_fetched(&x, 3, 0), 0);   /* not in the ISR */
    ck_assert_int_eq(ptx_fetched(&x, 2, 4), 1);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 4);
    ptx_teardown(&x);
}
END_TEST

START_TEST(partition__follower_fetch_refused_unless_leader)
{
    int32_t isr[3] = { 1, 2, 3 };
    int32_t replicas[3] = { 1, 2, 3 };
    sm_pstate_t ps;
    ptx_t x;
    int moved;

    ptx_setup(&x, isr, 3);
    memset(&ps, 0, sizeof(ps));
    ps.topic = "t";
    ps.leader = 2;
    ps.leader_epoch = 4;
    ps.isr = isr;
    ps.nisr = 3;
    ps.replicas = replicas;
    ps.nreplicas = 3;
    ck_assert_int_eq(sm_partition_make_follower(x.p, &ps, x.log), SM_OK);
    ck_assert_int_eq(sm_partition_follower_fetched(x.p, 3, 0, sm_mono_ms(),
                                                   &moved),
                     SM_ERR_NOT_LEADER_FOR_PARTITION);
    ck_assert_int_eq(moved, 0);
    ptx_teardown(&x);
}
END_TEST

/* acks=all decisions: wait below the HW, NONE past it, and the errors
 * for a shrunk ISR and a lost leadership. */
START_TEST(partition__acks_all_decisions)
{
    int32_t isr[3] = { 1, 2, 3 }, small[1] = { 1 }, replicas[3] = { 1, 2, 3 };
    sm_pstate_t ps;
    sm_buf_t b = SM_BUF_INIT;
    sm_append_result_t ar;
    sm_err_t err;
    ptx_t x;

    ptx_setup(&x, isr, 3);
    ck_assert_int_eq(ptx_append(&x, 3), 2);
    ck_assert_int_eq(sm_partition_acks_done(x.p, 3, 2, &err), 0);
    ptx_fetched(&x, 2, 3);
    ck_assert_int_eq(sm_partition_acks_done(x.p, 3, 2, &err), 0);
    ptx_fetched(&x, 3, 3);
    ck_assert_int_eq(sm_partition_acks_done(x.p, 3, 2, &err), 1);
    ck_assert_int_eq(err, SM_OK);
    /* the ISR shrinks to the leader alone: appends with min ISR 2 are
     * refused up front, and a write already past the HW reports
     * NOT_ENOUGH_REPLICAS_AFTER_APPEND */
    memset(&ps, 0, sizeof(ps));
    ps.topic = "t";
    ps.leader = 1;
    ps.leader_epoch = 3;
    ps.isr = small;
    ps.nisr = 1;
    ps.replicas = replicas;
    ps.nreplicas = 3;
    ck_assert_int_eq(sm_partition_make_leader(x.p, &ps, x.log), SM_OK);
    tb_batch(&b, 0, 1, 1000, 8, 'a');
    ck_assert_int_eq(sm_partition_append(x.p, b.data, b.len, -1, 2, 0, &ar),
                     SM_ERR_NOT_ENOUGH_REPLICAS);
    ck_assert_int_eq(sm_partition_acks_done(x.p, 3, 2, &err), 1);
    ck_assert_int_eq(err, SM_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    /* another broker leads now */
    ps.leader = 2;
    ps.leader_epoch = 4;
    ck_assert_int_eq(sm_partition_make_follower(x.p, &ps, x.log), SM_OK);
    ck_assert_int_eq(sm_partition_acks_done(x.p, 3, 1, &err), 1);
    ck_assert_int_eq(err, SM_ERR_NOT_LEADER_FOR_PARTITION);
    sm_buf_fini(&b);
    ptx_teardown(&x);
}
END_TEST

/* Shrink drops a follower not caught up for lag_max; the HW then follows
 * the smaller ISR; expand takes it back once it fetched up to the HW; a
 * change computed under an old leadership is not applied. */
START_TEST(partition__isr_shrink_and_expand)
{
    int32_t isr[3] = { 1, 2, 3 };
    int64_t t0 = sm_mono_ms();
    sm_isr_change_t chg;
    ptx_t x;
    int moved;

    ptx_setup(&x, isr, 3);
    ptx_append(&x, 4);
    ck_assert_int_eq(sm_partition_follower_fetched(x.p, 2, 4, t0 + 900,
                                                   &moved), SM_OK);
    ck_assert_int_eq(sm_partition_isr_shrink(x.p, t0 + 400, 500, &chg), 0);
    ck_assert_int_eq(sm_partition_isr_shrink(x.p, t0 + 1000, 500, &chg), 1);
    ck_assert_int_eq(chg.nisr, 2);
    ck_assert_int_eq(chg.isr[0], 1);
    ck_assert_int_eq(chg.isr[1], 2);
    ck_assert_int_eq(chg.leader_epoch, 3);
    ck_assert_int_eq(sm_partition_isr_apply(x.p, &chg, 8, &moved), SM_OK);
    ck_assert_int_eq(moved, 1);
    ck_assert_int_eq(sm_partition_high_watermark(x.p), 4);
    ck_assert_int_eq(x.p->zk_version, 8);
    ck_assert(!sm_partition_in_sync(x.p, 3));
    sm_isr_change_fini(&chg);
    /* replica 3 below the HW: not yet; at the HW: back in */
    ptx_fetched(&x, 3, 2);
    ck_assert_int_eq(sm_partition_isr_expand(x.p, 3, &chg), 0);
    ptx_fetched(&x, 3, 4);
    ck_assert_int_eq(sm_partition_isr_expand(x.p, 3, &chg), 1);
    ck_assert_int_eq(chg.nisr, 3);
    ck_assert_int_eq(chg.isr[2], 3);
    ck_assert_int_eq(chg.zk_version, 8);
    chg.leader_epoch = 2;                   /* computed under an old epoch */
    ck_assert_int_eq(sm_partition_isr_apply(x.p, &chg, 9, &moved),
                     SM_ERR_NOT_LEADER_FOR_PARTITION);
    chg.leader_epoch = 3;
    ck_assert_int_eq(sm_partition_isr_apply(x.p, &chg, 9, &moved), SM_OK);
    ck_assert(sm_partition_in_sync(x.p, 3));
    sm_isr_change_fini(&chg);
    ptx_teardown(&x);
}
END_TEST

Suite *
sm_test_suite_partition(void)
{
    Suite *s = suite_create("partition");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, partition__hw_is_min_leo_over_isr);
    tcase_add_test(tc, partition__non_isr_replica_does_not_hold_hw);
    tcase_add_test(tc, partition__follower_fetch_refused_unless_leader);
    tcase_add_test(tc, partition__acks_all_decisions);
    tcase_add_test(tc, partition__isr_shrink_and_expand);
    suite_add_tcase(s, tc);
    return s;
}
