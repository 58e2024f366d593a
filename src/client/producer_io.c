/*
 * producer_io.c: the producer's I/O thread (Kafka's Sender): metadata,
 * draining ready batches, one Produce request per leader, responses,
 * retries, expiry and delivery reports.  Locks and batch states:
 * producer.h.
 *
 * LOOP.  Under p->lock: refresh metadata if wanted (unlocked for the
 * round trip); fail batches older than delivery.timeout.ms that are not
 * in flight (a queue is in creation order, so each walk stops at its
 * first young batch); collect, per leader, the head batch of every
 * partition that is ready - full (estimated size >= batch.size, or a
 * batch behind it), lingered linger.ms, flushing or closing, and past its
 * retry backoff - up to max.request.size per request; seal them.
 * Unlocked: build (compress) the sealed batches, send each leader's
 * request on the blocking connection of the client core, read the
 * answer, report.  With nothing ready the thread sleeps on io_cond
 * until the earliest linger, backoff or refresh deadline.  One request
 * per broker is outstanding at a time, since connections are blocking:
 * max.in.flight is 1 in effect.
 *
 * ERRORS.  What a partition error means is one table,
 * sm_producer_err_action(): retry (after retry.backoff.ms, while attempts
 * <= retries and delivery.timeout.ms has not passed) and/or refresh
 * metadata first.  A transport error fails the whole request that way.
 * Anything else fails the batch: every record's callback gets the code.
 * With acks=0 no response comes; records report offset -1.
 *
 * STOP.  samsa_producer_close() sets p->stop after its flush: the loop
 * ends and every batch left is reported with _STATE.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "client/producer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"

#define SM_ACT_RETRY    0x1
#define SM_ACT_REFRESH  0x2

static int
sm_producer_err_action(sm_err_t err)
{
    static const struct { sm_err_t err; int act; } tab[] = {
        { SM_ERR_NOT_LEADER_FOR_PARTITION,   SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR_UNKNOWN_TOPIC_OR_PARTITION, SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR_LEADER_NOT_AVAILABLE,       SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR_BROKER_NOT_AVAILABLE,       SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR_NETWORK_EXCEPTION,          SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR_KAFKA_STORAGE_ERROR,        SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR_REQUEST_TIMED_OUT,          SM_ACT_RETRY },
        { SM_ERR_NOT_ENOUGH_REPLICAS,        SM_ACT_RETRY },
        { SM_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, SM_ACT_RETRY },
        { SM_ERR_CORRUPT_MESSAGE,            SM_ACT_RETRY },
        { SM_ERR__TRANSPORT,                 SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR__TIMED_OUT,                 SM_ACT_RETRY | SM_ACT_REFRESH },
        { SM_ERR__BAD_MSG,                   SM_ACT_RETRY | SM_ACT_REFRESH },
    };

    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (tab[i].err == err)
            return tab[i].act;
    return 0;
}

/* ------------------------------------------------------------ reports */

void
sm_producer_report(samsa_producer_t *p, sm_pbatch_t *b)
{
    const sm_producer_conf_t *pc = &p->conf.p;
    samsa_delivery_t dr;

    memset(&dr, 0, sizeof(dr));
    dr.topic = b->tp->topic->name;
    dr.partition = b->tp->partition;
    dr.err = b->err;
    for (int i = 0; i < b->nmsgs; i++) {
        dr.offset = b->err == SM_OK && b->base_offset >= 0
                    ? b->base_offset + i : -1;
        dr.timestamp = b->msgs[i].timestamp;
        dr.key_len = b->msgs[i].key_len;
        dr.value_len = b->msgs[i].value_len;
        dr.opaque = b->msgs[i].opaque;
        for (int k = 0; k < pc->nicpts; k++)
            if (pc->icpts[k].on_ack != NULL)
                pc->icpts[k].on_ack(&dr, pc->icpts[k].opaque);
        if (pc->dr_cb != NULL)
            pc->dr_cb(&dr, pc->dr_opaque);
    }
    pthread_mutex_lock(&p->lock);
    p->buffered -= b->mem;
    p->outq -= b->nmsgs;
    pthread_cond_broadcast(&p->app_cond);
    pthread_mutex_unlock(&p->lock);
    sm_pbatch_destroy(b);
}

/* Report a done list.  Batches are pushed onto it as they settle, so it
 * is reversed first: reports come in the order the batches settled. */
