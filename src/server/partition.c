/*
 * partition.c: role changes, leader appends, reads and offset lookups of one
 * hosted partition (contract in partition.h).
 *
 * State machine of a replica (Kafka's ReplicaStateMachine as seen from the
 * hosting broker):
 *
 *     new --make_leader--> leader --make_follower--> follower
 *      |                     ^  \                      |
 *      +--make_follower--> follower <---make_leader----+
 *     any --stop--> stopped (terminal; the replica manager drops it)
 *
 * A LeaderAndIsr whose leader epoch is older than the one already applied is
 * refused (STALE_CONTROLLER_EPOCH when the controller epoch is older,
 * FENCED_LEADER_EPOCH otherwise, as Kafka's Partition.makeLeader does by
 * returning false); an equal epoch is accepted idempotently, so a controller
 * re-sending the same state after a failover does no harm.
 *
 * A follower's log grows only through sm_partition_append_follower (the
 * replica fetcher, leader's offsets, refused under a stale epoch) and
 * shrinks through sm_partition_truncate_follower (the leader-epoch
 * handshake or OFFSET_OUT_OF_RANGE); a leader's through
 * sm_partition_append.  The leader's ISR changes go through the
 * shrink/expand -> (ZooKeeper write by the caller) -> isr_apply sequence.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "server/partition.h"

sm_partition_t *
sm_partition_new(const char *topic, int32_t index, int32_t local_id)
{
    sm_partition_t *p = sm_calloc(1, sizeof(*p));

    p->topic = sm_strdup(topic);
    p->index = index;
    p->key = sm_asprintf("%s-%d", topic, (int)index);
    p->local_id = local_id;
    p->leader = SM_NO_LEADER;
    p->leader_epoch = -1;
    p->controller_epoch = -1;
    atomic_init(&p->refcnt, 1);
    atomic_init(&p->high_watermark, 0);
    pthread_rwlock_init(&p->lock, NULL);
    pthread_mutex_init(&p->rs_lock, NULL);
    pthread_mutex_init(&p->isr_update_lock, NULL);
    return p;
}

void
sm_partition_keep(sm_partition_t *p)
{
    atomic_fetch_add(&p->refcnt, 1);
}

void
sm_partition_release(sm_partition_t *p)
{
    if (p == NULL || atomic_fetch_sub(&p->refcnt, 1) != 1)
        return;
    pthread_rwlock_destroy(&p->lock);
    pthread_mutex_destroy(&p->rs_lock);
    pthread_mutex_destroy(&p->isr_update_lock);
    free(p->rs);
    free(p->replicas);
    free(p->isr);
    free(p->key);
    free(p->topic);
    free(p);
}

static void
sm_i32_assign(int32_t **dst, int32_t *ndst, const int32_t *src, int32_t n)
{
    free(*dst);
    *dst = NULL;
    *ndst = n > 0 ? n : 0;
    if (n > 0) {
        *dst = sm_malloc(sizeof(**dst) * (size_t)n);
        memcpy(*dst, src, sizeof(**dst) * (size_t)n);
    }
}

/* Check epochs of an incoming state; lock held exclusive. */
static sm_err_t
sm_partition_check_epochs(sm_partition_t *p, const sm_pstate_t *ps)
{
    if (ps->controller_epoch < p->controller_epoch)
        return SM_ERR_STALE_CONTROLLER_EPOCH;
    if (ps->leader_epoch < p->leader_epoch)
        return SM_ERR_FENCED_LEADER_EPOCH;
    return SM_OK;
}

/* Lock held exclusive: the first time a log is attached, start from its
 * checkpointed high watermark (bounded by its end). */
static void
sm_partition_load_hw(sm_partition_t *p)
{
    int64_t hw;

    if (p->hw_loaded || p->log == NULL)
        return;
    p->hw_loaded = 1;
    hw = sm_log_replica_hw(p->log);
    if (hw > sm_log_end_offset(p->log))
        hw = sm_log_end_offset(p->log);
    if (hw > 0)
        atomic_store(&p->high_watermark, hw);
}

