/*
 * ctlt.h: helpers shared by the controller test suites (t/unit/controller).
 *
 * A recording channel (every LeaderAndIsr, UpdateMetadata and StopReplica
 * the controller sends is copied into a list the test inspects; StopReplica
 * completions are answered at once or held for the test), fake brokers
 * (a ZooKeeper session of their own that registers /brokers/ids/<id>, so
 * killing the session is a broker dying), controllers on their own session,
 * and bounded waits.  ZooKeeper comes from t/unit/zk/zkt.h: test_controller
 * starts one for the program and every test works under its own chroot.
 */
#ifndef SM_TEST_CTLT_H
#define SM_TEST_CTLT_H

#include <pthread.h>

#include "controller/controller.h"
#include "zk/kafka_zk.h"

typedef enum ctlt_type {
    CTLT_LAI = 1,
    CTLT_UM,
    CTLT_STOP,
} ctlt_type_t;

/* One recorded request (all copies). */
typedef struct ctlt_req {
    ctlt_type_t type;
    int32_t broker_id;
    int64_t broker_epoch;
    int32_t controller_id;
    int32_t controller_epoch;
    sm_pstate_t *states;        /* LAI, UM */
    int n;
    sm_md_broker_t *brokers;    /* LAI: live leaders; UM: live brokers */
    int nbrokers;
    char *topic;                /* STOP */
    int32_t partition;
    int32_t leader_epoch;
    int del;
} ctlt_req_t;

typedef struct ctlt_pending {
    sm_controller_completion_fn cb;
    void *arg;
    int32_t broker_id;
} ctlt_pending_t;

typedef struct ctlt_chan {
    pthread_mutex_t lock;
    ctlt_req_t *v;
    int cnt, cap;
    int hold;                   /* hold StopReplica completions */
    sm_err_t answer;            /* what auto-answered completions get */
    ctlt_pending_t *pending;
    int npending, pending_cap;
    int resets;
    sm_controller_channel_t chan;
} ctlt_chan_t;

ctlt_chan_t *ctlt_chan_new(void);
/* Answers held completions with SM_ERR__STATE first, so nothing leaks. */
void ctlt_chan_destroy(ctlt_chan_t *c);
/* Answer held completions (for broker_id, or all if -1) with err; returns
 * how many. */
int  ctlt_chan_complete(ctlt_chan_t *c, int32_t broker_id, sm_err_t err);
/* Forget the recorded requests. */
void ctlt_chan_clear(ctlt_chan_t *c);
int  ctlt_chan_npending(ctlt_chan_t *c);

/* Count of recorded requests of type to broker (-1: any) that carry
 * topic-partition (topic NULL: any); for STOP, del must match (-1: any). */
int  ctlt_count(ctlt_chan_t *c, ctlt_type_t type, int32_t broker,
                const char *topic, int32_t p, int del);
/* Copy of the newest state of topic-partition sent to broker in a request
 * of type (LAI or UM); 0 if none.  Caller frees with sm_pstate_fini. */
int  ctlt_last_state(ctlt_chan_t *c, ctlt_type_t type, int32_t broker,
                     const char *topic, int32_t p, sm_pstate_t *out);
/* Wait (bounded) until ctlt_count(...) >= n. */
int  ctlt_wait_count(ctlt_chan_t *c, ctlt_type_t type, int32_t broker,
                     const char *topic, int32_t p, int del, int n,
                     int timeout_ms);

/* A fake broker: its own session, registered as /brokers/ids/<id> with
 * endpoint PLAINTEXT://h<id>:9092. */
typedef struct ctlt_broker {
    int32_t id;
    sm_zk_t *zk;
    int64_t epoch;
} ctlt_broker_t;

ctlt_broker_t *ctlt_broker_up(const char *chroot, int32_t id);
/* Close the session: the registration disappears at once. */
void ctlt_broker_down(ctlt_broker_t *b);

/* A controller on a session of its own. */
typedef struct ctlt_ctl {
    sm_zk_t *zk;
    sm_controller_t *ctl;
} ctlt_ctl_t;

ctlt_ctl_t *ctlt_ctl_start(const char *chroot, int32_t id, ctlt_chan_t *c,
                           const sm_controller_opts_t *opts);
void ctlt_ctl_stop(ctlt_ctl_t *t);

/* A session for the test itself (top-level paths created). */
sm_zk_t *ctlt_admin(const char *chroot);

/* Wait (bounded) for the controller to become active; 1 if it did. */
int ctlt_wait_active(sm_controller_t *ctl, int timeout_ms);
/* Wait until exactly one of n controllers is active; its index or -1. */
int ctlt_wait_one_active(sm_controller_t **ctls, int n, int timeout_ms);
/* Wait for the state znode of topic-p to exist with leader (and, if
 * leader_epoch >= 0, that leader epoch); 1 and *s filled (caller finis) if
 * it did. */
int ctlt_wait_leader(sm_zk_t *zk, const char *topic, int32_t p,
                     int32_t leader, int32_t leader_epoch,
                     sm_zk_part_state_t *s, int timeout_ms);
/* Wait for path to be absent; 1 if it went. */
int ctlt_wait_gone(sm_zk_t *zk, const char *path, int timeout_ms);

/* Create topic as kafka-topics.sh --zookeeper does; replicas per partition
 * given as a flat array of nparts * rf ids.  config may be NULL. */
void ctlt_create_topic(sm_zk_t *zk, const char *topic, int nparts, int rf,
                       const int32_t *replicas, const sm_zk_config_t *cfg);

/* Hold the controller thread (an enqueued call that blocks until
 * released, at most 30 s); returns once the thread is held. */
typedef struct ctlt_hold ctlt_hold_t;
ctlt_hold_t *ctlt_hold(sm_controller_t *ctl);
void ctlt_release(ctlt_hold_t *h);

/* "1,2,3" of an int array (static buffer). */
const char *ctlt_ints(const int32_t *v, int n);

#endif