static void
sm_producer_report_list(samsa_producer_t *p, sm_pbatch_t *list)
{
    sm_pbatch_t *next, *rev = NULL;

    for (; list != NULL; list = next) {
        next = list->done_next;
        list->done_next = rev;
        rev = list;
    }
    for (list = rev; list != NULL; list = next) {
        next = list->done_next;
        sm_producer_report(p, list);
    }
}

/* Unlink b (not in flight) from its queue.  p->lock held. */
static void
sm_ptp_unlink(sm_ptp_t *tp, sm_pbatch_t *b)
{
    sm_pbatch_t **pp = &tp->head, *prev = NULL;

    while (*pp != b) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    *pp = b->next;
    if (tp->tail == b)
        tp->tail = prev;
    b->next = NULL;
}

static void
sm_pbatch_fail(sm_pbatch_t *b, sm_err_t err, sm_pbatch_t **done)
{
    b->err = err;
    b->base_offset = -1;
    b->done_next = *done;
    *done = b;
}

/* ------------------------------------------------------------ metadata */

static void
sm_producer_md_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_MetadataRequest_write(buf, version, arg);
}

static void
sm_ptopic_resize(sm_ptopic_t *t, int32_t n)
{
    if (n <= t->npart)
        return;
    t->parts = sm_realloc(t->parts, (size_t)n * sizeof(*t->parts));
    t->avail = sm_realloc(t->avail, (size_t)n);
    for (int32_t i = t->npart; i < n; i++) {
        t->parts[i] = sm_calloc(1, sizeof(*t->parts[i]));
        t->parts[i]->topic = t;
        t->parts[i]->partition = i;
        t->parts[i]->leader = -1;
        t->avail[i] = 0;
    }
    t->npart = n;
}

/* Apply one topic of a Metadata response.  p->lock held. */
static void
sm_producer_md_topic(samsa_producer_t *p, const sm_MetadataResponseTopic_t *r)
{
    char *name = sm_str_dup(r->Name);
    sm_ptopic_t *t = sm_producer_topic_find(p, name);
    int32_t n = 0;

    sm_free(name);
    if (t == NULL)
        return;
    if (r->ErrorCode != SM_OK) {
        if (!(sm_producer_err_action(r->ErrorCode) & SM_ACT_RETRY) &&
            r->ErrorCode != SM_ERR_UNKNOWN_TOPIC_OR_PARTITION)
            t->md_err = r->ErrorCode;
        p->want_md = 1;
        return;
    }
    for (int32_t i = 0; i < r->PartitionsCnt; i++)
        if (r->Partitions[i].PartitionIndex >= n)
            n = r->Partitions[i].PartitionIndex + 1;
    if (n > 100000 || n == 0) {
        p->want_md = 1;
        return;
    }
    sm_ptopic_resize(t, n);
    for (int32_t i = 0; i < r->PartitionsCnt; i++) {
        const sm_MetadataResponsePartition_t *mp = &r->Partitions[i];
        sm_ptp_t *tp = t->parts[mp->PartitionIndex];
        tp->leader = mp->LeaderId;
        t->avail[mp->PartitionIndex] = mp->LeaderId >= 0;
        if (mp->LeaderId < 0)
            p->want_md = 1;
    }
    t->known = 1;
}

/* One Metadata round trip for every topic in use.  Called with p->lock
 * held; drops it for the request. */
static void
sm_producer_md_refresh(samsa_producer_t *p)
{
    sm_MetadataRequest_t req;
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    char errstr[512];
    char **names;
    int n = p->ntopics;
    sm_err_t err;

    names = sm_calloc((size_t)n + 1, sizeof(*names));
    memset(&req, 0, sizeof(req));
    req.Topics = sm_calloc((size_t)n + 1, sizeof(*req.Topics));
    for (int i = 0; i < n; i++) {
        names[i] = sm_strdup(p->topics[i]->name);
        req.Topics[i].Name = sm_str_cstr(names[i]);
    }
    req.TopicsCnt = n;
    req.AllowAutoTopicCreation = 1;
    p->want_md = 0;
    pthread_mutex_unlock(&p->lock);
    memset(&md, 0, sizeof(md));
    err = sm_client_send_any(p->client, SM_API_Metadata,
                             SM_METADATA_MAX_VERSION, sm_producer_md_body,
                             &req, sm_mono_ms() +
                             p->conf.request_timeout_ms, &resp, errstr,
                             sizeof(errstr));
    if (err == SM_OK) {
        err = sm_MetadataResponse_read(&resp.rd, resp.version, &md);
        if (err == SM_OK)
            sm_client_install(p->client, &md);
    } else {
        sm_warn("producer", "Metadata request failed: %s", errstr);
    }
    pthread_mutex_lock(&p->lock);
    if (err == SM_OK) {
        for (int32_t i = 0; i < md.TopicsCnt; i++)
            sm_producer_md_topic(p, &md.Topics[i]);
        p->md_next = sm_mono_ms() + p->conf.p.metadata_max_age_ms;
        sm_MetadataResponse_free(&md);
        sm_client_resp_fini(&resp);
    } else {
        p->want_md = 1;
    }
    p->md_backoff_until = sm_mono_ms() + p->conf.retry_backoff_ms;
    pthread_cond_broadcast(&p->app_cond);
    for (int i = 0; i < n; i++)
        sm_free(names[i]);
    sm_free(names);
    sm_free(req.Topics);
}

