/*
 * purgatory.c: the delayed-operation purgatory of purgatory.h (read its
 * essay first: API, races, references).
 *
 * DATA
 *   shards[64]   key -> watch list, sharded by key hash to spread lock
 *                contention (Kafka uses 512 shards of a ConcurrentHashMap).
 *                Each shard is a chained hash table under shard->lock.  A
 *                watch list is a FIFO of op pointers, each holding a
 *                reference, so older ops are tried first.
 *   timer        a binary min-heap of ops by deadline under timer_lock, and
 *                the thread that expires them (Kafka's SystemTimer and
 *                ExpiredOperationReaper, simplified: a heap is O(log n) for
 *                add and cancel, which is plenty for request counts).
 *
 * THREADS
 *   Callers (I/O handlers, the log, replica fetchers) run try_complete /
 *   on_complete on their own threads; the timer thread runs on_complete
 *   for expired ops and destroy for whatever reference it drops last.
 *   The timer thread wakes at the earliest deadline and at least every
 *   SM_PURG_TICK_MS to check whether a purge is due.
 *
 * INVARIANTS
 *   - op->heap_idx != SM_PURG_NOT_QUEUED iff the op is in the heap, and the
 *     heap then holds one reference on it.
 *   - completed goes 0 -> 1 once, under op->lock; the one who moved it
 *     calls on_complete, and then cancels the timer if it did not expire.
 *   - after shutdown the heap is empty and stays empty (adds are refused,
 *     and the adder expires the op itself).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "server/purgatory.h"

#define SM_PURG_SHARDS      64
#define SM_PURG_TICK_MS     200
#define SM_PURG_NOT_QUEUED  ((size_t)-1)

typedef struct sm_watchers {
    char            *key;
    uint32_t         hash;
    sm_delayed_op_t **ops;      /* FIFO: ops[0..n) */
    size_t           n, cap;
    struct sm_watchers *next;   /* bucket chain */
} sm_watchers_t;

typedef struct sm_purg_shard {
    pthread_mutex_t  lock;
    sm_watchers_t  **buckets;
    size_t           nbuckets;  /* power of two */
    size_t           nkeys;
} sm_purg_shard_t;

struct sm_purgatory {
    char            *name;
    int              purge_interval;
    atomic_int       completions;   /* since the last purge */
    sm_purg_shard_t  shards[SM_PURG_SHARDS];

    pthread_mutex_t  timer_lock;
    pthread_cond_t   timer_cond;
    sm_delayed_op_t **heap;
    size_t           heap_n, heap_cap;
    int              shutdown;      /* guarded by timer_lock */
    pthread_t        timer_tid;
    int              timer_started;
};

/* ---------------------------------------------------------- the op */

void
sm_delayed_op_init(sm_delayed_op_t *op, const sm_delayed_op_ops_t *ops,
                   int64_t timeout_ms)
{
    memset(op, 0, sizeof(*op));
    op->ops = ops;
    pthread_mutex_init(&op->lock, NULL);
    atomic_init(&op->completed, 0);
    atomic_init(&op->refcnt, 1);
    op->timeout_ms = timeout_ms;
    op->heap_idx = SM_PURG_NOT_QUEUED;
}

void
sm_delayed_op_keep(sm_delayed_op_t *op)
{
    atomic_fetch_add(&op->refcnt, 1);
}

void
sm_delayed_op_release(sm_delayed_op_t *op)
{
    int old = atomic_fetch_sub(&op->refcnt, 1);

    sm_assert(old > 0);
    if (old != 1)
        return;
    pthread_mutex_destroy(&op->lock);
    if (op->ops->destroy != NULL)
        op->ops->destroy(op);
}

int
sm_delayed_op_is_completed(const sm_delayed_op_t *op)
{
    return atomic_load(&op->completed);
}

/* ----------------------------------------------------------- the heap */

static void
sm_purg_heap_set(sm_purgatory_t *purg, size_t i, sm_delayed_op_t *op)
{
    purg->heap[i] = op;
    op->heap_idx = i;
}

static void
sm_purg_heap_up(sm_purgatory_t *purg, size_t i)
{
    sm_delayed_op_t *op = purg->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (purg->heap[parent]->deadline_us <= op->deadline_us)
            break;
        sm_purg_heap_set(purg, i, purg->heap[parent]);
        i = parent;
    }
    sm_purg_heap_set(purg, i, op);
}