static int
sm_partition_in_isr(const sm_partition_t *p, int32_t id)
{
    for (int32_t i = 0; i < p->nisr; i++)
        if (p->isr[i] == id)
            return 1;
    return 0;
}

/* Lock held exclusive: fresh follower states for a new leadership (ISR
 * members count as caught up now, as Kafka's makeLeader resets them). */
static void
sm_partition_reset_rs(sm_partition_t *p)
{
    int64_t now = sm_mono_ms();

    pthread_mutex_lock(&p->rs_lock);
    free(p->rs);
    p->rs = sm_calloc((size_t)p->nreplicas + 1, sizeof(*p->rs));
    p->nrs = 0;
    for (int32_t i = 0; i < p->nreplicas; i++) {
        if (p->replicas[i] == p->local_id)
            continue;
        p->rs[p->nrs++] = (sm_replica_state_t){
            p->replicas[i], -1,
            sm_partition_in_isr(p, p->replicas[i]) ? now : 0, -1, 0 };
    }
    pthread_mutex_unlock(&p->rs_lock);
}

static sm_replica_state_t *
sm_partition_rs(sm_partition_t *p, int32_t id)
{
    for (int32_t i = 0; i < p->nrs; i++)
        if (p->rs[i].id == id)
            return &p->rs[i];
    return NULL;
}

static void
sm_partition_apply_state(sm_partition_t *p, const sm_pstate_t *ps,
                         sm_log_t *log)
{
    p->log = log;
    p->leader = ps->leader;
    p->leader_epoch = ps->leader_epoch;
    p->controller_epoch = ps->controller_epoch;
    p->zk_version = ps->zk_version;
    p->stopped = 0;
    sm_i32_assign(&p->replicas, &p->nreplicas, ps->replicas, ps->nreplicas);
    sm_i32_assign(&p->isr, &p->nisr, ps->isr, ps->nisr);
    sm_partition_load_hw(p);
}

/*
 * Leader high watermark: the smallest log end offset over the ISR (see
 * partition.h), raised monotonically.  Returns 1 if it moved.  Lock held
 * (shared or exclusive); takes rs_lock.
 */
static int
sm_partition_maybe_advance_hw(sm_partition_t *p)
{
    const sm_replica_state_t *r;
    int64_t min, hw;
    int moved = 0;

    if (p->log == NULL || p->leader != p->local_id || p->stopped)
        return 0;
    min = sm_log_end_offset(p->log);
    pthread_mutex_lock(&p->rs_lock);
    for (int32_t i = 0; i < p->nisr; i++) {
        if (p->isr[i] == p->local_id)
            continue;
        r = sm_partition_rs(p, p->isr[i]);
        if (r == NULL || r->leo < 0) {
            min = -1;                   /* not heard from yet */
            break;
        }
        if (r->leo < min)
            min = r->leo;
    }
    pthread_mutex_unlock(&p->rs_lock);
    hw = atomic_load(&p->high_watermark);
    while (min > hw) {
        if (atomic_compare_exchange_weak(&p->high_watermark, &hw, min)) {
            moved = 1;
            break;
        }
    }
    if (moved)
        sm_log_set_high_watermark(p->log, atomic_load(&p->high_watermark));
    return moved;
}

sm_err_t
sm_partition_follower_fetched(sm_partition_t *p, int32_t replica_id,
                              int64_t fetch_offset, int64_t now_ms,
                              int *hw_advanced)
{
    sm_replica_state_t *r;
    int64_t leo;
    sm_err_t err = SM_OK;

    *hw_advanced = 0;
    pthread_rwlock_rdlock(&p->lock);
    if (p->stopped || p->log == NULL || p->leader != p->local_id) {
        err = SM_ERR_NOT_LEADER_FOR_PARTITION;
        goto out;
    }
    leo = sm_log_end_offset(p->log);
    pthread_mutex_lock(&p->rs_lock);
    r = sm_partition_rs(p, replica_id);
    if (r != NULL && fetch_offset >= 0 && fetch_offset <= leo) {
        if (fetch_offset >= leo)
            r->last_caught_up_ms = now_ms;
        else if (r->last_fetch_leader_leo >= 0 &&
                 fetch_offset >= r->last_fetch_leader_leo)
            r->last_caught_up_ms = r->last_fetch_ms;
        r->leo = fetch_offset;
        r->last_fetch_leader_leo = leo;
        r->last_fetch_ms = now_ms;
    }
    pthread_mutex_unlock(&p->rs_lock);
    *hw_advanced = sm_partition_maybe_advance_hw(p);
out:
    pthread_rwlock_unlock(&p->lock);
    return err;
}

