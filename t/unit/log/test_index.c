/* test_index.c: index.c, offset_index.c and time_index.c. */
#include <stdlib.h>
#include <string.h>

#include "common/sm_endian.h"
#include "common/sm_mem.h"
#include "log/index.h"
#include "log/log_io.h"
#include "log/log_test_util.h"
#include "sm_test.h"

START_TEST(index__preallocated_and_trimmed)
{
    char *dir = sm_test_tmpdir(), *path = tm_path(dir, "x.index");
    sm_index_t idx;
    int created;

    ck_assert_int_eq(sm_index_open(&idx, path, 100, SM_OFFSET_INDEX_ENTRY,
                                   1003, 0, &created), SM_OK);
    ck_assert(created);
    ck_assert_int_eq(tm_file_size(path), 1000);   /* rounded down */
    ck_assert_int_eq(idx.max_entries, 125);
    ck_assert_int_eq(idx.entries, 0);
    sm_oidx_append(&idx, 105, 4000);
    sm_oidx_append(&idx, 130, 9000);
    ck_assert_int_eq(sm_index_trim(&idx), SM_OK);
    ck_assert_int_eq(tm_file_size(path), 16);
    ck_assert(sm_oidx_is_full(&idx));
    /* growing back remaps and keeps the entries */
    ck_assert_int_eq(sm_index_resize(&idx, 4096), SM_OK);
    ck_assert_int_eq(idx.max_entries, 512);
    ck_assert_int_eq(sm_oidx_lookup(&idx, 131).position, 9000);
    ck_assert_int_eq(sm_index_trim(&idx), SM_OK);
    sm_index_close(&idx);

    /* reopened: entries = size / 8, in Kafka's big-endian layout */
    ck_assert_int_eq(sm_index_open(&idx, path, 100, SM_OFFSET_INDEX_ENTRY,
                                   1003, 0, &created), SM_OK);
    ck_assert(!created);
    ck_assert_int_eq(idx.entries, 2);
    sm_oidx_refresh(&idx);
    ck_assert_int_eq(idx.last_offset, 130);
    ck_assert_int_eq(sm_load_be32(idx.map), 5);
    ck_assert_int_eq(sm_load_be32(idx.map + 4), 4000);
    ck_assert_int_eq(sm_oidx_sanity(&idx, 10000), SM_OK);
    ck_assert_int_eq(sm_oidx_sanity(&idx, 9000), SM_ERR__BAD_MSG);
    sm_index_close(&idx);
    free(path);
    sm_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(index__offset_lookup_largest_lower_bound)
{
    char *dir = sm_test_tmpdir(), *path = tm_path(dir, "y.index");
    sm_index_t idx;
    int created;

    /* more entries than the 8 KiB warm section, to cover both searches */
    ck_assert_int_eq(sm_index_open(&idx, path, 1000, SM_OFFSET_INDEX_ENTRY,
                                   64 * 1024, 1, &created), SM_OK);
    for (int i = 1; i <= 5000; i++)
        sm_oidx_append(&idx, 1000 + i * 10, i * 100);
    ck_assert_int_eq(sm_oidx_lookup(&idx, 999).position, 0);
    ck_assert_int_eq(sm_oidx_lookup(&idx, 1000).offset, 1000);
    ck_assert_int_eq(sm_oidx_lookup(&idx, 1009).position, 0);
    for (int i = 1; i <= 5000; i++) {
        sm_offset_pos_t e = sm_oidx_lookup(&idx, 1000 + i * 10);
        ck_assert_int_eq(e.position, i * 100);
        e = sm_oidx_lookup(&idx, 1000 + i * 10 + 9);
        ck_assert_int_eq(e.offset, 1000 + i * 10);
        e = sm_oidx_lookup_pos(&idx, i * 100 + 50);
        ck_assert_int_eq(e.position, i * 100);
    }
    /* truncation: an exact hit goes, the entry below stays */
    sm_oidx_truncate_to(&idx, 1000 + 300 * 10);
    ck_assert_int_eq(idx.entries, 299);
    sm_oidx_truncate_to(&idx, 1000 + 200 * 10 + 5);
    ck_assert_int_eq(idx.entries, 200);
    ck_assert_int_eq(idx.last_offset, 1000 + 200 * 10);
    sm_oidx_truncate_to(&idx, 0);
    ck_assert_int_eq(idx.entries, 0);
    ck_assert_int_eq(idx.last_offset, 1000);
    ck_assert(sm_index_can_append_offset(&idx, 1000LL + INT32_MAX));
    ck_assert(!sm_index_can_append_offset(&idx, 1000LL + INT32_MAX + 1));
    ck_assert(!sm_index_can_append_offset(&idx, 999));
    sm_index_close(&idx);
    free(path);
    sm_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(index__time_index_semantics)
{
    char *dir = sm_test_tmpdir(), *path = tm_path(dir, "z.timeindex");
    sm_index_t idx;
    sm_ts_offset_t e;
    int created;

    ck_assert_int_eq(sm_index_open(&idx, path, 50, SM_TIME_INDEX_ENTRY, 48,
                                   1, &created), SM_OK);
    ck_assert_int_eq(idx.max_entries, 4);
    sm_tidx_refresh(&idx);
    e = sm_tidx_lookup(&idx, 12345);
    ck_assert_int_eq(e.timestamp, -1);
    ck_assert_int_eq(e.offset, 50);
    sm_tidx_maybe_append(&idx, 1000, 55, 0);
    sm_tidx_maybe_append(&idx, 1000, 60, 0);     /* same ts: ignored */
    sm_tidx_maybe_append(&idx, 900, 61, 0);      /* smaller: ignored */
    sm_tidx_maybe_append(&idx, 2000, 70, 0);
    ck_assert_int_eq(idx.entries, 2);
    sm_tidx_maybe_append(&idx, 3000, 80, 0);
    ck_assert(sm_tidx_is_full(&idx));            /* last slot reserved */
    sm_tidx_maybe_append(&idx, 4000, 90, 0);
    ck_assert_int_eq(idx.entries, 3);
    sm_tidx_maybe_append(&idx, 4000, 90, 1);     /* roll/close may use it */
    ck_assert_int_eq(idx.entries, 4);
    e = sm_tidx_lookup(&idx, 2500);
    ck_assert_int_eq(e.timestamp, 2000);
    ck_assert_int_eq(e.offset, 70);
    e = sm_tidx_lookup(&idx, 999);
    ck_assert_int_eq(e.offset, 50);
    ck_assert_int_eq(sm_tidx_sanity(&idx), SM_OK);
    sm_tidx_truncate_to(&idx, 80);
    ck_assert_int_eq(idx.entries, 2);
    ck_assert_int_eq(sm_tidx_last(&idx).timestamp, 2000);
    ck_assert_int_eq(idx.last_ts, 2000);
    /* the on-disk layout: int64 timestamp, int32 relative offset */
    ck_assert_int_eq((int64_t)sm_load_be64(idx.map + 12), 2000);
    ck_assert_int_eq(sm_load_be32(idx.map + 20), 20);
    sm_index_close(&idx);
    free(path);
    sm_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(index__too_small_for_one_entry)
{
    char *dir = sm_test_tmpdir(), *path = tm_path(dir, "w.index");
    sm_index_t idx;
    int created;

    ck_assert_int_eq(sm_index_open(&idx, path, 0, SM_TIME_INDEX_ENTRY, 8, 1,
                                   &created), SM_ERR__CONFIG);
    sm_index_close(&idx);
    free(path);
    sm_test_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(index__zero_filled_tail_is_corrupt)
{
    char *dir = sm_test_tmpdir(), *path = tm_path(dir, "v.index");
    sm_index_t idx;
    int created;

    /* an index that was never trimmed: real entries then zeros */
    ck_assert_int_eq(sm_index_open(&idx, path, 0, SM_OFFSET_INDEX_ENTRY, 80,
                                   1, &created), SM_OK);
    sm_oidx_append(&idx, 10, 500);
    sm_index_close(&idx);
    ck_assert_int_eq(sm_index_open(&idx, path, 0, SM_OFFSET_INDEX_ENTRY, 80,
                                   0, &created), SM_OK);
    ck_assert_int_eq(idx.entries, 10);
    ck_assert_int_eq(sm_oidx_sanity(&idx, 1000), SM_ERR__BAD_MSG);
    sm_index_close(&idx);
    free(path);
    sm_test_rmtree(dir);
    free(dir);
}
END_TEST

Suite *
sm_test_suite_index(void)
{
    Suite *s = suite_create("index");
    TCase *tc = tcase_create("index");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, index__preallocated_and_trimmed);
    tcase_add_test(tc, index__offset_lookup_largest_lower_bound);
    tcase_add_test(tc, index__time_index_semantics);
    tcase_add_test(tc, index__too_small_for_one_entry);
    tcase_add_test(tc, index__zero_filled_tail_is_corrupt);
    suite_add_tcase(s, tc);
    return s;
}
