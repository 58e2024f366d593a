/*
 * create_topics.c: the CreateTopics handler, versions 0-4 (Kafka 2.3/2.4's
 * KafkaApis.handleCreateTopicsRequest + AdminManager.createTopics +
 * DelayedCreatePartitions).
 *
 * Kafka's behaviour, kept here:
 *   - not the controller: NOT_CONTROLLER for every topic, no message;
 *   - a name given twice: INVALID_REQUEST "Found multiple entries for this
 *     topic." for each entry, neither is created;
 *   - per topic, sm_admin_create_topic's checks in Kafka's order (exists,
 *     configs, counts + assignment, assignment, name, collisions) with
 *     Kafka's messages in ErrorMessage (v1+);
 *   - NumPartitions / ReplicationFactor -1 take num.partitions /
 *     default.replication.factor when no assignment is given (Kafka 2.4,
 *     the release that introduced v4; older clients never send -1 then);
 *   - explicit assignments are not checked against the live brokers
 *     (Kafka: "this follows the existing logic in TopicCommand");
 *   - ValidateOnly (v1+): everything but the writes, answered at once;
 *   - TimeoutMs <= 0: answered at once, and the topics that were created
 *     report REQUEST_TIMED_OUT (clients such as librdkafka read that as
 *     "creation in progress" for a non-blocking request);
 *   - otherwise the answer waits until every partition of every created
 *     topic has a leader in the metadata cache, or until TimeoutMs, when
 *     the topics still waiting report REQUEST_TIMED_OUT.
 * The response lists the topics in request order, duplicates included.
 * No authorizer: samsa has no ACLs (TOPIC_AUTHORIZATION_FAILED never).
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/createtopics.h"
#include "server/admin.h"
#include "server/admin_int.h"

typedef struct sm_ct {
    sm_admin_wait_t w;                  /* first */
    sm_CreateTopicsResponse_t resp;     /* names borrow from the frame */
    int32_t *nparts;                    /* per topic: partitions created */
} sm_ct_t;

static void
sm_ct_respond(sm_admin_wait_t *w)
{
    sm_ct_t *ct = (sm_ct_t *)w;

    sm_CreateTopicsResponse_write(sm_reqctx_begin(w->ctx),
                                  w->ctx->hdr.ApiVersion, &ct->resp);
    sm_reqctx_send(w->ctx);
    w->ctx = NULL;
}

static void
sm_ct_destroy(sm_admin_wait_t *w)
{
    sm_ct_t *ct = (sm_ct_t *)w;

    sm_CreateTopicsResponse_free(&ct->resp);
    free(ct->nparts);
    sm_admin_wait_fini(w);
    free(ct);
}

static const sm_admin_wait_ops_t sm_ct_ops = {
    "CreateTopics", sm_ct_respond, sm_ct_destroy,
};

/* Heap copy of a wire string; *nul set when it holds a NUL byte. */
static char *
sm_ct_cstr(sm_str_t s, int *nul)
{
    if (s.len > 0 && memchr(s.ptr, '\0', (size_t)s.len) != NULL)
        *nul = 1;
    return s.len < 0 ? NULL : sm_str_dup(s);
}

static int
sm_ct_cmp_assignment(const void *a, const void *b)
{
    const sm_CreateTopicsRequestAssignment_t *const *x = a, *const *y = b;

    if ((*x)->PartitionIndex != (*y)->PartitionIndex)
        return (*x)->PartitionIndex < (*y)->PartitionIndex ? -1 : 1;
    return (*x < *y) ? -1 : (*x > *y);  /* request order for equal ids */
}

/* The request's assignment as a sorted map (a later entry for the same
 * partition replaces an earlier one, as Kafka's HashMap does). */
static void
sm_ct_assignment(const sm_CreateTopicsRequestTopic_t *rt, sm_zk_topic_t *t)
{
    const sm_CreateTopicsRequestAssignment_t **v =
        sm_calloc((size_t)rt->AssignmentsCnt + 1, sizeof(*v));

    for (int32_t i = 0; i < rt->AssignmentsCnt; i++)
        v[i] = &rt->Assignments[i];
    qsort(v, (size_t)rt->AssignmentsCnt, sizeof(*v), sm_ct_cmp_assignment);
    for (int32_t i = 0; i < rt->AssignmentsCnt; i++)
        if (i + 1 == rt->AssignmentsCnt ||
            v[i + 1]->PartitionIndex != v[i]->PartitionIndex)
            sm_zk_topic_add(t, v[i]->PartitionIndex, v[i]->BrokerIds,
                            v[i]->BrokerIdsCnt > 0 ? v[i]->BrokerIdsCnt : 0);
    free(v);
}

/* Configs of the request as C strings (heap, in *cfgs); -1 if a name or
 * value holds a NUL byte. */
static int
sm_ct_configs(const sm_CreateTopicsRequestTopic_t *rt, sm_admin_cfg_t **cfgs)
{
    int nul = 0;

    *cfgs = sm_calloc((size_t)rt->ConfigsCnt + 1, sizeof(**cfgs));
    for (int32_t i = 0; i < rt->ConfigsCnt; i++) {
        char *name = sm_ct_cstr(rt->Configs[i].Name, &nul);
        (*cfgs)[i].name = name ? name : sm_strdup("");
        (*cfgs)[i].value = sm_ct_cstr(rt->Configs[i].Value, &nul);
    }
    return nul ? -1 : 0;
}

static void
sm_ct_configs_free(sm_admin_cfg_t *cfgs, int32_t n)
{
    for (int32_t i = 0; i < n; i++) {
        free((char *)cfgs[i].name);
        free((char *)cfgs[i].value);
    }
    free(cfgs);
}

