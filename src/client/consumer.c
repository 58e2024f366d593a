/*
 * consumer.c: libsamsa's consumer (samsa.h, samsa_consumer_*): the
 * assigned partitions, fetching, the queue of fetched messages and the
 * manual-mode calls (assign, seek, position, pause) - Java's Fetcher and
 * SubscriptionState.  The group layer (consumer_group.c) fills the same
 * partition table from its assignments; see consumer.h.
 *
 * STATE.  One entry per assigned partition: its topic, partition, leader
 * (from Metadata, -1 unknown) and the next offset to fetch, or a logical
 * offset (SAMSA_OFFSET_BEGINNING/END/STORED) still to be resolved with
 * ListOffsets (STORED: auto.offset.reset says which; with "none" it is
 * an error), or SM_OFFSET_COMMITTED, which only the group layer resolves
 * (OffsetFetch).  Messages fetched and not yet returned wait in c->q in
 * offset order per partition; poll hands them out (the consumer
 * interceptors see each one first).  A seek or a pause drops tp's queued
 * messages.
 *
 * POLL.  Until a message is queued or the timeout passes: refresh the
 * leaders if any is unknown; resolve logical offsets (ListOffsets to the
 * leader); a Fetch round per leader for its partitions that are not
 * paused (consumer_fetch.c: a connection per leader, one Fetch kept
 * ahead; a round waits fetch.max.wait.ms bounded by what is left of the
 * timeout) and queue the records at or past each partition's offset - a
 * compressed batch can start before it.  Control batches are skipped.
 * Partition errors: OFFSET_OUT_OF_RANGE resets by auto.offset.reset
 * (none: returned once); leadership errors and transport failures
 * refresh metadata and try again; anything else is returned once with
 * the partition named.
 *
 * Threads: the caller's, one at a time (samsa.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/consumer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/listoffsets.h"
#include "protocol/metadata.h"
#include "protocol/records.h"

/* ------------------------------------------------------------ messages */

void
samsa_message_destroy(samsa_message_t *msg)
{
    if (msg == NULL)
        return;
    for (int i = 0; i < msg->header_cnt; i++) {
        sm_free((char *)msg->headers[i].key);
        sm_free((void *)msg->headers[i].value);
    }
    sm_free(msg->headers);
    sm_free(msg);                   /* topic, key and value live in it */
}

static void *
sm_consumer_dup(sm_bytes_t b, int32_t *lenp)
{
    void *p;

    *lenp = b.len;
    if (b.len < 0)
        return NULL;
    p = sm_malloc((size_t)b.len + 1);
    if (b.len > 0)
        memcpy(p, b.ptr, (size_t)b.len);
    ((char *)p)[b.len] = '\0';
    return p;
}

/* Copy field f (len < 0: null) to *at, NUL-terminated; the copy, or
 * NULL.  *at advances past it. */
static void *
sm_consumer_put(char **at, sm_bytes_t f)
{
    char *p = *at;

    if (f.len < 0)
        return NULL;
    if (f.len > 0)
        memcpy(p, f.ptr, (size_t)f.len);
    p[f.len] = '\0';
    *at = p + f.len + 1;
    return p;
}

/* A message from rec of batch b, in one allocation with its topic, key
 * and value (the consumer's per-record cost is mostly malloc/free);
 * headers that do not decode are dropped (the batch CRC was checked, so
 * that means a broker bug). */
samsa_message_t *
sm_consumer_msg(const sm_ctp_t *tp, const sm_batch_t *b,
                const sm_record_t *rec)
{
    size_t tl = strlen(tp->topic);
    size_t size = sizeof(samsa_message_t) + tl + 1 +
                  (rec->key.len > 0 ? (size_t)rec->key.len : 0) + 1 +
                  (rec->value.len > 0 ? (size_t)rec->value.len : 0) + 1;
    samsa_message_t *m = sm_malloc(size);
    char *at = (char *)(m + 1);
    sm_record_header_t hv[64];
    int n = rec->header_count > 0 ? sm_record_headers(rec, hv, 64) : 0;

    memset(m, 0, sizeof(*m));
    m->topic = sm_consumer_put(&at, (sm_bytes_t){ (const uint8_t *)tp->topic,
                                                  (int32_t)tl });
    m->partition = tp->partition;
    m->offset = rec->offset;
    m->timestamp = rec->timestamp;
    m->timestamp_type = 0;
    if (b->magic >= 1 && (b->attributes & 0x08)) {
        m->timestamp_type = 1;       /* LogAppendTime */
        if (b->magic == 2)
            m->timestamp = b->max_timestamp;
    }
    if (b->magic == 0)
        m->timestamp = -1;
    m->key = sm_consumer_put(&at, rec->key);
    m->key_len = rec->key.len;
    m->value = sm_consumer_put(&at, rec->value);
    m->value_len = rec->value.len;
    if (n > 0) {
        m->headers = sm_calloc((size_t)n, sizeof(*m->headers));
        for (int i = 0; i < n; i++) {
            samsa_header_t *h = &m->headers[i];
            h->key = sm_strndup(hv[i].key.ptr, (size_t)hv[i].key.len);
            h->value = sm_consumer_dup(hv[i].value, &h->value_len);
        }
        m->header_cnt = n;
    }
    return m;
}

