/*
 * metadata.c: Metadata (key 3) v0-8 - request and response codecs for both
 * sides.  Layouts in metadata.h, conventions in msg.h.
 *
 * None of v0-8 is flexible (Metadata becomes flexible at v9), so every
 * string and array here uses the classic int16/int32 lengths.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/metadata.h"

/* Minimum wire sizes of the array elements, for sm_rd_array(). */
#define SM_MD_TOPIC_REQ_MIN   2                 /* Name */
#define SM_MD_BROKER_MIN      (4 + 2 + 4)       /* NodeId Host Port */
#define SM_MD_TOPIC_MIN       (2 + 2 + 4)       /* ErrorCode Name [] */
#define SM_MD_PART_MIN        (2 + 4 + 4 + 4 + 4)

/* ------------------------------------------------------------- request */

sm_err_t
sm_MetadataRequest_read(sm_rd_t *rd, int16_t version,
                        sm_MetadataRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->AllowAutoTopicCreation = 1;
    if (!sm_msg_rd_version(rd, version, SM_METADATA_MAX_VERSION))
        return rd->err;
    n = sm_msg_rd_count(rd, 0, SM_MD_TOPIC_REQ_MIN, version >= 1);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        req->Topics[i].Name = sm_rd_str(rd, 0);
    if (version >= 4)
        req->AllowAutoTopicCreation = sm_rd_bool(rd);
    if (version >= 8) {
        req->IncludeClusterAuthorizedOperations = sm_rd_bool(rd);
        req->IncludeTopicAuthorizedOperations = sm_rd_bool(rd);
    }
    if (rd->err != SM_OK)
        sm_MetadataRequest_free(req);
    return rd->err;
}

void
sm_MetadataRequest_free(sm_MetadataRequest_t *req)
{
    sm_free(req->Topics);
    req->Topics = NULL;
    req->TopicsCnt = 0;
}

void
sm_MetadataRequest_write(sm_buf_t *buf, int16_t version,
                         const sm_MetadataRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_METADATA_MAX_VERSION);
    sm_msg_wr_count(buf, req->TopicsCnt, 0, version >= 1);
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_msg_wr_str(buf, req->Topics[i].Name, 0);
    if (version >= 4)
        sm_wr_bool(buf, req->AllowAutoTopicCreation);
    if (version >= 8) {
        sm_wr_bool(buf, req->IncludeClusterAuthorizedOperations);
        sm_wr_bool(buf, req->IncludeTopicAuthorizedOperations);
    }
}

int
sm_MetadataRequest_all_topics(const sm_MetadataRequest_t *req)
{
    if (req->ApiVersion == 0)
        return req->TopicsCnt <= 0;
    return req->TopicsCnt < 0;
}

/* ------------------------------------------------------------ response */

static void
sm_md_broker_read(sm_rd_t *rd, int16_t version,
                  sm_MetadataResponseBroker_t *b)
{
    b->NodeId = sm_rd_i32(rd);
    b->Host = sm_rd_str(rd, 0);
    b->Port = sm_rd_i32(rd);
    b->Rack = version >= 1 ? sm_rd_nstr(rd, 0) : SM_STR_NULL;
}

static void
sm_md_part_read(sm_rd_t *rd, int16_t version,
                sm_MetadataResponsePartition_t *p)
{
    p->ErrorCode = sm_rd_i16(rd);
    p->PartitionIndex = sm_rd_i32(rd);
    p->LeaderId = sm_rd_i32(rd);
    p->LeaderEpoch = version >= 7 ? sm_rd_i32(rd) : -1;
    p->ReplicaNodes = sm_msg_rd_i32s(rd, 0, 0, &p->ReplicaNodesCnt);
    p->IsrNodes = sm_msg_rd_i32s(rd, 0, 0, &p->IsrNodesCnt);
    if (version >= 5)
        p->OfflineReplicas = sm_msg_rd_i32s(rd, 0, 0, &p->OfflineReplicasCnt);
}

static void
sm_md_topic_read(sm_rd_t *rd, int16_t version, sm_MetadataResponseTopic_t *t)
{
    int32_t n;

    t->ErrorCode = sm_rd_i16(rd);
    t->Name = sm_rd_str(rd, 0);
    t->IsInternal = version >= 1 ? sm_rd_bool(rd) : 0;
    n = sm_msg_rd_count(rd, 0, SM_MD_PART_MIN, 0);
    t->Partitions = sm_msg_calloc(n, sizeof(*t->Partitions));
    t->PartitionsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_md_part_read(rd, version, &t->Partitions[i]);
    t->TopicAuthorizedOperations =
        version >= 8 ? sm_rd_i32(rd) : SM_METADATA_AUTHOPS_UNKNOWN;
}

