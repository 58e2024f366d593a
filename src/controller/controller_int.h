/*
 * controller_int.h: private to src/controller/ - the controller's event
 * queue, its context (Kafka's ControllerContext), the request batch, the
 * partition and replica state machines and the topic deletion manager.
 *
 * FILES (one Kafka class each, so a Kafka reader finds things):
 *   controller.c            lifecycle, event queue and thread, dispatch of
 *                           ZooKeeper and internal events
 *                           (ControllerEventManager, KafkaController.process)
 *   controller_election.c   election, failover, resignation, session
 *                           expiry (KafkaController: elect, maybeResign,
 *                           onControllerFailover, onControllerResignation)
 *   controller_handlers.c   reactions to brokers, topics, partitions and
 *                           deletions (KafkaController: processBrokerChange,
 *                           onBrokerStartup, onBrokerFailure, ...)
 *   controller_context.c    ControllerContext: brokers, topics,
 *                           assignments, leadership, states
 *   controller_batch.c      ControllerBrokerRequestBatch -> the channel
 *   partition_sm.c          PartitionStateMachine + leader election
 *   replica_sm.c            ReplicaStateMachine
 *   topic_deletion.c        TopicDeletionManager
 *   elect_leaders.c         the ElectLeaders request
 *                           (processReplicaLeaderElection, admin-triggered)
 *
 * THREADS.  Everything here except the queue (sm_ctl_queue_*) and the
 * StopReplica completion runs on the controller thread and takes no lock.
 * The queue is shared with the ZooKeeper notify hook, StopReplica
 * completions and sm_controller_enqueue() callers; q->lock guards it and is
 * never held while calling out.
 *
 * ERRORS.  Functions that touch ZooKeeper return sm_err_t.
 * SM_ERR_NOT_CONTROLLER (a fenced write lost: another controller was
 * elected) aborts the event at once and propagates to the dispatcher,
 * which resigns (Kafka's ControllerMovedException).  Per-partition failures
 * (no live replica, a bad znode) are logged as failed state changes and do
 * not stop the others.  SM_ERR__ZK_UNAVAILABLE / _ZK_SESSION_EXPIRED
 * propagate too: the dispatcher retries the event after a back-off, since
 * the watch it would re-arm may not be set.
 *
 * EXTENDING.  The replication work adds: ISR change notifications and
 * AlterIsr (an event + a handler in controller_handlers.c that refreshes
 * leadership from ZooKeeper and sends UpdateMetadata), reassignment (fills
 * part->adding/removing, new election strategies in partition_sm.c: the
 * strategy enum is where they go), preferred and auto election (strategy
 * PREFERRED, a delayed event as the scheduler), controlled shutdown
 * (ctx shutting-down set; is_replica_online() learns to exclude it) and a
 * network channel (controller.h's channel callbacks).
 */
#ifndef SM_CONTROLLER_CONTROLLER_INT_H
#define SM_CONTROLLER_CONTROLLER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "common/sm_map.h"
#include "controller/controller.h"
#include "zk/kafka_zk.h"

#define SM_CTL_LOG "controller"
#define SM_CTL_MAX_WATCHES 16

/* ------------------------------------------------------------ states */

/*
 * Partition states (Kafka's PartitionState) and the transitions
 * sm_ctl_psm_set_state() allows (validPreviousStates):
 *
 *   NonExistent --> New --> Online <--> Offline --> NonExistent
 *                    |        ^  |         ^
 *                    |        +--+         |   (Online -> Online:
 *                    +---------------------+    re-election)
 */
typedef enum sm_ctl_pst {
    SM_CTL_PST_NONEXISTENT = 0,
    SM_CTL_PST_NEW,
    SM_CTL_PST_ONLINE,
    SM_CTL_PST_OFFLINE,
    SM_CTL_PST_CNT
} sm_ctl_pst_t;

/*
 * Replica states (Kafka's ReplicaState); validPreviousStates:
 *   New                 <- NonExistent
 *   Online              <- New, Online, Offline, DeletionIneligible
 *   Offline             <- New, Online, Offline, DeletionIneligible
 *   DeletionStarted     <- Offline
 *   DeletionSuccessful  <- DeletionStarted
 *   DeletionIneligible  <- Offline, DeletionStarted
 *   NonExistent         <- DeletionSuccessful
 */
