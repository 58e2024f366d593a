/*
 * offsetfetch.c: OffsetFetch (key 9) v0-5 - request and response codecs
 * for both sides.  Layouts in offsetfetch.h, conventions in msg.h.
 * Topics own their PartitionIndexes / Partitions arrays; _free() walks
 * TopicsCnt topics (a null array has TopicsCnt -1 and nothing to walk).
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/offsetfetch.h"

#define SM_OF_REQ_TOPIC_MIN  (2 + 4)            /* Name PartitionIndexes */
#define SM_OF_RESP_TOPIC_MIN (2 + 4)            /* Name Partitions */

/* PartitionIndex CommittedOffset [Epoch] Metadata ErrorCode */
static size_t
of_resp_part_min(int16_t version)
{
    return 4 + 8 + (version >= 5 ? 4 : 0) + 2 + 2;
}

sm_err_t
sm_OffsetFetchRequest_read(sm_rd_t *rd, int16_t version,
                           sm_OffsetFetchRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETFETCH_MAX_VERSION))
        return rd->err;
    req->GroupId = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_OF_REQ_TOPIC_MIN, version >= 2);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_OffsetFetchRequestTopic_t *t = &req->Topics[i];

        t->Name = sm_rd_str(rd, 0);
        t->PartitionIndexes = sm_msg_rd_i32s(rd, 0, 0,
                                             &t->PartitionIndexesCnt);
    }
    if (rd->err != SM_OK)
        sm_OffsetFetchRequest_free(req);
    return rd->err;
}

void
sm_OffsetFetchRequest_free(sm_OffsetFetchRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_free(req->Topics[i].PartitionIndexes);
    sm_free(req->Topics);
    req->Topics = NULL;
    req->TopicsCnt = 0;
}

void
sm_OffsetFetchRequest_write(sm_buf_t *buf, int16_t version,
                            const sm_OffsetFetchRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_OFFSETFETCH_MAX_VERSION);
    sm_msg_wr_str(buf, req->GroupId, 0);
    sm_msg_wr_count(buf, req->TopicsCnt, 0, version >= 2);
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        const sm_OffsetFetchRequestTopic_t *t = &req->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_i32s(buf, t->PartitionIndexes, t->PartitionIndexesCnt,
                       0, 0);
    }
}

static void
of_resp_topic_read(sm_rd_t *rd, int16_t version,
                   sm_OffsetFetchResponseTopic_t *t)
{
    int32_t n;

    t->Name = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, of_resp_part_min(version), 0);
    t->Partitions = sm_msg_calloc(n, sizeof(*t->Partitions));
    t->PartitionsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_OffsetFetchResponsePartition_t *p = &t->Partitions[i];

        p->PartitionIndex = sm_rd_i32(rd);
        p->CommittedOffset = sm_rd_i64(rd);
        p->CommittedLeaderEpoch = version >= 5 ? sm_rd_i32(rd) : -1;
        p->Metadata = sm_rd_nstr(rd, 0);
        p->ErrorCode = sm_rd_i16(rd);
    }
}

sm_err_t
sm_OffsetFetchResponse_read(sm_rd_t *rd, int16_t version,
                            sm_OffsetFetchResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETFETCH_MAX_VERSION))
        return rd->err;
    if (version >= 3)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_OF_RESP_TOPIC_MIN, 0);
    resp->Topics = sm_msg_calloc(n, sizeof(*resp->Topics));
    resp->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        of_resp_topic_read(rd, version, &resp->Topics[i]);
    if (version >= 2)
        resp->ErrorCode = sm_rd_i16(rd);
    if (rd->err != SM_OK)
        sm_OffsetFetchResponse_free(resp);
    return rd->err;
}

void
sm_OffsetFetchResponse_free(sm_OffsetFetchResponse_t *resp)
{
    for (int32_t i = 0; i < resp->TopicsCnt; i++)
        sm_free(resp->Topics[i].Partitions);
    sm_free(resp->Topics);
    resp->Topics = NULL;
    resp->TopicsCnt = 0;
}

void
sm_OffsetFetchResponse_write(sm_buf_t *buf, int16_t version,
                             const sm_OffsetFetchResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_OFFSETFETCH_MAX_VERSION);
    if (version >= 3)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        const sm_OffsetFetchResponseTopic_t *t = &resp->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionsCnt; j++) {
            const sm_OffsetFetchResponsePartition_t *p = &t->Partitions[j];

            sm_wr_i32(buf, p->PartitionIndex);
            sm_wr_i64(buf, p->CommittedOffset);
            if (version >= 5)
                sm_wr_i32(buf, p->CommittedLeaderEpoch);
            sm_wr_str(buf, p->Metadata, 0);
            sm_wr_i16(buf, p->ErrorCode);
        }
    }
    if (version >= 2)
        sm_wr_i16(buf, resp->ErrorCode);
}
