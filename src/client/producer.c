/*
 * producer.c: the public producer calls (samsa.h) and the record
 * accumulator - KafkaProducer.send()'s path and RecordAccumulator.append().
 * See producer.h for the threads, the lock and the batch life.
 *
 * SEND PATH (samsa_produce), Java's order: on_send interceptors; size
 * checks (max.request.size, buffer.memory: MESSAGE_TOO_LARGE); wait for
 * the topic's metadata (the I/O thread fetches it, with auto-creation
 * allowed) up to max.block.ms; choose the partition; wait for room in
 * buffer.memory (same deadline); append to the partition's open batch or
 * start a new one.  An unkeyed record with the sticky partitioner that
 * would start a new batch first moves the sticky partition and is
 * partitioned again (Java's abortOnNewBatch / onNewBatch), so unkeyed
 * records fill one batch at a time.
 *
 * A batch takes records while its estimated size (header + records,
 * uncompressed, varints at their widest) stays within batch.size; the
 * first record always fits, so a batch is max(batch.size, one record).
 *
 * Threads: any application thread; p->lock as producer.h says.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/producer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"

/* ------------------------------------------------------------ helpers */

int
sm_producer_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock,
                      int64_t deadline)
{
    struct timespec ts;
    int64_t ms = deadline;

    if (deadline < 0)
        return pthread_cond_wait(cond, lock);
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    return pthread_cond_timedwait(cond, lock, &ts);
}

#define SM_PRODUCER_BACKOFF_MAX_MS 1000

int64_t
sm_producer_backoff_ms(const samsa_producer_t *p, int fails)
{
    int64_t ms = p->conf.retry_backoff_ms, max = SM_PRODUCER_BACKOFF_MAX_MS;

    if (max < ms)
        max = ms;
    for (int i = 1; i < fails && ms < max; i++)
        ms *= 2;
    return ms < max ? ms : max;
}

static void
sm_producer_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t ca;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &ca);
    pthread_condattr_destroy(&ca);
}

/* Upper bound of a v2 record's size (DefaultRecord.sizeInBytes with
 * 5-byte varints and a 10-byte timestamp delta). */
static size_t
sm_producer_record_size(const samsa_record_t *rec)
{
    size_t n = 5 + 1 + 10 + 5 + 5 + 5 + 5;

    n += rec->key != NULL ? (size_t)rec->key_len : 0;
    n += rec->value != NULL ? (size_t)rec->value_len : 0;
    for (int i = 0; i < rec->header_cnt; i++) {
        const samsa_header_t *h = &rec->headers[i];
        n += 10 + strlen(h->key);
        n += h->value != NULL ? (size_t)h->value_len : 0;
    }
    return n;
}

/* ------------------------------------------------------------ topics */

sm_ptopic_t *
sm_producer_topic_find(samsa_producer_t *p, const char *name)
{
    for (int i = 0; i < p->ntopics; i++)
        if (strcmp(p->topics[i]->name, name) == 0)
            return p->topics[i];
    return NULL;
}

static sm_ptopic_t *
sm_producer_topic_add(samsa_producer_t *p, const char *name)
{
    sm_ptopic_t *t = sm_calloc(1, sizeof(*t));

    t->name = sm_strdup(name);
    t->ps.sticky = -1;
    t->ps.rng = (uint32_t)sm_mono_us() ^ (uint32_t)(uintptr_t)t;
    p->topics = sm_realloc(p->topics, (size_t)(p->ntopics + 1) *
                           sizeof(*p->topics));
    p->topics[p->ntopics++] = t;
    return t;
}

/* The topic with metadata, waiting for it until deadline.  p->lock
 * held. */
static sm_err_t
sm_producer_topic_wait(samsa_producer_t *p, const char *name,
                       int64_t deadline, sm_ptopic_t **tp)
{
    sm_ptopic_t *t = sm_producer_topic_find(p, name);

    if (t == NULL)
        t = sm_producer_topic_add(p, name);
    while (!t->known && t->md_err == SM_OK) {
        if (p->stop)
            return SM_ERR__STATE;
        p->want_md = 1;
        sm_producer_wake(p);
        if (sm_producer_cond_wait(&p->app_cond, &p->lock,
                                  deadline) == ETIMEDOUT) {
            sm_warn("producer", "Topic %s not present in metadata after "
                    "%d ms.", name, (int)p->conf.p.max_block_ms);
            return SM_ERR__TIMED_OUT;
        }
    }
    *tp = t;
    return t->md_err;
}