typedef enum sm_ctl_rst {
    SM_CTL_RST_NONEXISTENT = 0,
    SM_CTL_RST_NEW,
    SM_CTL_RST_ONLINE,
    SM_CTL_RST_OFFLINE,
    SM_CTL_RST_DELETION_STARTED,
    SM_CTL_RST_DELETION_SUCCESSFUL,
    SM_CTL_RST_DELETION_INELIGIBLE,
    SM_CTL_RST_CNT
} sm_ctl_rst_t;

const char *sm_ctl_pst_name(sm_ctl_pst_t st);   /* "OnlinePartition" */
const char *sm_ctl_rst_name(sm_ctl_rst_t st);   /* "OfflineReplica" */

/* Leader election strategies (PartitionLeaderElectionStrategy), their
 * algorithm in partition_sm.c (sm_ctl_choose). */
typedef enum sm_ctl_strategy {
    SM_CTL_ELECT_OFFLINE = 0,           /* unclean per topic config */
    SM_CTL_ELECT_OFFLINE_UNCLEAN,       /* allowUnclean = true */
    SM_CTL_ELECT_PREFERRED,             /* the first assigned replica, if
                                         * live and in the ISR; ISR kept */
    SM_CTL_ELECT_REASSIGN_START,        /* leader kept, leader epoch + 1
                                         * (updateLeaderEpoch) */
    SM_CTL_ELECT_REASSIGN,              /* the current leader if in
                                         * reassign_to, live and in the ISR,
                                         * else the first such replica of
                                         * reassign_to; ISR kept */
    SM_CTL_ELECT_CONTROLLED_SHUTDOWN,   /* the first assigned replica live,
                                         * in the ISR and not shutting down;
                                         * shutting-down brokers leave the
                                         * ISR */
} sm_ctl_strategy_t;

/* ------------------------------------------------------------ context */

typedef struct sm_ctl_broker {
    sm_md_broker_t md;          /* id, rack, endpoints */
    int64_t epoch;              /* czxid of /brokers/ids/<id> */
    int shutting_down;          /* in controlled shutdown (Kafka's
                                 * shuttingDownBrokerIds): live, but no
                                 * longer an election candidate; cleared
                                 * by a new registration */
} sm_ctl_broker_t;

struct sm_ctl_topic;

/* One partition.  rst[i] is the state of replica replicas.v[i]. */
typedef struct sm_ctl_part {
    struct sm_ctl_topic *top;
    int32_t partition;
    sm_zk_ints_t replicas;      /* assignment, preferred replica first */
    sm_zk_ints_t adding;        /* KIP-455 (kept for reassignment) */
    sm_zk_ints_t removing;
    sm_zk_ints_t reassign_to;   /* reassignment in progress: the target
                                 * replicas (RAR); empty otherwise */
    sm_ctl_rst_t *rst;
    sm_ctl_pst_t pst;
    int has_lis;                /* lis is known (state znode read/written) */
    sm_zk_part_state_t lis;     /* leader, leader epoch, ISR, controller
                                 * epoch and zkVersion of the state znode */
    int elect_mark;             /* elect_leaders.c: already in this
                                 * request's list (reset before return) */
} sm_ctl_part_t;

typedef struct sm_ctl_topic {
    char *name;
    char *topic_id;             /* NULL if the topic znode has none */
    sm_ctl_part_t **parts;      /* sorted by partition; each on the heap
                                 * so pointers survive adding partitions */
    int nparts;
    int del_queued;             /* topicsToBeDeleted */
    int del_started;            /* topicsWithDeletionStarted */
    int del_ineligible;         /* topicsIneligibleForDeletion */
} sm_ctl_topic_t;

/* ControllerContext.  Valid only while active; reset on resignation. */
typedef struct sm_ctl_ctx {
    int32_t epoch;              /* controller epoch won */
    int32_t epoch_zkv;          /* its zkVersion: the write fence */
    sm_ctl_broker_t *brokers;   /* live brokers, sorted by id */
    int nbrokers;
    sm_map_t topics;            /* name -> sm_ctl_topic_t* */
} sm_ctl_ctx_t;

/* Transient lists (valid within one event). */
typedef struct sm_ctl_parts {
    sm_ctl_part_t **v;
    int cnt, cap;
} sm_ctl_parts_t;