void
sm_consumer_push(samsa_consumer_t *c, samsa_message_t *m)
{
    if (c->qhead + c->qlen == c->qcap) {
        if (c->qhead > 0) {
            memmove(c->q, c->q + c->qhead, (size_t)c->qlen * sizeof(*c->q));
            c->qhead = 0;
        } else {
            c->qcap = c->qcap ? c->qcap * 2 : 64;
            c->q = sm_realloc(c->q, (size_t)c->qcap * sizeof(*c->q));
        }
    }
    c->q[c->qhead + c->qlen++] = m;
}

/* tp takes part in fetching. */
int
sm_consumer_fetchable(const sm_ctp_t *tp, int32_t leader)
{
    return tp->leader == leader && tp->offset >= 0 && !tp->paused;
}

/* ------------------------------------------------------------ lifetime */

samsa_consumer_t *
samsa_consumer_new(const samsa_conf_t *conf, char *errstr,
                   size_t errstr_size)
{
    sm_client_t *client = samsa_client_new(conf, errstr, errstr_size);
    samsa_consumer_t *c;

    if (client == NULL)
        return NULL;
    c = sm_calloc(1, sizeof(*c));
    sm_client_conf_copy(&c->conf, &conf->c);
    c->client = client;
    if (c->conf.g.group_id != NULL &&
        sm_cg_new(c, errstr, errstr_size) != SM_OK) {
        samsa_consumer_destroy(c);
        return NULL;
    }
    return c;
}

void
sm_consumer_clear(samsa_consumer_t *c)
{
    for (int i = 0; i < c->qlen; i++)
        samsa_message_destroy(c->q[c->qhead + i]);
    c->qhead = c->qlen = 0;
    for (int i = 0; i < c->nparts; i++)
        sm_free(c->parts[i].topic);
    sm_free(c->parts);
    c->parts = NULL;
    c->nparts = 0;
}

void
samsa_consumer_destroy(samsa_consumer_t *c)
{
    if (c == NULL)
        return;
    if (c->grp != NULL) {
        samsa_consumer_close(c);
        sm_cg_destroy(c);
    }
    sm_consumer_clear(c);
    sm_consumer_fetchers_destroy(c);
    sm_free(c->q);
    sm_free(c->pending_msg);
    samsa_client_destroy(c->client);
    sm_client_conf_fini(&c->conf);
    sm_free(c);
}

/* Drop queued messages of tp (a seek). */
static void
sm_consumer_unqueue(samsa_consumer_t *c, const sm_ctp_t *tp)
{
    int k = 0;

    for (int i = 0; i < c->qlen; i++) {
        samsa_message_t *m = c->q[c->qhead + i];
        if (m->partition == tp->partition && strcmp(m->topic, tp->topic) == 0)
            samsa_message_destroy(m);
        else
            c->q[c->qhead + k++] = m;
    }
    c->qlen = k;
}

sm_ctp_t *
sm_consumer_find(samsa_consumer_t *c, const char *topic, int32_t partition)
{
    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i].partition == partition &&
            strcmp(c->parts[i].topic, topic) == 0)
            return &c->parts[i];
    return NULL;
}

sm_ctp_t *
sm_consumer_add(samsa_consumer_t *c, const char *topic, int32_t partition,
                int64_t offset)
{
    sm_ctp_t *tp = sm_consumer_find(c, topic, partition);

    if (tp != NULL)
        return tp;
    c->parts = sm_realloc(c->parts, (size_t)(c->nparts + 1) *
                          sizeof(*c->parts));
    tp = &c->parts[c->nparts++];
    memset(tp, 0, sizeof(*tp));
    tp->topic = sm_strdup(topic);
    tp->partition = partition;
    tp->leader = -1;
    tp->offset = offset;
    tp->committed = -1;
    return tp;
}

