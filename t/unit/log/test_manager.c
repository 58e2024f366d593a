/* test_manager.c: manager.c - log dirs, checkpoints, clean shutdown,
 * create / delete, the scheduler. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_test_util.h"
#include "sm_test.h"

typedef struct tg_ctx {
    char *tmp;
    char *d[2];
    const char *dirs[2];
    sm_logmgr_config_t cfg;
    sm_logmgr_t *mgr;
} tg_ctx_t;

static void
tg_setup(tg_ctx_t *c, int ndirs)
{
    memset(c, 0, sizeof(*c));
    c->tmp = sm_test_tmpdir();
    for (int i = 0; i < 2; i++) {
        c->d[i] = sm_asprintf("%s/data%d", c->tmp, i);
        c->dirs[i] = c->d[i];
    }
    sm_logmgr_config_defaults(&c->cfg);
    c->cfg.dirs = c->dirs;
    c->cfg.ndirs = ndirs;
    c->cfg.background_threads = 0;
    c->cfg.cleaner_enable = 0;
    tm_config(&c->cfg.defaults, 2048, 512, 200);
}

static void
tg_open(tg_ctx_t *c)
{
    char err[512];

    ck_assert_msg(sm_logmgr_open(&c->cfg, &c->mgr, err, sizeof(err)) == SM_OK,
                  "%s", err);
}

static void
tg_teardown(tg_ctx_t *c)
{
    sm_logmgr_close(c->mgr);
    sm_test_rmtree(c->tmp);
    for (int i = 0; i < 2; i++)
        free(c->d[i]);
    free(c->tmp);
}

static char *
tg_file(tg_ctx_t *c, int d, const char *name)
{
    return tm_path(c->d[d], name);
}

static int
tg_count_entries(const char *dir)
{
    DIR *dd = opendir(dir);
    struct dirent *de;
    int n = 0;

    while (dd && (de = readdir(dd)) != NULL)
        n += de->d_name[0] != '.';
    if (dd)
        closedir(dd);
    return n;
}

START_TEST(manager__create_close_reopen)
{
    sm_log_t *a, *b, *x;
    unsigned char *raw;
    size_t len;
    tg_ctx_t c;
    char *p;

    tg_setup(&c, 2);
    tg_open(&c);
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "a", 0, NULL, &a), SM_OK);
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "b", 1, NULL, &b), SM_OK);
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "a", 0, NULL, &x), SM_OK);
    ck_assert_ptr_eq(x, a);
    ck_assert_ptr_eq(sm_logmgr_get(c.mgr, "b", 1), b);
    ck_assert_ptr_null(sm_logmgr_get(c.mgr, "b", 0));
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "bad/name", 0, NULL, &x),
                     SM_ERR_INVALID_TOPIC_EXCEPTION);
    /* spread over the dirs with the fewest logs */
    ck_assert(strncmp(sm_log_dir(a), c.d[0], strlen(c.d[0])) == 0);
    ck_assert(strncmp(sm_log_dir(b), c.d[1], strlen(c.d[1])) == 0);
    ck_assert_int_eq(tm_append(a, NULL, 20, 2, 100, 0), SM_OK);
    ck_assert_int_eq(tm_append(b, NULL, 5, 2, 100, 0), SM_OK);
    ck_assert_int_eq(sm_log_set_start_offset(b, 4), SM_OK);
    sm_logmgr_close(c.mgr);

    /* marker and checkpoints in Kafka's format */
    p = tg_file(&c, 0, ".kafka_cleanshutdown");
    ck_assert(tm_exists(p));
    free(p);
    p = tg_file(&c, 0, "recovery-point-offset-checkpoint");
    raw = sm_test_slurp(p, &len);
    ck_assert_uint_eq(len, 11);
    ck_assert(memcmp(raw, "0\n1\na 0 40\n", 11) == 0);
    free(raw);
    free(p);
    p = tg_file(&c, 1, "log-start-offset-checkpoint");
    raw = sm_test_slurp(p, &len);
    ck_assert(len == 10 && memcmp(raw, "0\n1\nb 1 4\n", 10) == 0);
    free(raw);
    free(p);
    p = tg_file(&c, 0, "log-start-offset-checkpoint");
    raw = sm_test_slurp(p, &len);
    ck_assert(len == 4 && memcmp(raw, "0\n0\n", 4) == 0);
    free(raw);
    free(p);

    tg_open(&c);
    p = tg_file(&c, 0, ".kafka_cleanshutdown");
    ck_assert(!tm_exists(p));                 /* removed while running */
    free(p);
    a = sm_logmgr_get(c.mgr, "a", 0);
    b = sm_logmgr_get(c.mgr, "b", 1);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(sm_log_end_offset(a), 40);
    ck_assert_int_eq(sm_log_recovery_point(a), 40);
    ck_assert_int_eq(a->stat_recovered_segments, 0);
    ck_assert_int_eq(sm_log_start_offset(b), 4);
    ck_assert_int_eq(sm_log_end_offset(b), 10);
    tm_check(a, NULL);
    tg_teardown(&c);
}
END_TEST

