/*
 * test_election_common.c: src/tools/election_common.c - the order in
 * which the election tools list partitions (Scala's mutable.HashSet of
 * TopicPartition).  The expected orders were printed by a java.util.
 * HashSet of objects with TopicPartition's hashCode (jshell, JDK 17):
 * below 12 elements both tables have 16 buckets and these partitions share
 * none, so the two orders agree.
 */
#include <string.h>

#include "sm_test.h"
#include "tools/election.h"

/* "t-0, t-1" of r in the order tle_order gives (static buffer). */
static const char *
ordered(samsa_election_result_t *r, int n)
{
    static char buf[256];
    int idx[16];
    size_t len = 0;

    for (int i = 0; i < n; i++)
        idx[i] = i;
    tle_order(r, idx, n);
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s-%d",
                                i ? ", " : "", r[idx[i]].topic,
                                (int)r[idx[i]].partition);
    return buf;
}

START_TEST(election_common__scala_set_order)
{
    samsa_election_result_t two[] = {
        { "p", 0, 0, NULL }, { "p", 1, 0, NULL },
    };
    samsa_election_result_t five[] = {
        { "t", 0, 0, NULL }, { "t", 1, 0, NULL }, { "t", 2, 0, NULL },
        { "orders", 3, 0, NULL }, { "a", 0, 0, NULL },
    };

    ck_assert_str_eq(ordered(two, 2), "p-1, p-0");
    ck_assert_str_eq(ordered(five, 5), "a-0, t-2, t-1, t-0, orders-3");
    ck_assert_str_eq(ordered(five, 1), "t-0");
}
END_TEST

Suite *
sm_test_suite_election_common(void)
{
    Suite *s = suite_create("election_common");
    TCase *tc = tcase_create("election_common");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, election_common__scala_set_order);
    suite_add_tcase(s, tc);
    return s;
}
