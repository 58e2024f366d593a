/*
 * fetch.c: the Fetch handler and the delayed fetch (Kafka's
 * KafkaApis.handleFetchRequest, ReplicaManager.fetchMessages and
 * DelayedFetch).
 *
 * READ.  Each partition is read from its log as a file range (no copy): the
 * response is a chain of memory segments (the protocol fields) and file
 * segments (record bytes) that the network thread sends with sendfile(2).
 * Each file segment holds a reference on its log segment until it is sent.
 *
 * LIMITS (Kafka's readFromLocalLog).  A partition returns at most its
 * PartitionMaxBytes and the response at most MaxBytes (v3+), never
 * splitting a batch; until some partition has returned data, the next one
 * may return one whole batch larger than the limits (KIP-74), so a big
 * record can never block a consumer.  samsa does that for every version
 * (Kafka returns a truncated batch to v0-2 clients instead: see
 * BENCHMARKS/README notes).
 *
 * OLD CLIENTS.  Fetch v0-1 get magic 0 and v2-3 magic 1: the range is read
 * into memory and down-converted (protocol/records.h), dropping records
 * below the fetch offset as Kafka does.  zstd data cannot be down-converted
 * (UNSUPPORTED_COMPRESSION_TYPE).
 *
 * WAITING.  When the first read finds fewer than MinBytes and MaxWaitMs > 0,
 * the request becomes a delayed operation watched under each partition's
 * key.  Appends and role changes poke those keys; try_complete re-measures
 * what is readable, and completion (or expiry) reads everything again and
 * answers - the same thing Kafka's DelayedFetch.onComplete does.
 *
 * FOLLOWERS.  A Fetch with ReplicaId >= 0 comes from a follower's replica
 * fetcher: before reading, each partition's fetch offset is recorded as
 * that follower's log end offset (sm_rm_follower_fetched), which may
 * advance the high watermark and wake delayed consumer fetches and acks=all
 * produces.  Followers read up to the log end, consumers up to the HW.
 *
 * Sessions (KIP-227): samsa answers every Fetch as sessionless (SessionId
 * 0), which clients treat as "keep sending full fetch requests".
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/fetch.h"
#include "protocol/records.h"
#include "server/broker.h"

typedef struct sm_fetch_op {
    sm_delayed_op_t op;              /* first: the purgatory's handle */
    sm_reqctx_t    *ctx;
    sm_FetchRequest_t req;
    char          **keys;
    int             nkeys;
} sm_fetch_op_t;

/* A heap copy of a slice, handed to the network layer with a file segment. */
static void
sm_fetch_slice_release(void *arg)
{
    sm_log_slice_t *s = arg;

    sm_log_slice_release(s);
    free(s);
}

static void
sm_fetch_emit(sm_buf_t *buf, const sm_FetchResponsePartition_t *part,
              void *opaque)
{
    sm_reqctx_t *ctx = opaque;
    sm_log_slice_t *s = part->records_ref;

    (void)buf;                       /* buf is ctx->out */
    sm_reqctx_flush_mem(ctx);
    sm_response_add_file(ctx->resp, s->fd, s->pos, s->len,
                         sm_fetch_slice_release, s);
}

static int8_t
sm_fetch_magic_for(int16_t version)
{
    return version <= 1 ? 0 : version <= 3 ? 1 : 2;
}

/* The error for a partition this broker does not host. */
static sm_err_t
sm_fetch_not_hosted(sm_broker_t *b, const char *topic, int32_t part)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    int known = sm_mdsnap_partition(snap, topic, part) != NULL;

    sm_mdsnap_release(b->mdcache, snap);
    return known ? SM_ERR_NOT_LEADER_FOR_PARTITION
                 : SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}

/* Turn a file slice into down-converted bytes in memory (out owns them). */
static sm_err_t
sm_fetch_downconvert(sm_log_slice_t *s, int8_t magic, int64_t from,
                     sm_buf_t *out)
{
    uint8_t *raw = sm_malloc(s->len ? s->len : 1);
    sm_err_t err = sm_log_slice_read(s, raw);

    if (err == SM_OK)
        err = sm_records_downconvert_from(sm_slice(raw, s->len), magic, from,
                                          out, 64u << 20);
    free(raw);
    return err;
}

