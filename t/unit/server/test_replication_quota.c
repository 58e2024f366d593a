/* test_replication_quota.c: the replication quota's windowed rate (a
 * fresh quota spreads its first bytes over nwin - 1 windows, old samples
 * fall out) and the throttled-replica list syntax. */
#include "server/replication_quota.h"
#include "sm_test.h"

START_TEST(replication_quota__rate_and_limit)
{
    sm_repl_quota_t q;

    sm_repl_quota_init(&q, 11, 1000);
    ck_assert(sm_repl_quota_rate(&q, 0) == 0.0);
    sm_repl_quota_record(&q, 50000, 0);
    /* one sample, but the elapsed time counts 10 windows */
    ck_assert(sm_repl_quota_rate(&q, 0) == 5000.0);
    ck_assert_int_eq(sm_repl_quota_exceeded(&q, 4999, 0), 1);
    ck_assert_int_eq(sm_repl_quota_exceeded(&q, 5000, 0), 0);
    ck_assert_int_eq(sm_repl_quota_exceeded(&q, SM_REPL_QUOTA_UNLIMITED, 0),
                     0);
    /* 11 windows later the sample is gone */
    ck_assert(sm_repl_quota_rate(&q, 10999) > 0.0);
    ck_assert(sm_repl_quota_rate(&q, 11000) == 0.0);
    sm_repl_quota_fini(&q);
}
END_TEST

START_TEST(replication_quota__steady_rate_converges)
{
    sm_repl_quota_t q;
    double r;

    sm_repl_quota_init(&q, 11, 1000);
    for (int64_t t = 0; t <= 30000; t += 250)
        sm_repl_quota_record(&q, 250, t);      /* 1000 bytes/s */
    r = sm_repl_quota_rate(&q, 30000);
    ck_assert_msg(r >= 950.0 && r <= 1150.0, "rate %f", r);
    ck_assert_int_eq(sm_repl_quota_exceeded(&q, 800, 30000), 1);
    ck_assert_int_eq(sm_repl_quota_exceeded(&q, 2000, 30000), 0);
    sm_repl_quota_fini(&q);
}
END_TEST

START_TEST(replication_quota__throttled_lists)
{
    char *star[] = { "*", NULL }, *some[] = { "0:1", "3:2", "x:2", "4", NULL };
    sm_config_list_t all = { star, 1 }, l = { some, 4 }, none = { NULL, 0 };

    ck_assert_int_eq(sm_repl_throttled(&all, 7, 9), 1);
    ck_assert_int_eq(sm_repl_throttled(&l, 0, 1), 1);
    ck_assert_int_eq(sm_repl_throttled(&l, 3, 2), 1);
    ck_assert_int_eq(sm_repl_throttled(&l, 3, 1), 0);
    ck_assert_int_eq(sm_repl_throttled(&l, 4, 2), 0);
    ck_assert_int_eq(sm_repl_throttled(&none, 0, 1), 0);
    ck_assert_int_eq(sm_repl_throttled(NULL, 0, 1), 0);
}
END_TEST

Suite *
sm_test_suite_replication_quota(void)
{
    Suite *s = suite_create("replication_quota");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, replication_quota__rate_and_limit);
    tcase_add_test(tc, replication_quota__steady_rate_converges);
    tcase_add_test(tc, replication_quota__throttled_lists);
    suite_add_tcase(s, tc);
    return s;
}
