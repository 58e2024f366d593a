/* test_recovery.c: recovery.c (and segment.c's scan) - clean and unclean
 * loads, torn and corrupt tails, stray files, interrupted swaps. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_io.h"
#include "log/log_test_util.h"
#include "protocol/records.h"
#include "sm_test.h"

/* ------------------------------------------------------------ dir copy */

typedef struct tr_file {
    char    *name;
    uint8_t *data;
    size_t   len;
} tr_file_t;

typedef struct tr_snap {
    tr_file_t *f;
    int        n;
} tr_snap_t;

static void
tr_snap_take(const char *dir, tr_snap_t *s)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    memset(s, 0, sizeof(*s));
    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        char *p;
        if (de->d_name[0] == '.')
            continue;
        s->f = realloc(s->f, (size_t)(s->n + 1) * sizeof(*s->f));
        p = tm_path(dir, de->d_name);
        s->f[s->n].name = strdup(de->d_name);
        s->f[s->n].data = sm_test_slurp(p, &s->f[s->n].len);
        s->n++;
        free(p);
    }
    closedir(d);
}

static void
tr_snap_restore(const char *dir, const tr_snap_t *s)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    while ((de = readdir(d)) != NULL) {
        char *p;
        if (de->d_name[0] == '.')
            continue;
        p = tm_path(dir, de->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    for (int i = 0; i < s->n; i++) {
        char *p = tm_path(dir, s->f[i].name);
        tm_write_file(p, s->f[i].data, s->f[i].len);
        free(p);
    }
}

static void
tr_snap_free(tr_snap_t *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->f[i].name);
        free(s->f[i].data);
    }
    free(s->f);
}

/* ------------------------------------------------------------ helpers */

typedef struct tr_ctx {
    char *tmp, *dir;
    sm_log_config_t cfg;
    tm_model_t m;
} tr_ctx_t;

static void
tr_setup(tr_ctx_t *c, int64_t seg_bytes)
{
    memset(c, 0, sizeof(*c));
    c->tmp = sm_test_tmpdir();
    c->dir = tm_path(c->tmp, "r-3");
    tm_config(&c->cfg, seg_bytes, 512, 300);
    tm_init(&c->m);
}

static void
tr_teardown(tr_ctx_t *c)
{
    tm_fini(&c->m);
    sm_test_rmtree(c->tmp);
    free(c->dir);
    free(c->tmp);
}

static sm_log_t *
tr_open(tr_ctx_t *c, int64_t rp, int clean)
{
    char err[256];
    sm_log_t *log;

    ck_assert_int_eq(sm_log_open(c->dir, "r", 3, &c->cfg, rp, -1, clean,
                                 &log, err, sizeof(err)), SM_OK);
    return log;
}

/* A log of nb batches, closed cleanly. */
static void
tr_build(tr_ctx_t *c, int nb)
{
    sm_log_t *log = tr_open(c, -1, 0);

    ck_assert_int_eq(tm_append(log, &c->m, nb, 3, 40, 1000), SM_OK);
    sm_log_close(log);
}

/* ------------------------------------------------------------ tests */

START_TEST(recovery__clean_reopen_needs_no_scan)
{
    tr_ctx_t c;
    sm_log_t *log;

    tr_setup(&c, 2048);
    tr_build(&c, 40);
    log = tr_open(&c, 0, 1);
    ck_assert_int_eq(log->stat_recovered_segments, 0);
    ck_assert_int_gt(log->nsegs, 3);
    ck_assert_int_eq(sm_log_end_offset(log), 120);
    ck_assert_int_eq(sm_log_recovery_point(log), 120);
    ck_assert_int_eq(tm_check(log, &c.m), 40);
    sm_log_close(log);
    /* unclean with the recovery point at the end: only the last segment */
    log = tr_open(&c, 120, 0);
    ck_assert_int_eq(log->stat_recovered_segments, 1);
    sm_log_close(log);
    /* unclean with no checkpoint: every segment */
    log = tr_open(&c, -1, 0);
    ck_assert_int_eq(log->stat_recovered_segments, log->nsegs);
    ck_assert_int_eq(sm_log_recovery_point(log), 0);
    ck_assert_int_eq(tm_check(log, &c.m), 40);
    sm_log_close(log);
    tr_teardown(&c);
}
END_TEST

