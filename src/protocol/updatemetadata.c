/*
 * updatemetadata.c: UpdateMetadata (key 6) v0-5 - request and response
 * codecs for both sides.  Layouts in updatemetadata.h, conventions in
 * msg.h.
 *
 * v5's TopicStates are flattened on read exactly as LeaderAndIsr v2's
 * (leaderandisr.c): growth by bounded counts, PartitionStatesCnt always
 * covering what was allocated.
 */
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/updatemetadata.h"

/* PartitionIndex ControllerEpoch Leader LeaderEpoch Isr ZkVersion Replicas
 * + TopicName (v0-4) + OfflineReplicas (v4+). */
#define SM_UM_PS_MIN(v)   (4 * 4 + 4 + 4 + 4 + ((v) <= 4 ? 2 : 0) + \
                           ((v) >= 4 ? 4 : 0))
#define SM_UM_TOPIC_MIN   (2 + 4)
#define SM_UM_BROKER_MIN(v) (4 + ((v) == 0 ? 2 + 4 : 4) + ((v) >= 2 ? 2 : 0))
#define SM_UM_EP_MIN(v)   (4 + 2 + ((v) >= 3 ? 2 : 0) + 2)

static void
sm_um_ps_read(sm_rd_t *rd, int16_t v, sm_str_t topic,
              sm_UpdateMetadataPartitionState_t *ps)
{
    ps->TopicName = v <= 4 ? sm_rd_str(rd, 0) : topic;
    ps->PartitionIndex = sm_rd_i32(rd);
    ps->ControllerEpoch = sm_rd_i32(rd);
    ps->Leader = sm_rd_i32(rd);
    ps->LeaderEpoch = sm_rd_i32(rd);
    ps->Isr = sm_msg_rd_i32s(rd, 0, 0, &ps->IsrCnt);
    ps->ZkVersion = sm_rd_i32(rd);
    ps->Replicas = sm_msg_rd_i32s(rd, 0, 0, &ps->ReplicasCnt);
    if (v >= 4)
        ps->OfflineReplicas = sm_msg_rd_i32s(rd, 0, 0,
                                             &ps->OfflineReplicasCnt);
}

static void
sm_um_states_read(sm_rd_t *rd, int16_t v, sm_UpdateMetadataRequest_t *req)
{
    int32_t nt, n, old;

    if (v <= 4) {
        n = sm_msg_rd_count(rd, 0, SM_UM_PS_MIN(v), 0);
        req->PartitionStates = sm_msg_calloc(n, sizeof(*req->PartitionStates));
        req->PartitionStatesCnt = n;
        for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
            sm_um_ps_read(rd, v, SM_STR_EMPTY, &req->PartitionStates[i]);
        return;
    }
    nt = sm_msg_rd_count(rd, 0, SM_UM_TOPIC_MIN, 0);
    for (int32_t t = 0; t < nt && sm_rd_ok(rd); t++) {
        sm_str_t name = sm_rd_str(rd, 0);

        n = sm_msg_rd_count(rd, 0, SM_UM_PS_MIN(v), 0);
        if (n <= 0)
            continue;
        old = req->PartitionStatesCnt;
        req->PartitionStates = sm_realloc(req->PartitionStates,
                                          (size_t)(old + n) *
                                          sizeof(*req->PartitionStates));
        memset(req->PartitionStates + old, 0,
               (size_t)n * sizeof(*req->PartitionStates));
        req->PartitionStatesCnt = old + n;
        for (int32_t i = old; i < old + n && sm_rd_ok(rd); i++)
            sm_um_ps_read(rd, v, name, &req->PartitionStates[i]);
    }
}

static void
sm_um_broker_read(sm_rd_t *rd, int16_t v, sm_UpdateMetadataBroker_t *br)
{
    int32_t n;

    br->Id = sm_rd_i32(rd);
    br->Rack = SM_STR_NULL;
    if (v == 0) {
        br->V0Host = sm_rd_str(rd, 0);
        br->V0Port = sm_rd_i32(rd);
        return;
    }
    n = sm_msg_rd_count(rd, 0, SM_UM_EP_MIN(v), 0);
    br->Endpoints = sm_msg_calloc(n, sizeof(*br->Endpoints));
    br->EndpointsCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_UpdateMetadataEndpoint_t *ep = &br->Endpoints[i];

        ep->Port = sm_rd_i32(rd);
        ep->Host = sm_rd_str(rd, 0);
        ep->Listener = v >= 3 ? sm_rd_str(rd, 0) : SM_STR_EMPTY;
        ep->SecurityProtocol = sm_rd_i16(rd);
    }
    if (v >= 2)
        br->Rack = sm_rd_nstr(rd, 0);
}

sm_err_t
sm_UpdateMetadataRequest_read(sm_rd_t *rd, int16_t version,
                              sm_UpdateMetadataRequest_t *req)
{
    int32_t n;

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->BrokerEpoch = -1;
    if (!sm_msg_rd_version(rd, version, SM_UPDATEMETADATA_MAX_VERSION))
        return rd->err;
    req->ControllerId = sm_rd_i32(rd);
    req->ControllerEpoch = sm_rd_i32(rd);
    if (version >= 5)
        req->BrokerEpoch = sm_rd_i64(rd);
    sm_um_states_read(rd, version, req);
    n = sm_msg_rd_count(rd, 0, SM_UM_BROKER_MIN(version), 0);
    req->LiveBrokers = sm_msg_calloc(n, sizeof(*req->LiveBrokers));
    req->LiveBrokersCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++)
        sm_um_broker_read(rd, version, &req->LiveBrokers[i]);
    if (rd->err != SM_OK)
        sm_UpdateMetadataRequest_free(req);
    return rd->err;
}