typedef struct sm_ctl_rep {     /* Kafka's PartitionAndReplica */
    sm_ctl_part_t *part;
    int32_t id;
} sm_ctl_rep_t;

typedef struct sm_ctl_reps {
    sm_ctl_rep_t *v;
    int cnt, cap;
} sm_ctl_reps_t;

typedef struct sm_ctl_topics {
    sm_ctl_topic_t **v;
    int cnt, cap;
} sm_ctl_topics_t;

void sm_ctl_ctx_init(sm_ctl_ctx_t *ctx);
/* Drop everything (resignation); epoch and fence become -1. */
void sm_ctl_ctx_reset(sm_ctl_ctx_t *ctx);

sm_ctl_broker_t *sm_ctl_ctx_broker(sm_ctl_ctx_t *ctx, int32_t id);
int  sm_ctl_ctx_is_live(sm_ctl_ctx_t *ctx, int32_t id);
/* Add or replace a live broker from its registration (copied). */
void sm_ctl_ctx_put_broker(sm_ctl_ctx_t *ctx, int32_t id, int64_t epoch,
                           const sm_zk_broker_t *zb);
void sm_ctl_ctx_remove_broker(sm_ctl_ctx_t *ctx, int32_t id);
/* A registration as UpdateMetadata carries it (dst freed by the caller
 * with sm_md_broker_fini). */
void sm_ctl_broker_from_zk(sm_md_broker_t *dst, int32_t id,
                           const sm_zk_broker_t *zb);
/* 1 if the endpoints or the rack differ. */
int  sm_ctl_broker_differs(const sm_md_broker_t *a, const sm_md_broker_t *b);

sm_ctl_topic_t *sm_ctl_ctx_topic(sm_ctl_ctx_t *ctx, const char *name);
/* The topic, created empty if missing. */
sm_ctl_topic_t *sm_ctl_ctx_add_topic(sm_ctl_ctx_t *ctx, const char *name);
/* Remove and free the topic and its partitions: every pointer to them is
 * dangling afterwards. */
void sm_ctl_ctx_remove_topic(sm_ctl_ctx_t *ctx, const char *name);
/* Topics sorted by name (for deterministic request order). */
void sm_ctl_ctx_topics(sm_ctl_ctx_t *ctx, sm_ctl_topics_t *out);

sm_ctl_part_t *sm_ctl_topic_part(const sm_ctl_topic_t *top, int32_t p);
/* Add partition p with assignment a (copied); it must not exist. */
sm_ctl_part_t *sm_ctl_topic_add_part(sm_ctl_topic_t *top,
                                     const sm_zk_assignment_t *a);

/* Replica helpers. */
int  sm_ctl_part_replica_idx(const sm_ctl_part_t *part, int32_t id);
int  sm_ctl_is_replica_online(sm_ctl_ctx_t *ctx, const sm_ctl_part_t *part,
                              int32_t id);
/* Kafka's replicaState(): NonExistent if the replica is not assigned. */
sm_ctl_rst_t sm_ctl_rep_state(const sm_ctl_rep_t *rep);
/* Remove a replica from the assignment (and its state). */
void sm_ctl_part_remove_replica(sm_ctl_part_t *part, int32_t id);
/* Replace the assignment with ids: replicas kept keep their state, new
 * ones are NonExistent. */
void sm_ctl_part_set_replicas(sm_ctl_part_t *part, const int32_t *ids,
                              int n);
/* Replace the leadership info with a copy of s. */
void sm_ctl_part_set_lis(sm_ctl_part_t *part, const sm_zk_part_state_t *s);
int  sm_ctl_ints_has(const sm_zk_ints_t *l, int32_t v);

/* Queries over the context, appended to out. */
void sm_ctl_ctx_all_parts(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out);
/* Partitions in New or Offline state of topics not queued for deletion
 * (triggerOnlinePartitionStateChange). */
void sm_ctl_ctx_new_or_offline(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out);
/* Partitions with leadership info whose leader is not live, of topics not
 * queued for deletion (partitionsWithOfflineLeader). */
void sm_ctl_ctx_offline_leader(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out);
/* Partitions with leadership info, of topics not queued for deletion
 * (partitionsWithLeaders). */