/* Create (or validate) one topic; its partition count on success. */
static sm_err_t
sm_ct_topic(sm_reqctx_t *ctx, const sm_CreateTopicsRequest_t *req,
            const sm_CreateTopicsRequestTopic_t *rt, int32_t *nparts,
            char **msg)
{
    sm_admin_topic_spec_t spec;
    sm_zk_topic_t given = { 0 }, assigned = { 0 };
    sm_admin_cfg_t *cfgs = NULL;
    int nul = 0;
    char *topic = sm_ct_cstr(rt->Name, &nul);
    sm_err_t err;

    if (nul || topic == NULL) {
        free(topic);
        err = sm_admin_topic_from_wire(rt->Name, &topic, msg);
        goto out;
    }
    if (sm_ct_configs(rt, &cfgs) != 0) {
        err = SM_ERR_INVALID_CONFIG;
        *msg = sm_strdup("Config names and values cannot contain NUL");
        goto out;
    }
    memset(&spec, 0, sizeof(spec));
    spec.topic = topic;
    spec.num_partitions = rt->NumPartitions;
    spec.replication_factor = rt->ReplicationFactor;
    spec.configs = cfgs;
    spec.nconfigs = rt->ConfigsCnt;
    spec.rack_mode = SM_ADMIN_RACK_AS_IS;
    spec.validate_only = req->ValidateOnly;
    if (rt->AssignmentsCnt > 0) {
        sm_ct_assignment(rt, &given);
        spec.assignment = &given;
    }
    err = sm_admin_create_topic(ctx->b, &spec, &assigned, msg);
    *nparts = assigned.part_cnt;
out:
    if (err != SM_OK)
        sm_debug("admin", "CreateTopics %s from %s: %s: %s",
                 topic ? topic : "", ctx->req->peer, sm_err_name(err),
                 *msg ? *msg : "");
    sm_ct_configs_free(cfgs, cfgs ? rt->ConfigsCnt : 0);
    sm_zk_topic_fini(&assigned);
    sm_zk_topic_fini(&given);
    free(topic);
    return err;
}

static void
sm_ct_all(sm_ct_t *ct, const sm_CreateTopicsRequest_t *req)
{
    sm_reqctx_t *ctx = ct->w.ctx;
    uint8_t *dup = sm_calloc((size_t)req->TopicsCnt + 1, 1);

    if (req->TopicsCnt > 0)
        sm_admin_mark_dups(&req->Topics[0].Name, sizeof(*req->Topics),
                           req->TopicsCnt, dup);
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        sm_CreateTopicsResponseTopic_t *rt = &ct->resp.Topics[i];
        char *msg = NULL;
        sm_err_t err;

        if (dup[i]) {
            err = SM_ERR_INVALID_REQUEST;
            msg = sm_strdup("Found multiple entries for this topic.");
        } else {
            err = sm_ct_topic(ctx, req, &req->Topics[i], &ct->nparts[i],
                              &msg);
        }
        rt->ErrorCode = (int16_t)sm_err_to_wire(err);
        rt->ErrorMessage = sm_admin_wait_msg(&ct->w, msg);
    }
    free(dup);
}

/* Kafka's step 2 and 3: answer now, or wait for the leaders. */
static void
sm_ct_wait(sm_ct_t *ct, const sm_CreateTopicsRequest_t *req)
{
    int any = 0, now;

    for (int32_t i = 0; i < ct->resp.TopicsCnt; i++)
        any |= ct->resp.Topics[i].ErrorCode == 0;
    now = req->TimeoutMs <= 0 || req->ValidateOnly || !any;
    for (int32_t i = 0; i < ct->resp.TopicsCnt; i++) {
        sm_CreateTopicsResponseTopic_t *rt = &ct->resp.Topics[i];
        char *topic;

        if (rt->ErrorCode != 0 || req->ValidateOnly)
            continue;
        if (now) {
            rt->ErrorCode = SM_ERR_REQUEST_TIMED_OUT;
            continue;
        }
        topic = sm_str_dup(rt->Name);
        sm_admin_wait_add(&ct->w, topic, ct->nparts[i], &rt->ErrorCode,
                          &rt->ErrorMessage);
        free(topic);
    }
}

void
sm_handle_CreateTopics(sm_reqctx_t *ctx)
{
    sm_CreateTopicsRequest_t req = { 0 };
    sm_ct_t *ct;
    int32_t timeout;

    if (sm_CreateTopicsRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed CreateTopics request");
        return;
    }
    ct = sm_calloc(1, sizeof(*ct));
    sm_admin_wait_init(&ct->w, ctx, &sm_ct_ops);
    ct->resp.TopicsCnt = req.TopicsCnt;
    ct->resp.Topics = sm_calloc((size_t)req.TopicsCnt + 1,
                                sizeof(*ct->resp.Topics));
    ct->nparts = sm_calloc((size_t)req.TopicsCnt + 1, sizeof(*ct->nparts));
    for (int32_t i = 0; i < req.TopicsCnt; i++) {
        ct->resp.Topics[i].Name = req.Topics[i].Name;
        ct->resp.Topics[i].ErrorMessage = SM_STR_NULL;
    }
    if (!sm_admin_is_controller(ctx->b)) {
        for (int32_t i = 0; i < req.TopicsCnt; i++)
            ct->resp.Topics[i].ErrorCode = SM_ERR_NOT_CONTROLLER;
    } else {
        sm_ct_all(ct, &req);
        sm_ct_wait(ct, &req);
    }
    timeout = req.TimeoutMs;
    sm_CreateTopicsRequest_free(&req);
    sm_admin_wait_run(&ct->w, timeout);
}
