/* test_checkpoint.c: checkpoint.c - Kafka's offset checkpoint files. */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "log/log_int.h"
#include "log/log_test_util.h"
#include "sm_test.h"

START_TEST(checkpoint__round_trip_exact_bytes)
{
    sm_ckpt_entry_t in[] = {
        { "orders", 1, 977 }, { "orders", 0, 1532 }, { "a.b_c-d", 12, 0 },
    };
    char *tmp = sm_test_tmpdir(), *path = tm_path(tmp, "ck");
    const char *want = "0\n3\norders 1 977\norders 0 1532\na.b_c-d 12 0\n";
    sm_ckpt_entry_t *out;
    unsigned char *raw;
    size_t len;
    int n;

    ck_assert_int_eq(sm_ckpt_write(path, in, 3), SM_OK);
    raw = sm_test_slurp(path, &len);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert(memcmp(raw, want, len) == 0);
    free(raw);
    ck_assert_int_eq(sm_ckpt_read(path, &out, &n), SM_OK);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(sm_ckpt_find(out, n, "orders", 0), 1532);
    ck_assert_int_eq(sm_ckpt_find(out, n, "orders", 1), 977);
    ck_assert_int_eq(sm_ckpt_find(out, n, "a.b_c-d", 12), 0);
    ck_assert_int_eq(sm_ckpt_find(out, n, "orders", 2), -1);
    ck_assert_int_eq(sm_ckpt_find(out, n, "x", 0), -1);
    sm_ckpt_free(out, n);
    /* the temporary file is gone after the rename */
    free(path);
    path = tm_path(tmp, "ck.tmp");
    ck_assert(!tm_exists(path));
    free(path);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(checkpoint__empty_and_missing)
{
    char *tmp = sm_test_tmpdir(), *path = tm_path(tmp, "ck");
    sm_ckpt_entry_t *out;
    int n = 99;

    ck_assert_int_eq(sm_ckpt_read(path, &out, &n), SM_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(sm_ckpt_write(path, NULL, 0), SM_OK);
    ck_assert_int_eq(tm_file_size(path), 4);          /* "0\n0\n" */
    ck_assert_int_eq(sm_ckpt_read(path, &out, &n), SM_OK);
    ck_assert_int_eq(n, 0);
    sm_ckpt_free(out, n);
    tm_write_file(path, "", 0);                       /* Kafka: empty */
    ck_assert_int_eq(sm_ckpt_read(path, &out, &n), SM_OK);
    ck_assert_int_eq(n, 0);
    free(path);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(checkpoint__malformed_rejected)
{
    static const char *const bad[] = {
        "1\n0\n",                       /* unknown version */
        "0\n2\nt 0 5\n",                /* fewer entries than counted */
        "0\n1\nt 0 5\nt 1 6\n",         /* more */
        "0\n1\nt x 5\n",                /* partition not a number */
        "0\n1\nt 0 5 9\n",              /* extra field */
        "0\n1\nt 0\n",                  /* missing field */
        "0\nz\n",
        "0\n-1\n",
        "zero\n",
    };
    char *tmp = sm_test_tmpdir(), *path = tm_path(tmp, "ck");
    int old = sm_log_level;

    sm_log_level = -1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sm_ckpt_entry_t *out = NULL;
        int n = 0;
        tm_write_file(path, bad[i], strlen(bad[i]));
        ck_assert_msg(sm_ckpt_read(path, &out, &n) == SM_ERR__BAD_MSG,
                      "accepted: %s", bad[i]);
        ck_assert_ptr_null(out);
    }
    /* Kafka splits on any whitespace run */
    {
        sm_ckpt_entry_t *out;
        int n;
        tm_write_file(path, "0\n1\nt  4\t77\n", 12);
        ck_assert_int_eq(sm_ckpt_read(path, &out, &n), SM_OK);
        ck_assert_int_eq(sm_ckpt_find(out, n, "t", 4), 77);
        sm_ckpt_free(out, n);
    }
    sm_log_level = old;
    free(path);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

Suite *
sm_test_suite_checkpoint(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("checkpoint");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, checkpoint__round_trip_exact_bytes);
    tcase_add_test(tc, checkpoint__empty_and_missing);
    tcase_add_test(tc, checkpoint__malformed_rejected);
    suite_add_tcase(s, tc);
    return s;
}