void sm_ctl_ctx_with_leaders(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out);
/* Every (partition, replica) hosted by one of ids. */
void sm_ctl_ctx_replicas_on(sm_ctl_ctx_t *ctx, const int32_t *ids, int n,
                            sm_ctl_reps_t *out);
void sm_ctl_topic_replicas(sm_ctl_topic_t *top, sm_ctl_reps_t *out);
void sm_ctl_part_replicas(sm_ctl_part_t *part, sm_ctl_reps_t *out);
int  sm_ctl_topic_all_replicas_in(const sm_ctl_topic_t *top, sm_ctl_rst_t st);
int  sm_ctl_topic_any_replica_in(const sm_ctl_topic_t *top, sm_ctl_rst_t st);

void sm_ctl_parts_add(sm_ctl_parts_t *l, sm_ctl_part_t *part);
void sm_ctl_parts_fini(sm_ctl_parts_t *l);
void sm_ctl_reps_add(sm_ctl_reps_t *l, sm_ctl_part_t *part, int32_t id);
void sm_ctl_reps_fini(sm_ctl_reps_t *l);
void sm_ctl_topics_add(sm_ctl_topics_t *l, sm_ctl_topic_t *top);
int  sm_ctl_topics_has(const sm_ctl_topics_t *l, const sm_ctl_topic_t *top);
void sm_ctl_topics_fini(sm_ctl_topics_t *l);

/* ------------------------------------------------------------ batch */

typedef struct sm_ctl_lai_ent {         /* LeaderAndIsr for one broker */
    int32_t broker_id;
    sm_pstate_t ps;
} sm_ctl_lai_ent_t;

typedef struct sm_ctl_stop_ent {        /* StopReplica for one broker */
    int32_t broker_id;
    char *topic;
    int32_t partition;
    int32_t leader_epoch;
    int del;
} sm_ctl_stop_ent_t;

/* ControllerBrokerRequestBatch: requests collected during one state
 * change, sent together by sm_ctl_batch_send().  Entries are unique per
 * (broker, partition) and per partition for UpdateMetadata; a later add
 * replaces an earlier one (IsNew and DeletePartition are or-ed). */
typedef struct sm_ctl_batch {
    sm_ctl_lai_ent_t *lai;
    int nlai, lai_cap;
    sm_map_t lai_idx;           /* "<broker>/<topic>/<p>" -> index + 1 */
    int32_t *um_brokers;
    int num_brokers, um_brokers_cap;
    sm_pstate_t *um;
    int num, um_cap;
    sm_map_t um_idx;            /* "<topic>/<p>" -> index + 1 */
    sm_ctl_stop_ent_t *stop;
    int nstop, stop_cap;
    sm_map_t stop_idx;
} sm_ctl_batch_t;

void sm_ctl_batch_init(sm_ctl_batch_t *b);
void sm_ctl_batch_fini(sm_ctl_batch_t *b);
/* Forget everything collected (Kafka's clear()). */
void sm_ctl_batch_clear(sm_ctl_batch_t *b);
int  sm_ctl_batch_empty(const sm_ctl_batch_t *b);

/* ------------------------------------------------------------ events */

typedef enum sm_ctl_ev_type {
    SM_CTL_EV_STARTUP = 1,
    SM_CTL_EV_CONTROLLER_CHANGE,        /* /controller created/changed */
    SM_CTL_EV_REELECT,                  /* /controller deleted */
    SM_CTL_EV_EXPIRE,                   /* our session expired */
    SM_CTL_EV_SESSION_ESTABLISHED,      /* a new session replaced it */
    SM_CTL_EV_CONNECTED,                /* the session resumed */
    SM_CTL_EV_BROKER_CHANGE,            /* /brokers/ids children */
    SM_CTL_EV_BROKER_MODIFICATION,      /* /brokers/ids/<id> data */
    SM_CTL_EV_TOPIC_CHANGE,             /* /brokers/topics children */
    SM_CTL_EV_PARTITION_MODIFICATIONS,  /* /brokers/topics/<t> data */
    SM_CTL_EV_TOPIC_DELETION,           /* /admin/delete_topics children */
    SM_CTL_EV_STOP_REPLICA_DONE,        /* a StopReplica(delete) answer */
    SM_CTL_EV_CALL,                     /* sm_controller_enqueue() */
    SM_CTL_EV_ISR_CHANGE,               /* /isr_change_notification
                                         * children */
    SM_CTL_EV_PREFERRED_ELECTION,       /* /admin/preferred_replica_election
                                         * created or changed */
    SM_CTL_EV_AUTO_REBALANCE,           /* leader.imbalance.check timer */
    SM_CTL_EV_REASSIGNMENT,             /* /admin/reassign_partitions
                                         * created, changed or deleted */
    SM_CTL_EV_REASSIGN_ISR,             /* the state znode of a partition
                                         * being reassigned changed */
} sm_ctl_ev_type_t;

