/*
 * client_elect.c: samsa_elect_leaders (samsa.h) - Kafka's
 * AdminClient.electLeaders over the blocking client core (client.h).
 *
 * ROUNDS.  The request goes to the controller (sm_client_send_controller
 * finds it in Metadata).  Partitions answered NOT_CONTROLLER - the broker
 * asked was not, or no longer, the controller - are asked again after a
 * metadata refresh and retry.backoff.ms, until default.api.timeout.ms; a
 * top-level NOT_CONTROLLER (v1) retries them all.  For "every partition"
 * (a null list) a round with any NOT_CONTROLLER is discarded and the
 * whole request repeated.  Other answers are final.  Requested partitions
 * the response does not mention fail with UNKNOWN_SERVER_ERROR, as the
 * other batched calls do.
 *
 * VERSIONS.  v1 carries the ElectionType; v0 (Kafka 2.2's
 * ElectPreferredLeaders) is always PREFERRED.  The version is picked when
 * the request is written, so an UNCLEAN request meeting a v0-only broker
 * goes out with an empty (non-null) list, which elects nothing, and the
 * call fails with UNSUPPORTED_VERSION.
 *
 * Threads: the client's owner.  Memory: results and their strings are
 * heap, freed by samsa_election_results_free(); the request borrows the
 * caller's topic names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "common/sm_mem.h"
#include "protocol/electleaders.h"

#define SM_CE_ERRSTR 512

typedef struct sm_ce {
    int type;
    int all;                            /* null list: every partition */
    samsa_topic_partition_t *pend;      /* partitions still to ask */
    int npend;
    sm_ElectLeadersRequest_t req;       /* this round's request */
    int v0_unclean;                     /* set by the body writer */
    samsa_election_result_t *res;
    int nres;
} sm_ce_t;

void
samsa_election_results_free(samsa_election_result_t *v, int cnt)
{
    if (v == NULL)
        return;
    for (int i = 0; i < cnt; i++) {
        sm_free(v[i].topic);
        sm_free(v[i].errmsg);
    }
    sm_free(v);
}

static void
sm_ce_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_ce_t *ce = (sm_ce_t *)arg;       /* the flag is ours to set */
    sm_ElectLeadersRequest_t req = ce->req;

    if (version == 0 && ce->type != SM_ELECTION_PREFERRED) {
        ce->v0_unclean = 1;
        req.TopicPartitionsCnt = 0;
    }
    sm_ElectLeadersRequest_write(buf, version, &req);
}

/* The request for the pending partitions, grouped by topic, duplicates
 * dropped; or a null list. */
static void
sm_ce_build(sm_ce_t *ce, int32_t timeout_ms)
{
    sm_ElectLeadersRequest_t *req = &ce->req;

    memset(req, 0, sizeof(*req));
    req->ElectionType = (int8_t)ce->type;
    req->TimeoutMs = timeout_ms;
    if (ce->all) {
        req->TopicPartitionsCnt = -1;
        return;
    }
    req->TopicPartitions = sm_calloc((size_t)ce->npend + 1,
                                     sizeof(*req->TopicPartitions));
    for (int i = 0; i < ce->npend; i++) {
        sm_str_t name = sm_str_cstr(ce->pend[i].topic);
        sm_ElectLeadersTopic_t *t = NULL;
        int dup = 0;

        for (int32_t k = 0; k < req->TopicPartitionsCnt && t == NULL; k++)
            if (sm_str_eq(req->TopicPartitions[k].Topic, name))
                t = &req->TopicPartitions[k];
        if (t == NULL) {
            t = &req->TopicPartitions[req->TopicPartitionsCnt++];
            t->Topic = name;
            t->Partitions = sm_calloc((size_t)ce->npend + 1, sizeof(int32_t));
        }
        for (int32_t k = 0; k < t->PartitionsCnt && !dup; k++)
            dup = t->Partitions[k] == ce->pend[i].partition;
        if (!dup)
            t->Partitions[t->PartitionsCnt++] = ce->pend[i].partition;
    }
}

static void
sm_ce_add(sm_ce_t *ce, sm_str_t topic, int32_t p, sm_err_t err,
          sm_str_t msg)
{
    samsa_election_result_t *r;

    ce->res = sm_realloc(ce->res, sizeof(*ce->res) * (size_t)(ce->nres + 1));
    r = &ce->res[ce->nres++];
    r->topic = sm_str_dup(topic);
    r->partition = p;
    r->err = err;
    r->errmsg = err == SM_OK ? NULL
              : !sm_str_is_null(msg) ? sm_str_dup(msg)
              : sm_strdup(samsa_err_message(err));
}

/* Pending partitions the response did not mention: UNKNOWN_SERVER_ERROR. */
static void
sm_ce_unanswered(sm_ce_t *ce, const sm_ElectLeadersResponse_t *resp)
{
    for (int i = 0; i < ce->npend; i++) {
        sm_str_t name = sm_str_cstr(ce->pend[i].topic);
        int found = 0;
        for (int32_t k = 0; k < resp->ReplicaElectionResultsCnt; k++) {
            const sm_ElectLeadersResult_t *r =
                &resp->ReplicaElectionResults[k];
            for (int32_t j = 0; sm_str_eq(r->Topic, name) &&
                 j < r->PartitionResultCnt && !found; j++)
                found = r->PartitionResult[j].PartitionId ==
                        ce->pend[i].partition;
        }
        for (int k = 0; k < ce->nres && !found; k++)
            found = strcmp(ce->res[k].topic, ce->pend[i].topic) == 0 &&
                    ce->res[k].partition == ce->pend[i].partition;
        if (!found)
            sm_ce_add(ce, name, ce->pend[i].partition,
                      SM_ERR_UNKNOWN_SERVER_ERROR,
                      sm_str_cstr("The broker did not answer this "
                                  "partition"));
    }
}

