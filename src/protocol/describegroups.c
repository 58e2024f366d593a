/*
 * describegroups.c: DescribeGroups (key 15) v0-4 - request and response
 * codecs for both sides.  Layouts in describegroups.h, conventions in
 * msg.h.  Groups own their Members array; _free() walks GroupsCnt groups,
 * which the reader keeps valid or zeroed (msg.h invariant).
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/describegroups.h"

/* ErrorCode GroupId GroupState ProtocolType ProtocolData Members */
#define SM_DG_GROUP_MIN  (2 + 2 + 2 + 2 + 2 + 4)
/* MemberId ClientId ClientHost MemberMetadata MemberAssignment */
#define SM_DG_MEMBER_MIN (2 + 2 + 2 + 4 + 4)

sm_err_t
sm_DescribeGroupsRequest_read(sm_rd_t *rd, int16_t version,
                              sm_DescribeGroupsRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DESCRIBEGROUPS_MAX_VERSION))
        return rd->err;
    req->Groups = sm_msg_rd_strs(rd, 0, 0, &req->GroupsCnt);
    if (version >= 3)
        req->IncludeAuthorizedOperations = (int8_t)sm_rd_bool(rd);
    if (rd->err != SM_OK)
        sm_DescribeGroupsRequest_free(req);
    return rd->err;
}

void
sm_DescribeGroupsRequest_free(sm_DescribeGroupsRequest_t *req)
{
    sm_free(req->Groups);
    req->Groups = NULL;
    req->GroupsCnt = 0;
}

void
sm_DescribeGroupsRequest_write(sm_buf_t *buf, int16_t version,
                               const sm_DescribeGroupsRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_DESCRIBEGROUPS_MAX_VERSION);
    sm_msg_wr_strs(buf, req->Groups, req->GroupsCnt, 0, 0);
    if (version >= 3)
        sm_wr_bool(buf, req->IncludeAuthorizedOperations);
}

static void
dg_member_read(sm_rd_t *rd, int16_t version,
               sm_DescribeGroupsResponseMember_t *m)
{
    m->MemberId = sm_rd_str(rd, 0);
    m->GroupInstanceId = version >= 4 ? sm_rd_nstr(rd, 0) : SM_STR_NULL;
    m->ClientId = sm_rd_str(rd, 0);
    m->ClientHost = sm_rd_str(rd, 0);
    m->MemberMetadata = sm_rd_bytes(rd, 0);
    m->MemberAssignment = sm_rd_bytes(rd, 0);
}

static void
dg_group_read(sm_rd_t *rd, int16_t version,
              sm_DescribeGroupsResponseGroup_t *g)
{
    int32_t n;

    g->AuthorizedOperations = INT32_MIN;
    g->ErrorCode = sm_rd_i16(rd);
    g->GroupId = sm_rd_str(rd, 0);
    g->GroupState = sm_rd_str(rd, 0);
    g->ProtocolType = sm_rd_str(rd, 0);
    g->ProtocolData = sm_rd_str(rd, 0);
    n = sm_msg_rd_count(rd, 0, SM_DG_MEMBER_MIN, 0);
    g->Members = sm_msg_calloc(n, sizeof(*g->Members));
    g->MembersCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        dg_member_read(rd, version, &g->Members[i]);
    if (version >= 3)
        g->AuthorizedOperations = sm_rd_i32(rd);
}

sm_err_t
sm_DescribeGroupsResponse_read(sm_rd_t *rd, int16_t version,
                               sm_DescribeGroupsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DESCRIBEGROUPS_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_DG_GROUP_MIN, 0);
    resp->Groups = sm_msg_calloc(n, sizeof(*resp->Groups));
    resp->GroupsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        dg_group_read(rd, version, &resp->Groups[i]);
    if (rd->err != SM_OK)
        sm_DescribeGroupsResponse_free(resp);
    return rd->err;
}

void
sm_DescribeGroupsResponse_free(sm_DescribeGroupsResponse_t *resp)
{
    for (int32_t i = 0; i < resp->GroupsCnt; i++)
        sm_free(resp->Groups[i].Members);
    sm_free(resp->Groups);
    resp->Groups = NULL;
    resp->GroupsCnt = 0;
}

static void
dg_group_write(sm_buf_t *buf, int16_t version,
               const sm_DescribeGroupsResponseGroup_t *g)
{
    sm_wr_i16(buf, g->ErrorCode);
    sm_msg_wr_str(buf, g->GroupId, 0);
    sm_msg_wr_str(buf, g->GroupState, 0);
    sm_msg_wr_str(buf, g->ProtocolType, 0);
    sm_msg_wr_str(buf, g->ProtocolData, 0);
    sm_msg_wr_count(buf, g->MembersCnt, 0, 0);
    for (int32_t i = 0; i < g->MembersCnt; i++) {
        const sm_DescribeGroupsResponseMember_t *m = &g->Members[i];

        sm_msg_wr_str(buf, m->MemberId, 0);
        if (version >= 4)
            sm_wr_str(buf, m->GroupInstanceId, 0);
        sm_msg_wr_str(buf, m->ClientId, 0);
        sm_msg_wr_str(buf, m->ClientHost, 0);
        sm_msg_wr_bytes(buf, m->MemberMetadata, 0);
        sm_msg_wr_bytes(buf, m->MemberAssignment, 0);
    }
    if (version >= 3)
        sm_wr_i32(buf, g->AuthorizedOperations);
}

void
sm_DescribeGroupsResponse_write(sm_buf_t *buf, int16_t version,
                                const sm_DescribeGroupsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_DESCRIBEGROUPS_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->GroupsCnt, 0, 0);
    for (int32_t i = 0; i < resp->GroupsCnt; i++)
        dg_group_write(buf, version, &resp->Groups[i]);
}
