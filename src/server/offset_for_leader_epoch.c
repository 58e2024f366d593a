/*
 * offset_for_leader_epoch.c: the OffsetForLeaderEpoch handler (Kafka's
 * KafkaApis.handleOffsetForLeaderEpochRequest, served by leaders).
 *
 * Per partition: the hosted partition (UNKNOWN_TOPIC_OR_PARTITION, or
 * NOT_LEADER_FOR_PARTITION when the cluster knows it but this broker does
 * not host it), the leader check with CurrentLeaderEpoch fencing (v2+),
 * then the epoch cache's answer: the largest epoch <= LeaderEpoch and the
 * offset where it ended (-1/-1 when the log knows no such epoch: Kafka's
 * UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET).
 *
 * Threads: I/O handler threads; the response borrows topic names from the
 * request frame.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "protocol/offsetforleaderepoch.h"
#include "server/broker.h"

static void
sm_ole_partition(sm_reqctx_t *ctx, const sm_OffsetForLeaderPartition_t *rp,
                 sm_EpochEndOffset_t *out)
{
    char *topic = sm_str_dup(rp->Topic);
    sm_partition_t *p = topic ? sm_rm_get(ctx->b->rm, topic, rp->Partition)
                              : NULL;
    sm_mdsnap_t *snap;

    out->Topic = rp->Topic;
    out->Partition = rp->Partition;
    out->LeaderEpoch = -1;
    out->EndOffset = -1;
    if (p == NULL) {
        snap = sm_mdcache_snapshot(ctx->b->mdcache);
        out->ErrorCode = topic && sm_mdsnap_partition(snap, topic,
                                                      rp->Partition)
                         ? SM_ERR_NOT_LEADER_FOR_PARTITION
                         : SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        sm_mdsnap_release(ctx->b->mdcache, snap);
    } else {
        out->ErrorCode = (int16_t)sm_err_to_wire(sm_partition_epoch_end(
            p, rp->CurrentLeaderEpoch, rp->LeaderEpoch, &out->LeaderEpoch,
            &out->EndOffset));
        sm_partition_release(p);
    }
    free(topic);
}

void
sm_handle_OffsetForLeaderEpoch(sm_reqctx_t *ctx)
{
    sm_OffsetForLeaderEpochRequest_t req;
    sm_OffsetForLeaderEpochResponse_t resp;

    if (sm_OffsetForLeaderEpochRequest_read(&ctx->rd, ctx->hdr.ApiVersion,
                                            &req) != SM_OK) {
        sm_reqctx_close(ctx, "malformed OffsetForLeaderEpoch request");
        return;
    }
    memset(&resp, 0, sizeof(resp));
    resp.PartitionsCnt = req.PartitionsCnt;
    resp.Partitions = sm_calloc((size_t)req.PartitionsCnt + 1,
                                sizeof(*resp.Partitions));
    for (int32_t i = 0; i < req.PartitionsCnt; i++)
        sm_ole_partition(ctx, &req.Partitions[i], &resp.Partitions[i]);
    sm_OffsetForLeaderEpochResponse_write(sm_reqctx_begin(ctx),
                                          ctx->hdr.ApiVersion, &resp);
    sm_reqctx_send(ctx);
    sm_OffsetForLeaderEpochResponse_free(&resp);
    sm_OffsetForLeaderEpochRequest_free(&req);
}
