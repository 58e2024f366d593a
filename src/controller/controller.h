/*
 * controller.h: the controller - Kafka's kafka.controller package in
 * ZooKeeper mode (KafkaController, ControllerEventManager,
 * ControllerChannelManager's request batch).
 *
 * WHAT IT DOES.  Every broker runs one sm_controller_t.  All of them watch
 * /controller; when it is absent each tries to create it (together with a
 * conditional increment of /controller_epoch, sm_zk_register_controller),
 * and the one that succeeds is the active controller for that epoch.  The
 * active controller reads the cluster from ZooKeeper (live brokers, topics,
 * assignments, partition states), decides leaders and ISRs, writes them to
 * the partition state znodes, and tells brokers through the channel below:
 * LeaderAndIsr to the replicas of a partition, UpdateMetadata to every live
 * broker, StopReplica to replicas being stopped or deleted.  It then reacts
 * to watches: brokers coming and going, topics and partitions created,
 * topics marked for deletion.  The others only record who the controller
 * is (sm_controller_id()).
 *
 * API:
 *   sm_controller_new / _start / _stop / _destroy
 *                               lifecycle; _start spawns the event thread
 *   sm_controller_is_active, _id, _epoch
 *                               what this broker knows; any thread
 *   sm_controller_controlled_shutdown
 *                               move leadership off a stopping broker
 *   sm_controller_elect_leaders preferred or unclean election of listed
 *                               partitions (the ElectLeaders request)
 *   sm_controller_enqueue       run a function on the controller thread,
 *                               in order with the other events (external
 *                               requests: controlled shutdown, elections,
 *                               CreatePartitions ... become events)
 *   sm_controller_watch_prefix  route ZooKeeper watch events under a path
 *                               prefix to another module's handler
 *   sm_controller_zk            the ZooKeeper client (for handlers)
 *   sm_controller_config_changed
 *                               a dynamic config change: new unclean
 *                               election default, offline partitions
 *                               elected again
 *
 * THREADS.  One thread, the controller event thread, owns everything: the
 * ZooKeeper event queue of `zk` (it is the one consumer of
 * sm_zk_event_poll(), and it installs the sm_zk_set_notify() hook), the
 * internal event queue, the controller context and the state machines.  A
 * ZooKeeper watch becomes an event on that thread; so does every external
 * request and every StopReplica completion.  Nothing decides anywhere else
 * (Kafka's ControllerEventManager).  The thread blocks only in ZooKeeper
 * calls, each bounded by the client's operation timeout, and in channel
 * calls, which must not block.  sm_controller_is_active/_id/_epoch read
 * atomics and may be called from any thread.
 *
 * SESSIONS.  SESSION_EXPIRED makes an active controller resign (drop all
 * state) at once; SESSION_ESTABLISHED (after the broker's own
 * sm_zk_on_session handler re-registered /brokers/ids/<id>) re-arms the
 * /controller watch and runs the election again.  Watch events of a
 * replaced session are dropped.
 *
 * FENCING.  Every write the active controller makes is fenced by the
 * zkVersion of /controller_epoch it got when elected (kafka_zk.h).  A write
 * that fails the fence (SM_ERR_NOT_CONTROLLER) means another controller
 * was elected: this one resigns and re-reads /controller.
 */
#ifndef SM_CONTROLLER_CONTROLLER_H
#define SM_CONTROLLER_CONTROLLER_H

#include <stdint.h>

#include "common/sm_err.h"
#include "server/metadata_cache.h"
#include "zk/zk_client.h"
#include "zk/zk_paths.h"

typedef struct sm_controller sm_controller_t;

/*
 * StopReplica completion: called exactly once per stop_replica() that was
 * given one, with the partition's error (SM_OK: the replica was stopped and
 * its log deleted).  It may run on any thread, with or without the
 * channel's locks held; it only queues an event for the controller thread
 * and never blocks.  A channel that cannot deliver the request (the broker
 * went away, the channel is shutting down) still calls it, with an error.
 * It stays safe to call after the controller was destroyed (it is then a
 * no-op that frees its argument).
 */
typedef void (*sm_controller_completion_fn)(void *completion_arg,
                                            sm_err_t err);

/*
 * The channel to the brokers (Kafka's ControllerChannelManager).  The
 * broker implements it: direct calls into its own replica manager and
 * metadata cache for its own id, network requests to the others.
 *
 * Every callback is called on the controller thread and must not block
 * (queue the request and return).  Requests to one broker must be delivered
 * in the order the controller made the calls.  Arguments are borrowed for
 * the duration of the call: copy what you keep.  broker_epoch is the
 * destination's epoch (the czxid of its /brokers/ids/<id>) as the
 * controller knows it, for the BrokerEpoch field.
 *
 *   leader_and_isr   states: the partitions the broker replicates
 *                    (Replicas, Isr, Leader, LeaderEpoch, ZkVersion,
 *                    IsNew); live_leaders: the live brokers that lead one
 *                    of them (LiveLeaders).
 *   update_metadata  states: partitions whose state changed (a leader of
 *                    SM_LEADER_DURING_DELETE means "topic being deleted:
 *                    drop it"); brokers: every live broker.
 *   stop_replica     one partition; del = DeletePartition; leader_epoch is
 *                    the partition's leader epoch, or -2 when the topic is
 *                    being deleted (StopReplica v3).  completion is NULL
 *                    when the controller does not need the result.
 *   broker_added     optional (may be NULL): a live broker appeared (or
 *   broker_removed   re-registered), or went away.  A network channel opens
 *                    and closes its connection here; requests to a removed
 *                    broker are dropped (completions called with an error).
 *   reset            optional: this controller resigned; drop everything
 *                    queued (completions called with an error).
 */
