/*
 * produce.c: the Produce handler (Kafka's KafkaApis.handleProduceRequest +
 * ReplicaManager.appendRecords).
 *
 * Per partition: find the hosted partition (UNKNOWN_TOPIC_OR_PARTITION, or
 * NOT_LEADER_FOR_PARTITION when the cluster knows the partition but this
 * broker does not lead it), validate and normalise the records against the
 * topic's config (log/validator.h), append (offsets are written into the
 * request frame in place, so the common path copies nothing), and report
 * BaseOffset / LogAppendTime / LogStartOffset.
 *
 * acks: 0 sends no response - unless a partition failed, in which case the
 * connection is closed so the client notices (Kafka does exactly this);
 * 1 answers after the leader's append; -1 answers once every ISR member has
 * the records.  Other acks values get INVALID_REQUIRED_ACKS for every
 * partition.
 *
 * acks=all (Kafka's DelayedProduce).  Before the append, an ISR smaller
 * than min.insync.replicas (topic override, else the broker's) refuses the
 * partition with NOT_ENOUGH_REPLICAS.  After it, the request waits in the
 * produce purgatory, watched under each appended partition's key, until
 * for every such partition sm_partition_acks_done() decides: the high
 * watermark passed the last appended offset (NONE, or
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below the minimum
 * meanwhile) or the leadership moved (NOT_LEADER_FOR_PARTITION).  TimeoutMs
 * later the undecided partitions get REQUEST_TIMED_OUT, or
 * NOT_LEADER_FOR_PARTITION when the broker's shutdown expires them (it
 * answers parked requests before draining: followers fetch elsewhere by
 * then, so they could only time out).  The keys are
 * poked by follower fetches that move the high watermark and by role
 * changes (replica_manager.c).  The pending response borrows topic names
 * from the request frame, which ctx owns until the answer is sent.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "log/validator.h"
#include "protocol/produce.h"
#include "server/admin.h"
#include "server/broker.h"
#include "server/topic_config_cache.h"

/* Bound on a compressed batch's decompressed size during validation. */
static size_t
sm_produce_decompress_bound(int32_t max_message_bytes)
{
    uint64_t b = (uint64_t)(max_message_bytes > 0 ? max_message_bytes : 1)
                 * 64;

    if (b < 16u << 20)
        b = 16u << 20;
    if (b > 512u << 20)
        b = 512u << 20;
    return (size_t)b;
}

/* The error for a partition this broker does not host. */
static sm_err_t
sm_produce_not_hosted(sm_broker_t *b, const char *topic, int32_t part)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    int known = sm_mdsnap_partition(snap, topic, part) != NULL;

    sm_mdsnap_release(b->mdcache, snap);
    return known ? SM_ERR_NOT_LEADER_FOR_PARTITION
                 : SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}

/* One appended partition an acks=all produce waits on. */
typedef struct sm_produce_wait {
    sm_partition_t *p;                   /* a reference; NULL: none */
    int64_t  required;                   /* last offset + 1 */
    int32_t  min_isr;
    int      done;
} sm_produce_wait_t;

static void
sm_produce_partition(sm_reqctx_t *ctx, const sm_ProduceRequest_t *req,
                     const char *topic, sm_tcfg_t *tcfg,
                     const sm_ProduceRequestPartition_t *rp,
                     sm_ProduceResponsePartition_t *out,
                     sm_produce_wait_t *w)
{
    sm_broker_t *b = ctx->b;
    sm_validate_cfg_t vc;
    sm_validate_result_t vr;
    sm_append_result_t ar;
    sm_partition_t *p;
    sm_buf_t conv = SM_BUF_INIT;
    sm_err_t err;

    out->Index = rp->Index;
    out->BaseOffset = -1;
    out->LogAppendTimeMs = -1;
    out->LogStartOffset = -1;
    p = sm_rm_get(b->rm, topic, rp->Index);
    if (p == NULL) {
        out->ErrorCode = sm_produce_not_hosted(b, topic, rp->Index);
        return;
    }
    memset(&vc, 0, sizeof(vc));
    vc.produce_version = req->ApiVersion;
    vc.max_message_bytes = tcfg->lcfg.max_message_bytes;
    vc.compacted = (tcfg->lcfg.cleanup_policy & SM_CLEANUP_COMPACT) != 0;
    vc.target_codec = tcfg->codec;
    vc.max_timestamp_diff = tcfg->tc.message_timestamp_difference_max_ms;
    vc.log_append_time = tcfg->lcfg.message_timestamp_log_append;
    vc.now_ms = sm_now_ms();
    vc.max_decompressed = sm_produce_decompress_bound(vc.max_message_bytes);

    /* Records borrow from the request frame, which we own: mutable. */
    err = rp->Records.len < 0
          ? SM_ERR_CORRUPT_MESSAGE
          : sm_validate_produce(&vc, (uint8_t *)rp->Records.ptr,
                                (size_t)rp->Records.len, &conv, &vr);
    if (err == SM_OK && vr.batches > 0)
        err = sm_rm_append(b->rm, p, vr.data, vr.len, req->Acks,
                           tcfg->tc.min_insync_replicas,
                           vc.log_append_time, &ar);
    else if (err != SM_OK)
        sm_debug("produce", "%s-%d from %s: %s (%s)", topic, (int)rp->Index,
                 ctx->req->peer, sm_err_name(err),
                 vr.reason ? vr.reason : "");
    if (err == SM_OK && vr.batches > 0) {
        out->BaseOffset = ar.first_offset;
        out->LogAppendTimeMs = ar.log_append_time;
        out->LogStartOffset = ar.log_start_offset;
        if (req->Acks == -1) {
            sm_partition_keep(p);
            *w = (sm_produce_wait_t){ p, ar.last_offset + 1,
                                      tcfg->tc.min_insync_replicas, 0 };
        }
    }
    out->ErrorCode = (int16_t)sm_err_to_wire(err);
    sm_buf_fini(&conv);
    sm_partition_release(p);
}

