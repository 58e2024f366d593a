/*
 * admin_int.h: what the admin request handlers (create_topics.c,
 * delete_topics.c, create_partitions.c) share - waiting for the cluster
 * to catch up with what they wrote to ZooKeeper (Kafka's
 * DelayedCreatePartitions and DelayedDeleteTopics).
 *
 * A handler that wrote znodes does not answer at once: Kafka answers when
 * every new partition has a leader in the metadata cache (creation), or
 * when the topic has left it (deletion), or after TimeoutMs with
 * REQUEST_TIMED_OUT for the topics still waiting.  The handler embeds an
 * sm_admin_wait_t at the start of its own struct (which holds the response
 * being built), registers one pending item per topic that must wait,
 * pointing at that topic's ErrorCode (and ErrorMessage) in the response,
 * and calls sm_admin_wait_run().  With nothing pending, or no purgatory,
 * the response goes out at once; otherwise the wait becomes a delayed
 * operation in b->admin_purg watched under SM_ADMIN_WAIT_KEY, which the
 * broker checks after every metadata update.  Either way the ops'
 * respond() runs exactly once (then destroy()), on the handler's thread,
 * the purgatory's timer thread or the thread applying a metadata update.
 *
 * Ownership: the wait owns the pending topic names and the message
 * strings kept with sm_admin_wait_msg(), which the response borrows until
 * destroy().
 */
#ifndef SM_SERVER_ADMIN_INT_H
#define SM_SERVER_ADMIN_INT_H

#include "server/broker.h"
#include "server/purgatory.h"

/* The purgatory key the broker pokes after every metadata update. */
#define SM_ADMIN_WAIT_KEY "metadata"

typedef struct sm_admin_pending {
    char     *topic;            /* owned */
    int32_t   npartitions;      /* > 0: until partitions 0..n-1 have a
                                   leader; 0: until the topic is gone */
    int16_t  *error_code;       /* REQUEST_TIMED_OUT if still waiting */
    sm_str_t *error_message;    /* set to null then (may be NULL) */
} sm_admin_pending_t;

typedef struct sm_admin_wait sm_admin_wait_t;

typedef struct sm_admin_wait_ops {
    const char *name;                       /* for log lines */
    void (*respond)(sm_admin_wait_t *w);    /* write, sm_reqctx_send */
    void (*destroy)(sm_admin_wait_t *w);    /* free the enclosing struct
                                               (calls sm_admin_wait_fini) */
} sm_admin_wait_ops_t;

struct sm_admin_wait {
    sm_delayed_op_t op;         /* first: the purgatory's handle */
    const sm_admin_wait_ops_t *ops;
    sm_reqctx_t  *ctx;          /* finished by respond() */
    sm_mdcache_t *mdcache;
    sm_admin_pending_t *pend;
    int           npend;
    char        **strs;         /* kept message strings */
    int           nstrs;
};

void sm_admin_wait_init(sm_admin_wait_t *w, sm_reqctx_t *ctx,
                        const sm_admin_wait_ops_t *ops);
void sm_admin_wait_fini(sm_admin_wait_t *w);
/* Wait for topic (copied) as described at npartitions. */
void sm_admin_wait_add(sm_admin_wait_t *w, const char *topic,
                       int32_t npartitions, int16_t *error_code,
                       sm_str_t *error_message);
/* Keep heap string msg (taken over) until destroy; the response field
 * value for it (SM_STR_NULL for NULL). */
sm_str_t sm_admin_wait_msg(sm_admin_wait_t *w, char *msg);
/* Answer now or when the pending items are satisfied / timeout_ms has
 * passed (see above).  Consumes w. */
void sm_admin_wait_run(sm_admin_wait_t *w, int32_t timeout_ms);

/* Duplicate names in a request: dup[i] has SM_ADMIN_DUP when the name at
 * (char *)first + i * stride (an sm_str_t) occurs more than once in
 * 0..n-1, and also SM_ADMIN_DUP_LATER unless i is its first occurrence;
 * 0 for unique names.  O(n log n). */
#define SM_ADMIN_DUP       0x1
#define SM_ADMIN_DUP_LATER 0x2
void sm_admin_mark_dups(const sm_str_t *first, size_t stride, int32_t n,
                        uint8_t *dup);

#endif