typedef struct sm_ctl_queue sm_ctl_queue_t;

typedef struct sm_ctl_ev {
    struct sm_ctl_ev *next;
    sm_ctl_ev_type_t type;
    int64_t due_ms;             /* delayed retry: monotonic due time */
    int retries;
    int32_t broker_id;          /* BROKER_MODIFICATION, STOP_REPLICA_DONE */
    char *topic;                /* PARTITION_MODIFICATIONS, STOP_REPLICA_ */
    int32_t partition;          /* STOP_REPLICA_DONE, REASSIGN_ISR */
    int32_t epoch;              /* STOP_REPLICA_DONE: epoch it was sent in */
    sm_err_t err;               /* STOP_REPLICA_DONE */
    uint64_t gen;               /* session events: ZooKeeper generation */
    sm_ctl_queue_t *q;          /* STOP_REPLICA_DONE before completion */
    sm_controller_call_fn fn;   /* CALL */
    void *arg;
} sm_ctl_ev_t;

sm_ctl_ev_t *sm_ctl_ev_new(sm_ctl_ev_type_t type);
void sm_ctl_ev_destroy(sm_ctl_ev_t *ev);
const char *sm_ctl_ev_name(sm_ctl_ev_type_t type);

/* Shared with completions; refcounted so a late completion after
 * sm_controller_destroy() finds a closed queue instead of freed memory. */
struct sm_ctl_queue {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int refcnt;
    int closed;                 /* put() refuses */
    int zk_pending;             /* the zk notify hook fired */
    sm_ctl_ev_t *head;
    sm_ctl_ev_t **tail;
};

/* Queue ev; 0 (ev not taken) if the queue is closed. */
int  sm_ctl_queue_put(sm_ctl_queue_t *q, sm_ctl_ev_t *ev);
void sm_ctl_queue_keep(sm_ctl_queue_t *q);
void sm_ctl_queue_release(sm_ctl_queue_t *q);

/* The StopReplica completion handed to the channel (arg: an
 * SM_CTL_EV_STOP_REPLICA_DONE event holding a queue reference). */
void sm_ctl_stop_replica_completion(void *arg, sm_err_t err);

/* ------------------------------------------------------------ controller */

typedef struct sm_ctl_watch {
    char *prefix;
    size_t len;
    sm_controller_watch_fn fn;
    void *arg;
} sm_ctl_watch_t;

struct sm_controller {
    sm_zk_t *zk;
    int32_t broker_id;
    sm_controller_channel_t chan;
    sm_controller_opts_t opts;
    sm_ctl_queue_t *q;

    pthread_mutex_t life_lock;  /* started, stopped, thr */
    int started;
    int stopped;
    pthread_t thr;

    pthread_mutex_t watch_lock; /* watches */
    sm_ctl_watch_t watches[SM_CTL_MAX_WATCHES];
    int nwatches;

    atomic_int_least32_t pub_id;        /* sm_controller_id() */
    atomic_int_least32_t pub_epoch;     /* sm_controller_epoch() */
    atomic_int active_flag;             /* sm_controller_is_active() */

    /* controller thread only: */
    int64_t broker_epoch;
    uint64_t active_gen;        /* session generation of our election */
    int32_t active_id;          /* Kafka's activeControllerId */
    int active;                 /* we won and have not resigned */
    sm_ctl_ev_t *delayed;       /* retries and timers, by due_ms */
    uint64_t rebalance_gen;     /* AUTO_REBALANCE events of older
                                 * generations (scheduled before the last
                                 * failover) are ignored */
    sm_ctl_ctx_t ctx;
    sm_ctl_batch_t batch;
};

