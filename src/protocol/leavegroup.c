/*
 * leavegroup.c: LeaveGroup (key 13) v0-3 - request and response codecs for
 * both sides.  Layouts in leavegroup.h, conventions in msg.h.
 *
 * The v0-2 MemberId and the v3 Members array are kept as Kafka's two
 * fields; a handler serving both turns v0-2 into a one-member batch.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/leavegroup.h"

#define SM_LG_REQ_MEMBER_MIN  (2 + 2)           /* MemberId InstanceId */
#define SM_LG_RESP_MEMBER_MIN (2 + 2 + 2)       /* + ErrorCode */

sm_err_t
sm_LeaveGroupRequest_read(sm_rd_t *rd, int16_t version,
                          sm_LeaveGroupRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->MemberId = SM_STR_EMPTY;
    if (!sm_msg_rd_version(rd, version, SM_LEAVEGROUP_MAX_VERSION))
        return rd->err;
    req->GroupId = sm_rd_str(rd, 0);
    if (version <= 2) {
        req->MemberId = sm_rd_str(rd, 0);
        return rd->err;
    }
    n = sm_msg_rd_count(rd, 0, SM_LG_REQ_MEMBER_MIN, 0);
    req->Members = sm_msg_calloc(n, sizeof(*req->Members));
    req->MembersCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        req->Members[i].MemberId = sm_rd_str(rd, 0);
        req->Members[i].GroupInstanceId = sm_rd_nstr(rd, 0);
    }
    if (rd->err != SM_OK)
        sm_LeaveGroupRequest_free(req);
    return rd->err;
}

void
sm_LeaveGroupRequest_free(sm_LeaveGroupRequest_t *req)
{
    sm_free(req->Members);
    req->Members = NULL;
    req->MembersCnt = 0;
}

void
sm_LeaveGroupRequest_write(sm_buf_t *buf, int16_t version,
                           const sm_LeaveGroupRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_LEAVEGROUP_MAX_VERSION);
    sm_msg_wr_str(buf, req->GroupId, 0);
    if (version <= 2) {
        sm_msg_wr_str(buf, req->MemberId, 0);
        return;
    }
    sm_msg_wr_count(buf, req->MembersCnt, 0, 0);
    for (int32_t i = 0; i < req->MembersCnt; i++) {
        sm_msg_wr_str(buf, req->Members[i].MemberId, 0);
        sm_wr_str(buf, req->Members[i].GroupInstanceId, 0);
    }
}

sm_err_t
sm_LeaveGroupResponse_read(sm_rd_t *rd, int16_t version,
                           sm_LeaveGroupResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_LEAVEGROUP_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    resp->ErrorCode = sm_rd_i16(rd);
    if (version < 3)
        return rd->err;
    n = sm_msg_rd_count(rd, 0, SM_LG_RESP_MEMBER_MIN, 0);
    resp->Members = sm_msg_calloc(n, sizeof(*resp->Members));
    resp->MembersCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->Members[i].MemberId = sm_rd_str(rd, 0);
        resp->Members[i].GroupInstanceId = sm_rd_nstr(rd, 0);
        resp->Members[i].ErrorCode = sm_rd_i16(rd);
    }
    if (rd->err != SM_OK)
        sm_LeaveGroupResponse_free(resp);
    return rd->err;
}

void
sm_LeaveGroupResponse_free(sm_LeaveGroupResponse_t *resp)
{
    sm_free(resp->Members);
    resp->Members = NULL;
    resp->MembersCnt = 0;
}

void
sm_LeaveGroupResponse_write(sm_buf_t *buf, int16_t version,
                            const sm_LeaveGroupResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_LEAVEGROUP_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_wr_i16(buf, resp->ErrorCode);
    if (version < 3)
        return;
    sm_msg_wr_count(buf, resp->MembersCnt, 0, 0);
    for (int32_t i = 0; i < resp->MembersCnt; i++) {
        sm_msg_wr_str(buf, resp->Members[i].MemberId, 0);
        sm_wr_str(buf, resp->Members[i].GroupInstanceId, 0);
        sm_wr_i16(buf, resp->Members[i].ErrorCode);
    }
}
