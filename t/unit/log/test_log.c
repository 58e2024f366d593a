/* test_log.c: log.c - append, roll, read, time lookup, retention,
 * truncation, flush. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_crc.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_test_util.h"
#include "protocol/records.h"
#include "sm_test.h"

typedef struct tl_ctx {
    char *tmp;
    char *dir;
    sm_log_config_t cfg;
    sm_log_t *log;
    tm_model_t m;
} tl_ctx_t;

static void
tl_open(tl_ctx_t *c)
{
    char err[256];

    ck_assert_int_eq(sm_log_open(c->dir, "t", 0, &c->cfg, -1, -1, 0, &c->log,
                                 err, sizeof(err)), SM_OK);
}

static void
tl_setup(tl_ctx_t *c, int64_t seg_bytes, int32_t idx_bytes, int32_t interval)
{
    memset(c, 0, sizeof(*c));
    c->tmp = sm_test_tmpdir();
    c->dir = tm_path(c->tmp, "t-0");
    tm_config(&c->cfg, seg_bytes, idx_bytes, interval);
    tm_init(&c->m);
    tl_open(c);
}

static void
tl_teardown(tl_ctx_t *c)
{
    sm_log_close(c->log);
    tm_fini(&c->m);
    sm_test_rmtree(c->tmp);
    free(c->dir);
    free(c->tmp);
}

START_TEST(log__roll_by_size)
{
    tl_ctx_t c;
    char *p;

    tl_setup(&c, 4096, 1024, 512);
    ck_assert_int_eq(tm_append(c.log, &c.m, 40, 4, 200, 1000), SM_OK);
    ck_assert_int_gt(sm_log_segment_count(c.log), 5);
    for (int i = 0; i < c.log->nsegs; i++) {
        sm_segment_t *seg = c.log->segs[i];
        ck_assert_int_le(seg->size, 4096);
        ck_assert_int_eq(tm_file_size(seg->log_path), seg->size);
        if (i > 0) {   /* each segment is named by its first offset */
            int found = 0;
            for (int j = 0; j < c.m.n; j++)
                found |= c.m.b[j].base == seg->base_offset;
            ck_assert(found);
        }
        if (i + 1 < c.log->nsegs)   /* inactive: indexes trimmed */
            ck_assert_int_eq(tm_file_size(seg->oidx.path),
                             seg->oidx.entries * 8);
    }
    /* the active segment's index stays preallocated */
    ck_assert_int_eq(tm_file_size(sm_log_active(c.log)->oidx.path), 1024);
    p = tm_path(c.dir, "00000000000000000000.log");
    ck_assert(tm_exists(p));
    free(p);
    p = tm_path(c.dir, "00000000000000000000.timeindex");
    ck_assert(tm_exists(p));
    free(p);
    ck_assert_int_eq(tm_check(c.log, &c.m), 40);
    ck_assert_int_eq(sm_log_end_offset(c.log), 160);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__roll_by_time)
{
    sm_buf_t b = SM_BUF_INIT;
    tl_ctx_t c;

    tl_setup(&c, 1 << 20, 4096, 4096);
    c.cfg.segment_ms = 1000;
    sm_log_set_config(c.log, &c.cfg);
    /* Kafka measures from the first batch's timestamp to the incoming
     * batch's: 1000 -> 1900 stays, 2001 rolls */
    tb_batch(&b, 0, 1, 1000, 10, 'a');
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_OK);
    sm_buf_reset(&b);
    tb_batch(&b, 0, 1, 1900, 10, 'b');
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_OK);
    ck_assert_int_eq(sm_log_segment_count(c.log), 1);
    sm_buf_reset(&b);
    tb_batch(&b, 0, 1, 2001, 10, 'c');
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_OK);
    ck_assert_int_eq(sm_log_segment_count(c.log), 2);
    ck_assert_int_eq(sm_log_active(c.log)->base_offset, 2);
    ck_assert_int_eq(c.log->stat_rolls, 1);
    /* without timestamps the segment's creation time counts */
    sm_log_active(c.log)->rolling_ts = -1;
    sm_log_active(c.log)->created_ms = sm_now_ms() - 5000;
    sm_buf_reset(&b);
    tb_batch(&b, 0, 1, -1, 10, 'd');
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_OK);
    ck_assert_int_eq(sm_log_segment_count(c.log), 3);
    sm_buf_fini(&b);
    tm_check(c.log, NULL);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__roll_when_index_full)
{
    tl_ctx_t c;

    /* 24 bytes: 3 offset entries, 2 time entries (one reserved) */
    tl_setup(&c, 1 << 20, 24, 0);
    ck_assert_int_eq(tm_append(c.log, &c.m, 30, 3, 50, 5000), SM_OK);
    ck_assert_int_gt(sm_log_segment_count(c.log), 5);
    for (int i = 0; i < c.log->nsegs; i++) {
        ck_assert_int_le(c.log->segs[i]->oidx.entries, 3);
        ck_assert_int_le(c.log->segs[i]->tidx.entries, 2);
    }
    ck_assert_int_eq(tm_check(c.log, &c.m), 30);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__every_offset_reads_back)
{
    tl_ctx_t c;

    /* many segments, sparse indexes, batches of varying record counts */
    tl_setup(&c, 8192, 256, 700);
    for (int i = 0; i < 60; i++)
        ck_assert_int_eq(tm_append(c.log, &c.m, 1, 1 + i % 7, 30 + i, i * 10),
                         SM_OK);
    ck_assert_int_gt(sm_log_segment_count(c.log), 2);
    ck_assert_int_eq(tm_check(c.log, &c.m), 60);
    /* every batch again through its offsets, comparing the bytes */
    for (int i = 0; i < c.m.n; i++) {
        for (int64_t o = c.m.b[i].base; o <= c.m.b[i].last; o++) {
            sm_log_slice_t s;
            uint8_t *p;
            ck_assert_int_eq(sm_log_read(c.log, o, 1, INT64_MAX, 1, &s),
                             SM_OK);
            ck_assert_int_eq(s.first_offset, c.m.b[i].base);
            ck_assert_uint_eq(s.len, c.m.b[i].size);
            p = tm_slice_bytes(&s);
            ck_assert(memcmp(p, c.m.b[i].bytes, s.len) == 0);
            free(p);
            sm_log_slice_release(&s);
        }
    }
    tl_teardown(&c);
}
END_TEST

