/*
 * delete_topics.c: the DeleteTopics handler, versions 0-3 (Kafka 2.3's
 * KafkaApis.handleDeleteTopicsRequest + AdminManager.deleteTopics +
 * DelayedDeleteTopics).
 *
 * Kafka's behaviour, kept here:
 *   - not the controller: NOT_CONTROLLER for every topic;
 *   - delete.topic.enable=false: every topic fails, with INVALID_REQUEST
 *     for v0-2 and TOPIC_DELETION_DISABLED from v3 (older clients do not
 *     know that code);
 *   - a topic the metadata cache does not know: UNKNOWN_TOPIC_OR_PARTITION
 *     (so is one whose znode vanished meanwhile);
 *   - otherwise /admin/delete_topics/<t> is created; a topic already
 *     marked is not an error, the request waits for it like the others;
 *   - TimeoutMs <= 0 (or nothing marked): answered at once, the marked
 *     topics report REQUEST_TIMED_OUT;
 *   - otherwise the answer waits until the marked topics have left the
 *     metadata cache, or until TimeoutMs (REQUEST_TIMED_OUT for those
 *     still there).
 * The response lists the topics in request order; a name given twice is
 * answered twice (Kafka fills only the first of them).
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/deletetopics.h"
#include "server/admin.h"
#include "server/admin_int.h"

typedef struct sm_dt {
    sm_admin_wait_t w;                  /* first */
    sm_DeleteTopicsResponse_t resp;     /* names borrow from the frame */
} sm_dt_t;

static void
sm_dt_respond(sm_admin_wait_t *w)
{
    sm_dt_t *dt = (sm_dt_t *)w;

    sm_DeleteTopicsResponse_write(sm_reqctx_begin(w->ctx),
                                  w->ctx->hdr.ApiVersion, &dt->resp);
    sm_reqctx_send(w->ctx);
    w->ctx = NULL;
}

static void
sm_dt_destroy(sm_admin_wait_t *w)
{
    sm_dt_t *dt = (sm_dt_t *)w;

    sm_DeleteTopicsResponse_free(&dt->resp);
    sm_admin_wait_fini(w);
    free(dt);
}

static const sm_admin_wait_ops_t sm_dt_ops = {
    "DeleteTopics", sm_dt_respond, sm_dt_destroy,
};

/* Mark one topic; SM_OK when it is (now or already) marked. */
static sm_err_t
sm_dt_topic(sm_reqctx_t *ctx, sm_str_t name, char **topic)
{
    sm_mdsnap_t *snap;
    int known;
    sm_err_t err;

    *topic = sm_str_dup(name);
    if (*topic == NULL || name.len == 0 ||
        memchr(name.ptr, '\0', (size_t)name.len) != NULL)
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    snap = sm_mdcache_snapshot(ctx->b->mdcache);
    known = sm_mdsnap_topic(snap, *topic) != NULL;
    sm_mdsnap_release(ctx->b->mdcache, snap);
    if (!known)
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    err = sm_admin_delete_topic(ctx->b, *topic);
    if (err != SM_OK)
        sm_info("admin", "Error processing delete topic request for topic "
                "%s: %s", *topic, sm_err_name(err));
    return err;
}

/* Mark every topic; the marked ones wait (or time out at once). */
static void
sm_dt_all(sm_dt_t *dt, const sm_DeleteTopicsRequest_t *req)
{
    for (int32_t i = 0; i < req->TopicNamesCnt; i++) {
        sm_DeleteTopicsResponseTopic_t *rt = &dt->resp.Responses[i];
        char *topic = NULL;
        sm_err_t err = sm_dt_topic(dt->w.ctx, req->TopicNames[i], &topic);

        rt->ErrorCode = (int16_t)sm_err_to_wire(err);
        if (err == SM_OK && req->TimeoutMs > 0)
            sm_admin_wait_add(&dt->w, topic, 0, &rt->ErrorCode, NULL);
        else if (err == SM_OK)
            rt->ErrorCode = SM_ERR_REQUEST_TIMED_OUT;
        free(topic);
    }
}

void
sm_handle_DeleteTopics(sm_reqctx_t *ctx)
{
    sm_DeleteTopicsRequest_t req = { 0 };
    sm_err_t all = SM_OK;
    int32_t timeout;
    sm_dt_t *dt;

    if (sm_DeleteTopicsRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed DeleteTopics request");
        return;
    }
    dt = sm_calloc(1, sizeof(*dt));
    sm_admin_wait_init(&dt->w, ctx, &sm_dt_ops);
    dt->resp.ResponsesCnt = req.TopicNamesCnt;
    dt->resp.Responses = sm_calloc((size_t)req.TopicNamesCnt + 1,
                                   sizeof(*dt->resp.Responses));
    for (int32_t i = 0; i < req.TopicNamesCnt; i++)
        dt->resp.Responses[i].Name = req.TopicNames[i];
    if (!sm_admin_is_controller(ctx->b))
        all = SM_ERR_NOT_CONTROLLER;
    else if (!ctx->b->cfg->delete_topic_enable)
        all = ctx->hdr.ApiVersion < 3 ? SM_ERR_INVALID_REQUEST
                                      : SM_ERR_TOPIC_DELETION_DISABLED;
    if (all != SM_OK) {
        for (int32_t i = 0; i < req.TopicNamesCnt; i++)
            dt->resp.Responses[i].ErrorCode = (int16_t)all;
    } else {
        sm_dt_all(dt, &req);
    }
    timeout = req.TimeoutMs;
    sm_DeleteTopicsRequest_free(&req);
    sm_admin_wait_run(&dt->w, timeout);
}