/* controller.c */
void sm_ctl_retry_later(sm_controller_t *ctl, sm_ctl_ev_t *ev);
/* Run ev on the controller thread in delay_ms (a timer). */
void sm_ctl_run_later(sm_controller_t *ctl, sm_ctl_ev_t *ev,
                      int64_t delay_ms);
void sm_ctl_publish(sm_controller_t *ctl);
int  sm_ctl_transient(sm_err_t err);

/* controller_election.c */
sm_err_t sm_ctl_process_startup(sm_controller_t *ctl);
sm_err_t sm_ctl_process_controller_change(sm_controller_t *ctl);
sm_err_t sm_ctl_process_reelect(sm_controller_t *ctl);
sm_err_t sm_ctl_process_expire(sm_controller_t *ctl, uint64_t gen);
sm_err_t sm_ctl_process_session_established(sm_controller_t *ctl,
                                            uint64_t gen);
sm_err_t sm_ctl_process_connected(sm_controller_t *ctl);
/* The dispatcher's answer to SM_ERR_NOT_CONTROLLER. */
void sm_ctl_controller_moved(sm_controller_t *ctl);
/* onControllerResignation: drop all state, tell the channel. */
void sm_ctl_on_resignation(sm_controller_t *ctl);
/* triggerControllerMove: resign and delete /controller (fenced). */
void sm_ctl_trigger_controller_move(sm_controller_t *ctl);

/* controller_handlers.c */
sm_err_t sm_ctl_init_context(sm_controller_t *ctl);
sm_err_t sm_ctl_process_broker_change(sm_controller_t *ctl);
sm_err_t sm_ctl_process_broker_modification(sm_controller_t *ctl,
                                            int32_t id);
sm_err_t sm_ctl_process_topic_change(sm_controller_t *ctl);
sm_err_t sm_ctl_process_partition_modifications(sm_controller_t *ctl,
                                                const char *topic);
sm_err_t sm_ctl_process_topic_deletion(sm_controller_t *ctl);
sm_err_t sm_ctl_process_isr_change(sm_controller_t *ctl);
sm_err_t sm_ctl_process_stop_replica_done(sm_controller_t *ctl,
                                          const sm_ctl_ev_t *ev);
sm_err_t sm_ctl_on_new_partitions(sm_controller_t *ctl,
                                  sm_ctl_parts_t *parts);
/* UpdateMetadata for parts (may be empty) to brokers (NULL: all live). */
void sm_ctl_send_update_metadata(sm_controller_t *ctl, const int32_t *ids,
                                 int n, sm_ctl_parts_t *parts);

/* controller_batch.c */
void sm_ctl_batch_new(sm_controller_t *ctl);
/* LeaderAndIsr for part to brokers ids (dead ones are skipped at send),
 * and UpdateMetadata for part to every live broker. */
void sm_ctl_batch_add_lai(sm_controller_t *ctl, const int32_t *ids, int n,
                          sm_ctl_part_t *part, int is_new);
void sm_ctl_batch_add_stop(sm_controller_t *ctl, int32_t id,
                           sm_ctl_part_t *part, int del);
/* UpdateMetadata for parts (may be NULL) to ids (NULL: every live
 * broker). */
void sm_ctl_batch_add_um(sm_controller_t *ctl, const int32_t *ids, int n,
                         sm_ctl_parts_t *parts);
void sm_ctl_batch_add_um_part(sm_controller_t *ctl, sm_ctl_part_t *part);
void sm_ctl_batch_send(sm_controller_t *ctl);

/* partition_sm.c */
int  sm_ctl_psm_valid(sm_ctl_pst_t from, sm_ctl_pst_t to);
sm_err_t sm_ctl_psm_set_state(sm_controller_t *ctl, sm_ctl_part_t *part,
                              sm_ctl_pst_t to);
sm_err_t sm_ctl_psm_startup(sm_controller_t *ctl);
/* Move parts to `to`; *elected (may be NULL) counts partitions that got a
 * leader. */
sm_err_t sm_ctl_psm_handle(sm_controller_t *ctl, sm_ctl_parts_t *parts,
                           sm_ctl_pst_t to, sm_ctl_strategy_t strategy,
                           int *elected);