typedef struct sm_controller_channel {
    void *opaque;
    void (*leader_and_isr)(void *opaque, int32_t broker_id,
                           int64_t broker_epoch, int32_t controller_id,
                           int32_t controller_epoch,
                           const sm_pstate_t *states, int n,
                           const sm_md_broker_t *live_leaders, int nleaders);
    void (*update_metadata)(void *opaque, int32_t broker_id,
                            int64_t broker_epoch, int32_t controller_id,
                            int32_t controller_epoch,
                            const sm_pstate_t *states, int n,
                            const sm_md_broker_t *brokers, int nbrokers);
    void (*stop_replica)(void *opaque, int32_t broker_id,
                         int64_t broker_epoch, int32_t controller_id,
                         int32_t controller_epoch, const char *topic,
                         int32_t partition, int32_t leader_epoch, int del,
                         sm_controller_completion_fn completion,
                         void *completion_arg);
    void (*broker_added)(void *opaque, const sm_md_broker_t *broker,
                         int64_t broker_epoch);
    void (*broker_removed)(void *opaque, int32_t broker_id);
    void (*reset)(void *opaque);
} sm_controller_channel_t;

/* Broker configuration the controller uses (Kafka's names). */
typedef struct sm_controller_opts {
    int delete_topic_enable;            /* delete.topic.enable (true) */
    int unclean_leader_election_enable; /* broker default for the topic
                                         * config of the same name (false) */
    int retry_backoff_ms;               /* wait before retrying an event
                                         * that failed because ZooKeeper was
                                         * unreachable; <= 0: 1000 */
    int max_election_rounds;            /* bound on leader election retries
                                         * after a lost conditional write
                                         * (ISR changed under us); <= 0: 10 */
    int auto_leader_rebalance_enable;   /* auto.leader.rebalance.enable
                                         * (true) */
    int64_t leader_imbalance_check_interval_ms; /* leader.imbalance.check.
                                         * interval.seconds x 1000 (300 s);
                                         * <= 0: the default */
    int leader_imbalance_per_broker_percentage; /* (10) */
} sm_controller_opts_t;

/* Kafka's defaults. */
void sm_controller_opts_init(sm_controller_opts_t *opts);

/*
 * A controller for broker broker_id, whose registration has epoch
 * broker_epoch (-1 if unknown; it is re-read after a session
 * re-establishment).  zk is borrowed and must outlive the controller; its
 * event queue must not be consumed by anyone else.  channel and opts are
 * copied.  Touches neither ZooKeeper nor threads.
 */
sm_controller_t *sm_controller_new(sm_zk_t *zk, int32_t broker_id,
                                   int64_t broker_epoch,
                                   const sm_controller_channel_t *channel,
                                   const sm_controller_opts_t *opts);

/* Spawn the controller thread and queue the start-up event (watch
 * /controller, elect).  SM_ERR__STATE if already started, SM_ERR__IO if the
 * thread could not be created (logged). */
sm_err_t sm_controller_start(sm_controller_t *ctl);

/*
 * Stop the thread: events still queued are preempted (external calls run
 * with SM_ERR__STATE), an active controller resigns and deletes /controller
 * (fenced) so another broker takes over at once, and the notify hook is
 * removed from zk.  Idempotent; any thread except the controller thread.
 */
void sm_controller_stop(sm_controller_t *ctl);

/* Stop (if needed) and free. */
void sm_controller_destroy(sm_controller_t *ctl);

/* 1 if this broker is the active controller. */
int sm_controller_is_active(sm_controller_t *ctl);
/* The controller this broker knows of, -1 if unknown or none. */
int32_t sm_controller_id(sm_controller_t *ctl);
/* The epoch this broker won as controller; -1 when not active. */
int32_t sm_controller_epoch(sm_controller_t *ctl);

/*
 * Run fn(ctl, arg, SM_OK) on the controller thread, after the events
 * already queued.  If the controller stops first, fn runs on the controller
 * thread as it stops, with SM_ERR__STATE, so arg is never leaked (Kafka's
 * preempt()).  Returns SM_ERR__STATE without calling fn if the controller
 * was never started or is already stopped.
 */
typedef void (*sm_controller_call_fn)(sm_controller_t *ctl, void *arg,
                                      sm_err_t err);
sm_err_t sm_controller_enqueue(sm_controller_t *ctl,
                               sm_controller_call_fn fn, void *arg);

