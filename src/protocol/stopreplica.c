/*
 * stopreplica.c: StopReplica (key 5) v0-1 - request and response codecs
 * for both sides.  Layouts in stopreplica.h, conventions in msg.h.
 *
 * v1's Topics are flattened into Partitions on read (stopreplica.h); the
 * flat array grows one topic at a time by counts bounded by the bytes
 * left, and PartitionsCnt always covers what was allocated, so _free() is
 * safe on a partial parse.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/stopreplica.h"

#define SM_SR_PART_V0_MIN  (2 + 4)              /* TopicName PartitionIndex */
#define SM_SR_TOPIC_MIN    (2 + 4)              /* Name PartitionIndexes */
#define SM_SR_PERR_MIN     (2 + 4 + 2)

static void
sm_sr_topics_read(sm_rd_t *rd, sm_StopReplicaRequest_t *req)
{
    int32_t nt = sm_msg_rd_count(rd, 0, SM_SR_TOPIC_MIN, 0);

    for (int32_t t = 0; t < nt && sm_rd_ok(rd); t++) {
        sm_str_t name = sm_rd_str(rd, 0);
        int32_t n = sm_msg_rd_count(rd, 0, 4, 0), old = req->PartitionsCnt;

        if (n <= 0)
            continue;
        req->Partitions = sm_realloc(req->Partitions, (size_t)(old + n) *
                                     sizeof(*req->Partitions));
        memset(req->Partitions + old, 0, (size_t)n * sizeof(*req->Partitions));
        req->PartitionsCnt = old + n;
        for (int32_t i = old; i < old + n && sm_rd_ok(rd); i++) {
            req->Partitions[i].TopicName = name;
            req->Partitions[i].PartitionIndex = sm_rd_i32(rd);
        }
    }
}

sm_err_t
sm_StopReplicaRequest_read(sm_rd_t *rd, int16_t version,
                           sm_StopReplicaRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->BrokerEpoch = -1;
    if (!sm_msg_rd_version(rd, version, SM_STOPREPLICA_MAX_VERSION))
        return rd->err;
    req->ControllerId = sm_rd_i32(rd);
    req->ControllerEpoch = sm_rd_i32(rd);
    if (version >= 1)
        req->BrokerEpoch = sm_rd_i64(rd);
    req->DeletePartitions = sm_rd_bool(rd);
    if (version >= 1) {
        sm_sr_topics_read(rd, req);
    } else {
        n = sm_msg_rd_count(rd, 0, SM_SR_PART_V0_MIN, 0);
        req->Partitions = sm_msg_calloc(n, sizeof(*req->Partitions));
        req->PartitionsCnt = n;
        for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
            req->Partitions[i].TopicName = sm_rd_str(rd, 0);
            req->Partitions[i].PartitionIndex = sm_rd_i32(rd);
        }
    }
    if (rd->err != SM_OK)
        sm_StopReplicaRequest_free(req);
    return rd->err;
}

void
sm_StopReplicaRequest_free(sm_StopReplicaRequest_t *req)
{
    sm_free(req->Partitions);
    req->Partitions = NULL;
    req->PartitionsCnt = 0;
}

/* Length of the run of partitions starting at i with the same topic. */
static int32_t
sm_sr_run(const sm_StopReplicaRequest_t *req, int32_t i)
{
    int32_t j = i + 1;

    while (j < req->PartitionsCnt &&
           sm_str_eq(req->Partitions[j].TopicName,
                     req->Partitions[i].TopicName))
        j++;
    return j - i;
}

void
sm_StopReplicaRequest_write(sm_buf_t *buf, int16_t version,
                            const sm_StopReplicaRequest_t *req)
{
    int32_t ntopics = 0;

    sm_assert(version >= 0 && version <= SM_STOPREPLICA_MAX_VERSION);
    sm_wr_i32(buf, req->ControllerId);
    sm_wr_i32(buf, req->ControllerEpoch);
    if (version >= 1)
        sm_wr_i64(buf, req->BrokerEpoch);
    sm_wr_bool(buf, req->DeletePartitions);
    if (version == 0) {
        sm_msg_wr_count(buf, req->PartitionsCnt, 0, 0);
        for (int32_t i = 0; i < req->PartitionsCnt; i++) {
            sm_msg_wr_str(buf, req->Partitions[i].TopicName, 0);
            sm_wr_i32(buf, req->Partitions[i].PartitionIndex);
        }
        return;
    }
    for (int32_t i = 0; i < req->PartitionsCnt; i += sm_sr_run(req, i))
        ntopics++;
    sm_msg_wr_count(buf, ntopics, 0, 0);
    for (int32_t i = 0, r; i < req->PartitionsCnt; i += r) {
        r = sm_sr_run(req, i);
        sm_msg_wr_str(buf, req->Partitions[i].TopicName, 0);
        sm_msg_wr_count(buf, r, 0, 0);
        for (int32_t k = i; k < i + r; k++)
            sm_wr_i32(buf, req->Partitions[k].PartitionIndex);
    }
}

sm_err_t
sm_StopReplicaResponse_read(sm_rd_t *rd, int16_t version,
                            sm_StopReplicaResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_STOPREPLICA_MAX_VERSION))
        return rd->err;
    resp->ErrorCode = sm_rd_i16(rd);
    n = sm_msg_rd_count(rd, 0, SM_SR_PERR_MIN, 0);
    resp->PartitionErrors = sm_msg_calloc(n, sizeof(*resp->PartitionErrors));
    resp->PartitionErrorsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->PartitionErrors[i].TopicName = sm_rd_str(rd, 0);
        resp->PartitionErrors[i].PartitionIndex = sm_rd_i32(rd);
        resp->PartitionErrors[i].ErrorCode = sm_rd_i16(rd);
    }
    if (rd->err != SM_OK)
        sm_StopReplicaResponse_free(resp);
    return rd->err;
}

void
sm_StopReplicaResponse_free(sm_StopReplicaResponse_t *resp)
{
    sm_free(resp->PartitionErrors);
    resp->PartitionErrors = NULL;
    resp->PartitionErrorsCnt = 0;
}

void
sm_StopReplicaResponse_write(sm_buf_t *buf, int16_t version,
                             const sm_StopReplicaResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_STOPREPLICA_MAX_VERSION);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_msg_wr_count(buf, resp->PartitionErrorsCnt, 0, 0);
    for (int32_t i = 0; i < resp->PartitionErrorsCnt; i++) {
        sm_msg_wr_str(buf, resp->PartitionErrors[i].TopicName, 0);
        sm_wr_i32(buf, resp->PartitionErrors[i].PartitionIndex);
        sm_wr_i16(buf, resp->PartitionErrors[i].ErrorCode);
    }
}
