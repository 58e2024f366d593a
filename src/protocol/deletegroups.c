/*
 * deletegroups.c: DeleteGroups (key 42) v0-1 - request and response codecs
 * for both sides.  Layouts in deletegroups.h, conventions in msg.h.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/deletegroups.h"

#define SM_DGR_RESULT_MIN (2 + 2)               /* GroupId ErrorCode */

sm_err_t
sm_DeleteGroupsRequest_read(sm_rd_t *rd, int16_t version,
                            sm_DeleteGroupsRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DELETEGROUPS_MAX_VERSION))
        return rd->err;
    req->GroupsNames = sm_msg_rd_strs(rd, 0, 0, &req->GroupsNamesCnt);
    if (rd->err != SM_OK)
        sm_DeleteGroupsRequest_free(req);
    return rd->err;
}

void
sm_DeleteGroupsRequest_free(sm_DeleteGroupsRequest_t *req)
{
    sm_free(req->GroupsNames);
    req->GroupsNames = NULL;
    req->GroupsNamesCnt = 0;
}

void
sm_DeleteGroupsRequest_write(sm_buf_t *buf, int16_t version,
                             const sm_DeleteGroupsRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_DELETEGROUPS_MAX_VERSION);
    sm_msg_wr_strs(buf, req->GroupsNames, req->GroupsNamesCnt, 0, 0);
}

sm_err_t
sm_DeleteGroupsResponse_read(sm_rd_t *rd, int16_t version,
                             sm_DeleteGroupsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DELETEGROUPS_MAX_VERSION))
        return rd->err;
    resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_DGR_RESULT_MIN, 0);
    resp->Results = sm_msg_calloc(n, sizeof(*resp->Results));
    resp->ResultsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->Results[i].GroupId = sm_rd_str(rd, 0);
        resp->Results[i].ErrorCode = sm_rd_i16(rd);
    }
    if (rd->err != SM_OK)
        sm_DeleteGroupsResponse_free(resp);
    return rd->err;
}

void
sm_DeleteGroupsResponse_free(sm_DeleteGroupsResponse_t *resp)
{
    sm_free(resp->Results);
    resp->Results = NULL;
    resp->ResultsCnt = 0;
}

void
sm_DeleteGroupsResponse_write(sm_buf_t *buf, int16_t version,
                              const sm_DeleteGroupsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_DELETEGROUPS_MAX_VERSION);
    sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->ResultsCnt, 0, 0);
    for (int32_t i = 0; i < resp->ResultsCnt; i++) {
        sm_msg_wr_str(buf, resp->Results[i].GroupId, 0);
        sm_wr_i16(buf, resp->Results[i].ErrorCode);
    }
}
