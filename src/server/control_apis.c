/*
 * control_apis.c: the inter-broker control request handlers - LeaderAndIsr
 * (4), StopReplica (5), UpdateMetadata (6) and ControlledShutdown (7) -
 * Kafka 2.3's KafkaApis.handleLeaderAndIsrRequest & co.
 *
 * A remote controller's requests end in the same calls the local channel
 * makes (broker.c: sm_broker_leader_and_isr, sm_broker_update_metadata,
 * sm_broker_stop_replica), so a partition behaves the same whether its
 * controller runs in this process or another.
 *
 * FENCING, in Kafka's order:
 *   1. BrokerEpoch (LeaderAndIsr v2+, StopReplica v1+, UpdateMetadata v5+):
 *      a request addressed to an older registration of this broker (epoch
 *      below the czxid of our /brokers/ids/<id>) is refused with
 *      STALE_BROKER_EPOCH, everything else untouched.  -1 (older versions)
 *      is never stale.
 *   2. ControllerEpoch: older than the newest seen -> STALE_CONTROLLER_EPOCH
 *      (sm_rm_fence_controller; a controller that lost its election can no
 *      longer change leaders or the metadata cache).
 * Per-partition errors repeat the top-level error when the request was
 * refused as a whole (Kafka's getErrorResponse).
 *
 * ControlledShutdown is answered by the controller broker only
 * (NOT_CONTROLLER elsewhere), from the controller thread once it moved the
 * leadership away (controller/controlled_shutdown.c); the answer lists the
 * partitions nobody else could take over (Kafka's "remaining
 * partitions").
 *
 * Threads: I/O handler threads; the calls below take their own locks.
 * Topic names are copied into NUL-terminated strings for the partition
 * layer; everything else borrows from the request frame for the duration
 * of the handler.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller.h"
#include "protocol/controlledshutdown.h"
#include "protocol/leaderandisr.h"
#include "protocol/stopreplica.h"
#include "protocol/updatemetadata.h"
#include "server/broker.h"

static int
sm_ctlapi_broker_epoch_stale(sm_reqctx_t *ctx, int64_t epoch)
{
    if (epoch < 0 || epoch >= ctx->b->broker_epoch)
        return 0;
    sm_warn("broker", "refusing %s from a controller: broker epoch %lld is "
            "older than ours (%lld)", sm_api_name(ctx->hdr.ApiKey),
            (long long)epoch, (long long)ctx->b->broker_epoch);
    return 1;
}

/* A topic name the partition layer can hold, or NULL (empty or NUL). */
static char *
sm_ctlapi_topic(sm_str_t s)
{
    if (s.len <= 0 || memchr(s.ptr, '\0', (size_t)s.len) != NULL)
        return NULL;
    return sm_str_dup(s);
}

static void
sm_ctlapi_pstates_free(sm_pstate_t *ps, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        sm_free(ps[i].topic);
    sm_free(ps);
}

/* ------------------------------------------------------- LeaderAndIsr */

/* States borrowing Isr/Replicas from req; topics copied. */
static sm_pstate_t *
sm_ctlapi_lai_states(const sm_LeaderAndIsrRequest_t *req, sm_err_t *errs)
{
    sm_pstate_t *ps = sm_calloc((size_t)req->PartitionStatesCnt + 1,
                                sizeof(*ps));

    for (int32_t i = 0; i < req->PartitionStatesCnt; i++) {
        const sm_LeaderAndIsrPartitionState_t *s = &req->PartitionStates[i];

        ps[i].topic = sm_ctlapi_topic(s->TopicName);
        errs[i] = ps[i].topic ? SM_OK : SM_ERR_INVALID_TOPIC_EXCEPTION;
        ps[i].partition = s->PartitionIndex;
        ps[i].controller_epoch = s->ControllerEpoch;
        ps[i].leader = s->Leader;
        ps[i].leader_epoch = s->LeaderEpoch;
        ps[i].isr = s->Isr;
        ps[i].nisr = s->IsrCnt;
        ps[i].zk_version = s->ZkVersion;
        ps[i].replicas = s->Replicas;
        ps[i].nreplicas = s->ReplicasCnt;
        ps[i].is_new = s->IsNew;
    }
    return ps;
}

