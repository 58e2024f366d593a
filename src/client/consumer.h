/*
 * consumer.h: samsa's consumer (samsa.h, samsa_consumer_*) - internals
 * shared by its files.  Kafka's counterparts: KafkaConsumer (the public
 * calls), Fetcher + SubscriptionState (consumer.c), ConsumerCoordinator
 * and AbstractCoordinator (consumer_group.c, consumer_commit.c) and the
 * coordinator's HeartbeatThread (group_io.c).
 *
 * FILES
 *   consumer.c         the partitions, the fetch rounds, the message
 *                      queue, the manual-mode calls (assign, seek,
 *                      position, pause)
 *   consumer_fetch.c   Fetch on a connection per leader, one kept ahead
 *   consumer_group.c   subscribe, the coordinator, the metadata checks,
 *                      what poll does in group mode, close
 *   group_join.c       joining: JoinGroup, the leader's assignment,
 *                      SyncGroup, revoke/assign callbacks
 *   consumer_commit.c  commits (sync, async, auto), committed offsets
 *                      (OffsetFetch), the commit callbacks and interceptors
 *   group_io.c         the background thread: heartbeats, async commits,
 *                      the poll-interval check
 *
 * THREADS AND LOCKS.  The application thread (one at a time) owns the
 * consumer: c->parts, the queue, c->client (its connections).  A group
 * consumer also has the background thread, which talks to the
 * coordinator on a connection of its own (g->bg_conn).  The fields of
 * sm_cgrp_t marked "lock" are shared and guarded by g->lock; the rest
 * belongs to the application thread.  The background thread never calls
 * application callbacks: finished async commits wait in g->done until
 * the application thread runs their callbacks (sm_cg_run_done()).
 *
 * POSITIONS.  tp->offset is the next offset to fetch; messages fetched
 * and not yet returned wait in c->q.  The position (what commit and
 * position() use) is the offset of tp's first queued message, or
 * tp->offset when none is queued - Java's SubscriptionState position.
 */
#ifndef SM_CLIENT_CONSUMER_H
#define SM_CLIENT_CONSUMER_H

#include <pthread.h>
#include <regex.h>
#include <stdint.h>

#include "client/assignor.h"
#include "client/client.h"
#include "protocol/metadata.h"

/* A logical offset of the group consumer: the group's committed offset
 * is still to be read (OffsetFetch); SAMSA_OFFSET_STORED is what it
 * becomes when there is none (auto.offset.reset). */
#define SM_OFFSET_COMMITTED (-1001)

typedef struct sm_ctp {
    char    *topic;
    int32_t  partition;
    int32_t  leader;                /* -1: unknown; -2: parked (error) */
    int64_t  offset;                /* next to fetch, or SAMSA_OFFSET_* /
                                     * SM_OFFSET_COMMITTED */
    int64_t  committed;             /* last committed by us; -1: none */
    int      paused;
} sm_ctp_t;

typedef struct sm_cgrp sm_cgrp_t;
typedef struct sm_cfetcher sm_cfetcher_t;   /* consumer_fetch.c */

struct samsa_consumer {
    sm_client_conf_t  conf;
    sm_client_t      *client;
    sm_ctp_t         *parts;
    int               nparts;
    samsa_message_t **q;            /* fetched, not yet returned */
    int               qhead, qlen, qcap;
    sm_err_t          pending_err;  /* returned by the next poll */
    char             *pending_msg;
    int               manual;       /* assign() was used */
    int               closed;
    sm_cgrp_t        *grp;          /* NULL: no group.id */
    sm_cfetcher_t   **fetchers;     /* one per leader fetched from */
    int               nfetchers;
};

/* ------------------------------------------------------------ consumer.c */

/* A message of tp from record rec of batch b (one allocation). */
struct sm_batch;
struct sm_record;
samsa_message_t *sm_consumer_msg(const sm_ctp_t *tp, const struct sm_batch *b,
                                 const struct sm_record *rec);
void      sm_consumer_push(samsa_consumer_t *c, samsa_message_t *m);
/* tp takes part in fetching from leader. */
int       sm_consumer_fetchable(const sm_ctp_t *tp, int32_t leader);
/* Set the error the next poll returns (fmt takes topic, partition and
 * the error's message), unless one is pending. */
void      sm_consumer_fail(samsa_consumer_t *c, sm_err_t err,
                           const char *fmt, const sm_ctp_t *tp);