static void
sm_purg_heap_down(sm_purgatory_t *purg, size_t i)
{
    sm_delayed_op_t *op = purg->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= purg->heap_n)
            break;
        if (c + 1 < purg->heap_n &&
            purg->heap[c + 1]->deadline_us < purg->heap[c]->deadline_us)
            c++;
        if (op->deadline_us <= purg->heap[c]->deadline_us)
            break;
        sm_purg_heap_set(purg, i, purg->heap[c]);
        i = c;
    }
    sm_purg_heap_set(purg, i, op);
}

/* timer_lock held.  The heap's reference moves to the caller. */
static void
sm_purg_heap_remove(sm_purgatory_t *purg, sm_delayed_op_t *op)
{
    size_t i = op->heap_idx;
    sm_delayed_op_t *last = purg->heap[--purg->heap_n];

    op->heap_idx = SM_PURG_NOT_QUEUED;
    if (last == op)
        return;
    sm_purg_heap_set(purg, i, last);
    sm_purg_heap_up(purg, i);
    sm_purg_heap_down(purg, last->heap_idx);
}

/* Arm op's timeout (takes a reference).  -1 if the purgatory is shut down:
 * the caller must then expire op itself. */
static int
sm_purg_timer_add(sm_purgatory_t *purg, sm_delayed_op_t *op)
{
    int r = 0;

    pthread_mutex_lock(&purg->timer_lock);
    if (purg->shutdown) {
        r = -1;
        goto out;
    }
    if (purg->heap_n == purg->heap_cap) {
        purg->heap_cap = purg->heap_cap ? purg->heap_cap * 2 : 64;
        purg->heap = sm_realloc(purg->heap,
                                purg->heap_cap * sizeof(*purg->heap));
    }
    sm_delayed_op_keep(op);
    op->deadline_us = sm_mono_us() + op->timeout_ms * 1000;
    purg->heap[purg->heap_n] = op;
    op->heap_idx = purg->heap_n++;
    sm_purg_heap_up(purg, op->heap_idx);
    if (op->heap_idx == 0)
        pthread_cond_signal(&purg->timer_cond);
out:
    pthread_mutex_unlock(&purg->timer_lock);
    return r;
}

static void
sm_purg_timer_cancel(sm_purgatory_t *purg, sm_delayed_op_t *op)
{
    int queued;

    pthread_mutex_lock(&purg->timer_lock);
    queued = op->heap_idx != SM_PURG_NOT_QUEUED;
    if (queued)
        sm_purg_heap_remove(purg, op);
    pthread_mutex_unlock(&purg->timer_lock);
    if (queued)
        sm_delayed_op_release(op);
}

/* ------------------------------------------------------- completion */

/* The winner of `completed` finishes the op.  The caller holds a
 * reference, so cancelling the timer cannot free op underneath. */
static void
sm_purg_finish(sm_purgatory_t *purg, sm_delayed_op_t *op, int expired)
{
    if (!expired)
        sm_purg_timer_cancel(purg, op);
    atomic_fetch_add(&purg->completions, 1);
    op->ops->on_complete(op, expired);
}

/* Under the op lock: try_complete unless completed.  1 if this call won. */
static int
sm_purg_try_locked(sm_delayed_op_t *op)
{
    if (atomic_load(&op->completed) || !op->ops->try_complete(op))
        return 0;
    atomic_store(&op->completed, 1);
    return 1;
}

static int
sm_purg_try(sm_purgatory_t *purg, sm_delayed_op_t *op)
{
    pthread_mutex_lock(&op->lock);
    int won = sm_purg_try_locked(op);
    pthread_mutex_unlock(&op->lock);
    if (won)
        sm_purg_finish(purg, op, 0);
    return won;
}

/* Mark op completed unless it is; 1 if this call did. */
static int
sm_purg_claim(sm_delayed_op_t *op)
{
    pthread_mutex_lock(&op->lock);
    int won = !atomic_load(&op->completed);
    atomic_store(&op->completed, 1);
    pthread_mutex_unlock(&op->lock);
    return won;
}

static void
sm_purg_expire(sm_purgatory_t *purg, sm_delayed_op_t *op)
{
    if (sm_purg_claim(op))
        sm_purg_finish(purg, op, 1);
}

int
sm_delayed_op_force_complete(sm_delayed_op_t *op)
{
    sm_assert(op->purg != NULL);        /* it was handed to a purgatory */
    if (!sm_purg_claim(op))
        return 0;
    sm_purg_finish(op->purg, op, 0);
    return 1;
}

/* ------------------------------------------------------ watch lists */

static uint32_t
sm_purg_hash(const char *key)
{
    uint32_t h = 2166136261u;           /* FNV-1a */

    for (; *key != '\0'; key++)
        h = (h ^ (uint8_t)*key) * 16777619u;
    return h;
}