/* State carried across the partitions of one read pass. */
typedef struct sm_fetch_pass {
    int64_t limit;                   /* bytes left for the response */
    int     min_one;                 /* no partition returned data yet */
    int64_t total;                   /* bytes gathered */
    int     errors;                  /* partitions with an error */
    int64_t throttled;               /* bytes of leader-throttled replicas */
} sm_fetch_pass_t;

static void
sm_fetch_partition(sm_reqctx_t *ctx, const sm_FetchRequest_t *req,
                   const char *topic, const sm_FetchRequestPartition_t *rp,
                   sm_fetch_pass_t *pass, sm_FetchResponsePartition_t *out)
{
    sm_read_result_t rr;
    sm_partition_t *p;
    sm_err_t err;
    int64_t max = rp->PartitionMaxBytes;
    int min_one = pass->min_one, listed = 0;

    out->PartitionIndex = rp->Partition;
    out->HighWatermark = out->LastStableOffset = out->LogStartOffset = -1;
    out->PreferredReadReplica = -1;
    out->AbortedTransactionsCnt = req->IsolationLevel == 1 ? 0 : -1;
    out->Records = SM_BYTES_NULL;
    p = sm_rm_get(ctx->b->rm, topic, rp->Partition);
    if (p == NULL) {
        out->ErrorCode = sm_fetch_not_hosted(ctx->b, topic, rp->Partition);
        pass->errors++;
        return;
    }
    if (max > pass->limit)
        max = pass->limit;
    if (max < 0)
        max = 0;
    /* a lagging follower of a throttled replica over the leader quota
     * gets the partition's offsets but no records (Kafka's
     * shouldLeaderThrottle) */
    if (req->ReplicaId >= 0 &&
        sm_broker_leader_throttle(ctx->b, p, req->ReplicaId, &listed))
        max = min_one = 0;
    err = sm_partition_read(p, req->ReplicaId, rp->CurrentLeaderEpoch,
                            rp->FetchOffset, (size_t)max, min_one, &rr);
    sm_partition_release(p);
    out->ErrorCode = (int16_t)sm_err_to_wire(err);
    if (err != SM_OK) {
        pass->errors++;
        return;
    }
    out->HighWatermark = rr.high_watermark;
    out->LastStableOffset = rr.last_stable_offset;
    out->LogStartOffset = rr.log_start_offset;
    out->Records = (sm_bytes_t){ (const uint8_t *)"", 0 };
    if (rr.slice.len == 0) {
        sm_log_slice_release(&rr.slice);
        return;
    }
    pass->min_one = 0;
    pass->limit -= (int64_t)rr.slice.len;
    pass->total += (int64_t)rr.slice.len;
    if (listed)
        pass->throttled += (int64_t)rr.slice.len;
    out->records_ref = sm_malloc(sizeof(rr.slice));
    memcpy(out->records_ref, &rr.slice, sizeof(rr.slice));
    out->records_ref_len = (int32_t)rr.slice.len;
}

/* Replace file references by down-converted memory (Fetch v0-3). */
static void
sm_fetch_downconvert_all(const sm_FetchRequest_t *req,
                         sm_FetchResponse_t *resp, sm_buf_t *bufs)
{
    int8_t magic = sm_fetch_magic_for(req->ApiVersion);
    int n = 0;

    for (int32_t t = 0; t < resp->ResponsesCnt; t++) {
        sm_FetchResponseTopic_t *rt = &resp->Responses[t];
        for (int32_t i = 0; i < rt->PartitionsCnt; i++, n++) {
            sm_FetchResponsePartition_t *rp = &rt->Partitions[i];
            sm_log_slice_t *s = rp->records_ref;
            sm_err_t err;

            if (s == NULL)
                continue;
            err = sm_fetch_downconvert(
                s, magic, req->Topics[t].Partitions[i].FetchOffset, &bufs[n]);
            sm_fetch_slice_release(s);
            rp->records_ref = NULL;
            rp->records_ref_len = 0;
            if (err != SM_OK) {
                rp->ErrorCode = (int16_t)sm_err_to_wire(err);
                rp->Records = SM_BYTES_NULL;
            } else {
                rp->Records = (sm_bytes_t){ bufs[n].data ? bufs[n].data
                                            : (const uint8_t *)"",
                                            (int32_t)bufs[n].len };
            }
        }
    }
}