int64_t
sm_consumer_position(const samsa_consumer_t *c, const sm_ctp_t *tp)
{
    for (int i = 0; i < c->qlen; i++) {
        const samsa_message_t *m = c->q[c->qhead + i];
        if (m->partition == tp->partition && strcmp(m->topic, tp->topic) == 0)
            return m->offset;
    }
    return tp->offset;
}

void
sm_consumer_rewind(samsa_consumer_t *c, sm_ctp_t *tp)
{
    tp->offset = sm_consumer_position(c, tp);
    sm_consumer_unqueue(c, tp);
}

static int
sm_consumer_offset_ok(int64_t offset)
{
    return offset >= 0 || offset == SAMSA_OFFSET_BEGINNING ||
           offset == SAMSA_OFFSET_END || offset == SAMSA_OFFSET_STORED;
}

samsa_err_t
samsa_consumer_assign(samsa_consumer_t *c, const char *topic,
                      int32_t partition, int64_t offset)
{
    sm_ctp_t *tp;

    if (topic == NULL || topic[0] == '\0' || partition < 0 ||
        !sm_consumer_offset_ok(offset) ||
        (c->grp != NULL && c->grp->subscribed))
        return SM_ERR__INVALID_ARG;
    if (offset == SAMSA_OFFSET_STORED && c->grp != NULL)
        offset = SM_OFFSET_COMMITTED;
    c->manual = 1;
    tp = sm_consumer_add(c, topic, partition, offset);
    sm_consumer_unqueue(c, tp);
    tp->offset = offset;
    if (tp->leader == -2)
        tp->leader = -1;
    return SAMSA_OK;
}

samsa_err_t
samsa_consumer_unassign(samsa_consumer_t *c, const char *topic,
                        int32_t partition)
{
    sm_ctp_t *tp = sm_consumer_find(c, topic, partition);
    int i;

    if (tp == NULL || (c->grp != NULL && c->grp->subscribed))
        return SM_ERR__STATE;
    sm_consumer_unqueue(c, tp);
    i = (int)(tp - c->parts);
    sm_free(tp->topic);
    memmove(tp, tp + 1, (size_t)(c->nparts - i - 1) * sizeof(*tp));
    c->nparts--;
    return SAMSA_OK;
}

samsa_err_t
samsa_consumer_seek(samsa_consumer_t *c, const char *topic,
                    int32_t partition, int64_t offset)
{
    sm_ctp_t *tp = sm_consumer_find(c, topic, partition);

    if (tp == NULL)
        return SM_ERR__STATE;
    if (!sm_consumer_offset_ok(offset))
        return SM_ERR__INVALID_ARG;
    if (offset == SAMSA_OFFSET_STORED && c->grp != NULL)
        offset = SM_OFFSET_COMMITTED;
    sm_consumer_unqueue(c, tp);
    tp->offset = offset;
    if (tp->leader == -2)
        tp->leader = -1;
    return SAMSA_OK;
}

samsa_err_t
samsa_consumer_position(samsa_consumer_t *c, const char *topic,
                        int32_t partition, int64_t *offsetp)
{
    int64_t deadline = sm_mono_ms() + c->conf.api_timeout_ms;
    sm_ctp_t *tp = sm_consumer_find(c, topic, partition);

    if (tp == NULL)
        return SM_ERR__STATE;
    for (;;) {
        if (tp->offset == SM_OFFSET_COMMITTED)
            (void)sm_cg_fetch_committed(c, deadline, NULL);
        if (tp->offset < 0 && tp->offset != SM_OFFSET_COMMITTED) {
            if (tp->leader == -1)
                sm_consumer_refresh_leaders(c, deadline);
            sm_consumer_resolve_all(c, deadline);
        }
        if (tp->offset >= 0 || tp->leader == -2 ||
            sm_client_backoff(c->client, deadline) != 0)
            break;
    }
    if (tp->offset < 0)
        return tp->leader == -2 ? c->pending_err : SM_ERR__TIMED_OUT;
    *offsetp = sm_consumer_position(c, tp);
    return SAMSA_OK;
}

