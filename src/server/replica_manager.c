/*
 * replica_manager.c: the hosted-partition map and role changes (contract in
 * replica_manager.h).
 *
 * Invariant: a partition is in rm->parts iff this broker was told it hosts
 * a replica of it and no StopReplica removed it since.  Its log is created
 * (or opened) before the partition becomes leader or follower, so a
 * partition in the map with a role always has a log.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_map.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "server/replica_manager.h"

/* ISR notification batching (isr_announce.h): one znode per burst of
 * changes quiet for BLACKOUT ms, at most MAX_DELAY ms late; the ISR
 * thread checks every TICK ms. */
#define SM_RM_ISR_TICK_MS        100
#define SM_RM_ISR_BLACKOUT_MS    250
#define SM_RM_ISR_MAX_DELAY_MS   2500

struct sm_rm {
    int32_t local_id;
    sm_logmgr_t *logmgr;
    sm_rm_topic_config_fn topic_config;
    void *opaque;
    sm_purgatory_t *fetch_purg;
    sm_purgatory_t *produce_purg;
    sm_rfm_t *rfm;

    sm_rm_isr_write_fn isr_write;
    sm_rm_isr_announce_fn isr_announce;
    void    *isr_opaque;
    sm_isr_announce_t announce;     /* written, not yet announced */
    int64_t  lag_max_ms;
    pthread_t isr_thr;
    int      isr_running;
    int      isr_stop;              /* guarded by isr_lock */
    pthread_mutex_t isr_lock;
    pthread_cond_t isr_cond;

    pthread_mutex_t lock;           /* guards parts and controller_epoch */
    sm_map_t parts;                 /* "topic-index" -> sm_partition_t* */
    int32_t controller_epoch;
};

sm_rm_t *
sm_rm_new(int32_t local_id, sm_logmgr_t *logmgr,
          sm_rm_topic_config_fn topic_config, void *opaque)
{
    sm_rm_t *rm = sm_calloc(1, sizeof(*rm));

    rm->local_id = local_id;
    rm->logmgr = logmgr;
    rm->topic_config = topic_config;
    rm->opaque = opaque;
    rm->controller_epoch = -1;
    pthread_mutex_init(&rm->lock, NULL);
    pthread_mutex_init(&rm->isr_lock, NULL);
    pthread_cond_init(&rm->isr_cond, NULL);
    sm_isr_announce_init(&rm->announce, SM_RM_ISR_BLACKOUT_MS,
                         SM_RM_ISR_MAX_DELAY_MS);
    sm_map_init(&rm->parts);
    return rm;
}

void
sm_rm_destroy(sm_rm_t *rm)
{
    size_t it = 0;
    void *v;

    if (rm == NULL)
        return;
    sm_rm_stop_isr(rm);
    pthread_mutex_destroy(&rm->isr_lock);
    pthread_cond_destroy(&rm->isr_cond);
    sm_isr_announce_fini(&rm->announce);
    while (sm_map_next(&rm->parts, &it, NULL, &v))
        sm_partition_release(v);
    sm_map_fini(&rm->parts);
    pthread_mutex_destroy(&rm->lock);
    free(rm);
}

void
sm_rm_set_fetch_purgatory(sm_rm_t *rm, sm_purgatory_t *purg)
{
    rm->fetch_purg = purg;
}

void
sm_rm_set_produce_purgatory(sm_rm_t *rm, sm_purgatory_t *purg)
{
    rm->produce_purg = purg;
}

/* The high watermark of p moved: wake what waits on it. */
static void
sm_rm_hw_moved(sm_rm_t *rm, sm_partition_t *p)
{
    if (rm->fetch_purg)
        sm_purgatory_check_and_complete(rm->fetch_purg, p->key);
    if (rm->produce_purg)
        sm_purgatory_check_and_complete(rm->produce_purg, p->key);
}

