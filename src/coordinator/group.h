/*
 * group.h: one consumer group's membership and rebalance state machine
 * (Kafka's coordinator/group GroupMetadata + the per-group half of
 * GroupCoordinator, classic protocol, one broker).
 *
 * STATES (sm_grp_set_state() is the only writer and checks the edges):
 *
 *      +---------------------- last member leaves / expires ----+
 *      v                                                         |
 *   Empty --join--> PreparingRebalance --all joined / timeout--> |
 *                      ^      |        (sm_grp_complete_join)    |
 *                      |      v                                  |
 *                      |  CompletingRebalance --leader sync--> Stable
 *                      |      |                                  |
 *                      +------+---- join/leave/expiry -----------+
 *   any state --> Dead (group unloaded or deleted; terminal)
 *
 *   Empty               no members; offsets may still be committed with
 *                       generation -1.  Join: PreparingRebalance with the
 *                       initial delay (group.initial.rebalance.delay.ms).
 *   PreparingRebalance  waiting for every member to (re)join, at most the
 *                       largest rebalance timeout.  Members that did not
 *                       rejoin by then are removed.  JoinGroup answers
 *                       are parked (member->join_cb) until then.
 *   CompletingRebalance the generation is out; waiting for the leader's
 *                       SyncGroup.  Followers' SyncGroup answers are
 *                       parked (member->sync_cb).
 *   Stable              assignment handed out; heartbeats keep members.
 *   Dead                nothing is accepted (COORDINATOR_NOT_AVAILABLE).
 *
 * TIME.  Nothing here reads a clock or starts a timer: every entry point
 * takes `now` (ms), and sm_grp_tick(now) performs what is due (session
 * expiry of members and of pending member ids, the rebalance deadline, the
 * initial delay).  The coordinator calls tick from its timer, tests call it
 * with a fake clock; sm_grp_next_deadline() tells when it is next needed.
 *
 * CALLBACKS.  A parked JoinGroup/SyncGroup answer is a callback + arg that
 * the group calls exactly once: with the result, with an error when the
 * member is removed or the rebalance restarts, or from sm_grp_destroy()
 * (COORDINATOR_NOT_AVAILABLE).  Callbacks run on the caller's thread with
 * the caller's lock held; they must only copy the result out (the result
 * and its strings are valid during the call only) and must not call back
 * into the group.
 *
 * Thread-safety: none inside.  The coordinator serialises every call on a
 * group with its own mutex.
 */
#ifndef SM_COORDINATOR_GROUP_H
#define SM_COORDINATOR_GROUP_H

#include <stdint.h>

#include "common/sm_err.h"
#include "common/sm_slice.h"
#include "coordinator/group_record.h"

typedef enum sm_grp_state {
    SM_GRP_EMPTY = 0,
    SM_GRP_PREPARING_REBALANCE,
    SM_GRP_COMPLETING_REBALANCE,
    SM_GRP_STABLE,
    SM_GRP_DEAD,
} sm_grp_state_t;

typedef struct sm_grp sm_grp_t;

typedef struct sm_grp_conf {
    int32_t initial_rebalance_delay_ms;     /* group.initial.rebalance... */
    int32_t min_session_timeout_ms;         /* group.min.session.timeout.ms */
    int32_t max_session_timeout_ms;         /* group.max.session.timeout.ms */
    int32_t max_size;                       /* group.max.size */
} sm_grp_conf_t;

/* One (name, metadata) pair of a JoinGroup; borrowed, the group copies. */
typedef struct sm_grp_proto {
    sm_str_t   name;
    sm_bytes_t metadata;
} sm_grp_proto_t;

/* A member as the leader sees it in its JoinGroup answer. */
typedef struct sm_grp_member_info {
    const char *member_id;
    sm_bytes_t  metadata;       /* for the chosen protocol */
    const char *instance_id;    /* static members only, else NULL */
} sm_grp_member_info_t;

typedef struct sm_grp_join_result {
    sm_err_t    err;
    int32_t     generation;     /* -1 on error */
    const char *protocol;       /* "" on error */
    const char *leader;         /* "" on error */
    const char *member_id;      /* the caller's (possibly new) id */
    int         nmembers;       /* leader only, else 0 */
    const sm_grp_member_info_t *members;
} sm_grp_join_result_t;

typedef void (*sm_grp_join_fn)(void *arg, const sm_grp_join_result_t *res);
typedef void (*sm_grp_sync_fn)(void *arg, sm_err_t err, sm_bytes_t assign);

typedef struct sm_grp_join_req {
    sm_str_t        member_id;          /* "" for a new member */
    sm_str_t        client_id;
    sm_str_t        client_host;
    int32_t         session_timeout_ms;
    int32_t         rebalance_timeout_ms;
    sm_str_t        protocol_type;
    int             nprotocols;
    const sm_grp_proto_t *protocols;
    int             require_known_member_id;    /* JoinGroup v4+ */
    sm_grp_join_fn  cb;
    void           *arg;
    sm_str_t        group_instance_id;  /* v5+ static member; len <= 0:
                                           none (zero-initialised) */
} sm_grp_join_req_t;