static samsa_err_t
sm_consumer_set_paused(samsa_consumer_t *c,
                       const samsa_topic_partition_t *tps, int cnt,
                       int paused)
{
    for (int i = 0; i < cnt; i++)
        if (sm_consumer_find(c, tps[i].topic, tps[i].partition) == NULL)
            return SM_ERR__STATE;
    for (int i = 0; i < cnt; i++) {
        sm_ctp_t *tp = sm_consumer_find(c, tps[i].topic, tps[i].partition);
        if (paused && !tp->paused)
            sm_consumer_rewind(c, tp);
        tp->paused = paused;
    }
    return SAMSA_OK;
}

samsa_err_t
samsa_consumer_pause(samsa_consumer_t *c, const samsa_topic_partition_t *tps,
                     int cnt)
{
    return sm_consumer_set_paused(c, tps, cnt, 1);
}

samsa_err_t
samsa_consumer_resume(samsa_consumer_t *c,
                      const samsa_topic_partition_t *tps, int cnt)
{
    return sm_consumer_set_paused(c, tps, cnt, 0);
}

samsa_err_t
samsa_consumer_assignment(samsa_consumer_t *c, samsa_topic_partition_t **tpsp,
                          int *cntp)
{
    samsa_topic_partition_t *v = sm_calloc((size_t)c->nparts + 1,
                                           sizeof(*v));

    for (int i = 0; i < c->nparts; i++) {
        v[i].topic = sm_strdup(c->parts[i].topic);
        v[i].partition = c->parts[i].partition;
    }
    *tpsp = v;
    *cntp = c->nparts;
    return SAMSA_OK;
}

/* ------------------------------------------------------------ metadata */

static void
sm_consumer_md_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_MetadataRequest_write(buf, version, arg);
}

/* Metadata for topic (one) or every assigned topic (topic NULL): leaders
 * into c->parts; with topic, also its partition count in *cntp. */
static sm_err_t
sm_consumer_metadata(samsa_consumer_t *c, const char *topic, int32_t *cntp,
                     int64_t deadline, char *errstr, size_t errstr_size)
{
    sm_MetadataRequest_t req;
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    int n = topic != NULL ? 1 : c->nparts;
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.Topics = sm_calloc((size_t)n + 1, sizeof(*req.Topics));
    for (int i = 0; i < n; i++) {
        const char *name = topic ? topic : c->parts[i].topic;
        int dup = 0;
        for (int32_t k = 0; k < req.TopicsCnt; k++)
            dup |= sm_str_eq_cstr(req.Topics[k].Name, name);
        if (!dup)
            req.Topics[req.TopicsCnt++].Name = sm_str_cstr(name);
    }
    err = sm_client_send_any(c->client, SM_API_Metadata,
                             SM_METADATA_MAX_VERSION, sm_consumer_md_body,
                             &req, deadline, &resp, errstr, errstr_size);
    sm_free(req.Topics);
    if (err != SM_OK)
        return err;
    err = sm_MetadataResponse_read(&resp.rd, resp.version, &md);
    if (err == SM_OK) {
        sm_client_install(c->client, &md);
        for (int32_t t = 0; t < md.TopicsCnt; t++) {
            const sm_MetadataResponseTopic_t *mt = &md.Topics[t];
            if (topic != NULL && sm_str_eq_cstr(mt->Name, topic)) {
                if (mt->ErrorCode != SM_OK)
                    err = mt->ErrorCode;
                *cntp = mt->PartitionsCnt;
            }
            for (int32_t k = 0; k < mt->PartitionsCnt; k++)
                for (int i = 0; i < c->nparts; i++)
                    if (sm_str_eq_cstr(mt->Name, c->parts[i].topic) &&
                        c->parts[i].partition ==
                        mt->Partitions[k].PartitionIndex)
                        c->parts[i].leader = mt->Partitions[k].LeaderId;
        }
        sm_MetadataResponse_free(&md);
    }
    sm_client_resp_fini(&resp);
    return err;
}

