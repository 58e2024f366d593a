/* test_map.c: sm_map_t against a brute-force model, incl. deletes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_map.h"
#include "sm_test.h"

START_TEST(map__put_get_del_model)
{
    enum { N = 2000 };
    static intptr_t model[N];       /* 0 = absent, else value */
    sm_map_t m = SM_MAP_INIT;
    char key[32];

    srand(11);
    memset(model, 0, sizeof(model));
    for (int step = 0; step < 50000; step++) {
        int k = rand() % N, op = rand() % 3;
        snprintf(key, sizeof(key), "topic-%d", k);
        if (op < 2) {
            intptr_t v = step + 1;
            void *prev = sm_map_put(&m, key, (void *)v);
            ck_assert_ptr_eq(prev, (void *)model[k]);
            model[k] = v;
        } else {
            void *prev = sm_map_del(&m, key);
            ck_assert_ptr_eq(prev, (void *)model[k]);
            model[k] = 0;
        }
        if (step % 997 == 0) {
            size_t cnt = 0;
            for (int i = 0; i < N; i++) {
                snprintf(key, sizeof(key), "topic-%d", i);
                ck_assert_ptr_eq(sm_map_get(&m, key), (void *)model[i]);
                cnt += model[i] != 0;
            }
            ck_assert_uint_eq(sm_map_count(&m), cnt);
        }
    }
    sm_map_fini(&m);
}
END_TEST

START_TEST(map__iterate_and_getn)
{
    sm_map_t m = SM_MAP_INIT;
    size_t it = 0, n = 0;
    const char *k;
    void *v;

    sm_map_put(&m, "a", (void *)1);
    sm_map_put(&m, "bb", (void *)2);
    sm_map_put(&m, "ccc", (void *)3);
    while (sm_map_next(&m, &it, &k, &v)) {
        ck_assert_int_eq((intptr_t)v, (intptr_t)strlen(k));
        n++;
    }
    ck_assert_uint_eq(n, 3);
    ck_assert_ptr_eq(sm_map_getn(&m, "bbX", 2), (void *)2);
    ck_assert_ptr_null(sm_map_getn(&m, "b", 1));
    sm_map_fini(&m);
}
END_TEST

Suite *
sm_test_suite_map(void)
{
    Suite *s = suite_create("map");
    TCase *tc = tcase_create("map");

    tcase_add_test(tc, map__put_get_del_model);
    tcase_add_test(tc, map__iterate_and_getn);
    suite_add_tcase(s, tc);
    return s;
}