/* Apply the states with a valid topic; errs[] keeps the others' error. */
static sm_err_t
sm_ctlapi_lai_apply(sm_broker_t *b, const sm_LeaderAndIsrRequest_t *req,
                    sm_pstate_t *ps, sm_err_t *errs)
{
    int32_t n = req->PartitionStatesCnt, k = 0;
    sm_pstate_t *ok = sm_calloc((size_t)n + 1, sizeof(*ok));
    sm_err_t *okerrs = sm_calloc((size_t)n + 1, sizeof(*okerrs));
    sm_err_t err;

    for (int32_t i = 0; i < n; i++)
        if (errs[i] == SM_OK)
            ok[k++] = ps[i];
    err = sm_broker_leader_and_isr(b, req->ControllerId,
                                   req->ControllerEpoch, ok, k, okerrs);
    for (int32_t i = 0, j = 0; i < n; i++) {
        if (errs[i] == SM_OK)
            errs[i] = okerrs[j++];
        else if (err != SM_OK)
            errs[i] = err;
    }
    free(ok);
    free(okerrs);
    return err;
}

void
sm_handle_LeaderAndIsr(sm_reqctx_t *ctx)
{
    sm_LeaderAndIsrRequest_t req;
    sm_LeaderAndIsrResponse_t resp;
    sm_pstate_t *ps = NULL;
    sm_err_t *errs = NULL;
    sm_err_t err = SM_OK;
    int32_t n;

    if (sm_LeaderAndIsrRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req)
        != SM_OK) {
        sm_reqctx_close(ctx, "malformed LeaderAndIsr request");
        return;
    }
    n = req.PartitionStatesCnt;
    errs = sm_calloc((size_t)n + 1, sizeof(*errs));
    if (sm_ctlapi_broker_epoch_stale(ctx, req.BrokerEpoch)) {
        err = SM_ERR_STALE_BROKER_EPOCH;
        for (int32_t i = 0; i < n; i++)
            errs[i] = err;
    } else {
        ps = sm_ctlapi_lai_states(&req, errs);
        err = sm_ctlapi_lai_apply(ctx->b, &req, ps, errs);
    }
    memset(&resp, 0, sizeof(resp));
    resp.ErrorCode = (int16_t)err;
    resp.PartitionErrorsCnt = n;
    resp.PartitionErrors = sm_calloc((size_t)n + 1,
                                     sizeof(*resp.PartitionErrors));
    for (int32_t i = 0; i < n; i++) {
        resp.PartitionErrors[i].TopicName = req.PartitionStates[i].TopicName;
        resp.PartitionErrors[i].PartitionIndex =
            req.PartitionStates[i].PartitionIndex;
        resp.PartitionErrors[i].ErrorCode = (int16_t)errs[i];
    }
    sm_LeaderAndIsrResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                  &resp);
    sm_reqctx_send(ctx);
    sm_LeaderAndIsrResponse_free(&resp);
    if (ps)
        sm_ctlapi_pstates_free(ps, n);
    free(errs);
    sm_LeaderAndIsrRequest_free(&req);
}

/* -------------------------------------------------------- StopReplica */

