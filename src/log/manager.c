/*
 * manager.c: the log manager - Kafka's LogManager: every partition log of
 * every log dir, the per-dir lock and checkpoint files, the clean-shutdown
 * marker, log creation and deletion, and the background scheduler that
 * applies retention, flushes by time and writes the checkpoints.
 *
 * A LOG DIR holds:
 *   .lock                             flock + fcntl lock while we run
 *   .kafka_cleanshutdown              present only after a clean stop
 *                                     (empty, as Kafka 2.x writes it)
 *   recovery-point-offset-checkpoint  checkpoint.c format
 *   log-start-offset-checkpoint       only logs whose start offset is
 *                                     above their first segment's base
 *   cleaner-offset-checkpoint         cleaner.c
 *   replication-offset-checkpoint     high watermarks of the logs the
 *                                     replica layer set one for (Kafka's
 *                                     ReplicaManager writes it; here the
 *                                     manager does, every
 *                                     hw_checkpoint_interval_ms and at
 *                                     every full checkpoint)
 *   <topic>-<partition>/              one log (log.c)
 *   <topic>-<partition>.<32 hex>-delete/   a log being deleted
 *
 * THREADS AND LOCKS.  Any thread may call any sm_logmgr_* function.
 *   admin_lock  serialises create and delete (directory surgery);
 *   ckpt_lock   serialises writers of the checkpoint files;
 *   lock        guards the map of logs and the per-dir counts, and is
 *               held only for map lookups and updates, never across I/O.
 * Lock order: admin_lock -> ckpt_lock -> lock -> log->lock.  Work on many
 * logs (tick, checkpoint, close) first snapshots them under `lock`,
 * taking a reference on each, and then works with no manager lock held.
 *
 * The background thread (started when background_threads > 0) sleeps on a
 * monotonic condition variable and runs sm_logmgr_tick(); each task runs
 * when its interval has elapsed since it last ran.  Tests run with no
 * thread and call sm_logmgr_tick() with the time they want.
 *
 * sm_logmgr_get() returns a borrowed pointer: it stays valid until
 * sm_logmgr_delete() or sm_logmgr_close() for that partition, which the
 * caller (the replica manager) must not race with its own use of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/cleaner.h"
#include "log/log_int.h"
#include "log/log_io.h"

typedef struct sm_logmgr_ent {
    struct sm_logmgr_ent *next;
    char      *topic;
    int32_t    partition;
    int        dir;
    sm_log_t  *log;
} sm_logmgr_ent_t;

typedef struct sm_logmgr_dir {
    char *path;
    int   lock_fd;
    int   had_clean;          /* marker found at open */
    int   nlogs;
} sm_logmgr_dir_t;

struct sm_logmgr {
    pthread_mutex_t   lock;
    pthread_mutex_t   admin_lock;
    pthread_mutex_t   ckpt_lock;
    pthread_cond_t    cond;
    pthread_t         thread;
    int               thread_running;
    int               stop;
    sm_logmgr_config_t cfg;
    sm_logmgr_dir_t  *dirs;
    int               ndirs;
    sm_logmgr_ent_t **buckets;
    int               nbuckets;
    int               nlogs;
    int64_t           last_retention_ms;
    int64_t           last_flush_ms;
    int64_t           last_ckpt_ms;
    int64_t           last_hw_ckpt_ms;
    sm_cleaner_t     *cleaner;
};

/* A snapshot of the logs, each with a reference held. */
typedef struct sm_logmgr_snap {
    sm_log_t **logs;
    int       *dirs;
    int        n;
} sm_logmgr_snap_t;

void
sm_logmgr_config_defaults(sm_logmgr_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    sm_log_config_defaults(&cfg->defaults);
    cfg->retention_check_interval_ms = 300000;
    cfg->flush_scheduler_interval_ms = INT64_MAX;
    cfg->flush_offset_checkpoint_interval_ms = 60000;
    cfg->hw_checkpoint_interval_ms = 5000;
    cfg->cleaner_enable = 1;
    cfg->cleaner_threads = 1;
    cfg->cleaner_backoff_ms = 15000;
    cfg->cleaner_dedupe_buffer_size = 128LL * 1024 * 1024;
    cfg->recovery_threads_per_dir = 1;
    cfg->background_threads = 10;
}

/* ---------------------------------------------------------- the map */

