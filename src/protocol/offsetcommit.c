/*
 * offsetcommit.c: OffsetCommit (key 8) v0-7 - request and response codecs
 * for both sides.  Layouts in offsetcommit.h, conventions in msg.h.
 * Topics own their Partitions array; _free() walks TopicsCnt topics, kept
 * valid or zeroed by the reader (msg.h invariant).
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/offsetcommit.h"

#define SM_OC_TOPIC_MIN     (2 + 4)             /* Name Partitions */
#define SM_OC_RESP_PART_MIN (4 + 2)             /* PartitionIndex Error */

/* PartitionIndex CommittedOffset [Epoch] [Timestamp] Metadata */
static size_t
oc_req_part_min(int16_t version)
{
    return 4 + 8 + (version >= 6 ? 4 : 0) + (version == 1 ? 8 : 0) + 2;
}

static void
oc_req_part_read(sm_rd_t *rd, int16_t version,
                 sm_OffsetCommitRequestPartition_t *p)
{
    p->PartitionIndex = sm_rd_i32(rd);
    p->CommittedOffset = sm_rd_i64(rd);
    p->CommittedLeaderEpoch = version >= 6 ? sm_rd_i32(rd) : -1;
    p->CommitTimestamp = version == 1 ? sm_rd_i64(rd) : -1;
    p->CommittedMetadata = sm_rd_nstr(rd, 0);
}

static void
oc_req_topic_read(sm_rd_t *rd, int16_t version,
                  sm_OffsetCommitRequestTopic_t *t)
{
    int32_t n;

    t->Name = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, oc_req_part_min(version), 0);
    t->Partitions = sm_msg_calloc(n, sizeof(*t->Partitions));
    t->PartitionsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        oc_req_part_read(rd, version, &t->Partitions[i]);
}

sm_err_t
sm_OffsetCommitRequest_read(sm_rd_t *rd, int16_t version,
                            sm_OffsetCommitRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->GenerationId = -1;
    req->MemberId = SM_STR_EMPTY;
    req->GroupInstanceId = SM_STR_NULL;
    req->RetentionTimeMs = -1;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETCOMMIT_MAX_VERSION))
        return rd->err;
    req->GroupId = sm_rd_str(rd, 0);
    if (version >= 1) {
        req->GenerationId = sm_rd_i32(rd);
        req->MemberId = sm_rd_str(rd, 0);
    }
    if (version >= 7)
        req->GroupInstanceId = sm_rd_nstr(rd, 0);
    if (version >= 2 && version <= 4)
        req->RetentionTimeMs = sm_rd_i64(rd);
    n = sm_msg_rd_count(rd, 0, SM_OC_TOPIC_MIN, 0);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        oc_req_topic_read(rd, version, &req->Topics[i]);
    if (rd->err != SM_OK)
        sm_OffsetCommitRequest_free(req);
    return rd->err;
}

void
sm_OffsetCommitRequest_free(sm_OffsetCommitRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_free(req->Topics[i].Partitions);
    sm_free(req->Topics);
    req->Topics = NULL;
    req->TopicsCnt = 0;
}

void
sm_OffsetCommitRequest_write(sm_buf_t *buf, int16_t version,
                             const sm_OffsetCommitRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_OFFSETCOMMIT_MAX_VERSION);
    sm_msg_wr_str(buf, req->GroupId, 0);
    if (version >= 1) {
        sm_wr_i32(buf, req->GenerationId);
        sm_msg_wr_str(buf, req->MemberId, 0);
    }
    if (version >= 7)
        sm_wr_str(buf, req->GroupInstanceId, 0);
    if (version >= 2 && version <= 4)
        sm_wr_i64(buf, req->RetentionTimeMs);
    sm_msg_wr_count(buf, req->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        const sm_OffsetCommitRequestTopic_t *t = &req->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionsCnt; j++) {
            const sm_OffsetCommitRequestPartition_t *p = &t->Partitions[j];

            sm_wr_i32(buf, p->PartitionIndex);
            sm_wr_i64(buf, p->CommittedOffset);
            if (version >= 6)
                sm_wr_i32(buf, p->CommittedLeaderEpoch);
            if (version == 1)
                sm_wr_i64(buf, p->CommitTimestamp);
            sm_wr_str(buf, p->CommittedMetadata, 0);
        }
    }
}

sm_err_t
sm_OffsetCommitResponse_read(sm_rd_t *rd, int16_t version,
                             sm_OffsetCommitResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETCOMMIT_MAX_VERSION))
        return rd->err;
    if (version >= 3)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_OC_TOPIC_MIN, 0);
    resp->Topics = sm_msg_calloc(n, sizeof(*resp->Topics));
    resp->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_OffsetCommitResponseTopic_t *t = &resp->Topics[i];
        int32_t m;

        t->Name = sm_rd_str(rd, 0);
        m = sm_msg_rd_count(rd, 0, SM_OC_RESP_PART_MIN, 0);
        t->Partitions = sm_msg_calloc(m, sizeof(*t->Partitions));
        t->PartitionsCnt = m;
        for (int32_t j = 0; j < m && sm_rd_ok(rd); j++) {
            t->Partitions[j].PartitionIndex = sm_rd_i32(rd);
            t->Partitions[j].ErrorCode = sm_rd_i16(rd);
        }
    }
    if (rd->err != SM_OK)
        sm_OffsetCommitResponse_free(resp);
    return rd->err;
}

void
sm_OffsetCommitResponse_free(sm_OffsetCommitResponse_t *resp)
{
    for (int32_t i = 0; i < resp->TopicsCnt; i++)
        sm_free(resp->Topics[i].Partitions);
    sm_free(resp->Topics);
    resp->Topics = NULL;
    resp->TopicsCnt = 0;
}

void
sm_OffsetCommitResponse_write(sm_buf_t *buf, int16_t version,
                              const sm_OffsetCommitResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_OFFSETCOMMIT_MAX_VERSION);
    if (version >= 3)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        const sm_OffsetCommitResponseTopic_t *t = &resp->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionsCnt; j++) {
            sm_wr_i32(buf, t->Partitions[j].PartitionIndex);
            sm_wr_i16(buf, t->Partitions[j].ErrorCode);
        }
    }
}
