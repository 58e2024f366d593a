/*
 * coordinator.h: the group coordinator of one broker (Kafka's
 * GroupCoordinator + the in-memory half of GroupMetadataManager): the
 * groups this broker coordinates, their committed offsets, and the timer
 * that expires sessions and rebalances.
 *
 * THREADS AND LOCKS.  Any I/O handler thread calls in; one ticker thread
 * (started by sm_coord_new) calls sm_grp_tick() on every group every
 * SM_COORD_TICK_MS.  One mutex, co->lock, serialises everything: group
 * state machines, the group map and the offsets.  Parked JoinGroup /
 * SyncGroup callbacks run under it (on the thread whose call or tick
 * completed them): they only encode a response and hand it to the network
 * layer's queue, which does not block.  Never call back into the
 * coordinator from a callback.
 *
 * PERSISTENCE.  Committed offsets and group metadata live in memory and
 * in __consumer_offsets (formats: group_record.h).  The coordinator does
 * no I/O itself: the server installs an append function
 * (sm_coord_set_store) that writes records to partition P of the offsets
 * topic, and it is called with co->lock held, so appends of one broker's
 * coordinator are serialised.  An OffsetCommit is applied in memory only
 * after its append succeeded; group metadata is appended when a group
 * becomes Stable (a new generation and its assignment) or Empty after a
 * generation (members gone), and a failed append of it is logged only.
 *
 * OWNERSHIP.  A group belongs to offsets partition sm_coord_partition_for
 * (group, npartitions).  The server calls sm_coord_load_begin when this
 * broker becomes leader of a partition, replays the partition's records
 * with sm_coord_load_record, then sm_coord_load_done; sm_coord_unload
 * drops its groups when leadership goes.  sm_coord_owns() answers
 * NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS / OK for a partition, and
 * every group call checks it again under the lock.
 *
 * Group ids are NUL-free strings (the caller checks; "" is refused by the
 * handlers with INVALID_GROUP_ID as Kafka does).
 */
#ifndef SM_COORDINATOR_COORDINATOR_H
#define SM_COORDINATOR_COORDINATOR_H

#include <stdint.h>

#include "common/sm_slice.h"
#include "coordinator/group.h"

#define SM_COORD_TICK_MS 50

typedef struct sm_coord sm_coord_t;

sm_coord_t *sm_coord_new(const sm_grp_conf_t *conf);
/* Every group to Dead: parked answers get COORDINATOR_NOT_AVAILABLE, and
 * so does every later call; memory stays until destroy, so handler
 * threads still running may call in safely. */
void        sm_coord_shutdown(sm_coord_t *co);
/* Stops the ticker, shuts down if needed, frees. */
void        sm_coord_destroy(sm_coord_t *co);

/* Kafka's partitionFor: abs(Java String.hashCode(group)) % npartitions,
 * the hash over the UTF-16 code units of the UTF-8 group id (invalid
 * UTF-8 bytes count as U+FFFD, like Java's decoder). */
int32_t     sm_coord_partition_for(sm_str_t group, int32_t npartitions);

void     sm_coord_join(sm_coord_t *co, const char *group,
                       const sm_grp_join_req_t *req);
void     sm_coord_sync(sm_coord_t *co, const char *group, sm_str_t member_id,
                       int32_t generation, int nassign,
                       const sm_grp_assignment_t *assign, sm_grp_sync_fn cb,
                       void *arg);
sm_err_t sm_coord_heartbeat(sm_coord_t *co, const char *group,
                            sm_str_t member_id, int32_t generation);
sm_err_t sm_coord_leave(sm_coord_t *co, const char *group,
                        sm_str_t member_id);

/* One record for __consumer_offsets; value.ptr NULL: a tombstone. */
typedef struct sm_coord_rec {
    sm_bytes_t key;
    sm_bytes_t value;
} sm_coord_rec_t;
/* Append recs to offsets partition `part`, returning once they are
 * written as offsets.commit.required.acks asks; runs with co->lock held
 * on the thread of the call that produced the records. */
typedef sm_err_t (*sm_coord_append_fn)(void *opaque, int32_t part,
                                       const sm_coord_rec_t *recs, int n);
/* Install the append function (before requests arrive).  Without one,
 * offsets and groups live in memory only (unit tests). */
void     sm_coord_set_store(sm_coord_t *co, sm_coord_append_fn fn,
                            void *opaque);

/* Ownership of offsets partitions (see OWNERSHIP above). */
sm_err_t sm_coord_owns(sm_coord_t *co, int32_t part);
void     sm_coord_load_begin(sm_coord_t *co, int32_t part,
                             int32_t npartitions);
