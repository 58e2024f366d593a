/*
 * syncgroup.c: SyncGroup (key 14) v0-3 - request and response codecs for
 * both sides.  Layouts in syncgroup.h, conventions in msg.h.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/syncgroup.h"

#define SM_SG_ASSIGNMENT_MIN (2 + 4)            /* MemberId Assignment */

sm_err_t
sm_SyncGroupRequest_read(sm_rd_t *rd, int16_t version,
                         sm_SyncGroupRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->GroupInstanceId = SM_STR_NULL;
    if (!sm_msg_rd_version(rd, version, SM_SYNCGROUP_MAX_VERSION))
        return rd->err;
    req->GroupId = sm_rd_str(rd, 0);
    req->GenerationId = sm_rd_i32(rd);
    req->MemberId = sm_rd_str(rd, 0);
    if (version >= 3)
        req->GroupInstanceId = sm_rd_nstr(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_SG_ASSIGNMENT_MIN, 0);
    req->Assignments = sm_msg_calloc(n, sizeof(*req->Assignments));
    req->AssignmentsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        req->Assignments[i].MemberId = sm_rd_str(rd, 0);
        req->Assignments[i].Assignment = sm_rd_bytes(rd, 0);
    }
    if (rd->err != SM_OK)
        sm_SyncGroupRequest_free(req);
    return rd->err;
}

void
sm_SyncGroupRequest_free(sm_SyncGroupRequest_t *req)
{
    sm_free(req->Assignments);
    req->Assignments = NULL;
    req->AssignmentsCnt = 0;
}

void
sm_SyncGroupRequest_write(sm_buf_t *buf, int16_t version,
                          const sm_SyncGroupRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_SYNCGROUP_MAX_VERSION);
    sm_msg_wr_str(buf, req->GroupId, 0);
    sm_wr_i32(buf, req->GenerationId);
    sm_msg_wr_str(buf, req->MemberId, 0);
    if (version >= 3)
        sm_wr_str(buf, req->GroupInstanceId, 0);
    sm_msg_wr_count(buf, req->AssignmentsCnt, 0, 0);
    for (int32_t i = 0; i < req->AssignmentsCnt; i++) {
        sm_msg_wr_str(buf, req->Assignments[i].MemberId, 0);
        sm_msg_wr_bytes(buf, req->Assignments[i].Assignment, 0);
    }
}

sm_err_t
sm_SyncGroupResponse_read(sm_rd_t *rd, int16_t version,
                          sm_SyncGroupResponse_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_SYNCGROUP_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    resp->ErrorCode = sm_rd_i16(rd);
    resp->Assignment = sm_rd_bytes(rd, 0);
    return rd->err;
}

void
sm_SyncGroupResponse_free(sm_SyncGroupResponse_t *resp)
{
    (void)resp;
}

void
sm_SyncGroupResponse_write(sm_buf_t *buf, int16_t version,
                           const sm_SyncGroupResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_SYNCGROUP_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_msg_wr_bytes(buf, resp->Assignment, 0);
}