static uint32_t
sm_logmgr_hash(const char *topic, int32_t partition)
{
    uint32_t h = 2166136261u;

    for (const char *p = topic; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return (h ^ (uint32_t)partition) * 16777619u;
}

static sm_logmgr_ent_t **
sm_logmgr_slot(sm_logmgr_t *mgr, const char *topic, int32_t partition)
{
    sm_logmgr_ent_t **pp;

    pp = &mgr->buckets[sm_logmgr_hash(topic, partition) %
                       (uint32_t)mgr->nbuckets];
    for (; *pp != NULL; pp = &(*pp)->next)
        if ((*pp)->partition == partition && strcmp((*pp)->topic, topic) == 0)
            break;
    return pp;
}

static void
sm_logmgr_grow(sm_logmgr_t *mgr)
{
    int n = mgr->nbuckets ? mgr->nbuckets * 2 : 64;
    sm_logmgr_ent_t **b = sm_calloc((size_t)n, sizeof(*b));

    for (int i = 0; i < mgr->nbuckets; i++) {
        sm_logmgr_ent_t *e = mgr->buckets[i], *next;
        for (; e != NULL; e = next) {
            uint32_t h = sm_logmgr_hash(e->topic, e->partition) % (uint32_t)n;
            next = e->next;
            e->next = b[h];
            b[h] = e;
        }
    }
    sm_free(mgr->buckets);
    mgr->buckets = b;
    mgr->nbuckets = n;
}

/* Under mgr->lock.  Takes over the caller's reference on log. */
static void
sm_logmgr_insert(sm_logmgr_t *mgr, const char *topic, int32_t partition,
                 int dir, sm_log_t *log)
{
    sm_logmgr_ent_t *e = sm_calloc(1, sizeof(*e)), **pp;

    if (mgr->nlogs >= mgr->nbuckets)
        sm_logmgr_grow(mgr);
    pp = sm_logmgr_slot(mgr, topic, partition);
    sm_assert(*pp == NULL);
    e->topic = sm_strdup(topic);
    e->partition = partition;
    e->dir = dir;
    e->log = log;
    *pp = e;
    mgr->nlogs++;
    mgr->dirs[dir].nlogs++;
}

static void
sm_logmgr_snapshot(sm_logmgr_t *mgr, sm_logmgr_snap_t *snap)
{
    int n = 0;

    pthread_mutex_lock(&mgr->lock);
    snap->logs = sm_malloc((size_t)(mgr->nlogs + 1) * sizeof(*snap->logs));
    snap->dirs = sm_malloc((size_t)(mgr->nlogs + 1) * sizeof(*snap->dirs));
    for (int i = 0; i < mgr->nbuckets; i++) {
        for (sm_logmgr_ent_t *e = mgr->buckets[i]; e; e = e->next) {
            sm_log_keep(e->log);
            snap->logs[n] = e->log;
            snap->dirs[n++] = e->dir;
        }
    }
    snap->n = n;
    pthread_mutex_unlock(&mgr->lock);
}

static void
sm_logmgr_snap_free(sm_logmgr_snap_t *snap)
{
    for (int i = 0; i < snap->n; i++)
        sm_log_release(snap->logs[i]);
    sm_free(snap->logs);
    sm_free(snap->dirs);
}

sm_log_t *
sm_logmgr_get(sm_logmgr_t *mgr, const char *topic, int32_t partition)
{
    sm_logmgr_ent_t *e;

    pthread_mutex_lock(&mgr->lock);
    e = mgr->nbuckets ? *sm_logmgr_slot(mgr, topic, partition) : NULL;
    pthread_mutex_unlock(&mgr->lock);
    return e ? e->log : NULL;
}

/* ---------------------------------------------------------- checkpoints */

static sm_err_t
sm_logmgr_write_ckpt(sm_logmgr_t *mgr, int d, const char *name,
                     const sm_ckpt_entry_t *ents, int n)
{
    char *path = sm_asprintf("%s/%s", mgr->dirs[d].path, name);
    sm_err_t err = sm_ckpt_write(path, ents, n);

    sm_free(path);
    return err;
}

/* Write replication-offset-checkpoint of dir d: logs with a high
 * watermark set.  ckpt_lock held. */
static sm_err_t
sm_logmgr_hw_dir(sm_logmgr_t *mgr, const sm_logmgr_snap_t *snap, int d)
{
    sm_ckpt_entry_t *hw = sm_calloc((size_t)snap->n + 1, sizeof(*hw));
    int n = 0;
    int64_t v;
    sm_err_t err;

    for (int i = 0; i < snap->n; i++) {
        if (snap->dirs[i] != d)
            continue;
        v = sm_log_replica_hw(snap->logs[i]);
        if (v >= 0)
            hw[n++] = (sm_ckpt_entry_t){ snap->logs[i]->topic,
                                         snap->logs[i]->partition, v };
    }
    err = sm_logmgr_write_ckpt(mgr, d, SM_REPLICATION_CKPT, hw, n);
    sm_free(hw);
    return err;
}

sm_err_t
sm_logmgr_checkpoint_hw(sm_logmgr_t *mgr)
{
    sm_logmgr_snap_t snap;
    sm_err_t err, first_err = SM_OK;

    pthread_mutex_lock(&mgr->ckpt_lock);
    sm_logmgr_snapshot(mgr, &snap);
    for (int d = 0; d < mgr->ndirs; d++) {
        err = sm_logmgr_hw_dir(mgr, &snap, d);
        if (err != SM_OK && first_err == SM_OK)
            first_err = err;
    }
    sm_logmgr_snap_free(&snap);
    pthread_mutex_unlock(&mgr->ckpt_lock);
    return first_err;
}

/* Write both checkpoints of dir d from the logs' current values.  With
 * shutdown set, each log is flushed and closed first (sm_log_shutdown)
 * and *clean tells whether all of them closed without error. */
static sm_err_t
sm_logmgr_ckpt_dir(sm_logmgr_t *mgr, const sm_logmgr_snap_t *snap, int d,
                   int shutdown, int *clean)
{
    sm_ckpt_entry_t *rp = sm_calloc((size_t)snap->n + 1, sizeof(*rp));
    sm_ckpt_entry_t *lso = sm_calloc((size_t)snap->n + 1, sizeof(*lso));
    int nrp = 0, nlso = 0;
    sm_err_t err, first_err = sm_logmgr_hw_dir(mgr, snap, d);

    for (int i = 0; i < snap->n; i++) {
        sm_log_t *log = snap->logs[i];
        int64_t r, s, base;

        if (snap->dirs[i] != d)
            continue;
        if (shutdown) {
            if (sm_log_shutdown(log, &r, &s, &base) != SM_OK)
                *clean = 0;
        } else {
            pthread_mutex_lock(&log->lock);
            r = log->recovery_point;
            s = log->start_offset;
            base = log->nsegs > 0 ? log->segs[0]->base_offset : 0;
            pthread_mutex_unlock(&log->lock);
        }
        rp[nrp++] = (sm_ckpt_entry_t){ log->topic, log->partition, r };
        if (s > base)
            lso[nlso++] = (sm_ckpt_entry_t){ log->topic, log->partition, s };
    }
    err = sm_logmgr_write_ckpt(mgr, d, SM_RECOVERY_POINT_CKPT, rp, nrp);
    if (err != SM_OK)
        first_err = err;
    err = sm_logmgr_write_ckpt(mgr, d, SM_LOG_START_CKPT, lso, nlso);
    if (err != SM_OK && first_err == SM_OK)
        first_err = err;
    sm_free(rp);
    sm_free(lso);
    return first_err;
}

sm_err_t
sm_logmgr_checkpoint(sm_logmgr_t *mgr)
{
    sm_logmgr_snap_t snap;
    sm_err_t err, first_err = SM_OK;

    pthread_mutex_lock(&mgr->ckpt_lock);
    sm_logmgr_snapshot(mgr, &snap);
    for (int d = 0; d < mgr->ndirs; d++) {
        err = sm_logmgr_ckpt_dir(mgr, &snap, d, 0, NULL);
        if (err != SM_OK && first_err == SM_OK)
            first_err = err;
    }
    sm_logmgr_snap_free(&snap);
    pthread_mutex_unlock(&mgr->ckpt_lock);
    return first_err;
}

/* ---------------------------------------------------------- tick */

static void
sm_logmgr_retention(sm_logmgr_t *mgr, const sm_logmgr_snap_t *snap,
                    int64_t now)
{
    sm_log_config_t cfg;
    int deleted;

    for (int i = 0; i < snap->n; i++) {
        sm_log_get_config(snap->logs[i], &cfg);
        /* compacted logs are the cleaner's (Kafka's cleanupLogs) */
        if (cfg.cleanup_policy & SM_CLEANUP_COMPACT)
            continue;
        if (sm_log_apply_retention(snap->logs[i], now, &deleted) == SM_OK &&
            deleted > 0)
            sm_info("log", "%s: retention deleted %d segments",
                    sm_log_dir(snap->logs[i]), deleted);
    }
}

static void
sm_logmgr_flush_dirty(const sm_logmgr_snap_t *snap, int64_t now)
{
    for (int i = 0; i < snap->n; i++) {
        sm_log_t *log = snap->logs[i];
        int64_t last, flush_ms;

        pthread_mutex_lock(&log->lock);
        last = log->last_flush_ms;
        flush_ms = log->cfg.flush_ms;
        pthread_mutex_unlock(&log->lock);
        if (now - last >= flush_ms)
            sm_log_flush(log);
    }
}

static int
sm_logmgr_due(int64_t now, int64_t *last, int64_t interval)
{
    if (interval == INT64_MAX || now - *last < interval)
        return 0;
    *last = now;
    return 1;
}

void
sm_logmgr_tick(sm_logmgr_t *mgr, int64_t now_ms)
{
    sm_logmgr_snap_t snap;
    int retention, flush, ckpt, hw;

    pthread_mutex_lock(&mgr->lock);
    retention = sm_logmgr_due(now_ms, &mgr->last_retention_ms,
                              mgr->cfg.retention_check_interval_ms);
    flush = sm_logmgr_due(now_ms, &mgr->last_flush_ms,
                          mgr->cfg.flush_scheduler_interval_ms);
    ckpt = sm_logmgr_due(now_ms, &mgr->last_ckpt_ms,
                         mgr->cfg.flush_offset_checkpoint_interval_ms);
    hw = sm_logmgr_due(now_ms, &mgr->last_hw_ckpt_ms,
                       mgr->cfg.hw_checkpoint_interval_ms);
    pthread_mutex_unlock(&mgr->lock);
    if (retention || flush) {
        sm_logmgr_snapshot(mgr, &snap);
        if (retention)
            sm_logmgr_retention(mgr, &snap, now_ms);
        if (flush)
            sm_logmgr_flush_dirty(&snap, now_ms);
        sm_logmgr_snap_free(&snap);
    }
    if (ckpt)
        sm_logmgr_checkpoint(mgr);
    else if (hw)
        sm_logmgr_checkpoint_hw(mgr);
    if (mgr->cleaner != NULL)
        sm_cleaner_tick(mgr->cleaner, now_ms);
}

static int64_t
sm_logmgr_wait_ms(const sm_logmgr_config_t *cfg)
{
    int64_t w = cfg->retention_check_interval_ms;

    if (cfg->flush_scheduler_interval_ms < w)
        w = cfg->flush_scheduler_interval_ms;
    if (cfg->flush_offset_checkpoint_interval_ms < w)
        w = cfg->flush_offset_checkpoint_interval_ms;
    if (cfg->hw_checkpoint_interval_ms > 0 &&
        cfg->hw_checkpoint_interval_ms < w)
        w = cfg->hw_checkpoint_interval_ms;
    if (cfg->cleaner_enable && cfg->cleaner_backoff_ms < w)
        w = cfg->cleaner_backoff_ms;
    return w < 10 ? 10 : w > 1000 ? 1000 : w;
}

static void *
sm_logmgr_main(void *arg)
{
    sm_logmgr_t *mgr = arg;
    int64_t wait = sm_logmgr_wait_ms(&mgr->cfg);
    struct timespec ts;

    pthread_mutex_lock(&mgr->lock);
    while (!mgr->stop) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (wait % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&mgr->cond, &mgr->lock, &ts);
        if (mgr->stop)
            break;
        pthread_mutex_unlock(&mgr->lock);
        sm_logmgr_tick(mgr, sm_now_ms());
        pthread_mutex_lock(&mgr->lock);
    }
    pthread_mutex_unlock(&mgr->lock);
    return NULL;
}