/* One record of the partition, in log order (value.ptr NULL: null). */
void     sm_coord_load_record(sm_coord_t *co, int32_t part, sm_bytes_t key,
                              sm_bytes_t value);
/* Returns how many groups the partition holds. */
int      sm_coord_load_done(sm_coord_t *co, int32_t part);
void     sm_coord_unload(sm_coord_t *co, int32_t part);

/* One partition of an OffsetCommit; err is in (SM_OK: commit it) and out
 * (the partition's answer). */
typedef struct sm_coord_commit {
    sm_str_t topic;
    int32_t  partition;
    int64_t  offset;
    int32_t  leader_epoch;      /* -1: none */
    sm_str_t metadata;
    int64_t  commit_ts;         /* -1: now (OffsetCommit v1 may set it) */
    int64_t  expire_ts;         /* -1: none (written as value v3) */
    sm_err_t err;
} sm_coord_commit_t;
/* OffsetCommit: checks that (member, generation) may commit - a missing
 * group is created (Empty) for generation < 0, as Kafka does for simple
 * consumers and admin clients, else ILLEGAL_GENERATION -, appends the
 * offsets of the partitions whose err is SM_OK, then applies them.
 * Returns the group-level error (also copied into each c[i].err). */
sm_err_t sm_coord_commit_offsets(sm_coord_t *co, const char *group,
                                 sm_str_t member_id, int32_t generation,
                                 sm_coord_commit_t *c, int n);
/* The same member/generation check alone, for offsets stored elsewhere
 * (offsets.storage=zookeeper); refreshes the member's session. */
sm_err_t sm_coord_commit_check(sm_coord_t *co, const char *group,
                               sm_str_t member_id, int32_t generation);

/* DeleteGroups: an Empty group is removed, with tombstones for its
 * offsets and (generation > 0) its metadata; GROUP_ID_NOT_FOUND,
 * NON_EMPTY_GROUP, or the ownership errors otherwise. */
sm_err_t sm_coord_delete_group(sm_coord_t *co, const char *group);

/* OffsetDelete: one partition; err in (SM_OK: delete it) and out. */
typedef struct sm_coord_odel {
    sm_str_t topic;
    int32_t  partition;
    sm_err_t err;
} sm_coord_odel_t;
/* Kafka's handleDeleteOffsets: an Empty group loses the offsets asked
 * for; a live "consumer" group only those of topics no member subscribes
 * to (the rest GROUP_SUBSCRIBED_TO_TOPIC); any other live group
 * NON_EMPTY_GROUP.  Removed offsets get tombstones.  Returns the group
 * error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, ownership errors). */
sm_err_t sm_coord_delete_offsets(sm_coord_t *co, const char *group,
                                 sm_coord_odel_t *d, int n);

/* offsets.retention.minutes (as ms; 0: never) and
 * offsets.retention.check.interval.ms: the ticker expires offsets every
 * check_ms (Kafka 2.1+ rules, see coordinator.c), writing tombstones, and
 * drops Empty groups left without offsets. */
void     sm_coord_set_retention(sm_coord_t *co, int64_t retention_ms,
                                int64_t check_ms);
/* One expiry pass at wall-clock time now (the ticker's, or a test's);
 * returns how many offsets expired. */
int      sm_coord_expire_offsets(sm_coord_t *co, int64_t now);

/* One committed offset, as OffsetFetch reports it. */
typedef struct sm_coord_offset {
    const char *topic;
    int32_t     partition;
    int64_t     offset;
    const char *metadata;       /* NULL: null */
} sm_coord_offset_t;
typedef void (*sm_coord_offset_fn)(void *arg, const sm_coord_offset_t *o);

/* The offset of (topic, partition), or -1; *metadata is a heap copy (or
 * NULL) the caller frees. */
int64_t  sm_coord_fetch(sm_coord_t *co, const char *group, sm_str_t topic,
                        int32_t partition, char **metadata);
/* Every committed offset of group (fn runs under the lock). */
void     sm_coord_fetch_all(sm_coord_t *co, const char *group,
                            sm_coord_offset_fn fn, void *arg);

/* ListGroups / DescribeGroups: fn runs under the lock; grp is NULL for a
 * group the coordinator does not know.  ListGroups lists nothing and
 * answers COORDINATOR_LOAD_IN_PROGRESS while a partition loads (Kafka). */
typedef void (*sm_coord_group_fn)(void *arg, const sm_grp_t *grp);
sm_err_t sm_coord_list(sm_coord_t *co, sm_coord_group_fn fn, void *arg);
void     sm_coord_describe(sm_coord_t *co, const char *group,
                           sm_coord_group_fn fn, void *arg);

#endif
