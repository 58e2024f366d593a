/*
 * purgatory.h: delayed operations with a timeout (Kafka's DelayedOperation
 * and DelayedOperationPurgatory).
 *
 * WHAT IT IS FOR.  A request that cannot be answered yet (Fetch waiting for
 * min.bytes or max.wait.ms; acks=all Produce waiting for the ISR) becomes a
 * delayed operation: the handler thread hands it to a purgatory and returns
 * to the request queue.  The operation is watched under one or more keys
 * ("topic-partition"); whoever changes what it waits for (the log after an
 * append, the partition after a high-watermark move) calls
 * sm_purgatory_check_and_complete(key).  If nothing completes it in time,
 * the purgatory's timer thread expires it.
 *
 * USING IT.  Embed an sm_delayed_op_t in your struct, fill an ops table:
 *
 *     try_complete(op)          can the op finish now?  Return 1 if so (the
 *                               purgatory then completes it), 0 if not.
 *                               Called with the op's lock held, so calls
 *                               for one op never overlap; it must not call
 *                               back into the purgatory.  Never called once
 *                               the op is completed.
 *     on_complete(op, expired)  called EXACTLY ONCE, with no purgatory lock
 *                               held: after a try_complete returned 1
 *                               (expired = 0), or on timeout or shutdown
 *                               (expired = 1).  Build and send the
 *                               response here.  It may call into any
 *                               purgatory (a completed produce may unblock
 *                               fetches).  Never overlaps try_complete.
 *     destroy(op)               the last reference is gone: free it.  Runs
 *                               on whichever thread dropped that reference.
 *
 *     sm_delayed_op_init(&f->op, &fetch_ops, max_wait_ms);
 *     sm_purgatory_try_complete_else_watch(purg, &f->op, keys, nkeys);
 *     ...later, on another thread, after an append to "t-0":
 *     sm_purgatory_check_and_complete(purg, "t-0");
 *
 * RACES (DelayedOperation.scala's reasoning, restated).
 *   1. Never twice: `completed` is set under the op's lock by whoever wins
 *      (a successful try_complete, expiry, force-complete); only the winner
 *      calls on_complete.
 *   2. Never lost: try_complete_else_watch holds the op's lock while it
 *      tries, registers the op under every key and arms its timer, then
 *      tries once more.  A state change that lands before registration is
 *      seen by the second try; one that lands after finds the op watched
 *      and, at worst, waits for the op's lock and tries again itself.
 *   3. Lock order: op lock -> shard lock, op lock -> timer lock; neither of
 *      the latter is ever held while taking an op lock or calling back.
 *      Callers of check_and_complete must not hold a lock that try_complete
 *      takes (Kafka gives the same advice).
 *
 * REFERENCES.  sm_delayed_op_init() gives the caller one reference, which
 * try_complete_else_watch() consumes.  The purgatory holds one per watch
 * list entry and one while the op is in the timer; use sm_delayed_op_keep()
 * / _release() to keep a pointer beyond that.
 *
 * EXPIRY AND PURGING.  One timer thread keeps a binary min-heap by deadline
 * (O(log n) add and cancel; a completed op is removed at once).  It also
 * purges completed ops from the watch lists once more than purge_interval
 * ops completed since the last purge (Kafka's purgeInterval); lists are
 * also purged as check_and_complete walks them.
 *
 * SHUTDOWN.  sm_purgatory_shutdown() stops the timer thread and expires
 * everything pending (on_complete(expired = 1)); ops added afterwards are
 * expired at once, on the adder's thread.  sm_purgatory_destroy() shuts
 * down and frees the watch lists.
 */
#ifndef SM_SERVER_PURGATORY_H
#define SM_SERVER_PURGATORY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sm_purgatory sm_purgatory_t;
typedef struct sm_delayed_op sm_delayed_op_t;

typedef struct sm_delayed_op_ops {
    const char *name;           /* "fetch", "produce": for log lines */
    int  (*try_complete)(sm_delayed_op_t *op);
    void (*on_complete)(sm_delayed_op_t *op, int expired);
    void (*destroy)(sm_delayed_op_t *op);   /* may be NULL */
} sm_delayed_op_ops_t;

/* Embedded in the caller's struct; every field is private. */
struct sm_delayed_op {
    const sm_delayed_op_ops_t *ops;
    sm_purgatory_t   *purg;
    pthread_mutex_t   lock;
    atomic_int        completed;
    atomic_int        refcnt;
    int64_t           timeout_ms;
    int64_t           deadline_us;  /* guarded by the timer lock */
    size_t            heap_idx;     /* guarded by the timer lock */
    sm_delayed_op_t  *expire_next;  /* timer thread only */
};

void sm_delayed_op_init(sm_delayed_op_t *op, const sm_delayed_op_ops_t *ops,
                        int64_t timeout_ms);
void sm_delayed_op_keep(sm_delayed_op_t *op);
void sm_delayed_op_release(sm_delayed_op_t *op);
int  sm_delayed_op_is_completed(const sm_delayed_op_t *op);
/* Complete op now (not expired) unless it already is; 1 if this call did.
 * Must not be called from try_complete. */
int  sm_delayed_op_force_complete(sm_delayed_op_t *op);

/* purge_interval: purge watch lists after this many completions (Kafka's
 * default is 1000).  Starts the timer thread; NULL if it cannot. */
sm_purgatory_t *sm_purgatory_new(const char *name, int purge_interval);

/* Try to complete op; if it cannot complete yet, watch it under keys
 * (nkeys >= 1, copied) and arm its timeout.  Consumes the caller's
 * reference.  Returns 1 if this call completed op (on_complete has run on
 * this thread: expired = 0, or expired = 1 after shutdown), else 0. */
int  sm_purgatory_try_complete_else_watch(sm_purgatory_t *purg,
                                          sm_delayed_op_t *op,
                                          const char *const *keys,
                                          int nkeys);
/* Try every op watched under key; returns how many this call completed. */
int  sm_purgatory_check_and_complete(sm_purgatory_t *purg, const char *key);

/* Watch list entries (an op counts once per key; completed ops not yet
 * purged count too) and ops waiting in the timer. */
int  sm_purgatory_watched(sm_purgatory_t *purg);
int  sm_purgatory_delayed(sm_purgatory_t *purg);

void sm_purgatory_shutdown(sm_purgatory_t *purg);
void sm_purgatory_destroy(sm_purgatory_t *purg);

#endif
