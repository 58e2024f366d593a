/*
 * metadata_cache.c: copy-on-update snapshots of cluster metadata (see
 * metadata_cache.h for the contract).
 *
 * Lock: mc->lock guards mc->cur and every snapshot's refcnt; it is held only
 * for pointer swaps and refcount changes, never while copying.  A snapshot
 * is freed when its refcnt drops to zero after it stopped being current.
 * Updates are serialised by mc->update_lock so two updates never both copy
 * the same base.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "server/metadata_cache.h"

struct sm_mdcache {
    pthread_mutex_t lock;
    pthread_mutex_t update_lock;
    sm_mdsnap_t *cur;
};

static int32_t *
sm_i32_dup(const int32_t *v, int32_t n)
{
    int32_t *d;

    if (n <= 0)
        return NULL;
    d = sm_malloc(sizeof(*d) * (size_t)n);
    memcpy(d, v, sizeof(*d) * (size_t)n);
    return d;
}

void
sm_pstate_copy(sm_pstate_t *dst, const sm_pstate_t *src)
{
    *dst = *src;
    dst->topic = src->topic ? sm_strdup(src->topic) : NULL;
    dst->isr = sm_i32_dup(src->isr, src->nisr);
    dst->replicas = sm_i32_dup(src->replicas, src->nreplicas);
    dst->offline = sm_i32_dup(src->offline, src->noffline);
}

void
sm_pstate_fini(sm_pstate_t *ps)
{
    free(ps->topic);
    free(ps->isr);
    free(ps->replicas);
    free(ps->offline);
    memset(ps, 0, sizeof(*ps));
}

int
sm_pstate_in_isr(const sm_pstate_t *ps, int32_t broker_id)
{
    for (int32_t i = 0; i < ps->nisr; i++)
        if (ps->isr[i] == broker_id)
            return 1;
    return 0;
}

void
sm_md_broker_copy(sm_md_broker_t *dst, const sm_md_broker_t *src)
{
    dst->id = src->id;
    dst->rack = src->rack ? sm_strdup(src->rack) : NULL;
    dst->neps = src->neps;
    dst->eps = src->neps ? sm_calloc((size_t)src->neps, sizeof(*dst->eps))
                         : NULL;
    for (int32_t i = 0; i < src->neps; i++) {
        dst->eps[i] = src->eps[i];
        dst->eps[i].listener = sm_strdup(src->eps[i].listener);
        dst->eps[i].host = sm_strdup(src->eps[i].host);
    }
}

void
sm_md_broker_fini(sm_md_broker_t *b)
{
    for (int32_t i = 0; i < b->neps; i++) {
        free(b->eps[i].listener);
        free(b->eps[i].host);
    }
    free(b->eps);
    free(b->rack);
    memset(b, 0, sizeof(*b));
}

const sm_md_endpoint_t *
sm_md_broker_endpoint(const sm_md_broker_t *b, const char *listener)
{
    for (int32_t i = 0; i < b->neps; i++)
        if (strcmp(b->eps[i].listener, listener) == 0)
            return &b->eps[i];
    return NULL;
}

int
sm_topic_is_internal(const char *name)
{
    return strcmp(name, "__consumer_offsets") == 0 ||
           strcmp(name, "__transaction_state") == 0;
}

static void
sm_md_topic_free(sm_md_topic_t *t)
{
    for (int32_t i = 0; i < t->npartitions; i++)
        sm_pstate_fini(&t->parts[i]);
    free(t->parts);
    free(t->name);
    free(t);
}

static sm_md_topic_t *
sm_md_topic_dup(const sm_md_topic_t *src)
{
    sm_md_topic_t *t = sm_calloc(1, sizeof(*t));

    t->name = sm_strdup(src->name);
    t->is_internal = src->is_internal;
    t->npartitions = src->npartitions;
    t->parts = sm_calloc((size_t)(src->npartitions ? src->npartitions : 1),
                         sizeof(*t->parts));
    for (int32_t i = 0; i < src->npartitions; i++)
        if (src->parts[i].topic)
            sm_pstate_copy(&t->parts[i], &src->parts[i]);
    return t;
}

static void
sm_mdsnap_free(sm_mdsnap_t *s)
{
    size_t it = 0;
    void *v;

    for (int32_t i = 0; i < s->nbrokers; i++)
        sm_md_broker_fini(&s->brokers[i]);
    free(s->brokers);
    while (sm_map_next(&s->topics, &it, NULL, &v))
        sm_md_topic_free(v);
    sm_map_fini(&s->topics);
    free(s);
}

sm_mdcache_t *
sm_mdcache_new(void)
{
    sm_mdcache_t *mc = sm_calloc(1, sizeof(*mc));

    pthread_mutex_init(&mc->lock, NULL);
    pthread_mutex_init(&mc->update_lock, NULL);
    mc->cur = sm_calloc(1, sizeof(*mc->cur));
    mc->cur->refcnt = 1;
    mc->cur->controller_id = -1;
    sm_map_init(&mc->cur->topics);
    return mc;
}

void
sm_mdcache_destroy(sm_mdcache_t *mc)
{
    if (mc == NULL)
        return;
    sm_mdsnap_release(mc, mc->cur);
    pthread_mutex_destroy(&mc->lock);
    pthread_mutex_destroy(&mc->update_lock);
    free(mc);
}

sm_mdsnap_t *
sm_mdcache_snapshot(sm_mdcache_t *mc)
{
    sm_mdsnap_t *s;

    pthread_mutex_lock(&mc->lock);
    s = mc->cur;
    s->refcnt++;
    pthread_mutex_unlock(&mc->lock);
    return s;
}

void
sm_mdsnap_release(sm_mdcache_t *mc, sm_mdsnap_t *snap)
{
    int last;

    pthread_mutex_lock(&mc->lock);
    last = --snap->refcnt == 0;
    pthread_mutex_unlock(&mc->lock);
    if (last)
        sm_mdsnap_free(snap);
}

static int
sm_md_broker_cmp(const void *a, const void *b)
{
    const sm_md_broker_t *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Upsert one partition state into snapshot s (s is private to the caller). */
