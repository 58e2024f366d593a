/* test_cleaner.c: cleaner.c - compaction semantics, thresholds, the
 * checkpoint, crash safety of the swap, concurrency with appends. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/log_int.h"
#include "log/log_io.h"
#include "log/log_test_util.h"
#include "protocol/records.h"
#include "sm_test.h"

/* ------------------------------------------------------------ scanning */

typedef struct tc_rec {
    int64_t offset;
    char    key[32];
    char    value[64];
    int     tombstone;
} tc_rec_t;

typedef struct tc_scan {
    tc_rec_t *r;
    int       n, cap;
    int       batches, empty_batches;
} tc_scan_t;

static void
tc_scan_batch(tc_scan_t *sc, const sm_batch_t *b)
{
    sm_rec_iter_t it;
    sm_record_t rec;
    int n = 0;

    ck_assert_int_eq(sm_rec_iter_init(&it, b, 1 << 24), SM_OK);
    while (sm_rec_iter_next(&it, &rec)) {
        tc_rec_t *t;
        if (sc->n == sc->cap) {
            sc->cap = sc->cap ? sc->cap * 2 : 256;
            sc->r = realloc(sc->r, (size_t)sc->cap * sizeof(*sc->r));
        }
        t = &sc->r[sc->n++];
        memset(t, 0, sizeof(*t));
        t->offset = rec.offset;
        ck_assert_int_ge(rec.offset, b->base_offset);
        ck_assert_int_le(rec.offset, b->last_offset);
        ck_assert_int_gt(rec.key.len, 0);
        ck_assert_int_lt(rec.key.len, 32);
        memcpy(t->key, rec.key.ptr, (size_t)rec.key.len);
        t->tombstone = rec.value.len < 0;
        if (!t->tombstone) {
            ck_assert_int_lt(rec.value.len, 64);
            memcpy(t->value, rec.value.ptr, (size_t)rec.value.len);
        }
        n++;
    }
    ck_assert_int_eq(it.err, SM_OK);
    sm_rec_iter_fini(&it);
    sc->batches++;
    sc->empty_batches += n == 0;
}

/* Every record of the log, checking batch validity and that offsets
 * increase across the whole log. */
static void
tc_scan(sm_log_t *log, tc_scan_t *sc)
{
    int64_t next = sm_log_start_offset(log), end = sm_log_end_offset(log);
    int64_t prev = -1;

    memset(sc, 0, sizeof(*sc));
    while (next < end) {
        sm_log_slice_t s;
        sm_batch_iter_t it;
        sm_batch_t b;
        uint8_t *p;

        ck_assert_int_eq(sm_log_read(log, next, 1 << 20, INT64_MAX, 1, &s),
                         SM_OK);
        if (s.len == 0)
            break;                      /* only gaps left before the end */
        p = tm_slice_bytes(&s);
        sm_batch_iter_init(&it, p, s.len);
        while (sm_batch_next(&it, &b)) {
            ck_assert_int_eq(sm_batch_validate(&b), SM_OK);
            ck_assert_int_gt(b.base_offset, prev);
            ck_assert_int_ge(b.last_offset, next);
            tc_scan_batch(sc, &b);
            prev = b.last_offset;
            next = b.last_offset + 1;
        }
        ck_assert(!it.partial && it.err == SM_OK);
        free(p);
        sm_log_slice_release(&s);
    }
    for (int i = 1; i < sc->n; i++)
        ck_assert_int_gt(sc->r[i].offset, sc->r[i - 1].offset);
}

static const tc_rec_t *
tc_find_key(const tc_scan_t *sc, const char *key, int *count)
{
    const tc_rec_t *last = NULL;

    *count = 0;
    for (int i = 0; i < sc->n; i++) {
        if (strcmp(sc->r[i].key, key) == 0) {
            last = &sc->r[i];
            (*count)++;
        }
    }
    return last;
}

/* ------------------------------------------------------------ setup */

typedef struct tc_ctx {
    char *tmp, *data;
    const char *dirs[1];
    sm_logmgr_config_t cfg;
    sm_log_config_t lc;
    sm_logmgr_t *mgr;
    sm_log_t *log;
} tc_ctx_t;

