/* test_partitioner.c: partitioner.c - murmur2 against the Java client's
 * results (protocol.md §7.1), the default, sticky, round-robin and random
 * partitioners. */
#include <string.h>

#include "client/producer.h"
#include "sm_test.h"

START_TEST(partitioner__murmur2_vectors)
{
    static const struct {
        const char *key;
        uint32_t    h;
        int32_t     p3, p6, p10;
    } v[] = {
        { "kafka",             0xd067cf64u, 1, 4, 0 },
        { "giberish123456789", 0x8f552b0cu, 2, 2, 0 },
        { "1234",              0x9fc97b14u, 0, 0, 0 },
        { "234",               0xe7c009cau, 2, 2, 6 },
        { "",                  0x106e08d9u, 0, 3, 1 },
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        size_t len = strlen(v[i].key);
        ck_assert_uint_eq(samsa_murmur2(v[i].key, len), v[i].h);
        ck_assert_int_eq(samsa_partition_for_key(v[i].key, len, 3), v[i].p3);
        ck_assert_int_eq(samsa_partition_for_key(v[i].key, len, 6), v[i].p6);
        ck_assert_int_eq(samsa_partition_for_key(v[i].key, len, 10),
                         v[i].p10);
    }
    ck_assert_int_eq(samsa_partition_for_key("k", 1, 0), -1);
}
END_TEST

START_TEST(partitioner__default_keyed_ignores_availability)
{
    sm_part_state_t st = { -1, 0, 1 };
    uint8_t avail[6] = { 1, 0, 0, 0, 0, 0 };

    /* Java hashes over all partitions, available or not */
    ck_assert_int_eq(sm_partitioner_pick(SM_PARTITIONER_DEFAULT, &st,
                                         "kafka", 5, 6, avail), 4);
}
END_TEST

START_TEST(partitioner__sticky_moves_on_new_batch)
{
    sm_part_state_t st = { -1, 0, 7 };
    uint8_t avail[4] = { 1, 1, 1, 1 }, one[4] = { 0, 0, 1, 0 };
    int32_t a, b;

    a = sm_partitioner_pick(SM_PARTITIONER_DEFAULT, &st, NULL, -1, 4, avail);
    ck_assert(a >= 0 && a < 4);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(sm_partitioner_pick(SM_PARTITIONER_DEFAULT, &st,
                                             NULL, -1, 4, avail), a);
    for (int i = 0; i < 20; i++) {
        sm_partitioner_new_batch(&st, a, 4, avail);
        b = sm_partitioner_pick(SM_PARTITIONER_STICKY, &st, "key", 3, 4,
                                avail);
        ck_assert_int_ne(b, a);
        a = b;
    }
    /* a new batch on a partition that is no longer sticky changes
     * nothing */
    sm_partitioner_new_batch(&st, (a + 1) % 4, 4, avail);
    ck_assert_int_eq(st.sticky, a);
    /* one partition available: it is the only choice */
    sm_partitioner_new_batch(&st, a, 4, one);
    ck_assert_int_eq(st.sticky, 2);
}
END_TEST

START_TEST(partitioner__round_robin)
{
    sm_part_state_t st = { -1, 0, 1 };
    uint8_t half[4] = { 0, 1, 0, 1 }, none[4] = { 0, 0, 0, 0 };
    const int32_t want_all[] = { 0, 1, 2, 3, 0 };
    const int32_t want_half[] = { 1, 3, 1, 3 };

    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(sm_partitioner_pick(SM_PARTITIONER_ROUND_ROBIN,
                                             &st, "k", 1, 4, NULL),
                         want_all[i]);
    st.counter = 0;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(sm_partitioner_pick(SM_PARTITIONER_ROUND_ROBIN,
                                             &st, NULL, -1, 4, half),
                         want_half[i]);
    /* none available: over all partitions */
    st.counter = 2;
    ck_assert_int_eq(sm_partitioner_pick(SM_PARTITIONER_ROUND_ROBIN, &st,
                                         NULL, -1, 4, none), 2);
}
END_TEST

START_TEST(partitioner__random_available_only)
{
    sm_part_state_t st = { -1, 0, 99 };
    uint8_t avail[5] = { 0, 1, 0, 0, 1 };
    int seen[5] = { 0 };

    for (int i = 0; i < 200; i++) {
        int32_t p = sm_partitioner_pick(SM_PARTITIONER_RANDOM, &st, "k", 1,
                                        5, avail);
        ck_assert(p >= 0 && p < 5);
        seen[p]++;
    }
    ck_assert_int_eq(seen[0] + seen[2] + seen[3], 0);
    ck_assert_int_gt(seen[1], 0);
    ck_assert_int_gt(seen[4], 0);
}
END_TEST

Suite *
sm_test_suite_partitioner(void)
{
    Suite *s = suite_create("partitioner");
    TCase *tc = tcase_create("partitioner");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT);
    tcase_add_test(tc, partitioner__murmur2_vectors);
    tcase_add_test(tc, partitioner__default_keyed_ignores_availability);
    tcase_add_test(tc, partitioner__sticky_moves_on_new_batch);
    tcase_add_test(tc, partitioner__round_robin);
    tcase_add_test(tc, partitioner__random_available_only);
    suite_add_tcase(s, tc);
    return s;
}