static int
sm_fetch_count_partitions(const sm_FetchRequest_t *req)
{
    int n = 0;

    for (int32_t t = 0; t < req->TopicsCnt; t++)
        n += req->Topics[t].PartitionsCnt;
    return n;
}

/* Read every partition once into resp. */
static void
sm_fetch_read_all(sm_reqctx_t *ctx, const sm_FetchRequest_t *req,
                  sm_FetchResponse_t *resp, sm_fetch_pass_t *pass)
{
    pass->limit = req->ApiVersion >= 3 && req->MaxBytes >= 0
                  ? req->MaxBytes : INT32_MAX;
    pass->min_one = 1;
    pass->total = 0;
    pass->errors = 0;
    pass->throttled = 0;
    resp->ResponsesCnt = req->TopicsCnt;
    resp->Responses = sm_calloc((size_t)req->TopicsCnt + 1,
                                sizeof(*resp->Responses));
    for (int32_t t = 0; t < req->TopicsCnt; t++) {
        const sm_FetchRequestTopic_t *qt = &req->Topics[t];
        sm_FetchResponseTopic_t *rt = &resp->Responses[t];
        char *topic = sm_str_dup(qt->Topic);

        rt->Topic = qt->Topic;
        rt->PartitionsCnt = qt->PartitionsCnt;
        rt->Partitions = sm_calloc((size_t)qt->PartitionsCnt + 1,
                                   sizeof(*rt->Partitions));
        for (int32_t i = 0; i < qt->PartitionsCnt; i++)
            sm_fetch_partition(ctx, req, topic ? topic : "",
                               &qt->Partitions[i], pass, &rt->Partitions[i]);
        free(topic);
    }
}

/* Drop file references that were never handed to the network layer. */
static void
sm_fetch_release_refs(sm_FetchResponse_t *resp)
{
    for (int32_t t = 0; t < resp->ResponsesCnt; t++)
        for (int32_t i = 0; i < resp->Responses[t].PartitionsCnt; i++) {
            sm_FetchResponsePartition_t *rp = &resp->Responses[t].Partitions[i];
            if (rp->records_ref)
                sm_fetch_slice_release(rp->records_ref);
            rp->records_ref = NULL;
        }
}

/* Read, answer, free ctx.  req is not freed (the caller owns it). */
static void
sm_fetch_respond(sm_reqctx_t *ctx, const sm_FetchRequest_t *req)
{
    sm_FetchResponse_t resp = { 0 };
    sm_fetch_pass_t pass;
    sm_buf_t *bufs = NULL;
    int n = sm_fetch_count_partitions(req);

    sm_fetch_read_all(ctx, req, &resp, &pass);
    sm_broker_leader_sent(ctx->b, pass.throttled);
    if (req->ApiVersion <= 3) {
        bufs = sm_calloc((size_t)n + 1, sizeof(*bufs));
        sm_fetch_downconvert_all(req, &resp, bufs);
    }
    sm_FetchResponse_write_emit(sm_reqctx_begin(ctx), req->ApiVersion, &resp,
                                sm_fetch_emit, ctx);
    /* every records_ref now belongs to the response */
    for (int32_t t = 0; t < resp.ResponsesCnt; t++)
        for (int32_t i = 0; i < resp.Responses[t].PartitionsCnt; i++)
            resp.Responses[t].Partitions[i].records_ref = NULL;
    sm_reqctx_send(ctx);
    sm_FetchResponse_free(&resp);
    for (int i = 0; bufs && i < n; i++)
        sm_buf_fini(&bufs[i]);
    free(bufs);
}

/* ------------------------------------------------------- delayed fetch */

