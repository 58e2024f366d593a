/*
 * list_offsets.c: the ListOffsets handler (Kafka's
 * KafkaApis.handleListOffsetRequest and Partition.fetchOffsetForTimestamp).
 *
 * Timestamp -2 is the log start offset, -1 the end a consumer may read to
 * (the high watermark; the log end for replicas and debugging tools), any
 * other value the first offset whose batch has a timestamp at or after it,
 * found through the time index; no such offset gives offset -1 and
 * timestamp -1.  Only the leader answers (NOT_LEADER_FOR_PARTITION).
 *
 * v0 returns Kafka's "old style" array.  Kafka lists segment base offsets
 * before the timestamp there; samsa returns the one offset the newer
 * versions would (what every v0 user - kafka-python in 0.8.2 mode, Burrow -
 * asks for with MaxNumOffsets 1), or an empty array when there is none.
 */
#include <stdlib.h>

#include "common/sm_mem.h"
#include "protocol/listoffsets.h"
#include "server/broker.h"

static sm_err_t
sm_lo_not_hosted(sm_broker_t *b, const char *topic, int32_t part)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    int known = sm_mdsnap_partition(snap, topic, part) != NULL;

    sm_mdsnap_release(b->mdcache, snap);
    return known ? SM_ERR_NOT_LEADER_FOR_PARTITION
                 : SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}

static void
sm_lo_partition(sm_reqctx_t *ctx, const sm_ListOffsetsRequest_t *req,
                const char *topic, const sm_ListOffsetsRequestPartition_t *rp,
                sm_ListOffsetsResponsePartition_t *out)
{
    sm_partition_t *p = sm_rm_get(ctx->b->rm, topic, rp->PartitionIndex);
    int64_t offset = -1, ts = -1;
    int32_t epoch = -1;
    sm_err_t err;

    out->PartitionIndex = rp->PartitionIndex;
    out->Timestamp = out->Offset = -1;
    out->LeaderEpoch = -1;
    if (p == NULL) {
        out->ErrorCode = sm_lo_not_hosted(ctx->b, topic, rp->PartitionIndex);
        return;
    }
    err = sm_partition_list_offset(p, req->ReplicaId, rp->CurrentLeaderEpoch,
                                   rp->Timestamp, &offset, &ts, &epoch);
    sm_partition_release(p);
    out->ErrorCode = (int16_t)sm_err_to_wire(err);
    if (err != SM_OK)
        return;
    out->Offset = offset;
    out->Timestamp = rp->Timestamp < 0 ? -1 : ts;
    out->LeaderEpoch = epoch;
    if (req->ApiVersion == 0 && offset >= 0 && rp->MaxNumOffsets > 0) {
        out->OldStyleOffsets = sm_malloc(sizeof(int64_t));
        out->OldStyleOffsets[0] = offset;
        out->OldStyleOffsetsCnt = 1;
    }
}

void
sm_handle_ListOffsets(sm_reqctx_t *ctx)
{
    sm_ListOffsetsRequest_t req = { 0 };
    sm_ListOffsetsResponse_t resp = { 0 };

    if (sm_ListOffsetsRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed ListOffsets request");
        return;
    }
    resp.TopicsCnt = req.TopicsCnt;
    resp.Topics = sm_calloc((size_t)req.TopicsCnt + 1, sizeof(*resp.Topics));
    for (int32_t t = 0; t < req.TopicsCnt; t++) {
        const sm_ListOffsetsRequestTopic_t *qt = &req.Topics[t];
        sm_ListOffsetsResponseTopic_t *rt = &resp.Topics[t];
        char *topic = sm_str_dup(qt->Name);

        rt->Name = qt->Name;
        rt->PartitionsCnt = qt->PartitionsCnt;
        rt->Partitions = sm_calloc((size_t)qt->PartitionsCnt + 1,
                                   sizeof(*rt->Partitions));
        for (int32_t i = 0; i < qt->PartitionsCnt; i++)
            sm_lo_partition(ctx, &req, topic ? topic : "",
                            &qt->Partitions[i], &rt->Partitions[i]);
        free(topic);
    }
    sm_ListOffsetsResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                 &resp);
    sm_reqctx_send(ctx);
    sm_ListOffsetsResponse_free(&resp);
    sm_ListOffsetsRequest_free(&req);
}
