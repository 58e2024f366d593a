/*
 * partition.h: one partition replica hosted on this broker (Kafka's
 * cluster/Partition.scala): its log, its role (leader or follower), the
 * leader epoch, replica set, ISR and high watermark.
 *
 * CONCURRENCY.  p->lock is a rwlock in Kafka's leaderIsrUpdateLock style:
 * appends and reads take it shared (concurrent appends are serialised by
 * the log's own mutex), leadership changes (make_leader / make_follower /
 * stop) take it exclusive.  The high watermark is an atomic so fetchers can
 * read it without the lock.  Lock order: isr_update_lock -> partition ->
 * rs_lock -> log.  Never hold p->lock while calling into a purgatory
 * (try_complete of a delayed fetch takes it) or ZooKeeper (ISR writes
 * happen between sm_partition_isr_shrink/_expand and _isr_apply, with
 * only isr_update_lock held).
 *
 * Lifetime: refcounted (sm_partition_keep/_release) because handlers,
 * delayed operations and (later) replica fetchers hold partitions across
 * threads; the replica manager holds one reference while the partition is
 * in its map.
 *
 * HIGH WATERMARK.  Consumers read below it.  The leader advances it to the
 * smallest log end offset among ISR members (its own and, for each
 * follower, the offset of the follower's last fetch: Kafka's
 * Replica.logEndOffset), never moving it back; until every follower in
 * the ISR has fetched once under this leadership it stays put.  With an
 * ISR of just the leader it equals the leader's log end offset after each
 * append.  Followers learn it from the leader's fetch responses.  Each
 * change is handed to the log (sm_log_set_high_watermark), whose manager
 * writes replication-offset-checkpoint; a fresh partition object starts
 * from the checkpointed value (sm_log_replica_hw), else 0.
 *
 * FOLLOWER STATE (leader only): p->rs[] holds, per other replica, its log
 * end offset, when it was last caught up (Kafka's lastCaughtUpTimeMs:
 * fetched at the leader's end, or at least up to where the leader's end
 * was at its previous fetch) and that previous fetch.  Guarded by rs_lock,
 * taken inside p->lock (shared suffices); rebuilt by make_leader.
 */
#ifndef SM_SERVER_PARTITION_H
#define SM_SERVER_PARTITION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/sm_err.h"
#include "log/log.h"
#include "server/metadata_cache.h"

typedef struct sm_replica_state {
    int32_t  id;
    int64_t  leo;                   /* -1: not fetched yet */
    int64_t  last_caught_up_ms;
    int64_t  last_fetch_leader_leo;
    int64_t  last_fetch_ms;
} sm_replica_state_t;

typedef struct sm_partition {
    char    *topic;
    int32_t  index;
    char    *key;                   /* "topic-index": purgatory key */
    atomic_int refcnt;
    pthread_rwlock_t lock;

    /* guarded by lock */
    sm_log_t *log;                  /* owned by the log manager */
    int32_t  local_id;              /* this broker */
    int32_t  leader;
    int32_t  leader_epoch;
    int32_t  controller_epoch;
    int32_t  zk_version;
    int32_t *replicas;
    int32_t  nreplicas;
    int32_t *isr;
    int32_t  nisr;
    int      stopped;               /* StopReplica'd: no longer served */
    int      hw_loaded;             /* HW taken from the log once */

    pthread_mutex_t isr_update_lock;  /* one ISR change at a time; taken
                                       * before (never inside) lock */
    pthread_mutex_t rs_lock;        /* guards rs/nrs contents */
    sm_replica_state_t *rs;         /* other replicas (leader only) */
    int32_t  nrs;

    _Atomic int64_t high_watermark;
} sm_partition_t;

sm_partition_t *sm_partition_new(const char *topic, int32_t index,
                                 int32_t local_id);
void sm_partition_keep(sm_partition_t *p);
void sm_partition_release(sm_partition_t *p);