sm_err_t
sm_partition_make_leader(sm_partition_t *p, const sm_pstate_t *ps,
                         sm_log_t *log)
{
    sm_err_t err;
    int64_t leo, hw;

    pthread_rwlock_wrlock(&p->lock);
    err = sm_partition_check_epochs(p, ps);
    if (err == SM_OK) {
        sm_partition_apply_state(p, ps, log);
        sm_partition_reset_rs(p);
        /* the HW never exceeds what this replica has */
        leo = sm_log_end_offset(log);
        hw = atomic_load(&p->high_watermark);
        if (hw > leo)
            atomic_store(&p->high_watermark, leo);
        (void)sm_partition_maybe_advance_hw(p);
        sm_info("partition", "%s: leader at epoch %d (isr size %d, "
                "log end %lld, high watermark %lld)", p->key,
                (int)p->leader_epoch, (int)p->nisr, (long long)leo,
                (long long)atomic_load(&p->high_watermark));
    }
    pthread_rwlock_unlock(&p->lock);
    return err;
}

/*
 * A new follower keeps its whole log and fetches from its log end.  Kafka
 * before leader epochs truncated to the high watermark here, which loses
 * committed records when the follower's HW lags the leader's (KIP-101);
 * samsa instead truncates when the leader answers OFFSET_OUT_OF_RANGE
 * (replica_fetcher.c), until the leader-epoch handshake replaces both.
 */
sm_err_t
sm_partition_make_follower(sm_partition_t *p, const sm_pstate_t *ps,
                           sm_log_t *log)
{
    sm_err_t err;

    pthread_rwlock_wrlock(&p->lock);
    err = sm_partition_check_epochs(p, ps);
    if (err == SM_OK) {
        sm_partition_apply_state(p, ps, log);
        sm_info("partition", "%s: follower of broker %d at epoch %d "
                "(log end %lld)", p->key, (int)p->leader,
                (int)p->leader_epoch, (long long)sm_log_end_offset(log));
    }
    pthread_rwlock_unlock(&p->lock);
    return err;
}

/* Lock held.  The error of a follower operation under a stale role. */
static sm_err_t
sm_partition_follower_check(sm_partition_t *p, int32_t epoch)
{
    if (p->stopped || p->log == NULL)
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (p->leader == p->local_id || p->leader_epoch != epoch)
        return SM_ERR_NOT_LEADER_FOR_PARTITION;
    return SM_OK;
}

/* Lock held: raise the high watermark to hw (bounded by the log end),
 * never lowering it. */
static void
sm_partition_raise_hw(sm_partition_t *p, int64_t hw)
{
    int64_t leo = sm_log_end_offset(p->log), cur;

    if (hw > leo)
        hw = leo;
    cur = atomic_load(&p->high_watermark);
    while (hw > cur &&
           !atomic_compare_exchange_weak(&p->high_watermark, &cur, hw))
        ;
    sm_log_set_high_watermark(p->log, atomic_load(&p->high_watermark));
}

sm_err_t
sm_partition_append_follower(sm_partition_t *p, int32_t epoch,
                             int64_t fetch_offset, const uint8_t *batches,
                             size_t len, int64_t leader_hw, int64_t *leo)
{
    sm_err_t err;

    *leo = -1;
    pthread_rwlock_rdlock(&p->lock);
    err = sm_partition_follower_check(p, epoch);
    if (err == SM_OK && sm_log_end_offset(p->log) != fetch_offset)
        err = SM_ERR_OFFSET_OUT_OF_RANGE;
    if (err == SM_OK && len > 0)
        err = sm_log_append_follower(p->log, batches, len);
    if (err == SM_OK)
        sm_partition_raise_hw(p, leader_hw);
    if (p->log != NULL && !p->stopped)
        *leo = sm_log_end_offset(p->log);
    pthread_rwlock_unlock(&p->lock);
    return err;
}

