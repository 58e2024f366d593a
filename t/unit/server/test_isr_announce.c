/* test_isr_announce.c: ISR change notifications go out in deduplicated
 * batches: after a quiet black-out, or when the oldest change waited the
 * maximum delay, or when forced (shutdown). */
#include <string.h>

#include "server/isr_announce.h"
#include "sm_test.h"

START_TEST(isr_announce__burst_becomes_one_batch_after_blackout)
{
    sm_isr_announce_t a;
    sm_zk_tps_t out;

    sm_isr_announce_init(&a, 250, 2500);
    ck_assert_int_eq(sm_isr_announce_take(&a, 0, 0, &out), 0);
    sm_isr_announce_add(&a, "t", 0, 1000);
    sm_isr_announce_add(&a, "t", 1, 1100);
    sm_isr_announce_add(&a, "t", 0, 1200);        /* again: one entry */
    sm_isr_announce_add(&a, "u", 0, 1200);
    ck_assert_int_eq(sm_isr_announce_pending(&a), 3);
    /* 249 ms after the newest change: still in the black-out */
    ck_assert_int_eq(sm_isr_announce_take(&a, 1449, 0, &out), 0);
    ck_assert_int_eq(out.cnt, 0);
    ck_assert_int_eq(sm_isr_announce_take(&a, 1450, 0, &out), 1);
    ck_assert_int_eq(out.cnt, 3);
    ck_assert_str_eq(out.v[0].topic, "t");
    ck_assert_int_eq(out.v[0].partition, 0);
    ck_assert_int_eq(out.v[1].partition, 1);
    ck_assert_str_eq(out.v[2].topic, "u");
    sm_zk_tps_fini(&out);
    ck_assert_int_eq(sm_isr_announce_pending(&a), 0);
    ck_assert_int_eq(sm_isr_announce_take(&a, 9999, 0, &out), 0);
    sm_isr_announce_fini(&a);
}
END_TEST

START_TEST(isr_announce__steady_churn_waits_at_most_max_delay)
{
    sm_isr_announce_t a;
    sm_zk_tps_t out;
    int64_t now = 1000;
    int batches = 0;

    sm_isr_announce_init(&a, 250, 2500);
    /* a change every 100 ms never leaves a quiet black-out */
    for (int i = 0; i < 60; i++, now += 100) {
        sm_isr_announce_add(&a, "t", i % 4, now);
        if (sm_isr_announce_take(&a, now, 0, &out)) {
            ck_assert_int_le(out.cnt, 4);
            sm_zk_tps_fini(&out);
            batches++;
            /* the first change of this batch came 2500 ms ago */
            ck_assert_int_eq((now - 1000) % 2600, 2500);
        }
    }
    ck_assert_int_eq(batches, 2);
    sm_isr_announce_fini(&a);
}
END_TEST

START_TEST(isr_announce__force_takes_anything_pending)
{
    sm_isr_announce_t a;
    sm_zk_tps_t out;

    sm_isr_announce_init(&a, 250, 2500);
    ck_assert_int_eq(sm_isr_announce_take(&a, 10, 1, &out), 0);
    sm_isr_announce_add(&a, "t", 7, 10);
    ck_assert_int_eq(sm_isr_announce_take(&a, 10, 0, &out), 0);
    ck_assert_int_eq(sm_isr_announce_take(&a, 10, 1, &out), 1);
    ck_assert_int_eq(out.cnt, 1);
    ck_assert_int_eq(out.v[0].partition, 7);
    sm_zk_tps_fini(&out);
    sm_isr_announce_fini(&a);
}
END_TEST

Suite *
sm_test_suite_isr_announce(void)
{
    Suite *s = suite_create("isr_announce");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, isr_announce__burst_becomes_one_batch_after_blackout);
    tcase_add_test(tc, isr_announce__steady_churn_waits_at_most_max_delay);
    tcase_add_test(tc, isr_announce__force_takes_anything_pending);
    suite_add_tcase(s, tc);
    return s;
}
