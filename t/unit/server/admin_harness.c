/*
 * admin_harness.c: see admin_harness.h.  Also the test build's definition
 * of the request-context functions of kafka_apis.c (the seam).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin_harness.h"
#include "common/sm_mem.h"
#include "config_util.h"
#include "protocol/apis.h"
#include "sm_test.h"
#include "zk/zkt.h"

/* ------------------------------------------------------------ capture */

typedef struct ah_node {
    ah_resp_t r;
    struct ah_node *next;
} ah_node_t;

static pthread_mutex_t ah_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ah_cond = PTHREAD_COND_INITIALIZER;
static ah_node_t *ah_head, **ah_tail = &ah_head;

/* Take resp (freed here) as the network thread would have sent it. */
static void
ah_capture(sm_response_t *resp)
{
    ah_node_t *n = sm_calloc(1, sizeof(*n));
    sm_buf_t b = SM_BUF_INIT;

    n->r.closed = resp->action == SM_RESP_CLOSE;
    for (int i = 0; i < resp->nsegs; i++) {
        ck_assert(!resp->segs[i].is_file);
        sm_buf_write(&b, resp->segs[i].data, resp->segs[i].len);
    }
    n->r.data = sm_buf_detach(&b, &n->r.len);
    sm_response_free(resp);
    pthread_mutex_lock(&ah_lock);
    *ah_tail = n;
    ah_tail = &n->next;
    pthread_cond_broadcast(&ah_cond);
    pthread_mutex_unlock(&ah_lock);
}

ah_resp_t *
ah_wait(int timeout_ms)
{
    struct timespec ts;
    ah_node_t *n;
    ah_resp_t *r = NULL;
    int64_t ns;

    clock_gettime(CLOCK_REALTIME, &ts);
    ns = ts.tv_nsec + (int64_t)zkt_ms(timeout_ms) * 1000000;
    ts.tv_sec += ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    pthread_mutex_lock(&ah_lock);
    while (ah_head == NULL)
        if (pthread_cond_timedwait(&ah_cond, &ah_lock, &ts) != 0)
            break;
    n = ah_head;
    if (n != NULL) {
        ah_head = n->next;
        if (ah_head == NULL)
            ah_tail = &ah_head;
        r = sm_malloc(sizeof(*r));
        *r = n->r;
        free(n);
    }
    pthread_mutex_unlock(&ah_lock);
    return r;
}

int
ah_pending(void)
{
    int p;

    pthread_mutex_lock(&ah_lock);
    p = ah_head != NULL;
    pthread_mutex_unlock(&ah_lock);
    return p;
}

void
ah_resp_free(ah_resp_t *r)
{
    if (r == NULL)
        return;
    free(r->data);
    free(r);
}

sm_rd_t
ah_body(const ah_resp_t *r, int16_t key, int16_t version)
{
    sm_rd_t rd;
    int32_t corrid = 0;

    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->closed, 0);
    sm_rd_init(&rd, r->data, r->len);
    ck_assert_int_eq(sm_resp_hdr_read(&rd, key, version, &corrid), SM_OK);
    ck_assert_int_eq(corrid, 4242);
    return rd;
}

/* ------------------------------------------------------------ the seam */

/* kafka_apis.c's sm_reqctx_free. */
static void
ah_ctx_free(sm_reqctx_t *ctx)
{
    if (ctx->resp)
        sm_response_free(ctx->resp);
    sm_buf_fini(&ctx->out);
    sm_request_free(ctx->req);
    free(ctx);
}

sm_buf_t *
sm_reqctx_begin(sm_reqctx_t *ctx)
{
    ck_assert_ptr_null(ctx->resp);
    ctx->resp = sm_response_new(ctx->req, SM_RESP_SEND);
    sm_buf_reset(&ctx->out);
    sm_resp_hdr_write(&ctx->out, ctx->hdr.ApiKey, ctx->hdr.ApiVersion,
                      ctx->hdr.CorrelationId);
    return &ctx->out;
}

void
sm_reqctx_flush_mem(sm_reqctx_t *ctx)
{
    if (ctx->out.len > 0)
        sm_response_add_buf(ctx->resp, &ctx->out);
}

