/*
 * producer.h: samsa's producer (samsa.h, samsa_producer_*) - internals
 * shared by its files.  Kafka's counterparts: KafkaProducer (producer.c),
 * RecordAccumulator (the per-partition batch queues, producer.c), Sender
 * (producer_io.c), NetworkClient/Selector for Produce traffic
 * (producer_conn.c) and the partitioners (partitioner.c).
 *
 * FILES
 *   producer.c       the public calls: interceptors, metadata and buffer
 *                    waits, partitioning, appending to batches; flush,
 *                    close
 *   producer_io.c    the I/O thread: its libev loop, metadata refresh,
 *                    draining ready batches into Produce requests per
 *                    leader, settling answers, retries, expiry, reports
 *   producer_conn.c  one non-blocking connection per broker: connect,
 *                    ApiVersions, pipelined requests, response framing,
 *                    request timeouts
 *   partitioner.c    murmur2 and the partitioners
 *
 * THREADS AND LOCKS.  One mutex, p->lock, guards every field below that
 * is not marked otherwise: the topics, their partition queues, the
 * counters.  Application threads (samsa_produce, flush) append under it
 * and wake the I/O thread with sm_producer_wake() (an ev_async); the I/O
 * thread drains under it and releases it for every network call,
 * compression and callback.  p->client (the metadata connection, broker
 * table), p->conns and the requests belong to the I/O thread alone.
 * app_cond wakes application threads (metadata arrived, buffer space
 * freed, records reported); it waits on CLOCK_MONOTONIC.
 *
 * BATCH LIFE.  open (the queue's tail; produce() appends) -> sealed (the
 * I/O thread took it: nothing more is appended; its builder is finished
 * into b->out outside the lock) -> in flight (b->inflight, in one
 * request) -> done (reported and freed) or back to sealed, not in flight,
 * with retry_at for a retry.
 * INVARIANTS: only a queue's tail can be open.  A request carries at
 * most one batch of a partition; several batches of one partition may be
 * in flight in successive requests on the leader's connection (up to
 * max.in.flight.requests.per.connection), always the queue's first ones
 * in queue order, so the wire order is the produce order.  A retried
 * batch keeps its place in the queue and goes out again before anything
 * behind it that is not already in flight (Kafka's reordering caveat
 * for max.in.flight > 1 without idempotence holds; with 1 the order is
 * exact).  p->buffered is the sum of b->mem of every batch not yet
 * reported; p->outq the sum of b->nmsgs.
 */
#ifndef SM_CLIENT_PRODUCER_H
#define SM_CLIENT_PRODUCER_H

#include <ev.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"
#include "protocol/records.h"

/* ------------------------------------------------------------ partitioner */

typedef struct sm_part_state {
    int32_t  sticky;                /* -1: not chosen yet */
    uint32_t counter;               /* round-robin */
    uint32_t rng;                   /* xorshift state (0: default seed) */
} sm_part_state_t;

/* The partition for a record: avail[i] says partition i has a leader
 * (NULL: all have).  key NULL for a null key.  -1 if cnt <= 0. */
int32_t sm_partitioner_pick(int kind, sm_part_state_t *st, const void *key,
                            int32_t key_len, int32_t cnt,
                            const uint8_t *avail);
/* A new batch was started on prev: move the sticky partition. */
void    sm_partitioner_new_batch(sm_part_state_t *st, int32_t prev,
                                 int32_t cnt, const uint8_t *avail);

/* ------------------------------------------------------------ batches */

/* What a delivery report needs about one record. */
typedef struct sm_pmsg {
    void    *opaque;
    int64_t  timestamp;
    int32_t  key_len;
    int32_t  value_len;
} sm_pmsg_t;

struct sm_ptp;

typedef struct sm_pbatch {
    struct sm_pbatch *next;
    struct sm_ptp    *tp;
    sm_batch_builder_t bb;          /* open: records go here */
    sm_buf_t   out;                 /* sealed and built: the v2 entry */
    int        sealed;
    int        built;
    int        inflight;
    size_t     est;                 /* estimated uncompressed size */
    size_t     mem;                 /* counted in p->buffered */
    sm_pmsg_t *msgs;
    int        nmsgs;
    int        capmsgs;
    int64_t    created;             /* mono ms */
    int64_t    retry_at;            /* mono ms; 0: now */
    int        attempts;
    /* set by the I/O thread when done */
    sm_err_t   err;
    int64_t    base_offset;
    struct sm_pbatch *done_next;
} sm_pbatch_t;

