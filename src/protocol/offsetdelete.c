/*
 * offsetdelete.c: OffsetDelete (key 47) v0 - request and response codecs
 * for both sides.  Layouts in offsetdelete.h, conventions in msg.h.
 * Topics own their Partitions arrays; _free() walks TopicsCnt topics.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/offsetdelete.h"

#define SM_ODL_TOPIC_MIN (2 + 4)                /* Name Partitions */
#define SM_ODL_PART_MIN  (4 + 2)                /* Index ErrorCode */

sm_err_t
sm_OffsetDeleteRequest_read(sm_rd_t *rd, int16_t version,
                            sm_OffsetDeleteRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETDELETE_MAX_VERSION))
        return rd->err;
    req->GroupId = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_ODL_TOPIC_MIN, 0);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        req->Topics[i].Name = sm_rd_str(rd, 0);
        req->Topics[i].Partitions =
            sm_msg_rd_i32s(rd, 0, 0, &req->Topics[i].PartitionsCnt);
    }
    if (rd->err != SM_OK)
        sm_OffsetDeleteRequest_free(req);
    return rd->err;
}

void
sm_OffsetDeleteRequest_free(sm_OffsetDeleteRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_free(req->Topics[i].Partitions);
    sm_free(req->Topics);
    req->Topics = NULL;
    req->TopicsCnt = 0;
}

void
sm_OffsetDeleteRequest_write(sm_buf_t *buf, int16_t version,
                             const sm_OffsetDeleteRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_OFFSETDELETE_MAX_VERSION);
    sm_msg_wr_str(buf, req->GroupId, 0);
    sm_msg_wr_count(buf, req->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        sm_msg_wr_str(buf, req->Topics[i].Name, 0);
        sm_msg_wr_i32s(buf, req->Topics[i].Partitions,
                       req->Topics[i].PartitionsCnt, 0, 0);
    }
}

sm_err_t
sm_OffsetDeleteResponse_read(sm_rd_t *rd, int16_t version,
                             sm_OffsetDeleteResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_OFFSETDELETE_MAX_VERSION))
        return rd->err;
    resp->ErrorCode = sm_rd_i16(rd);
    resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_ODL_TOPIC_MIN, 0);
    resp->Topics = sm_msg_calloc(n, sizeof(*resp->Topics));
    resp->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_OffsetDeleteResponseTopic_t *t = &resp->Topics[i];
        int32_t m;

        t->Name = sm_rd_str(rd, 0);
        m = sm_msg_rd_count(rd, 0, SM_ODL_PART_MIN, 0);
        t->Partitions = sm_msg_calloc(m, sizeof(*t->Partitions));
        t->PartitionsCnt = m;
        for (int32_t j = 0; j < m && sm_rd_ok(rd); j++) {
            t->Partitions[j].PartitionIndex = sm_rd_i32(rd);
            t->Partitions[j].ErrorCode = sm_rd_i16(rd);
        }
    }
    if (rd->err != SM_OK)
        sm_OffsetDeleteResponse_free(resp);
    return rd->err;
}

void
sm_OffsetDeleteResponse_free(sm_OffsetDeleteResponse_t *resp)
{
    for (int32_t i = 0; i < resp->TopicsCnt; i++)
        sm_free(resp->Topics[i].Partitions);
    sm_free(resp->Topics);
    resp->Topics = NULL;
    resp->TopicsCnt = 0;
}

void
sm_OffsetDeleteResponse_write(sm_buf_t *buf, int16_t version,
                              const sm_OffsetDeleteResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_OFFSETDELETE_MAX_VERSION);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        const sm_OffsetDeleteResponseTopic_t *t = &resp->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionsCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionsCnt; j++) {
            sm_wr_i32(buf, t->Partitions[j].PartitionIndex);
            sm_wr_i16(buf, t->Partitions[j].ErrorCode);
        }
    }
}