void
sm_handle_StopReplica(sm_reqctx_t *ctx)
{
    sm_StopReplicaRequest_t req;
    sm_StopReplicaResponse_t resp;
    sm_err_t err = SM_OK;
    int32_t n;

    if (sm_StopReplicaRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req)
        != SM_OK) {
        sm_reqctx_close(ctx, "malformed StopReplica request");
        return;
    }
    n = req.PartitionsCnt;
    memset(&resp, 0, sizeof(resp));
    resp.PartitionErrorsCnt = n;
    resp.PartitionErrors = sm_calloc((size_t)n + 1,
                                     sizeof(*resp.PartitionErrors));
    if (sm_ctlapi_broker_epoch_stale(ctx, req.BrokerEpoch))
        err = SM_ERR_STALE_BROKER_EPOCH;
    else if (sm_rm_fence_controller(ctx->b->rm, req.ControllerEpoch)
             != SM_OK)
        err = SM_ERR_STALE_CONTROLLER_EPOCH;
    for (int32_t i = 0; i < n; i++) {
        sm_StopReplicaPartitionError_t *pe = &resp.PartitionErrors[i];
        char *topic = NULL;

        pe->TopicName = req.Partitions[i].TopicName;
        pe->PartitionIndex = req.Partitions[i].PartitionIndex;
        pe->ErrorCode = (int16_t)err;
        if (err != SM_OK)
            continue;
        topic = sm_ctlapi_topic(pe->TopicName);
        pe->ErrorCode = topic == NULL
            ? SM_ERR_INVALID_TOPIC_EXCEPTION
            : (int16_t)sm_broker_stop_replica(ctx->b, req.ControllerEpoch,
                                              topic, pe->PartitionIndex,
                                              req.DeletePartitions);
        sm_free(topic);
    }
    resp.ErrorCode = (int16_t)err;
    sm_StopReplicaResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                 &resp);
    sm_reqctx_send(ctx);
    sm_StopReplicaResponse_free(&resp);
    sm_StopReplicaRequest_free(&req);
}

/* ----------------------------------------------------- UpdateMetadata */

static const char *const sm_ctlapi_protocols[] = {
    "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL",
};

/* Brokers borrowing nothing: every string copied (sm_md_broker_fini). */
static sm_md_broker_t *
sm_ctlapi_um_brokers(const sm_UpdateMetadataRequest_t *req)
{
    sm_md_broker_t *mb = sm_calloc((size_t)req->LiveBrokersCnt + 1,
                                   sizeof(*mb));

    for (int32_t i = 0; i < req->LiveBrokersCnt; i++) {
        const sm_UpdateMetadataBroker_t *br = &req->LiveBrokers[i];
        int32_t n = req->ApiVersion == 0 ? 1 : br->EndpointsCnt;

        mb[i].id = br->Id;
        mb[i].rack = br->Rack.len >= 0 ? sm_str_dup(br->Rack) : NULL;
        mb[i].eps = sm_calloc((size_t)n + 1, sizeof(*mb[i].eps));
        mb[i].neps = n;
        if (req->ApiVersion == 0) {
            mb[i].eps[0].listener = sm_strdup("PLAINTEXT");
            mb[i].eps[0].host = sm_str_dup(br->V0Host);
            mb[i].eps[0].port = br->V0Port;
            continue;
        }
        for (int32_t e = 0; e < n; e++) {
            const sm_UpdateMetadataEndpoint_t *ep = &br->Endpoints[e];
            int16_t sp = ep->SecurityProtocol;

            /* before v3 the listener is named after its protocol */
            mb[i].eps[e].listener =
                ep->Listener.len > 0 ? sm_str_dup(ep->Listener)
                : sm_strdup(sp >= 0 && sp < 4 ? sm_ctlapi_protocols[sp]
                                              : "PLAINTEXT");
            mb[i].eps[e].host = sm_str_dup(ep->Host);
            mb[i].eps[e].port = ep->Port;
            mb[i].eps[e].security_protocol = sp;
        }
    }
    return mb;
}

static sm_pstate_t *
sm_ctlapi_um_states(const sm_UpdateMetadataRequest_t *req, int32_t *np)
{
    sm_pstate_t *ps = sm_calloc((size_t)req->PartitionStatesCnt + 1,
                                sizeof(*ps));
    int32_t k = 0;

    for (int32_t i = 0; i < req->PartitionStatesCnt; i++) {
        const sm_UpdateMetadataPartitionState_t *s = &req->PartitionStates[i];
        char *topic = sm_ctlapi_topic(s->TopicName);

        if (topic == NULL)
            continue;                    /* no such topic can exist */
        ps[k].topic = topic;
        ps[k].partition = s->PartitionIndex;
        ps[k].controller_epoch = s->ControllerEpoch;
        ps[k].leader = s->Leader;
        ps[k].leader_epoch = s->LeaderEpoch;
        ps[k].isr = s->Isr;
        ps[k].nisr = s->IsrCnt;
        ps[k].zk_version = s->ZkVersion;
        ps[k].replicas = s->Replicas;
        ps[k].nreplicas = s->ReplicasCnt;
        ps[k].offline = s->OfflineReplicas;
        ps[k].noffline = s->OfflineReplicasCnt;
        k++;
    }
    *np = k;
    return ps;
}

