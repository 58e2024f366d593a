/*
 * consumer_fetch.c: the consumer's Fetch requests (Java's Fetcher): one
 * connection per leader of its own, the request for the partitions that
 * leader serves, the answer queued as messages, and one Fetch kept ahead.
 *
 * FETCH AHEAD.  When an answer brings records, the next Fetch for the
 * same partitions goes out before the records are decoded, at the
 * offsets that follow the answer's last complete batch (the batch
 * headers say so without decoding), so the broker reads and sends while
 * the application decodes and consumes - what Java's consumer does by
 * fetching for partitions with nothing buffered, and librdkafka with its
 * broker threads.  The answer is read by a later poll, once the socket
 * has bytes, and each partition's part of it is used only if the
 * partition is still assigned to this leader, not paused, and its next
 * offset is the one asked for; anything else (a seek, a pause, a
 * rebalance) is dropped and fetched again.  A fetch connection carries
 * nothing but Fetch, so one outstanding request cannot meet another's
 * answer.
 *
 * ERRORS.  A transport failure closes the leader's fetch connection and
 * marks the partitions of the request leader-unknown (metadata refresh);
 * partition errors as consumer.c says.
 *
 * Threads: the application's (consumer.h).
 */
#include <stdio.h>
#include <string.h>

#include "client/consumer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/fetch.h"
#include "protocol/records.h"

/* One partition of the Fetch that is outstanding. */
typedef struct sm_cpend {
    char    *topic;
    int32_t  partition;
    int64_t  offset;        /* asked for in the outstanding Fetch */
    int64_t  answered;      /* asked for in the answer being applied */
} sm_cpend_t;

struct sm_cfetcher {
    int32_t           leader;
    sm_client_conn_t *conn;         /* NULL: not connected */
    int               pending;      /* a Fetch is outstanding */
    int64_t           expires;      /* mono ms: its answer is overdue */
    int32_t           corrid;
    int16_t           version;
    sm_cpend_t       *pend;
    int               npend;
};

/* ------------------------------------------------------------ fetchers */

static void
sm_cfetcher_forget(sm_cfetcher_t *f)
{
    for (int i = 0; i < f->npend; i++)
        sm_free(f->pend[i].topic);
    sm_free(f->pend);
    f->pend = NULL;
    f->npend = 0;
    f->pending = 0;
}

static void
sm_cfetcher_close(sm_cfetcher_t *f)
{
    sm_client_conn_destroy(f->conn);
    f->conn = NULL;
    sm_cfetcher_forget(f);
}

void
sm_consumer_fetchers_destroy(samsa_consumer_t *c)
{
    for (int i = 0; i < c->nfetchers; i++) {
        sm_cfetcher_close(c->fetchers[i]);
        sm_free(c->fetchers[i]);
    }
    sm_free(c->fetchers);
    c->fetchers = NULL;
    c->nfetchers = 0;
}

static sm_cfetcher_t *
sm_cfetcher_get(samsa_consumer_t *c, int32_t leader)
{
    sm_cfetcher_t *f;

    for (int i = 0; i < c->nfetchers; i++)
        if (c->fetchers[i]->leader == leader)
            return c->fetchers[i];
    f = sm_calloc(1, sizeof(*f));
    f->leader = leader;
    c->fetchers = sm_realloc(c->fetchers, (size_t)(c->nfetchers + 1) *
                             sizeof(*c->fetchers));
    c->fetchers[c->nfetchers++] = f;
    return f;
}

/* The fetch connection to f's leader, opened if needed. */
static sm_err_t
sm_cfetcher_conn(samsa_consumer_t *c, sm_cfetcher_t *f, int64_t deadline,
                 char *errstr, size_t errstr_size)
{
    const sm_client_broker_t *b;

    if (f->conn != NULL && f->conn->fd >= 0)
        return SM_OK;
    sm_client_conn_destroy(f->conn);    /* a closed one; f->pend stays */
    f->conn = NULL;
    b = sm_client_find_broker(c->client, f->leader);
    if (b == NULL) {
        snprintf(errstr, errstr_size, "Node %d is not a live broker",
                 (int)f->leader);
        return SM_ERR_BROKER_NOT_AVAILABLE;
    }
    return sm_client_conn_open(b->host, b->port, b->id, &c->conf, deadline,
                               &f->conn, errstr, errstr_size);
}

