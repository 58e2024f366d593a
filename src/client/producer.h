/*
 * producer.h: samsa's producer (samsa.h, samsa_producer_*) - internals
 * shared by its files.  Kafka's counterparts: KafkaProducer (producer.c),
 * RecordAccumulator (the per-partition batch queues, producer.c), Sender
 * (producer_io.c) and the partitioners (partitioner.c).
 *
 * FILES
 *   producer.c     the public calls: interceptors, metadata and buffer
 *                  waits, partitioning, appending to batches; flush, close
 *   producer_io.c  the I/O thread: metadata refresh, draining ready
 *                  batches into one Produce request per leader, responses,
 *                  retries, expiry, delivery reports
 *   partitioner.c  murmur2 and the partitioners
 *
 * THREADS AND LOCKS.  One mutex, p->lock, guards every field below that
 * is not marked otherwise: the topics, their partition queues, the
 * counters.  Application threads (samsa_produce, flush) append under it;
 * the I/O thread drains under it and releases it for every network call,
 * compression and every callback.  p->client (connections, broker table)
 * belongs to the I/O thread alone.  Two condition variables: io_cond wakes
 * the I/O thread (a batch became ready, metadata wanted, flush, close),
 * app_cond wakes application threads (metadata arrived, buffer space
 * freed, records reported).  Both wait on CLOCK_MONOTONIC.
 *
 * BATCH LIFE.  open (the queue's tail; produce() appends) -> sealed (the
 * I/O thread took it: nothing more is appended; its builder is finished
 * into b->out outside the lock) -> in flight (b->inflight) -> done
 * (reported and freed) or back to sealed with retry_at for a retry.
 * INVARIANTS: only a queue's tail can be open; only its head is ever in
 * flight, so at most one batch per partition is outstanding and a retried
 * batch is sent again before anything behind it (ordering holds for any
 * max.in.flight.requests.per.connection).  p->buffered is the sum of
 * b->mem of every batch not yet reported; p->outq the sum of b->nmsgs.
 */
#ifndef SM_CLIENT_PRODUCER_H
#define SM_CLIENT_PRODUCER_H

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

struct samsa_producer {
    sm_client_conf_t conf;          /* immutable after new */
    sm_client_t     *client;        /* I/O thread only */
    pthread_t        thr;
    int              thr_started;
    pthread_mutex_t  lock;
    pthread_cond_t   io_cond;
    pthread_cond_t   app_cond;
    sm_ptopic_t    **topics;
    int              ntopics;
    int              want_md;       /* refresh as soon as allowed */
    int64_t          md_next;       /* periodic refresh due (mono ms) */
    int64_t          md_backoff_until;
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

/* producer_io.c */
void        *sm_producer_io_main(void *arg);
/* Report a finished batch (b->err, b->base_offset) to the interceptors
 * and the delivery callback, then account and free it.  Called without
 * p->lock. */
void         sm_producer_report(samsa_producer_t *p, sm_pbatch_t *b);

#endif
