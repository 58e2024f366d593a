/*
 * test_coordinator.c: coordinator/coordinator.c - Kafka's partitionFor
 * (Java String.hashCode over UTF-16, Kafka's abs), offsets kept per group,
 * OffsetCommit's rule for unknown groups, and shutdown answering every
 * later call with COORDINATOR_NOT_AVAILABLE.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coordinator/coordinator.h"
#include "sm_test.h"

#define S(x) ((sm_str_t){ (x), (int32_t)sizeof(x) - 1 })

static const sm_grp_conf_t conf0 = { 0, 6000, 1800000, 1000 };

/* Expected values computed with Java's String.hashCode semantics. */
START_TEST(coordinator__partition_for_matches_java)
{
    ck_assert_int_eq(sm_coord_partition_for(S(""), 50), 0);
    ck_assert_int_eq(sm_coord_partition_for(S("a"), 50), 47);
    ck_assert_int_eq(sm_coord_partition_for(S("console-consumer-12345"), 50),
                     6);
    /* negative hash: -1906497762 */
    ck_assert_int_eq(sm_coord_partition_for(S("my-group"), 50), 12);
    ck_assert_int_eq(sm_coord_partition_for(S("my-group"), 8), 2);
    /* hashCode == Integer.MIN_VALUE: Kafka's abs gives 0 */
    ck_assert_int_eq(sm_coord_partition_for(S("polygenelubricants"), 50),
                     0);
    /* U+00FC is one UTF-16 unit, U+1F600 a surrogate pair */
    ck_assert_int_eq(sm_coord_partition_for(S("gr\xc3\xbcppe"), 50), 12);
    ck_assert_int_eq(sm_coord_partition_for(S("\xf0\x9f\x98\x80x"), 50),
                     39);
    ck_assert_int_eq(sm_coord_partition_for(S("a"), 0), 0);
}
END_TEST

START_TEST(coordinator__commit_and_fetch)
{
    sm_coord_t *co = sm_coord_new(&conf0);
    char *md = (char *)"x";

    ck_assert_ptr_nonnull(co);
    /* simple consumer: unknown group, generation -1 */
    ck_assert_int_eq(sm_coord_commit_check(co, "g", S(""), -1), SM_OK);
    sm_coord_commit(co, "g", S("t"), 3, 42, S("meta"));
    ck_assert_int_eq(sm_coord_fetch(co, "g", S("t"), 3, &md), 42);
    ck_assert_str_eq(md, "meta");
    free(md);
    sm_coord_commit(co, "g", S("t"), 3, 43, S(""));
    ck_assert_int_eq(sm_coord_fetch(co, "g", S("t"), 3, &md), 43);
    ck_assert_str_eq(md, "");
    free(md);
    ck_assert_int_eq(sm_coord_fetch(co, "g", S("t"), 4, &md), -1);
    ck_assert_ptr_null(md);
    ck_assert_int_eq(sm_coord_fetch(co, "other", S("t"), 3, &md), -1);
    sm_coord_destroy(co);
}
END_TEST

START_TEST(coordinator__unknown_group_with_generation)
{
    sm_coord_t *co = sm_coord_new(&conf0);

    ck_assert_int_eq(sm_coord_commit_check(co, "nope", S("m"), 3),
                     SM_ERR_ILLEGAL_GENERATION);
    ck_assert_int_eq(sm_coord_heartbeat(co, "nope", S("m"), 1),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    ck_assert_int_eq(sm_coord_leave(co, "nope", S("m")),
                     SM_ERR_UNKNOWN_MEMBER_ID);
    sm_coord_destroy(co);
}
END_TEST

typedef struct jr {
    int      n;
    sm_err_t err;
    char     id[128];
} jr_t;

static void
on_join(void *arg, const sm_grp_join_result_t *res)
{
    jr_t *j = arg;

    j->n++;
    j->err = res->err;
    snprintf(j->id, sizeof(j->id), "%s", res->member_id);
}

static void
count_group(void *arg, const sm_grp_t *grp)
{
    (*(int *)arg) += grp != NULL;
}

static void
count_offset(void *arg, const sm_coord_offset_t *o)
{
    (*(int *)arg) += o->offset == 7;
}

START_TEST(coordinator__join_list_and_shutdown)
{
    sm_coord_t *co = sm_coord_new(&conf0);
    sm_grp_proto_t p = { S("range"), { (const uint8_t *)"m", 1 } };
    sm_grp_join_req_t req = { S(""), S("cli"), S("/127.0.0.1"), 10000,
                              10000, S("consumer"), 1, &p, 0, on_join,
                              NULL };
    jr_t j = { 0 };
    int n = 0;

    req.arg = &j;
    sm_coord_join(co, "g", &req);
    /* the initial delay is 0 but completion waits for a tick */
    for (int i = 0; i < 100 && j.n == 0; i++)
        usleep(10000);
    ck_assert_int_eq(j.n, 1);
    ck_assert_int_eq(j.err, SM_OK);
    sm_coord_list(co, count_group, &n);
    ck_assert_int_eq(n, 1);
    sm_coord_commit(co, "g", S("t"), 0, 7, S(""));
    n = 0;
    sm_coord_fetch_all(co, "g", count_offset, &n);
    ck_assert_int_eq(n, 1);
    sm_coord_shutdown(co);
    memset(&j, 0, sizeof(j));
    sm_coord_join(co, "g2", &req);
    ck_assert_int_eq(j.n, 1);
    ck_assert_int_eq(j.err, SM_ERR_COORDINATOR_NOT_AVAILABLE);
    ck_assert_int_eq(sm_coord_heartbeat(co, "g", S("x"), 1),
                     SM_ERR_COORDINATOR_NOT_AVAILABLE);
    sm_coord_destroy(co);
}
END_TEST

Suite *
sm_test_suite_coordinator(void)
{
    Suite *s = suite_create("coordinator");
    TCase *tc = tcase_create("coordinator");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, coordinator__partition_for_matches_java);
    tcase_add_test(tc, coordinator__commit_and_fetch);
    tcase_add_test(tc, coordinator__unknown_group_with_generation);
    tcase_add_test(tc, coordinator__join_list_and_shutdown);
    suite_add_tcase(s, tc);
    return s;
}