START_TEST(log__read_semantics)
{
    sm_log_slice_t s;
    tl_ctx_t c;
    size_t bs;

    tl_setup(&c, 1 << 20, 4096, 100);
    ck_assert_int_eq(tm_append(c.log, &c.m, 10, 5, 100, 1000), SM_OK);
    bs = c.m.b[0].size;
    /* max_bytes: whole batches only */
    ck_assert_int_eq(sm_log_read(c.log, 0, 3 * bs + bs / 2, INT64_MAX, 0, &s),
                     SM_OK);
    ck_assert_uint_eq(s.len, 3 * bs);
    ck_assert_int_eq(s.first_offset, 0);
    ck_assert_int_eq(s.pos, 0);
    sm_log_slice_release(&s);
    /* an offset inside a batch starts at that batch */
    ck_assert_int_eq(sm_log_read(c.log, 12, 2 * bs, INT64_MAX, 0, &s), SM_OK);
    ck_assert_int_eq(s.first_offset, 10);
    ck_assert_int_eq(s.pos, (off_t)(2 * bs));
    ck_assert_uint_eq(s.len, 2 * bs);
    sm_log_slice_release(&s);
    /* first batch bigger than max_bytes: nothing, or all of it (KIP-74) */
    ck_assert_int_eq(sm_log_read(c.log, 5, bs - 1, INT64_MAX, 0, &s), SM_OK);
    ck_assert_uint_eq(s.len, 0);
    ck_assert_ptr_null(s.seg);
    ck_assert_int_eq(sm_log_read(c.log, 5, 1, INT64_MAX, 1, &s), SM_OK);
    ck_assert_uint_eq(s.len, bs);
    sm_log_slice_release(&s);
    /* max_offset is exclusive and never splits: batch 20..24 contains 22 */
    ck_assert_int_eq(sm_log_read(c.log, 0, 1 << 20, 22, 0, &s), SM_OK);
    ck_assert_uint_eq(s.len, 4 * bs);
    sm_log_slice_release(&s);
    ck_assert_int_eq(sm_log_read(c.log, 0, 1 << 20, 25, 0, &s), SM_OK);
    ck_assert_uint_eq(s.len, 5 * bs);
    sm_log_slice_release(&s);
    ck_assert_int_eq(sm_log_read(c.log, 21, 1 << 20, 23, 1, &s), SM_OK);
    ck_assert_uint_eq(s.len, 0);                /* even with min_one */
    ck_assert_int_eq(sm_log_read(c.log, 30, 1 << 20, 30, 1, &s), SM_OK);
    ck_assert_uint_eq(s.len, 0);
    /* end offset: empty; past it or before the start: out of range */
    ck_assert_int_eq(sm_log_read(c.log, 50, 100, INT64_MAX, 1, &s), SM_OK);
    ck_assert_uint_eq(s.len, 0);
    ck_assert_int_eq(s.first_offset, 50);
    ck_assert_int_eq(sm_log_read(c.log, 51, 100, INT64_MAX, 1, &s),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
    ck_assert_int_eq(sm_log_read(c.log, -1, 100, INT64_MAX, 1, &s),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
    ck_assert_int_eq(sm_log_set_start_offset(c.log, 20), SM_OK);
    ck_assert_int_eq(sm_log_read(c.log, 19, 100, INT64_MAX, 1, &s),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
    ck_assert_int_eq(sm_log_set_start_offset(c.log, 51),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
    /* the slice is a file range: sendfile-able, fd of the segment */
    ck_assert_int_eq(sm_log_read(c.log, 20, 1 << 20, INT64_MAX, 0, &s),
                     SM_OK);
    ck_assert_int_eq(s.fd, c.log->segs[0]->fd);
    ck_assert_uint_eq(s.len, 6 * bs);
    sm_log_slice_release(&s);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__read_stays_in_one_segment)
{
    sm_log_slice_t s;
    tl_ctx_t c;

    tl_setup(&c, 2048, 1024, 100);
    ck_assert_int_eq(tm_append(c.log, &c.m, 20, 2, 300, 0), SM_OK);
    ck_assert_int_gt(sm_log_segment_count(c.log), 2);
    ck_assert_int_eq(sm_log_read(c.log, 0, 1 << 20, INT64_MAX, 0, &s), SM_OK);
    ck_assert_int_eq(s.len, c.log->segs[0]->size);
    sm_log_slice_release(&s);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__offset_for_time)
{
    int64_t off, ts;
    tl_ctx_t c;

    tl_setup(&c, 4096, 1024, 200);
    /* batch i: 4 records, timestamps 1000 + 4i .. 1000 + 4i + 3 */
    ck_assert_int_eq(tm_append(c.log, &c.m, 50, 4, 60, 1000), SM_OK);
    ck_assert_int_gt(sm_log_segment_count(c.log), 2);
    for (int64_t t = 990; t < 1205; t++) {
        /* record k has timestamp 1000 + k: the first one reaching t */
        int64_t k = t <= 1000 ? 0 : t - 1000;
        sm_err_t err = sm_log_offset_for_time(c.log, t, &off, &ts);
        if (t > 1199) {
            ck_assert_int_eq(err, SM_ERR__NOENT);
            continue;
        }
        ck_assert_int_eq(err, SM_OK);
        ck_assert_int_eq(off, k);
        ck_assert_int_eq(ts, 1000 + k);
    }
    ck_assert_int_eq(sm_log_offset_for_time(c.log, 5000, &off, &ts),
                     SM_ERR__NOENT);
    tl_teardown(&c);
}
END_TEST

/* Bug found by t/integration/test_clients.py: ListOffsets by timestamp
 * answered with the first offset of the batch holding the time, so ten
 * records produced in one batch all mapped to offset 0.  Kafka searches
 * the batch's records (compressed ones too). */
START_TEST(log__offset_for_time_inside_batch)
{
    sm_buf_t b = SM_BUF_INIT;
    sm_batch_builder_t bb;
    int64_t off, ts;
    tl_ctx_t c;

    tl_setup(&c, 1 << 20, 4096, 4096);
    sm_batch_builder_init(&bb, &b, 2, SM_CODEC_GZIP, 0);
    for (int k = 0; k < 10; k++)
        sm_batch_builder_add(&bb, 5000 + 1000 * k, (sm_bytes_t){ NULL, -1 },
                             (sm_bytes_t){ (const uint8_t *)"v", 1 }, NULL,
                             0);
    ck_assert_int_eq(sm_batch_builder_finish(&bb), SM_OK);
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_OK);
    ck_assert_int_eq(sm_log_offset_for_time(c.log, 7500, &off, &ts), SM_OK);
    ck_assert_int_eq(off, 3);
    ck_assert_int_eq(ts, 8000);
    ck_assert_int_eq(sm_log_offset_for_time(c.log, 14000, &off, &ts), SM_OK);
    ck_assert_int_eq(off, 9);
    ck_assert_int_eq(sm_log_offset_for_time(c.log, 0, &off, &ts), SM_OK);
    ck_assert_int_eq(off, 0);
    ck_assert_int_eq(ts, 5000);
    ck_assert_int_eq(sm_log_offset_for_time(c.log, 14001, &off, &ts),
                     SM_ERR__NOENT);
    sm_buf_fini(&b);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__log_append_time)
{
    sm_buf_t b = SM_BUF_INIT;
    sm_batch_iter_t it;
    sm_log_slice_t s;
    sm_batch_t bt;
    int64_t first, last;
    tl_ctx_t c;
    uint8_t *p;

    tl_setup(&c, 1 << 20, 4096, 4096);
    tb_batch(&b, 0, 3, 100, 10, 'x');
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 42, 777777, &first,
                                   &last), SM_OK);
    ck_assert_int_eq(first, 0);
    ck_assert_int_eq(last, 2);
    ck_assert_int_eq(sm_log_read(c.log, 0, 1 << 20, INT64_MAX, 0, &s), SM_OK);
    p = tm_slice_bytes(&s);
    sm_batch_iter_init(&it, p, s.len);
    ck_assert(sm_batch_next(&it, &bt));
    ck_assert_int_eq(sm_batch_validate(&bt), SM_OK);
    ck_assert(bt.attributes & SM_ATTR_LOG_APPEND_TIME);
    ck_assert_int_eq(bt.max_timestamp, 777777);
    ck_assert_int_eq(bt.base_timestamp, 100);
    ck_assert_int_eq(bt.partition_leader_epoch, 42);
    free(p);
    sm_log_slice_release(&s);
    ck_assert_int_eq(sm_log_offset_for_time(c.log, 777777, &first, &last),
                     SM_OK);
    ck_assert_int_eq(first, 0);
    sm_buf_fini(&b);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__append_limits)
{
    sm_buf_t b = SM_BUF_INIT;
    tl_ctx_t c;

    tl_setup(&c, 4096, 1024, 100);
    tb_batch(&b, 0, 5, 0, 1000, 'a');           /* > 4096 bytes */
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_ERR_RECORD_LIST_TOO_LARGE);
    c.cfg.segment_bytes = 1 << 20;
    c.cfg.max_message_bytes = 1000;
    sm_log_set_config(c.log, &c.cfg);
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_ERR_MESSAGE_TOO_LARGE);
    /* a cut batch or garbage is refused */
    ck_assert_int_eq(sm_log_append(c.log, b.data, 100, 0, -1, NULL, NULL),
                     SM_ERR__BAD_MSG);
    /* the leader takes RecordBatch v2 only (legacy input is converted) */
    sm_buf_reset(&b);
    tb_batch(&b, 0, 1, 0, 10, 'a');
    b.data[SM_MAGIC_OFFSET] = 1;
    ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL, NULL),
                     SM_ERR__INVALID_ARG);
    ck_assert_int_eq(sm_log_end_offset(c.log), 0);
    ck_assert_int_eq(sm_log_size_bytes(c.log), 0);
    sm_buf_fini(&b);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__follower_append)
{
    sm_buf_t b = SM_BUF_INIT;
    tl_ctx_t c;

    tl_setup(&c, 4096, 1024, 100);
    tb_batch(&b, 0, 3, 0, 10, 'a');
    tb_batch(&b, 3, 2, 0, 10, 'b');
    ck_assert_int_eq(sm_log_append_follower(c.log, b.data, b.len), SM_OK);
    ck_assert_int_eq(sm_log_end_offset(c.log), 5);
    /* below the end: refused */
    ck_assert_int_eq(sm_log_append_follower(c.log, b.data, b.len),
                     SM_ERR_OFFSET_OUT_OF_RANGE);
    /* a gap (compacted leader) is fine; out of order is not */
    sm_buf_reset(&b);
    tb_batch(&b, 10, 2, 0, 10, 'c');
    ck_assert_int_eq(sm_log_append_follower(c.log, b.data, b.len), SM_OK);
    ck_assert_int_eq(sm_log_end_offset(c.log), 12);
    sm_buf_reset(&b);
    tb_batch(&b, 20, 2, 0, 10, 'd');
    tb_batch(&b, 15, 2, 0, 10, 'e');
    ck_assert_int_eq(sm_log_append_follower(c.log, b.data, b.len),
                     SM_ERR__BAD_MSG);
    ck_assert_int_eq(sm_log_end_offset(c.log), 12);
    /* offset 7 is in the gap: a read there starts at the next batch */
    {
        sm_log_slice_t s;
        ck_assert_int_eq(sm_log_read(c.log, 7, 1000, INT64_MAX, 0, &s),
                         SM_OK);
        ck_assert_int_eq(s.first_offset, 10);
        sm_log_slice_release(&s);
    }
    sm_buf_fini(&b);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__truncate_to)
{
    sm_buf_t b = SM_BUF_INIT;
    tl_ctx_t c;

    tl_setup(&c, 2048, 1024, 100);
    ck_assert_int_eq(tm_append(c.log, &c.m, 30, 2, 200, 0), SM_OK);
    ck_assert_int_eq(sm_log_flush(c.log), SM_OK);
    ck_assert_int_eq(sm_log_recovery_point(c.log), 60);
    int nseg = sm_log_segment_count(c.log);
    /* to a batch boundary in an older segment */
    ck_assert_int_eq(sm_log_truncate_to(c.log, 14), SM_OK);
    tm_truncate(&c.m, 14);
    ck_assert_int_eq(sm_log_end_offset(c.log), 14);
    ck_assert_int_eq(sm_log_recovery_point(c.log), 14);
    ck_assert_int_lt(sm_log_segment_count(c.log), nseg);
    ck_assert_int_eq(tm_check(c.log, &c.m), 7);
    /* the segment is active again: appends continue at 14 */
    ck_assert_int_eq(tm_append(c.log, &c.m, 10, 2, 200, 0), SM_OK);
    ck_assert_int_eq(sm_log_end_offset(c.log), 34);
    ck_assert_int_eq(tm_check(c.log, &c.m), 17);
    /* beyond the end: nothing happens */
    ck_assert_int_eq(sm_log_truncate_to(c.log, 99), SM_OK);
    ck_assert_int_eq(sm_log_end_offset(c.log), 34);
    /* below the first segment: start afresh there */
    ck_assert_int_eq(sm_log_set_start_offset(c.log, 20), SM_OK);
    ck_assert_int_eq(sm_log_apply_retention(c.log, sm_now_ms(), NULL), SM_OK);
    ck_assert_int_gt(c.log->segs[0]->base_offset, 10);
    ck_assert_int_eq(sm_log_truncate_to(c.log, 3), SM_OK);
    ck_assert_int_eq(sm_log_segment_count(c.log), 1);
    ck_assert_int_eq(sm_log_start_offset(c.log), 3);
    ck_assert_int_eq(sm_log_end_offset(c.log), 3);
    tb_batch(&b, 3, 2, 0, 10, 'z');
    ck_assert_int_eq(sm_log_append_follower(c.log, b.data, b.len), SM_OK);
    tm_check(c.log, NULL);
    sm_buf_fini(&b);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__flush_and_policy)
{
    tl_ctx_t c;

    tl_setup(&c, 4096, 1024, 100);
    ck_assert_int_eq(tm_append(c.log, &c.m, 5, 2, 100, 0), SM_OK);
    ck_assert_int_eq(sm_log_recovery_point(c.log), 0);
    ck_assert_int_eq(sm_log_flush(c.log), SM_OK);
    ck_assert_int_eq(sm_log_recovery_point(c.log), 10);
    /* flush.messages = 4: the append that reaches 4 unflushed syncs */
    c.cfg.flush_messages = 4;
    sm_log_set_config(c.log, &c.cfg);
    ck_assert_int_eq(tm_append(c.log, &c.m, 1, 2, 100, 0), SM_OK);
    ck_assert_int_eq(sm_log_recovery_point(c.log), 10);
    ck_assert_int_eq(tm_append(c.log, &c.m, 1, 2, 100, 0), SM_OK);
    ck_assert_int_eq(sm_log_recovery_point(c.log), 14);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__retention_by_size)
{
    tl_ctx_t c;
    int deleted;
    int64_t before;

    tl_setup(&c, 2048, 1024, 100);
    ck_assert_int_eq(tm_append(c.log, &c.m, 40, 2, 200, sm_now_ms()), SM_OK);
    before = sm_log_size_bytes(c.log);
    c.cfg.retention_bytes = 3000;
    sm_log_set_config(c.log, &c.cfg);
    ck_assert_int_eq(sm_log_apply_retention(c.log, sm_now_ms(), &deleted),
                     SM_OK);
    ck_assert_int_gt(deleted, 0);
    /* Kafka deletes whole segments while the rest stays >= the limit */
    ck_assert_int_ge(sm_log_size_bytes(c.log), 3000);
    ck_assert_int_lt(sm_log_size_bytes(c.log) - c.log->segs[0]->size, 3000);
    ck_assert_int_lt(sm_log_size_bytes(c.log), before);
    ck_assert_int_eq(sm_log_start_offset(c.log), c.log->segs[0]->base_offset);
    ck_assert_int_gt(sm_log_start_offset(c.log), 0);
    tm_check(c.log, &c.m);
    /* nothing more to delete */
    ck_assert_int_eq(sm_log_apply_retention(c.log, sm_now_ms(), &deleted),
                     SM_OK);
    ck_assert_int_eq(deleted, 0);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__retention_by_time)
{
    int64_t now = 10LL * 1000 * 1000 * 1000;
    tl_ctx_t c;
    int deleted, n;

    tl_setup(&c, 2048, 1024, 100);
    /* old data: timestamps around 1000; new: around now */
    ck_assert_int_eq(tm_append(c.log, &c.m, 20, 2, 200, 1000), SM_OK);
    ck_assert_int_eq(sm_log_force_roll(c.log), SM_OK);
    ck_assert_int_eq(tm_append(c.log, &c.m, 20, 2, 200, now), SM_OK);
    n = sm_log_segment_count(c.log);
    c.cfg.retention_ms = 60000;
    sm_log_set_config(c.log, &c.cfg);
    /* the high watermark holds retention back */
    sm_log_set_high_watermark(c.log, 10);
    ck_assert_int_eq(sm_log_apply_retention(c.log, now + 1000, &deleted),
                     SM_OK);
    /* only segments ending at or below the high watermark go */
    ck_assert_int_ge(deleted, 1);
    ck_assert_int_le(sm_log_start_offset(c.log), 10);
    ck_assert_int_le(c.log->segs[0]->base_offset, 10);
    ck_assert_int_gt(c.log->segs[1]->base_offset, 10);
    sm_log_set_high_watermark(c.log, sm_log_end_offset(c.log));
    ck_assert_int_eq(sm_log_apply_retention(c.log, now + 1000, &deleted),
                     SM_OK);
    ck_assert_int_gt(deleted, 0);
    ck_assert_int_eq(sm_log_start_offset(c.log), 40);
    ck_assert_int_lt(sm_log_segment_count(c.log), n);
    /* everything expired: a fresh active segment replaces the last */
    ck_assert_int_eq(sm_log_apply_retention(c.log, now + 10000000, &deleted),
                     SM_OK);
    ck_assert_int_gt(deleted, 0);
    ck_assert_int_eq(sm_log_segment_count(c.log), 1);
    ck_assert_int_eq(sm_log_start_offset(c.log), 80);
    ck_assert_int_eq(sm_log_end_offset(c.log), 80);
    ck_assert_int_eq(sm_log_active(c.log)->base_offset, 80);
    /* and an empty active segment is never deleted */
    ck_assert_int_eq(sm_log_apply_retention(c.log, now + 20000000, &deleted),
                     SM_OK);
    ck_assert_int_eq(deleted, 0);
    ck_assert_int_eq(tm_append(c.log, NULL, 2, 2, 10, now), SM_OK);
    ck_assert_int_eq(sm_log_end_offset(c.log), 84);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__retention_start_offset_and_readers)
{
    sm_log_slice_t s;
    tl_ctx_t c;
    int deleted;
    uint8_t *p;

    tl_setup(&c, 2048, 1024, 100);
    c.cfg.cleanup_policy = SM_CLEANUP_COMPACT;   /* not size/time */
    c.cfg.retention_bytes = 1;
    sm_log_set_config(c.log, &c.cfg);
    ck_assert_int_eq(tm_append(c.log, &c.m, 30, 2, 200, 0), SM_OK);
    /* a reader holds the first segment */
    ck_assert_int_eq(sm_log_read(c.log, 0, 1 << 20, INT64_MAX, 0, &s), SM_OK);
    ck_assert_int_eq(sm_log_apply_retention(c.log, sm_now_ms(), &deleted),
                     SM_OK);
    ck_assert_int_eq(deleted, 0);   /* compact: no size retention */
    ck_assert_int_eq(sm_log_set_start_offset(c.log, 25), SM_OK);
    ck_assert_int_eq(sm_log_apply_retention(c.log, sm_now_ms(), &deleted),
                     SM_OK);
    ck_assert_int_gt(deleted, 1);
    ck_assert_int_le(c.log->segs[0]->base_offset, 25);
    ck_assert_int_eq(sm_log_start_offset(c.log), 25);
    /* the unlinked segment is still readable through the slice */
    p = tm_slice_bytes(&s);
    ck_assert(memcmp(p, c.m.b[0].bytes, c.m.b[0].size) == 0);
    free(p);
    sm_log_slice_release(&s);
    tl_teardown(&c);
}
END_TEST