/* Write and apply one ISR change of p.  p->isr_update_lock held. */
static void
sm_rm_isr_commit(sm_rm_t *rm, sm_partition_t *p, sm_isr_change_t *chg)
{
    int32_t zkv = -1;
    int moved = 0;
    sm_err_t err = rm->isr_write(rm->isr_opaque, p->topic, p->index, chg,
                                 &zkv);

    if (err == SM_OK) {
        sm_isr_announce_add(&rm->announce, p->topic, p->index, sm_mono_ms());
        err = sm_partition_isr_apply(p, chg, zkv, &moved);
    }
    if (err != SM_OK)
        sm_warn("replica", "%s: ISR change to %d members not made: %s",
                p->key, (int)chg->nisr, sm_err_name(err));
    sm_isr_change_fini(chg);
    if (moved)
        sm_rm_hw_moved(rm, p);
}

void
sm_rm_follower_fetched(sm_rm_t *rm, sm_partition_t *p, int32_t replica_id,
                       int64_t fetch_offset)
{
    sm_isr_change_t chg;
    int moved = 0;

    if (sm_partition_follower_fetched(p, replica_id, fetch_offset,
                                      sm_mono_ms(), &moved) != SM_OK)
        return;
    if (moved)
        sm_rm_hw_moved(rm, p);
    if (rm->isr_write == NULL || sm_partition_in_sync(p, replica_id))
        return;
    pthread_mutex_lock(&p->isr_update_lock);
    if (sm_partition_isr_expand(p, replica_id, &chg))
        sm_rm_isr_commit(rm, p, &chg);
    pthread_mutex_unlock(&p->isr_update_lock);
}

/* All hosted partitions with a reference each (caller releases). */
static sm_partition_t **
sm_rm_all(sm_rm_t *rm, int *n)
{
    size_t it = 0;
    void *v;
    sm_partition_t **all;

    *n = 0;
    pthread_mutex_lock(&rm->lock);
    all = sm_calloc(sm_map_count(&rm->parts) + 1, sizeof(*all));
    while (sm_map_next(&rm->parts, &it, NULL, &v)) {
        all[*n] = v;
        sm_partition_keep(all[(*n)++]);
    }
    pthread_mutex_unlock(&rm->lock);
    return all;
}

void
sm_rm_shrink_isr(sm_rm_t *rm, int64_t now_ms)
{
    sm_isr_change_t chg;
    sm_partition_t **all;
    int n;

    if (rm->isr_write == NULL)
        return;
    all = sm_rm_all(rm, &n);
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&all[i]->isr_update_lock);
        if (sm_partition_isr_shrink(all[i], now_ms, rm->lag_max_ms, &chg))
            sm_rm_isr_commit(rm, all[i], &chg);
        pthread_mutex_unlock(&all[i]->isr_update_lock);
        sm_partition_release(all[i]);
    }
    free(all);
}

void
sm_rm_announce_isr(sm_rm_t *rm, int force)
{
    sm_zk_tps_t tps;

    if (!sm_isr_announce_take(&rm->announce, sm_mono_ms(), force, &tps))
        return;
    if (rm->isr_announce)
        rm->isr_announce(rm->isr_opaque, &tps);
    sm_zk_tps_fini(&tps);
}

static void *
sm_rm_isr_main(void *arg)
{
    sm_rm_t *rm = arg;
    int64_t period = rm->lag_max_ms / 2 > 50 ? rm->lag_max_ms / 2 : 50;
    int64_t tick = period < SM_RM_ISR_TICK_MS ? period : SM_RM_ISR_TICK_MS;
    int64_t next_shrink = sm_mono_ms() + period;
    struct timespec ts;

    pthread_mutex_lock(&rm->isr_lock);
    while (!rm->isr_stop) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)tick * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        (void)pthread_cond_timedwait(&rm->isr_cond, &rm->isr_lock, &ts);
        if (rm->isr_stop)
            break;
        pthread_mutex_unlock(&rm->isr_lock);
        if (sm_mono_ms() >= next_shrink) {
            sm_rm_shrink_isr(rm, sm_mono_ms());
            next_shrink = sm_mono_ms() + period;
        }
        sm_rm_announce_isr(rm, 0);
        pthread_mutex_lock(&rm->isr_lock);
    }
    pthread_mutex_unlock(&rm->isr_lock);
    return NULL;
}

void
sm_rm_stop_isr(sm_rm_t *rm)
{
    if (!rm->isr_running)
        return;
    pthread_mutex_lock(&rm->isr_lock);
    rm->isr_stop = 1;
    pthread_cond_broadcast(&rm->isr_cond);
    pthread_mutex_unlock(&rm->isr_lock);
    pthread_join(rm->isr_thr, NULL);
    rm->isr_running = 0;
    sm_rm_announce_isr(rm, 1);      /* what was written is announced */
    rm->isr_write = NULL;
    rm->isr_announce = NULL;
}