/* replication-offset-checkpoint: written by the tick (its own interval)
 * and at close with the high watermarks the replica layer set, in
 * Kafka's format; read back at open. */
START_TEST(manager__high_watermark_checkpoint)
{
    sm_log_t *a, *b;
    unsigned char *raw;
    size_t len;
    tg_ctx_t c;
    char *p;

    tg_setup(&c, 1);
    c.cfg.hw_checkpoint_interval_ms = 100;
    tg_open(&c);
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "a", 0, NULL, &a), SM_OK);
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "b", 2, NULL, &b), SM_OK);
    ck_assert_int_eq(tm_append(a, NULL, 5, 2, 100, 0), SM_OK);
    ck_assert_int_eq(sm_log_replica_hw(a), -1);
    sm_log_set_high_watermark(a, 7);
    ck_assert_int_eq(sm_log_replica_hw(a), 7);
    sm_logmgr_tick(c.mgr, sm_now_ms() + 200);
    p = tg_file(&c, 0, "replication-offset-checkpoint");
    raw = sm_test_slurp(p, &len);
    ck_assert(len == 10 && memcmp(raw, "0\n1\na 0 7\n", 10) == 0);
    free(raw);
    sm_log_set_high_watermark(a, 9);
    sm_logmgr_close(c.mgr);
    raw = sm_test_slurp(p, &len);
    ck_assert(len == 10 && memcmp(raw, "0\n1\na 0 9\n", 10) == 0);
    free(raw);
    free(p);
    tg_open(&c);
    ck_assert_int_eq(sm_log_replica_hw(sm_logmgr_get(c.mgr, "a", 0)), 9);
    ck_assert_int_eq(sm_log_replica_hw(sm_logmgr_get(c.mgr, "b", 2)), -1);
    tg_teardown(&c);
}
END_TEST

START_TEST(manager__unclean_stop_recovers)
{
    sm_log_t *a;
    tg_ctx_t c;
    pid_t pid;
    int st;

    tg_setup(&c, 1);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* a broker that dies without closing */
        char err[512];
        sm_logmgr_t *mgr;
        if (sm_logmgr_open(&c.cfg, &mgr, err, sizeof(err)) != SM_OK ||
            sm_logmgr_create(mgr, "a", 0, NULL, &a) != SM_OK ||
            tm_append(a, NULL, 20, 2, 100, 0) != SM_OK ||
            sm_log_flush(a) != SM_OK || sm_logmgr_checkpoint(mgr) != SM_OK ||
            tm_append(a, NULL, 10, 2, 100, 0) != SM_OK)
            _exit(1);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    tg_open(&c);
    a = sm_logmgr_get(c.mgr, "a", 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(sm_log_end_offset(a), 60);
    ck_assert_int_eq(sm_log_recovery_point(a), 40);   /* from checkpoint */
    ck_assert_int_gt(a->stat_recovered_segments, 0);
    ck_assert_int_lt(a->stat_recovered_segments, a->nsegs);
    tm_check(a, NULL);
    tg_teardown(&c);
}
END_TEST

START_TEST(manager__lock_excludes_second_user)
{
    char err[512];
    sm_logmgr_t *other;
    tg_ctx_t c;

    tg_setup(&c, 1);
    tg_open(&c);
    sm_log_level = -1;
    ck_assert_int_eq(sm_logmgr_open(&c.cfg, &other, err, sizeof(err)),
                     SM_ERR__STATE);
    sm_log_level = SM_LOG_INFO;
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(strstr(err, ".lock"));
    tg_teardown(&c);
}
END_TEST

START_TEST(manager__delete)
{
    sm_log_t *a;
    tg_ctx_t c;
    char *p;

    tg_setup(&c, 1);
    /* a deletion interrupted by a crash is finished at open */
    p = sm_asprintf("%s/old-0.0123456789abcdef0123456789abcdef-delete",
                    c.d[0]);
    ck_assert_int_eq(mkdir(c.d[0], 0755), 0);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    tg_open(&c);
    ck_assert(!tm_exists(p));
    free(p);
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "a", 0, NULL, &a), SM_OK);
    ck_assert_int_eq(tm_append(a, NULL, 20, 2, 100, 0), SM_OK);
    p = tg_file(&c, 0, "a-0");
    ck_assert(tm_exists(p));
    ck_assert_int_eq(sm_logmgr_delete(c.mgr, "a", 0), SM_OK);
    ck_assert(!tm_exists(p));
    free(p);
    ck_assert_ptr_null(sm_logmgr_get(c.mgr, "a", 0));
    ck_assert_int_eq(sm_logmgr_delete(c.mgr, "a", 0),
                     SM_ERR_UNKNOWN_TOPIC_OR_PARTITION);
    /* only the lock and the checkpoint files (recovery point, high
     * watermarks) remain */
    ck_assert_int_eq(tg_count_entries(c.d[0]), 3);
    /* and it can be created again, empty */
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "a", 0, NULL, &a), SM_OK);
    ck_assert_int_eq(sm_log_end_offset(a), 0);
    tg_teardown(&c);
}
END_TEST