void
sm_reqctx_send(sm_reqctx_t *ctx)
{
    sm_response_t *resp;

    sm_reqctx_flush_mem(ctx);
    resp = ctx->resp;
    ctx->resp = NULL;
    ah_capture(resp);                   /* kafka_apis.c: sm_net_respond */
    ah_ctx_free(ctx);
}

void
sm_reqctx_noop(sm_reqctx_t *ctx)
{
    ah_capture(sm_response_new(ctx->req, SM_RESP_NOOP));
    ah_ctx_free(ctx);
}

void
sm_reqctx_close(sm_reqctx_t *ctx, const char *why)
{
    fprintf(stderr, "# closing: %s\n", why);
    ah_capture(sm_response_new(ctx->req, SM_RESP_CLOSE));
    ah_ctx_free(ctx);
}

/* ------------------------------------------------------------ requests */

static void
ah_dispatch(sm_reqctx_t *ctx)
{
    switch (ctx->hdr.ApiKey) {
    case SM_API_CreateTopics:     sm_handle_CreateTopics(ctx); break;
    case SM_API_DeleteTopics:     sm_handle_DeleteTopics(ctx); break;
    case SM_API_CreatePartitions: sm_handle_CreatePartitions(ctx); break;
    case SM_API_DescribeConfigs:  sm_handle_DescribeConfigs(ctx); break;
    default: ck_abort_msg("no handler for key %d", ctx->hdr.ApiKey);
    }
}

/* sm_broker_handle's set-up of the context, for a frame we own. */
static void
ah_handle(ah_t *h, sm_buf_t *frame)
{
    sm_request_t *req = sm_calloc(1, sizeof(*req));
    sm_reqctx_t *ctx = sm_calloc(1, sizeof(*ctx));

    req->frame = sm_buf_detach(frame, &req->len);
    snprintf(req->peer, sizeof(req->peer), "127.0.0.1:1");
    ctx->b = &h->b;
    ctx->req = req;
    sm_buf_init(&ctx->out, 0);
    ctx->listener = "PLAINTEXT";
    sm_rd_init(&ctx->rd, req->frame, req->len);
    ck_assert_int_eq(sm_req_hdr_read(&ctx->rd, &ctx->hdr), SM_OK);
    ah_dispatch(ctx);
}

void
ah_send(ah_t *h, int16_t key, int16_t version, ah_write_fn wr,
        const void *m)
{
    sm_buf_t frame = SM_BUF_INIT;

    sm_req_hdr_write(&frame, key, version, 4242, "admin-test");
    wr(&frame, version, m);
    ah_handle(h, &frame);
}

void
ah_send_raw(ah_t *h, int16_t key, int16_t version, const void *body,
            size_t len)
{
    sm_buf_t frame = SM_BUF_INIT;

    sm_req_hdr_write(&frame, key, version, 4242, "admin-test");
    sm_buf_write(&frame, body, len);
    ah_handle(h, &frame);
}

/* ------------------------------------------------------------ broker */

void
ah_set_brokers(ah_t *h, const int32_t *ids, const char *const *racks, int n,
               int32_t controller_id)
{
    sm_md_broker_t *mb = sm_calloc((size_t)n + 1, sizeof(*mb));

    for (int i = 0; i < n; i++) {
        mb[i].id = ids[i];
        mb[i].rack = racks && racks[i] ? (char *)racks[i] : NULL;
    }
    sm_mdcache_update(h->b.mdcache, controller_id, 1, mb, n, NULL, 0);
    free(mb);
}

void
ah_init(ah_t *h, const char *props_text, const int32_t *ids,
        const char *const *racks, int n, int32_t controller_id)
{
    char *text = sm_asprintf("zookeeper.connect=%s\nbroker.id=1\n%s",
                             zkt_hosts(), props_text ? props_text : "");

    memset(h, 0, sizeof(*h));
    h->cfg = cfg_ok(text);
    free(text);
    h->b.cfg = h->cfg;
    h->b.id = 1;
    h->b.zk = zkt_connect(zkt_chroot("admin"));
    ck_assert_int_eq(sm_zk_create_top_level_paths(h->b.zk), SM_OK);
    h->b.mdcache = sm_mdcache_new();
    h->b.admin_purg = sm_purgatory_new("topic", 100);
    ck_assert_ptr_nonnull(h->b.admin_purg);
    ah_set_brokers(h, ids, racks, n, controller_id);
}