void
sm_rm_start_isr(sm_rm_t *rm, sm_rm_isr_write_fn write,
                sm_rm_isr_announce_fn announce, void *opaque,
                int64_t lag_max_ms)
{
    int rc;

    rm->isr_write = write;
    rm->isr_announce = announce;
    rm->isr_opaque = opaque;
    rm->lag_max_ms = lag_max_ms > 0 ? lag_max_ms : 10000;
    rc = pthread_create(&rm->isr_thr, NULL, sm_rm_isr_main, rm);
    if (rc != 0)
        sm_error("replica", "pthread_create(ISR checks) failed: %s; "
                 "lagging followers stay in the ISR", strerror(rc));
    else
        rm->isr_running = 1;
}

void
sm_rm_set_fetcher(sm_rm_t *rm, sm_rfm_t *rfm)
{
    rm->rfm = rfm;
}

/* After a role change: a follower with a live leader fetches from it from
 * its log end; anything else fetches nothing. */
static void
sm_rm_update_fetcher(sm_rm_t *rm, sm_partition_t *p)
{
    int32_t leader, epoch;
    int64_t leo;

    if (rm->rfm == NULL)
        return;
    if (sm_partition_follower_state(p, &leader, &epoch, &leo))
        sm_rfm_add(rm->rfm, p, leader, epoch, leo);
    else
        sm_rfm_remove(rm->rfm, p);
}

static void
sm_rm_key(char *buf, size_t size, const char *topic, int32_t index)
{
    snprintf(buf, size, "%s-%d", topic, (int)index);
}

sm_partition_t *
sm_rm_get(sm_rm_t *rm, const char *topic, int32_t index)
{
    char key[300];
    sm_partition_t *p;

    sm_rm_key(key, sizeof(key), topic, index);
    pthread_mutex_lock(&rm->lock);
    p = sm_map_get(&rm->parts, key);
    if (p)
        sm_partition_keep(p);
    pthread_mutex_unlock(&rm->lock);
    return p;
}

/* Get or insert the partition object (with a reference for the caller). */
static sm_partition_t *
sm_rm_get_or_create(sm_rm_t *rm, const char *topic, int32_t index)
{
    char key[300];
    sm_partition_t *p;

    sm_rm_key(key, sizeof(key), topic, index);
    pthread_mutex_lock(&rm->lock);
    p = sm_map_get(&rm->parts, key);
    if (p == NULL) {
        p = sm_partition_new(topic, index, rm->local_id);
        sm_map_put(&rm->parts, key, p);
    }
    sm_partition_keep(p);
    pthread_mutex_unlock(&rm->lock);
    return p;
}

static int
sm_rm_is_replica(const sm_rm_t *rm, const sm_pstate_t *ps)
{
    for (int32_t i = 0; i < ps->nreplicas; i++)
        if (ps->replicas[i] == rm->local_id)
            return 1;
    return 0;
}

/* Open or create the log of a partition this broker must host. */
static sm_err_t
sm_rm_log_for(sm_rm_t *rm, const sm_pstate_t *ps, sm_log_t **logp)
{
    sm_log_config_t lcfg;
    sm_err_t err;

    *logp = sm_logmgr_get(rm->logmgr, ps->topic, ps->partition);
    if (*logp)
        return SM_OK;
    err = rm->topic_config(rm->opaque, ps->topic, &lcfg);
    if (err != SM_OK)
        return err;
    err = sm_logmgr_create(rm->logmgr, ps->topic, ps->partition, &lcfg,
                           logp);
    if (err != SM_OK)
        sm_error("replica", "cannot create the log of %s-%d: %s",
                 ps->topic, (int)ps->partition, sm_err_name(err));
    return err;
}

