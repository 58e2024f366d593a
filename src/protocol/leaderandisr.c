/*
 * leaderandisr.c: LeaderAndIsr (key 4) v0-2 - request and response codecs
 * for both sides.  Layouts in leaderandisr.h, conventions in msg.h.
 *
 * The request's partition states are one flat array in C and grouped by
 * topic on the wire from v2 (leaderandisr.h, "FLAT PARTITION STATES").  The
 * v2 reader grows the flat array one topic at a time; every growth is by a
 * count sm_rd_array() bounded by the bytes left, so the total stays a small
 * multiple of the frame size.  PartitionStatesCnt always counts the
 * elements allocated so far, zeroed until read, which keeps _free() safe
 * on a partial parse (msg.h's invariant).
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/leaderandisr.h"

/* Minimum sizes: PartitionIndex ControllerEpoch Leader LeaderEpoch Isr
 * ZkVersion Replicas, plus TopicName (v0-1) and IsNew (v1+). */
#define SM_LAI_PS_MIN(v)   (4 * 4 + 4 + 4 + 4 + ((v) <= 1 ? 2 : 0) + \
                            ((v) >= 1 ? 1 : 0))
#define SM_LAI_TOPIC_MIN   (2 + 4)
#define SM_LAI_LEADER_MIN  (4 + 2 + 4)
#define SM_LAI_PERR_MIN    (2 + 4 + 2)

static void
sm_lai_ps_read(sm_rd_t *rd, int16_t v, sm_str_t topic,
               sm_LeaderAndIsrPartitionState_t *ps)
{
    ps->TopicName = v <= 1 ? sm_rd_str(rd, 0) : topic;
    ps->PartitionIndex = sm_rd_i32(rd);
    ps->ControllerEpoch = sm_rd_i32(rd);
    ps->Leader = sm_rd_i32(rd);
    ps->LeaderEpoch = sm_rd_i32(rd);
    ps->Isr = sm_msg_rd_i32s(rd, 0, 0, &ps->IsrCnt);
    ps->ZkVersion = sm_rd_i32(rd);
    ps->Replicas = sm_msg_rd_i32s(rd, 0, 0, &ps->ReplicasCnt);
    ps->IsNew = v >= 1 ? sm_rd_bool(rd) : 0;
}

/* Append n zeroed states to req's flat array; returns the first. */
static sm_LeaderAndIsrPartitionState_t *
sm_lai_grow(sm_LeaderAndIsrRequest_t *req, int32_t n)
{
    int32_t old = req->PartitionStatesCnt;

    req->PartitionStates = sm_realloc(req->PartitionStates,
                                      (size_t)(old + n) *
                                      sizeof(*req->PartitionStates));
    memset(req->PartitionStates + old, 0,
           (size_t)n * sizeof(*req->PartitionStates));
    req->PartitionStatesCnt = old + n;
    return req->PartitionStates + old;
}

static void
sm_lai_states_read(sm_rd_t *rd, int16_t v, sm_LeaderAndIsrRequest_t *req)
{
    int32_t nt, n;

    if (v <= 1) {
        n = sm_msg_rd_count(rd, 0, SM_LAI_PS_MIN(v), 0);
        req->PartitionStates = sm_msg_calloc(n, sizeof(*req->PartitionStates));
        req->PartitionStatesCnt = n;
        for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
            sm_lai_ps_read(rd, v, SM_STR_EMPTY, &req->PartitionStates[i]);
        return;
    }
    nt = sm_msg_rd_count(rd, 0, SM_LAI_TOPIC_MIN, 0);
    for (int32_t t = 0; t < nt && sm_rd_ok(rd); t++) {
        sm_str_t name = sm_rd_str(rd, 0);
        sm_LeaderAndIsrPartitionState_t *ps;

        n = sm_msg_rd_count(rd, 0, SM_LAI_PS_MIN(v), 0);
        if (n <= 0)
            continue;
        ps = sm_lai_grow(req, n);
        for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
            sm_lai_ps_read(rd, v, name, &ps[i]);
    }
}

sm_err_t
sm_LeaderAndIsrRequest_read(sm_rd_t *rd, int16_t version,
                            sm_LeaderAndIsrRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->BrokerEpoch = -1;
    if (!sm_msg_rd_version(rd, version, SM_LEADERANDISR_MAX_VERSION))
        return rd->err;
    req->ControllerId = sm_rd_i32(rd);
    req->ControllerEpoch = sm_rd_i32(rd);
    if (version >= 2)
        req->BrokerEpoch = sm_rd_i64(rd);
    sm_lai_states_read(rd, version, req);
    n = sm_msg_rd_count(rd, 0, SM_LAI_LEADER_MIN, 0);
    req->LiveLeaders = sm_msg_calloc(n, sizeof(*req->LiveLeaders));
    req->LiveLeadersCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        req->LiveLeaders[i].BrokerId = sm_rd_i32(rd);
        req->LiveLeaders[i].HostName = sm_rd_str(rd, 0);
        req->LiveLeaders[i].Port = sm_rd_i32(rd);
    }
    if (rd->err != SM_OK)
        sm_LeaderAndIsrRequest_free(req);
    return rd->err;
}

