/*
 * controller_context.c: the active controller's picture of the cluster -
 * Kafka's ControllerContext.
 *
 * OWNS.  Live brokers (with their registration and epoch), every topic with
 * its partitions, each partition's assignment, leadership info (the last
 * state znode content this controller read or wrote) and the states of
 * the partition and replica state machines.  Built by
 * sm_ctl_init_context() on failover, changed only by the event handlers,
 * dropped by sm_ctl_ctx_reset() on resignation.
 *
 * THREADS.  Controller thread only; no locks.
 *
 * INVARIANTS.
 *   1. ctx->brokers is sorted by id without duplicates.
 *   2. top->parts is sorted by partition without duplicates; each part
 *      points back to its topic and lives on the heap until its topic is
 *      removed (so partition lists built during an event stay valid unless
 *      the event deletes the topic).
 *   3. part->rst has one entry per part->replicas.v[i].
 *   4. part->has_lis == 0 implies part->lis is empty.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "controller/controller_int.h"

/* Kafka's SecurityProtocol ids. */
static int16_t
sm_ctl_protocol_id(const char *name)
{
    static const char *const names[] = {
        "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"
    };

    for (int i = 0; i < 4; i++)
        if (name != NULL && strcmp(name, names[i]) == 0)
            return (int16_t)i;
    return 0;
}

void
sm_ctl_ctx_init(sm_ctl_ctx_t *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->epoch = -1;
    ctx->epoch_zkv = -1;
    sm_map_init(&ctx->topics);
}

static void
sm_ctl_part_free(sm_ctl_part_t *part)
{
    sm_zk_ints_fini(&part->replicas);
    sm_zk_ints_fini(&part->adding);
    sm_zk_ints_fini(&part->removing);
    sm_zk_ints_fini(&part->reassign_to);
    sm_zk_part_state_fini(&part->lis);
    sm_free(part->rst);
    sm_free(part);
}

static void
sm_ctl_topic_free(sm_ctl_topic_t *top)
{
    for (int i = 0; i < top->nparts; i++)
        sm_ctl_part_free(top->parts[i]);
    sm_free(top->parts);
    sm_free(top->topic_id);
    sm_free(top->name);
    sm_free(top);
}

void
sm_ctl_ctx_reset(sm_ctl_ctx_t *ctx)
{
    size_t it = 0;
    const char *key;
    void *val;

    while (sm_map_next(&ctx->topics, &it, &key, &val))
        sm_ctl_topic_free(val);
    sm_map_fini(&ctx->topics);
    for (int i = 0; i < ctx->nbrokers; i++)
        sm_md_broker_fini(&ctx->brokers[i].md);
    sm_free(ctx->brokers);
    sm_ctl_ctx_init(ctx);
}

/* ------------------------------------------------------------ brokers */

static int
sm_ctl_broker_pos(const sm_ctl_ctx_t *ctx, int32_t id, int *found)
{
    int lo = 0, hi = ctx->nbrokers;

    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ctx->brokers[mid].md.id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < ctx->nbrokers && ctx->brokers[lo].md.id == id;
    return lo;
}

sm_ctl_broker_t *
sm_ctl_ctx_broker(sm_ctl_ctx_t *ctx, int32_t id)
{
    int found, pos = sm_ctl_broker_pos(ctx, id, &found);

    return found ? &ctx->brokers[pos] : NULL;
}

int
sm_ctl_ctx_is_live(sm_ctl_ctx_t *ctx, int32_t id)
{
    return sm_ctl_ctx_broker(ctx, id) != NULL;
}

void
sm_ctl_broker_from_zk(sm_md_broker_t *dst, int32_t id,
                      const sm_zk_broker_t *zb)
{
    memset(dst, 0, sizeof(*dst));
    dst->id = id;
    dst->rack = zb->rack ? sm_strdup(zb->rack) : NULL;
    dst->neps = zb->endpoint_cnt;
    if (zb->endpoint_cnt > 0)
        dst->eps = sm_calloc((size_t)zb->endpoint_cnt, sizeof(*dst->eps));
    for (int i = 0; i < zb->endpoint_cnt; i++) {
        const sm_zk_endpoint_t *e = &zb->endpoints[i];
        dst->eps[i].listener = sm_strdup(e->listener ? e->listener : "");
        dst->eps[i].host = sm_strdup(e->host ? e->host : "");
        dst->eps[i].port = e->port;
        dst->eps[i].security_protocol = sm_ctl_protocol_id(e->protocol);
    }
}

static int
sm_ctl_str_differs(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a != b;
    return strcmp(a, b) != 0;
}