/* ------------------------------------------------------------ batches */

void
sm_pbatch_destroy(sm_pbatch_t *b)
{
    if (b == NULL)
        return;
    if (!b->built)
        sm_batch_builder_abort(&b->bb);
    sm_buf_fini(&b->out);
    sm_free(b->msgs);
    sm_free(b);
}

static sm_pbatch_t *
sm_pbatch_new(samsa_producer_t *p, sm_ptp_t *tp)
{
    sm_pbatch_t *b = sm_calloc(1, sizeof(*b));

    b->tp = tp;
    b->created = sm_mono_ms();
    b->est = SM_BATCH_V2_HDR_SIZE;
    b->base_offset = -1;
    sm_batch_builder_init(&b->bb, &b->out, 2, (sm_codec_t)p->conf.p.codec,
                          0);
    if (tp->tail != NULL)
        tp->tail->next = b;
    else
        tp->head = b;
    tp->tail = b;
    return b;
}

/* The open batch that can take size more bytes, or NULL. */
static sm_pbatch_t *
sm_producer_open_batch(samsa_producer_t *p, sm_ptp_t *tp, size_t size)
{
    sm_pbatch_t *b = tp->tail;

    if (b == NULL || b->sealed)
        return NULL;
    if (b->nmsgs > 0 && b->est + size > (size_t)p->conf.p.batch_size)
        return NULL;
    return b;
}

static void
sm_pbatch_add(sm_pbatch_t *b, const samsa_record_t *rec, int64_t ts,
              size_t size, void *opaque)
{
    sm_record_header_t hv[16], *hdrs = hv;
    sm_bytes_t key = { rec->key, rec->key != NULL ? rec->key_len : -1 };
    sm_bytes_t val = { rec->value, rec->value != NULL ? rec->value_len : -1 };
    sm_pmsg_t *m;

    if (rec->header_cnt > 16)
        hdrs = sm_malloc((size_t)rec->header_cnt * sizeof(*hdrs));
    for (int i = 0; i < rec->header_cnt; i++) {
        hdrs[i].key = sm_str_cstr(rec->headers[i].key);
        hdrs[i].value.ptr = rec->headers[i].value;
        hdrs[i].value.len = rec->headers[i].value != NULL
                            ? rec->headers[i].value_len : -1;
    }
    sm_batch_builder_add(&b->bb, ts, key, val, hdrs, rec->header_cnt);
    if (hdrs != hv)
        sm_free(hdrs);
    if (b->nmsgs == b->capmsgs) {
        b->capmsgs = b->capmsgs ? b->capmsgs * 2 : 16;
        b->msgs = sm_realloc(b->msgs, (size_t)b->capmsgs * sizeof(*m));
    }
    m = &b->msgs[b->nmsgs++];
    m->opaque = opaque;
    m->timestamp = ts;
    m->key_len = key.len;
    m->value_len = val.len;
    b->est += size;
    b->mem += size;
}

/* ------------------------------------------------------------ produce */

static void
sm_producer_on_send(samsa_producer_t *p, samsa_record_t *rec)
{
    for (int i = 0; i < p->conf.p.nicpts; i++) {
        const sm_interceptor_t *ic = &p->conf.p.icpts[i];
        sm_err_t err;
        if (ic->on_send == NULL)
            continue;
        err = ic->on_send(rec, ic->opaque);
        if (err != SM_OK)
            sm_warn("producer", "Error executing interceptor onSend "
                    "callback: %s", sm_err_name(err));
    }
}

/* Java's onSendError: the failure goes to on_acknowledgement. */
static void
sm_producer_on_send_error(samsa_producer_t *p, const samsa_record_t *rec,
                          int32_t partition, sm_err_t err, void *opaque)
{
    samsa_delivery_t dr;

    memset(&dr, 0, sizeof(dr));
    dr.topic = rec->topic;
    dr.partition = partition;
    dr.offset = -1;
    dr.timestamp = rec->timestamp;
    dr.key_len = rec->key != NULL ? rec->key_len : -1;
    dr.value_len = rec->value != NULL ? rec->value_len : -1;
    dr.err = err;
    dr.opaque = opaque;
    for (int i = 0; i < p->conf.p.nicpts; i++)
        if (p->conf.p.icpts[i].on_ack != NULL)
            p->conf.p.icpts[i].on_ack(&dr, p->conf.p.icpts[i].opaque);
}