/* ---------------------------------------------------------- open */

/* "<topic>-<partition>": 1 and the parts, or 0. */
static int
sm_logmgr_parse_name(const char *name, char **topic, int32_t *partition)
{
    const char *dash = strrchr(name, '-');
    int64_t p = 0;

    if (dash == NULL || dash == name || dash[1] == '\0' ||
        strlen(dash + 1) > 10)
        return 0;
    for (const char *c = dash + 1; *c; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        p = p * 10 + (*c - '0');
    }
    if (p > INT32_MAX)
        return 0;
    *topic = sm_strndup(name, (size_t)(dash - name));
    *partition = (int32_t)p;
    return 1;
}

static sm_err_t
sm_logmgr_lock_dir(sm_logmgr_t *mgr, int d, char *errstr, size_t errstr_size)
{
    sm_logmgr_dir_t *dir = &mgr->dirs[d];
    char *path = sm_asprintf("%s/%s", dir->path, SM_LOCK_FILE);
    sm_err_t err;

    err = sm_io_mkdir_durable(dir->path);
    if (err == SM_OK)
        err = sm_io_open(path, O_RDWR | O_CREAT, 0644, &dir->lock_fd);
    if (err == SM_OK && sm_log_io->lock(dir->lock_fd) != 0) {
        snprintf(errstr, errstr_size, "failed to acquire the lock on %s: "
                 "another process is using the directory (%s)", path,
                 strerror(errno));
        err = SM_ERR__STATE;
    } else if (err != SM_OK) {
        snprintf(errstr, errstr_size, "cannot use log dir %s", dir->path);
    }
    sm_free(path);
    return err;
}

