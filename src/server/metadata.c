/*
 * metadata.c: the Metadata handler (Kafka's KafkaApis.handleTopicMetadata
 * and MetadataCache.getTopicMetadata).
 *
 * Answers from one metadata-cache snapshot, so brokers, controller and
 * partitions in a response are mutually consistent.  Kafka's rules:
 *   - v0 with an empty topic list, or v1+ with a null list: every topic;
 *   - a requested topic that does not exist is auto-created when
 *     auto.create.topics.enable is set and (v4+) the request allows it; the
 *     answer is then LEADER_NOT_AVAILABLE until its leaders are elected.
 *     An illegal name gives INVALID_TOPIC_EXCEPTION, otherwise
 *     UNKNOWN_TOPIC_OR_PARTITION;
 *   - brokers are the live ones with an endpoint on the request's listener;
 *   - a partition whose leader has no such endpoint reports
 *     LEADER_NOT_AVAILABLE (LISTENER_NOT_FOUND from v6) with leader -1;
 *     v0 also reports REPLICA_NOT_AVAILABLE when replicas or ISR members
 *     are not live.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/metadata.h"
#include "server/admin.h"
#include "server/broker.h"

static int
sm_md_live_on(const sm_mdsnap_t *snap, int32_t id, const char *listener)
{
    const sm_md_broker_t *mb = sm_mdsnap_broker(snap, id);
    return mb != NULL && sm_md_broker_endpoint(mb, listener) != NULL;
}

/* Copy the ids of `ids` into a new array; with only_live, keep the live. */
static int32_t *
sm_md_ids(const sm_mdsnap_t *snap, const int32_t *ids, int32_t n,
          int only_live, const char *listener, int32_t *cnt)
{
    int32_t *out = sm_calloc((size_t)(n > 0 ? n : 1), sizeof(*out));

    *cnt = 0;
    for (int32_t i = 0; i < n; i++)
        if (!only_live || sm_md_live_on(snap, ids[i], listener))
            out[(*cnt)++] = ids[i];
    return out;
}

static void
sm_md_fill_partition(const sm_mdsnap_t *snap, const sm_pstate_t *ps,
                     int16_t ver, const char *listener,
                     sm_MetadataResponsePartition_t *mp)
{
    int v0 = ver == 0;

    mp->PartitionIndex = ps->partition;
    mp->LeaderId = ps->leader;
    mp->LeaderEpoch = ps->leader_epoch;
    mp->ReplicaNodes = sm_md_ids(snap, ps->replicas, ps->nreplicas, v0,
                                 listener, &mp->ReplicaNodesCnt);
    mp->IsrNodes = sm_md_ids(snap, ps->isr, ps->nisr, v0, listener,
                             &mp->IsrNodesCnt);
    mp->OfflineReplicas = sm_md_ids(snap, ps->offline, ps->noffline, 0,
                                    listener, &mp->OfflineReplicasCnt);
    if (!sm_md_live_on(snap, ps->leader, listener)) {
        mp->ErrorCode = ver >= 6 && sm_mdsnap_broker(snap, ps->leader)
                        ? SM_ERR_LISTENER_NOT_FOUND
                        : SM_ERR_LEADER_NOT_AVAILABLE;
        mp->LeaderId = SM_NO_LEADER;
    } else if (v0 && (mp->ReplicaNodesCnt < ps->nreplicas ||
                      mp->IsrNodesCnt < ps->nisr)) {
        mp->ErrorCode = SM_ERR_REPLICA_NOT_AVAILABLE;
    }
}

static void
sm_md_fill_topic(const sm_mdsnap_t *snap, const sm_md_topic_t *t,
                 int16_t ver, const char *listener,
                 sm_MetadataResponseTopic_t *mt)
{
    int32_t n = 0;

    mt->Name = sm_str_cstr(t->name);
    mt->IsInternal = t->is_internal;
    mt->TopicAuthorizedOperations = INT32_MIN;
    mt->Partitions = sm_calloc((size_t)(t->npartitions ? t->npartitions : 1),
                               sizeof(*mt->Partitions));
    for (int32_t i = 0; i < t->npartitions; i++)
        if (t->parts[i].topic)
            sm_md_fill_partition(snap, &t->parts[i], ver, listener,
                                 &mt->Partitions[n++]);
    mt->PartitionsCnt = n;
}