static void
sm_produce_topic(sm_reqctx_t *ctx, const sm_ProduceRequest_t *req,
                 const sm_ProduceRequestTopic_t *rt,
                 sm_ProduceResponseTopic_t *out, int acks_ok,
                 sm_produce_wait_t *waits)
{
    char *topic = sm_str_dup(rt->Name);
    sm_tcfg_t *tcfg = NULL;
    sm_err_t terr = SM_OK;

    out->Name = rt->Name;
    out->PartitionResponsesCnt = rt->PartitionDataCnt;
    out->PartitionResponses = sm_calloc((size_t)rt->PartitionDataCnt + 1,
                                        sizeof(*out->PartitionResponses));
    if (!acks_ok)
        terr = SM_ERR_INVALID_REQUIRED_ACKS;
    else if (topic == NULL || topic[0] == '\0')
        terr = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    else if (sm_tcfg_get(ctx->b->tcfg, topic, &tcfg) != SM_OK)
        terr = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;

    for (int32_t i = 0; i < rt->PartitionDataCnt; i++) {
        sm_ProduceResponsePartition_t *rp = &out->PartitionResponses[i];
        if (terr != SM_OK) {
            rp->Index = rt->PartitionData[i].Index;
            rp->ErrorCode = (int16_t)terr;
            rp->BaseOffset = rp->LogAppendTimeMs = rp->LogStartOffset = -1;
            continue;
        }
        sm_produce_partition(ctx, req, topic, tcfg, &rt->PartitionData[i],
                             rp, &waits[i]);
    }
    if (tcfg)
        sm_tcfg_release(ctx->b->tcfg, tcfg);
    free(topic);
}

/* Any partition with an error? (acks=0 closes the connection then.) */
static int
sm_produce_any_error(const sm_ProduceResponse_t *resp)
{
    for (int32_t t = 0; t < resp->ResponsesCnt; t++)
        for (int32_t i = 0; i < resp->Responses[t].PartitionResponsesCnt; i++)
            if (resp->Responses[t].PartitionResponses[i].ErrorCode != 0)
                return 1;
    return 0;
}

/* ------------------------------------------------------ delayed produce */

typedef struct sm_produce_op {
    sm_delayed_op_t op;                  /* first: the purgatory's handle */
    sm_reqctx_t    *ctx;
    sm_ProduceRequest_t req;
    sm_ProduceResponse_t resp;
    sm_produce_wait_t *waits;            /* one per response partition, in
                                          * response order */
    int             nwaits;
    char          **keys;
    int             nkeys;
} sm_produce_op_t;

static int
sm_produce_op_try(sm_delayed_op_t *op)
{
    sm_produce_op_t *o = (sm_produce_op_t *)op;
    int n = 0, all = 1;
    sm_err_t err;

    for (int32_t t = 0; t < o->resp.ResponsesCnt; t++) {
        sm_ProduceResponseTopic_t *rt = &o->resp.Responses[t];

        for (int32_t i = 0; i < rt->PartitionResponsesCnt; i++, n++) {
            sm_produce_wait_t *w = &o->waits[n];

            if (w->p == NULL || w->done)
                continue;
            if (sm_partition_acks_done(w->p, w->required, w->min_isr,
                                       &err)) {
                w->done = 1;
                rt->PartitionResponses[i].ErrorCode = (int16_t)err;
            } else {
                all = 0;
            }
        }
    }
    return all;
}

