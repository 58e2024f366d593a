/*
 * test_faults.c: fault injection through the log_io.c ops table
 * (faultfs.c) - every op kind failing transiently and persistently, and a
 * crash at every fsync of a scripted workload - followed by a reopen with
 * the real file system and a check of log.c's invariants (tm_check):
 * acknowledged-and-flushed batches survive byte for byte, offsets are
 * contiguous, every offset reads back through the indexes.
 *
 * The workload, through the log manager as the broker uses it: open,
 * create a log, 14 appends with rolls (a flush after every 5th),
 * checkpoint, DeleteRecords + retention, clean close; reopen, 4 more
 * appends, flush, close.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_io.h"
#include "log/log_test_util.h"
#include "sm_test.h"

typedef struct tf_run {
    char       *root;
    char       *data;
    tm_model_t  m;
    int         transient;
    int         retries_failed;     /* transient: retry of a live log */
} tf_run_t;

static void
tf_cfg(tf_run_t *r, sm_logmgr_config_t *cfg, const char **dirs)
{
    sm_logmgr_config_defaults(cfg);
    dirs[0] = r->data;
    cfg->dirs = dirs;
    cfg->ndirs = 1;
    cfg->background_threads = 0;
    cfg->cleaner_enable = 0;
    tm_config(&cfg->defaults, 1500, 96, 200);
    cfg->defaults.preallocate = 1;      /* exercise fallocate too */
}

/* Append one batch, retrying once; record it in the model if acked. */
static void
tf_append(tf_run_t *r, sm_log_t *log, int i)
{
    sm_buf_t b = SM_BUF_INIT;
    sm_err_t err;

    tb_batch(&b, 0, 2, 1000 + i, 120, (uint8_t)('A' + i));
    err = sm_log_append(log, b.data, b.len, 1, -1, NULL, NULL);
    if (err != SM_OK && !log->failed) {
        err = sm_log_append(log, b.data, b.len, 1, -1, NULL, NULL);
        /* a failed append leaves the log as it was: the retry of a
         * transient failure must work */
        if (err != SM_OK && r->transient && !log->failed)
            r->retries_failed++;
    }
    if (err == SM_OK)
        tm_add(&r->m, b.data, b.len);
    sm_buf_fini(&b);
}

static void
tf_flush(tf_run_t *r, sm_log_t *log)
{
    if (sm_log_flush(log) == SM_OK) {
        ck_assert_int_eq(sm_log_recovery_point(log), sm_log_end_offset(log));
        r->m.flushed_end = sm_log_end_offset(log);
    }
}

static void
tf_phase1(tf_run_t *r, sm_logmgr_t *mgr)
{
    sm_log_t *log;

    if (sm_logmgr_create(mgr, "w", 0, NULL, &log) != SM_OK)
        return;
    for (int i = 0; i < 14; i++) {
        tf_append(r, log, i);
        if (i % 5 == 4)
            tf_flush(r, log);
    }
    sm_logmgr_checkpoint(mgr);
    if (sm_log_set_start_offset(log, 8) == SM_OK)
        sm_log_apply_retention(log, sm_now_ms(), NULL);
}

static void
tf_phase2(tf_run_t *r, sm_logmgr_t *mgr)
{
    sm_log_t *log = sm_logmgr_get(mgr, "w", 0);

    if (log == NULL) {
        ck_assert_int_eq(r->m.flushed_end, 0);
        return;
    }
    /* what was acked but not flushed may be gone after an unclean stop;
     * what was flushed may not */
    ck_assert_int_ge(sm_log_end_offset(log), r->m.flushed_end);
    tm_truncate(&r->m, sm_log_end_offset(log));
    for (int i = 14; i < 18; i++)
        tf_append(r, log, i);
    tf_flush(r, log);
}

static void
tf_workload(tf_run_t *r)
{
    const char *dirs[1];
    sm_logmgr_config_t cfg;
    sm_logmgr_t *mgr;
    char err[512];

    tf_cfg(r, &cfg, dirs);
    if (sm_logmgr_open(&cfg, &mgr, err, sizeof(err)) != SM_OK)
        return;
    tf_phase1(r, mgr);
    sm_logmgr_close(mgr);
    if (sm_logmgr_open(&cfg, &mgr, err, sizeof(err)) != SM_OK)
        return;
    tf_phase2(r, mgr);
    sm_logmgr_close(mgr);
}

