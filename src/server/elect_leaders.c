/*
 * elect_leaders.c: the ElectLeaders handler (ApiKey 43, v0-1) - Kafka's
 * KafkaApis.handleElectReplicaLeader and ReplicaManager.electLeaders.
 *
 * Only the active controller elects; any other broker answers
 * NOT_CONTROLLER for every partition (top-level ErrorCode NONE, as Kafka's
 * controller does when it is not active), and clients retry at the
 * controller they find in Metadata.  On the controller the list goes to
 * the controller thread (sm_controller_elect_leaders; the comment of
 * controller/elect_leaders.c says when it answers) and this handler's
 * callback writes the response from there.
 *
 * A null TopicPartitions means every partition this broker's metadata
 * cache knows; the answer then leaves out the partitions that needed no
 * election (ELECTION_NOT_NEEDED), as Kafka's does.  Results are grouped by
 * topic in the order topics first appear.  v0 (ElectPreferredLeaders) is a
 * PREFERRED election; an ElectionType other than 0 and 1 fails every
 * partition with INVALID_REQUEST.
 *
 * Threads: an I/O handler thread parses and hands over; the callback runs
 * on the controller thread and sends (sm_reqctx_send may be called from any
 * thread).  Memory: the list is copied (topic names as C strings) before
 * the request frame goes; the callback's results are borrowed.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller.h"
#include "protocol/electleaders.h"
#include "server/broker.h"

typedef struct sm_el_req {
    sm_reqctx_t *ctx;
    int all;                            /* TopicPartitions was null */
} sm_el_req_t;

/* Index of topic in resp's results, appending it if new. */
static sm_ElectLeadersResult_t *
sm_el_topic(sm_ElectLeadersResponse_t *resp, const char *topic)
{
    sm_ElectLeadersResult_t *r;

    for (int32_t i = 0; i < resp->ReplicaElectionResultsCnt; i++)
        if (sm_str_eq(resp->ReplicaElectionResults[i].Topic,
                      sm_str_cstr(topic)))
            return &resp->ReplicaElectionResults[i];
    r = &resp->ReplicaElectionResults[resp->ReplicaElectionResultsCnt++];
    r->Topic = sm_str_cstr(topic);
    return r;
}

/* Write and send the answer: res borrowed, n entries. */
static void
sm_el_answer(void *arg, const sm_controller_election_t *res, int n)
{
    sm_el_req_t *er = arg;
    sm_ElectLeadersResponse_t resp;
    int kept = 0;

    memset(&resp, 0, sizeof(resp));
    resp.ReplicaElectionResults = sm_calloc(
        (size_t)n + 1, sizeof(*resp.ReplicaElectionResults));
    for (int i = 0; i < n; i++) {
        sm_ElectLeadersResult_t *r;
        sm_ElectLeadersPartitionResult_t *pr;

        if (er->all && res[i].err == SM_ERR_ELECTION_NOT_NEEDED)
            continue;
        r = sm_el_topic(&resp, res[i].topic);
        r->PartitionResult = sm_realloc(
            r->PartitionResult,
            sizeof(*r->PartitionResult) * (size_t)(r->PartitionResultCnt + 1));
        pr = &r->PartitionResult[r->PartitionResultCnt++];
        pr->PartitionId = res[i].partition;
        pr->ErrorCode = (int16_t)res[i].err;
        pr->ErrorMessage = res[i].msg != NULL ? sm_str_cstr(res[i].msg)
                                              : (sm_str_t){ NULL, -1 };
        kept++;
    }
    sm_info("broker", "ElectLeaders answered: %d of %d partition(s) "
            "reported", kept, n);
    sm_ElectLeadersResponse_write(sm_reqctx_begin(er->ctx),
                                  er->ctx->hdr.ApiVersion, &resp);
    sm_reqctx_send(er->ctx);
    sm_ElectLeadersResponse_free(&resp);   /* strings borrowed from res */
    sm_free(er);
}

/* Every partition of the metadata cache, sorted as the cache walks. */
static void
sm_el_all(sm_broker_t *b, sm_zk_tps_t *tps)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    size_t it = 0;
    void *v;

    while (sm_map_next(&snap->topics, &it, NULL, &v)) {
        const sm_md_topic_t *t = v;
        for (int32_t p = 0; p < t->npartitions; p++)
            if (t->parts[p].topic != NULL)
                sm_zk_tps_add(tps, t->name, p);
    }
    sm_mdsnap_release(b->mdcache, snap);
}

static void
sm_el_list(const sm_ElectLeadersRequest_t *req, sm_zk_tps_t *tps)
{
    for (int32_t i = 0; i < req->TopicPartitionsCnt; i++) {
        const sm_ElectLeadersTopic_t *t = &req->TopicPartitions[i];
        char *topic = sm_str_dup(t->Topic);
        for (int32_t j = 0; j < t->PartitionsCnt; j++)
            sm_zk_tps_add(tps, topic, t->Partitions[j]);
        sm_free(topic);
    }
}

/* Answer err for every partition without asking the controller. */
static void
sm_el_refuse(sm_el_req_t *er, const sm_zk_tps_t *tps, sm_err_t err)
{
    sm_controller_election_t *res = sm_calloc((size_t)tps->cnt + 1,
                                              sizeof(*res));

    for (int i = 0; i < tps->cnt; i++)
        res[i] = (sm_controller_election_t){ tps->v[i].topic,
                                             tps->v[i].partition, err,
                                             NULL, -1 };
    sm_el_answer(er, res, tps->cnt);
    sm_free(res);
}

void
sm_handle_ElectLeaders(sm_reqctx_t *ctx)
{
    sm_ElectLeadersRequest_t req;
    sm_el_req_t *er;
    sm_zk_tps_t tps = { 0 };
    sm_controller_t *ctl = ctx->b->ctrl;
    int type;

    if (sm_ElectLeadersRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req)
        != SM_OK) {
        sm_reqctx_close(ctx, "malformed ElectLeaders request");
        return;
    }
    er = sm_calloc(1, sizeof(*er));
    er->ctx = ctx;
    er->all = req.TopicPartitionsCnt < 0;
    if (er->all)
        sm_el_all(ctx->b, &tps);
    else
        sm_el_list(&req, &tps);
    type = req.ElectionType;
    sm_ElectLeadersRequest_free(&req);
    sm_info("broker", "ElectLeaders (%s) for %d partition(s)%s",
            type == SM_ELECTION_PREFERRED ? "PREFERRED"
            : type == SM_ELECTION_UNCLEAN ? "UNCLEAN" : "?", tps.cnt,
            er->all ? " (all)" : "");
    if (type != SM_ELECTION_PREFERRED && type != SM_ELECTION_UNCLEAN)
        sm_el_refuse(er, &tps, SM_ERR_INVALID_REQUEST);
    else if (ctl == NULL || !sm_controller_is_active(ctl) ||
             sm_controller_elect_leaders(ctl, type, &tps, sm_el_answer, er)
             != SM_OK)
        sm_el_refuse(er, &tps, SM_ERR_NOT_CONTROLLER);
    sm_zk_tps_fini(&tps);
}