typedef struct sm_ptopic sm_ptopic_t;

typedef struct sm_ptp {
    sm_ptopic_t *topic;
    int32_t      partition;
    int32_t      leader;            /* -1: unknown */
    sm_pbatch_t *head, *tail;
} sm_ptp_t;

struct sm_ptopic {
    char        *name;
    int          known;             /* metadata arrived once */
    sm_err_t     md_err;            /* a non-retriable metadata error */
    int32_t      npart;
    sm_ptp_t   **parts;             /* [npart]; never shrinks */
    uint8_t     *avail;             /* [npart]: has a leader */
    sm_part_state_t ps;
};

/* ------------------------------------------------------------ requests */

/* What an error code means for a batch (producer_io.c). */
#define SM_ACT_RETRY    0x1
#define SM_ACT_REFRESH  0x2
int sm_producer_err_action(sm_err_t err);

struct sm_ProduceRequest;
struct sm_ProduceResponse;

/* One request on a producer connection: Produce (batches to one leader,
 * at most one per partition) or Metadata.  Owned by the round until
 * queued on a connection, then by it. */
typedef struct sm_preq {
    struct sm_preq *next;           /* the connection's FIFO */
    int16_t       key;              /* SM_API_Produce or SM_API_Metadata */
    int16_t       max_version;      /* samsa's highest for key */
    char        **names;            /* Metadata: the topics asked for */
    int           nnames;
    int32_t       leader;           /* Produce: the broker */
    sm_pbatch_t **v;
    int           n;
    size_t        size;             /* estimated */
    int32_t       corrid;
    int16_t       version;
    int64_t       deadline;         /* mono ms: request.timeout.ms */
    uint64_t      wend;             /* conn->wdone once it is written */
} sm_preq_t;

enum { SM_PC_DOWN, SM_PC_CONNECTING, SM_PC_NEGOTIATING, SM_PC_UP };

/* The producer's connection to one broker (producer_conn.c). */
typedef struct sm_pconn {
    struct samsa_producer *p;
    int32_t      node;
    int          state;             /* SM_PC_* */
    int          fd;
    int          wanted;            /* a batch waits for this broker */
    int          failures;          /* connection failures in a row */
    int64_t      last_used;         /* mono ms: last request or answer */
    int64_t      backoff_until;     /* mono ms: no reconnect before */
    int64_t      connect_deadline;
    sm_client_conn_t *vc;           /* address and negotiated versions */
    struct addrinfo *ai_list, *ai_next;
    ev_io        rio, wio;
    ev_timer     timer;             /* connect/request deadlines */
    int32_t      av_corrid;         /* ApiVersions while NEGOTIATING */
    int16_t      av_version;
    sm_buf_t     wbuf;              /* frames not yet written from wpos */
    size_t       wpos;
    uint64_t     wdone;             /* bytes written since connecting */
    uint64_t     wqueued;           /* bytes queued since connecting */
    uint8_t     *rbuf;              /* a partial response frame */
    size_t       rlen, rcap;
    sm_preq_t   *fifo, *fifo_tail;  /* sent or queued, in corrid order */
    int          ninflight;
} sm_pconn_t;

struct samsa_producer {
    sm_client_conf_t conf;          /* immutable after new */
    sm_client_t     *client;        /* I/O thread only */
    pthread_t        thr;
    int              thr_started;
    pthread_mutex_t  lock;
    pthread_cond_t   app_cond;
    struct ev_loop  *loop;          /* I/O thread's; wake is thread-safe */
    ev_async         wake;
    ev_prepare       prep;          /* a round before every wait */
    ev_timer         tick;          /* the next linger/backoff deadline */
    sm_pconn_t     **conns;         /* I/O thread only */
    int              nconns;
    int              again;         /* I/O thread: a request settled in a
                                     * round; run another at once */
    int              md_changed;    /* I/O thread: new broker table */
    int              md_inflight;   /* a Metadata request is out */
    sm_ptopic_t    **topics;
    int              ntopics;
    int              want_md;       /* refresh as soon as allowed */
    int64_t          md_next;       /* periodic refresh due (mono ms) */
    int64_t          md_backoff_until;
    int              md_fails;      /* I/O thread: Metadata failures in
                                     * a row (backoff doubles) */
    size_t           buffered;
    int              outq;
    int              flushing;
    int              stop;
};

