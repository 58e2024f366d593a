/*
 * zk_int.h: private to src/zk/zk_client.c and src/zk/zk_ops.c - the client
 * structure shared by the session half (zk_client.c: handles, watcher,
 * events, reinit thread) and the operation half (zk_ops.c).  Includes
 * <zookeeper/zookeeper.h>: never include it outside src/zk/.
 *
 * LOCKS.  Order: zk->zh_lock -> zk->lock -> call->mu (zk_ops.c).
 * zk->notify_lock guards notify/notify_arg and is held while the hook
 * runs (so sm_zk_set_notify() returns only once an old hook is done); it
 * is never taken with another zk lock held.
 * zk->zh_lock guards zk->zh and zk->sess: read-held only while submitting
 * a request, write-held only to swap the pointer.  zk->lock guards the
 * rest of the struct; it is never held across a call into the C client.
 */
#ifndef SM_ZK_ZK_INT_H
#define SM_ZK_ZK_INT_H

#include <pthread.h>
#include <stdint.h>

#include <zookeeper/zookeeper.h>

#include "zk/zk_client.h"

#define SM_ZK_MAX_HANDLERS  16

/* Watcher context of one handle; freed after zookeeper_close(). */
typedef struct sm_zk_sess {
    sm_zk_t *zk;
    uint64_t gen;
} sm_zk_sess_t;

typedef struct sm_zk_handler {
    void (*fn)(sm_zk_t *zk, void *arg);
    void *arg;
} sm_zk_handler_t;

struct sm_zk {
    char *connect;
    int session_timeout_ms;
    int connection_timeout_ms;
    int op_timeout_ms;

    pthread_rwlock_t zh_lock;   /* read: submit on zh; write: swap zh */
    zhandle_t *zh;
    sm_zk_sess_t *sess;

    pthread_mutex_t lock;       /* everything below */
    pthread_cond_t state_cv;    /* state / expired / closing changed */
    pthread_cond_t ev_cv;       /* an event was queued */
    uint64_t gen;
    int state;                  /* ZOO_*_STATE of gen, 0 before any */
    int gen_connected;          /* gen has connected at least once */
    int expired;
    int started;                /* sm_zk_new() returned: queue events */
    int closing;
    int64_t session_id;
    sm_zk_event_t *ev_head;
    sm_zk_event_t **ev_tail;
    pthread_mutex_t notify_lock;    /* notify, notify_arg; held while the
                                     * hook runs */
    void (*notify)(void *arg);
    void *notify_arg;
    sm_zk_handler_t handlers[SM_ZK_MAX_HANDLERS];
    int handler_cnt;
    pthread_t reinit_thr;
    int reinit_running;
};

void sm_zk_cond_init(pthread_cond_t *cv);
/* Wait on cv until deadline_us (monotonic, < 0: forever); 0 on timeout. */
int sm_zk_cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu,
                          int64_t deadline_us);
/* The Java client's name of a ZOO_*_STATE, as Kafka prints it. */
const char *sm_zk_state_name(int state);
/* zk->closing, read under zk->lock. */
int sm_zk_closing(sm_zk_t *zk);

#endif