static void
sm_produce_op_complete(sm_delayed_op_t *op, int expired)
{
    sm_produce_op_t *o = (sm_produce_op_t *)op;
    /* expired by the broker's shutdown: the leadership has moved (after
     * a controlled shutdown) or is about to; the client retries at the
     * new leader at once instead of waiting out its request timeout */
    sm_err_t late = atomic_load(&o->ctx->b->shutting_down)
                    ? SM_ERR_NOT_LEADER_FOR_PARTITION
                    : SM_ERR_REQUEST_TIMED_OUT;
    int n = 0;

    (void)sm_produce_op_try(op);     /* a last look before timing out */
    for (int32_t t = 0; expired && t < o->resp.ResponsesCnt; t++) {
        sm_ProduceResponseTopic_t *rt = &o->resp.Responses[t];

        for (int32_t i = 0; i < rt->PartitionResponsesCnt; i++, n++)
            if (o->waits[n].p != NULL && !o->waits[n].done)
                rt->PartitionResponses[i].ErrorCode = (int16_t)late;
    }
    sm_ProduceResponse_write(sm_reqctx_begin(o->ctx),
                             o->ctx->hdr.ApiVersion, &o->resp);
    sm_reqctx_send(o->ctx);
    o->ctx = NULL;
}

static void
sm_produce_waits_free(sm_produce_wait_t *waits, int n)
{
    for (int i = 0; i < n; i++)
        if (waits[i].p)
            sm_partition_release(waits[i].p);
    sm_free(waits);
}

static void
sm_produce_op_destroy(sm_delayed_op_t *op)
{
    sm_produce_op_t *o = (sm_produce_op_t *)op;

    sm_ProduceResponse_free(&o->resp);
    sm_ProduceRequest_free(&o->req);
    sm_produce_waits_free(o->waits, o->nwaits);
    for (int i = 0; i < o->nkeys; i++)
        sm_free(o->keys[i]);
    sm_free(o->keys);
    sm_free(o);
}

static const sm_delayed_op_ops_t sm_produce_op_ops = {
    "produce", sm_produce_op_try, sm_produce_op_complete,
    sm_produce_op_destroy
};

/* Park an acks=all request; takes over req, resp and waits. */
static void
sm_produce_delay(sm_reqctx_t *ctx, sm_ProduceRequest_t *req,
                 sm_ProduceResponse_t *resp, sm_produce_wait_t *waits,
                 int nwaits)
{
    sm_produce_op_t *o = sm_calloc(1, sizeof(*o));

    o->ctx = ctx;
    o->req = *req;
    o->resp = *resp;
    o->waits = waits;
    o->nwaits = nwaits;
    o->keys = sm_calloc((size_t)nwaits + 1, sizeof(*o->keys));
    for (int i = 0; i < nwaits; i++)
        if (waits[i].p)
            o->keys[o->nkeys++] = sm_strdup(waits[i].p->key);
    sm_delayed_op_init(&o->op, &sm_produce_op_ops,
                       req->TimeoutMs > 0 ? req->TimeoutMs : 0);
    (void)sm_purgatory_try_complete_else_watch(
        ctx->b->produce_purg, &o->op, (const char *const *)o->keys,
        o->nkeys);
}

static int
sm_produce_count_partitions(const sm_ProduceRequest_t *req)
{
    int n = 0;

    for (int32_t t = 0; t < req->TopicDataCnt; t++)
        n += req->TopicData[t].PartitionDataCnt;
    return n;
}

void
sm_handle_Produce(sm_reqctx_t *ctx)
{
    sm_ProduceRequest_t req = { 0 };
    sm_ProduceResponse_t resp = { 0 };
    sm_produce_wait_t *waits;
    int acks_ok, nwaits, pending = 0;

    if (sm_ProduceRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed Produce request");
        return;
    }
    acks_ok = req.Acks == 0 || req.Acks == 1 || req.Acks == -1;
    resp.ResponsesCnt = req.TopicDataCnt;
    resp.Responses = sm_calloc((size_t)req.TopicDataCnt + 1,
                               sizeof(*resp.Responses));
    nwaits = sm_produce_count_partitions(&req);
    waits = sm_calloc((size_t)nwaits + 1, sizeof(*waits));
    for (int32_t t = 0, n = 0; t < req.TopicDataCnt; t++) {
        sm_produce_topic(ctx, &req, &req.TopicData[t], &resp.Responses[t],
                         acks_ok, &waits[n]);
        n += req.TopicData[t].PartitionDataCnt;
    }
    for (int i = 0; i < nwaits; i++)
        pending |= waits[i].p != NULL;
    if (pending) {
        sm_produce_delay(ctx, &req, &resp, waits, nwaits);
        return;
    }
    sm_produce_waits_free(waits, nwaits);

    if (req.Acks == 0) {
        if (sm_produce_any_error(&resp))
            sm_reqctx_close(ctx, "acks=0 Produce failed for a partition");
        else
            sm_reqctx_noop(ctx);
    } else {
        sm_ProduceResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                 &resp);
        sm_reqctx_send(ctx);
    }
    sm_ProduceResponse_free(&resp);
    sm_ProduceRequest_free(&req);
}