/* ------------------------------------------------------------ answers */

/* Queue the records of one partition's answer. */
static void
sm_consumer_records(samsa_consumer_t *c, sm_ctp_t *tp, sm_bytes_t recs)
{
    sm_batch_iter_t it;
    sm_batch_t b;

    if (recs.len <= 0)
        return;
    sm_batch_iter_init(&it, recs.ptr, (size_t)recs.len);
    while (sm_batch_next(&it, &b)) {
        sm_rec_iter_t ri;
        sm_record_t rec;
        if (c->conf.k.check_crcs && sm_batch_validate(&b) != SM_OK) {
            sm_consumer_fail(c, SM_ERR_CORRUPT_MESSAGE, "Record batch for "
                             "partition %s-%d is corrupt (%s)", tp);
            tp->leader = -2;
            return;
        }
        if (b.magic == 2 && (b.attributes & 0x20)) {   /* control */
            tp->offset = b.last_offset + 1;
            continue;
        }
        if (sm_rec_iter_init(&ri, &b, 64 << 20) == SM_OK)
            while (sm_rec_iter_next(&ri, &rec))
                if (rec.offset >= tp->offset) {
                    sm_consumer_push(c, sm_consumer_msg(tp, &b, &rec));
                    tp->offset = rec.offset + 1;
                }
        sm_rec_iter_fini(&ri);
        if (b.magic == 2 && b.last_offset + 1 > tp->offset)
            tp->offset = b.last_offset + 1;
    }
}

/* Where tp's next Fetch starts after records asked for at offset: past
 * the last complete batch (the offsets sm_consumer_records leaves). */
static int64_t
sm_consumer_next_offset(sm_bytes_t recs, int64_t offset)
{
    sm_batch_iter_t it;
    sm_batch_t b;

    if (recs.len <= 0)
        return offset;
    sm_batch_iter_init(&it, recs.ptr, (size_t)recs.len);
    while (sm_batch_next(&it, &b))
        if (b.last_offset + 1 > offset)
            offset = b.last_offset + 1;
    return offset;
}

static void
sm_consumer_part_resp(samsa_consumer_t *c, sm_ctp_t *tp,
                      const sm_FetchResponsePartition_t *p)
{
    switch (p->ErrorCode) {
    case SM_OK:
        sm_consumer_records(c, tp, p->Records);
        break;
    case SM_ERR_OFFSET_OUT_OF_RANGE:
        if (c->conf.k.auto_offset_reset == SM_RESET_NONE) {
            sm_consumer_fail(c, p->ErrorCode, "Offsets out of range with "
                             "no configured reset policy for partitions: "
                             "[%s-%d] (%s)", tp);
            tp->leader = -2;
        } else {
            tp->offset = SAMSA_OFFSET_STORED;
        }
        break;
    case SM_ERR_NOT_LEADER_FOR_PARTITION:
    case SM_ERR_UNKNOWN_TOPIC_OR_PARTITION:
    case SM_ERR_LEADER_NOT_AVAILABLE:
    case SM_ERR_REPLICA_NOT_AVAILABLE:
    case SM_ERR_KAFKA_STORAGE_ERROR:
        tp->leader = -1;
        break;
    default:
        sm_consumer_fail(c, p->ErrorCode, "Fetch of %s-%d failed: %s", tp);
        tp->leader = -2;
    }
}

/* The answer's part for one pending partition, or NULL. */
static const sm_FetchResponsePartition_t *
sm_consumer_resp_part(const sm_FetchResponse_t *fr, const sm_cpend_t *pe)
{
    for (int32_t t = 0; t < fr->ResponsesCnt; t++) {
        const sm_FetchResponseTopic_t *rt = &fr->Responses[t];
        if (!sm_str_eq_cstr(rt->Topic, pe->topic))
            continue;
        for (int32_t k = 0; k < rt->PartitionsCnt; k++)
            if (rt->Partitions[k].PartitionIndex == pe->partition)
                return &rt->Partitions[k];
    }
    return NULL;
}

/* ------------------------------------------------------------ requests */

static void
sm_consumer_fetch_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_FetchRequest_write(buf, version, arg);
}