static int
sm_fetch_op_try(sm_delayed_op_t *op)
{
    sm_fetch_op_t *f = (sm_fetch_op_t *)op;
    sm_FetchResponse_t resp = { 0 };
    sm_fetch_pass_t pass;
    int done;

    sm_fetch_read_all(f->ctx, &f->req, &resp, &pass);
    done = pass.errors > 0 || pass.total >= f->req.MinBytes ||
           atomic_load(&f->ctx->b->shutting_down);
    sm_fetch_release_refs(&resp);
    sm_FetchResponse_free(&resp);
    return done;
}

static void
sm_fetch_op_complete(sm_delayed_op_t *op, int expired)
{
    sm_fetch_op_t *f = (sm_fetch_op_t *)op;

    (void)expired;
    sm_fetch_respond(f->ctx, &f->req);
    f->ctx = NULL;
}

static void
sm_fetch_op_destroy(sm_delayed_op_t *op)
{
    sm_fetch_op_t *f = (sm_fetch_op_t *)op;

    sm_FetchRequest_free(&f->req);
    for (int i = 0; i < f->nkeys; i++)
        free(f->keys[i]);
    free(f->keys);
    free(f);
}

static const sm_delayed_op_ops_t sm_fetch_op_ops = {
    "fetch", sm_fetch_op_try, sm_fetch_op_complete, sm_fetch_op_destroy
};

/* Park the request until MinBytes are readable or MaxWaitMs passes. */
static void
sm_fetch_delay(sm_reqctx_t *ctx, sm_FetchRequest_t *req)
{
    sm_fetch_op_t *f = sm_calloc(1, sizeof(*f));
    int n = 0;

    f->ctx = ctx;
    f->req = *req;                   /* takes over req's arrays */
    f->keys = sm_calloc((size_t)sm_fetch_count_partitions(req) + 1,
                        sizeof(*f->keys));
    for (int32_t t = 0; t < req->TopicsCnt; t++)
        for (int32_t i = 0; i < req->Topics[t].PartitionsCnt; i++)
            f->keys[n++] = sm_asprintf("%.*s-%d",
                                       SM_STR_ARG(req->Topics[t].Topic),
                                       (int)req->Topics[t].Partitions[i]
                                       .Partition);
    f->nkeys = n;
    sm_delayed_op_init(&f->op, &sm_fetch_op_ops, req->MaxWaitMs);
    (void)sm_purgatory_try_complete_else_watch(
        ctx->b->fetch_purg, &f->op, (const char *const *)f->keys, n);
}

/* A follower's fetch offsets are its log end offsets (see above). */
static void
sm_fetch_note_follower(sm_reqctx_t *ctx, const sm_FetchRequest_t *req)
{
    for (int32_t t = 0; t < req->TopicsCnt; t++) {
        char *topic = sm_str_dup(req->Topics[t].Topic);

        for (int32_t i = 0; topic && i < req->Topics[t].PartitionsCnt; i++) {
            const sm_FetchRequestPartition_t *rp =
                &req->Topics[t].Partitions[i];
            sm_partition_t *p = sm_rm_get(ctx->b->rm, topic, rp->Partition);

            if (p == NULL)
                continue;
            sm_rm_follower_fetched(ctx->b->rm, p, req->ReplicaId,
                                   rp->FetchOffset);
            sm_partition_release(p);
        }
        free(topic);
    }
}

void
sm_handle_Fetch(sm_reqctx_t *ctx)
{
    sm_FetchRequest_t req = { 0 };
    sm_FetchResponse_t probe = { 0 };
    sm_fetch_pass_t pass;

    if (sm_FetchRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) != SM_OK) {
        sm_reqctx_close(ctx, "malformed Fetch request");
        return;
    }
    if (req.ReplicaId >= 0)
        sm_fetch_note_follower(ctx, &req);
    if (req.MaxWaitMs > 0 && req.MinBytes > 0 &&
        sm_fetch_count_partitions(&req) > 0) {
        /* enough data already?  Measure without building a response. */
        sm_fetch_read_all(ctx, &req, &probe, &pass);
        sm_fetch_release_refs(&probe);
        sm_FetchResponse_free(&probe);
        if (pass.errors == 0 && pass.total < req.MinBytes) {
            sm_fetch_delay(ctx, &req);
            return;
        }
    }
    sm_fetch_respond(ctx, &req);
    sm_FetchRequest_free(&req);
}