/* Path and position of the last batch of the log in c->dir. */
static char *
tr_last_batch(tr_ctx_t *c, int64_t *pos, size_t *size)
{
    sm_log_t *log = tr_open(c, 0, 1);
    sm_segment_t *seg = sm_log_active(log);
    const tm_batch_t *b = &c->m.b[c->m.n - 1];
    char *path = strdup(seg->log_path);

    *pos = seg->size - (int64_t)b->size;
    *size = b->size;
    ck_assert_int_gt(*pos, 0);
    sm_log_close(log);
    return path;
}

/* After a lost or corrupt last batch: its predecessors intact, appends
 * continue at its offset. */
static void
tr_expect_last_gone(tr_ctx_t *c, sm_log_t *log)
{
    int64_t lost = c->m.b[c->m.n - 1].base, first, last;
    tm_model_t m;
    sm_buf_t b = SM_BUF_INIT;

    ck_assert_int_eq(sm_log_end_offset(log), lost);
    tm_init(&m);
    for (int i = 0; i < c->m.n - 1; i++)
        tm_add(&m, c->m.b[i].bytes, c->m.b[i].size);
    m.flushed_end = lost;
    ck_assert_int_eq(tm_check(log, &m), c->m.n - 1);
    tb_batch(&b, 0, 2, 5, 5, 'q');
    ck_assert_int_eq(sm_log_append(log, b.data, b.len, 0, -1, &first, &last),
                     SM_OK);
    ck_assert_int_eq(first, lost);
    tm_fini(&m);
    sm_buf_fini(&b);
}

START_TEST(recovery__truncated_last_batch_every_byte)
{
    tr_snap_t snap;
    tr_ctx_t c;
    int64_t pos;
    size_t size;
    char *path;

    tr_setup(&c, 4096);
    tr_build(&c, 25);
    path = tr_last_batch(&c, &pos, &size);
    tr_snap_take(c.dir, &snap);
    for (size_t cut = 0; cut < size; cut++) {
        sm_log_t *log;
        tr_snap_restore(c.dir, &snap);
        ck_assert_int_eq(truncate(path, pos + (off_t)cut), 0);
        log = tr_open(&c, 0, 0);
        ck_assert_int_eq(tm_file_size(path), pos);   /* torn bytes cut */
        ck_assert_int_eq(sm_log_active(log)->size, pos);
        tr_expect_last_gone(&c, log);
        sm_log_close(log);
    }
    tr_snap_free(&snap);
    free(path);
    tr_teardown(&c);
}
END_TEST

START_TEST(recovery__corrupt_each_byte_of_last_batch)
{
    tr_snap_t snap;
    tr_ctx_t c;
    int64_t pos;
    size_t size;
    char *path;

    tr_setup(&c, 4096);
    tr_build(&c, 25);
    path = tr_last_batch(&c, &pos, &size);
    tr_snap_take(c.dir, &snap);
    int gone = 0;
    for (size_t i = 0; i < size; i++) {
        const tm_batch_t *lb = &c.m.b[c.m.n - 1];
        uint8_t byte;
        sm_log_t *log;
        int fd;

        tr_snap_restore(c.dir, &snap);
        fd = open(path, O_RDWR);
        ck_assert_int_eq(pread(fd, &byte, 1, pos + (off_t)i), 1);
        byte ^= 0x5a;
        ck_assert_int_eq(pwrite(fd, &byte, 1, pos + (off_t)i), 1);
        close(fd);
        log = tr_open(&c, 0, 0);
        if (i >= SM_BATCH_OFF_LEADER_EPOCH && i < SM_MAGIC_OFFSET) {
            /* PartitionLeaderEpoch is outside the CRC (as in Kafka): the
             * batch survives with its offsets */
            ck_assert_int_eq(sm_log_end_offset(log), lb->last + 1);
        } else if (i < SM_BATCH_OFF_LENGTH &&
                   sm_log_end_offset(log) != lb->base) {
            /* BaseOffset is outside the CRC too: a changed one is caught
             * only when it breaks the offset order; otherwise the batch
             * survives under its new, still increasing, offsets */
            ck_assert_int_gt(sm_log_end_offset(log), lb->base);
        } else {
            tr_expect_last_gone(&c, log);
            gone++;
        }
        sm_log_close(log);
    }
    /* every byte under the length, magic and CRC is caught */
    ck_assert_int_ge(gone, (int)size - 12);
    tr_snap_free(&snap);
    free(path);
    tr_teardown(&c);
}
END_TEST

