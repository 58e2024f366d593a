/*
 * deletetopics.c: DeleteTopics (key 20) v0-3 - request and response codecs
 * for both sides.  Layouts in deletetopics.h, conventions in msg.h.
 *
 * v0-3 share one request layout; the response gains ThrottleTimeMs in v1.
 * None of them is flexible (DeleteTopics becomes flexible at v4).
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/deletetopics.h"

#define SM_DT_RESULT_MIN (2 + 2)                /* Name ErrorCode */

sm_err_t
sm_DeleteTopicsRequest_read(sm_rd_t *rd, int16_t version,
                            sm_DeleteTopicsRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DELETETOPICS_MAX_VERSION))
        return rd->err;
    req->TopicNames = sm_msg_rd_strs(rd, 0, 0, &req->TopicNamesCnt);
    req->TimeoutMs = sm_rd_i32(rd);
    if (rd->err != SM_OK)
        sm_DeleteTopicsRequest_free(req);
    return rd->err;
}

void
sm_DeleteTopicsRequest_free(sm_DeleteTopicsRequest_t *req)
{
    sm_free(req->TopicNames);
    req->TopicNames = NULL;
    req->TopicNamesCnt = 0;
}

void
sm_DeleteTopicsRequest_write(sm_buf_t *buf, int16_t version,
                             const sm_DeleteTopicsRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_DELETETOPICS_MAX_VERSION);
    sm_msg_wr_strs(buf, req->TopicNames, req->TopicNamesCnt, 0, 0);
    sm_wr_i32(buf, req->TimeoutMs);
}

sm_err_t
sm_DeleteTopicsResponse_read(sm_rd_t *rd, int16_t version,
                             sm_DeleteTopicsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_DELETETOPICS_MAX_VERSION))
        return rd->err;
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_DT_RESULT_MIN, 0);
    resp->Responses = sm_msg_calloc(n, sizeof(*resp->Responses));
    resp->ResponsesCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->Responses[i].Name = sm_rd_str(rd, 0);
        resp->Responses[i].ErrorCode = sm_rd_i16(rd);
    }
    if (rd->err != SM_OK)
        sm_DeleteTopicsResponse_free(resp);
    return rd->err;
}

void
sm_DeleteTopicsResponse_free(sm_DeleteTopicsResponse_t *resp)
{
    sm_free(resp->Responses);
    resp->Responses = NULL;
    resp->ResponsesCnt = 0;
}

void
sm_DeleteTopicsResponse_write(sm_buf_t *buf, int16_t version,
                              const sm_DeleteTopicsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_DELETETOPICS_MAX_VERSION);
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->ResponsesCnt, 0, 0);
    for (int32_t i = 0; i < resp->ResponsesCnt; i++) {
        sm_msg_wr_str(buf, resp->Responses[i].Name, 0);
        sm_wr_i16(buf, resp->Responses[i].ErrorCode);
    }
}