/* Note and remove the clean-shutdown marker (Kafka removes it before
 * loading, so a crash while loading is an unclean stop next time). */
static sm_err_t
sm_logmgr_take_marker(sm_logmgr_dir_t *dir)
{
    char *path = sm_asprintf("%s/%s", dir->path, SM_CLEAN_SHUTDOWN_FILE);
    sm_err_t err;
    int fd;

    err = sm_io_open(path, O_RDONLY, 0, &fd);
    if (err == SM_ERR__NOENT) {
        err = SM_OK;
    } else if (err == SM_OK) {
        sm_io_close(fd, path);
        dir->had_clean = 1;
        err = sm_io_unlink(path, 1);
        if (err == SM_OK)
            err = sm_io_fsync_dir(dir->path);
    }
    sm_free(path);
    return err;
}

static void
sm_logmgr_read_ckpt(sm_logmgr_dir_t *dir, const char *name,
                    sm_ckpt_entry_t **ents, int *n)
{
    char *path = sm_asprintf("%s/%s", dir->path, name);

    if (sm_ckpt_read(path, ents, n) != SM_OK) {
        sm_warn("log", "%s unreadable: ignoring it", path);
        *ents = NULL;
        *n = 0;
    }
    sm_free(path);
}

typedef struct sm_logmgr_ckpts {
    sm_ckpt_entry_t *rp, *lso, *hw;
    int nrp, nlso, nhw;
} sm_logmgr_ckpts_t;

