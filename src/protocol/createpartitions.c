/*
 * createpartitions.c: CreatePartitions (key 37) v0-1 - request and response
 * codecs for both sides.  Layouts in createpartitions.h, conventions in
 * msg.h.
 *
 * v0 and v1 have one layout (v1 only changes when throttling happens).
 * Neither is flexible (CreatePartitions becomes flexible at v2).
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/createpartitions.h"

#define SM_CP_TOPIC_MIN   (2 + 4 + 4)           /* Name Count [] */
#define SM_CP_ASSIGN_MIN  4                     /* BrokerIds [] */
#define SM_CP_RESULT_MIN  (2 + 2 + 2)

/* ------------------------------------------------------------- request */

static void
sm_cp_topic_read(sm_rd_t *rd, sm_CreatePartitionsRequestTopic_t *t)
{
    int32_t n;

    t->Name = sm_rd_str(rd, 0);
    t->Count = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_CP_ASSIGN_MIN, 1);
    t->Assignments = sm_msg_calloc(n, sizeof(*t->Assignments));
    t->AssignmentsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_CreatePartitionsRequestAssignment_t *a = &t->Assignments[i];

        a->BrokerIds = sm_msg_rd_i32s(rd, 0, 0, &a->BrokerIdsCnt);
    }
}

sm_err_t
sm_CreatePartitionsRequest_read(sm_rd_t *rd, int16_t version,
                                sm_CreatePartitionsRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_CREATEPARTITIONS_MAX_VERSION))
        return rd->err;
    n = sm_msg_rd_count(rd, 0, SM_CP_TOPIC_MIN, 0);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_cp_topic_read(rd, &req->Topics[i]);
    req->TimeoutMs = sm_rd_i32(rd);
    req->ValidateOnly = sm_rd_bool(rd);
    if (rd->err != SM_OK)
        sm_CreatePartitionsRequest_free(req);
    return rd->err;
}

void
sm_CreatePartitionsRequest_free(sm_CreatePartitionsRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        sm_CreatePartitionsRequestTopic_t *t = &req->Topics[i];

        for (int32_t j = 0; j < t->AssignmentsCnt; j++)
            sm_free(t->Assignments[j].BrokerIds);
        sm_free(t->Assignments);
    }
    sm_free(req->Topics);
    req->Topics = NULL;
    req->TopicsCnt = 0;
}

void
sm_CreatePartitionsRequest_write(sm_buf_t *buf, int16_t version,
                                 const sm_CreatePartitionsRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_CREATEPARTITIONS_MAX_VERSION);
    sm_msg_wr_count(buf, req->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        const sm_CreatePartitionsRequestTopic_t *t = &req->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_wr_i32(buf, t->Count);
        sm_msg_wr_count(buf, t->AssignmentsCnt, 0, 1);
        for (int32_t j = 0; j < t->AssignmentsCnt; j++)
            sm_msg_wr_i32s(buf, t->Assignments[j].BrokerIds,
                           t->Assignments[j].BrokerIdsCnt, 0, 0);
    }
    sm_wr_i32(buf, req->TimeoutMs);
    sm_wr_bool(buf, req->ValidateOnly);
}

/* ------------------------------------------------------------ response */

sm_err_t
sm_CreatePartitionsResponse_read(sm_rd_t *rd, int16_t version,
                                 sm_CreatePartitionsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_CREATEPARTITIONS_MAX_VERSION))
        return rd->err;
    resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_CP_RESULT_MIN, 0);
    resp->Results = sm_msg_calloc(n, sizeof(*resp->Results));
    resp->ResultsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->Results[i].Name = sm_rd_str(rd, 0);
        resp->Results[i].ErrorCode = sm_rd_i16(rd);
        resp->Results[i].ErrorMessage = sm_rd_nstr(rd, 0);
    }
    if (rd->err != SM_OK)
        sm_CreatePartitionsResponse_free(resp);
    return rd->err;
}

void
sm_CreatePartitionsResponse_free(sm_CreatePartitionsResponse_t *resp)
{
    sm_free(resp->Results);
    resp->Results = NULL;
    resp->ResultsCnt = 0;
}

void
sm_CreatePartitionsResponse_write(sm_buf_t *buf, int16_t version,
                                  const sm_CreatePartitionsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_CREATEPARTITIONS_MAX_VERSION);
    sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->ResultsCnt, 0, 0);
    for (int32_t i = 0; i < resp->ResultsCnt; i++) {
        sm_msg_wr_str(buf, resp->Results[i].Name, 0);
        sm_wr_i16(buf, resp->Results[i].ErrorCode);
        sm_wr_str(buf, resp->Results[i].ErrorMessage, 0);
    }
}