sm_err_t
sm_partition_truncate_follower(sm_partition_t *p, int32_t epoch,
                               int64_t offset, int64_t *leo)
{
    sm_err_t err;
    int64_t hw;

    *leo = -1;
    pthread_rwlock_wrlock(&p->lock);
    err = sm_partition_follower_check(p, epoch);
    if (err == SM_OK)
        err = sm_log_truncate_to(p->log, offset);
    if (err == SM_OK) {
        *leo = sm_log_end_offset(p->log);
        hw = atomic_load(&p->high_watermark);
        if (hw > *leo)
            atomic_store(&p->high_watermark, *leo);
    }
    pthread_rwlock_unlock(&p->lock);
    return err;
}

int
sm_partition_follower_state(sm_partition_t *p, int32_t *leader,
                            int32_t *epoch, int64_t *leo)
{
    int r;

    pthread_rwlock_rdlock(&p->lock);
    r = !p->stopped && p->log != NULL && p->leader != p->local_id &&
        p->leader >= 0;
    if (r) {
        *leader = p->leader;
        *epoch = p->leader_epoch;
        *leo = sm_log_end_offset(p->log);
    }
    pthread_rwlock_unlock(&p->lock);
    return r;
}

void
sm_partition_stop(sm_partition_t *p)
{
    pthread_rwlock_wrlock(&p->lock);
    p->stopped = 1;
    p->log = NULL;
    p->leader = SM_NO_LEADER;
    pthread_rwlock_unlock(&p->lock);
}

/* Lock held.  The error a non-serving replica gives. */
static sm_err_t
sm_partition_leader_check(sm_partition_t *p, int32_t current_epoch)
{
    if (p->stopped || p->log == NULL)
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (current_epoch >= 0 && current_epoch < p->leader_epoch)
        return SM_ERR_FENCED_LEADER_EPOCH;
    if (current_epoch > p->leader_epoch)
        return SM_ERR_UNKNOWN_LEADER_EPOCH;
    if (p->leader != p->local_id)
        return SM_ERR_NOT_LEADER_FOR_PARTITION;
    return SM_OK;
}

sm_err_t
sm_partition_append(sm_partition_t *p, uint8_t *batches, size_t len,
                    int16_t acks, int32_t min_isr, int log_append_time,
                    sm_append_result_t *res)
{
    sm_err_t err;
    int64_t now = log_append_time ? sm_now_ms() : -1;

    pthread_rwlock_rdlock(&p->lock);
    err = sm_partition_leader_check(p, -1);
    if (err == SM_OK && acks == -1 && p->nisr < min_isr)
        err = SM_ERR_NOT_ENOUGH_REPLICAS;
    if (err == SM_OK)
        err = sm_log_append(p->log, batches, len, p->leader_epoch, now,
                            &res->first_offset, &res->last_offset);
    if (err == SM_OK) {
        res->log_append_time = now;
        res->log_start_offset = sm_log_start_offset(p->log);
        (void)sm_partition_maybe_advance_hw(p);
    }
    pthread_rwlock_unlock(&p->lock);
    return err;
}

sm_err_t
sm_partition_read(sm_partition_t *p, int32_t replica_id,
                  int32_t current_epoch, int64_t offset, size_t max_bytes,
                  int min_one, sm_read_result_t *res)
{
    sm_err_t err;
    int64_t bound;

    memset(res, 0, sizeof(*res));
    res->high_watermark = res->last_stable_offset = -1;
    res->log_start_offset = res->log_end_offset = -1;
    pthread_rwlock_rdlock(&p->lock);
    err = sm_partition_leader_check(p, current_epoch);
    if (err == SM_OK) {
        res->high_watermark = atomic_load(&p->high_watermark);
        res->last_stable_offset = res->high_watermark;
        res->log_start_offset = sm_log_start_offset(p->log);
        res->log_end_offset = sm_log_end_offset(p->log);
        bound = replica_id >= 0 ? INT64_MAX : res->high_watermark;
        err = sm_log_read(p->log, offset, max_bytes, bound, min_one,
                          &res->slice);
    }
    pthread_rwlock_unlock(&p->lock);
    return err;
}

