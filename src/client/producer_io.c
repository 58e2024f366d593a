/*
 * producer_io.c: the producer's I/O thread (Kafka's Sender): its libev
 * loop, metadata, draining ready batches into Produce requests, settling
 * answers, retries, expiry and delivery reports.  Locks and batch states:
 * producer.h; connections and pipelining: producer_conn.c.
 *
 * LOOP.  An ev_prepare watcher runs one round before the loop waits,
 * i.e. after every batch of events (an application wake-up through the
 * ev_async, a response, a writable socket, a timer).  A round, under
 * p->lock: refresh metadata if wanted (producer_md.c); fail batches older than
 * delivery.timeout.ms that are not in flight (a queue is in creation
 * order, so each walk stops at its first young batch); for every
 * partition, take its first batches not in flight, in order, while they
 * are ready - full (estimated size >= batch.size, or a batch behind it),
 * lingered linger.ms, flushing or closing, and past their retry backoff -
 * and the leader's connection has a free in-flight slot: batch k of a
 * partition goes into the round's k-th request to that leader, each
 * request at most max.request.size.  Unlocked: build (compress) the
 * batches, hand each request to its connection, report what settled,
 * start connections that batches wait for, and arm the tick timer for
 * the earliest linger, backoff or refresh deadline.
 *
 * ERRORS.  What a partition error means is one table,
 * sm_producer_err_action(): retry (after retry.backoff.ms, while attempts
 * <= retries and delivery.timeout.ms has not passed) and/or refresh
 * metadata first.  A transport error or timeout fails every request in
 * flight on that connection that way.  Anything else fails the batch:
 * every record's callback gets the code.  With acks=0 no response comes;
 * records report offset -1 once written.
 *
 * STOP.  samsa_producer_close() sets p->stop after its flush: the round
 * breaks the loop, connections close, and every batch left is reported
 * with _STATE.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "client/producer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/produce.h"

int
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

/* ------------------------------------------------------------ draining */

/* One round's requests, in the order they go out. */
typedef struct sm_pdrain {
    sm_preq_t  **reqs;
    int          nreqs;
    sm_preq_t   *md;                /* a Metadata request, on md_conn */
    sm_pconn_t  *md_conn;
    sm_pbatch_t *done;
    int64_t      wake;              /* next time something may be ready */
} sm_pdrain_t;

