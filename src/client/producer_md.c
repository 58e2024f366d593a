/*
 * producer_md.c: the producer's metadata - which topics exist, their
 * partitions and leaders (Kafka's ProducerMetadata).  The I/O thread asks
 * for every topic in use (auto-creation allowed) when something wants it
 * (a new topic, a leader error, a dropped connection) and every
 * metadata.max.age.ms, at most once per retry.backoff.ms (doubling, up
 * to max(1 s, retry.backoff.ms), while requests fail in a row).
 *
 * TWO PATHS.  A request on one of the producer's own connections that is
 * up (producer_conn.c; answered in the loop like any Produce, so a slow
 * broker elsewhere stalls nothing), or, when none is up, a round trip on
 * the client core's blocking connection (client.c: any live broker,
 * else the bootstrap list) - at start, or when every broker written to is
 * down.  The blocking round trip is one try (one pass over the brokers
 * and bootstrap addresses): while nothing answers, the loop gets back to
 * expiring records and to close between tries instead of waiting out
 * request.timeout.ms.  Either way the answer lands in
 * sm_producer_md_done().
 *
 * Threads: the I/O thread; p->lock as each function says.
 */
#include <pthread.h>
#include <string.h>

#include "client/producer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/metadata.h"

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

sm_preq_t *
sm_producer_md_req(samsa_producer_t *p)
{
    sm_preq_t *r = sm_calloc(1, sizeof(*r));

    r->key = SM_API_Metadata;
    r->max_version = SM_METADATA_MAX_VERSION;
    r->leader = -1;
    r->names = sm_calloc((size_t)p->ntopics + 1, sizeof(*r->names));
    for (int i = 0; i < p->ntopics; i++)
        r->names[r->nnames++] = sm_strdup(p->topics[i]->name);
    p->want_md = 0;
    p->md_inflight = 1;
    return r;
}

void
sm_producer_md_write(const sm_preq_t *r, int16_t version, sm_buf_t *buf)
{
    sm_MetadataRequest_t req;

    memset(&req, 0, sizeof(req));
    req.Topics = sm_calloc((size_t)r->nnames + 1, sizeof(*req.Topics));
    for (int i = 0; i < r->nnames; i++)
        req.Topics[i].Name = sm_str_cstr(r->names[i]);
    req.TopicsCnt = r->nnames;
    req.AllowAutoTopicCreation = 1;
    sm_MetadataRequest_write(buf, version, &req);
    sm_free(req.Topics);
}

void
sm_producer_md_done(samsa_producer_t *p, sm_err_t err, sm_rd_t *rd,
                    int16_t version)
{
    sm_MetadataResponse_t md;

    memset(&md, 0, sizeof(md));
    if (err == SM_OK && rd != NULL &&
        (err = sm_MetadataResponse_read(rd, version, &md)) != SM_OK)
        sm_warn("producer", "Unparsable Metadata v%d response",
                (int)version);
    if (err == SM_OK) {
        sm_client_install(p->client, &md);
        p->md_changed = 1;          /* addresses: checked next round */
    }
    pthread_mutex_lock(&p->lock);
    if (err == SM_OK) {
        for (int32_t i = 0; i < md.TopicsCnt; i++)
            sm_producer_md_topic(p, &md.Topics[i]);
        p->md_next = sm_mono_ms() + p->conf.p.metadata_max_age_ms;
        p->md_fails = 0;
    } else {
        p->want_md = 1;
        p->md_fails += p->md_fails < 30;
    }
    p->md_inflight = 0;
    p->md_backoff_until = sm_mono_ms() +
                          sm_producer_backoff_ms(p, p->md_fails);
    pthread_cond_broadcast(&p->app_cond);
    pthread_mutex_unlock(&p->lock);
    if (err == SM_OK)
        sm_MetadataResponse_free(&md);
}

static void
sm_producer_md_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_producer_md_write(arg, version, buf);
}

void
sm_producer_md_refresh(samsa_producer_t *p)
{
    sm_preq_t *r = sm_producer_md_req(p);
    sm_client_resp_t resp;
    char errstr[512];
    sm_err_t err;

    memset(&resp, 0, sizeof(resp));
    pthread_mutex_unlock(&p->lock);
    /* one try: the I/O loop retries after the backoff and meanwhile
     * expires records and notices close */
    err = sm_client_send_any_once(p->client, SM_API_Metadata,
                                  SM_METADATA_MAX_VERSION,
                                  sm_producer_md_body, r,
                                  sm_mono_ms() + p->conf.request_timeout_ms,
                                  &resp, errstr, sizeof(errstr));
    if (err != SM_OK && p->md_fails == 0)
        sm_warn("producer", "Metadata request failed: %s", errstr);
    else if (err != SM_OK)
        sm_debug("producer", "Metadata request failed again (%d in a "
                 "row): %s", p->md_fails + 1, errstr);
    sm_producer_md_done(p, err, err == SM_OK ? &resp.rd : NULL,
                        resp.version);
    if (err == SM_OK)
        sm_client_resp_fini(&resp);
    sm_preq_free(r);
    pthread_mutex_lock(&p->lock);
}