/* ------------------------------------------------------------ draining */

/* The batches of one request: all to one leader. */
typedef struct sm_preq {
    int32_t       leader;
    sm_pbatch_t **v;
    int           n;
    size_t        size;
} sm_preq_t;

typedef struct sm_pdrain {
    sm_preq_t   *reqs;
    int          nreqs;
    sm_pbatch_t *done;
    int64_t      wake;              /* next time something may be ready */
} sm_pdrain_t;

static int
sm_pbatch_ready(const samsa_producer_t *p, const sm_pbatch_t *b,
                int64_t now, int64_t *wake)
{
    int64_t at;

    if (b->inflight)
        return 0;
    if (b->sealed) {
        at = b->retry_at;
    } else if (b->next != NULL || p->flushing || p->stop ||
               b->est >= (size_t)p->conf.p.batch_size) {
        at = now;
    } else {
        at = b->created + p->conf.p.linger_ms;
    }
    if (at > now) {
        if (at < *wake)
            *wake = at;
        return 0;
    }
    return 1;
}

static void
sm_pdrain_add(samsa_producer_t *p, sm_pdrain_t *d, sm_pbatch_t *b)
{
    sm_preq_t *r = NULL;

    for (int i = 0; i < d->nreqs; i++)
        if (d->reqs[i].leader == b->tp->leader)
            r = &d->reqs[i];
    if (r != NULL && r->size + b->est > (size_t)p->conf.p.max_request_size)
        return;                     /* next round */
    if (r == NULL) {
        d->reqs = sm_realloc(d->reqs, (size_t)(d->nreqs + 1) *
                             sizeof(*d->reqs));
        r = &d->reqs[d->nreqs++];
        memset(r, 0, sizeof(*r));
        r->leader = b->tp->leader;
    }
    r->v = sm_realloc(r->v, (size_t)(r->n + 1) * sizeof(*r->v));
    r->v[r->n++] = b;
    r->size += b->est;
    b->sealed = 1;
    b->inflight = 1;
}

/* Fail the batches of tp older than delivery.timeout.ms that are not in
 * flight.  A queue is in creation order (batches are appended with
 * created = now and never move), so the walk stops at the first batch
 * out of flight that is young enough: a round costs O(expired), not
 * O(queue), which with a full buffer.memory of 1 KiB records was
 * hundreds of cache misses per round under p->lock.  p->lock held. */
static void
sm_ptp_expire(samsa_producer_t *p, sm_ptp_t *tp, int64_t now,
              sm_pbatch_t **done)
{
    sm_pbatch_t *b = tp->head, *next;

    for (; b != NULL; b = next) {
        next = b->next;
        if (b->inflight)
            continue;
        if (now < b->created + p->conf.p.delivery_timeout_ms)
            break;
        sm_ptp_unlink(tp, b);
        sm_pbatch_fail(b, SM_ERR__TIMED_OUT, done);
    }
}

/* Expire old batches and collect ready heads.  p->lock held. */
static void
sm_producer_drain(samsa_producer_t *p, sm_pdrain_t *d, int64_t now)
{
    for (int i = 0; i < p->ntopics; i++) {
        sm_ptopic_t *t = p->topics[i];
        for (int32_t k = 0; k < t->npart; k++) {
            sm_ptp_t *tp = t->parts[k];
            sm_pbatch_t *b;
            sm_ptp_expire(p, tp, now, &d->done);
            b = tp->head;
            if (b == NULL || !sm_pbatch_ready(p, b, now, &d->wake))
                continue;
            if (tp->leader < 0) {
                p->want_md = 1;
                continue;
            }
            sm_pdrain_add(p, d, b);
        }
    }
}