static void
tc_setup(tc_ctx_t *c)
{
    memset(c, 0, sizeof(*c));
    c->tmp = sm_test_tmpdir();
    c->data = tm_path(c->tmp, "data");
    c->dirs[0] = c->data;
    sm_logmgr_config_defaults(&c->cfg);
    c->cfg.dirs = c->dirs;
    c->cfg.ndirs = 1;
    c->cfg.background_threads = 0;
    c->cfg.cleaner_dedupe_buffer_size = 1 << 20;
    tm_config(&c->cfg.defaults, 1024, 256, 100);
    c->lc = c->cfg.defaults;
    c->lc.cleanup_policy = SM_CLEANUP_COMPACT;
    c->lc.min_cleanable_dirty_ratio = 0.01;
}

static void
tc_open(tc_ctx_t *c)
{
    char err[512];

    ck_assert_msg(sm_logmgr_open(&c->cfg, &c->mgr, err, sizeof(err)) == SM_OK,
                  "%s", err);
    ck_assert_int_eq(sm_logmgr_create(c->mgr, "c", 0, &c->lc, &c->log),
                     SM_OK);
    sm_log_set_config(c->log, &c->lc);
}

static void
tc_teardown(tc_ctx_t *c)
{
    sm_logmgr_close(c->mgr);
    sm_test_rmtree(c->tmp);
    free(c->data);
    free(c->tmp);
}

/* Append one batch of n records key[i] = value[i] (NULL: tombstone). */
static sm_err_t
tc_put(sm_log_t *log, const char *const *keys, const char *const *values,
       int n, int64_t ts)
{
    sm_buf_t b = SM_BUF_INIT;
    tb_rec_t recs[16];
    sm_err_t err;

    for (int i = 0; i < n; i++) {
        recs[i].key = keys[i];
        recs[i].value = values[i];
        recs[i].ts = ts;
    }
    tb_batch_recs(&b, 0, recs, n);
    err = sm_log_append(log, b.data, b.len, 0, -1, NULL, NULL);
    sm_buf_fini(&b);
    return err;
}

static void
tc_put1(sm_log_t *log, const char *key, const char *value, int64_t ts)
{
    ck_assert_int_eq(tc_put(log, &key, &value, 1, ts), SM_OK);
}

static int64_t
tc_active_base(sm_log_t *log)
{
    int64_t b;

    pthread_mutex_lock(&log->lock);
    b = sm_log_active(log)->base_offset;
    pthread_mutex_unlock(&log->lock);
    return b;
}

/* ------------------------------------------------------------ tests */

START_TEST(cleaner__keeps_latest_per_key)
{
    char k[16], v[32];
    int64_t fu, latest_off[10];
    char latest_val[10][32];
    tc_scan_t before, after;
    tc_ctx_t c;

    tc_setup(&c);
    tc_open(&c);
    for (int i = 0; i < 120; i++) {
        snprintf(k, sizeof(k), "k%d", i % 10);
        snprintf(v, sizeof(v), "value-%d", i);
        tc_put1(c.log, k, v, 1000 + i);
    }
    ck_assert_int_gt(sm_log_segment_count(c.log), 5);
    fu = tc_active_base(c.log);
    tc_scan(c.log, &before);
    /* the expected survivor of each key below the active segment */
    for (int j = 0; j < 10; j++)
        latest_off[j] = -1;
    for (int i = 0; i < before.n; i++) {
        int j = atoi(before.r[i].key + 1);
        if (before.r[i].offset < fu) {
            latest_off[j] = before.r[i].offset;
            strcpy(latest_val[j], before.r[i].value);
        }
    }
    sm_logmgr_tick(c.mgr, sm_now_ms());
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    ck_assert_int_eq(c.log->cleaner_offset, fu);
    tc_scan(c.log, &after);
    for (int i = 0; i < after.n; i++) {
        int j = atoi(after.r[i].key + 1);
        if (after.r[i].offset >= fu)
            continue;
        ck_assert_int_eq(after.r[i].offset, latest_off[j]);
        ck_assert_str_eq(after.r[i].value, latest_val[j]);
    }
    /* the active segment is untouched; the log end does not move */
    {
        int nb = 0, na = 0;
        for (int i = 0; i < before.n; i++)
            nb += before.r[i].offset >= fu;
        for (int i = 0; i < after.n; i++)
            na += after.r[i].offset >= fu;
        ck_assert_int_eq(na, nb);
        ck_assert_int_eq(after.n - na, 10);
    }
    ck_assert_int_eq(sm_log_end_offset(c.log), 120);
    ck_assert_int_lt(sm_log_size_bytes(c.log), 120 * 80);
    /* any offset reads back, a gap from the next batch on */
    for (int64_t o = 0; o < 120; o++) {
        sm_log_slice_t s;
        uint8_t *p;
        ck_assert_int_eq(sm_log_read(c.log, o, 1, INT64_MAX, 1, &s), SM_OK);
        ck_assert_uint_gt(s.len, 0);
        p = tm_slice_bytes(&s);
        ck_assert_int_ge(tb_last(p), o);
        free(p);
        sm_log_slice_release(&s);
    }
    /* no leftovers from the swap */
    {
        char **names;
        int n;
        ck_assert_int_eq(sm_io_listdir(c.log->dir, &names, &n), SM_OK);
        for (int i = 0; i < n; i++) {
            ck_assert(!sm_log_name_has_suffix(names[i], ".cleaned"));
            ck_assert(!sm_log_name_has_suffix(names[i], ".swap"));
        }
        sm_io_names_free(names, n);
    }
    /* nothing dirty left: the next pass does nothing */
    sm_logmgr_tick(c.mgr, sm_now_ms());
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    free(before.r);
    free(after.r);
    tc_teardown(&c);
}
END_TEST

