/* test_offset_map.c: offset_map.c - the cleaner's key -> offset table. */
#include <stdio.h>
#include <string.h>

#include "log/offset_map.h"
#include "sm_test.h"

START_TEST(offset_map__put_get_replace)
{
    sm_omap_t *m = sm_omap_new(24 * 1000);
    char key[32];

    ck_assert_int_eq(sm_omap_slots(m), 1000);
    ck_assert_int_eq(sm_omap_latest(m), -1);
    ck_assert_int_eq(sm_omap_get(m, "a", 1), -1);
    for (int i = 0; i < 800; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        sm_omap_put(m, key, strlen(key), i);
    }
    ck_assert_int_eq(sm_omap_size(m), 800);
    ck_assert(!sm_omap_full(m));
    for (int i = 0; i < 800; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        ck_assert_int_eq(sm_omap_get(m, key, strlen(key)), i);
    }
    /* a later offset replaces; size stays */
    sm_omap_put(m, "key-7", 5, 5000);
    ck_assert_int_eq(sm_omap_get(m, "key-7", 5), 5000);
    ck_assert_int_eq(sm_omap_size(m), 800);
    ck_assert_int_eq(sm_omap_latest(m), 5000);
    /* absent keys, including prefixes and the empty key */
    ck_assert_int_eq(sm_omap_get(m, "key-", 4), -1);
    ck_assert_int_eq(sm_omap_get(m, "", 0), -1);
    sm_omap_put(m, "", 0, 6000);
    ck_assert_int_eq(sm_omap_get(m, "", 0), 6000);
    for (int i = 801; i < 900; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        sm_omap_put(m, key, strlen(key), i + 6000);
    }
    ck_assert(sm_omap_full(m));           /* 0.9 load factor */
    sm_omap_update_latest(m, 7000);
    ck_assert_int_eq(sm_omap_latest(m), 7000);
    sm_omap_clear(m);
    ck_assert_int_eq(sm_omap_size(m), 0);
    ck_assert_int_eq(sm_omap_get(m, "key-7", 5), -1);
    ck_assert_int_eq(sm_omap_latest(m), -1);
    sm_omap_free(m);
}
END_TEST

START_TEST(offset_map__never_overfills)
{
    sm_omap_t *m = sm_omap_new(0);    /* the 64-slot minimum */
    char key[32];

    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "%d", i);
        sm_omap_put(m, key, strlen(key), i);
    }
    /* one slot always stays empty, so lookups terminate */
    ck_assert_int_eq(sm_omap_size(m), 63);
    ck_assert_int_eq(sm_omap_get(m, "absent", 6), -1);
    sm_omap_free(m);
}
END_TEST

Suite *
sm_test_suite_offset_map(void)
{
    Suite *s = suite_create("offset_map");
    TCase *tc = tcase_create("offset_map");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, offset_map__put_get_replace);
    tcase_add_test(tc, offset_map__never_overfills);
    suite_add_tcase(s, tc);
    return s;
}