/* Open one entry of a log dir if it is a partition directory. */
static sm_err_t
sm_logmgr_load_one(sm_logmgr_t *mgr, int d, const char *name,
                   const sm_logmgr_ckpts_t *ck, char *errstr,
                   size_t errstr_size)
{
    sm_logmgr_dir_t *dir = &mgr->dirs[d];
    char *path = sm_asprintf("%s/%s", dir->path, name), *topic = NULL;
    sm_err_t err = SM_OK;
    int32_t part;
    sm_log_t *log;
    int isdir = sm_io_is_dir(path);

    if (isdir < 0) {
        snprintf(errstr, errstr_size, "cannot read %s", path);
        err = (sm_err_t)isdir;
    }
    if (isdir <= 0)
        goto out;
    if (sm_log_name_has_suffix(name, SM_DELETE_DIR_SUFFIX)) {
        sm_info("log", "%s: finishing its deletion", path);
        err = sm_io_rmtree(path);
        goto out;
    }
    if (sm_log_name_has_suffix(name, "-future") ||
        sm_log_name_has_suffix(name, "-stray") ||
        !sm_logmgr_parse_name(name, &topic, &part)) {
        sm_warn("log", "%s: not a partition directory, ignored", path);
        goto out;
    }
    err = sm_log_open(path, topic, part, &mgr->cfg.defaults,
                      sm_ckpt_find(ck->rp, ck->nrp, topic, part),
                      sm_ckpt_find(ck->lso, ck->nlso, topic, part),
                      dir->had_clean, &log, errstr, errstr_size);
    if (err == SM_OK && sm_ckpt_find(ck->hw, ck->nhw, topic, part) >= 0)
        sm_log_set_high_watermark(log, sm_ckpt_find(ck->hw, ck->nhw, topic,
                                                    part));
    if (err == SM_OK) {
        pthread_mutex_lock(&mgr->lock);
        sm_logmgr_insert(mgr, topic, part, d, log);
        pthread_mutex_unlock(&mgr->lock);
    }
out:
    sm_free(topic);
    sm_free(path);
    return err;
}