/* A topic that is not in the cache: maybe auto-create it. */
static void
sm_md_missing_topic(sm_reqctx_t *ctx, const sm_MetadataRequest_t *req,
                    sm_str_t name, sm_MetadataResponseTopic_t *mt)
{
    sm_broker_t *b = ctx->b;
    char *topic = sm_str_dup(name);
    char *msg = NULL;
    int allow = b->cfg->auto_create_topics_enable &&
                (req->ApiVersion < 4 || req->AllowAutoTopicCreation);
    sm_err_t err;

    mt->Name = name;
    mt->TopicAuthorizedOperations = INT32_MIN;
    if (sm_admin_validate_topic_name(topic, &msg) != SM_OK) {
        mt->ErrorCode = SM_ERR_INVALID_TOPIC_EXCEPTION;
    } else if (!allow) {
        mt->ErrorCode = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    } else {
        err = sm_admin_auto_create_topic(b, topic);
        if (err == SM_OK || err == SM_ERR_TOPIC_ALREADY_EXISTS)
            mt->ErrorCode = SM_ERR_LEADER_NOT_AVAILABLE;
        else if (err == SM_ERR_INVALID_REPLICATION_FACTOR)
            mt->ErrorCode = SM_ERR_INVALID_REPLICATION_FACTOR;
        else
            mt->ErrorCode = sm_err_to_wire(err);
    }
    free(msg);
    free(topic);
}

static void
sm_md_fill_brokers(const sm_mdsnap_t *snap, const char *listener,
                   sm_MetadataResponse_t *resp)
{
    resp->Brokers = sm_calloc((size_t)(snap->nbrokers ? snap->nbrokers : 1),
                              sizeof(*resp->Brokers));
    for (int32_t i = 0; i < snap->nbrokers; i++) {
        const sm_md_broker_t *mb = &snap->brokers[i];
        const sm_md_endpoint_t *ep = sm_md_broker_endpoint(mb, listener);
        sm_MetadataResponseBroker_t *rb;

        if (ep == NULL)
            continue;
        rb = &resp->Brokers[resp->BrokersCnt++];
        rb->NodeId = mb->id;
        rb->Host = sm_str_cstr(ep->host);
        rb->Port = ep->port;
        rb->Rack = mb->rack ? sm_str_cstr(mb->rack) : SM_STR_NULL;
    }
}

static void
sm_md_fill_topics(sm_reqctx_t *ctx, const sm_mdsnap_t *snap,
                  const sm_MetadataRequest_t *req,
                  sm_MetadataResponse_t *resp)
{
    int16_t ver = req->ApiVersion;
    size_t it = 0;
    void *v;

    if (sm_MetadataRequest_all_topics(req)) {
        resp->Topics = sm_calloc(sm_map_count(&snap->topics) + 1,
                                 sizeof(*resp->Topics));
        while (sm_map_next(&snap->topics, &it, NULL, &v))
            sm_md_fill_topic(snap, v, ver, ctx->listener,
                             &resp->Topics[resp->TopicsCnt++]);
        return;
    }
    resp->Topics = sm_calloc((size_t)req->TopicsCnt + 1,
                             sizeof(*resp->Topics));
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        char name[256];
        const sm_md_topic_t *t = NULL;
        sm_str_t n = req->Topics[i].Name;

        if (n.len > 0 && n.len < (int32_t)sizeof(name)) {
            memcpy(name, n.ptr, (size_t)n.len);
            name[n.len] = '\0';
            t = sm_mdsnap_topic(snap, name);
        }
        if (t)
            sm_md_fill_topic(snap, t, ver, ctx->listener,
                             &resp->Topics[resp->TopicsCnt++]);
        else
            sm_md_missing_topic(ctx, req, n, &resp->Topics[resp->TopicsCnt++]);
    }
}

void
sm_handle_Metadata(sm_reqctx_t *ctx)
{
    sm_MetadataRequest_t req = { 0 };
    sm_MetadataResponse_t resp = { 0 };
    sm_mdsnap_t *snap;

    if (sm_MetadataRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed Metadata request");
        return;
    }
    snap = sm_mdcache_snapshot(ctx->b->mdcache);
    resp.ClusterId = sm_str_cstr(ctx->b->cluster_id);
    resp.ControllerId = snap->controller_id;
    resp.ClusterAuthorizedOperations = INT32_MIN;
    sm_md_fill_brokers(snap, ctx->listener, &resp);
    sm_md_fill_topics(ctx, snap, &req, &resp);
    sm_MetadataResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                              &resp);
    sm_MetadataResponse_free(&resp);
    sm_mdsnap_release(ctx->b->mdcache, snap);
    sm_MetadataRequest_free(&req);
    sm_reqctx_send(ctx);
}