void
sm_LeaderAndIsrRequest_free(sm_LeaderAndIsrRequest_t *req)
{
    for (int32_t i = 0; i < req->PartitionStatesCnt; i++) {
        sm_free(req->PartitionStates[i].Isr);
        sm_free(req->PartitionStates[i].Replicas);
    }
    sm_free(req->PartitionStates);
    sm_free(req->LiveLeaders);
    req->PartitionStates = NULL;
    req->PartitionStatesCnt = 0;
    req->LiveLeaders = NULL;
    req->LiveLeadersCnt = 0;
}

static void
sm_lai_ps_write(sm_buf_t *buf, int16_t v,
                const sm_LeaderAndIsrPartitionState_t *ps)
{
    if (v <= 1)
        sm_msg_wr_str(buf, ps->TopicName, 0);
    sm_wr_i32(buf, ps->PartitionIndex);
    sm_wr_i32(buf, ps->ControllerEpoch);
    sm_wr_i32(buf, ps->Leader);
    sm_wr_i32(buf, ps->LeaderEpoch);
    sm_msg_wr_i32s(buf, ps->Isr, ps->IsrCnt, 0, 0);
    sm_wr_i32(buf, ps->ZkVersion);
    sm_msg_wr_i32s(buf, ps->Replicas, ps->ReplicasCnt, 0, 0);
    if (v >= 1)
        sm_wr_bool(buf, ps->IsNew);
}

/* Length of the run of states starting at i with the same TopicName. */
static int32_t
sm_lai_run(const sm_LeaderAndIsrRequest_t *req, int32_t i)
{
    int32_t j = i + 1;

    while (j < req->PartitionStatesCnt &&
           sm_str_eq(req->PartitionStates[j].TopicName,
                     req->PartitionStates[i].TopicName))
        j++;
    return j - i;
}

void
sm_LeaderAndIsrRequest_write(sm_buf_t *buf, int16_t version,
                             const sm_LeaderAndIsrRequest_t *req)
{
    int32_t ntopics = 0;

    sm_assert(version >= 0 && version <= SM_LEADERANDISR_MAX_VERSION);
    sm_wr_i32(buf, req->ControllerId);
    sm_wr_i32(buf, req->ControllerEpoch);
    if (version >= 2)
        sm_wr_i64(buf, req->BrokerEpoch);
    if (version <= 1) {
        sm_msg_wr_count(buf, req->PartitionStatesCnt, 0, 0);
        for (int32_t i = 0; i < req->PartitionStatesCnt; i++)
            sm_lai_ps_write(buf, version, &req->PartitionStates[i]);
    } else {
        for (int32_t i = 0; i < req->PartitionStatesCnt;
             i += sm_lai_run(req, i))
            ntopics++;
        sm_msg_wr_count(buf, ntopics, 0, 0);
        for (int32_t i = 0, r; i < req->PartitionStatesCnt; i += r) {
            r = sm_lai_run(req, i);
            sm_msg_wr_str(buf, req->PartitionStates[i].TopicName, 0);
            sm_msg_wr_count(buf, r, 0, 0);
            for (int32_t k = i; k < i + r; k++)
                sm_lai_ps_write(buf, version, &req->PartitionStates[k]);
        }
    }
    sm_msg_wr_count(buf, req->LiveLeadersCnt, 0, 0);
    for (int32_t i = 0; i < req->LiveLeadersCnt; i++) {
        sm_wr_i32(buf, req->LiveLeaders[i].BrokerId);
        sm_msg_wr_str(buf, req->LiveLeaders[i].HostName, 0);
        sm_wr_i32(buf, req->LiveLeaders[i].Port);
    }
}

sm_err_t
sm_LeaderAndIsrResponse_read(sm_rd_t *rd, int16_t version,
                             sm_LeaderAndIsrResponse_t *resp)
{
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_LEADERANDISR_MAX_VERSION))
        return rd->err;
    resp->ErrorCode = sm_rd_i16(rd);
    n = sm_msg_rd_count(rd, 0, SM_LAI_PERR_MIN, 0);
    resp->PartitionErrors = sm_msg_calloc(n, sizeof(*resp->PartitionErrors));
    resp->PartitionErrorsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        resp->PartitionErrors[i].TopicName = sm_rd_str(rd, 0);
        resp->PartitionErrors[i].PartitionIndex = sm_rd_i32(rd);
        resp->PartitionErrors[i].ErrorCode = sm_rd_i16(rd);
    }
    if (rd->err != SM_OK)
        sm_LeaderAndIsrResponse_free(resp);
    return rd->err;
}

void
sm_LeaderAndIsrResponse_free(sm_LeaderAndIsrResponse_t *resp)
{
    sm_free(resp->PartitionErrors);
    resp->PartitionErrors = NULL;
    resp->PartitionErrorsCnt = 0;
}

void
sm_LeaderAndIsrResponse_write(sm_buf_t *buf, int16_t version,
                              const sm_LeaderAndIsrResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_LEADERANDISR_MAX_VERSION);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_msg_wr_count(buf, resp->PartitionErrorsCnt, 0, 0);
    for (int32_t i = 0; i < resp->PartitionErrorsCnt; i++) {
        sm_msg_wr_str(buf, resp->PartitionErrors[i].TopicName, 0);
        sm_wr_i32(buf, resp->PartitionErrors[i].PartitionIndex);
        sm_wr_i16(buf, resp->PartitionErrors[i].ErrorCode);
    }
}
