/*
 * controlledshutdown.c: ControlledShutdown (key 7) v0-2 - request and
 * response codecs for both sides.  Layouts in controlledshutdown.h,
 * conventions in msg.h.  The response layout is the same in v0-2; the
 * request gains BrokerEpoch in v2.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/controlledshutdown.h"

#define SM_CS_PART_MIN (2 + 4)                  /* TopicName PartitionIndex */

sm_err_t
sm_ControlledShutdownRequest_read(sm_rd_t *rd, int16_t version,
                                  sm_ControlledShutdownRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->BrokerEpoch = -1;
    if (!sm_msg_rd_version(rd, version, SM_CONTROLLEDSHUTDOWN_MAX_VERSION))
        return rd->err;
    req->BrokerId = sm_rd_i32(rd);
    if (version >= 2)
        req->BrokerEpoch = sm_rd_i64(rd);
    return rd->err;
}

void
sm_ControlledShutdownRequest_free(sm_ControlledShutdownRequest_t *req)
{
    (void)req;                            /* owns no arrays */
}

void
sm_ControlledShutdownRequest_write(sm_buf_t *buf, int16_t version,
                                   const sm_ControlledShutdownRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_CONTROLLEDSHUTDOWN_MAX_VERSION);
    sm_wr_i32(buf, req->BrokerId);
    if (version >= 2)
        sm_wr_i64(buf, req->BrokerEpoch);
}

sm_err_t
sm_ControlledShutdownResponse_read(sm_rd_t *rd, int16_t version,
                                   sm_ControlledShutdownResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_CONTROLLEDSHUTDOWN_MAX_VERSION))
        return rd->err;
    resp->ErrorCode = sm_rd_i16(rd);
    n = sm_msg_rd_count(rd, 0, SM_CS_PART_MIN, 0);
    resp->RemainingPartitions = sm_msg_calloc(
        n, sizeof(*resp->RemainingPartitions));
    resp->RemainingPartitionsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->RemainingPartitions[i].TopicName = sm_rd_str(rd, 0);
        resp->RemainingPartitions[i].PartitionIndex = sm_rd_i32(rd);
    }
    if (rd->err != SM_OK)
        sm_ControlledShutdownResponse_free(resp);
    return rd->err;
}

void
sm_ControlledShutdownResponse_free(sm_ControlledShutdownResponse_t *resp)
{
    sm_free(resp->RemainingPartitions);
    resp->RemainingPartitions = NULL;
    resp->RemainingPartitionsCnt = 0;
}

void
sm_ControlledShutdownResponse_write(
    sm_buf_t *buf, int16_t version,
    const sm_ControlledShutdownResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_CONTROLLEDSHUTDOWN_MAX_VERSION);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_msg_wr_count(buf, resp->RemainingPartitionsCnt, 0, 0);
    for (int32_t i = 0; i < resp->RemainingPartitionsCnt; i++) {
        sm_msg_wr_str(buf, resp->RemainingPartitions[i].TopicName, 0);
        sm_wr_i32(buf, resp->RemainingPartitions[i].PartitionIndex);
    }
}