static sm_err_t
sm_logmgr_load_dir(sm_logmgr_t *mgr, int d, char *errstr, size_t errstr_size)
{
    sm_logmgr_dir_t *dir = &mgr->dirs[d];
    sm_logmgr_ckpts_t ck;
    char **names = NULL;
    int n = 0;
    sm_err_t err;

    if ((err = sm_logmgr_lock_dir(mgr, d, errstr, errstr_size)) != SM_OK)
        return err;
    if ((err = sm_logmgr_take_marker(dir)) != SM_OK ||
        (err = sm_io_listdir(dir->path, &names, &n)) != SM_OK) {
        snprintf(errstr, errstr_size, "cannot read log dir %s", dir->path);
        return err;
    }
    sm_logmgr_read_ckpt(dir, SM_RECOVERY_POINT_CKPT, &ck.rp, &ck.nrp);
    sm_logmgr_read_ckpt(dir, SM_LOG_START_CKPT, &ck.lso, &ck.nlso);
    sm_logmgr_read_ckpt(dir, SM_REPLICATION_CKPT, &ck.hw, &ck.nhw);
    sm_info("log", "loading logs from %s (%s)", dir->path,
            dir->had_clean ? "clean shutdown: no recovery"
                           : "no clean shutdown marker: recovering");
    for (int i = 0; i < n && err == SM_OK; i++)
        err = sm_logmgr_load_one(mgr, d, names[i], &ck, errstr, errstr_size);
    sm_ckpt_free(ck.rp, ck.nrp);
    sm_ckpt_free(ck.lso, ck.nlso);
    sm_ckpt_free(ck.hw, ck.nhw);
    sm_io_names_free(names, n);
    return err;
}

static void sm_logmgr_free(sm_logmgr_t *mgr);

sm_err_t
sm_logmgr_open(const sm_logmgr_config_t *cfg, sm_logmgr_t **mgrp,
               char *errstr, size_t errstr_size)
{
    sm_logmgr_t *mgr;
    pthread_condattr_t ca;
    sm_err_t err = SM_OK;
    int64_t now = sm_now_ms();

    *mgrp = NULL;
    if (cfg->ndirs < 1) {
        snprintf(errstr, errstr_size, "no log.dirs configured");
        return SM_ERR__CONFIG;
    }
    mgr = sm_calloc(1, sizeof(*mgr));
    pthread_mutex_init(&mgr->lock, NULL);
    pthread_mutex_init(&mgr->admin_lock, NULL);
    pthread_mutex_init(&mgr->ckpt_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&mgr->cond, &ca);
    pthread_condattr_destroy(&ca);
    mgr->cfg = *cfg;
    mgr->cfg.dirs = NULL;
    mgr->ndirs = cfg->ndirs;
    mgr->dirs = sm_calloc((size_t)cfg->ndirs, sizeof(*mgr->dirs));
    mgr->last_retention_ms = mgr->last_flush_ms = mgr->last_ckpt_ms = now;
    mgr->last_hw_ckpt_ms = now;
    sm_logmgr_grow(mgr);
    for (int d = 0; d < cfg->ndirs; d++) {
        mgr->dirs[d].path = sm_strdup(cfg->dirs[d]);
        mgr->dirs[d].lock_fd = -1;
    }
    for (int d = 0; d < cfg->ndirs && err == SM_OK; d++)
        err = sm_logmgr_load_dir(mgr, d, errstr, errstr_size);
    if (err == SM_OK && cfg->cleaner_enable)
        mgr->cleaner = sm_cleaner_new(mgr, cfg, now);
    if (err == SM_OK && cfg->background_threads > 0) {
        if (pthread_create(&mgr->thread, NULL, sm_logmgr_main, mgr) != 0) {
            snprintf(errstr, errstr_size, "cannot start the log scheduler");
            err = SM_ERR__STATE;
        } else {
            mgr->thread_running = 1;
        }
    }
    if (err != SM_OK) {
        sm_logmgr_free(mgr);
        return err;
    }
    *mgrp = mgr;
    return SM_OK;
}