/* Become leader / follower per the controller's state; log is this
 * replica's (already opened) log.  Returns SM_ERR_STALE_CONTROLLER_EPOCH
 * or SM_ERR_FENCED_LEADER_EPOCH style errors for stale requests. */
sm_err_t sm_partition_make_leader(sm_partition_t *p, const sm_pstate_t *ps,
                                  sm_log_t *log);
sm_err_t sm_partition_make_follower(sm_partition_t *p, const sm_pstate_t *ps,
                                    sm_log_t *log);
/* Stop serving; the caller deletes the log if asked to. */
void     sm_partition_stop(sm_partition_t *p);
/* A topic config change: hand the new config to the log, if any. */
void     sm_partition_set_log_config(sm_partition_t *p,
                                     const sm_log_config_t *cfg);

/* Result of a leader append. */
typedef struct sm_append_result {
    int64_t first_offset;
    int64_t last_offset;
    int64_t log_append_time;        /* -1 unless LogAppendTime */
    int64_t log_start_offset;
} sm_append_result_t;

/*
 * Append validated v2 batches (batches is mutable: offsets are written in
 * place).  NOT_LEADER_FOR_PARTITION unless this broker leads;
 * NOT_ENOUGH_REPLICAS when acks == -1 and the ISR is below min_isr.
 */
sm_err_t sm_partition_append(sm_partition_t *p, uint8_t *batches,
                             size_t len, int16_t acks, int32_t min_isr,
                             int log_append_time, sm_append_result_t *res);

/* What a read needs to answer a fetch. */
typedef struct sm_read_result {
    sm_log_slice_t slice;           /* release with sm_log_slice_release */
    int64_t high_watermark;
    int64_t last_stable_offset;
    int64_t log_start_offset;
    int64_t log_end_offset;
} sm_read_result_t;

/*
 * Read for a consumer (replica_id < 0: bounded by the high watermark) or a
 * follower (replica_id >= 0: bounded by the log end offset).  current_epoch
 * >= 0 is checked against the leader epoch (FENCED_LEADER_EPOCH /
 * UNKNOWN_LEADER_EPOCH, Fetch v9+).
 */
sm_err_t sm_partition_read(sm_partition_t *p, int32_t replica_id,
                           int32_t current_epoch, int64_t offset,
                           size_t max_bytes, int min_one,
                           sm_read_result_t *res);

/* Offsets for ListOffsets: earliest (-2), latest (-1) or by timestamp. */
sm_err_t sm_partition_list_offset(sm_partition_t *p, int32_t replica_id,
                                  int32_t current_epoch, int64_t timestamp,
                                  int64_t *offset, int64_t *ts_out,
                                  int32_t *leader_epoch);

/*
 * Follower append (replica fetcher thread): batches fetched from the
 * leader, offsets kept, CRCs already checked by the caller.  Refused with
 * NOT_LEADER_FOR_PARTITION unless this replica is still a follower at
 * leader epoch `epoch` (the fetch went out under that epoch: a role change
 * since then makes its data meaningless here), and with
 * OFFSET_OUT_OF_RANGE unless fetch_offset is the log end offset.  Then
 * the high watermark becomes min(leader_hw, log end offset), never moving
 * back.  *leo receives the log end offset afterwards (also on refusal
 * when the replica still has a log, else -1).
 */
sm_err_t sm_partition_append_follower(sm_partition_t *p, int32_t epoch,
                                      int64_t fetch_offset,
                                      const uint8_t *batches, size_t len,
                                      int64_t leader_hw, int64_t *leo);
/* Follower truncation: drop offsets >= offset (same role/epoch check as
 * above; the leader said its log ends there); the high watermark follows
 * it down.  *leo as above. */
sm_err_t sm_partition_truncate_follower(sm_partition_t *p, int32_t epoch,
                                        int64_t offset, int64_t *leo);
/* Follower role, leader epoch and log end offset, for starting a fetcher;
 * 0 if this replica is not a follower with a log. */
int      sm_partition_follower_state(sm_partition_t *p, int32_t *leader,
                                     int32_t *epoch, int64_t *leo);