sm_err_t
sm_partition_list_offset(sm_partition_t *p, int32_t replica_id,
                         int32_t current_epoch, int64_t timestamp,
                         int64_t *offset, int64_t *ts_out,
                         int32_t *leader_epoch)
{
    sm_err_t err;
    int64_t bound;

    *offset = *ts_out = -1;
    pthread_rwlock_rdlock(&p->lock);
    err = sm_partition_leader_check(p, current_epoch);
    if (err != SM_OK)
        goto out;
    *leader_epoch = p->leader_epoch;
    bound = replica_id >= 0 ? sm_log_end_offset(p->log)
                            : atomic_load(&p->high_watermark);
    if (timestamp == -2) {
        *offset = sm_log_start_offset(p->log);
    } else if (timestamp == -1) {
        *offset = bound;
    } else {
        err = sm_log_offset_for_time(p->log, timestamp, offset, ts_out);
        if (err != SM_OK || *offset >= bound) {
            /* nothing at or after the timestamp that may be read */
            *offset = *ts_out = -1;
            err = SM_OK;
        }
    }
out:
    pthread_rwlock_unlock(&p->lock);
    return err;
}

int
sm_partition_acks_done(sm_partition_t *p, int64_t required, int32_t min_isr,
                       sm_err_t *err)
{
    int done = 1;

    *err = SM_OK;
    pthread_rwlock_rdlock(&p->lock);
    if (p->stopped || p->log == NULL || p->leader != p->local_id)
        *err = SM_ERR_NOT_LEADER_FOR_PARTITION;
    else if (atomic_load(&p->high_watermark) < required)
        done = 0;
    else if (p->nisr < min_isr)
        *err = SM_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    pthread_rwlock_unlock(&p->lock);
    return done;
}

/* ------------------------------------------------------------ ISR */

void
sm_isr_change_fini(sm_isr_change_t *chg)
{
    free(chg->isr);
    chg->isr = NULL;
    chg->nisr = 0;
}

int
sm_partition_in_sync(sm_partition_t *p, int32_t replica_id)
{
    int r;

    pthread_rwlock_rdlock(&p->lock);
    r = sm_partition_in_isr(p, replica_id);
    pthread_rwlock_unlock(&p->lock);
    return r;
}

/* Lock held.  Start a change from the current leadership. */
static void
sm_partition_chg_init(sm_partition_t *p, sm_isr_change_t *chg)
{
    chg->isr = sm_calloc((size_t)p->nisr + 2, sizeof(*chg->isr));
    chg->nisr = 0;
    chg->leader = p->leader;
    chg->leader_epoch = p->leader_epoch;
    chg->controller_epoch = p->controller_epoch;
    chg->zk_version = p->zk_version;
}

int
sm_partition_isr_shrink(sm_partition_t *p, int64_t now_ms,
                        int64_t lag_max_ms, sm_isr_change_t *chg)
{
    const sm_replica_state_t *r;
    int changed = 0;

    memset(chg, 0, sizeof(*chg));
    pthread_rwlock_rdlock(&p->lock);
    if (p->stopped || p->log == NULL || p->leader != p->local_id)
        goto out;
    sm_partition_chg_init(p, chg);
    pthread_mutex_lock(&p->rs_lock);
    for (int32_t i = 0; i < p->nisr; i++) {
        r = sm_partition_rs(p, p->isr[i]);
        if (p->isr[i] != p->local_id && r != NULL &&
            now_ms - r->last_caught_up_ms > lag_max_ms) {
            sm_info("partition", "%s: follower %d out of sync (not caught "
                    "up for %lld ms, log end %lld)", p->key,
                    (int)p->isr[i], (long long)(now_ms - r->last_caught_up_ms),
                    (long long)r->leo);
            changed = 1;
            continue;
        }
        chg->isr[chg->nisr++] = p->isr[i];
    }
    pthread_mutex_unlock(&p->rs_lock);
out:
    pthread_rwlock_unlock(&p->lock);
    if (!changed)
        sm_isr_change_fini(chg);
    return changed;
}