void
sm_UpdateMetadataRequest_free(sm_UpdateMetadataRequest_t *req)
{
    for (int32_t i = 0; i < req->PartitionStatesCnt; i++) {
        sm_free(req->PartitionStates[i].Isr);
        sm_free(req->PartitionStates[i].Replicas);
        sm_free(req->PartitionStates[i].OfflineReplicas);
    }
    for (int32_t i = 0; i < req->LiveBrokersCnt; i++)
        sm_free(req->LiveBrokers[i].Endpoints);
    sm_free(req->PartitionStates);
    sm_free(req->LiveBrokers);
    req->PartitionStates = NULL;
    req->PartitionStatesCnt = 0;
    req->LiveBrokers = NULL;
    req->LiveBrokersCnt = 0;
}

static void
sm_um_ps_write(sm_buf_t *buf, int16_t v,
               const sm_UpdateMetadataPartitionState_t *ps)
{
    if (v <= 4)
        sm_msg_wr_str(buf, ps->TopicName, 0);
    sm_wr_i32(buf, ps->PartitionIndex);
    sm_wr_i32(buf, ps->ControllerEpoch);
    sm_wr_i32(buf, ps->Leader);
    sm_wr_i32(buf, ps->LeaderEpoch);
    sm_msg_wr_i32s(buf, ps->Isr, ps->IsrCnt, 0, 0);
    sm_wr_i32(buf, ps->ZkVersion);
    sm_msg_wr_i32s(buf, ps->Replicas, ps->ReplicasCnt, 0, 0);
    if (v >= 4)
        sm_msg_wr_i32s(buf, ps->OfflineReplicas, ps->OfflineReplicasCnt, 0,
                       0);
}

static int32_t
sm_um_run(const sm_UpdateMetadataRequest_t *req, int32_t i)
{
    int32_t j = i + 1;

    while (j < req->PartitionStatesCnt &&
           sm_str_eq(req->PartitionStates[j].TopicName,
                     req->PartitionStates[i].TopicName))
        j++;
    return j - i;
}

static void
sm_um_states_write(sm_buf_t *buf, int16_t v,
                   const sm_UpdateMetadataRequest_t *req)
{
    int32_t ntopics = 0;

    if (v <= 4) {
        sm_msg_wr_count(buf, req->PartitionStatesCnt, 0, 0);
        for (int32_t i = 0; i < req->PartitionStatesCnt; i++)
            sm_um_ps_write(buf, v, &req->PartitionStates[i]);
        return;
    }
    for (int32_t i = 0; i < req->PartitionStatesCnt; i += sm_um_run(req, i))
        ntopics++;
    sm_msg_wr_count(buf, ntopics, 0, 0);
    for (int32_t i = 0, r; i < req->PartitionStatesCnt; i += r) {
        r = sm_um_run(req, i);
        sm_msg_wr_str(buf, req->PartitionStates[i].TopicName, 0);
        sm_msg_wr_count(buf, r, 0, 0);
        for (int32_t k = i; k < i + r; k++)
            sm_um_ps_write(buf, v, &req->PartitionStates[k]);
    }
}

static void
sm_um_broker_write(sm_buf_t *buf, int16_t v,
                   const sm_UpdateMetadataBroker_t *br)
{
    sm_wr_i32(buf, br->Id);
    if (v == 0) {
        sm_msg_wr_str(buf, br->V0Host, 0);
        sm_wr_i32(buf, br->V0Port);
        return;
    }
    sm_msg_wr_count(buf, br->EndpointsCnt, 0, 0);
    for (int32_t i = 0; i < br->EndpointsCnt; i++) {
        const sm_UpdateMetadataEndpoint_t *ep = &br->Endpoints[i];

        sm_wr_i32(buf, ep->Port);
        sm_msg_wr_str(buf, ep->Host, 0);
        if (v >= 3)
            sm_msg_wr_str(buf, ep->Listener, 0);
        sm_wr_i16(buf, ep->SecurityProtocol);
    }
    if (v >= 2)
        sm_wr_str(buf, br->Rack, 0);
}

void
sm_UpdateMetadataRequest_write(sm_buf_t *buf, int16_t version,
                               const sm_UpdateMetadataRequest_t *req)
{
    sm_assert(version >= 0 && version <= SM_UPDATEMETADATA_MAX_VERSION);
    sm_wr_i32(buf, req->ControllerId);
    sm_wr_i32(buf, req->ControllerEpoch);
    if (version >= 5)
        sm_wr_i64(buf, req->BrokerEpoch);
    sm_um_states_write(buf, version, req);
    sm_msg_wr_count(buf, req->LiveBrokersCnt, 0, 0);
    for (int32_t i = 0; i < req->LiveBrokersCnt; i++)
        sm_um_broker_write(buf, version, &req->LiveBrokers[i]);
}

sm_err_t
sm_UpdateMetadataResponse_read(sm_rd_t *rd, int16_t version,
                               sm_UpdateMetadataResponse_t *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    if (!sm_msg_rd_version(rd, version, SM_UPDATEMETADATA_MAX_VERSION))
        return rd->err;
    resp->ErrorCode = sm_rd_i16(rd);
    return rd->err;
}

void
sm_UpdateMetadataResponse_free(sm_UpdateMetadataResponse_t *resp)
{
    (void)resp;                           /* owns no arrays */
}

void
sm_UpdateMetadataResponse_write(sm_buf_t *buf, int16_t version,
                                const sm_UpdateMetadataResponse_t *resp)
{
    sm_assert(version >= 0 && version <= SM_UPDATEMETADATA_MAX_VERSION);
    sm_wr_i16(buf, resp->ErrorCode);
}