static sm_err_t
sm_rm_apply_one(sm_rm_t *rm, const sm_pstate_t *ps)
{
    sm_partition_t *p;
    sm_log_t *log;
    sm_err_t err;

    if (!sm_rm_is_replica(rm, ps))
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    err = sm_rm_log_for(rm, ps, &log);
    if (err != SM_OK)
        return err == SM_ERR__IO ? SM_ERR_KAFKA_STORAGE_ERROR : err;
    p = sm_rm_get_or_create(rm, ps->topic, ps->partition);
    if (ps->leader == rm->local_id)
        err = sm_partition_make_leader(p, ps, log);
    else
        err = sm_partition_make_follower(p, ps, log);
    if (err == SM_OK)
        sm_rm_update_fetcher(rm, p);
    if (err == SM_OK && rm->fetch_purg)
        sm_purgatory_check_and_complete(rm->fetch_purg, p->key);
    if (err == SM_OK && rm->produce_purg)
        sm_purgatory_check_and_complete(rm->produce_purg, p->key);
    sm_partition_release(p);
    return err;
}

sm_err_t
sm_rm_leader_and_isr(sm_rm_t *rm, int32_t controller_id,
                     int32_t controller_epoch, const sm_pstate_t *states,
                     int n, sm_err_t *errs)
{
    pthread_mutex_lock(&rm->lock);
    if (controller_epoch < rm->controller_epoch) {
        pthread_mutex_unlock(&rm->lock);
        sm_warn("replica", "ignoring LeaderAndIsr from controller %d with "
                "stale epoch %d (current %d)", (int)controller_id,
                (int)controller_epoch, (int)rm->controller_epoch);
        return SM_ERR_STALE_CONTROLLER_EPOCH;
    }
    rm->controller_epoch = controller_epoch;
    pthread_mutex_unlock(&rm->lock);

    for (int i = 0; i < n; i++)
        errs[i] = sm_rm_apply_one(rm, &states[i]);
    return SM_OK;
}

sm_err_t
sm_rm_fence_controller(sm_rm_t *rm, int32_t controller_epoch)
{
    sm_err_t err = SM_OK;

    pthread_mutex_lock(&rm->lock);
    if (controller_epoch < rm->controller_epoch)
        err = SM_ERR_STALE_CONTROLLER_EPOCH;
    else
        rm->controller_epoch = controller_epoch;
    pthread_mutex_unlock(&rm->lock);
    return err;
}

sm_err_t
sm_rm_stop_replica(sm_rm_t *rm, int32_t controller_epoch, const char *topic,
                   int32_t index, int del)
{
    char key[300];
    sm_partition_t *p;
    sm_err_t err = SM_OK;

    sm_rm_key(key, sizeof(key), topic, index);
    pthread_mutex_lock(&rm->lock);
    if (controller_epoch < rm->controller_epoch) {
        pthread_mutex_unlock(&rm->lock);
        return SM_ERR_STALE_CONTROLLER_EPOCH;
    }
    rm->controller_epoch = controller_epoch;
    p = sm_map_del(&rm->parts, key);
    pthread_mutex_unlock(&rm->lock);

    if (p) {
        if (rm->rfm)
            sm_rfm_remove(rm->rfm, p);
        sm_partition_stop(p);
        if (rm->fetch_purg)
            sm_purgatory_check_and_complete(rm->fetch_purg, p->key);
        if (rm->produce_purg)
            sm_purgatory_check_and_complete(rm->produce_purg, p->key);
        sm_partition_release(p);
    }
    if (del && sm_logmgr_get(rm->logmgr, topic, index))
        err = sm_logmgr_delete(rm->logmgr, topic, index);
    return err;
}

sm_err_t
sm_rm_append(sm_rm_t *rm, sm_partition_t *p, uint8_t *batches, size_t len,
             int16_t acks, int32_t min_isr, int log_append_time,
             sm_append_result_t *res)
{
    sm_err_t err = sm_partition_append(p, batches, len, acks, min_isr,
                                       log_append_time, res);

    if (err == SM_OK && rm->fetch_purg)
        sm_purgatory_check_and_complete(rm->fetch_purg, p->key);
    return err;
}

void
sm_rm_counts(sm_rm_t *rm, int *hosted, int *leading)
{
    sm_partition_t **all;
    int n = 0;

    all = sm_rm_all(rm, &n);
    *hosted = n;
    *leading = 0;
    for (int i = 0; i < n; i++) {
        *leading += sm_partition_is_leader(all[i]);
        sm_partition_release(all[i]);
    }
    free(all);
}