typedef struct sm_grp_assignment {
    sm_str_t   member_id;
    sm_bytes_t assignment;
} sm_grp_assignment_t;

sm_grp_t       *sm_grp_new(const char *group_id, const sm_grp_conf_t *conf);
/* Answers every parked callback with COORDINATOR_NOT_AVAILABLE, frees. */
void            sm_grp_destroy(sm_grp_t *grp);

const char     *sm_grp_id(const sm_grp_t *grp);
sm_grp_state_t  sm_grp_state(const sm_grp_t *grp);
const char     *sm_grp_state_name(sm_grp_state_t st);
int32_t         sm_grp_generation(const sm_grp_t *grp);
int             sm_grp_size(const sm_grp_t *grp);
const char     *sm_grp_protocol_type(const sm_grp_t *grp);   /* "" if none */
const char     *sm_grp_protocol(const sm_grp_t *grp);        /* "" if none */
const char     *sm_grp_leader(const sm_grp_t *grp);          /* "" if none */

/* JoinGroup; the answer always comes through req->cb (maybe at once). */
void     sm_grp_join(sm_grp_t *grp, const sm_grp_join_req_t *req,
                     int64_t now);
/* SyncGroup; the answer always comes through cb (maybe at once). */
void     sm_grp_sync(sm_grp_t *grp, sm_str_t member_id, int32_t generation,
                     int nassign, const sm_grp_assignment_t *assign,
                     sm_grp_sync_fn cb, void *arg, int64_t now);
sm_err_t sm_grp_heartbeat(sm_grp_t *grp, sm_str_t member_id,
                          int32_t generation, int64_t now);
sm_err_t sm_grp_leave(sm_grp_t *grp, sm_str_t member_id, int64_t now);
/* May (member_id, generation) commit offsets now?  Refreshes the
 * member's session like a heartbeat when it may. */
sm_err_t sm_grp_validate_commit(sm_grp_t *grp, sm_str_t member_id,
                                int32_t generation, int64_t now);
/* Perform what is due at `now`. */
void     sm_grp_tick(sm_grp_t *grp, int64_t now);
/* Earliest time tick has something to do; INT64_MAX if none. */
int64_t  sm_grp_next_deadline(const sm_grp_t *grp);
/* Persist the group when the leader's SyncGroup brings a new generation
 * and its assignment (called in CompletingRebalance, members' assignments
 * set); an error is answered to every parked SyncGroup and the group
 * rebalances again.  Runs under the caller's lock; must not call back
 * into the group. */
typedef sm_err_t (*sm_grp_store_fn)(void *arg, const sm_grp_t *grp);
void     sm_grp_set_store(sm_grp_t *grp, sm_grp_store_fn fn, void *arg);

/* Loading from __consumer_offsets (Kafka's GroupMetadata.loadGroup): the
 * group takes a stored metadata value wholesale - generation, protocol
 * type and protocol (NULL: none), leader and members with their
 * subscriptions (for protocol) and assignments - and is Stable when it
 * has members and a protocol, else Empty.  Each member's session starts
 * at now, so members that do not heartbeat to this coordinator expire
 * and the group rebalances, as in Kafka; those that do carry on without
 * one.  A later record replaces what an earlier one loaded.  No-op
 * unless the group is Empty or Stable with nothing parked (a rebalancing
 * or Dead group is live, not loaded). */
void     sm_grp_load(sm_grp_t *grp, int32_t generation,
                     const char *protocol_type, const char *protocol,
                     sm_str_t leader, const sm_grec_member_t *members,
                     int nmembers, int64_t now);
/* To Dead, answering parked callbacks with COORDINATOR_NOT_AVAILABLE. */
void     sm_grp_kill(sm_grp_t *grp);
/* The same, answering with err (NOT_COORDINATOR when the group's offsets
 * partition is unloaded, as Kafka's onGroupUnloaded does). */
void     sm_grp_kill_with(sm_grp_t *grp, sm_err_t err);

/* Member i (0 <= i < size), for DescribeGroups. */
typedef struct sm_grp_member_view {
    const char *member_id;
    const char *client_id;
    const char *client_host;
    sm_bytes_t  metadata;       /* for the chosen protocol, else empty */
    sm_bytes_t  assignment;
    int32_t     session_timeout_ms;
    int32_t     rebalance_timeout_ms;
    const char *instance_id;    /* static member, else NULL */
} sm_grp_member_view_t;
void     sm_grp_member(const sm_grp_t *grp, int i, sm_grp_member_view_t *v);

#endif
