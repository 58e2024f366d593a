/*
 * findcoordinator.c: FindCoordinator (key 10) v0-2 - request and response
 * codecs for both sides.  Layouts in findcoordinator.h, conventions in
 * msg.h.  No arrays, so _free() has nothing to release; it exists to keep
 * the four-function contract every codec offers.
 */
#include <string.h>

#include "common/sm_log.h"
#include "protocol/findcoordinator.h"

sm_err_t
sm_FindCoordinatorRequest_read(sm_rd_t *rd, int16_t version,
                               sm_FindCoordinatorRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_FINDCOORDINATOR_MAX_VERSION))
        return rd->err;
    req->Key = sm_rd_str(rd, 0);
    if (version >= 1)
        req->KeyType = sm_rd_i8(rd);
    return rd->err;
}

void
sm_FindCoordinatorRequest_free(sm_FindCoordinatorRequest_t *req)
{
    (void)req;
}

void
sm_FindCoordinatorRequest_write(sm_buf_t *buf, int16_t version,
                                const sm_FindCoordinatorRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_FINDCOORDINATOR_MAX_VERSION);
    sm_msg_wr_str(buf, req->Key, 0);
    if (version >= 1)
        sm_wr_i8(buf, req->KeyType);
}

sm_err_t
sm_FindCoordinatorResponse_read(sm_rd_t *rd, int16_t version,
                                sm_FindCoordinatorResponse_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    resp->ErrorMessage = SM_STR_NULL;
    if (!sm_msg_rd_version(rd, version, SM_FINDCOORDINATOR_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    resp->ErrorCode = sm_rd_i16(rd);
    if (version >= 1)
        resp->ErrorMessage = sm_rd_nstr(rd, 0);
    resp->NodeId = sm_rd_i32(rd);
    resp->Host = sm_rd_str(rd, 0);
    resp->Port = sm_rd_i32(rd);
    return rd->err;
}

void
sm_FindCoordinatorResponse_free(sm_FindCoordinatorResponse_t *resp)
{
    (void)resp;
}

void
sm_FindCoordinatorResponse_write(sm_buf_t *buf, int16_t version,
                                 const sm_FindCoordinatorResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_FINDCOORDINATOR_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_wr_i16(buf, resp->ErrorCode);
    if (version >= 1)
        sm_wr_str(buf, resp->ErrorMessage, 0);
    sm_wr_i32(buf, resp->NodeId);
    sm_msg_wr_str(buf, resp->Host, 0);
    sm_wr_i32(buf, resp->Port);
}
