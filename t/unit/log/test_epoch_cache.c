/*
 * test_epoch_cache.c: epoch_cache.c - leader epochs recorded by leader
 * and follower appends, Kafka's leader-epoch-checkpoint format, reload
 * at open, truncation, and the end-offset lookup behind
 * OffsetForLeaderEpoch.
 */
#include <string.h>

#include "common/sm_mem.h"
#include "log/log_int.h"
#include "log/log_test_util.h"
#include "sm_test.h"

static sm_log_t *
te_open(const char *dir)
{
    sm_log_config_t cfg;
    sm_log_t *log;
    char err[256];

    tm_config(&cfg, 1 << 20, 4096, 4096);
    ck_assert_int_eq(sm_log_open(dir, "t", 0, &cfg, -1, -1, 0, &log, err,
                                 sizeof(err)), SM_OK);
    return log;
}

/* Leader append of n records at leader epoch e. */
static void
te_append(sm_log_t *log, int n, int32_t e)
{
    sm_buf_t b = SM_BUF_INIT;
    int64_t first, last;

    tb_batch(&b, 0, n, 1000, 8, 'a');
    ck_assert_int_eq(sm_log_append(log, b.data, b.len, e, -1, &first, &last),
                     SM_OK);
    sm_buf_fini(&b);
}

static void
te_lookup(sm_log_t *log, int32_t e, int32_t want_e, int64_t want_off)
{
    int32_t oe;
    int64_t off;

    sm_log_end_offset_for_epoch(log, e, &oe, &off);
    ck_assert_int_eq(oe, want_e);
    ck_assert_int_eq(off, want_off);
}

START_TEST(epoch_cache__leader_appends_lookup_truncate_reload)
{
    char *tmp = sm_test_tmpdir(), *path;
    unsigned char *raw;
    sm_log_t *log = te_open(tmp);
    size_t len;

    ck_assert_int_eq(sm_log_latest_epoch(log), -1);
    te_lookup(log, 0, -1, -1);
    te_append(log, 3, 0);               /* epoch 0: 0..2 */
    te_append(log, 2, 0);               /* 3..4 */
    te_append(log, 4, 2);               /* epoch 2: 5..8 */
    te_append(log, 1, 5);               /* epoch 5: 9 */
    ck_assert_int_eq(sm_log_latest_epoch(log), 5);
    te_lookup(log, 0, 0, 5);
    te_lookup(log, 1, 0, 5);            /* largest epoch <= 1 is 0 */
    te_lookup(log, 2, 2, 9);
    te_lookup(log, 5, 5, 10);
    te_lookup(log, 7, 5, 10);
    path = tm_path(tmp, "leader-epoch-checkpoint");
    raw = sm_test_slurp(path, &len);
    ck_assert_uint_eq(len, 16);
    ck_assert(memcmp(raw, "0\n3\n0 0\n2 5\n5 9\n", 16) == 0);
    free(raw);
    /* truncation forgets epochs starting at or after the new end */
    ck_assert_int_eq(sm_log_truncate_to(log, 9), SM_OK);
    ck_assert_int_eq(sm_log_latest_epoch(log), 2);
    te_lookup(log, 5, 2, 9);
    sm_log_close(log);
    log = te_open(tmp);
    ck_assert_int_eq(sm_log_latest_epoch(log), 2);
    te_lookup(log, 0, 0, 5);
    te_lookup(log, 2, 2, 9);
    sm_log_close(log);
    free(path);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(epoch_cache__follower_batches_and_bad_file)
{
    char *tmp = sm_test_tmpdir(), *path;
    sm_buf_t b = SM_BUF_INIT;
    sm_log_t *log;
    size_t p1, p2;

    /* batches carrying epochs 3 and 4 (the leader's), appended as a
     * follower keeps them */
    tb_batch(&b, 0, 2, 1000, 8, 'a');
    p1 = b.len;
    tb_batch(&b, 2, 2, 1000, 8, 'b');
    p2 = b.len;
    tb_batch(&b, 4, 1, 1000, 8, 'c');
    (void)p2;
    b.data[12] = 0; b.data[13] = 0; b.data[14] = 0; b.data[15] = 3;
    tb_fix_crc(b.data, p1);
    b.data[p1 + 12] = 0; b.data[p1 + 13] = 0; b.data[p1 + 14] = 0;
    b.data[p1 + 15] = 4;
    tb_fix_crc(b.data + p1, p2 - p1);
    b.data[p2 + 12] = 0; b.data[p2 + 13] = 0; b.data[p2 + 14] = 0;
    b.data[p2 + 15] = 4;
    tb_fix_crc(b.data + p2, b.len - p2);
    log = te_open(tmp);
    ck_assert_int_eq(sm_log_append_follower(log, b.data, b.len), SM_OK);
    ck_assert_int_eq(sm_log_latest_epoch(log), 4);
    te_lookup(log, 3, 3, 2);
    te_lookup(log, 4, 4, 5);
    te_lookup(log, 2, -1, -1);
    sm_log_close(log);
    /* a garbled file is an empty cache, not a failed open */
    path = tm_path(tmp, "leader-epoch-checkpoint");
    tm_write_file(path, "0\n2\n3 x\n", 8);
    log = te_open(tmp);
    ck_assert_int_eq(sm_log_latest_epoch(log), -1);
    sm_log_close(log);
    free(path);
    sm_buf_fini(&b);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

Suite *
sm_test_suite_epoch_cache(void)
{
    Suite *s = suite_create("epoch_cache");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, epoch_cache__leader_appends_lookup_truncate_reload);
    tcase_add_test(tc, epoch_cache__follower_batches_and_bad_file);
    suite_add_tcase(s, tc);
    return s;
}