START_TEST(manager__ignores_foreign_entries)
{
    tg_ctx_t c;
    char *p;

    tg_setup(&c, 1);
    ck_assert_int_eq(mkdir(c.d[0], 0755), 0);
    p = tg_file(&c, 0, "meta.properties");
    tm_write_file(p, "broker.id=1\n", 12);
    free(p);
    p = tg_file(&c, 0, "notapartition");
    ck_assert_int_eq(mkdir(p, 0755), 0);
    free(p);
    p = tg_file(&c, 0, "file-7");
    tm_write_file(p, "x", 1);
    free(p);
    tg_open(&c);
    ck_assert_ptr_null(sm_logmgr_get(c.mgr, "file", 7));
    tg_teardown(&c);
}
END_TEST

START_TEST(manager__tick_runs_due_tasks)
{
    int64_t now = sm_now_ms();
    sm_log_config_t lc;
    sm_log_t *a, *k;
    tg_ctx_t c;
    char *p;

    tg_setup(&c, 1);
    c.cfg.flush_scheduler_interval_ms = 1000;
    tg_open(&c);
    lc = c.cfg.defaults;
    lc.retention_ms = 60000;
    lc.flush_ms = 5000;
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "a", 0, &lc, &a), SM_OK);
    lc.cleanup_policy = SM_CLEANUP_COMPACT;
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "k", 0, &lc, &k), SM_OK);
    ck_assert_int_eq(tm_append(a, NULL, 20, 2, 100, 1000), SM_OK);
    ck_assert_int_eq(tm_append(k, NULL, 20, 2, 100, 1000), SM_OK);
    ck_assert_int_eq(tm_append(a, NULL, 1, 2, 100, now), SM_OK);
    /* nothing is due yet */
    sm_logmgr_tick(c.mgr, now + 10);
    ck_assert_int_eq(sm_log_start_offset(a), 0);
    ck_assert_int_eq(sm_log_recovery_point(a), 0);
    /* flush due (5 s since the last), not retention (5 min) */
    sm_logmgr_tick(c.mgr, now + 6000);
    ck_assert_int_eq(sm_log_recovery_point(a), 42);
    ck_assert_int_eq(sm_log_start_offset(a), 0);
    /* checkpoint after 60 s, retention after 5 min; compacted logs are
     * left to the cleaner */
    sm_logmgr_tick(c.mgr, now + 301000);
    ck_assert_int_gt(sm_log_start_offset(a), 30);
    ck_assert_int_eq(sm_log_start_offset(k), 0);
    p = tg_file(&c, 0, "recovery-point-offset-checkpoint");
    ck_assert(tm_exists(p));
    free(p);
    tg_teardown(&c);
}
END_TEST

START_TEST(manager__background_thread_flushes)
{
    sm_log_config_t lc;
    sm_log_t *a;
    tg_ctx_t c;
    int i;

    tg_setup(&c, 1);
    c.cfg.background_threads = 1;
    c.cfg.flush_scheduler_interval_ms = 10;
    tg_open(&c);
    lc = c.cfg.defaults;
    lc.flush_ms = 20;
    ck_assert_int_eq(sm_logmgr_create(c.mgr, "a", 0, &lc, &a), SM_OK);
    ck_assert_int_eq(tm_append(a, NULL, 5, 2, 100, 0), SM_OK);
    for (i = 0; i < 500 && sm_log_recovery_point(a) != 10; i++)
        usleep(10000);
    ck_assert_int_eq(sm_log_recovery_point(a), 10);
    tg_teardown(&c);
}
END_TEST

Suite *
sm_test_suite_manager(void)
{
    Suite *s = suite_create("manager");
    TCase *tc = tcase_create("manager");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, manager__create_close_reopen);
    tcase_add_test(tc, manager__high_watermark_checkpoint);
    tcase_add_test(tc, manager__unclean_stop_recovers);
    tcase_add_test(tc, manager__lock_excludes_second_user);
    tcase_add_test(tc, manager__delete);
    tcase_add_test(tc, manager__ignores_foreign_entries);
    tcase_add_test(tc, manager__tick_runs_due_tasks);
    tcase_add_test(tc, manager__background_thread_flushes);
    suite_add_tcase(s, tc);
    return s;
}