sm_err_t sm_ctl_psm_trigger_online(sm_controller_t *ctl, int *elected);
/* PartitionLeaderElectionAlgorithms.offlinePartitionLeaderElection: the
 * first assigned replica that is live and in the ISR, else (unclean) the
 * first live one; -1 if none.  *unclean_used (may be NULL) says which. */
int32_t sm_ctl_offline_leader(const int32_t *assignment, int nassign,
                              const int32_t *isr, int nisr,
                              const int32_t *live, int nlive, int unclean,
                              int *unclean_used);
/* The topic's unclean.leader.election.enable (/config/topics/<t>, else
 * the broker default). */
sm_err_t sm_ctl_topic_unclean(sm_controller_t *ctl, const char *topic,
                              int *unclean);

/* replica_sm.c */
int  sm_ctl_rsm_valid(sm_ctl_rst_t from, sm_ctl_rst_t to);
sm_err_t sm_ctl_rsm_set_state(sm_controller_t *ctl, const sm_ctl_rep_t *rep,
                              sm_ctl_rst_t to);
sm_err_t sm_ctl_rsm_startup(sm_controller_t *ctl);
sm_err_t sm_ctl_rsm_handle(sm_controller_t *ctl, sm_ctl_reps_t *reps,
                           sm_ctl_rst_t to);

/* topic_deletion.c */
sm_err_t sm_ctl_tdm_init(sm_controller_t *ctl,
                         const sm_zk_strings_t *to_delete);
sm_err_t sm_ctl_tdm_try(sm_controller_t *ctl);
sm_err_t sm_ctl_tdm_enqueue(sm_controller_t *ctl, sm_ctl_topics_t *topics);
sm_err_t sm_ctl_tdm_resume_for(sm_controller_t *ctl,
                               sm_ctl_topics_t *topics);
sm_err_t sm_ctl_tdm_fail_replicas(sm_controller_t *ctl, sm_ctl_reps_t *reps);
sm_err_t sm_ctl_tdm_complete_replicas(sm_controller_t *ctl,
                                      sm_ctl_reps_t *reps);
void sm_ctl_tdm_mark_ineligible(sm_controller_t *ctl,
                                sm_ctl_topics_t *topics, const char *why);
int  sm_ctl_tdm_is_queued(sm_controller_t *ctl, const sm_ctl_topic_t *top);

/* reassignment.c */
sm_err_t sm_ctl_process_reassignment(sm_controller_t *ctl);
sm_err_t sm_ctl_process_reassign_isr(sm_controller_t *ctl, const char *topic,
                                     int32_t partition);
/* Rewrite /brokers/topics/<t> from the context (controller_handlers.c). */
sm_err_t sm_ctl_restore_assignment(sm_controller_t *ctl,
                                   sm_ctl_topic_t *top);

/* controlled_shutdown.c */
/* doControlledShutdown: mark id shutting down, move the leadership of its
 * partitions (replication factor > 1) away, take it out of the ISR of the
 * others; *remaining: partitions it still leads. */
sm_err_t sm_ctl_controlled_shutdown(sm_controller_t *ctl, int32_t id,
                                    int64_t broker_epoch,
                                    sm_zk_tps_t *remaining);

/* elect_leaders.c */
/* processReplicaLeaderElection for an explicit list: res[i] answers
 * tps->v[i] (messages are static or owned by *msgs, freed by the caller
 * with sm_zk_strings_fini). */
sm_err_t sm_ctl_elect_leaders(sm_controller_t *ctl, int election_type,
                              const sm_zk_tps_t *tps,
                              sm_controller_election_t *res,
                              sm_zk_strings_t *msgs);

/* preferred_election.c */
/* Failover: process a pending /admin/preferred_replica_election (and arm
 * its watch), start the auto-rebalance timer. */
sm_err_t sm_ctl_preferred_startup(sm_controller_t *ctl);
sm_err_t sm_ctl_process_preferred_election(sm_controller_t *ctl);
sm_err_t sm_ctl_process_auto_rebalance(sm_controller_t *ctl,
                                       const sm_ctl_ev_t *ev);
/* Partitions of the broker ids' imbalance above the threshold, by
 * preferred leader (checkAndTriggerAutoLeaderRebalance's selection);
 * exposed for the unit tests. */
void sm_ctl_imbalanced(sm_controller_t *ctl, sm_ctl_parts_t *out);

#endif
