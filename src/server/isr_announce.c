/*
 * isr_announce.c: batching of ISR change notifications (contract and
 * reasoning in isr_announce.h).
 */
#include <string.h>

#include "server/isr_announce.h"

void
sm_isr_announce_init(sm_isr_announce_t *a, int64_t blackout_ms,
                     int64_t max_delay_ms)
{
    memset(a, 0, sizeof(*a));
    pthread_mutex_init(&a->lock, NULL);
    a->first_ms = -1;
    a->blackout_ms = blackout_ms;
    a->max_delay_ms = max_delay_ms;
}

void
sm_isr_announce_fini(sm_isr_announce_t *a)
{
    sm_zk_tps_fini(&a->pending);
    pthread_mutex_destroy(&a->lock);
}

static int
sm_isr_announce_has_locked(const sm_isr_announce_t *a, const char *topic,
                           int32_t partition)
{
    for (int i = 0; i < a->pending.cnt; i++)
        if (a->pending.v[i].partition == partition &&
            strcmp(a->pending.v[i].topic, topic) == 0)
            return 1;
    return 0;
}

void
sm_isr_announce_add(sm_isr_announce_t *a, const char *topic,
                    int32_t partition, int64_t now_ms)
{
    pthread_mutex_lock(&a->lock);
    if (!sm_isr_announce_has_locked(a, topic, partition))
        (void)sm_zk_tps_add(&a->pending, topic, partition);
    if (a->first_ms < 0)
        a->first_ms = now_ms;
    a->last_ms = now_ms;
    pthread_mutex_unlock(&a->lock);
}

int
sm_isr_announce_take(sm_isr_announce_t *a, int64_t now_ms, int force,
                     sm_zk_tps_t *out)
{
    int due;

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&a->lock);
    due = a->pending.cnt > 0 &&
          (force || now_ms - a->last_ms >= a->blackout_ms ||
           now_ms - a->first_ms >= a->max_delay_ms);
    if (due) {
        *out = a->pending;
        memset(&a->pending, 0, sizeof(a->pending));
        a->first_ms = -1;
    }
    pthread_mutex_unlock(&a->lock);
    return due;
}

int
sm_isr_announce_pending(sm_isr_announce_t *a)
{
    int n;

    pthread_mutex_lock(&a->lock);
    n = a->pending.cnt;
    pthread_mutex_unlock(&a->lock);
    return n;
}
