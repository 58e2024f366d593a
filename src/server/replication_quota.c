/*
 * replication_quota.c: rate measurement and throttled-replica lists for
 * replication throttling (contract in replication_quota.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "server/replication_quota.h"

void
sm_repl_quota_init(sm_repl_quota_t *q, int nwin, int64_t win_ms)
{
    memset(q, 0, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    q->nwin = nwin > 1 ? nwin : 2;
    q->win_ms = win_ms > 0 ? win_ms : 1000;
    q->start = sm_calloc((size_t)q->nwin, sizeof(*q->start));
    q->bytes = sm_calloc((size_t)q->nwin, sizeof(*q->bytes));
    for (int i = 0; i < q->nwin; i++)
        q->start[i] = -1;
}

void
sm_repl_quota_fini(sm_repl_quota_t *q)
{
    pthread_mutex_destroy(&q->lock);
    free(q->start);
    free(q->bytes);
}

/* Forget samples older than the kept span.  q->lock held. */
static void
sm_repl_quota_purge_locked(sm_repl_quota_t *q, int64_t now_ms)
{
    for (int i = 0; i < q->nwin; i++)
        if (q->start[i] >= 0 && now_ms - q->start[i] >= q->nwin * q->win_ms) {
            q->start[i] = -1;
            q->bytes[i] = 0;
        }
}

void
sm_repl_quota_record(sm_repl_quota_t *q, int64_t bytes, int64_t now_ms)
{
    pthread_mutex_lock(&q->lock);
    sm_repl_quota_purge_locked(q, now_ms);
    if (q->start[q->cur] < 0 || now_ms - q->start[q->cur] >= q->win_ms) {
        q->cur = (q->cur + 1) % q->nwin;
        q->start[q->cur] = now_ms;
        q->bytes[q->cur] = 0;
    }
    q->bytes[q->cur] += bytes;
    pthread_mutex_unlock(&q->lock);
}

double
sm_repl_quota_rate(sm_repl_quota_t *q, int64_t now_ms)
{
    int64_t total = 0, oldest = -1, elapsed, floor_ms;

    pthread_mutex_lock(&q->lock);
    sm_repl_quota_purge_locked(q, now_ms);
    for (int i = 0; i < q->nwin; i++) {
        if (q->start[i] < 0)
            continue;
        total += q->bytes[i];
        if (oldest < 0 || q->start[i] < oldest)
            oldest = q->start[i];
    }
    pthread_mutex_unlock(&q->lock);
    elapsed = oldest < 0 ? 0 : now_ms - oldest;
    floor_ms = (int64_t)(q->nwin - 1) * q->win_ms;
    if (elapsed < floor_ms)
        elapsed = floor_ms;
    return (double)total * 1000.0 / (double)elapsed;
}

int
sm_repl_quota_exceeded(sm_repl_quota_t *q, int64_t limit, int64_t now_ms)
{
    if (limit == SM_REPL_QUOTA_UNLIMITED)
        return 0;
    return sm_repl_quota_rate(q, now_ms) > (double)limit;
}

int
sm_repl_throttled(const sm_config_list_t *l, int32_t partition,
                  int32_t broker_id)
{
    for (int i = 0; l != NULL && i < l->n; i++) {
        const char *e = l->v[i], *colon;
        char *end;
        long p, b;

        if (strcmp(e, "*") == 0)
            return 1;
        if ((colon = strchr(e, ':')) == NULL)
            continue;
        p = strtol(e, &end, 10);
        if (end != colon)
            continue;
        b = strtol(colon + 1, &end, 10);
        if (*end == '\0' && p == partition && b == broker_id)
            return 1;
    }
    return 0;
}