/* Reopen with the kernel's table and check the invariants. */
static void
tf_verify(tf_run_t *r)
{
    const char *dirs[1];
    sm_logmgr_config_t cfg;
    sm_logmgr_t *mgr;
    sm_log_t *log;
    char err[512];

    tf_cfg(r, &cfg, dirs);
    ck_assert_msg(sm_logmgr_open(&cfg, &mgr, err, sizeof(err)) == SM_OK,
                  "%s", err);
    log = sm_logmgr_get(mgr, "w", 0);
    if (log == NULL)
        ck_assert_int_eq(r->m.flushed_end, 0);
    else
        tm_check(log, &r->m);
    sm_logmgr_close(mgr);
}

static void
tf_begin(tf_run_t *r, int transient)
{
    memset(r, 0, sizeof(*r));
    r->root = sm_test_tmpdir();
    r->data = tm_path(r->root, "data");
    r->transient = transient;
    tm_init(&r->m);
    ffs_install(r->root);
}

static void
tf_end(tf_run_t *r)
{
    ffs_uninstall();
    tf_verify(r);
    ck_assert_int_eq(r->retries_failed, 0);
    tm_fini(&r->m);
    sm_test_rmtree(r->root);
    free(r->data);
    free(r->root);
}

static const int tf_ops[] = {
    FFS_OPEN, FFS_CLOSE, FFS_PREAD, FFS_PWRITE, FFS_FSYNC, FFS_FTRUNCATE,
    FFS_FALLOCATE, FFS_FSTAT, FFS_RENAME, FFS_UNLINK, FFS_MKDIR, FFS_MMAP,
    FFS_LOCK, FFS_LISTDIR,
};

/* For one op kind: fail its 1st, 2nd, ... call until the workload no
 * longer reaches that many calls. */
static void
tf_fail_each(int op, int persistent)
{
    long n, injected;
    int saved = sm_log_level;

    sm_log_level = -1;        /* thousands of expected error lines */
    for (n = 1; n < 100000; n++) {
        tf_run_t r;
        tf_begin(&r, !persistent);
        ffs_fail(FFS_BIT(op), n, persistent, op == FFS_PWRITE ? ENOSPC : EIO);
        tf_workload(&r);
        injected = ffs_failures();
        tf_end(&r);
        if (injected == 0)
            break;
    }
    sm_log_level = saved;
    ck_assert_msg(n > 1 || op == FFS_CLOSE, "%s never called",
                  ffs_op_name(op));
}

START_TEST(faults__transient_each_op)
{
    tf_fail_each(tf_ops[_i], 0);
}
END_TEST

START_TEST(faults__persistent_each_op)
{
    tf_fail_each(tf_ops[_i], 1);
}
END_TEST

START_TEST(faults__workload_without_faults)
{
    tf_run_t r;

    tf_begin(&r, 1);
    tf_workload(&r);
    ck_assert_int_eq(r.m.n, 18);
    ck_assert_int_eq(r.m.flushed_end, 36);
    ck_assert_int_gt(ffs_calls(FFS_FSYNC), 10);
    tf_end(&r);
}
END_TEST