/* Send a Fetch for f->pend (filled) without waiting for the answer. */
static sm_err_t
sm_cfetcher_send(samsa_consumer_t *c, sm_cfetcher_t *f, int32_t wait_ms,
                 int64_t deadline, char *errstr, size_t errstr_size)
{
    sm_FetchRequestTopic_t *topics = sm_calloc((size_t)f->npend,
                                               sizeof(*topics));
    sm_FetchRequestPartition_t *parts = sm_calloc((size_t)f->npend,
                                                  sizeof(*parts));
    sm_FetchRequest_t req;
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.ReplicaId = -1;
    req.MaxWaitMs = wait_ms;
    req.MinBytes = c->conf.k.fetch_min_bytes;
    req.MaxBytes = c->conf.k.fetch_max_bytes;
    req.IsolationLevel = c->conf.k.isolation_level;
    req.SessionEpoch = -1;
    req.RackId = sm_str_cstr("");
    req.Topics = topics;
    for (int i = 0; i < f->npend; i++) {      /* pend is grouped by topic */
        sm_FetchRequestPartition_t *fp = &parts[i];
        if (i == 0 || strcmp(f->pend[i].topic, f->pend[i - 1].topic) != 0) {
            topics[req.TopicsCnt].Topic = sm_str_cstr(f->pend[i].topic);
            topics[req.TopicsCnt++].Partitions = fp;
        }
        topics[req.TopicsCnt - 1].PartitionsCnt++;
        fp->Partition = f->pend[i].partition;
        fp->CurrentLeaderEpoch = -1;
        fp->FetchOffset = f->pend[i].offset;
        fp->LogStartOffset = -1;
        fp->PartitionMaxBytes = c->conf.k.max_partition_fetch_bytes;
    }
    err = sm_cfetcher_conn(c, f, deadline, errstr, errstr_size);
    if (err == SM_OK) {
        f->version = sm_client_conn_version(f->conn, SM_API_Fetch,
                                            SM_FETCH_MAX_VERSION);
        err = f->version < 0 ? SM_ERR_UNSUPPORTED_VERSION
              : sm_client_conn_send(f->conn, SM_API_Fetch, f->version,
                                    sm_consumer_fetch_body, &req, deadline,
                                    &f->corrid, errstr, errstr_size);
    }
    f->pending = err == SM_OK;
    f->expires = sm_mono_ms() + wait_ms + c->conf.request_timeout_ms;
    sm_free(parts);
    sm_free(topics);
    return err;
}

/* f->pend := tp's partitions fetchable from f's leader, topic by topic
 * (c->parts is in assignment order). */
static void
sm_cfetcher_plan(samsa_consumer_t *c, sm_cfetcher_t *f)
{
    sm_cfetcher_forget(f);
    f->pend = sm_calloc((size_t)c->nparts + 1, sizeof(*f->pend));
    for (int i = 0; i < c->nparts; i++) {
        int seen = 0;
        if (!sm_consumer_fetchable(&c->parts[i], f->leader))
            continue;
        for (int k = 0; k < f->npend && !seen; k++)
            seen = strcmp(f->pend[k].topic, c->parts[i].topic) == 0;
        if (seen)
            continue;
        for (int k = i; k < c->nparts; k++) {
            sm_ctp_t *tp = &c->parts[k];
            if (!sm_consumer_fetchable(tp, f->leader) ||
                strcmp(tp->topic, c->parts[i].topic) != 0)
                continue;
            f->pend[f->npend].topic = sm_strdup(tp->topic);
            f->pend[f->npend].partition = tp->partition;
            f->pend[f->npend++].offset = tp->offset;
        }
    }
}

/* The next Fetch for the same partitions, at the offsets after fr's
 * records (f->pend's offsets move there, the ones fr answers stay in
 * .answered); sent only if fr brought records.  Failures are left for the next round to meet: f->pending
 * stays 0 and the next round plans anew. */