/* Readers, a flusher and retention racing appends and rolls: every read
 * that succeeds returns whole, valid batches holding the offset asked. */
typedef struct tl_race {
    sm_log_t *log;
    _Atomic int stop;
    long reads, bad;
    unsigned seed;
} tl_race_t;

static void *
tl_race_reader(void *arg)
{
    tl_race_t *r = arg;
    unsigned seed = r->seed;

    while (!r->stop) {
        int64_t start = sm_log_start_offset(r->log);
        int64_t end = sm_log_end_offset(r->log);
        int64_t o = end > start ? start + rand_r(&seed) % (end - start) : 0;
        sm_log_slice_t s;
        sm_batch_iter_t it;
        sm_batch_t b;
        uint8_t *p;

        if (end <= start)
            continue;
        if (sm_log_read(r->log, o, 1 + rand_r(&seed) % 20000, INT64_MAX, 1,
                        &s) != SM_OK)
            continue;                /* moved below the start meanwhile */
        p = malloc(s.len + 1);
        if (sm_log_slice_read(&s, p) != SM_OK) {
            r->bad++;
        } else {
            sm_batch_iter_init(&it, p, s.len);
            for (int n = 0; sm_batch_next(&it, &b); n++)
                if (sm_batch_validate(&b) != SM_OK ||
                    (n == 0 && (b.base_offset > o || b.last_offset < o)))
                    r->bad++;
            if (it.err != SM_OK || it.partial)
                r->bad++;
        }
        free(p);
        sm_log_slice_release(&s);
        r->reads++;
    }
    return NULL;
}