/* ---------------------------------------------------------- create/delete */

static int
sm_logmgr_topic_ok(const char *topic)
{
    size_t n = strlen(topic);

    if (n == 0 || n > 249 || strcmp(topic, ".") == 0 ||
        strcmp(topic, "..") == 0)
        return 0;
    for (const char *c = topic; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
              *c == '-'))
            return 0;
    return 1;
}

sm_err_t
sm_logmgr_create(sm_logmgr_t *mgr, const char *topic, int32_t partition,
                 const sm_log_config_t *cfg, sm_log_t **logp)
{
    char errstr[512], *path;
    sm_log_t *log;
    sm_err_t err;
    int d = 0;

    *logp = NULL;
    if (!sm_logmgr_topic_ok(topic) || partition < 0)
        return SM_ERR_INVALID_TOPIC_EXCEPTION;
    pthread_mutex_lock(&mgr->admin_lock);
    if ((*logp = sm_logmgr_get(mgr, topic, partition)) != NULL) {
        pthread_mutex_unlock(&mgr->admin_lock);
        return SM_OK;
    }
    pthread_mutex_lock(&mgr->lock);
    for (int i = 1; i < mgr->ndirs; i++)
        if (mgr->dirs[i].nlogs < mgr->dirs[d].nlogs)
            d = i;
    pthread_mutex_unlock(&mgr->lock);
    path = sm_asprintf("%s/%s-%" PRId32, mgr->dirs[d].path, topic,
                       partition);
    err = sm_log_open(path, topic, partition, cfg ? cfg : &mgr->cfg.defaults,
                      0, -1, 0, &log, errstr, sizeof(errstr));
    if (err == SM_OK) {
        pthread_mutex_lock(&mgr->lock);
        sm_logmgr_insert(mgr, topic, partition, d, log);
        pthread_mutex_unlock(&mgr->lock);
        *logp = log;
        sm_info("log", "created log %s", path);
    } else {
        sm_error("log", "%s", errstr);
    }
    sm_free(path);
    pthread_mutex_unlock(&mgr->admin_lock);
    return err;
}

/* "<topic>-<partition>.<32 hex>-delete", topic cut to fit 255 bytes. */
static char *
sm_logmgr_delete_name(const char *parent, const char *topic, int32_t part)
{
    uint8_t rnd[16];
    char hex[33], suffix[64];
    size_t tlen = strlen(topic);

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        uint64_t x = (uint64_t)sm_mono_us() ^ (uint64_t)(uintptr_t)rnd;
        memcpy(rnd, &x, 8);
        memcpy(rnd + 8, &x, 8);
    }
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    snprintf(suffix, sizeof(suffix), "-%" PRId32 ".%s%s", part, hex,
             SM_DELETE_DIR_SUFFIX);
    if (tlen > 255 - strlen(suffix))
        tlen = 255 - strlen(suffix);
    return sm_asprintf("%s/%.*s%s", parent, (int)tlen, topic, suffix);
}

sm_err_t
sm_logmgr_delete(sm_logmgr_t *mgr, const char *topic, int32_t partition)
{
    sm_logmgr_ent_t **pp, *e = NULL;
    sm_err_t err = SM_OK;
    char *to;
    int d;

    pthread_mutex_lock(&mgr->admin_lock);
    pthread_mutex_lock(&mgr->lock);
    if (mgr->nbuckets && *(pp = sm_logmgr_slot(mgr, topic, partition))) {
        e = *pp;
        *pp = e->next;
        mgr->nlogs--;
        mgr->dirs[e->dir].nlogs--;
    }
    pthread_mutex_unlock(&mgr->lock);
    if (e == NULL) {
        pthread_mutex_unlock(&mgr->admin_lock);
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    d = e->dir;
    if (mgr->cleaner != NULL)
        sm_cleaner_abort(mgr->cleaner, e->log);
    to = sm_logmgr_delete_name(mgr->dirs[d].path, topic, partition);
    pthread_mutex_lock(&e->log->lock);
    e->log->deleted = 1;
    err = sm_io_rename(e->log->dir, to);
    pthread_mutex_unlock(&e->log->lock);
    if (err == SM_OK)
        err = sm_io_fsync_dir(mgr->dirs[d].path);
    if (err == SM_OK) {
        sm_info("log", "%s renamed to %s for deletion", e->log->dir, to);
        err = sm_io_rmtree(to);
    }
    sm_log_release(e->log);
    sm_free(e->topic);
    sm_free(e);
    sm_free(to);
    pthread_mutex_unlock(&mgr->admin_lock);
    if (err == SM_OK)
        err = sm_logmgr_checkpoint(mgr);
    if (err == SM_OK && mgr->cleaner != NULL)
        err = sm_cleaner_checkpoint_dir(mgr->cleaner, d);
    return err;
}

/* ---------------------------------------------------------- close */

static sm_err_t
sm_logmgr_write_marker(sm_logmgr_dir_t *dir)
{
    char *path = sm_asprintf("%s/%s", dir->path, SM_CLEAN_SHUTDOWN_FILE);
    sm_err_t err;
    int fd;

    err = sm_io_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &fd);
    if (err == SM_OK) {
        err = sm_io_fsync(fd, path);
        sm_io_close(fd, path);
    }
    if (err == SM_OK)
        err = sm_io_fsync_dir(dir->path);
    sm_free(path);
    return err;
}