sm_err_t
sm_MetadataResponse_read(sm_rd_t *rd, int16_t version,
                         sm_MetadataResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    resp->ClusterId = SM_STR_NULL;
    resp->ControllerId = -1;
    resp->ClusterAuthorizedOperations = SM_METADATA_AUTHOPS_UNKNOWN;
    if (!sm_msg_rd_version(rd, version, SM_METADATA_MAX_VERSION))
        return rd->err;
    if (version >= 3)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_MD_BROKER_MIN, 0);
    resp->Brokers = sm_msg_calloc(n, sizeof(*resp->Brokers));
    resp->BrokersCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_md_broker_read(rd, version, &resp->Brokers[i]);
    if (version >= 2)
        resp->ClusterId = sm_rd_nstr(rd, 0);
    if (version >= 1)
        resp->ControllerId = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_MD_TOPIC_MIN, 0);
    resp->Topics = sm_msg_calloc(n, sizeof(*resp->Topics));
    resp->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_md_topic_read(rd, version, &resp->Topics[i]);
    if (version >= 8)
        resp->ClusterAuthorizedOperations = sm_rd_i32(rd);
    if (rd->err != SM_OK)
        sm_MetadataResponse_free(resp);
    return rd->err;
}

void
sm_MetadataResponse_free(sm_MetadataResponse_t *resp)
{
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        sm_MetadataResponseTopic_t *t = &resp->Topics[i];

        for (int32_t j = 0; j < t->PartitionsCnt; j++) {
            sm_free(t->Partitions[j].ReplicaNodes);
            sm_free(t->Partitions[j].IsrNodes);
            sm_free(t->Partitions[j].OfflineReplicas);
        }
        sm_free(t->Partitions);
    }
    sm_free(resp->Topics);
    sm_free(resp->Brokers);
    resp->Topics = NULL;
    resp->TopicsCnt = 0;
    resp->Brokers = NULL;
    resp->BrokersCnt = 0;
}

static void
sm_md_part_write(sm_buf_t *buf, int16_t version,
                 const sm_MetadataResponsePartition_t *p)
{
    sm_wr_i16(buf, p->ErrorCode);
    sm_wr_i32(buf, p->PartitionIndex);
    sm_wr_i32(buf, p->LeaderId);
    if (version >= 7)
        sm_wr_i32(buf, p->LeaderEpoch);
    sm_msg_wr_i32s(buf, p->ReplicaNodes, p->ReplicaNodesCnt, 0, 0);
    sm_msg_wr_i32s(buf, p->IsrNodes, p->IsrNodesCnt, 0, 0);
    if (version >= 5)
        sm_msg_wr_i32s(buf, p->OfflineReplicas, p->OfflineReplicasCnt, 0, 0);
}

static void
sm_md_topic_write(sm_buf_t *buf, int16_t version,
                  const sm_MetadataResponseTopic_t *t)
{
    sm_wr_i16(buf, t->ErrorCode);
    sm_msg_wr_str(buf, t->Name, 0);
    if (version >= 1)
        sm_wr_bool(buf, t->IsInternal);
    sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
    for (int32_t i = 0; i < t->PartitionsCnt; i++)
        sm_md_part_write(buf, version, &t->Partitions[i]);
    if (version >= 8)
        sm_wr_i32(buf, t->TopicAuthorizedOperations);
}

void
sm_MetadataResponse_write(sm_buf_t *buf, int16_t version,
                          const sm_MetadataResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_METADATA_MAX_VERSION);
    if (version >= 3)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->BrokersCnt, 0, 0);
    for (int32_t i = 0; i < resp->BrokersCnt; i++) {
        const sm_MetadataResponseBroker_t *b = &resp->Brokers[i];

        sm_wr_i32(buf, b->NodeId);
        sm_msg_wr_str(buf, b->Host, 0);
        sm_wr_i32(buf, b->Port);
        if (version >= 1)
            sm_wr_str(buf, b->Rack, 0);
    }
    if (version >= 2)
        sm_wr_str(buf, resp->ClusterId, 0);
    if (version >= 1)
        sm_wr_i32(buf, resp->ControllerId);
    sm_msg_wr_count(buf, resp->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < resp->TopicsCnt; i++)
        sm_md_topic_write(buf, version, &resp->Topics[i]);
    if (version >= 8)
        sm_wr_i32(buf, resp->ClusterAuthorizedOperations);
}