/*
 * Leader: replica_id fetched from fetch_offset at now_ms (called for each
 * partition of a Fetch with ReplicaId >= 0 before it is read).  Updates
 * that follower's state and the high watermark; *hw_advanced tells whether
 * it moved (the caller then wakes delayed fetches and produces).
 * NOT_LEADER_FOR_PARTITION unless leading; a replica not assigned to the
 * partition is ignored.
 */
sm_err_t sm_partition_follower_fetched(sm_partition_t *p, int32_t replica_id,
                                       int64_t fetch_offset, int64_t now_ms,
                                       int *hw_advanced);
/* Lock held or not: is replica_id in the ISR? (a snapshot) */
int      sm_partition_in_sync(sm_partition_t *p, int32_t replica_id);

/*
 * acks=all: has the write ending before `required` (last offset + 1) been
 * replicated?  1 when decided, with *err: NONE once the high watermark
 * reached it with at least min_isr replicas in sync,
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below min_isr
 * meanwhile, NOT_LEADER_FOR_PARTITION if this broker lost the leadership.
 * 0 while still waiting (Kafka's checkEnoughReplicasReachOffset).
 */
int      sm_partition_acks_done(sm_partition_t *p, int64_t required,
                                int32_t min_isr, sm_err_t *err);

/*
 * ISR CHANGES ON THE LEADER (Kafka's Partition.maybeShrinkIsr /
 * maybeExpandIsr).  A change is computed under the lock, written to the
 * partition state znode by the caller with no partition lock held (the
 * znode's zkVersion as condition), then applied if the leadership is
 * still the one it was computed under.  isr_update_lock serialises the
 * whole sequence per partition.
 */
typedef struct sm_isr_change {
    int32_t *isr;                   /* heap; the new ISR */
    int32_t  nisr;
    int32_t  leader;
    int32_t  leader_epoch;
    int32_t  controller_epoch;
    int32_t  zk_version;            /* condition of the write */
} sm_isr_change_t;

void sm_isr_change_fini(sm_isr_change_t *chg);

/* Shrink: ISR followers not caught up within lag_max_ms of now_ms leave.
 * 1 and *chg filled when the ISR should change, else 0. */
int      sm_partition_isr_shrink(sm_partition_t *p, int64_t now_ms,
                                 int64_t lag_max_ms, sm_isr_change_t *chg);
/* Expand: replica_id (assigned, not in the ISR) joins once its log end
 * offset reached the high watermark.  1 and *chg filled, else 0. */
int      sm_partition_isr_expand(sm_partition_t *p, int32_t replica_id,
                                 sm_isr_change_t *chg);
/* Apply a written change with the znode's new version; *hw_advanced as
 * for follower_fetched.  NOT_LEADER_FOR_PARTITION (nothing changed) if
 * the leadership moved meanwhile. */
sm_err_t sm_partition_isr_apply(sm_partition_t *p, const sm_isr_change_t *chg,
                                int32_t new_zk_version, int *hw_advanced);

/* OffsetForLeaderEpoch on the leader: where `epoch` ended in this log
 * (sm_log_end_offset_for_epoch); current_epoch >= 0 is fenced as for
 * reads.  NOT_LEADER_FOR_PARTITION unless leading. */
sm_err_t sm_partition_epoch_end(sm_partition_t *p, int32_t current_epoch,
                                int32_t epoch, int32_t *out_epoch,
                                int64_t *end_offset);
/* The latest leader epoch in this replica's log (-1: none, or no log). */
int32_t  sm_partition_log_latest_epoch(sm_partition_t *p);
/* The end offset of `epoch` in this replica's own log (-1/-1 unknown). */
void     sm_partition_log_epoch_end(sm_partition_t *p, int32_t epoch,
                                    int32_t *out_epoch, int64_t *end);

int64_t sm_partition_high_watermark(sm_partition_t *p);
int     sm_partition_is_leader(sm_partition_t *p);

#endif