static void *
tl_race_janitor(void *arg)
{
    tl_race_t *r = arg;

    while (!r->stop) {
        sm_log_flush(r->log);
        sm_log_apply_retention(r->log, sm_now_ms(), NULL);
        usleep(1000);
    }
    return NULL;
}

START_TEST(log__concurrent_readers_and_appends)
{
    tl_race_t r[3];
    pthread_t th[3];
    tl_ctx_t c;

    tl_setup(&c, 16384, 1024, 512);
    c.cfg.retention_bytes = 64 * 1024;
    sm_log_set_config(c.log, &c.cfg);
    for (int i = 0; i < 3; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].log = c.log;
        r[i].seed = (unsigned)i + 1;
        pthread_create(&th[i], NULL, i == 2 ? tl_race_janitor
                                            : tl_race_reader, &r[i]);
    }
    for (int i = 0; i < 3000; i++)
        ck_assert_int_eq(tm_append(c.log, NULL, 1, 1 + i % 5, 100, i),
                         SM_OK);
    for (int i = 0; i < 3; i++)
        r[i].stop = 1;
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_gt(r[0].reads + r[1].reads, 100);
    ck_assert_int_eq(r[0].bad + r[1].bad, 0);
    ck_assert_int_gt(sm_log_start_offset(c.log), 0);
    ck_assert_int_eq(sm_log_recovery_point(c.log) <= sm_log_end_offset(c.log),
                     1);
    tm_check(c.log, NULL);
    tl_teardown(&c);
}
END_TEST