static void
tc_set_mtime(sm_segment_t *seg, int64_t ms)
{
    struct timespec ts[2] = {
        { 0, UTIME_OMIT }, { ms / 1000, (ms % 1000) * 1000000 }
    };
    ck_assert_int_eq(utimensat(AT_FDCWD, seg->log_path, ts, 0), 0);
}

START_TEST(cleaner__tombstones_expire_after_delete_retention)
{
    int64_t now = sm_now_ms(), day = 24LL * 3600 * 1000;
    const tc_rec_t *r;
    char k[16], v[64];
    tc_scan_t sc;
    tc_ctx_t c;
    int n, tomb_seg = -1;

    tc_setup(&c);
    c.lc.delete_retention_ms = day;
    tc_open(&c);
    tc_put1(c.log, "a", "a1", now);
    tc_put1(c.log, "b", "b1", now);
    tc_put1(c.log, "b", NULL, now);            /* b deleted */
    for (int i = 0; i < 60; i++) {             /* unique keys after it */
        snprintf(k, sizeof(k), "f%d", i);
        snprintf(v, sizeof(v), "%040d", i);
        tc_put1(c.log, k, v, now);
    }
    sm_logmgr_tick(c.mgr, now);
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    tc_scan(c.log, &sc);
    /* first cleaning: b's value is gone, its tombstone stays */
    r = tc_find_key(&sc, "b", &n);
    ck_assert_int_eq(n, 1);
    ck_assert(r->tombstone);
    ck_assert_ptr_nonnull(tc_find_key(&sc, "a", &n));
    free(sc.r);

    /* age every clean segment except the last clean one, so the
     * tombstone's segment is older than the horizon (Kafka 2.x: last clean
     * segment's mtime - delete.retention.ms) */
    pthread_mutex_lock(&c.log->lock);
    for (int i = 0; i + 1 < c.log->nsegs; i++) {
        if (c.log->segs[i + 1]->base_offset > c.log->cleaner_offset - 1)
            break;
        tc_set_mtime(c.log->segs[i], now - 10 * day);
        if (c.log->segs[i]->base_offset <= 2)
            tomb_seg = i;
    }
    pthread_mutex_unlock(&c.log->lock);
    ck_assert_int_eq(tomb_seg, 0);
    /* new dirty data, so the cleaner runs again */
    for (int i = 0; i < 20; i++)
        tc_put1(c.log, "a", "a2", now);
    sm_logmgr_tick(c.mgr, now);
    ck_assert_int_eq(c.log->stat_cleanings, 2);
    tc_scan(c.log, &sc);
    ck_assert_ptr_null(tc_find_key(&sc, "b", &n));   /* tombstone gone */
    ck_assert_int_eq(n, 0);
    r = tc_find_key(&sc, "a", &n);
    ck_assert_str_eq(r->value, "a2");
    ck_assert_ptr_nonnull(tc_find_key(&sc, "f59", &n));
    free(sc.r);
    tc_teardown(&c);
}
END_TEST