static void
sm_logmgr_free(sm_logmgr_t *mgr)
{
    for (int i = 0; i < mgr->nbuckets; i++) {
        sm_logmgr_ent_t *e = mgr->buckets[i], *next;
        for (; e != NULL; e = next) {
            next = e->next;
            sm_log_release(e->log);
            sm_free(e->topic);
            sm_free(e);
        }
    }
    for (int d = 0; d < mgr->ndirs; d++) {
        if (mgr->dirs[d].lock_fd >= 0)
            sm_io_close(mgr->dirs[d].lock_fd, mgr->dirs[d].path);
        sm_free(mgr->dirs[d].path);
    }
    if (mgr->cleaner != NULL)
        sm_cleaner_destroy(mgr->cleaner);
    sm_free(mgr->dirs);
    sm_free(mgr->buckets);
    pthread_cond_destroy(&mgr->cond);
    pthread_mutex_destroy(&mgr->ckpt_lock);
    pthread_mutex_destroy(&mgr->admin_lock);
    pthread_mutex_destroy(&mgr->lock);
    sm_free(mgr);
}

void
sm_logmgr_close(sm_logmgr_t *mgr)
{
    sm_logmgr_snap_t snap;

    if (mgr == NULL)
        return;
    pthread_mutex_lock(&mgr->lock);
    mgr->stop = 1;
    pthread_cond_broadcast(&mgr->cond);
    pthread_mutex_unlock(&mgr->lock);
    if (mgr->thread_running)
        pthread_join(mgr->thread, NULL);
    if (mgr->cleaner != NULL)
        sm_cleaner_stop(mgr->cleaner);
    pthread_mutex_lock(&mgr->ckpt_lock);
    sm_logmgr_snapshot(mgr, &snap);
    for (int d = 0; d < mgr->ndirs; d++) {
        int clean = 1;
        if (sm_logmgr_ckpt_dir(mgr, &snap, d, 1, &clean) != SM_OK)
            clean = 0;
        if (mgr->cleaner != NULL &&
            sm_cleaner_checkpoint_dir(mgr->cleaner, d) != SM_OK)
            clean = 0;
        if (clean && sm_logmgr_write_marker(&mgr->dirs[d]) == SM_OK)
            sm_info("log", "%s: clean shutdown", mgr->dirs[d].path);
    }
    sm_logmgr_snap_free(&snap);
    pthread_mutex_unlock(&mgr->ckpt_lock);
    sm_logmgr_free(mgr);
}

/* ---------------------------------------------------------- for cleaner.c */

int
sm_logmgr_ndirs(sm_logmgr_t *mgr)
{
    return mgr->ndirs;
}

const char *
sm_logmgr_dir_path(sm_logmgr_t *mgr, int d)
{
    return mgr->dirs[d].path;
}

/* Snapshot of the logs of every dir (references held): the cleaner picks
 * from it. */
sm_log_t **
sm_logmgr_logs(sm_logmgr_t *mgr, int **dirs, int *n)
{
    sm_logmgr_snap_t snap;

    sm_logmgr_snapshot(mgr, &snap);
    *dirs = snap.dirs;
    *n = snap.n;
    return snap.logs;
}