static int
sm_pbatch_ready(const samsa_producer_t *p, const sm_pbatch_t *b,
                int64_t now, int64_t *wake)
{
    int64_t at;

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

/* The round's request to c's broker that can take b: after index *from
 * (where the partition's previous batch went), with room under
 * max.request.size; a new one while c has a free in-flight slot.  NULL
 * when b must wait. */
static sm_preq_t *
sm_pdrain_slot(samsa_producer_t *p, sm_pdrain_t *d, const sm_pconn_t *c,
               const sm_pbatch_t *b, int *from)
{
    size_t max = (size_t)p->conf.p.max_request_size;
    int used = 0;
    sm_preq_t *r;

    for (int i = 0; i < d->nreqs; i++) {
        r = d->reqs[i];
        if (r->leader != c->node)
            continue;
        used++;
        if (i >= *from && r->size + b->est <= max) {
            *from = i + 1;
            return r;
        }
    }
    if (d->md_conn == c)
        used++;                     /* the round's Metadata request */
    if (used >= sm_pconn_slots(c))
        return NULL;
    r = sm_calloc(1, sizeof(*r));
    r->key = SM_API_Produce;
    r->max_version = SM_PRODUCE_MAX_VERSION;
    r->leader = c->node;
    d->reqs = sm_realloc(d->reqs, (size_t)(d->nreqs + 1) * sizeof(*d->reqs));
    d->reqs[d->nreqs++] = r;
    *from = d->nreqs;
    return r;
}

static void
sm_preq_add(sm_preq_t *r, sm_pbatch_t *b)
{
    r->v = sm_realloc(r->v, (size_t)(r->n + 1) * sizeof(*r->v));
    r->v[r->n++] = b;
    r->size += b->est;
    b->sealed = 1;
    b->inflight = 1;
}

/* Take tp's ready batches that are not in flight, in queue order.
 * p->lock held. */
static void
sm_pdrain_tp(samsa_producer_t *p, sm_pdrain_t *d, sm_ptp_t *tp,
             int64_t now)
{
    sm_pconn_t *c = NULL;
    int from = 0;

    for (sm_pbatch_t *b = tp->head; b != NULL; b = b->next) {
        sm_preq_t *r;
        if (b->inflight)
            continue;
        if (!sm_pbatch_ready(p, b, now, &d->wake))
            return;
        if (tp->leader < 0 ||
            (c == NULL && (c = sm_pconn_get(p, tp->leader)) == NULL)) {
            p->want_md = 1;
            return;
        }
        r = sm_pdrain_slot(p, d, c, b, &from);
        if (r == NULL) {
            if (c->state == SM_PC_DOWN)
                c->wanted = 1;      /* connect */
            return;
        }
        sm_preq_add(r, b);
    }
}

/* Fail the batches at the head of tp older than delivery.timeout.ms.
 * The walk stops at the first batch in flight (one behind it must not be
 * reported before it: a partition's callbacks come in produce order, as
 * Java's) or young enough (a queue is in creation order), so a round
 * costs O(expired), not O(queue), which with a full buffer.memory of
 * 1 KiB records was hundreds of cache misses per round under p->lock.
 * p->lock held. */
static void
sm_ptp_expire(samsa_producer_t *p, sm_ptp_t *tp, int64_t now,
              sm_pbatch_t **done)
{
    sm_pbatch_t *b = tp->head, *next;

    for (; b != NULL; b = next) {
        next = b->next;
        if (b->inflight ||
            now < b->created + p->conf.p.delivery_timeout_ms)
            break;
        sm_ptp_unlink(tp, b);
        sm_pbatch_fail(b, SM_ERR__TIMED_OUT, done);
    }
}

/* Expire old batches and collect ready ones.  p->lock held. */
static void
sm_producer_drain(samsa_producer_t *p, sm_pdrain_t *d, int64_t now)
{
    for (int i = 0; i < p->ntopics; i++) {
        sm_ptopic_t *t = p->topics[i];
        for (int32_t k = 0; k < t->npart; k++) {
            sm_ptp_expire(p, t->parts[k], now, &d->done);
            sm_pdrain_tp(p, d, t->parts[k], now);
        }
    }
}

/* ------------------------------------------------------------ requests */

/* The ProduceRequest of r's batches, topics grouped in order of
 * appearance; it borrows the batches' bytes and names. */
static void
sm_preq_encode(samsa_producer_t *p, sm_preq_t *r, sm_ProduceRequest_t *req)
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
sm_preq_encode_fini(sm_ProduceRequest_t *req)
{
    for (int32_t k = 0; k < req->TopicDataCnt; k++)
        sm_free(req->TopicData[k].PartitionData);
    sm_free(req->TopicData);
}

void
sm_preq_free(sm_preq_t *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < r->nnames; i++)
        sm_free(r->names[i]);
    sm_free(r->names);
    sm_free(r->v);
    sm_free(r);
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

/* Settle r's batches: err for all, or each partition's answer in pr
 * (NULL with acks=0: delivered, offset unknown). */
static void
sm_producer_settle_req(samsa_producer_t *p, sm_preq_t *r, sm_err_t err,
                       const sm_ProduceResponse_t *pr)
{
    sm_pbatch_t *done = NULL;

    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < r->n; i++) {
        const sm_ProduceResponsePartition_t *pp = NULL;
        sm_err_t berr = err;
        if (err == SM_OK && pr != NULL) {
            pp = sm_presp_find(pr, r->v[i]);
            berr = pp == NULL ? SM_ERR__BAD_MSG : pp->ErrorCode;
        }
        sm_producer_settle(p, r->v[i], berr, pp ? pp->BaseOffset : -1,
                           &done);
    }
    pthread_mutex_unlock(&p->lock);
    sm_producer_report_list(p, done);
}

void
sm_producer_complete(samsa_producer_t *p, sm_preq_t *r, sm_err_t err,
                     sm_rd_t *rd)
{
    sm_ProduceResponse_t pr;

    p->again = 1;
    if (r->key == SM_API_Metadata) {
        sm_producer_md_done(p, err, rd, r->version);
    } else if (err != SM_OK || rd == NULL) {
        sm_producer_settle_req(p, r, err, NULL);
    } else if (sm_ProduceResponse_read(rd, r->version, &pr) != SM_OK) {
        sm_warn("producer", "Unparsable Produce v%d response from node %d",
                (int)r->version, (int)r->leader);
        sm_producer_settle_req(p, r, SM_ERR__BAD_MSG, NULL);
    } else {
        sm_producer_settle_req(p, r, SM_OK, &pr);
        sm_ProduceResponse_free(&pr);
    }
    sm_preq_free(r);
}