static sm_purg_shard_t *
sm_purg_shard(sm_purgatory_t *purg, uint32_t hash)
{
    return &purg->shards[hash % SM_PURG_SHARDS];
}

static sm_watchers_t **
sm_purg_bucket(sm_purg_shard_t *sh, uint32_t hash)
{
    return &sh->buckets[(hash / SM_PURG_SHARDS) & (sh->nbuckets - 1)];
}

/* shard lock held */
static sm_watchers_t *
sm_purg_find(sm_purg_shard_t *sh, const char *key, uint32_t hash)
{
    sm_watchers_t *w = *sm_purg_bucket(sh, hash);

    while (w != NULL && (w->hash != hash || strcmp(w->key, key) != 0))
        w = w->next;
    return w;
}

static void
sm_purg_shard_grow(sm_purg_shard_t *sh)
{
    sm_watchers_t **old = sh->buckets;
    size_t oldn = sh->nbuckets;

    sh->nbuckets *= 2;
    sh->buckets = sm_calloc(sh->nbuckets, sizeof(*sh->buckets));
    for (size_t i = 0; i < oldn; i++) {
        sm_watchers_t *w, *next;
        for (w = old[i]; w != NULL; w = next) {
            next = w->next;
            sm_watchers_t **b = sm_purg_bucket(sh, w->hash);
            w->next = *b;
            *b = w;
        }
    }
    free(old);
}

/* Add op (with a new reference) to key's watch list. */
static void
sm_purg_watch(sm_purgatory_t *purg, const char *key, sm_delayed_op_t *op)
{
    uint32_t hash = sm_purg_hash(key);
    sm_purg_shard_t *sh = sm_purg_shard(purg, hash);

    pthread_mutex_lock(&sh->lock);
    sm_watchers_t *w = sm_purg_find(sh, key, hash);
    if (w == NULL) {
        if (sh->nkeys + 1 > sh->nbuckets)
            sm_purg_shard_grow(sh);
        w = sm_calloc(1, sizeof(*w));
        w->key = sm_strdup(key);
        w->hash = hash;
        sm_watchers_t **b = sm_purg_bucket(sh, hash);
        w->next = *b;
        *b = w;
        sh->nkeys++;
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->ops = sm_realloc(w->ops, w->cap * sizeof(*w->ops));
    }
    sm_delayed_op_keep(op);
    w->ops[w->n++] = op;
    pthread_mutex_unlock(&sh->lock);
}

/* shard lock held: unlink and free an empty watch list. */
static void
sm_purg_unlink(sm_purg_shard_t *sh, sm_watchers_t *w)
{
    sm_watchers_t **pp = sm_purg_bucket(sh, w->hash);

    while (*pp != w)
        pp = &(*pp)->next;
    *pp = w->next;
    sh->nkeys--;
    free(w->ops);
    free(w->key);
    free(w);
}

/* shard lock held: move completed ops of w to the end of *dead (their
 * references are the caller's to drop after unlocking); unlink w if it is
 * left empty.  Returns how many were removed. */
static size_t
sm_purg_compact(sm_purg_shard_t *sh, sm_watchers_t *w,
                sm_delayed_op_t ***dead, size_t *ndead, size_t *deadcap)
{
    size_t keep = 0, removed = 0;

    for (size_t i = 0; i < w->n; i++) {
        sm_delayed_op_t *op = w->ops[i];
        if (!atomic_load(&op->completed)) {
            w->ops[keep++] = op;
            continue;
        }
        if (*ndead == *deadcap) {
            *deadcap = *deadcap ? *deadcap * 2 : 16;
            *dead = sm_realloc(*dead, *deadcap * sizeof(**dead));
        }
        (*dead)[(*ndead)++] = op;
        removed++;
    }
    w->n = keep;
    if (keep == 0)
        sm_purg_unlink(sh, w);
    return removed;
}

static void
sm_purg_release_all(sm_delayed_op_t **ops, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sm_delayed_op_release(ops[i]);
}

/* Drop completed ops from every watch list. */
static size_t
sm_purg_purge(sm_purgatory_t *purg)
{
    size_t purged = 0;

    for (int s = 0; s < SM_PURG_SHARDS; s++) {
        sm_purg_shard_t *sh = &purg->shards[s];
        sm_delayed_op_t **dead = NULL;
        size_t ndead = 0, deadcap = 0;

        pthread_mutex_lock(&sh->lock);
        for (size_t b = 0; b < sh->nbuckets; b++) {
            sm_watchers_t *w = sh->buckets[b], *next;
            for (; w != NULL; w = next) {
                next = w->next;
                sm_purg_compact(sh, w, &dead, &ndead, &deadcap);
            }
        }
        pthread_mutex_unlock(&sh->lock);
        sm_purg_release_all(dead, ndead);
        free(dead);
        purged += ndead;
    }
    return purged;
}