/* ------------------------------------------------------------ consumer_fetch.c */

/* A Fetch round with leader for its fetchable partitions: read the Fetch
 * kept ahead if one is out, else send one; wait for the answer up to
 * wait_ms and queue its records; keep the next Fetch ahead. */
void      sm_consumer_fetch(samsa_consumer_t *c, int32_t leader,
                            int32_t wait_ms);
void      sm_consumer_fetchers_destroy(samsa_consumer_t *c);

sm_ctp_t *sm_consumer_find(samsa_consumer_t *c, const char *topic,
                           int32_t partition);
/* Add tp (at offset) if it is not assigned yet; returns it. */
sm_ctp_t *sm_consumer_add(samsa_consumer_t *c, const char *topic,
                          int32_t partition, int64_t offset);
/* Drop every partition and queued message. */
void      sm_consumer_clear(samsa_consumer_t *c);
/* tp's position (see above); < 0 while its offset is logical. */
int64_t   sm_consumer_position(const samsa_consumer_t *c,
                               const sm_ctp_t *tp);
/* Drop tp's queued messages, rewinding tp->offset to its position. */
void      sm_consumer_rewind(samsa_consumer_t *c, sm_ctp_t *tp);
/* Resolve every SAMSA_OFFSET_* offset whose leader is known. */
void      sm_consumer_resolve_all(samsa_consumer_t *c, int64_t deadline);
/* Leaders of the assigned partitions from Metadata. */
void      sm_consumer_refresh_leaders(samsa_consumer_t *c,
                                      int64_t deadline);
/* Up to cap queued messages (interceptors' on_consume applied), or the
 * pending error; fetching until timeout (deadline) if none is queued.
 * ready() (may be NULL) is asked before each fetch round: nonzero means
 * stop and return what there is (a rebalance is due). */
sm_err_t  sm_consumer_take(samsa_consumer_t *c, int64_t deadline,
                           samsa_message_t **msgs, int cap, int *cntp,
                           char **errmsg, int (*ready)(samsa_consumer_t *));

/* ------------------------------------------------------------ group */

typedef enum sm_cg_state {
    SM_CG_UNJOINED,                 /* not a member (yet, or any more) */
    SM_CG_REBALANCING,              /* JoinGroup/SyncGroup under way */
    SM_CG_STABLE                    /* has an assignment of generation */
} sm_cg_state_t;

/* An async (or auto) commit for the background thread. */
typedef struct sm_commit_job {
    samsa_partition_offset_t *offsets;   /* owned */
    int              cnt;
    samsa_commit_cb *cb;            /* NULL: none to call */
    void            *opaque;
    sm_err_t         err;           /* the outcome, once done */
    struct sm_commit_job *next;
} sm_commit_job_t;

struct sm_cgrp {
    /* application thread */
    char          **topics;         /* subscribed (pattern: matched), sorted */
    int             ntopics;
    int             subscribed;     /* subscribe() or _pattern() called */
    regex_t         re;
    int             has_re;
    int64_t         next_md_check;  /* mono ms: pattern / counts check */
    int64_t         next_auto_commit;
    const sm_assignor_t *assignor;  /* the group's protocol, last join */
    sm_asg_topic_t *counts;         /* leader: partition counts it used */
    int             ncounts;
    int             leader;         /* this member led the last join */
    int             has_assignment; /* assigned since the last revoke */
    samsa_topic_partition_t *owned; /* the last assignment (sticky) */
    int             nowned;

    /* shared, under lock */
    pthread_mutex_t lock;
    pthread_cond_t  cond;           /* wakes the background thread; and
                                     * the application waiting for jobs */
    pthread_t       thread;
    int             thread_started;
    int             stop;
    int32_t         coord_id;       /* -1: unknown */
    char           *coord_host;
    int             coord_port;
    char           *member_id;      /* "" before the first join */
    int32_t         generation;     /* -1: none */
    sm_cg_state_t   state;
    int             need_rejoin;
    int             auto_assigned;  /* subscribed (not manual) */
    int64_t         last_poll;      /* mono ms of the last poll */
    int64_t         next_hb;        /* mono ms of the next heartbeat */
    int64_t         last_hb_ok;     /* mono ms of the last answered one */
    sm_commit_job_t *jobs, **jobs_tail;   /* to send */
    sm_commit_job_t *done, **done_tail;   /* sent; callbacks to run */
    int             busy;           /* a job is being sent */