static int
sm_producer_sticky(const samsa_producer_t *p, const samsa_record_t *rec)
{
    if (p->conf.p.part_cb != NULL)
        return 0;
    return p->conf.p.partitioner == SM_PARTITIONER_STICKY ||
           (p->conf.p.partitioner == SM_PARTITIONER_DEFAULT &&
            rec->key == NULL);
}

static int32_t
sm_producer_partition(samsa_producer_t *p, sm_ptopic_t *t,
                      const samsa_record_t *rec)
{
    int32_t part;

    if (p->conf.p.part_cb == NULL)
        return sm_partitioner_pick(p->conf.p.partitioner, &t->ps, rec->key,
                                   rec->key_len, t->npart, t->avail);
    part = p->conf.p.part_cb(rec->topic, rec->key,
                             rec->key != NULL ? rec->key_len : -1, t->npart,
                             p->conf.p.part_opaque);
    return part >= 0 && part < t->npart ? part : -1;
}

/* Choose the partition and its batch (starting one if needed).  p->lock
 * held. */
static sm_err_t
sm_producer_place(samsa_producer_t *p, sm_ptopic_t *t,
                  const samsa_record_t *rec, size_t size, int32_t *partp,
                  sm_pbatch_t **bp)
{
    int32_t part = rec->partition;
    sm_pbatch_t *b;

    if (part == SAMSA_PARTITION_ANY)
        part = sm_producer_partition(p, t, rec);
    if (part < 0 || part >= t->npart) {
        sm_warn("producer", "Invalid partition given with record: %d is "
                "not in the range [0...%d].", (int)part, (int)t->npart);
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    }
    b = sm_producer_open_batch(p, t->parts[part], size);
    if (b == NULL && rec->partition == SAMSA_PARTITION_ANY &&
        sm_producer_sticky(p, rec)) {
        sm_partitioner_new_batch(&t->ps, part, t->npart, t->avail);
        part = t->ps.sticky;
        b = sm_producer_open_batch(p, t->parts[part], size);
    }
    if (b == NULL)
        b = sm_pbatch_new(p, t->parts[part]);
    *partp = part;
    *bp = b;
    return SM_OK;
}

static sm_err_t
sm_producer_check(const samsa_producer_t *p, const samsa_record_t *rec,
                  size_t size)
{
    if (rec->topic == NULL || rec->topic[0] == '\0' ||
        (rec->key != NULL && rec->key_len < 0) ||
        (rec->value != NULL && rec->value_len < 0) ||
        rec->header_cnt < 0 || (rec->header_cnt > 0 && rec->headers == NULL)
        || rec->partition < SAMSA_PARTITION_ANY)
        return SM_ERR__INVALID_ARG;
    if (size + SM_BATCH_V2_HDR_SIZE > (size_t)p->conf.p.max_request_size ||
        size + SM_BATCH_V2_HDR_SIZE > (size_t)p->conf.p.buffer_memory) {
        sm_warn("producer", "The message is %zu bytes when serialized "
                "which is larger than %d, the max.request.size/"
                "buffer.memory bound.", size + SM_BATCH_V2_HDR_SIZE,
                (int)p->conf.p.max_request_size);
        return SM_ERR_MESSAGE_TOO_LARGE;
    }
    return SM_OK;
}

