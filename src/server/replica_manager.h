/*
 * replica_manager.h: the partitions this broker hosts (Kafka's
 * ReplicaManager): applies the controller's LeaderAndIsr / StopReplica
 * decisions, creates and deletes their logs, and is the one place the
 * Produce and Fetch handlers go through to reach a partition.
 *
 * Threads: any I/O-handler thread (Produce, Fetch, ListOffsets), the
 * controller thread or the handler of a remote LeaderAndIsr (role changes).
 * rm->lock guards the partition map only; it is never held while calling
 * into a partition, a log or a purgatory.  Lock order: rm -> partition ->
 * log.
 */
#ifndef SM_SERVER_REPLICA_MANAGER_H
#define SM_SERVER_REPLICA_MANAGER_H

#include <stdint.h>

#include "common/sm_err.h"
#include "log/log.h"
#include "server/metadata_cache.h"
#include "server/partition.h"
#include "server/purgatory.h"
#include "server/isr_announce.h"
#include "server/replica_fetcher.h"

typedef struct sm_rm sm_rm_t;

/* Supplies a topic's effective log configuration (broker defaults overlaid
 * with /config/topics/<topic>).  Called without rm locks held. */
typedef sm_err_t (*sm_rm_topic_config_fn)(void *opaque, const char *topic,
                                          sm_log_config_t *out);

sm_rm_t *sm_rm_new(int32_t local_id, sm_logmgr_t *logmgr,
                   sm_rm_topic_config_fn topic_config, void *opaque);
void     sm_rm_destroy(sm_rm_t *rm);
/* Purgatory to poke (check_and_complete on the partition key) after every
 * append and high-watermark change; may be NULL. */
void     sm_rm_set_fetch_purgatory(sm_rm_t *rm, sm_purgatory_t *purg);

/* Purgatory of acks=all produces (keyed like fetches); may be NULL. */
void     sm_rm_set_produce_purgatory(sm_rm_t *rm, sm_purgatory_t *purg);
/* A follower's fetch of p reached the leader (see
 * sm_partition_follower_fetched); wakes delayed fetches and produces on p
 * when the high watermark moved.  Not from inside a purgatory callback. */
void     sm_rm_follower_fetched(sm_rm_t *rm, sm_partition_t *p,
                                int32_t replica_id, int64_t fetch_offset);

/*
 * ISR maintenance on the leader (issue 4 §2): writes a new ISR to the
 * partition state znode, conditional on chg->zk_version; *new_zk_version
 * is the znode's version afterwards.  Written changes are announced in
 * batches (isr_announce.h) through the announce function.  SM_ERR__BAD_VERSION when someone else (the controller)
 * wrote it first: the change is dropped, the controller's next
 * LeaderAndIsr carries the truth.  Runs with no rm or partition lock.
 */
typedef sm_err_t (*sm_rm_isr_write_fn)(void *opaque, const char *topic,
                                       int32_t partition,
                                       const sm_isr_change_t *chg,
                                       int32_t *new_zk_version);
/* Announce a batch of written ISR changes to the controller (one
 * /isr_change_notification znode).  Runs on the ISR thread, or on the
 * thread stopping it. */
typedef void (*sm_rm_isr_announce_fn)(void *opaque, const sm_zk_tps_t *tps);
/* Start the ISR thread: every lag_max_ms / 2 each led partition drops
 * followers not caught up for lag_max_ms (replica.lag.time.max.ms);
 * followers join as soon as a fetch reaches the high watermark
 * (sm_rm_follower_fetched); batches of changes are announced when due.
 * Stopped by sm_rm_destroy. */
void     sm_rm_start_isr(sm_rm_t *rm, sm_rm_isr_write_fn write,
                         sm_rm_isr_announce_fn announce, void *opaque,
                         int64_t lag_max_ms);
/* Announce the written ISR changes if a batch is due (force: if any). */
void     sm_rm_announce_isr(sm_rm_t *rm, int force);
/* Stop the ISR thread (before the ZooKeeper session goes), announcing
 * what was written; no ISR change is written afterwards.  Idempotent. */
void     sm_rm_stop_isr(sm_rm_t *rm);
/* One shrink pass now (the ISR thread's body; tests). */
void     sm_rm_shrink_isr(sm_rm_t *rm, int64_t now_ms);

/* Fetcher manager that follower partitions are handed to (and taken
 * from when they lead or stop); may be NULL (no replication). */
void     sm_rm_set_fetcher(sm_rm_t *rm, sm_rfm_t *rfm);

/* The hosted partition, with a reference (release it), or NULL. */
sm_partition_t *sm_rm_get(sm_rm_t *rm, const char *topic, int32_t index);

/*
 * Apply a LeaderAndIsr: for each state naming this broker as a replica,
 * open or create the log and become leader or follower.  errs[i] receives
 * the per-partition result.  Returns STALE_CONTROLLER_EPOCH (and changes
 * nothing) if controller_epoch is older than one already seen.
 */
sm_err_t sm_rm_leader_and_isr(sm_rm_t *rm, int32_t controller_id,
                              int32_t controller_epoch,
                              const sm_pstate_t *states, int n,
                              sm_err_t *errs);
/*
 * The controller-epoch fence every control request passes (Kafka's
 * ReplicaManager.controllerEpoch under replicaStateChangeLock):
 * STALE_CONTROLLER_EPOCH if controller_epoch is older than the newest one
 * seen, else remember it and SM_OK.  LeaderAndIsr and StopReplica apply it
 * themselves; UpdateMetadata calls it before touching the metadata cache.
 */
sm_err_t sm_rm_fence_controller(sm_rm_t *rm, int32_t controller_epoch);
/* Stop serving a partition; with del, delete its log.  Fenced as above. */
sm_err_t sm_rm_stop_replica(sm_rm_t *rm, int32_t controller_epoch,
                            const char *topic, int32_t index, int del);

/* Append through the partition, then wake delayed fetches on it. */
sm_err_t sm_rm_append(sm_rm_t *rm, sm_partition_t *p, uint8_t *batches,
                      size_t len, int16_t acks, int32_t min_isr,
                      int log_append_time, sm_append_result_t *res);

/* Number of hosted partitions and how many this broker leads. */
void     sm_rm_counts(sm_rm_t *rm, int *hosted, int *leading);

#endif