void
sm_preq_write(samsa_producer_t *p, sm_preq_t *r, sm_buf_t *buf)
{
    sm_ProduceRequest_t req;

    if (r->key == SM_API_Metadata) {
        sm_producer_md_write(r, r->version, buf);
        return;
    }
    sm_preq_encode(p, r, &req);
    sm_ProduceRequest_write(buf, r->version, &req);
    sm_preq_encode_fini(&req);
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

/* Build and hand over the round's requests.  Called without p->lock. */
static void
sm_producer_send_all(samsa_producer_t *p, sm_pdrain_t *d)
{
    for (int i = 0; i < d->nreqs; i++) {
        sm_preq_t *r = d->reqs[i];
        sm_pconn_t *c = sm_pconn_get(p, r->leader);
        sm_preq_seal(p, r, &d->done);
        if (r->n == 0)
            sm_preq_free(r);
        else if (c == NULL || sm_pconn_slots(c) <= 0)
            sm_producer_complete(p, r, SM_ERR__TRANSPORT, NULL);
        else
            sm_pconn_send(c, r);
    }
    sm_free(d->reqs);
    if (d->md != NULL)
        sm_pconn_send(d->md_conn, d->md);
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
    if (now < p->md_backoff_until || p->md_inflight)
        return 0;
    return p->want_md || (p->ntopics > 0 && now >= p->md_next);
}

/* A due metadata refresh: a request on a connection that is up, else
 * (none is: starting, or every broker written to is down) a round trip
 * on the client core's blocking connection, which finds a live broker
 * or a bootstrap address.  p->lock held (dropped for the latter). */
static void
sm_producer_md_start(samsa_producer_t *p, sm_pdrain_t *d)
{
    sm_pconn_t *c = sm_pconn_pick(p);

    if (c != NULL) {
        d->md = sm_producer_md_req(p);
        d->md_conn = c;
    } else {
        sm_producer_md_refresh(p);
    }
}

/* Start the connections batches wait for, close idle ones; their
 * deadlines bound *wake. */
static void
sm_producer_kick(samsa_producer_t *p, int64_t *wake)
{
    int64_t now = sm_mono_ms();

    for (int i = 0; i < p->nconns; i++)
        sm_pconn_kick(p->conns[i], now, wake);
}

static void
sm_producer_arm(samsa_producer_t *p, int64_t wake)
{
    int64_t ms = p->again ? 0 : wake - sm_mono_ms();

    ev_timer_stop(p->loop, &p->tick);
    ev_timer_set(&p->tick, ms > 0 ? (double)ms / 1000.0 : 0.0, 0.0);
    ev_timer_start(p->loop, &p->tick);
}

/* One round (see LOOP above). */
static void
sm_producer_round(samsa_producer_t *p)
{
    sm_pdrain_t d;
    int64_t now;

    memset(&d, 0, sizeof(d));
    p->again = 0;
    if (p->md_changed) {
        p->md_changed = 0;
        sm_pconn_check_addresses(p);
    }
    pthread_mutex_lock(&p->lock);
    if (p->stop) {
        pthread_mutex_unlock(&p->lock);
        ev_break(p->loop, EVBREAK_ALL);
        return;
    }
    now = sm_mono_ms();
    if (sm_producer_md_due(p, now)) {
        sm_producer_md_start(p, &d);
        now = sm_mono_ms();
    }
    d.wake = now + 1000;
    if (p->want_md && p->md_backoff_until < d.wake)
        d.wake = p->md_backoff_until;
    if (p->ntopics > 0 && p->md_next < d.wake)
        d.wake = p->md_next;
    sm_producer_drain(p, &d, now);
    pthread_mutex_unlock(&p->lock);
    sm_producer_send_all(p, &d);
    sm_producer_report_list(p, d.done);
    sm_producer_kick(p, &d.wake);
    sm_producer_arm(p, d.wake);
}

static void
sm_producer_on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
    (void)loop;
    (void)revents;
    sm_producer_round(w->data);
}

/* The wake-up and the tick only end the loop's wait: the prepare
 * watcher does the work. */
static void
sm_producer_on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
}

static void
sm_producer_on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
}

void
sm_producer_wake(samsa_producer_t *p)
{
    if (p->loop != NULL)
        ev_async_send(p->loop, &p->wake);
}

int
sm_producer_io_init(samsa_producer_t *p)
{
    p->loop = ev_loop_new(EVFLAG_AUTO);
    if (p->loop == NULL)
        return -1;
    ev_async_init(&p->wake, sm_producer_on_wake);
    ev_prepare_init(&p->prep, sm_producer_on_prepare);
    ev_timer_init(&p->tick, sm_producer_on_tick, 0.0, 0.0);
    p->prep.data = p;
    ev_async_start(p->loop, &p->wake);
    ev_prepare_start(p->loop, &p->prep);
    return 0;
}

void
sm_producer_io_fini(samsa_producer_t *p)
{
    if (p->loop == NULL)
        return;
    sm_pconn_destroy_all(p);
    ev_loop_destroy(p->loop);
    p->loop = NULL;
}

void *
sm_producer_io_main(void *arg)
{
    samsa_producer_t *p = arg;
    sm_pbatch_t *done = NULL;

    ev_run(p->loop, 0);
    sm_pconn_destroy_all(p);        /* requests go; their batches stay */
    pthread_mutex_lock(&p->lock);
    sm_producer_fail_all(p, &done);
    pthread_mutex_unlock(&p->lock);
    sm_producer_report_list(p, done);
    return NULL;
}
