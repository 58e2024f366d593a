/*
 * produce.c: Produce (key 0) v0-7 - request and response codecs for both
 * sides.  Layouts in produce.h, conventions in msg.h.
 *
 * The request's record blobs are never copied or looked into here: they are
 * slices of the frame, validated later by protocol/batch.c on the handler's
 * path.  None of v0-7 is flexible.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/produce.h"

#define SM_PRODUCE_TOPIC_MIN      (2 + 4)          /* Name [] */
#define SM_PRODUCE_PART_MIN       (4 + 4)          /* Index Records */
#define SM_PRODUCE_RESP_PART_MIN  (4 + 2 + 8)

/* ------------------------------------------------------------- request */

static void
sm_produce_topic_read(sm_rd_t *rd, sm_ProduceRequestTopic_t *t)
{
    int32_t n;

    t->Name = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_PRODUCE_PART_MIN, 0);
    t->PartitionData = sm_msg_calloc(n, sizeof(*t->PartitionData));
    t->PartitionDataCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        t->PartitionData[i].Index = sm_rd_i32(rd);
        t->PartitionData[i].Records = sm_rd_nbytes(rd, 0);
    }
}

sm_err_t
sm_ProduceRequest_read(sm_rd_t *rd, int16_t version, sm_ProduceRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->TransactionalId = SM_STR_NULL;
    if (!sm_msg_rd_version(rd, version, SM_PRODUCE_MAX_VERSION))
        return rd->err;
    if (version >= 3)
        req->TransactionalId = sm_rd_nstr(rd, 0);
    req->Acks = sm_rd_i16(rd);
    req->TimeoutMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_PRODUCE_TOPIC_MIN, 0);
    req->TopicData = sm_msg_calloc(n, sizeof(*req->TopicData));
    req->TopicDataCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_produce_topic_read(rd, &req->TopicData[i]);
    if (rd->err != SM_OK)
        sm_ProduceRequest_free(req);
    return rd->err;
}

void
sm_ProduceRequest_free(sm_ProduceRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicDataCnt; i++)
        sm_free(req->TopicData[i].PartitionData);
    sm_free(req->TopicData);
    req->TopicData = NULL;
    req->TopicDataCnt = 0;
}

void
sm_ProduceRequest_write(sm_buf_t *buf, int16_t version,
                        const sm_ProduceRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_PRODUCE_MAX_VERSION);
    if (version >= 3)
        sm_wr_str(buf, req->TransactionalId, 0);
    sm_wr_i16(buf, req->Acks);
    sm_wr_i32(buf, req->TimeoutMs);
    sm_msg_wr_count(buf, req->TopicDataCnt, 0, 0);
    for (int32_t i = 0; i < req->TopicDataCnt; i++) {
        const sm_ProduceRequestTopic_t *t = &req->TopicData[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionDataCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionDataCnt; j++) {
            sm_wr_i32(buf, t->PartitionData[j].Index);
            sm_wr_bytes(buf, t->PartitionData[j].Records, 0);
        }
    }
}

/* ------------------------------------------------------------ response */

static void
sm_produce_part_read(sm_rd_t *rd, int16_t version,
                     sm_ProduceResponsePartition_t *p)
{
    p->Index = sm_rd_i32(rd);
    p->ErrorCode = sm_rd_i16(rd);
    p->BaseOffset = sm_rd_i64(rd);
    p->LogAppendTimeMs = version >= 2 ? sm_rd_i64(rd) : -1;
    p->LogStartOffset = version >= 5 ? sm_rd_i64(rd) : -1;
}

sm_err_t
sm_ProduceResponse_read(sm_rd_t *rd, int16_t version,
                        sm_ProduceResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_PRODUCE_MAX_VERSION))
        return rd->err;
    n = sm_msg_rd_count(rd, 0, SM_PRODUCE_TOPIC_MIN, 0);
    resp->Responses = sm_msg_calloc(n, sizeof(*resp->Responses));
    resp->ResponsesCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_ProduceResponseTopic_t *t = &resp->Responses[i];
        int32_t m;

        t->Name = sm_rd_str(rd, 0);
        m = sm_msg_rd_count(rd, 0, SM_PRODUCE_RESP_PART_MIN, 0);
        t->PartitionResponses = sm_msg_calloc(m,
                                              sizeof(*t->PartitionResponses));
        t->PartitionResponsesCnt = m;
        for (int32_t j = 0; j < m && sm_rd_ok(rd); j++)
            sm_produce_part_read(rd, version, &t->PartitionResponses[j]);
    }
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    if (rd->err != SM_OK)
        sm_ProduceResponse_free(resp);
    return rd->err;
}

void
sm_ProduceResponse_free(sm_ProduceResponse_t *resp)
{
    for (int32_t i = 0; i < resp->ResponsesCnt; i++)
        sm_free(resp->Responses[i].PartitionResponses);
    sm_free(resp->Responses);
    resp->Responses = NULL;
    resp->ResponsesCnt = 0;
}

void
sm_ProduceResponse_write(sm_buf_t *buf, int16_t version,
                         const sm_ProduceResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_PRODUCE_MAX_VERSION);
    sm_msg_wr_count(buf, resp->ResponsesCnt, 0, 0);
    for (int32_t i = 0; i < resp->ResponsesCnt; i++) {
        const sm_ProduceResponseTopic_t *t = &resp->Responses[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_msg_wr_count(buf, t->PartitionResponsesCnt, 0, 0);
        for (int32_t j = 0; j < t->PartitionResponsesCnt; j++) {
            const sm_ProduceResponsePartition_t *p = &t->PartitionResponses[j];

            sm_wr_i32(buf, p->Index);
            sm_wr_i16(buf, p->ErrorCode);
            sm_wr_i64(buf, p->BaseOffset);
            if (version >= 2)
                sm_wr_i64(buf, p->LogAppendTimeMs);
            if (version >= 5)
                sm_wr_i64(buf, p->LogStartOffset);
        }
    }
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
}
