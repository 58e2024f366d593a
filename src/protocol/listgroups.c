/*
 * listgroups.c: ListGroups (key 16) v0-2 - request and response codecs for
 * both sides.  Layouts in listgroups.h, conventions in msg.h.  The v0-2
 * request is empty: reading it only checks the version.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/listgroups.h"

#define SM_LGR_GROUP_MIN (2 + 2)                /* GroupId ProtocolType */

sm_err_t
sm_ListGroupsRequest_read(sm_rd_t *rd, int16_t version,
                          sm_ListGroupsRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    sm_msg_rd_version(rd, version, SM_LISTGROUPS_MAX_VERSION);
    return rd->err;
}

void
sm_ListGroupsRequest_free(sm_ListGroupsRequest_t *req)
{
    (void)req;
}

void
sm_ListGroupsRequest_write(sm_buf_t *buf, int16_t version,
                           const sm_ListGroupsRequest_t *req)
{
    (void)buf;
    (void)req;
    sm_assert(version >= 0 && version <= SM_LISTGROUPS_MAX_VERSION);
}

sm_err_t
sm_ListGroupsResponse_read(sm_rd_t *rd, int16_t version,
                           sm_ListGroupsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_LISTGROUPS_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    resp->ErrorCode = sm_rd_i16(rd);
    n = sm_msg_rd_count(rd, 0, SM_LGR_GROUP_MIN, 0);
    resp->Groups = sm_msg_calloc(n, sizeof(*resp->Groups));
    resp->GroupsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->Groups[i].GroupId = sm_rd_str(rd, 0);
        resp->Groups[i].ProtocolType = sm_rd_str(rd, 0);
    }
    if (rd->err != SM_OK)
        sm_ListGroupsResponse_free(resp);
    return rd->err;
}

void
sm_ListGroupsResponse_free(sm_ListGroupsResponse_t *resp)
{
    sm_free(resp->Groups);
    resp->Groups = NULL;
    resp->GroupsCnt = 0;
}

void
sm_ListGroupsResponse_write(sm_buf_t *buf, int16_t version,
                            const sm_ListGroupsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_LISTGROUPS_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_msg_wr_count(buf, resp->GroupsCnt, 0, 0);
    for (int32_t i = 0; i < resp->GroupsCnt; i++) {
        sm_msg_wr_str(buf, resp->Groups[i].GroupId, 0);
        sm_msg_wr_str(buf, resp->Groups[i].ProtocolType, 0);
    }
}