START_TEST(log__config_is_checked)
{
    sm_log_config_t cfg;
    sm_log_t *log;
    char err[256], *tmp = sm_test_tmpdir(), *dir = tm_path(tmp, "t-0");

    tm_config(&cfg, 4096, 8, 100);
    ck_assert_int_eq(sm_log_open(dir, "t", 0, &cfg, -1, -1, 0, &log, err,
                                 sizeof(err)), SM_ERR__CONFIG);
    ck_assert_ptr_null(log);
    free(dir);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

Suite *
sm_test_suite_log(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, log__roll_by_size);
    tcase_add_test(tc, log__roll_by_time);
    tcase_add_test(tc, log__roll_when_index_full);
    tcase_add_test(tc, log__every_offset_reads_back);
    tcase_add_test(tc, log__read_semantics);
    tcase_add_test(tc, log__read_stays_in_one_segment);
    tcase_add_test(tc, log__offset_for_time);
    tcase_add_test(tc, log__offset_for_time_inside_batch);
    tcase_add_test(tc, log__log_append_time);
    tcase_add_test(tc, log__append_limits);
    tcase_add_test(tc, log__follower_append);
    tcase_add_test(tc, log__truncate_to);
    tcase_add_test(tc, log__flush_and_policy);
    tcase_add_test(tc, log__retention_by_size);
    tcase_add_test(tc, log__retention_by_time);
    tcase_add_test(tc, log__retention_start_offset_and_readers);
    tcase_add_test(tc, log__concurrent_readers_and_appends);
    tcase_add_test(tc, log__config_is_checked);
    suite_add_tcase(s, tc);
    return s;
}
