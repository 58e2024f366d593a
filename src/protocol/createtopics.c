/*
 * createtopics.c: CreateTopics (key 19) v0-4 - request and response codecs
 * for both sides.  Layouts in createtopics.h, conventions in msg.h.
 *
 * Kafka's spec spells the two top-level request fields timeoutMs and
 * validateOnly; samsa capitalises them like every other field (Kafka's
 * generated Java does the same in its accessors).  None of v0-4 is
 * flexible.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/createtopics.h"

#define SM_CT_TOPIC_MIN   (2 + 4 + 2 + 4 + 4)
#define SM_CT_ASSIGN_MIN  (4 + 4)
#define SM_CT_CONFIG_MIN  (2 + 2)
#define SM_CT_RESULT_MIN  (2 + 2)

/* ------------------------------------------------------------- request */

static void
sm_ct_topic_read(sm_rd_t *rd, sm_CreateTopicsRequestTopic_t *t)
{
    int32_t n;

    t->Name = sm_rd_str(rd, 0);
    t->NumPartitions = sm_rd_i32(rd);
    t->ReplicationFactor = sm_rd_i16(rd);
    n = sm_msg_rd_count(rd, 0, SM_CT_ASSIGN_MIN, 0);
    t->Assignments = sm_msg_calloc(n, sizeof(*t->Assignments));
    t->AssignmentsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_CreateTopicsRequestAssignment_t *a = &t->Assignments[i];

        a->PartitionIndex = sm_rd_i32(rd);
        a->BrokerIds = sm_msg_rd_i32s(rd, 0, 0, &a->BrokerIdsCnt);
    }
    n = sm_msg_rd_count(rd, 0, SM_CT_CONFIG_MIN, 0);
    t->Configs = sm_msg_calloc(n, sizeof(*t->Configs));
    t->ConfigsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        t->Configs[i].Name = sm_rd_str(rd, 0);
        t->Configs[i].Value = sm_rd_nstr(rd, 0);
    }
}

sm_err_t
sm_CreateTopicsRequest_read(sm_rd_t *rd, int16_t version,
                            sm_CreateTopicsRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_CREATETOPICS_MAX_VERSION))
        return rd->err;
    n = sm_msg_rd_count(rd, 0, SM_CT_TOPIC_MIN, 0);
    req->Topics = sm_msg_calloc(n, sizeof(*req->Topics));
    req->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_ct_topic_read(rd, &req->Topics[i]);
    req->TimeoutMs = sm_rd_i32(rd);
    if (version >= 1)
        req->ValidateOnly = sm_rd_bool(rd);
    if (rd->err != SM_OK)
        sm_CreateTopicsRequest_free(req);
    return rd->err;
}

void
sm_CreateTopicsRequest_free(sm_CreateTopicsRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        sm_CreateTopicsRequestTopic_t *t = &req->Topics[i];

        for (int32_t j = 0; j < t->AssignmentsCnt; j++)
            sm_free(t->Assignments[j].BrokerIds);
        sm_free(t->Assignments);
        sm_free(t->Configs);
    }
    sm_free(req->Topics);
    req->Topics = NULL;
    req->TopicsCnt = 0;
}

static void
sm_ct_topic_write(sm_buf_t *buf, const sm_CreateTopicsRequestTopic_t *t)
{
    sm_msg_wr_str(buf, t->Name, 0);
    sm_wr_i32(buf, t->NumPartitions);
    sm_wr_i16(buf, t->ReplicationFactor);
    sm_msg_wr_count(buf, t->AssignmentsCnt, 0, 0);
    for (int32_t i = 0; i < t->AssignmentsCnt; i++) {
        const sm_CreateTopicsRequestAssignment_t *a = &t->Assignments[i];

        sm_wr_i32(buf, a->PartitionIndex);
        sm_msg_wr_i32s(buf, a->BrokerIds, a->BrokerIdsCnt, 0, 0);
    }
    sm_msg_wr_count(buf, t->ConfigsCnt, 0, 0);
    for (int32_t i = 0; i < t->ConfigsCnt; i++) {
        sm_msg_wr_str(buf, t->Configs[i].Name, 0);
        sm_wr_str(buf, t->Configs[i].Value, 0);
    }
}

void
sm_CreateTopicsRequest_write(sm_buf_t *buf, int16_t version,
                             const sm_CreateTopicsRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_CREATETOPICS_MAX_VERSION);
    sm_msg_wr_count(buf, req->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < req->TopicsCnt; i++)
        sm_ct_topic_write(buf, &req->Topics[i]);
    sm_wr_i32(buf, req->TimeoutMs);
    if (version >= 1)
        sm_wr_bool(buf, req->ValidateOnly);
}

/* ------------------------------------------------------------ response */

sm_err_t
sm_CreateTopicsResponse_read(sm_rd_t *rd, int16_t version,
                             sm_CreateTopicsResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_CREATETOPICS_MAX_VERSION))
        return rd->err;
    if (version >= 2)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    n = sm_msg_rd_count(rd, 0, SM_CT_RESULT_MIN, 0);
    resp->Topics = sm_msg_calloc(n, sizeof(*resp->Topics));
    resp->TopicsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_CreateTopicsResponseTopic_t *t = &resp->Topics[i];

        t->Name = sm_rd_str(rd, 0);
        t->ErrorCode = sm_rd_i16(rd);
        t->ErrorMessage = version >= 1 ? sm_rd_nstr(rd, 0) : SM_STR_NULL;
    }
    if (rd->err != SM_OK)
        sm_CreateTopicsResponse_free(resp);
    return rd->err;
}

void
sm_CreateTopicsResponse_free(sm_CreateTopicsResponse_t *resp)
{
    sm_free(resp->Topics);
    resp->Topics = NULL;
    resp->TopicsCnt = 0;
}

void
sm_CreateTopicsResponse_write(sm_buf_t *buf, int16_t version,
                              const sm_CreateTopicsResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_CREATETOPICS_MAX_VERSION);
    if (version >= 2)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    sm_msg_wr_count(buf, resp->TopicsCnt, 0, 0);
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        const sm_CreateTopicsResponseTopic_t *t = &resp->Topics[i];

        sm_msg_wr_str(buf, t->Name, 0);
        sm_wr_i16(buf, t->ErrorCode);
        if (version >= 1)
            sm_wr_str(buf, t->ErrorMessage, 0);
    }
}
