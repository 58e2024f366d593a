/*
 * listoffsets.c: ListOffsets (key 2) v0-5 - request and response codecs for
 * both sides.  Layouts in listoffsets.h, conventions in msg.h.
 *
 * v0 is the odd one out (MaxNumOffsets in, an offsets array out); Kafka's
 * own name for that array is OldStyleOffsets.  None of v0-5 is flexible.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/listoffsets.h"

#define SM_LO_TOPIC_MIN      (2 + 4)
#define SM_LO_PART_MIN       (4 + 8)            /* v1 partition */
#define SM_LO_RESP_PART_MIN  (4 + 2 + 4)        /* v0: Index Error [] */

/* ------------------------------------------------------------- request */

static void
sm_lo_topic_read(sm_rd_t *rd, int16_t version, sm_ListOffsetsRequestTopic_t *t)
{
    int32_t n;

    t->Name = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_LO_PART_MIN, 0);
    t->Partitions = sm_msg_calloc(n, sizeof(*t->Partitions));
    t->PartitionsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_ListOffsetsRequestPartition_t *p = &t->Partitions[i];

        p->PartitionIndex = sm_rd_i32(rd);
        p->CurrentLeaderEpoch = version >= 4 ? sm_rd_i32(rd) : -1;
        p->Timestamp = sm_rd_i64(rd);
        p->MaxNumOffsets = version == 0 ? sm_rd_i32(rd) : 1;
    }
}

sm_err_t
sm_ListOffsetsRequest_read(sm_rd_t *rd, int16_t version,
                           sm_ListOffsetsRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_LISTOFFSETS_MAX_VERSION))
        return rd->err;
    req->ReplicaId = sm_rd_i32(rd);
    if (version >= 2)
        req->IsolationLevel = sm_rd_i8(rd);
    n = sm_msg_rd_count(rd, 0, SM_LO_TOPIC_MIN, 0);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_lo_topic_read(rd, version, &req->Topics[i]);
    if (rd->err != SM_OK)
        sm_ListOffsetsRequest_free(req);
    return rd->err;
}

void
sm_ListOffsetsRequest_free(sm_ListOffsetsRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_free(req->Topics[i].Partitions);
    sm_free(req->Topics);
    req->Topics = NULL;
    req->TopicsCnt = 0;
}

void
sm_ListOffsetsRequest_write(sm_buf_t *buf, int16_t version,
                            const sm_ListOffsetsRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_LISTOFFSETS_MAX_VERSION);
    sm_wr_i32(buf, req->ReplicaId);
    if (version >= 2)
        sm_wr_i8(buf, req->IsolationLevel);
    sm_msg_wr_count(buf, req->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        const sm_ListOffsetsRequestTopic_t *t = &req->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionsCnt; j++) {
            const sm_ListOffsetsRequestPartition_t *p = &t->Partitions[j];

            sm_wr_i32(buf, p->PartitionIndex);
            if (version >= 4)
                sm_wr_i32(buf, p->CurrentLeaderEpoch);
            sm_wr_i64(buf, p->Timestamp);
            if (version == 0)
                sm_wr_i32(buf, p->MaxNumOffsets);
        }
    }
}

/* ------------------------------------------------------------ response */

static void
sm_lo_part_read(sm_rd_t *rd, int16_t version,
                sm_ListOffsetsResponsePartition_t *p)
{
    p->PartitionIndex = sm_rd_i32(rd);
    p->ErrorCode = sm_rd_i16(rd);
    if (version == 0)
        p->OldStyleOffsets = sm_msg_rd_i64s(rd, 0, 0, &p->OldStyleOffsetsCnt);
    p->Timestamp = version >= 1 ? sm_rd_i64(rd) : -1;
    p->Offset = version >= 1 ? sm_rd_i64(rd) : -1;
    p->LeaderEpoch = version >= 4 ? sm_rd_i32(rd) : -1;
}

sm_err_t
sm_ListOffsetsResponse_read(sm_rd_t *rd, int16_t version,
                            sm_ListOffsetsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_LISTOFFSETS_MAX_VERSION))
        return rd->err;
    if (version >= 2)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_LO_TOPIC_MIN, 0);
    resp->Topics = sm_msg_calloc(n, sizeof(*resp->Topics));
    resp->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_ListOffsetsResponseTopic_t *t = &resp->Topics[i];
        int32_t m;

        t->Name = sm_rd_str(rd, 0);
        m = sm_msg_rd_count(rd, 0, SM_LO_RESP_PART_MIN, 0);
        t->Partitions = sm_msg_calloc(m, sizeof(*t->Partitions));
        t->PartitionsCnt = m;
        for (int32_t j = 0; j < m && sm_rd_ok(rd); j++)
            sm_lo_part_read(rd, version, &t->Partitions[j]);
    }
    if (rd->err != SM_OK)
        sm_ListOffsetsResponse_free(resp);
    return rd->err;
}

void
sm_ListOffsetsResponse_free(sm_ListOffsetsResponse_t *resp)
{
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        sm_ListOffsetsResponseTopic_t *t = &resp->Topics[i];

        for (int32_t j = 0; j < t->PartitionsCnt; j++)
            sm_free(t->Partitions[j].OldStyleOffsets);
        sm_free(t->Partitions);
    }
    sm_free(resp->Topics);
    resp->Topics = NULL;
    resp->TopicsCnt = 0;
}

static void
sm_lo_part_write(sm_buf_t *buf, int16_t version,
                 const sm_ListOffsetsResponsePartition_t *p)
{
    sm_wr_i32(buf, p->PartitionIndex);
    sm_wr_i16(buf, p->ErrorCode);
    if (version == 0)
        sm_msg_wr_i64s(buf, p->OldStyleOffsets, p->OldStyleOffsetsCnt, 0, 0);
    if (version >= 1) {
        sm_wr_i64(buf, p->Timestamp);
        sm_wr_i64(buf, p->Offset);
    }
    if (version >= 4)
        sm_wr_i32(buf, p->LeaderEpoch);
}

void
sm_ListOffsetsResponse_write(sm_buf_t *buf, int16_t version,
                             const sm_ListOffsetsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_LISTOFFSETS_MAX_VERSION);
    if (version >= 2)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        const sm_ListOffsetsResponseTopic_t *t = &resp->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionsCnt; j++)
            sm_lo_part_write(buf, version, &t->Partitions[j]);
    }
}