/* Take the answers of one round; NOT_CONTROLLER ones become the next
 * round's pending list (whose names borrow from the previous one or the
 * caller: pend is rebuilt from entries of itself). */
static void
sm_ce_take(sm_ce_t *ce, const sm_ElectLeadersResponse_t *resp, int *retry)
{
    int n = 0;

    *retry = 0;
    for (int32_t k = 0; k < resp->ReplicaElectionResultsCnt; k++) {
        const sm_ElectLeadersResult_t *r = &resp->ReplicaElectionResults[k];
        for (int32_t j = 0; j < r->PartitionResultCnt; j++) {
            const sm_ElectLeadersPartitionResult_t *pr = &r->PartitionResult[j];
            if (pr->ErrorCode == SM_ERR_NOT_CONTROLLER) {
                (*retry)++;
                continue;
            }
            sm_ce_add(ce, r->Topic, pr->PartitionId, pr->ErrorCode,
                      pr->ErrorMessage);
        }
    }
    if (!ce->all)
        sm_ce_unanswered(ce, resp);
    if (ce->all && *retry > 0) {        /* start over */
        samsa_election_results_free(ce->res, ce->nres);
        ce->res = NULL;
        ce->nres = 0;
        return;
    }
    /* keep the pending partitions that have no result yet */
    for (int i = 0; i < ce->npend; i++) {
        int done = 0;
        for (int k = 0; k < ce->nres && !done; k++)
            done = strcmp(ce->res[k].topic, ce->pend[i].topic) == 0 &&
                   ce->res[k].partition == ce->pend[i].partition;
        if (!done)
            ce->pend[n++] = ce->pend[i];
    }
    ce->npend = n;
}

static void
sm_ce_req_fini(sm_ce_t *ce)
{
    for (int32_t i = 0; i < ce->req.TopicPartitionsCnt; i++)
        sm_free(ce->req.TopicPartitions[i].Partitions);
    sm_free(ce->req.TopicPartitions);
    memset(&ce->req, 0, sizeof(ce->req));
}

/* One round: SM_OK with *retry set, or the call's error. */
static sm_err_t
sm_ce_round(sm_client_t *c, sm_ce_t *ce, int64_t deadline, int *retry,
            char *errstr, size_t errstr_size)
{
    sm_ElectLeadersResponse_t resp;
    sm_client_resp_t cr;
    sm_err_t err;

    sm_ce_build(ce, c->conf.request_timeout_ms);
    err = sm_client_send_controller(c, SM_API_ElectLeaders,
                                    SM_ELECTLEADERS_MAX_VERSION, sm_ce_body,
                                    ce, deadline, &cr, errstr, errstr_size);
    sm_ce_req_fini(ce);
    if (err != SM_OK)
        return err;
    err = sm_ElectLeadersResponse_read(&cr.rd, cr.version, &resp);
    if (err != SM_OK) {
        snprintf(errstr, errstr_size, "Unparsable ElectLeaders response: "
                 "%s", sm_err_name(err));
        err = SM_ERR__BAD_MSG;
    } else if (ce->v0_unclean) {
        snprintf(errstr, errstr_size, "The controller only supports "
                 "ElectLeaders v0, which cannot do UNCLEAN elections");
        err = SM_ERR_UNSUPPORTED_VERSION;
    } else if (resp.ErrorCode == SM_ERR_NOT_CONTROLLER) {
        *retry = 1;
    } else if (resp.ErrorCode != SM_OK) {
        err = resp.ErrorCode;
    } else {
        sm_ce_take(ce, &resp, retry);
    }
    sm_ElectLeadersResponse_free(&resp);
    sm_client_resp_fini(&cr);
    return err;
}

samsa_err_t
samsa_elect_leaders(samsa_client_t *c, int type,
                    const samsa_topic_partition_t *partitions, int cnt,
                    samsa_election_result_t **resultsp, int *cntp,
                    char **errmsg)
{
    char errstr[SM_CE_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    sm_ce_t ce;
    sm_err_t err = SM_OK;
    int retry = 1;

    memset(&ce, 0, sizeof(ce));
    ce.type = type;
    ce.all = partitions == NULL;
    *resultsp = NULL;
    *cntp = 0;
    if (type != SAMSA_ELECTION_PREFERRED && type != SAMSA_ELECTION_UNCLEAN) {
        snprintf(errstr, sizeof(errstr), "Unknown election type %d", type);
        err = SM_ERR__INVALID_ARG;
        goto out;
    }
    if (!ce.all && cnt > 0) {
        ce.pend = sm_calloc((size_t)cnt, sizeof(*ce.pend));
        memcpy(ce.pend, partitions, (size_t)cnt * sizeof(*ce.pend));
        ce.npend = cnt;
    }
    while (err == SM_OK && retry && (ce.all || ce.npend > 0)) {
        err = sm_ce_round(c, &ce, deadline, &retry, errstr, sizeof(errstr));
        if (err == SM_OK && retry) {
            sm_client_forget_controller(c);
            if (sm_client_backoff(c, deadline) != 0) {
                snprintf(errstr, sizeof(errstr), "Timed out waiting for "
                         "the controller to answer ElectLeaders");
                err = SM_ERR__TIMED_OUT;
            }
        }
    }
out:
    sm_free(ce.pend);
    if (err != SM_OK) {
        samsa_election_results_free(ce.res, ce.nres);
        ce.res = NULL;
        ce.nres = 0;
    }
    *resultsp = ce.res;
    *cntp = ce.nres;
    if (errmsg != NULL)
        *errmsg = err == SM_OK ? NULL
                : sm_strdup(errstr[0] ? errstr : samsa_err_message(err));
    return err;
}