START_TEST(recovery__corruption_mid_log_drops_later_segments)
{
    tr_ctx_t c;
    sm_log_t *log;
    int nsegs, fd;
    char *path;
    int64_t base;

    tr_setup(&c, 2048);
    tr_build(&c, 40);
    log = tr_open(&c, 0, 1);
    nsegs = log->nsegs;
    ck_assert_int_gt(nsegs, 4);
    path = strdup(log->segs[2]->log_path);
    base = log->segs[2]->base_offset;
    sm_log_close(log);
    /* garbage in the middle of segment 2 */
    fd = open(path, O_RDWR);
    ck_assert_int_eq(pwrite(fd, "\xff\xff\xff\xff", 4, 600), 4);
    close(fd);
    /* recovery point in segment 1: segments 1.. are scanned */
    log = tr_open(&c, c.m.b[5].base, 0);
    ck_assert_int_eq(log->nsegs, 3);
    ck_assert_int_gt(sm_log_end_offset(log), base);
    ck_assert_int_lt(tm_file_size(path), 2048);
    tm_check(log, &c.m);
    sm_log_close(log);
    free(path);
    tr_teardown(&c);
}
END_TEST

START_TEST(recovery__missing_or_bad_index_rebuilt)
{
    tr_ctx_t c;
    sm_log_t *log;
    char *oidx, *tidx;
    int64_t size;

    tr_setup(&c, 2048);
    tr_build(&c, 40);
    log = tr_open(&c, 0, 1);
    oidx = strdup(log->segs[1]->oidx.path);
    tidx = strdup(log->segs[2]->tidx.path);
    size = tm_file_size(oidx);
    ck_assert_int_gt(size, 0);
    sm_log_close(log);
    unlink(oidx);
    ck_assert_int_eq(truncate(tidx, 10 * 12), 0);   /* zero-filled tail */
    log = tr_open(&c, 0, 1);
    ck_assert_int_eq(log->stat_recovered_segments, 2);
    ck_assert_int_eq(tm_file_size(oidx), size);
    ck_assert_int_eq(tm_check(log, &c.m), 40);
    sm_log_close(log);
    free(oidx);
    free(tidx);
    tr_teardown(&c);
}
END_TEST

START_TEST(recovery__stray_files_removed)
{
    const char *junk[] = {
        "00000000000000000003.log.deleted", "00000000000000000099.index",
        "00000000000000000099.timeindex", "00000000000000000050.log.cleaned",
        "00000000000000000060.log.swap", "leader-epoch-checkpoint",
    };
    tr_ctx_t c;
    sm_log_t *log;

    tr_setup(&c, 4096);
    tr_build(&c, 10);
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        char *p = tm_path(c.dir, junk[i]);
        tm_write_file(p, "junk", 4);
        free(p);
    }
    log = tr_open(&c, 0, 1);
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        char *p = tm_path(c.dir, junk[i]);
        /* only what Kafka keeps stays: the epoch checkpoint */
        ck_assert_int_eq(tm_exists(p), i == 5);
        free(p);
    }
    ck_assert_int_eq(tm_check(log, &c.m), 10);
    sm_log_close(log);
    tr_teardown(&c);
}
END_TEST

