/*
 * electleaders.c: ElectLeaders (key 43) v0-1 - request and response codecs
 * for both sides.  Layouts in electleaders.h, conventions in msg.h.  v1
 * adds the request's ElectionType (first field) and the response's
 * top-level ErrorCode (after ThrottleTimeMs); nothing else changes.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/electleaders.h"

#define SM_EL_TOPIC_MIN  (2 + 4)            /* Topic Partitions */
#define SM_EL_RESULT_MIN (2 + 4)            /* Topic PartitionResult */
#define SM_EL_PART_MIN   (4 + 2 + 2)        /* Id ErrorCode ErrorMessage */

sm_err_t
sm_ElectLeadersRequest_read(sm_rd_t *rd, int16_t version,
                            sm_ElectLeadersRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->TimeoutMs = 60000;
    if (!sm_msg_rd_version(rd, version, SM_ELECTLEADERS_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        req->ElectionType = sm_rd_i8(rd);
    n = sm_msg_rd_count(rd, 0, SM_EL_TOPIC_MIN, 1);
    req->TopicPartitions = sm_msg_calloc(n, sizeof(*req->TopicPartitions));
    req->TopicPartitionsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_ElectLeadersTopic_t *t = &req->TopicPartitions[i];
        t->Topic = sm_rd_str(rd, 0);
        t->Partitions = sm_msg_rd_i32s(rd, 0, 0, &t->PartitionsCnt);
    }
    req->TimeoutMs = sm_rd_i32(rd);
    if (rd->err != SM_OK)
        sm_ElectLeadersRequest_free(req);
    return rd->err;
}

void
sm_ElectLeadersRequest_free(sm_ElectLeadersRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicPartitionsCnt; i++)
        sm_free(req->TopicPartitions[i].Partitions);
    sm_free(req->TopicPartitions);
    req->TopicPartitions = NULL;
    req->TopicPartitionsCnt = 0;
}

void
sm_ElectLeadersRequest_write(sm_buf_t *buf, int16_t version,
                             const sm_ElectLeadersRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_ELECTLEADERS_MAX_VERSION);
    if (version >= 1)
        sm_wr_i8(buf, req->ElectionType);
    sm_msg_wr_count(buf, req->TopicPartitionsCnt, 0, 1);
    for (int32_t i = 0; i < req->TopicPartitionsCnt; i++) {
        const sm_ElectLeadersTopic_t *t = &req->TopicPartitions[i];
        sm_msg_wr_str(buf, t->Topic, 0);
        sm_msg_wr_i32s(buf, t->Partitions, t->PartitionsCnt, 0, 0);
    }
    sm_wr_i32(buf, req->TimeoutMs);
}

static void
sm_el_result_read(sm_rd_t *rd, sm_ElectLeadersResult_t *r)
{
    int32_t n;

    r->Topic = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_EL_PART_MIN, 0);
    r->PartitionResult = sm_msg_calloc(n, sizeof(*r->PartitionResult));
    r->PartitionResultCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        r->PartitionResult[i].PartitionId = sm_rd_i32(rd);
        r->PartitionResult[i].ErrorCode = sm_rd_i16(rd);
        r->PartitionResult[i].ErrorMessage = sm_rd_nstr(rd, 0);
    }
}

sm_err_t
sm_ElectLeadersResponse_read(sm_rd_t *rd, int16_t version,
                             sm_ElectLeadersResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_ELECTLEADERS_MAX_VERSION))
        return rd->err;
    resp->ThrottleTimeMs = sm_rd_i32(rd);
    if (version >= 1)
        resp->ErrorCode = sm_rd_i16(rd);
    n = sm_msg_rd_count(rd, 0, SM_EL_RESULT_MIN, 0);
    resp->ReplicaElectionResults = sm_msg_calloc(
        n, sizeof(*resp->ReplicaElectionResults));
    resp->ReplicaElectionResultsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_el_result_read(rd, &resp->ReplicaElectionResults[i]);
    if (rd->err != SM_OK)
        sm_ElectLeadersResponse_free(resp);
    return rd->err;
}

void
sm_ElectLeadersResponse_free(sm_ElectLeadersResponse_t *resp)
{
    for (int32_t i = 0; i < resp->ReplicaElectionResultsCnt; i++)
        sm_free(resp->ReplicaElectionResults[i].PartitionResult);
    sm_free(resp->ReplicaElectionResults);
    resp->ReplicaElectionResults = NULL;
    resp->ReplicaElectionResultsCnt = 0;
}

void
sm_ElectLeadersResponse_write(sm_buf_t *buf, int16_t version,
                              const sm_ElectLeadersResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_ELECTLEADERS_MAX_VERSION);
    sm_wr_i32(buf, resp->ThrottleTimeMs);
    if (version >= 1)
        sm_wr_i16(buf, resp->ErrorCode);
    sm_msg_wr_count(buf, resp->ReplicaElectionResultsCnt, 0, 0);
    for (int32_t i = 0; i < resp->ReplicaElectionResultsCnt; i++) {
        const sm_ElectLeadersResult_t *r = &resp->ReplicaElectionResults[i];
        sm_msg_wr_str(buf, r->Topic, 0);
        sm_msg_wr_count(buf, r->PartitionResultCnt, 0, 0);
        for (int32_t j = 0; j < r->PartitionResultCnt; j++) {
            sm_wr_i32(buf, r->PartitionResult[j].PartitionId);
            sm_wr_i16(buf, r->PartitionResult[j].ErrorCode);
            sm_wr_str(buf, r->PartitionResult[j].ErrorMessage, 0);
        }
    }
}
