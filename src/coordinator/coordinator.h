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
 * OFFSETS.  Kept in memory per group: (topic, partition) -> offset,
 * metadata, commit timestamp.  Writing them to __consumer_offsets and
 * loading them back is not done yet (see the report of issue 5); until
 * then they live as long as the broker process.
 *
 * Group ids are NUL-free strings (the caller checks; "" is refused by the
 * handlers with INVALID_GROUP_ID as Kafka does).
 */
#ifndef SM_COORDINATOR_COORDINATOR_H
#define SM_COORDINATOR_COORDINATOR_H

#include <stdint.h>

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

/* OffsetCommit: may this (member, generation) commit?  A missing group is
 * created (Empty) for generation < 0, as Kafka does for simple consumers
 * and admin clients, else ILLEGAL_GENERATION. */
sm_err_t sm_coord_commit_check(sm_coord_t *co, const char *group,
                               sm_str_t member_id, int32_t generation);
/* Record one offset (after a successful check). */
void     sm_coord_commit(sm_coord_t *co, const char *group, sm_str_t topic,
                         int32_t partition, int64_t offset,
                         sm_str_t metadata);

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
 * group the coordinator does not know. */
typedef void (*sm_coord_group_fn)(void *arg, const sm_grp_t *grp);
void     sm_coord_list(sm_coord_t *co, sm_coord_group_fn fn, void *arg);
void     sm_coord_describe(sm_coord_t *co, const char *group,
                           sm_coord_group_fn fn, void *arg);

#endif