void
sm_handle_UpdateMetadata(sm_reqctx_t *ctx)
{
    sm_UpdateMetadataRequest_t req;
    sm_UpdateMetadataResponse_t resp;
    sm_md_broker_t *mb;
    sm_pstate_t *ps;
    int32_t nps = 0;

    if (sm_UpdateMetadataRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req)
        != SM_OK) {
        sm_reqctx_close(ctx, "malformed UpdateMetadata request");
        return;
    }
    memset(&resp, 0, sizeof(resp));
    if (sm_ctlapi_broker_epoch_stale(ctx, req.BrokerEpoch)) {
        resp.ErrorCode = SM_ERR_STALE_BROKER_EPOCH;
    } else {
        mb = sm_ctlapi_um_brokers(&req);
        ps = sm_ctlapi_um_states(&req, &nps);
        resp.ErrorCode = (int16_t)sm_broker_update_metadata(
            ctx->b, req.ControllerId, req.ControllerEpoch, ps, nps, mb,
            req.LiveBrokersCnt);
        for (int32_t i = 0; i < req.LiveBrokersCnt; i++)
            sm_md_broker_fini(&mb[i]);
        sm_free(mb);
        sm_ctlapi_pstates_free(ps, nps);
    }
    sm_UpdateMetadataResponse_write(sm_reqctx_begin(ctx),
                                    ctx->hdr.ApiVersion, &resp);
    sm_reqctx_send(ctx);
    sm_UpdateMetadataRequest_free(&req);
}

/* ------------------------------------------------- ControlledShutdown */

/* The controller's answer (controller thread): write and send it. */
static void
sm_ctlapi_cs_done(void *arg, sm_err_t err, const sm_zk_tps_t *remaining)
{
    sm_reqctx_t *ctx = arg;
    sm_ControlledShutdownResponse_t resp;

    memset(&resp, 0, sizeof(resp));
    resp.ErrorCode = err;
    if (err == SM_OK && remaining->cnt > 0) {
        resp.RemainingPartitions = sm_calloc((size_t)remaining->cnt,
                                             sizeof(*resp.RemainingPartitions));
        for (int i = 0; i < remaining->cnt; i++)
            resp.RemainingPartitions[i] = (sm_RemainingPartition_t){
                sm_str_cstr(remaining->v[i].topic),
                remaining->v[i].partition };
        resp.RemainingPartitionsCnt = remaining->cnt;
    }
    sm_info("broker", "controlled shutdown request answered: %s, %d "
            "partition(s) still led", sm_err_name(resp.ErrorCode),
            (int)resp.RemainingPartitionsCnt);
    sm_ControlledShutdownResponse_write(sm_reqctx_begin(ctx),
                                        ctx->hdr.ApiVersion, &resp);
    sm_reqctx_send(ctx);
    sm_free(resp.RemainingPartitions);  /* names borrowed from remaining */
}

/* Answered by the controller thread (sm_controller_controlled_shutdown):
 * leadership moves away, the partitions it could not move are listed. */
void
sm_handle_ControlledShutdown(sm_reqctx_t *ctx)
{
    sm_ControlledShutdownRequest_t req;
    sm_zk_tps_t none = { 0 };

    if (sm_ControlledShutdownRequest_read(&ctx->rd, ctx->hdr.ApiVersion,
                                          &req) != SM_OK) {
        sm_reqctx_close(ctx, "malformed ControlledShutdown request");
        return;
    }
    sm_info("broker", "controlled shutdown of broker %d (epoch %lld) "
            "requested", (int)req.BrokerId, (long long)req.BrokerEpoch);
    if (ctx->b->ctrl == NULL || !sm_controller_is_active(ctx->b->ctrl) ||
        sm_controller_controlled_shutdown(ctx->b->ctrl, req.BrokerId,
                                          req.BrokerEpoch, sm_ctlapi_cs_done,
                                          ctx) != SM_OK)
        sm_ctlapi_cs_done(ctx, SM_ERR_NOT_CONTROLLER, &none);
}
