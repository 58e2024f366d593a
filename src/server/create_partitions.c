/*
 * create_partitions.c: the CreatePartitions handler, versions 0-1 (Kafka
 * 2.3's KafkaApis.handleCreatePartitionsRequest + AdminManager.
 * createPartitions + AdminZkClient.addPartitions + DelayedCreatePartitions).
 *
 * Kafka's behaviour, kept here:
 *   - not the controller: NOT_CONTROLLER for every topic, no message;
 *   - a name given twice: INVALID_REQUEST "Duplicate topic in request.";
 *   - a topic marked for deletion: INVALID_TOPIC_EXCEPTION "The topic is
 *     queued for deletion." (Kafka asks its controller; samsa reads
 *     /admin/delete_topics, which is what the controller's queue mirrors);
 *   - per topic, sm_admin_add_partitions (reassignment in progress,
 *     unknown topic, count not an increase, manual assignment rules, or the
 *     computed assignment) and, unless ValidateOnly, the rewrite of
 *     /brokers/topics/<t> that the controller acts on;
 *   - TimeoutMs <= 0: answered at once, the grown topics report
 *     REQUEST_TIMED_OUT; ValidateOnly: answered at once;
 *   - otherwise the answer waits until every partition of the grown topics
 *     has a leader, or until TimeoutMs (REQUEST_TIMED_OUT).
 * Kafka answers from a map keyed by topic, so the response has one result
 * per distinct name; samsa keeps them in the order of first appearance.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/createpartitions.h"
#include "server/admin.h"
#include "server/admin_int.h"
#include "zk/kafka_zk.h"

typedef struct sm_cp {
    sm_admin_wait_t w;                  /* first */
    sm_CreatePartitionsResponse_t resp; /* names borrow from the frame */
} sm_cp_t;

static void
sm_cp_respond(sm_admin_wait_t *w)
{
    sm_cp_t *cp = (sm_cp_t *)w;

    sm_CreatePartitionsResponse_write(sm_reqctx_begin(w->ctx),
                                      w->ctx->hdr.ApiVersion, &cp->resp);
    sm_reqctx_send(w->ctx);
    w->ctx = NULL;
}

static void
sm_cp_destroy(sm_admin_wait_t *w)
{
    sm_cp_t *cp = (sm_cp_t *)w;

    sm_CreatePartitionsResponse_free(&cp->resp);
    sm_admin_wait_fini(w);
    free(cp);
}

static const sm_admin_wait_ops_t sm_cp_ops = {
    "CreatePartitions", sm_cp_respond, sm_cp_destroy,
};

static int
sm_cp_queued(const sm_zk_strings_t *deleting, const char *topic)
{
    for (int i = 0; i < deleting->cnt; i++)
        if (strcmp(deleting->v[i], topic) == 0)
            return 1;
    return 0;
}

/* Grow one topic. */
static sm_err_t
sm_cp_topic(sm_reqctx_t *ctx, const sm_CreatePartitionsRequest_t *req,
            const sm_CreatePartitionsRequestTopic_t *rt,
            const sm_zk_strings_t *deleting, char **msg)
{
    sm_zk_ints_t *assign = NULL;
    char *topic = NULL;
    sm_err_t err;

    err = sm_admin_topic_from_wire(rt->Name, &topic, NULL);
    if (err != SM_OK) {
        /* Kafka finds no assignment for an illegal name */
        err = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        *msg = sm_asprintf("The topic '%s' does not exist.", topic);
        goto out;
    }
    if (sm_cp_queued(deleting, topic)) {
        err = SM_ERR_INVALID_TOPIC_EXCEPTION;
        *msg = sm_strdup("The topic is queued for deletion.");
        goto out;
    }
    if (rt->AssignmentsCnt >= 0) {
        assign = sm_calloc((size_t)rt->AssignmentsCnt + 1, sizeof(*assign));
        for (int32_t i = 0; i < rt->AssignmentsCnt; i++) {
            assign[i].v = rt->Assignments[i].BrokerIds;   /* borrowed */
            assign[i].cnt = rt->Assignments[i].BrokerIdsCnt > 0
                            ? rt->Assignments[i].BrokerIdsCnt : 0;
        }
    }
    err = sm_admin_add_partitions(ctx->b, topic, rt->Count, assign,
                                  rt->AssignmentsCnt, req->ValidateOnly,
                                  NULL, msg);
out:
    if (err != SM_OK)
        sm_debug("admin", "CreatePartitions %s from %s: %s: %s", topic,
                 ctx->req->peer, sm_err_name(err), *msg ? *msg : "");
    free(assign);
    free(topic);
    return err;
}