samsa_err_t
samsa_consumer_assign_topic(samsa_consumer_t *c, const char *topic,
                            int64_t offset, char **errmsg)
{
    int64_t deadline = sm_mono_ms() + c->conf.api_timeout_ms;
    char errstr[512];
    int32_t cnt = 0;
    sm_err_t err;

    if (errmsg != NULL)
        *errmsg = NULL;
    for (;;) {
        err = sm_consumer_metadata(c, topic, &cnt, deadline, errstr,
                                   sizeof(errstr));
        if (err == SM_OK && cnt == 0)
            err = SM_ERR_LEADER_NOT_AVAILABLE;
        if (err != SM_ERR_LEADER_NOT_AVAILABLE ||
            sm_client_backoff(c->client, deadline) != 0)
            break;
    }
    if (err != SM_OK) {
        if (errmsg != NULL)
            *errmsg = sm_strdup(err < -1 ? errstr : samsa_err_message(err));
        return err;
    }
    for (int32_t p = 0; p < cnt; p++)
        samsa_consumer_assign(c, topic, p, offset);
    return SAMSA_OK;
}

/* ------------------------------------------------------------ offsets */

static void
sm_consumer_lo_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_ListOffsetsRequest_write(buf, version, arg);
}

void
sm_consumer_fail(samsa_consumer_t *c, sm_err_t err, const char *fmt,
                 const sm_ctp_t *tp)
{
    char msg[512];

    if (c->pending_err != SM_OK)
        return;
    snprintf(msg, sizeof(msg), fmt, tp->topic, (int)tp->partition,
             samsa_err_message(err));
    c->pending_err = err;
    c->pending_msg = sm_strdup(msg);
}

/* Resolve tp's logical offset with ListOffsets to its leader. */
static void
sm_consumer_resolve(samsa_consumer_t *c, sm_ctp_t *tp, int64_t deadline)
{
    sm_ListOffsetsRequestPartition_t rp;
    sm_ListOffsetsRequestTopic_t rt;
    sm_ListOffsetsRequest_t req;
    sm_ListOffsetsResponse_t lr;
    sm_client_resp_t resp;
    char errstr[512];
    int64_t ts = tp->offset;
    sm_err_t err;

    if (ts == SAMSA_OFFSET_STORED) {
        if (c->conf.k.auto_offset_reset == SM_RESET_NONE) {
            sm_consumer_fail(c, SM_ERR_OFFSET_OUT_OF_RANGE, "Undefined "
                             "offset with no reset policy for partitions: "
                             "[%s-%d] (%s)", tp);
            tp->leader = -2;         /* parked until assigned again */
            return;
        }
        ts = c->conf.k.auto_offset_reset == SM_RESET_EARLIEST
             ? SM_LISTOFFSETS_EARLIEST : SM_LISTOFFSETS_LATEST;
    }
    memset(&req, 0, sizeof(req));
    memset(&rt, 0, sizeof(rt));
    memset(&rp, 0, sizeof(rp));
    req.ReplicaId = -1;
    req.IsolationLevel = c->conf.k.isolation_level;
    req.TopicsCnt = 1;
    req.Topics = &rt;
    rt.Name = sm_str_cstr(tp->topic);
    rt.PartitionsCnt = 1;
    rt.Partitions = &rp;
    rp.PartitionIndex = tp->partition;
    rp.CurrentLeaderEpoch = -1;
    rp.Timestamp = ts;
    rp.MaxNumOffsets = 1;
    err = sm_client_send_node(c->client, tp->leader, SM_API_ListOffsets,
                              SM_LISTOFFSETS_MAX_VERSION, sm_consumer_lo_body,
                              &req, deadline, &resp, errstr, sizeof(errstr));
    if (err != SM_OK) {
        tp->leader = -1;
        return;
    }
    if (sm_ListOffsetsResponse_read(&resp.rd, resp.version, &lr) == SM_OK) {
        if (lr.TopicsCnt == 1 && lr.Topics[0].PartitionsCnt == 1) {
            const sm_ListOffsetsResponsePartition_t *p =
                &lr.Topics[0].Partitions[0];
            if (p->ErrorCode != SM_OK)
                tp->leader = -1;
            else if (resp.version == 0 && p->OldStyleOffsetsCnt > 0)
                tp->offset = p->OldStyleOffsets[0];
            else if (resp.version > 0)
                tp->offset = p->Offset;
        }
        sm_ListOffsetsResponse_free(&lr);
    }
    sm_client_resp_fini(&resp);
}

/* ------------------------------------------------------------ fetch */

void
sm_consumer_refresh_leaders(samsa_consumer_t *c, int64_t deadline)
{
    int32_t dummy;
    char errstr[512];

    (void)sm_consumer_metadata(c, NULL, &dummy, deadline, errstr,
                               sizeof(errstr));
}