int
sm_ctl_broker_differs(const sm_md_broker_t *a, const sm_md_broker_t *b)
{
    if (a->neps != b->neps || sm_ctl_str_differs(a->rack, b->rack))
        return 1;
    for (int i = 0; i < a->neps; i++) {
        const sm_md_endpoint_t *x = &a->eps[i], *y = &b->eps[i];
        if (x->port != y->port ||
            x->security_protocol != y->security_protocol ||
            sm_ctl_str_differs(x->host, y->host) ||
            sm_ctl_str_differs(x->listener, y->listener))
            return 1;
    }
    return 0;
}

void
sm_ctl_ctx_put_broker(sm_ctl_ctx_t *ctx, int32_t id, int64_t epoch,
                      const sm_zk_broker_t *zb)
{
    int found, pos = sm_ctl_broker_pos(ctx, id, &found);
    sm_ctl_broker_t *b;

    if (found) {
        b = &ctx->brokers[pos];
        sm_md_broker_fini(&b->md);
        if (b->epoch != epoch)
            b->shutting_down = 0;       /* a new incarnation */
    } else {
        ctx->brokers = sm_realloc(ctx->brokers, sizeof(*ctx->brokers) *
                                  (size_t)(ctx->nbrokers + 1));
        memmove(&ctx->brokers[pos + 1], &ctx->brokers[pos],
                sizeof(*ctx->brokers) * (size_t)(ctx->nbrokers - pos));
        ctx->nbrokers++;
        b = &ctx->brokers[pos];
        b->shutting_down = 0;
    }
    sm_ctl_broker_from_zk(&b->md, id, zb);
    b->epoch = epoch;
}

void
sm_ctl_ctx_remove_broker(sm_ctl_ctx_t *ctx, int32_t id)
{
    int found, pos = sm_ctl_broker_pos(ctx, id, &found);

    if (!found)
        return;
    sm_md_broker_fini(&ctx->brokers[pos].md);
    memmove(&ctx->brokers[pos], &ctx->brokers[pos + 1],
            sizeof(*ctx->brokers) * (size_t)(ctx->nbrokers - pos - 1));
    ctx->nbrokers--;
}

/* ------------------------------------------------------------ topics */

sm_ctl_topic_t *
sm_ctl_ctx_topic(sm_ctl_ctx_t *ctx, const char *name)
{
    return sm_map_get(&ctx->topics, name);
}

sm_ctl_topic_t *
sm_ctl_ctx_add_topic(sm_ctl_ctx_t *ctx, const char *name)
{
    sm_ctl_topic_t *top = sm_map_get(&ctx->topics, name);

    if (top != NULL)
        return top;
    top = sm_calloc(1, sizeof(*top));
    top->name = sm_strdup(name);
    sm_map_put(&ctx->topics, name, top);
    return top;
}

void
sm_ctl_ctx_remove_topic(sm_ctl_ctx_t *ctx, const char *name)
{
    sm_ctl_topic_t *top = sm_map_del(&ctx->topics, name);

    if (top != NULL)
        sm_ctl_topic_free(top);
}

static int
sm_ctl_topic_cmp(const void *a, const void *b)
{
    const sm_ctl_topic_t *x = *(sm_ctl_topic_t *const *)a;
    const sm_ctl_topic_t *y = *(sm_ctl_topic_t *const *)b;

    return strcmp(x->name, y->name);
}

void
sm_ctl_ctx_topics(sm_ctl_ctx_t *ctx, sm_ctl_topics_t *out)
{
    size_t it = 0;
    const char *key;
    void *val;

    while (sm_map_next(&ctx->topics, &it, &key, &val))
        sm_ctl_topics_add(out, val);
    if (out->cnt > 1)
        qsort(out->v, (size_t)out->cnt, sizeof(out->v[0]), sm_ctl_topic_cmp);
}