/* Result i answers request topic src[i]. */
static void
sm_cp_all(sm_cp_t *cp, const sm_CreatePartitionsRequest_t *req,
          const int32_t *src, const uint8_t *dup)
{
    sm_zk_strings_t deleting = { 0 };

    if (sm_zk_get_topic_deletions(cp->w.ctx->b->zk, 0, &deleting) != SM_OK)
        sm_warn("admin", "CreatePartitions: cannot list the topics being "
                "deleted");
    for (int32_t i = 0; i < cp->resp.ResultsCnt; i++) {
        sm_CreatePartitionsResponseResult_t *r = &cp->resp.Results[i];
        const sm_CreatePartitionsRequestTopic_t *rt = &req->Topics[src[i]];
        char *msg = NULL;
        sm_err_t err;

        if (dup[src[i]]) {
            err = SM_ERR_INVALID_REQUEST;
            msg = sm_strdup("Duplicate topic in request.");
        } else {
            err = sm_cp_topic(cp->w.ctx, req, rt, &deleting, &msg);
        }
        r->ErrorCode = (int16_t)sm_err_to_wire(err);
        r->ErrorMessage = sm_admin_wait_msg(&cp->w, msg);
        if (err != SM_OK || req->ValidateOnly)
            continue;
        if (req->TimeoutMs <= 0) {
            r->ErrorCode = SM_ERR_REQUEST_TIMED_OUT;
        } else {
            char *topic = sm_str_dup(r->Name);
            sm_admin_wait_add(&cp->w, topic, rt->Count, &r->ErrorCode,
                              &r->ErrorMessage);
            free(topic);
        }
    }
    sm_zk_strings_fini(&deleting);
}

void
sm_handle_CreatePartitions(sm_reqctx_t *ctx)
{
    sm_CreatePartitionsRequest_t req = { 0 };
    uint8_t *dup;
    int32_t timeout, *src;
    sm_cp_t *cp;

    if (sm_CreatePartitionsRequest_read(&ctx->rd, ctx->hdr.ApiVersion,
                                        &req) != SM_OK) {
        sm_reqctx_close(ctx, "malformed CreatePartitions request");
        return;
    }
    cp = sm_calloc(1, sizeof(*cp));
    sm_admin_wait_init(&cp->w, ctx, &sm_cp_ops);
    dup = sm_calloc((size_t)req.TopicsCnt + 1, 1);
    src = sm_calloc((size_t)req.TopicsCnt + 1, sizeof(*src));
    if (req.TopicsCnt > 0)
        sm_admin_mark_dups(&req.Topics[0].Name, sizeof(*req.Topics),
                           req.TopicsCnt, dup);
    cp->resp.Results = sm_calloc((size_t)req.TopicsCnt + 1,
                                 sizeof(*cp->resp.Results));
    for (int32_t i = 0; i < req.TopicsCnt; i++) {
        sm_CreatePartitionsResponseResult_t *r;
        if (dup[i] & SM_ADMIN_DUP_LATER)
            continue;
        src[cp->resp.ResultsCnt] = i;
        r = &cp->resp.Results[cp->resp.ResultsCnt++];
        r->Name = req.Topics[i].Name;
        r->ErrorMessage = SM_STR_NULL;
        r->ErrorCode = SM_ERR_NOT_CONTROLLER;   /* unless we are */
    }
    if (sm_admin_is_controller(ctx->b))
        sm_cp_all(cp, &req, src, dup);
    free(src);
    free(dup);
    timeout = req.TimeoutMs;
    sm_CreatePartitionsRequest_free(&req);
    sm_admin_wait_run(&cp->w, timeout);
}