samsa_err_t
samsa_produce(samsa_producer_t *p, const samsa_record_t *rec0,
              void *msg_opaque)
{
    samsa_record_t rec = *rec0;
    int64_t deadline, ts;
    int32_t part = -1;
    sm_ptopic_t *t = NULL;
    sm_pbatch_t *b = NULL;
    size_t size;
    sm_err_t err;

    sm_producer_on_send(p, &rec);
    size = sm_producer_record_size(&rec);
    err = sm_producer_check(p, &rec, size);
    if (err != SM_OK)
        goto out;
    ts = rec.timestamp < 0 ? sm_now_ms() : rec.timestamp;
    rec.timestamp = ts;
    deadline = sm_mono_ms() + p->conf.p.max_block_ms;
    pthread_mutex_lock(&p->lock);
    err = sm_producer_topic_wait(p, rec.topic, deadline, &t);
    while (err == SM_OK && p->buffered + size >
                           (size_t)p->conf.p.buffer_memory) {
        sm_producer_wake(p);
        if (sm_producer_cond_wait(&p->app_cond, &p->lock,
                                  deadline) == ETIMEDOUT)
            err = SM_ERR__TIMED_OUT;
        else if (p->stop)
            err = SM_ERR__STATE;
    }
    if (err == SM_OK && p->stop)
        err = SM_ERR__STATE;
    if (err == SM_OK)
        err = sm_producer_place(p, t, &rec, size, &part, &b);
    if (err == SM_OK) {
        sm_pbatch_add(b, &rec, ts, size, msg_opaque);
        p->buffered += size;
        p->outq++;
        /* a new batch too: the I/O thread's next wake-up must cover its
         * linger.ms (it may be sleeping towards a later deadline) */
        if (p->conf.p.linger_ms == 0 || b->next != NULL || b->nmsgs == 1 ||
            b->est >= (size_t)p->conf.p.batch_size || b != b->tp->head)
            sm_producer_wake(p);
    }
    pthread_mutex_unlock(&p->lock);
out:
    if (err != SM_OK)
        sm_producer_on_send_error(p, &rec, part, err, msg_opaque);
    return err;
}

/* ------------------------------------------------------------ lifetime */

samsa_producer_t *
samsa_producer_new(const samsa_conf_t *conf, char *errstr,
                   size_t errstr_size)
{
    samsa_producer_t *p;
    sm_client_t *client = samsa_client_new(conf, errstr, errstr_size);

    if (client == NULL)
        return NULL;
    p = sm_calloc(1, sizeof(*p));
    sm_client_conf_copy(&p->conf, &conf->c);
    p->client = client;
    pthread_mutex_init(&p->lock, NULL);
    sm_producer_cond_init(&p->app_cond);
    p->want_md = 1;
    if (sm_producer_io_init(p) != 0) {
        snprintf(errstr, errstr_size, "ev_loop_new failed");
        samsa_producer_close(p, 0);
        return NULL;
    }
    if (pthread_create(&p->thr, NULL, sm_producer_io_main, p) != 0) {
        snprintf(errstr, errstr_size, "pthread_create failed");
        samsa_producer_close(p, 0);
        return NULL;
    }
    p->thr_started = 1;
    return p;
}

samsa_err_t
samsa_producer_flush(samsa_producer_t *p, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? -1 : sm_mono_ms() + timeout_ms;
    sm_err_t err = SM_OK;

    pthread_mutex_lock(&p->lock);
    p->flushing++;
    sm_producer_wake(p);
    while (p->outq > 0 && err == SM_OK)
        if (sm_producer_cond_wait(&p->app_cond, &p->lock,
                                  deadline) == ETIMEDOUT && p->outq > 0)
            err = SM_ERR__TIMED_OUT;
    p->flushing--;
    pthread_mutex_unlock(&p->lock);
    return err;
}

int
samsa_producer_outq_len(samsa_producer_t *p)
{
    int n;

    pthread_mutex_lock(&p->lock);
    n = p->outq;
    pthread_mutex_unlock(&p->lock);
    return n;
}

static void
sm_ptopic_destroy(sm_ptopic_t *t)
{
    for (int32_t i = 0; i < t->npart; i++) {
        sm_pbatch_t *b = t->parts[i]->head, *next;
        for (; b != NULL; b = next) {
            next = b->next;
            sm_pbatch_destroy(b);
        }
        sm_free(t->parts[i]);
    }
    sm_free(t->parts);
    sm_free(t->avail);
    sm_free(t->name);
    sm_free(t);
}

void
samsa_producer_close(samsa_producer_t *p, int timeout_ms)
{
    if (p == NULL)
        return;
    if (p->thr_started && timeout_ms != 0)
        samsa_producer_flush(p, timeout_ms);
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    sm_producer_wake(p);
    pthread_cond_broadcast(&p->app_cond);
    pthread_mutex_unlock(&p->lock);
    if (p->thr_started)
        pthread_join(p->thr, NULL);
    for (int i = 0; i < p->ntopics; i++)
        sm_ptopic_destroy(p->topics[i]);
    sm_free(p->topics);
    samsa_client_destroy(p->client);
    sm_producer_io_fini(p);
    pthread_cond_destroy(&p->app_cond);
    pthread_mutex_destroy(&p->lock);
    sm_client_conf_fini(&p->conf);
    sm_free(p);
}