void
sm_consumer_resolve_all(samsa_consumer_t *c, int64_t deadline)
{
    for (int i = 0; i < c->nparts; i++) {
        sm_ctp_t *tp = &c->parts[i];
        if (tp->leader >= 0 && tp->offset < 0 &&
            tp->offset != SM_OFFSET_COMMITTED)
            sm_consumer_resolve(c, tp, deadline);
    }
}

/* One round: leaders, offsets, a Fetch per leader. */
static void
sm_consumer_round(samsa_consumer_t *c, int64_t deadline)
{
    int32_t wait_ms;
    int64_t left = deadline - sm_mono_ms();

    for (int i = 0; i < c->nparts; i++)
        if (c->parts[i].leader == -1) {
            sm_consumer_refresh_leaders(c, deadline);
            break;
        }
    sm_consumer_resolve_all(c, deadline);
    wait_ms = c->conf.k.fetch_max_wait_ms;
    if (left < wait_ms)
        wait_ms = left > 0 ? (int32_t)left : 0;
    for (int i = 0; i < c->nparts; i++) {
        int32_t leader = c->parts[i].leader;
        int first = 1;
        if (leader < 0 || !sm_consumer_fetchable(&c->parts[i], leader))
            continue;
        for (int k = 0; k < i; k++)
            if (sm_consumer_fetchable(&c->parts[k], leader))
                first = 0;
        if (first)
            sm_consumer_fetch(c, leader, c->qlen > 0 ? 0 : wait_ms);
    }
}

static sm_err_t
sm_consumer_take_err(samsa_consumer_t *c, char **errmsg)
{
    sm_err_t err = c->pending_err;

    c->pending_err = SM_OK;
    if (errmsg != NULL)
        *errmsg = c->pending_msg;
    else
        sm_free(c->pending_msg);
    c->pending_msg = NULL;
    return err;
}

/* Hand out up to cap queued messages through the interceptors. */
static int
sm_consumer_pop(samsa_consumer_t *c, samsa_message_t **msgs, int cap)
{
    int n = 0;

    while (n < cap && c->qlen > 0) {
        samsa_message_t *m = c->q[c->qhead++];
        if (--c->qlen == 0)
            c->qhead = 0;
        for (int i = 0; i < c->conf.g.nicpts; i++)
            if (c->conf.g.icpts[i].on_consume != NULL)
                c->conf.g.icpts[i].on_consume(m, c->conf.g.icpts[i].opaque);
        msgs[n++] = m;
    }
    return n;
}

sm_err_t
sm_consumer_take(samsa_consumer_t *c, int64_t deadline,
                 samsa_message_t **msgs, int cap, int *cntp, char **errmsg,
                 int (*ready)(samsa_consumer_t *))
{
    *cntp = 0;
    for (;;) {
        if (c->pending_err != SM_OK)
            return sm_consumer_take_err(c, errmsg);
        if (c->qlen > 0) {
            *cntp = sm_consumer_pop(c, msgs, cap);
            return SAMSA_OK;
        }
        if (sm_mono_ms() >= deadline || (ready != NULL && ready(c)))
            return SAMSA_OK;
        sm_consumer_round(c, deadline);
        if (c->qlen == 0 && c->pending_err == SM_OK &&
            sm_mono_ms() < deadline)
            sm_client_backoff(c->client, deadline);
    }
}

samsa_err_t
samsa_consumer_poll_batch(samsa_consumer_t *c, int timeout_ms,
                          samsa_message_t **msgs, int cap, int *cntp,
                          char **errmsg)
{
    int64_t deadline = sm_mono_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    sm_err_t err;

    *cntp = 0;
    if (errmsg != NULL)
        *errmsg = NULL;
    if (c->closed)
        return SM_ERR__STATE;
    if (cap > c->conf.g.max_poll_records)
        cap = c->conf.g.max_poll_records;
    if (c->grp == NULL)
        return sm_consumer_take(c, deadline, msgs, cap, cntp, errmsg, NULL);
    err = sm_cg_poll_prepare(c, deadline, errmsg);
    if (err != SM_OK)
        return err;
    return sm_consumer_take(c, deadline, msgs, cap, cntp, errmsg,
                            sm_cg_rejoin_due);
}

samsa_err_t
samsa_consumer_poll(samsa_consumer_t *c, int timeout_ms,
                    samsa_message_t **msgp, char **errmsg)
{
    int n;

    *msgp = NULL;
    return samsa_consumer_poll_batch(c, timeout_ms, msgp, 1, &n, errmsg);
}