START_TEST(cleaner__thresholds)
{
    int64_t now = sm_now_ms();
    char k[16];
    tc_ctx_t c;

    tc_setup(&c);
    tc_open(&c);
    /* a first cleaning makes a large clean part (unique keys) */
    for (int i = 0; i < 40; i++) {
        snprintf(k, sizeof(k), "u%d", i);
        tc_put1(c.log, k, "xxxxxxxxxxxxxxxxxxxx", now);
    }
    sm_logmgr_tick(c.mgr, now);
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    /* dirty ratio below min.cleanable.dirty.ratio: nothing */
    c.lc.min_cleanable_dirty_ratio = 0.5;
    sm_log_set_config(c.log, &c.lc);
    for (int i = 0; i < 12; i++)
        tc_put1(c.log, "same", "xxxxxxxxxxxxxxxxxxxx", now);
    sm_logmgr_tick(c.mgr, now);
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    /* min.compaction.lag.ms holds back young segments */
    c.lc.min_cleanable_dirty_ratio = 0.01;
    c.lc.min_compaction_lag_ms = 3600 * 1000;
    sm_log_set_config(c.log, &c.lc);
    sm_logmgr_tick(c.mgr, now);
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    sm_logmgr_tick(c.mgr, now + 3601 * 1000);
    ck_assert_int_eq(c.log->stat_cleanings, 2);
    /* max.compaction.lag.ms forces cleaning below the ratio */
    c.lc.min_cleanable_dirty_ratio = 0.99;
    c.lc.min_compaction_lag_ms = 0;
    c.lc.max_compaction_lag_ms = 1000;
    sm_log_set_config(c.log, &c.lc);
    for (int i = 0; i < 12; i++)
        tc_put1(c.log, "same", "yyyyyyyyyyyyyyyyyyyy", now);
    sm_logmgr_tick(c.mgr, now + 500);
    ck_assert_int_eq(c.log->stat_cleanings, 2);
    sm_logmgr_tick(c.mgr, now + 2000);
    ck_assert_int_eq(c.log->stat_cleanings, 3);
    tc_teardown(&c);
}
END_TEST

START_TEST(cleaner__checkpoint_and_reopen)
{
    unsigned char *raw;
    char want[64], *p;
    size_t len;
    int64_t end;
    tc_ctx_t c;

    tc_setup(&c);
    tc_open(&c);
    for (int i = 0; i < 50; i++)
        tc_put1(c.log, i % 2 ? "x" : "y", "v", 1000);
    sm_logmgr_tick(c.mgr, sm_now_ms());
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    end = c.log->cleaner_offset;
    p = tm_path(c.data, "cleaner-offset-checkpoint");
    raw = sm_test_slurp(p, &len);
    snprintf(want, sizeof(want), "0\n1\nc 0 %lld\n", (long long)end);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert(memcmp(raw, want, len) == 0);
    free(raw);
    sm_logmgr_close(c.mgr);
    /* reopened: the cleaner continues from the checkpoint */
    ck_assert_int_eq(sm_logmgr_open(&c.cfg, &c.mgr, want, sizeof(want)),
                     SM_OK);
    c.log = sm_logmgr_get(c.mgr, "c", 0);
    sm_log_set_config(c.log, &c.lc);
    ck_assert_int_eq(c.log->cleaner_offset, end);
    sm_logmgr_tick(c.mgr, sm_now_ms());
    ck_assert_int_eq(c.log->stat_cleanings, 0);
    /* deleting the log drops it from the checkpoint */
    ck_assert_int_eq(sm_logmgr_delete(c.mgr, "c", 0), SM_OK);
    raw = sm_test_slurp(p, &len);
    ck_assert(len == 4 && memcmp(raw, "0\n0\n", 4) == 0);
    free(raw);
    free(p);
    tc_teardown(&c);
}
END_TEST