static int
sm_ctl_part_pos(const sm_ctl_topic_t *top, int32_t p, int *found)
{
    int lo = 0, hi = top->nparts;

    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (top->parts[mid]->partition < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < top->nparts && top->parts[lo]->partition == p;
    return lo;
}

sm_ctl_part_t *
sm_ctl_topic_part(const sm_ctl_topic_t *top, int32_t p)
{
    int found, pos = sm_ctl_part_pos(top, p, &found);

    return found ? top->parts[pos] : NULL;
}

sm_ctl_part_t *
sm_ctl_topic_add_part(sm_ctl_topic_t *top, const sm_zk_assignment_t *a)
{
    int found, pos = sm_ctl_part_pos(top, a->partition, &found);
    sm_ctl_part_t *part;

    sm_assert(!found);
    part = sm_calloc(1, sizeof(*part));
    part->top = top;
    part->partition = a->partition;
    sm_zk_ints_set(&part->replicas, a->replicas.v, a->replicas.cnt);
    sm_zk_ints_set(&part->adding, a->adding.v, a->adding.cnt);
    sm_zk_ints_set(&part->removing, a->removing.v, a->removing.cnt);
    part->rst = sm_calloc((size_t)a->replicas.cnt + 1, sizeof(*part->rst));
    top->parts = sm_realloc(top->parts, sizeof(*top->parts) *
                            (size_t)(top->nparts + 1));
    memmove(&top->parts[pos + 1], &top->parts[pos],
            sizeof(*top->parts) * (size_t)(top->nparts - pos));
    top->parts[pos] = part;
    top->nparts++;
    return part;
}

/* ------------------------------------------------------------ replicas */

int
sm_ctl_ints_has(const sm_zk_ints_t *l, int32_t v)
{
    for (int i = 0; i < l->cnt; i++)
        if (l->v[i] == v)
            return 1;
    return 0;
}

int
sm_ctl_part_replica_idx(const sm_ctl_part_t *part, int32_t id)
{
    for (int i = 0; i < part->replicas.cnt; i++)
        if (part->replicas.v[i] == id)
            return i;
    return -1;
}

/* Kafka's isReplicaOnline without offline log dirs or shutting-down
 * brokers (both come with replication). */
int
sm_ctl_is_replica_online(sm_ctl_ctx_t *ctx, const sm_ctl_part_t *part,
                         int32_t id)
{
    const sm_ctl_broker_t *b = sm_ctl_ctx_broker(ctx, id);

    (void)part;
    return b != NULL && !b->shutting_down;
}

sm_ctl_rst_t
sm_ctl_rep_state(const sm_ctl_rep_t *rep)
{
    int i = sm_ctl_part_replica_idx(rep->part, rep->id);

    return i < 0 ? SM_CTL_RST_NONEXISTENT : rep->part->rst[i];
}

void
sm_ctl_part_remove_replica(sm_ctl_part_t *part, int32_t id)
{
    int i = sm_ctl_part_replica_idx(part, id), n = part->replicas.cnt;

    if (i < 0)
        return;
    memmove(&part->replicas.v[i], &part->replicas.v[i + 1],
            sizeof(int32_t) * (size_t)(n - i - 1));
    memmove(&part->rst[i], &part->rst[i + 1],
            sizeof(part->rst[0]) * (size_t)(n - i - 1));
    part->replicas.cnt--;
}

void
sm_ctl_part_set_replicas(sm_ctl_part_t *part, const int32_t *ids, int n)
{
    sm_ctl_rst_t *rst = sm_calloc((size_t)n + 1, sizeof(*rst));

    for (int i = 0; i < n; i++) {
        int k = sm_ctl_part_replica_idx(part, ids[i]);
        rst[i] = k >= 0 ? part->rst[k] : SM_CTL_RST_NONEXISTENT;
    }
    sm_zk_ints_set(&part->replicas, ids, n);
    sm_free(part->rst);
    part->rst = rst;
}

void
sm_ctl_part_set_lis(sm_ctl_part_t *part, const sm_zk_part_state_t *s)
{
    sm_zk_part_state_t copy = *s;

    copy.isr.v = NULL;
    copy.isr.cnt = 0;
    sm_zk_ints_set(&copy.isr, s->isr.v, s->isr.cnt);
    sm_zk_part_state_fini(&part->lis);
    part->lis = copy;
    part->has_lis = 1;
}

/* ------------------------------------------------------------ queries */

/* Walk every partition of every topic (sorted), calling keep() to
 * filter. */
static void
sm_ctl_ctx_collect(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out,
                   int (*keep)(sm_ctl_ctx_t *, sm_ctl_part_t *))
{
    sm_ctl_topics_t tops = { 0 };

    sm_ctl_ctx_topics(ctx, &tops);
    for (int t = 0; t < tops.cnt; t++)
        for (int i = 0; i < tops.v[t]->nparts; i++)
            if (keep == NULL || keep(ctx, tops.v[t]->parts[i]))
                sm_ctl_parts_add(out, tops.v[t]->parts[i]);
    sm_ctl_topics_fini(&tops);
}

void
sm_ctl_ctx_all_parts(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out)
{
    sm_ctl_ctx_collect(ctx, out, NULL);
}

static int
sm_ctl_keep_new_or_offline(sm_ctl_ctx_t *ctx, sm_ctl_part_t *part)
{
    (void)ctx;
    return !part->top->del_queued && (part->pst == SM_CTL_PST_NEW ||
                                      part->pst == SM_CTL_PST_OFFLINE);
}

void
sm_ctl_ctx_new_or_offline(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out)
{
    sm_ctl_ctx_collect(ctx, out, sm_ctl_keep_new_or_offline);
}

static int
sm_ctl_keep_offline_leader(sm_ctl_ctx_t *ctx, sm_ctl_part_t *part)
{
    return part->has_lis && !part->top->del_queued &&
           !sm_ctl_is_replica_online(ctx, part, part->lis.leader);
}

void
sm_ctl_ctx_offline_leader(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out)
{
    sm_ctl_ctx_collect(ctx, out, sm_ctl_keep_offline_leader);
}

static int
sm_ctl_keep_with_leaders(sm_ctl_ctx_t *ctx, sm_ctl_part_t *part)
{
    (void)ctx;
    return part->has_lis && !part->top->del_queued;
}

void
sm_ctl_ctx_with_leaders(sm_ctl_ctx_t *ctx, sm_ctl_parts_t *out)
{
    sm_ctl_ctx_collect(ctx, out, sm_ctl_keep_with_leaders);
}

void
sm_ctl_ctx_replicas_on(sm_ctl_ctx_t *ctx, const int32_t *ids, int n,
                       sm_ctl_reps_t *out)
{
    sm_ctl_parts_t all = { 0 };

    sm_ctl_ctx_all_parts(ctx, &all);
    for (int i = 0; i < all.cnt; i++)
        for (int k = 0; k < n; k++)
            if (sm_ctl_part_replica_idx(all.v[i], ids[k]) >= 0)
                sm_ctl_reps_add(out, all.v[i], ids[k]);
    sm_ctl_parts_fini(&all);
}

void
sm_ctl_part_replicas(sm_ctl_part_t *part, sm_ctl_reps_t *out)
{
    for (int r = 0; r < part->replicas.cnt; r++)
        sm_ctl_reps_add(out, part, part->replicas.v[r]);
}

void
sm_ctl_topic_replicas(sm_ctl_topic_t *top, sm_ctl_reps_t *out)
{
    for (int i = 0; i < top->nparts; i++)
        sm_ctl_part_replicas(top->parts[i], out);
}

int
sm_ctl_topic_all_replicas_in(const sm_ctl_topic_t *top, sm_ctl_rst_t st)
{
    for (int i = 0; i < top->nparts; i++)
        for (int r = 0; r < top->parts[i]->replicas.cnt; r++)
            if (top->parts[i]->rst[r] != st)
                return 0;
    return 1;
}

int
sm_ctl_topic_any_replica_in(const sm_ctl_topic_t *top, sm_ctl_rst_t st)
{
    for (int i = 0; i < top->nparts; i++)
        for (int r = 0; r < top->parts[i]->replicas.cnt; r++)
            if (top->parts[i]->rst[r] == st)
                return 1;
    return 0;
}

/* ------------------------------------------------------------ lists */

#define SM_CTL_GROW(l, elem_size)                                          \
    do {                                                                   \
        if ((l)->cnt == (l)->cap) {                                        \
            (l)->cap = (l)->cap ? (l)->cap * 2 : 8;                        \
            (l)->v = sm_realloc((l)->v, (elem_size) * (size_t)(l)->cap);   \
        }                                                                  \
    } while (0)

void
sm_ctl_parts_add(sm_ctl_parts_t *l, sm_ctl_part_t *part)
{
    SM_CTL_GROW(l, sizeof(*l->v));
    l->v[l->cnt++] = part;
}

void
sm_ctl_parts_fini(sm_ctl_parts_t *l)
{
    sm_free(l->v);
    memset(l, 0, sizeof(*l));
}

void
sm_ctl_reps_add(sm_ctl_reps_t *l, sm_ctl_part_t *part, int32_t id)
{
    SM_CTL_GROW(l, sizeof(*l->v));
    l->v[l->cnt].part = part;
    l->v[l->cnt].id = id;
    l->cnt++;
}

void
sm_ctl_reps_fini(sm_ctl_reps_t *l)
{
    sm_free(l->v);
    memset(l, 0, sizeof(*l));
}

void
sm_ctl_topics_add(sm_ctl_topics_t *l, sm_ctl_topic_t *top)
{
    SM_CTL_GROW(l, sizeof(*l->v));
    l->v[l->cnt++] = top;
}

int
sm_ctl_topics_has(const sm_ctl_topics_t *l, const sm_ctl_topic_t *top)
{
    for (int i = 0; i < l->cnt; i++)
        if (l->v[i] == top)
            return 1;
    return 0;
}

void
sm_ctl_topics_fini(sm_ctl_topics_t *l)
{
    sm_free(l->v);
    memset(l, 0, sizeof(*l));
}