/* producer.c */
sm_ptopic_t *sm_producer_topic_find(samsa_producer_t *p, const char *name);
void         sm_pbatch_destroy(sm_pbatch_t *b);
/* Wait on cond until the monotonic deadline (< 0: forever); ETIMEDOUT
 * or 0. */
int          sm_producer_cond_wait(pthread_cond_t *cond,
                                   pthread_mutex_t *lock, int64_t deadline);

/* The wait after `fails` failures in a row of a connection or a Metadata
 * request: retry.backoff.ms doubled per failure after the first, at most
 * max(1 s, retry.backoff.ms) - Kafka's reconnect.backoff.max.ms default -
 * so a dead broker costs a log line a second, not ten. */
int64_t      sm_producer_backoff_ms(const samsa_producer_t *p, int fails);

/* Wake the I/O thread (any thread, with or without p->lock). */
void         sm_producer_wake(samsa_producer_t *p);

/* producer_io.c */
/* Set up the loop and its watchers (before the thread starts); 0 or -1. */
int          sm_producer_io_init(samsa_producer_t *p);
void         sm_producer_io_fini(samsa_producer_t *p);
void        *sm_producer_io_main(void *arg);
/* A request ended: err (transport/timeout), or its response body at rd
 * (NULL: a Produce with acks=0, written).  Settles and reports batches or
 * applies metadata; frees r.  Called by producer_conn.c without
 * p->lock. */
void         sm_producer_complete(samsa_producer_t *p, sm_preq_t *r,
                                  sm_err_t err, sm_rd_t *rd);
/* r's body at r->version. */
void         sm_preq_write(samsa_producer_t *p, sm_preq_t *r, sm_buf_t *buf);
void         sm_preq_free(sm_preq_t *r);

/* producer_md.c (I/O thread) */
/* A Metadata request for every topic in use.  p->lock held. */
sm_preq_t   *sm_producer_md_req(samsa_producer_t *p);
/* r's Metadata request body at version. */
void         sm_producer_md_write(const sm_preq_t *r, int16_t version,
                                  sm_buf_t *buf);
/* Apply a Metadata answer (rd at its body) or failure.  Unlocked. */
void         sm_producer_md_done(samsa_producer_t *p, sm_err_t err,
                                 sm_rd_t *rd, int16_t version);
/* The blocking round trip on the client core.  p->lock held; dropped
 * meanwhile. */
void         sm_producer_md_refresh(samsa_producer_t *p);

/* producer_conn.c (I/O thread) */
/* The connection to node, created on first use (safe under p->lock);
 * NULL if the broker table does not know node. */
sm_pconn_t  *sm_pconn_get(samsa_producer_t *p, int32_t node);
/* After a metadata refresh: close connections whose broker moved. */
void         sm_pconn_check_addresses(samsa_producer_t *p);
/* An up connection with a free slot (the least loaded), or NULL. */
sm_pconn_t  *sm_pconn_pick(samsa_producer_t *p);
/* Requests the connection can take now (0 unless up). */
int          sm_pconn_slots(const sm_pconn_t *c);
/* Connect if down, wanted and past the backoff; close if up and idle
 * (nothing in flight) for connections.max.idle.ms.  The time it next
 * needs looking at bounds *wake. */
void         sm_pconn_kick(sm_pconn_t *c, int64_t now, int64_t *wake);
/* Encode and queue r (its batches built) at the highest version both
 * sides know; the connection owns it. */
void         sm_pconn_send(sm_pconn_t *c, sm_preq_t *r);
/* Close every connection; their requests are freed, not settled. */
void         sm_pconn_destroy_all(samsa_producer_t *p);
/* Report a finished batch (b->err, b->base_offset) to the interceptors
 * and the delivery callback, then account and free it.  Called without
 * p->lock. */
void         sm_producer_report(samsa_producer_t *p, sm_pbatch_t *b);

#endif