/* A cleaning that wrote 0.log.swap (covering two segments) and crashed
 * before swapping it in. */
START_TEST(recovery__interrupted_swap_completed)
{
    sm_buf_t b = SM_BUF_INIT;
    tr_ctx_t c;
    sm_log_t *log;
    char *p, *q;
    int nsegs;

    tr_setup(&c, 2048);
    tr_build(&c, 40);
    log = tr_open(&c, 0, 1);
    nsegs = log->nsegs;
    int64_t end1 = log->segs[2]->base_offset;     /* segs 0 and 1 replaced */
    sm_log_close(log);
    /* the "cleaned" content: one batch per source segment's range */
    tb_batch(&b, 0, 1, 1000, 40, 'S');
    tb_batch(&b, end1 - 1, 1, 1000, 40, 'T');
    p = tm_path(c.dir, "00000000000000000000.log.swap");
    tm_write_file(p, b.data, b.len);
    free(p);
    log = tr_open(&c, 0, 1);
    ck_assert_int_eq(log->nsegs, nsegs - 1);
    ck_assert_int_eq(log->segs[0]->size, (int64_t)b.len);
    ck_assert_int_eq(log->segs[1]->base_offset, end1);
    p = tm_path(c.dir, "00000000000000000000.log.swap");
    ck_assert(!tm_exists(p));
    q = sm_log_file_path(c.dir, log->segs[1]->base_offset - 0, ".log", NULL);
    ck_assert(tm_exists(q));
    free(p);
    free(q);
    {
        sm_log_slice_t s;
        ck_assert_int_eq(sm_log_read(log, 1, 1 << 20, INT64_MAX, 0, &s),
                         SM_OK);
        ck_assert_int_eq(s.first_offset, end1 - 1);
        ck_assert_uint_eq(s.len, b.len - tb_size(b.data));
        sm_log_slice_release(&s);
    }
    sm_log_close(log);
    sm_buf_fini(&b);
    tr_teardown(&c);
}
END_TEST

START_TEST(recovery__start_offset_beyond_end)
{
    char err[256];
    tr_ctx_t c;
    sm_log_t *log;

    tr_setup(&c, 2048);
    tr_build(&c, 10);
    ck_assert_int_eq(sm_log_open(c.dir, "r", 3, &c.cfg, 0, 500, 1, &log, err,
                                 sizeof(err)), SM_OK);
    ck_assert_int_eq(log->nsegs, 1);
    ck_assert_int_eq(sm_log_start_offset(log), 500);
    ck_assert_int_eq(sm_log_end_offset(log), 500);
    sm_log_close(log);
    /* a start offset inside the log just hides what is below it */
    tr_build(&c, 3);
    ck_assert_int_eq(sm_log_open(c.dir, "r", 3, &c.cfg, 0, 502, 1, &log, err,
                                 sizeof(err)), SM_OK);
    ck_assert_int_eq(sm_log_start_offset(log), 502);
    ck_assert_int_eq(sm_log_end_offset(log), 509);
    sm_log_close(log);
    tr_teardown(&c);
}
END_TEST

Suite *
sm_test_suite_recovery(void)
{
    Suite *s = suite_create("recovery");
    TCase *tc = tcase_create("recovery");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, recovery__clean_reopen_needs_no_scan);
    tcase_add_test(tc, recovery__truncated_last_batch_every_byte);
    tcase_add_test(tc, recovery__corrupt_each_byte_of_last_batch);
    tcase_add_test(tc, recovery__corruption_mid_log_drops_later_segments);
    tcase_add_test(tc, recovery__missing_or_bad_index_rebuilt);
    tcase_add_test(tc, recovery__stray_files_removed);
    tcase_add_test(tc, recovery__interrupted_swap_completed);
    tcase_add_test(tc, recovery__start_offset_beyond_end);
    suite_add_tcase(s, tc);
    return s;
}