int
sm_partition_isr_expand(sm_partition_t *p, int32_t replica_id,
                        sm_isr_change_t *chg)
{
    const sm_replica_state_t *r;
    int changed = 0;

    memset(chg, 0, sizeof(*chg));
    pthread_rwlock_rdlock(&p->lock);
    if (p->stopped || p->log == NULL || p->leader != p->local_id ||
        sm_partition_in_isr(p, replica_id))
        goto out;
    pthread_mutex_lock(&p->rs_lock);
    r = sm_partition_rs(p, replica_id);
    changed = r != NULL && r->leo >= atomic_load(&p->high_watermark);
    pthread_mutex_unlock(&p->rs_lock);
    if (changed) {
        sm_partition_chg_init(p, chg);
        memcpy(chg->isr, p->isr, sizeof(*p->isr) * (size_t)p->nisr);
        chg->nisr = p->nisr;
        chg->isr[chg->nisr++] = replica_id;
    }
out:
    pthread_rwlock_unlock(&p->lock);
    return changed;
}

sm_err_t
sm_partition_isr_apply(sm_partition_t *p, const sm_isr_change_t *chg,
                       int32_t new_zk_version, int *hw_advanced)
{
    sm_err_t err = SM_OK;

    *hw_advanced = 0;
    pthread_rwlock_wrlock(&p->lock);
    if (p->stopped || p->leader != p->local_id ||
        p->leader_epoch != chg->leader_epoch) {
        err = SM_ERR_NOT_LEADER_FOR_PARTITION;
    } else {
        sm_info("partition", "%s: ISR from %d to %d members (zkVersion "
                "%d)", p->key, (int)p->nisr, (int)chg->nisr,
                (int)new_zk_version);
        sm_i32_assign(&p->isr, &p->nisr, chg->isr, chg->nisr);
        p->zk_version = new_zk_version;
        *hw_advanced = sm_partition_maybe_advance_hw(p);
    }
    pthread_rwlock_unlock(&p->lock);
    return err;
}

sm_err_t
sm_partition_epoch_end(sm_partition_t *p, int32_t current_epoch,
                       int32_t epoch, int32_t *out_epoch, int64_t *end_offset)
{
    sm_err_t err;

    *out_epoch = -1;
    *end_offset = -1;
    pthread_rwlock_rdlock(&p->lock);
    err = sm_partition_leader_check(p, current_epoch);
    if (err == SM_OK)
        sm_log_end_offset_for_epoch(p->log, epoch, out_epoch, end_offset);
    pthread_rwlock_unlock(&p->lock);
    return err;
}

int32_t
sm_partition_log_latest_epoch(sm_partition_t *p)
{
    int32_t e = -1;

    pthread_rwlock_rdlock(&p->lock);
    if (p->log != NULL && !p->stopped)
        e = sm_log_latest_epoch(p->log);
    pthread_rwlock_unlock(&p->lock);
    return e;
}

void
sm_partition_log_epoch_end(sm_partition_t *p, int32_t epoch,
                           int32_t *out_epoch, int64_t *end)
{
    *out_epoch = -1;
    *end = -1;
    pthread_rwlock_rdlock(&p->lock);
    if (p->log != NULL && !p->stopped)
        sm_log_end_offset_for_epoch(p->log, epoch, out_epoch, end);
    pthread_rwlock_unlock(&p->lock);
}

int64_t
sm_partition_high_watermark(sm_partition_t *p)
{
    return atomic_load(&p->high_watermark);
}

int
sm_partition_is_leader(sm_partition_t *p)
{
    int r;

    pthread_rwlock_rdlock(&p->lock);
    r = !p->stopped && p->log != NULL && p->leader == p->local_id;
    pthread_rwlock_unlock(&p->lock);
    return r;
}

void
sm_partition_set_log_config(sm_partition_t *p, const sm_log_config_t *cfg)
{
    pthread_rwlock_rdlock(&p->lock);
    if (p->log != NULL && !p->stopped)
        sm_log_set_config(p->log, cfg);
    pthread_rwlock_unlock(&p->lock);
}
