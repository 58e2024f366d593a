/*
 * heartbeat.c: Heartbeat (key 12) v0-3 - request and response codecs for
 * both sides.  Layouts in heartbeat.h, conventions in msg.h.  No arrays:
 * the _free() functions only keep the common contract.
 */
#include <string.h>

#include "common/sm_log.h"
#include "protocol/heartbeat.h"

sm_err_t
sm_HeartbeatRequest_read(sm_rd_t *rd, int16_t version,
                         sm_HeartbeatRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->GroupInstanceId = SM_STR_NULL;
    if (!sm_msg_rd_version(rd, version, SM_HEARTBEAT_MAX_VERSION))
        return rd->err;
    req->GroupId = sm_rd_str(rd, 0);
    req->GenerationId = sm_rd_i32(rd);
    req->MemberId = sm_rd_str(rd, 0);
    if (version >= 3)
        req->GroupInstanceId = sm_rd_nstr(rd, 0);
    return rd->err;
}

void
sm_HeartbeatRequest_free(sm_HeartbeatRequest_t *req)
{
    (void)req;
}

void
sm_HeartbeatRequest_write(sm_buf_t *buf, int16_t version,
                          const sm_HeartbeatRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_HEARTBEAT_MAX_VERSION);
    sm_msg_wr_str(buf, req->GroupId, 0);
    sm_wr_i32(buf, req->GenerationId);
    sm_msg_wr_str(buf, req->MemberId, 0);
    if (version >= 3)
        sm_wr_str(buf, req->GroupInstanceId, 0);
}

sm_err_t
sm_HeartbeatResponse_read(sm_rd_t *rd, int16_t version,
                          sm_HeartbeatResponse_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_HEARTBEAT_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    resp->ErrorCode = sm_rd_i16(rd);
    return rd->err;
}

void
sm_HeartbeatResponse_free(sm_HeartbeatResponse_t *resp)
{
    (void)resp;
}

void
sm_HeartbeatResponse_write(sm_buf_t *buf, int16_t version,
                           const sm_HeartbeatResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_HEARTBEAT_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_wr_i16(buf, resp->ErrorCode);
}
