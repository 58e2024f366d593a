/*
 * admin_wait.c: admin requests waiting for the metadata cache (Kafka's
 * DelayedCreatePartitions / DelayedDeleteTopics); see admin_int.h.
 *
 * The condition is evaluated on a fresh metadata snapshot each time, so
 * try_complete takes no lock but the cache's short snapshot mutex, which
 * the thread poking SM_ADMIN_WAIT_KEY does not hold (purgatory.h, race 3).
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/admin_int.h"

void
sm_admin_wait_init(sm_admin_wait_t *w, sm_reqctx_t *ctx,
                   const sm_admin_wait_ops_t *ops)
{
    memset(w, 0, sizeof(*w));
    w->ops = ops;
    w->ctx = ctx;
    w->mdcache = ctx->b->mdcache;
}

void
sm_admin_wait_fini(sm_admin_wait_t *w)
{
    for (int i = 0; i < w->npend; i++)
        free(w->pend[i].topic);
    free(w->pend);
    for (int i = 0; i < w->nstrs; i++)
        free(w->strs[i]);
    free(w->strs);
    w->pend = NULL;
    w->strs = NULL;
    w->npend = w->nstrs = 0;
}

void
sm_admin_wait_add(sm_admin_wait_t *w, const char *topic, int32_t npartitions,
                  int16_t *error_code, sm_str_t *error_message)
{
    sm_admin_pending_t *p;

    w->pend = sm_realloc(w->pend, (size_t)(w->npend + 1) * sizeof(*w->pend));
    p = &w->pend[w->npend++];
    p->topic = sm_strdup(topic);
    p->npartitions = npartitions;
    p->error_code = error_code;
    p->error_message = error_message;
}

sm_str_t
sm_admin_wait_msg(sm_admin_wait_t *w, char *msg)
{
    if (msg == NULL)
        return SM_STR_NULL;
    w->strs = sm_realloc(w->strs, (size_t)(w->nstrs + 1) * sizeof(*w->strs));
    w->strs[w->nstrs++] = msg;
    return sm_str_cstr(msg);
}

/* Is p done in snap?  DelayedCreatePartitions.isMissingLeader /
 * DelayedDeleteTopics.topicExists. */
static int
sm_admin_pending_done(const sm_mdsnap_t *snap, const sm_admin_pending_t *p)
{
    if (p->npartitions == 0)
        return sm_mdsnap_topic(snap, p->topic) == NULL;
    for (int32_t i = 0; i < p->npartitions; i++) {
        const sm_pstate_t *ps = sm_mdsnap_partition(snap, p->topic, i);
        if (ps == NULL || ps->leader < 0)
            return 0;
    }
    return 1;
}

static int
sm_admin_wait_done(sm_admin_wait_t *w)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(w->mdcache);
    int done = 1;

    for (int i = 0; i < w->npend && done; i++)
        done = sm_admin_pending_done(snap, &w->pend[i]);
    sm_mdsnap_release(w->mdcache, snap);
    return done;
}

/* Mark what still waits as timed out, then answer. */
static void
sm_admin_wait_finish(sm_admin_wait_t *w)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(w->mdcache);

    for (int i = 0; i < w->npend; i++) {
        sm_admin_pending_t *p = &w->pend[i];
        if (sm_admin_pending_done(snap, p))
            continue;
        sm_debug("admin", "%s: %s not done in time", w->ops->name, p->topic);
        *p->error_code = SM_ERR_REQUEST_TIMED_OUT;
        if (p->error_message != NULL)
            *p->error_message = SM_STR_NULL;
    }
    sm_mdsnap_release(w->mdcache, snap);
    w->ops->respond(w);
}

static int
sm_admin_wait_try(sm_delayed_op_t *op)
{
    return sm_admin_wait_done((sm_admin_wait_t *)op);
}

static void
sm_admin_wait_complete(sm_delayed_op_t *op, int expired)
{
    sm_admin_wait_finish((sm_admin_wait_t *)op);
}

static void
sm_admin_wait_destroy(sm_delayed_op_t *op)
{
    sm_admin_wait_t *w = (sm_admin_wait_t *)op;

    w->ops->destroy(w);
}

static const sm_delayed_op_ops_t sm_admin_wait_op_ops = {
    .name = "topic",
    .try_complete = sm_admin_wait_try,
    .on_complete = sm_admin_wait_complete,
    .destroy = sm_admin_wait_destroy,
};

void
sm_admin_wait_run(sm_admin_wait_t *w, int32_t timeout_ms)
{
    sm_purgatory_t *purg = w->ctx->b->admin_purg;
    const char *key = SM_ADMIN_WAIT_KEY;

    if (w->npend == 0 || purg == NULL) {
        sm_admin_wait_finish(w);
        w->ops->destroy(w);
        return;
    }
    sm_delayed_op_init(&w->op, &sm_admin_wait_op_ops, timeout_ms);
    sm_purgatory_try_complete_else_watch(purg, &w->op, &key, 1);
}

/* ------------------------------------------------------------ duplicates */

typedef struct sm_admin_name_ref {
    sm_str_t name;
    int32_t  idx;
} sm_admin_name_ref_t;

static int
sm_admin_cmp_name(const void *a, const void *b)
{
    const sm_admin_name_ref_t *x = a, *y = b;
    int32_t lx = x->name.len < 0 ? 0 : x->name.len;
    int32_t ly = y->name.len < 0 ? 0 : y->name.len;
    int c = memcmp(x->name.ptr ? x->name.ptr : "",
                   y->name.ptr ? y->name.ptr : "",
                   (size_t)(lx < ly ? lx : ly));

    if (c != 0)
        return c;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

void
sm_admin_mark_dups(const sm_str_t *first, size_t stride, int32_t n,
                   uint8_t *dup)
{
    sm_admin_name_ref_t *v = sm_calloc((size_t)n + 1, sizeof(*v));

    for (int32_t i = 0; i < n; i++) {
        v[i].name = *(const sm_str_t *)((const char *)first +
                                        (size_t)i * stride);
        v[i].idx = i;
        dup[i] = 0;
    }
    qsort(v, (size_t)n, sizeof(*v), sm_admin_cmp_name);
    for (int32_t i = 1; i < n; i++) {
        sm_admin_name_ref_t a = v[i - 1], b = v[i];
        a.idx = b.idx = 0;
        if (sm_admin_cmp_name(&a, &b) == 0) {
            dup[v[i - 1].idx] |= SM_ADMIN_DUP;
            dup[v[i].idx] |= SM_ADMIN_DUP | SM_ADMIN_DUP_LATER;
        }
    }
    free(v);
}