START_TEST(cleaner__compact_delete_applies_retention)
{
    int64_t now = sm_now_ms();
    char k[16];
    tc_ctx_t c;

    tc_setup(&c);
    c.lc.cleanup_policy = SM_CLEANUP_COMPACT | SM_CLEANUP_DELETE;
    c.lc.retention_ms = 60000;
    tc_open(&c);
    for (int i = 0; i < 40; i++) {
        snprintf(k, sizeof(k), "u%d", i);          /* nothing to compact */
        tc_put1(c.log, k, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvv", 1000);
    }
    tc_put1(c.log, "new", "v", now);
    sm_logmgr_tick(c.mgr, now);
    /* everything but the segment with the fresh record expired */
    ck_assert_int_ge(sm_log_start_offset(c.log), 30);
    tc_teardown(&c);
}
END_TEST

START_TEST(cleaner__control_batches_kept)
{
    sm_buf_t b = SM_BUF_INIT;
    tc_scan_t sc;
    tc_ctx_t c;
    size_t pos;
    int n;

    tc_setup(&c);
    tc_open(&c);
    /* a control batch (transaction marker) survives whole */
    {
        tb_rec_t r = { "ctrl", "marker", 1000 };
        pos = tb_batch_recs(&b, 0, &r, 1);
        b.data[pos + SM_BATCH_OFF_ATTRIBUTES + 1] |= SM_ATTR_CONTROL;
        tb_fix_crc(b.data + pos, b.len - pos);
        ck_assert_int_eq(sm_log_append(c.log, b.data, b.len, 0, -1, NULL,
                                       NULL), SM_OK);
    }
    for (int i = 0; i < 40; i++)
        tc_put1(c.log, "dup", "vvvvvvvvvvvvvvvvvvvv", 1000);
    sm_logmgr_tick(c.mgr, sm_now_ms());
    ck_assert_int_eq(c.log->stat_cleanings, 1);
    {
        sm_log_slice_t s;
        uint8_t *p;
        ck_assert_int_eq(sm_log_read(c.log, 0, 1, INT64_MAX, 1, &s), SM_OK);
        p = tm_slice_bytes(&s);
        ck_assert_uint_eq(s.len, b.len);
        ck_assert(memcmp(p, b.data, b.len) == 0);
        free(p);
        sm_log_slice_release(&s);
    }
    tc_scan(c.log, &sc);
    ck_assert_ptr_nonnull(tc_find_key(&sc, "dup", &n));
    ck_assert_int_lt(n, 40);
    free(sc.r);
    sm_buf_fini(&b);
    tc_teardown(&c);
}
END_TEST

/* ------------------------------------------------------------ crashes */

typedef struct tcw_run {
    char *root, *data;
    tm_model_t m;
} tcw_run_t;

static void
tcw_cfg(tcw_run_t *r, sm_logmgr_config_t *cfg, const char **dirs,
        sm_log_config_t *lc)
{
    sm_logmgr_config_defaults(cfg);
    dirs[0] = r->data;
    cfg->dirs = dirs;
    cfg->ndirs = 1;
    cfg->background_threads = 0;
    cfg->cleaner_dedupe_buffer_size = 1 << 16;
    tm_config(&cfg->defaults, 700, 96, 100);
    cfg->defaults.cleanup_policy = SM_CLEANUP_COMPACT;
    cfg->defaults.min_cleanable_dirty_ratio = 0.01;
    *lc = cfg->defaults;
}

static void
tcw_append(tcw_run_t *r, sm_log_t *log, int i)
{
    sm_buf_t b = SM_BUF_INIT;
    char key[16], val[32];
    tb_rec_t rec = { key, val, 1000 + i };

    snprintf(key, sizeof(key), "k%d", i % 7);
    snprintf(val, sizeof(val), "value-%04d", i);
    tb_batch_recs(&b, 0, &rec, 1);
    if (sm_log_append(log, b.data, b.len, 0, -1, NULL, NULL) == SM_OK)
        tm_add(&r->m, b.data, b.len);
    sm_buf_fini(&b);
}

static void
tcw_flush(tcw_run_t *r, sm_log_t *log)
{
    if (sm_log_flush(log) == SM_OK)
        r->m.flushed_end = sm_log_end_offset(log);
}

/* Appends, flushes and two cleanings, then a clean close. */
static void
tcw_workload(tcw_run_t *r)
{
    const char *dirs[1];
    sm_logmgr_config_t cfg;
    sm_log_config_t lc;
    sm_logmgr_t *mgr;
    sm_log_t *log;
    char err[512];

    tcw_cfg(r, &cfg, dirs, &lc);
    if (sm_logmgr_open(&cfg, &mgr, err, sizeof(err)) != SM_OK)
        return;
    if (sm_logmgr_create(mgr, "w", 0, &lc, &log) == SM_OK) {
        for (int i = 0; i < 30; i++)
            tcw_append(r, log, i);
        tcw_flush(r, log);
        sm_logmgr_tick(mgr, sm_now_ms());
        for (int i = 30; i < 50; i++)
            tcw_append(r, log, i);
        tcw_flush(r, log);
        sm_logmgr_tick(mgr, sm_now_ms());
    }
    sm_logmgr_close(mgr);
}

/* After any crash: the log is valid, and the newest flushed record of
 * every key is there (or a newer acknowledged one). */
static void
tcw_verify(tcw_run_t *r)
{
    const char *dirs[1];
    sm_logmgr_config_t cfg;
    sm_log_config_t lc;
    sm_logmgr_t *mgr;
    sm_log_t *log;
    char err[512], key[16];
    tc_scan_t sc;

    tcw_cfg(r, &cfg, dirs, &lc);
    cfg.cleaner_enable = 0;
    ck_assert_msg(sm_logmgr_open(&cfg, &mgr, err, sizeof(err)) == SM_OK,
                  "%s", err);
    log = sm_logmgr_get(mgr, "w", 0);
    if (log == NULL) {
        ck_assert_int_eq(r->m.flushed_end, 0);
        sm_logmgr_close(mgr);
        return;
    }
    ck_assert_int_ge(sm_log_end_offset(log), r->m.flushed_end);
    tc_scan(log, &sc);
    for (int k = 0; k < 7; k++) {
        int64_t want = -1;
        const tc_rec_t *got;
        int n;

        snprintf(key, sizeof(key), "k%d", k);
        for (int i = 0; i < r->m.n; i++)
            if (r->m.b[i].base < r->m.flushed_end && r->m.b[i].base % 7 == k)
                want = r->m.b[i].base;
        got = tc_find_key(&sc, key, &n);
        if (want < 0)
            continue;
        ck_assert_msg(got != NULL && got->offset >= want,
                      "key %s: flushed offset %lld lost", key,
                      (long long)want);
    }
    free(sc.r);
    sm_logmgr_close(mgr);
}

START_TEST(cleaner__crash_at_every_fsync)
{
    long total = 0, n;
    int saved = sm_log_level;
    tcw_run_t r;

    for (n = 0;; n++) {
        memset(&r, 0, sizeof(r));
        r.root = sm_test_tmpdir();
        r.data = tm_path(r.root, "data");
        tm_init(&r.m);
        ffs_install(r.root);
        if (n > 0)
            ffs_crash_at_fsync(n);
        sm_log_level = n > 0 ? -1 : saved;
        tcw_workload(&r);
        if (n == 0) {
            total = ffs_calls(FFS_FSYNC);
            ck_assert_int_gt(total, 10);
            ck_assert_int_eq(r.m.n, 50);
        } else {
            ck_assert(ffs_crashed());
        }
        ffs_uninstall();
        sm_log_level = saved;
        tcw_verify(&r);
        tm_fini(&r.m);
        sm_test_rmtree(r.root);
        free(r.data);
        free(r.root);
        if (n == total)
            break;
    }
}
END_TEST

/* ------------------------------------------------------------ threads */

START_TEST(cleaner__threads_clean_while_appending)
{
    char k[16], v[32];
    tc_scan_t sc;
    tc_ctx_t c;
    int i, n;

    tc_setup(&c);
    c.cfg.background_threads = 1;
    c.cfg.cleaner_threads = 2;
    c.cfg.cleaner_backoff_ms = 5;
    tc_open(&c);
    for (i = 0; i < 3000; i++) {
        snprintf(k, sizeof(k), "k%d", i % 13);
        snprintf(v, sizeof(v), "value-%d", i);
        tc_put1(c.log, k, v, 1000 + i);
        if (i % 500 == 0)
            usleep(20000);
    }
    for (i = 0; i < 500 && c.log->stat_cleanings < 3; i++)
        usleep(10000);
    ck_assert_int_ge(c.log->stat_cleanings, 1);
    tc_scan(c.log, &sc);
    for (int j = 0; j < 13; j++) {
        const tc_rec_t *r;
        snprintf(k, sizeof(k), "k%d", j);
        r = tc_find_key(&sc, k, &n);
        ck_assert_ptr_nonnull(r);
        for (i = 2999; i % 13 != j; i--)
            ;
        snprintf(v, sizeof(v), "value-%d", i);
        ck_assert_str_eq(r->value, v);
    }
    ck_assert_int_lt(sc.n, 3000);
    free(sc.r);
    tc_teardown(&c);
}
END_TEST

Suite *
sm_test_suite_cleaner(void)
{
    Suite *s = suite_create("cleaner");
    TCase *tc = tcase_create("cleaner");

    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, cleaner__keeps_latest_per_key);
    tcase_add_test(tc, cleaner__tombstones_expire_after_delete_retention);
    tcase_add_test(tc, cleaner__thresholds);
    tcase_add_test(tc, cleaner__checkpoint_and_reopen);
    tcase_add_test(tc, cleaner__compact_delete_applies_retention);
    tcase_add_test(tc, cleaner__control_batches_kept);
    tcase_add_test(tc, cleaner__crash_at_every_fsync);
    tcase_add_test(tc, cleaner__threads_clean_while_appending);
    suite_add_tcase(s, tc);
    return s;
}