void
ah_fini(ah_t *h)
{
    ah_resp_t *r;

    sm_purgatory_destroy(h->b.admin_purg);     /* expires what waits */
    while ((r = ah_wait(0)) != NULL)
        ah_resp_free(r);
    sm_mdcache_destroy(h->b.mdcache);
    sm_zk_destroy(h->b.zk);
    sm_config_destroy(h->cfg);
}

/* Apply states, keeping the current brokers and controller. */
static void
ah_publish(ah_t *h, const sm_pstate_t *states, int n)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(h->b.mdcache);

    sm_mdcache_update(h->b.mdcache, snap->controller_id, 1, snap->brokers,
                      snap->nbrokers, states, n);
    sm_mdsnap_release(h->b.mdcache, snap);
    sm_purgatory_check_and_complete(h->b.admin_purg, "metadata");
}

void
ah_elect(ah_t *h, const char *topic)
{
    sm_zk_topic_t t = { 0 };
    sm_pstate_t *ps;

    ck_assert_int_eq(sm_zk_get_topic(h->b.zk, topic, 0, &t), SM_OK);
    ps = sm_calloc((size_t)t.part_cnt + 1, sizeof(*ps));
    for (int i = 0; i < t.part_cnt; i++) {
        ps[i].topic = (char *)topic;
        ps[i].partition = t.parts[i].partition;
        ps[i].leader = t.parts[i].replicas.v[0];
        ps[i].isr = ps[i].replicas = t.parts[i].replicas.v;
        ps[i].nisr = ps[i].nreplicas = t.parts[i].replicas.cnt;
    }
    ah_publish(h, ps, t.part_cnt);
    free(ps);
    sm_zk_topic_fini(&t);
}

void
ah_drop(ah_t *h, const char *topic)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(h->b.mdcache);
    const sm_md_topic_t *mt = sm_mdsnap_topic(snap, topic);
    int32_t n = mt ? mt->npartitions : 0;
    sm_pstate_t *ps = sm_calloc((size_t)n + 1, sizeof(*ps));

    sm_mdsnap_release(h->b.mdcache, snap);
    for (int32_t i = 0; i < n; i++) {
        ps[i].topic = (char *)topic;
        ps[i].partition = i;
        ps[i].leader = SM_LEADER_DURING_DELETE;
    }
    ah_publish(h, ps, n);
    free(ps);
}

void
ah_cache_topic(ah_t *h, const char *topic, int32_t n)
{
    static int32_t one = 1;
    sm_pstate_t *ps = sm_calloc((size_t)n + 1, sizeof(*ps));

    for (int32_t i = 0; i < n; i++) {
        ps[i].topic = (char *)topic;
        ps[i].partition = i;
        ps[i].leader = 1;
        ps[i].isr = ps[i].replicas = &one;
        ps[i].nisr = ps[i].nreplicas = 1;
    }
    ah_publish(h, ps, n);
    free(ps);
}

/* ------------------------------------------------------------ ZooKeeper */

char *
ah_zk_get(ah_t *h, const char *path)
{
    char *data = NULL;
    int len;

    if (sm_zk_get(h->b.zk, path, 0, &data, &len, NULL) != SM_OK)
        return NULL;
    return data;
}

int
ah_zk_exists(ah_t *h, const char *path)
{
    return sm_zk_exists(h->b.zk, path, 0, NULL) == SM_OK;
}

void
ah_make_topic(ah_t *h, const char *topic, int32_t n, const int32_t *reps,
              int rf)
{
    sm_zk_topic_t t = { 0 };
    int32_t r[16];

    ck_assert_int_le(rf, 16);
    for (int32_t p = 0; p < n; p++) {
        for (int i = 0; i < rf; i++)
            r[i] = reps[(p + i) % rf];
        sm_zk_topic_add(&t, p, r, rf);
    }
    ck_assert_int_eq(sm_zk_create_topic(h->b.zk, topic, NULL, &t), SM_OK);
    sm_zk_topic_fini(&t);
    ah_elect(h, topic);
}