/* ------------------------------------------------------------ sending */

static void
sm_producer_produce_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_ProduceRequest_write(buf, version, arg);
}

/* The request for r's batches; topics grouped in order of appearance. */
static void
sm_preq_build(samsa_producer_t *p, sm_preq_t *r, sm_ProduceRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->TransactionalId = SM_STR_NULL;
    req->Acks = p->conf.p.acks;
    req->TimeoutMs = p->conf.request_timeout_ms;
    req->TopicData = sm_calloc((size_t)r->n, sizeof(*req->TopicData));
    for (int i = 0; i < r->n; i++) {
        sm_pbatch_t *b = r->v[i];
        sm_ProduceRequestTopic_t *td = NULL;
        sm_ProduceRequestPartition_t *pd;
        for (int32_t k = 0; k < req->TopicDataCnt; k++)
            if (sm_str_eq_cstr(req->TopicData[k].Name, b->tp->topic->name))
                td = &req->TopicData[k];
        if (td == NULL) {
            td = &req->TopicData[req->TopicDataCnt++];
            td->Name = sm_str_cstr(b->tp->topic->name);
            td->PartitionData = sm_calloc((size_t)r->n,
                                          sizeof(*td->PartitionData));
        }
        pd = &td->PartitionData[td->PartitionDataCnt++];
        pd->Index = b->tp->partition;
        pd->Records.ptr = b->out.data;
        pd->Records.len = (int32_t)b->out.len;
    }
}

static void
sm_preq_free(sm_ProduceRequest_t *req)
{
    for (int32_t k = 0; k < req->TopicDataCnt; k++)
        sm_free(req->TopicData[k].PartitionData);
    sm_free(req->TopicData);
}

/* Settle b with err (SM_OK: delivered at base).  Retriable errors put it
 * back (sealed, not in flight) for another try.  p->lock held. */
static void
sm_producer_settle(samsa_producer_t *p, sm_pbatch_t *b, sm_err_t err,
                   int64_t base, sm_pbatch_t **done)
{
    int act = err == SM_OK ? 0 : sm_producer_err_action(err);
    int64_t now = sm_mono_ms();

    b->inflight = 0;
    b->attempts++;
    if (act & SM_ACT_REFRESH)
        p->want_md = 1;
    if ((act & SM_ACT_RETRY) && b->attempts <= p->conf.p.retries &&
        now < b->created + p->conf.p.delivery_timeout_ms && !p->stop) {
        sm_debug("producer", "retrying batch of %d to %s-%d (attempt %d): "
                 "%s", b->nmsgs, b->tp->topic->name, (int)b->tp->partition,
                 b->attempts, sm_err_name(err));
        b->retry_at = now + p->conf.retry_backoff_ms;
        return;
    }
    sm_ptp_unlink(b->tp, b);
    b->err = err;
    b->base_offset = err == SM_OK ? base : -1;
    b->done_next = *done;
    *done = b;
}

static const sm_ProduceResponsePartition_t *
sm_presp_find(const sm_ProduceResponse_t *pr, const sm_pbatch_t *b)
{
    for (int32_t i = 0; i < pr->ResponsesCnt; i++) {
        const sm_ProduceResponseTopic_t *rt = &pr->Responses[i];
        if (!sm_str_eq_cstr(rt->Name, b->tp->topic->name))
            continue;
        for (int32_t k = 0; k < rt->PartitionResponsesCnt; k++)
            if (rt->PartitionResponses[k].Index == b->tp->partition)
                return &rt->PartitionResponses[k];
    }
    return NULL;
}