/* ------------------------------------------------------------ the API */

int
sm_purgatory_try_complete_else_watch(sm_purgatory_t *purg,
                                     sm_delayed_op_t *op,
                                     const char *const *keys, int nkeys)
{
    int won, timer_refused = 0;

    sm_assert(nkeys >= 1);
    op->purg = purg;
    pthread_mutex_lock(&op->lock);
    won = sm_purg_try_locked(op);
    if (!won) {
        for (int i = 0; i < nkeys; i++)
            sm_purg_watch(purg, keys[i], op);
        timer_refused = sm_purg_timer_add(purg, op) != 0;
        won = sm_purg_try_locked(op);
    }
    pthread_mutex_unlock(&op->lock);
    if (won) {
        sm_purg_finish(purg, op, 0);
    } else if (timer_refused && sm_purg_claim(op)) {
        won = 1;                        /* shut down: nothing else will */
        sm_purg_finish(purg, op, 1);
    }
    sm_delayed_op_release(op);
    return won;
}

int
sm_purgatory_check_and_complete(sm_purgatory_t *purg, const char *key)
{
    uint32_t hash = sm_purg_hash(key);
    sm_purg_shard_t *sh = sm_purg_shard(purg, hash);
    sm_delayed_op_t *stackbuf[32], **snap = stackbuf, **dead = NULL;
    size_t n = 0, ndead = 0, deadcap = 0;
    int completed = 0;

    /* snapshot the list (with references) so try_complete runs unlocked */
    pthread_mutex_lock(&sh->lock);
    sm_watchers_t *w = sm_purg_find(sh, key, hash);
    if (w != NULL) {
        n = w->n;
        if (n > sizeof(stackbuf) / sizeof(stackbuf[0]))
            snap = sm_malloc(n * sizeof(*snap));
        for (size_t i = 0; i < n; i++) {
            snap[i] = w->ops[i];
            sm_delayed_op_keep(snap[i]);
        }
    }
    pthread_mutex_unlock(&sh->lock);
    if (n == 0)
        return 0;

    for (size_t i = 0; i < n; i++)
        completed += sm_purg_try(purg, snap[i]);

    /* the list may have changed (or been replaced) meanwhile: look again */
    pthread_mutex_lock(&sh->lock);
    w = sm_purg_find(sh, key, hash);
    if (w != NULL)
        sm_purg_compact(sh, w, &dead, &ndead, &deadcap);
    pthread_mutex_unlock(&sh->lock);
    sm_purg_release_all(dead, ndead);
    free(dead);
    sm_purg_release_all(snap, n);
    if (snap != stackbuf)
        free(snap);
    if (completed > 0)
        sm_trace("purgatory", "Key %s unblocked %d %s operation(s)", key,
                 completed, purg->name);
    return completed;
}

int
sm_purgatory_watched(sm_purgatory_t *purg)
{
    size_t total = 0;

    for (int s = 0; s < SM_PURG_SHARDS; s++) {
        sm_purg_shard_t *sh = &purg->shards[s];
        pthread_mutex_lock(&sh->lock);
        for (size_t b = 0; b < sh->nbuckets; b++)
            for (sm_watchers_t *w = sh->buckets[b]; w != NULL; w = w->next)
                total += w->n;
        pthread_mutex_unlock(&sh->lock);
    }
    return (int)total;
}

int
sm_purgatory_delayed(sm_purgatory_t *purg)
{
    pthread_mutex_lock(&purg->timer_lock);
    int n = (int)purg->heap_n;
    pthread_mutex_unlock(&purg->timer_lock);
    return n;
}

/* ------------------------------------------------------ timer thread */

/* timer_lock held: take every op due by now_us off the heap, as a list
 * through expire_next (the heap's references move to the list). */
static sm_delayed_op_t *
sm_purg_take_due(sm_purgatory_t *purg, int64_t now_us)
{
    sm_delayed_op_t *list = NULL, **tail = &list;

    while (purg->heap_n > 0 && purg->heap[0]->deadline_us <= now_us) {
        sm_delayed_op_t *op = purg->heap[0];
        sm_purg_heap_remove(purg, op);
        op->expire_next = NULL;
        *tail = op;
        tail = &op->expire_next;
    }
    return list;
}