START_TEST(faults__io_error_is_one_log_line)
{
    char *tmp = sm_test_tmpdir(), *dir = tm_path(tmp, "t-0"), *logf;
    sm_log_config_t cfg;
    unsigned char *txt;
    sm_log_t *log;
    char err[256];
    size_t len;
    int fd;

    logf = tm_path(tmp, "out.txt");
    tm_config(&cfg, 4096, 512, 100);
    ck_assert_int_eq(sm_log_open(dir, "t", 0, &cfg, -1, -1, 0, &log, err,
                                 sizeof(err)), SM_OK);
    /* the first append of an epoch writes leader-epoch-checkpoint (an
     * fsync of its own): do it before counting fsyncs */
    ck_assert_int_eq(tm_append(log, NULL, 1, 1, 10, 0), SM_OK);
    fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    sm_log_set_fd(fd);
    ffs_install(tmp);
    ffs_fail(FFS_BIT(FFS_FSYNC), 1, 0, EIO);
    ck_assert_int_eq(tm_append(log, NULL, 1, 1, 10, 0), SM_OK);
    ck_assert_int_eq(sm_log_flush(log), SM_ERR__IO);
    /* an fsync failure takes the log offline until it is reopened */
    ck_assert_int_eq(tm_append(log, NULL, 1, 1, 10, 0), SM_ERR__IO);
    ffs_uninstall();
    sm_log_set_fd(2);
    close(fd);
    txt = sm_test_slurp(logf, &len);
    txt[len] = 0;
    ck_assert_ptr_nonnull(strstr((char *)txt, "fsync(") );
    ck_assert_ptr_nonnull(strstr((char *)txt, "00000000000000000000.log) "
                                 "failed: Input/output error"));
    free(txt);
    sm_log_close(log);
    ck_assert_int_eq(sm_log_open(dir, "t", 0, &cfg, 0, -1, 0, &log, err,
                                 sizeof(err)), SM_OK);
    ck_assert_int_eq(sm_log_end_offset(log), 2);
    sm_log_close(log);
    free(logf);
    free(dir);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

/* A torn write that is not retried: the bytes past the end must not
 * stay in a segment that later becomes inactive. */
START_TEST(faults__torn_write_then_roll)
{
    char *tmp = sm_test_tmpdir(), *dir = tm_path(tmp, "t-0"), err[256];
    sm_log_config_t cfg;
    tm_model_t m;
    sm_log_t *log;
    int saved = sm_log_level;

    tm_init(&m);
    tm_config(&cfg, 1 << 20, 512, 100);
    ck_assert_int_eq(sm_log_open(dir, "t", 0, &cfg, -1, -1, 0, &log, err,
                                 sizeof(err)), SM_OK);
    ck_assert_int_eq(tm_append(log, &m, 3, 2, 50, 0), SM_OK);
    ffs_install(tmp);
    ffs_fail(FFS_BIT(FFS_PWRITE), 1, 0, ENOSPC);
    sm_log_level = -1;
    ck_assert_int_eq(tm_append(log, NULL, 1, 5, 400, 0), SM_ERR__IO);
    sm_log_level = saved;
    ffs_uninstall();
    ck_assert_int_eq(sm_log_force_roll(log), SM_OK);
    ck_assert_int_eq(tm_append(log, &m, 2, 2, 50, 0), SM_OK);
    sm_log_close(log);
    ck_assert_int_eq(sm_log_open(dir, "t", 0, &cfg, -1, -1, 1, &log, err,
                                 sizeof(err)), SM_OK);
    ck_assert_int_eq(tm_check(log, &m), 5);
    sm_log_close(log);
    tm_fini(&m);
    free(dir);
    sm_test_rmtree(tmp);
    free(tmp);
}
END_TEST

START_TEST(faults__crash_at_every_fsync)
{
    long total, n;
    int saved = sm_log_level;
    tf_run_t r;

    /* a dry run counts the fsyncs of the workload */
    tf_begin(&r, 1);
    tf_workload(&r);
    total = ffs_calls(FFS_FSYNC);
    tf_end(&r);
    ck_assert_int_gt(total, 10);
    sm_log_level = -1;
    for (n = 1; n <= total; n++) {
        tf_begin(&r, 0);
        ffs_crash_at_fsync(n);
        tf_workload(&r);
        ck_assert_msg(ffs_crashed(), "no crash at fsync %ld", n);
        tf_end(&r);
    }
    sm_log_level = saved;
}
END_TEST

Suite *
sm_test_suite_faults(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("faults");
    int nops = (int)(sizeof(tf_ops) / sizeof(tf_ops[0]));

    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, faults__workload_without_faults);
    tcase_add_test(tc, faults__io_error_is_one_log_line);
    tcase_add_test(tc, faults__torn_write_then_roll);
    tcase_add_loop_test(tc, faults__transient_each_op, 0, nops);
    tcase_add_loop_test(tc, faults__persistent_each_op, 0, nops);
    tcase_add_test(tc, faults__crash_at_every_fsync);
    suite_add_tcase(s, tc);
    return s;
}