    /* background thread */
    sm_client_conn_t *bg_conn;
};

/* consumer_group.c */
sm_err_t sm_cg_new(samsa_consumer_t *c, char *errstr, size_t errstr_size);
void     sm_cg_destroy(samsa_consumer_t *c);
/* Before fetching in poll: auto commit, a due rebalance (join/sync,
 * callbacks, committed offsets). */
sm_err_t sm_cg_poll_prepare(samsa_consumer_t *c, int64_t deadline,
                            char **errmsg);
/* Nonzero when the group wants the application thread to rejoin. */
int      sm_cg_rejoin_due(samsa_consumer_t *c);
/* Mark the coordinator unknown (both threads; takes the lock). */
void     sm_cg_coord_lost(sm_cgrp_t *g);
/* Forget member id and generation: the next join is a fresh one. */
void     sm_cg_reset_member(sm_cgrp_t *g);

/* Send a request to the coordinator (found first if unknown) over
 * c->client; a failure forgets the coordinator. */
sm_err_t sm_cg_call(samsa_consumer_t *c, int16_t key, int16_t max,
                    sm_client_body_fn fn, const void *arg, int64_t deadline,
                    sm_client_resp_t *resp, char *errstr,
                    size_t errstr_size);
/* Metadata for topics (NULL: all); md borrows resp's bytes: free md,
 * then resp. */
sm_err_t sm_cg_metadata(samsa_consumer_t *c, char *const *topics, int n,
                        int64_t deadline, sm_client_resp_t *resp,
                        sm_MetadataResponse_t *md);

/* group_join.c */
/* One join attempt: prepare (commit, revoke), JoinGroup, the leader's
 * assignment, SyncGroup, install the assignment, the assigned callback.
 * SM_OK: stable; else the error (sm_cg_join_retriable says whether poll
 * should try again). */
sm_err_t sm_cg_join(samsa_consumer_t *c, int64_t deadline, char *errstr,
                    size_t errstr_size);
int      sm_cg_join_retriable(sm_err_t err);
/* Eager revoke: auto commit, the revoked callback, drop the assignment
 * (nothing happens if there is none). */
void     sm_cg_revoke(samsa_consumer_t *c);

/* consumer_commit.c */
/* OffsetFetch for every SM_OFFSET_COMMITTED partition. */
sm_err_t sm_cg_fetch_committed(samsa_consumer_t *c, int64_t deadline,
                               char **errmsg);
/* The positions of every assigned partition that moved since its last
 * commit (heap; NULL with *cntp 0 if none). */
samsa_partition_offset_t *sm_cg_positions(samsa_consumer_t *c, int *cntp);
/* Queue an auto commit if one is due. */
void     sm_cg_maybe_auto_commit(samsa_consumer_t *c);
/* Run the callbacks of finished async commits. */
void     sm_cg_run_done(samsa_consumer_t *c);
/* Wait (until deadline) for queued async commits, then run callbacks. */
void     sm_cg_drain_jobs(samsa_consumer_t *c, int64_t deadline);
/* One OffsetCommit of offsets over conn (the background thread's) or
 * c->client (conn NULL), with the storage the conf names; per-partition
 * errors into offsets[i].err; the first error is returned. */
sm_err_t sm_cg_commit_once(samsa_consumer_t *c, sm_client_conn_t *conn,
                           samsa_partition_offset_t *offsets, int cnt,
                           int64_t deadline, char *errstr,
                           size_t errstr_size);
/* After a successful commit: remember and tell the interceptors. */
void     sm_cg_committed_ok(samsa_consumer_t *c,
                            const samsa_partition_offset_t *offsets,
                            int cnt);

/* group_join.c: free g->counts (the leader's partition counts). */
void     sm_cg_free_counts(sm_cgrp_t *g);

/* group_io.c */
/* pthread_cond_timedwait until deadline (monotonic ms; cond was made
 * with CLOCK_MONOTONIC). */
int      sm_cg_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock,
                         int64_t deadline);
void     sm_cg_io_start(samsa_consumer_t *c);
void     sm_cg_io_stop(samsa_consumer_t *c);
/* Send LeaveGroup for the current member (not for a static member);
 * conn NULL: over c->client. */
void     sm_cg_leave(samsa_consumer_t *c, sm_client_conn_t *conn,
                     const char *reason);

#endif
