/*
 * joingroup.c: JoinGroup (key 11) v0-5 - request and response codecs for
 * both sides.  Layouts in joingroup.h, conventions in msg.h.
 *
 * v0 has no RebalanceTimeoutMs; Kafka then uses the session timeout as the
 * rebalance timeout, and so does the reader (the default -1 of the spec is
 * only what the generated Java class holds before that substitution).
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/joingroup.h"

#define SM_JG_PROTOCOL_MIN (2 + 4)              /* Name Metadata */
#define SM_JG_MEMBER_MIN   (2 + 4)              /* MemberId Metadata */

sm_err_t
sm_JoinGroupRequest_read(sm_rd_t *rd, int16_t version,
                         sm_JoinGroupRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->GroupInstanceId = SM_STR_NULL;
    if (!sm_msg_rd_version(rd, version, SM_JOINGROUP_MAX_VERSION))
        return rd->err;
    req->GroupId = sm_rd_str(rd, 0);
    req->SessionTimeoutMs = sm_rd_i32(rd);
    req->RebalanceTimeoutMs = version >= 1 ? sm_rd_i32(rd)
                                           : req->SessionTimeoutMs;
    req->MemberId = sm_rd_str(rd, 0);
    if (version >= 5)
        req->GroupInstanceId = sm_rd_nstr(rd, 0);
    req->ProtocolType = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_JG_PROTOCOL_MIN, 0);
    req->Protocols = sm_msg_calloc(n, sizeof(*req->Protocols));
    req->ProtocolsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        req->Protocols[i].Name = sm_rd_str(rd, 0);
        req->Protocols[i].Metadata = sm_rd_bytes(rd, 0);
    }
    if (rd->err != SM_OK)
        sm_JoinGroupRequest_free(req);
    return rd->err;
}

void
sm_JoinGroupRequest_free(sm_JoinGroupRequest_t *req)
{
    sm_free(req->Protocols);
    req->Protocols = NULL;
    req->ProtocolsCnt = 0;
}

void
sm_JoinGroupRequest_write(sm_buf_t *buf, int16_t version,
                          const sm_JoinGroupRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_JOINGROUP_MAX_VERSION);
    sm_msg_wr_str(buf, req->GroupId, 0);
    sm_wr_i32(buf, req->SessionTimeoutMs);
    if (version >= 1)
        sm_wr_i32(buf, req->RebalanceTimeoutMs);
    sm_msg_wr_str(buf, req->MemberId, 0);
    if (version >= 5)
        sm_wr_str(buf, req->GroupInstanceId, 0);
    sm_msg_wr_str(buf, req->ProtocolType, 0);
    sm_msg_wr_count(buf, req->ProtocolsCnt, 0, 0);
    for (int32_t i = 0; i < req->ProtocolsCnt; i++) {
        sm_msg_wr_str(buf, req->Protocols[i].Name, 0);
        sm_msg_wr_bytes(buf, req->Protocols[i].Metadata, 0);
    }
}

sm_err_t
sm_JoinGroupResponse_read(sm_rd_t *rd, int16_t version,
                          sm_JoinGroupResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    resp->GenerationId = -1;
    if (!sm_msg_rd_version(rd, version, SM_JOINGROUP_MAX_VERSION))
        return rd->err;
    if (version >= 2)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    resp->ErrorCode = sm_rd_i16(rd);
    resp->GenerationId = sm_rd_i32(rd);
    resp->ProtocolName = sm_rd_str(rd, 0);
    resp->Leader = sm_rd_str(rd, 0);
    resp->MemberId = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_JG_MEMBER_MIN, 0);
    resp->Members = sm_msg_calloc(n, sizeof(*resp->Members));
    resp->MembersCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_JoinGroupResponseMember_t *m = &resp->Members[i];

        m->MemberId = sm_rd_str(rd, 0);
        m->GroupInstanceId = version >= 5 ? sm_rd_nstr(rd, 0) : SM_STR_NULL;
        m->Metadata = sm_rd_bytes(rd, 0);
    }
    if (rd->err != SM_OK)
        sm_JoinGroupResponse_free(resp);
    return rd->err;
}

void
sm_JoinGroupResponse_free(sm_JoinGroupResponse_t *resp)
{
    sm_free(resp->Members);
    resp->Members = NULL;
    resp->MembersCnt = 0;
}

void
sm_JoinGroupResponse_write(sm_buf_t *buf, int16_t version,
                           const sm_JoinGroupResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_JOINGROUP_MAX_VERSION);
    if (version >= 2)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_wr_i32(buf, resp->GenerationId);
    sm_msg_wr_str(buf, resp->ProtocolName, 0);
    sm_msg_wr_str(buf, resp->Leader, 0);
    sm_msg_wr_str(buf, resp->MemberId, 0);
    sm_msg_wr_count(buf, resp->MembersCnt, 0, 0);
    for (int32_t i = 0; i < resp->MembersCnt; i++) {
        const sm_JoinGroupResponseMember_t *m = &resp->Members[i];

        sm_msg_wr_str(buf, m->MemberId, 0);
        if (version >= 5)
            sm_wr_str(buf, m->GroupInstanceId, 0);
        sm_msg_wr_bytes(buf, m->Metadata, 0);
    }
}