/*
 * A broker's controlled shutdown (Kafka's ControlledShutdown request):
 * cb(arg, err, remaining) runs once on the controller thread with SM_OK and
 * the partitions broker_id still leads (moving them failed: nobody else in
 * their ISR), or NOT_CONTROLLER, BROKER_NOT_AVAILABLE, STALE_BROKER_EPOCH
 * (broker_epoch -1 is never stale) or REQUEST_TIMED_OUT (ZooKeeper
 * unreachable).  remaining is borrowed for the call.  Returns SM_ERR__STATE
 * without calling cb if the controller is not running.
 */
typedef void (*sm_controller_shutdown_fn)(void *arg, sm_err_t err,
                                          const sm_zk_tps_t *remaining);
sm_err_t sm_controller_controlled_shutdown(sm_controller_t *ctl,
                                          int32_t broker_id,
                                          int64_t broker_epoch,
                                          sm_controller_shutdown_fn cb,
                                          void *arg);

/*
 * ElectLeaders (Kafka's KafkaController.electLeaders, AdminClientTriggered):
 * elect the partitions of tps (copied; duplicates are answered alike) with
 * election_type SM_ELECTION_PREFERRED (0: the first assigned replica, if
 * live and in the ISR) or SM_ELECTION_UNCLEAN (1: partitions without a live
 * leader get the first live ISR replica, else the first live assigned
 * replica whatever unclean.leader.election.enable says).  cb(arg, res, n)
 * runs once on the controller thread, after the new leadership was written
 * to the state znodes and LeaderAndIsr/UpdateMetadata were handed to the
 * channel, with one result per entry of tps, in order.  Per-partition
 * errors: NOT_CONTROLLER (this broker is not, or no longer, the
 * controller), UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION (topic
 * being deleted), ELECTION_NOT_NEEDED (already led by the preferred
 * replica / by a live broker), PREFERRED_LEADER_NOT_AVAILABLE /
 * ELIGIBLE_LEADERS_NOT_AVAILABLE (nobody to elect), REQUEST_TIMED_OUT
 * (ZooKeeper unreachable).  res and its strings are borrowed for the call.
 * Returns SM_ERR__STATE without calling cb if the controller is not
 * running; SM_ERR__INVALID_ARG for an unknown election_type.
 */
typedef struct sm_controller_election {
    const char *topic;
    int32_t     partition;
    sm_err_t    err;                    /* SM_OK: elected */
    const char *msg;                    /* Kafka's message, or NULL */
    int32_t     leader;                 /* the new leader when SM_OK */
} sm_controller_election_t;

typedef void (*sm_controller_elect_fn)(void *arg,
                                       const sm_controller_election_t *res,
                                       int n);
sm_err_t sm_controller_elect_leaders(sm_controller_t *ctl, int election_type,
                                     const sm_zk_tps_t *tps,
                                     sm_controller_elect_fn cb, void *arg);

/*
 * Route ZooKeeper events under prefix to fn, on the controller thread.
 *
 * The controller thread is the only consumer of zk's events, so a module
 * that needs watches of its own (the dynamic config manager on
 * "/config/changes", an authorizer on "/kafka-acl-changes") arms them with
 * the usual sm_zk_* calls (watch = 1) from any thread and registers here.
 * fn(ctl, zk, type, path, arg) is then called for every node event whose
 * path is prefix or lies below it (prefix + "/..."), and for every session
 * event (DISCONNECTED, CONNECTED, SESSION_EXPIRED, SESSION_ESTABLISHED) with
 * path NULL: watches are one-shot and die with an expired session, so on
 * SESSION_ESTABLISHED the handler re-reads its znodes with watch = 1 (and
 * re-arms after every node event).  Handlers run in registration order,
 * before the controller's own handling of the same event, whether or not
 * this broker is the active controller.  They may call ZooKeeper (bounded)
 * but must not block otherwise.  Registration may happen before or after
 * _start; up to 16 handlers (SM_ERR__NOSPC beyond).  prefix is copied.
 */
typedef void (*sm_controller_watch_fn)(sm_controller_t *ctl, sm_zk_t *zk,
                                       sm_zk_ev_type_t type,
                                       const char *path, void *arg);
sm_err_t sm_controller_watch_prefix(sm_controller_t *ctl, const char *prefix,
                                    sm_controller_watch_fn fn, void *arg);

/*
 * A dynamic config change (server/dynamic_config.c): unclean_default >= 0
 * is the new broker default of unclean.leader.election.enable (-1: not
 * changed).  Queued as an event; the active controller then elects the
 * offline partitions again, so one that a topic or broker config now
 * allows to elect outside the ISR gets a leader (Kafka's
 * UncleanLeaderElectionEnable).  Any thread; SM_ERR__STATE if the
 * controller is not running.
 */
sm_err_t sm_controller_config_changed(sm_controller_t *ctl,
                                      int unclean_default);
/* The same default before sm_controller_start (start-up only). */
void     sm_controller_set_unclean_default(sm_controller_t *ctl, int enable);

/* The ZooKeeper client the controller was created with. */
sm_zk_t *sm_controller_zk(sm_controller_t *ctl);

#endif