static void
sm_mdsnap_apply(sm_mdsnap_t *s, const sm_pstate_t *ps)
{
    sm_md_topic_t *t = sm_map_get(&s->topics, ps->topic);

    if (ps->leader == SM_LEADER_DURING_DELETE) {
        if (t == NULL || ps->partition >= t->npartitions)
            return;
        sm_pstate_fini(&t->parts[ps->partition]);
        for (int32_t i = 0; i < t->npartitions; i++)
            if (t->parts[i].topic)
                return;
        sm_map_del(&s->topics, ps->topic);
        sm_md_topic_free(t);
        return;
    }
    if (t == NULL) {
        t = sm_calloc(1, sizeof(*t));
        t->name = sm_strdup(ps->topic);
        t->is_internal = sm_topic_is_internal(ps->topic);
        sm_map_put(&s->topics, ps->topic, t);
    }
    if (ps->partition >= t->npartitions) {
        t->parts = sm_realloc(t->parts, sizeof(*t->parts) *
                              (size_t)(ps->partition + 1));
        memset(t->parts + t->npartitions, 0, sizeof(*t->parts) *
               (size_t)(ps->partition + 1 - t->npartitions));
        t->npartitions = ps->partition + 1;
    }
    sm_pstate_fini(&t->parts[ps->partition]);
    sm_pstate_copy(&t->parts[ps->partition], ps);
}

void
sm_mdcache_update(sm_mdcache_t *mc, int32_t controller_id,
                  int32_t controller_epoch, const sm_md_broker_t *brokers,
                  int nbrokers, const sm_pstate_t *states, int nstates)
{
    sm_mdsnap_t *base, *s = sm_calloc(1, sizeof(*s)), *old;
    size_t it = 0;
    void *v;

    pthread_mutex_lock(&mc->update_lock);
    base = sm_mdcache_snapshot(mc);
    s->refcnt = 1;
    s->controller_id = controller_id;
    s->controller_epoch = controller_epoch;
    s->nbrokers = nbrokers;
    s->brokers = nbrokers ? sm_calloc((size_t)nbrokers, sizeof(*s->brokers))
                          : NULL;
    for (int i = 0; i < nbrokers; i++)
        sm_md_broker_copy(&s->brokers[i], &brokers[i]);
    if (nbrokers > 1)
        qsort(s->brokers, (size_t)nbrokers, sizeof(*s->brokers),
              sm_md_broker_cmp);
    sm_map_init(&s->topics);
    while (sm_map_next(&base->topics, &it, NULL, &v)) {
        sm_md_topic_t *t = sm_md_topic_dup(v);
        sm_map_put(&s->topics, t->name, t);
    }
    sm_mdsnap_release(mc, base);
    for (int i = 0; i < nstates; i++)
        sm_mdsnap_apply(s, &states[i]);

    pthread_mutex_lock(&mc->lock);
    old = mc->cur;
    mc->cur = s;
    pthread_mutex_unlock(&mc->lock);
    sm_mdsnap_release(mc, old);
    pthread_mutex_unlock(&mc->update_lock);
}

const sm_md_topic_t *
sm_mdsnap_topic(const sm_mdsnap_t *snap, const char *name)
{
    return sm_map_get(&snap->topics, name);
}

const sm_pstate_t *
sm_mdsnap_partition(const sm_mdsnap_t *snap, const char *topic,
                    int32_t partition)
{
    const sm_md_topic_t *t = sm_map_get(&snap->topics, topic);

    if (t == NULL || partition < 0 || partition >= t->npartitions ||
        t->parts[partition].topic == NULL)
        return NULL;
    return &t->parts[partition];
}

const sm_md_broker_t *
sm_mdsnap_broker(const sm_mdsnap_t *snap, int32_t id)
{
    sm_md_broker_t key = { .id = id };

    return bsearch(&key, snap->brokers, (size_t)snap->nbrokers,
                   sizeof(*snap->brokers), sm_md_broker_cmp);
}