/* Send r and settle its batches into *done.  Called without p->lock. */
static void
sm_producer_send(samsa_producer_t *p, sm_preq_t *r, sm_pbatch_t **done)
{
    sm_ProduceRequest_t req;
    sm_ProduceResponse_t pr;
    sm_client_resp_t resp;
    char errstr[512];
    int acks0 = p->conf.p.acks == 0;
    sm_err_t err;

    sm_preq_build(p, r, &req);
    memset(&pr, 0, sizeof(pr));
    err = sm_client_send_node(p->client, r->leader, SM_API_Produce,
                              SM_PRODUCE_MAX_VERSION,
                              sm_producer_produce_body, &req,
                              sm_mono_ms() + p->conf.request_timeout_ms,
                              acks0 ? NULL : &resp, errstr, sizeof(errstr));
    if (err != SM_OK)
        sm_warn("producer", "Produce to node %d failed: %s", (int)r->leader,
                errstr);
    else if (!acks0 && (err = sm_ProduceResponse_read(&resp.rd, resp.version,
                                                      &pr)) != SM_OK)
        sm_warn("producer", "Unparsable Produce v%d response from node %d",
                (int)resp.version, (int)r->leader);
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < r->n; i++) {
        const sm_ProduceResponsePartition_t *pp = NULL;
        sm_err_t berr = err;
        if (err == SM_OK && !acks0) {
            pp = sm_presp_find(&pr, r->v[i]);
            berr = pp == NULL ? SM_ERR__BAD_MSG : pp->ErrorCode;
        }
        sm_producer_settle(p, r->v[i], berr, pp ? pp->BaseOffset : -1,
                           done);
    }
    pthread_cond_signal(&p->io_cond);
    pthread_mutex_unlock(&p->lock);
    if (!acks0 && err == SM_OK)
        sm_ProduceResponse_free(&pr);
    if (!acks0 && err == SM_OK)
        sm_client_resp_fini(&resp);
    sm_preq_free(&req);
}

/* Finish the builders of r's batches (compression); a batch that cannot
 * be built fails.  Called without p->lock. */
static void
sm_preq_seal(samsa_producer_t *p, sm_preq_t *r, sm_pbatch_t **done)
{
    int k = 0;

    for (int i = 0; i < r->n; i++) {
        sm_pbatch_t *b = r->v[i];
        sm_err_t err = SM_OK;
        if (!b->built) {
            b->built = 1;
            err = sm_batch_builder_finish(&b->bb);
        }
        if (err != SM_OK) {
            pthread_mutex_lock(&p->lock);
            sm_ptp_unlink(b->tp, b);
            pthread_mutex_unlock(&p->lock);
            sm_pbatch_fail(b, err, done);
            continue;
        }
        r->v[k++] = b;
    }
    r->n = k;
}

/* ------------------------------------------------------------ the loop */

static void
sm_producer_fail_all(samsa_producer_t *p, sm_pbatch_t **done)
{
    for (int i = 0; i < p->ntopics; i++) {
        sm_ptopic_t *t = p->topics[i];
        for (int32_t k = 0; k < t->npart; k++) {
            sm_ptp_t *tp = t->parts[k];
            while (tp->head != NULL) {
                sm_pbatch_t *b = tp->head;
                sm_ptp_unlink(tp, b);
                sm_pbatch_fail(b, SM_ERR__STATE, done);
            }
        }
    }
}

static int
sm_producer_md_due(const samsa_producer_t *p, int64_t now)
{
    if (now < p->md_backoff_until)
        return 0;
    return p->want_md || (p->ntopics > 0 && now >= p->md_next);
}

/* One round with p->lock held on entry and exit; 0 when nothing was done
 * and the thread may sleep until d->wake. */
static int
sm_producer_round(samsa_producer_t *p, sm_pdrain_t *d)
{
    int64_t now = sm_mono_ms();

    if (sm_producer_md_due(p, now)) {
        sm_producer_md_refresh(p);
        return 1;
    }
    d->wake = now + 1000;
    if (p->want_md && p->md_backoff_until < d->wake)
        d->wake = p->md_backoff_until;
    if (p->ntopics > 0 && p->md_next < d->wake)
        d->wake = p->md_next;
    sm_producer_drain(p, d, now);
    if (d->nreqs == 0 && d->done == NULL)
        return 0;
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < d->nreqs; i++) {
        sm_preq_seal(p, &d->reqs[i], &d->done);
        if (d->reqs[i].n > 0)
            sm_producer_send(p, &d->reqs[i], &d->done);
        sm_free(d->reqs[i].v);
    }
    sm_free(d->reqs);
    sm_producer_report_list(p, d->done);
    pthread_mutex_lock(&p->lock);
    return 1;
}

void *
sm_producer_io_main(void *arg)
{
    samsa_producer_t *p = arg;
    sm_pbatch_t *done = NULL;

    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        sm_pdrain_t d;
        memset(&d, 0, sizeof(d));
        if (sm_producer_round(p, &d) == 0 && !p->stop)
            sm_producer_cond_wait(&p->io_cond, &p->lock, d.wake);
    }
    sm_producer_fail_all(p, &done);
    pthread_mutex_unlock(&p->lock);
    sm_producer_report_list(p, done);
    return NULL;
}