static void
sm_cfetcher_ahead(samsa_consumer_t *c, sm_cfetcher_t *f,
                  const sm_FetchResponse_t *fr, int64_t deadline)
{
    char errstr[256];
    int more = 0;

    for (int i = 0; i < f->npend; i++) {
        const sm_FetchResponsePartition_t *p =
            sm_consumer_resp_part(fr, &f->pend[i]);
        int64_t next = f->pend[i].offset;
        if (p != NULL && p->ErrorCode == SM_OK)
            next = sm_consumer_next_offset(p->Records, next);
        more |= next > f->pend[i].offset;
        f->pend[i].answered = f->pend[i].offset;
        f->pend[i].offset = next;
    }
    if (more)
        (void)sm_cfetcher_send(c, f, c->conf.k.fetch_max_wait_ms, deadline,
                               errstr, sizeof(errstr));
}

/* Apply fr to the partitions of f->pend that still want what fr
 * answers. */
static void
sm_cfetcher_apply(samsa_consumer_t *c, const sm_cfetcher_t *f,
                  const sm_FetchResponse_t *fr)
{
    for (int i = 0; i < f->npend; i++) {
        const sm_cpend_t *pe = &f->pend[i];
        sm_ctp_t *tp = sm_consumer_find(c, pe->topic, pe->partition);
        const sm_FetchResponsePartition_t *p = sm_consumer_resp_part(fr, pe);
        if (tp != NULL && p != NULL && sm_consumer_fetchable(tp, f->leader) &&
            tp->offset == pe->answered)
            sm_consumer_part_resp(c, tp, p);
    }
}

/* A transport failure: the partitions asked for look for their leader. */
static void
sm_cfetcher_failed(samsa_consumer_t *c, sm_cfetcher_t *f, const char *why)
{
    sm_debug("consumer", "Fetch from node %d failed: %s", (int)f->leader,
             why);
    for (int i = 0; i < f->npend; i++) {
        sm_ctp_t *tp = sm_consumer_find(c, f->pend[i].topic,
                                        f->pend[i].partition);
        if (tp != NULL && tp->leader == f->leader)
            tp->leader = -1;
    }
    sm_cfetcher_close(f);
}

/* Read f's answer (its socket is readable or the caller waits until
 * deadline), queue it, and keep a Fetch ahead. */
static void
sm_cfetcher_finish(samsa_consumer_t *c, sm_cfetcher_t *f, int64_t deadline)
{
    sm_FetchResponse_t fr;
    sm_client_resp_t resp;
    char errstr[512];

    if (sm_client_conn_recv(f->conn, SM_API_Fetch, f->version, f->corrid,
                            deadline, &resp, errstr,
                            sizeof(errstr)) != SM_OK) {
        sm_cfetcher_failed(c, f, errstr);
        return;
    }
    f->pending = 0;
    if (sm_FetchResponse_read(&resp.rd, resp.version, &fr) != SM_OK) {
        sm_client_resp_fini(&resp);
        sm_cfetcher_failed(c, f, "unparsable Fetch response");
        return;
    }
    sm_cfetcher_ahead(c, f, &fr, deadline);     /* same partitions */
    sm_cfetcher_apply(c, f, &fr);
    sm_FetchResponse_free(&fr);
    sm_client_resp_fini(&resp);
}

void
sm_consumer_fetch(samsa_consumer_t *c, int32_t leader, int32_t wait_ms)
{
    sm_cfetcher_t *f = sm_cfetcher_get(c, leader);
    int64_t now = sm_mono_ms();
    char errstr[512];
    int rc;

    if (!f->pending) {
        sm_cfetcher_plan(c, f);
        if (f->npend == 0)
            return;
        if (sm_cfetcher_send(c, f, wait_ms, now + wait_ms +
                             c->conf.request_timeout_ms, errstr,
                             sizeof(errstr)) != SM_OK) {
            sm_cfetcher_failed(c, f, errstr);
            return;
        }
    } else if (now >= f->expires) {
        sm_cfetcher_failed(c, f, "no answer within request.timeout.ms");
        return;
    }
    /* a Fetch ahead answers within fetch.max.wait.ms; this round waits
     * for it no longer than for a Fetch of its own */
    rc = sm_client_conn_readable(f->conn, f->expires < now + wait_ms
                                          ? f->expires : now + wait_ms);
    if (rc < 0)
        sm_cfetcher_failed(c, f, "connection closed");
    else if (rc > 0)
        sm_cfetcher_finish(c, f, sm_mono_ms() + c->conf.request_timeout_ms);
}