static void
sm_purg_expire_list(sm_purgatory_t *purg, sm_delayed_op_t *list)
{
    while (list != NULL) {
        sm_delayed_op_t *next = list->expire_next;
        sm_purg_expire(purg, list);
        sm_delayed_op_release(list);
        list = next;
    }
}

static void
sm_purg_wait(sm_purgatory_t *purg, int64_t now_us)
{
    int64_t until = now_us + SM_PURG_TICK_MS * 1000;
    struct timespec ts;

    if (purg->heap_n > 0 && purg->heap[0]->deadline_us < until)
        until = purg->heap[0]->deadline_us;
    ts.tv_sec = until / 1000000;
    ts.tv_nsec = (until % 1000000) * 1000;
    pthread_cond_timedwait(&purg->timer_cond, &purg->timer_lock, &ts);
}

static void *
sm_purg_timer_main(void *arg)
{
    sm_purgatory_t *purg = arg;

    pthread_mutex_lock(&purg->timer_lock);
    while (!purg->shutdown) {
        sm_delayed_op_t *due = sm_purg_take_due(purg, sm_mono_us());
        int purge = atomic_load(&purg->completions) > purg->purge_interval;
        if (due == NULL && !purge) {
            sm_purg_wait(purg, sm_mono_us());
            continue;
        }
        pthread_mutex_unlock(&purg->timer_lock);
        sm_purg_expire_list(purg, due);
        if (purge) {
            atomic_store(&purg->completions, 0);
            size_t n = sm_purg_purge(purg);
            sm_debug("purgatory", "Purged %zu completed %s operation(s) "
                     "from watch lists", n, purg->name);
        }
        pthread_mutex_lock(&purg->timer_lock);
    }
    pthread_mutex_unlock(&purg->timer_lock);
    return NULL;
}

sm_purgatory_t *
sm_purgatory_new(const char *name, int purge_interval)
{
    sm_purgatory_t *purg = sm_calloc(1, sizeof(*purg));
    pthread_condattr_t ca;

    purg->name = sm_strdup(name);
    purg->purge_interval = purge_interval > 0 ? purge_interval : 1;
    for (int s = 0; s < SM_PURG_SHARDS; s++) {
        pthread_mutex_init(&purg->shards[s].lock, NULL);
        purg->shards[s].nbuckets = 4;
        purg->shards[s].buckets = sm_calloc(4, sizeof(sm_watchers_t *));
    }
    pthread_mutex_init(&purg->timer_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&purg->timer_cond, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&purg->timer_tid, NULL, sm_purg_timer_main, purg);
    if (rc != 0) {
        sm_error("purgatory", "pthread_create(%s expiration timer) failed: "
                 "%s", name, strerror(rc));
        purg->shutdown = 1;
        sm_purgatory_destroy(purg);
        return NULL;
    }
    char tname[16];
    snprintf(tname, sizeof(tname), "sm-purg-%.7s", name);
    pthread_setname_np(purg->timer_tid, tname);
    purg->timer_started = 1;
    return purg;
}

/* Stop the timer thread, then expire everything still pending.  Later
 * adds are refused by the timer and expired by their adder. */
void
sm_purgatory_shutdown(sm_purgatory_t *purg)
{
    sm_delayed_op_t *pending;

    pthread_mutex_lock(&purg->timer_lock);
    purg->shutdown = 1;
    pthread_cond_signal(&purg->timer_cond);
    pthread_mutex_unlock(&purg->timer_lock);
    if (purg->timer_started) {
        pthread_join(purg->timer_tid, NULL);
        purg->timer_started = 0;
    }
    pthread_mutex_lock(&purg->timer_lock);
    pending = sm_purg_take_due(purg, INT64_MAX);
    pthread_mutex_unlock(&purg->timer_lock);
    sm_purg_expire_list(purg, pending);
}

void
sm_purgatory_destroy(sm_purgatory_t *purg)
{
    if (purg == NULL)
        return;
    sm_purgatory_shutdown(purg);
    for (int s = 0; s < SM_PURG_SHARDS; s++) {
        sm_purg_shard_t *sh = &purg->shards[s];
        for (size_t b = 0; b < sh->nbuckets; b++) {
            sm_watchers_t *w, *next;
            for (w = sh->buckets[b]; w != NULL; w = next) {
                next = w->next;
                sm_purg_release_all(w->ops, w->n);
                free(w->ops);
                free(w->key);
                free(w);
            }
        }
        free(sh->buckets);
        pthread_mutex_destroy(&sh->lock);
    }
    free(purg->heap);
    pthread_cond_destroy(&purg->timer_cond);
    pthread_mutex_destroy(&purg->timer_lock);
    free(purg->name);
    free(purg);
}
