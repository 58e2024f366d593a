/*
 * coordinator.c: groups and offsets of one broker behind one mutex, plus
 * the ticker thread (threads and locks: coordinator.h).
 *
 * The ticker wakes every SM_COORD_TICK_MS and ticks every group, so
 * deadlines are met within one tick; Kafka's purgatory timer has the same
 * resolution order (its wheel ticks every 1 ms, but the join and heartbeat
 * deadlines it serves are seconds long).  A group lives as long as the
 * broker: Empty groups keep their offsets (offsets.retention.minutes is
 * not applied yet).
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_map.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "coordinator/coordinator.h"

typedef struct co_offset {
    char    *topic;
    int32_t  partition;
    int64_t  offset;
    char    *metadata;          /* NULL: null */
    int64_t  commit_ts;
} co_offset_t;

typedef struct co_group {
    sm_grp_t *grp;
    sm_map_t  offsets;          /* "<partition>/<topic>" -> co_offset_t */
} co_group_t;

struct sm_coord {
    pthread_mutex_t lock;
    pthread_cond_t  cond;
    int             stop;
    int             dead;       /* after sm_coord_shutdown */
    pthread_t       ticker;
    sm_grp_conf_t   conf;
    sm_map_t        groups;     /* group id -> co_group_t */
};

static co_group_t *
co_group(sm_coord_t *co, const char *id, int create)
{
    co_group_t *g = sm_map_get(&co->groups, id);

    if (g == NULL && create && !co->dead) {
        g = sm_calloc(1, sizeof(*g));
        g->grp = sm_grp_new(id, &co->conf);
        sm_map_init(&g->offsets);
        sm_map_put(&co->groups, id, g);
    }
    return g;
}

static void
co_group_free(co_group_t *g)
{
    size_t it = 0;
    const char *k;
    void *v;

    while (sm_map_next(&g->offsets, &it, &k, &v)) {
        co_offset_t *o = v;

        free(o->topic);
        free(o->metadata);
        free(o);
    }
    sm_map_fini(&g->offsets);
    sm_grp_destroy(g->grp);
    free(g);
}

static void *
co_ticker(void *arg)
{
    sm_coord_t *co = arg;

    pthread_mutex_lock(&co->lock);
    while (!co->stop) {
        struct timespec ts;
        size_t it = 0;
        const char *k;
        void *v;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += SM_COORD_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&co->cond, &co->lock, &ts);
        while (!co->stop && sm_map_next(&co->groups, &it, &k, &v))
            sm_grp_tick(((co_group_t *)v)->grp, sm_mono_ms());
    }
    pthread_mutex_unlock(&co->lock);
    return NULL;
}

sm_coord_t *
sm_coord_new(const sm_grp_conf_t *conf)
{
    sm_coord_t *co = sm_calloc(1, sizeof(*co));
    int rc;

    pthread_mutex_init(&co->lock, NULL);
    pthread_cond_init(&co->cond, NULL);
    co->conf = *conf;
    sm_map_init(&co->groups);
    if ((rc = pthread_create(&co->ticker, NULL, co_ticker, co)) != 0) {
        sm_error("coordinator", "pthread_create(ticker) failed: %s",
                 strerror(rc));
        pthread_cond_destroy(&co->cond);
        pthread_mutex_destroy(&co->lock);
        sm_map_fini(&co->groups);
        free(co);
        return NULL;
    }
    return co;
}

void
sm_coord_shutdown(sm_coord_t *co)
{
    size_t it = 0;
    const char *k;
    void *v;

    pthread_mutex_lock(&co->lock);
    co->dead = 1;
    while (sm_map_next(&co->groups, &it, &k, &v))
        sm_grp_kill(((co_group_t *)v)->grp);
    pthread_mutex_unlock(&co->lock);
}

void
sm_coord_destroy(sm_coord_t *co)
{
    size_t it = 0;
    const char *k;
    void *v;

    if (co == NULL)
        return;
    sm_coord_shutdown(co);
    pthread_mutex_lock(&co->lock);
    co->stop = 1;
    pthread_cond_signal(&co->cond);
    pthread_mutex_unlock(&co->lock);
    pthread_join(co->ticker, NULL);
    while (sm_map_next(&co->groups, &it, &k, &v))
        co_group_free(v);
    sm_map_fini(&co->groups);
    pthread_cond_destroy(&co->cond);
    pthread_mutex_destroy(&co->lock);
    free(co);
}

void
sm_coord_join(sm_coord_t *co, const char *group, const sm_grp_join_req_t *req)
{
    co_group_t *g;

    pthread_mutex_lock(&co->lock);
    /* Kafka creates the group only for a new member (empty id). */
    g = co_group(co, group, req->member_id.len <= 0);
    if (g == NULL) {
        sm_grp_join_result_t res = { co->dead
                                         ? SM_ERR_COORDINATOR_NOT_AVAILABLE
                                         : SM_ERR_UNKNOWN_MEMBER_ID,
                                     -1, "", "", "", 0, NULL };
        char *mid = sm_str_dup(req->member_id);

        res.member_id = mid ? mid : "";
        req->cb(req->arg, &res);
        free(mid);
    } else {
        sm_grp_join(g->grp, req, sm_mono_ms());
    }
    pthread_mutex_unlock(&co->lock);
}

void
sm_coord_sync(sm_coord_t *co, const char *group, sm_str_t member_id,
              int32_t generation, int nassign,
              const sm_grp_assignment_t *assign, sm_grp_sync_fn cb, void *arg)
{
    co_group_t *g;

    pthread_mutex_lock(&co->lock);
    g = co_group(co, group, 0);
    if (g == NULL)
        cb(arg, SM_ERR_UNKNOWN_MEMBER_ID, (sm_bytes_t){
               (const uint8_t *)"", 0 });
    else
        sm_grp_sync(g->grp, member_id, generation, nassign, assign, cb, arg,
                    sm_mono_ms());
    pthread_mutex_unlock(&co->lock);
}

sm_err_t
sm_coord_heartbeat(sm_coord_t *co, const char *group, sm_str_t member_id,
                   int32_t generation)
{
    co_group_t *g;
    sm_err_t err = SM_ERR_UNKNOWN_MEMBER_ID;

    pthread_mutex_lock(&co->lock);
    if ((g = co_group(co, group, 0)) != NULL)
        err = sm_grp_heartbeat(g->grp, member_id, generation, sm_mono_ms());
    pthread_mutex_unlock(&co->lock);
    return err;
}

sm_err_t
sm_coord_leave(sm_coord_t *co, const char *group, sm_str_t member_id)
{
    co_group_t *g;
    sm_err_t err = SM_ERR_UNKNOWN_MEMBER_ID;

    pthread_mutex_lock(&co->lock);
    if ((g = co_group(co, group, 0)) != NULL)
        err = sm_grp_leave(g->grp, member_id, sm_mono_ms());
    pthread_mutex_unlock(&co->lock);
    return err;
}

sm_err_t
sm_coord_commit_check(sm_coord_t *co, const char *group, sm_str_t member_id,
                      int32_t generation)
{
    co_group_t *g;
    sm_err_t err = SM_ERR_ILLEGAL_GENERATION;

    pthread_mutex_lock(&co->lock);
    if ((g = co_group(co, group, generation < 0)) != NULL)
        err = sm_grp_validate_commit(g->grp, member_id, generation,
                                     sm_mono_ms());
    pthread_mutex_unlock(&co->lock);
    return err;
}

static char *
co_offset_key(sm_str_t topic, int32_t partition)
{
    size_t n = (size_t)(topic.len > 0 ? topic.len : 0) + 16;
    char *k = sm_malloc(n);

    snprintf(k, n, "%d/%.*s", (int)partition, SM_STR_ARG(topic));
    return k;
}

void
sm_coord_commit(sm_coord_t *co, const char *group, sm_str_t topic,
                int32_t partition, int64_t offset, sm_str_t metadata)
{
    char *key = co_offset_key(topic, partition);
    co_group_t *g;
    co_offset_t *o;

    pthread_mutex_lock(&co->lock);
    g = co_group(co, group, 1);
    if (g == NULL) {                    /* shut down meanwhile */
        pthread_mutex_unlock(&co->lock);
        free(key);
        return;
    }
    if ((o = sm_map_get(&g->offsets, key)) == NULL) {
        o = sm_calloc(1, sizeof(*o));
        o->topic = sm_str_dup(topic);
        o->partition = partition;
        sm_map_put(&g->offsets, key, o);
    }
    free(o->metadata);
    o->metadata = sm_str_dup(metadata);
    o->offset = offset;
    o->commit_ts = sm_now_ms();
    pthread_mutex_unlock(&co->lock);
    free(key);
}

int64_t
sm_coord_fetch(sm_coord_t *co, const char *group, sm_str_t topic,
               int32_t partition, char **metadata)
{
    char *key = co_offset_key(topic, partition);
    co_group_t *g;
    co_offset_t *o = NULL;
    int64_t off = -1;

    *metadata = NULL;
    pthread_mutex_lock(&co->lock);
    if ((g = co_group(co, group, 0)) != NULL &&
        (o = sm_map_get(&g->offsets, key)) != NULL) {
        off = o->offset;
        *metadata = o->metadata ? sm_strdup(o->metadata) : NULL;
    }
    pthread_mutex_unlock(&co->lock);
    free(key);
    return off;
}

void
sm_coord_fetch_all(sm_coord_t *co, const char *group, sm_coord_offset_fn fn,
                   void *arg)
{
    co_group_t *g;

    pthread_mutex_lock(&co->lock);
    if ((g = co_group(co, group, 0)) != NULL) {
        size_t it = 0;
        const char *k;
        void *v;

        while (sm_map_next(&g->offsets, &it, &k, &v)) {
            co_offset_t *o = v;
            sm_coord_offset_t out = { o->topic, o->partition, o->offset,
                                      o->metadata };
            fn(arg, &out);
        }
    }
    pthread_mutex_unlock(&co->lock);
}

void
sm_coord_list(sm_coord_t *co, sm_coord_group_fn fn, void *arg)
{
    size_t it = 0;
    const char *k;
    void *v;

    pthread_mutex_lock(&co->lock);
    while (sm_map_next(&co->groups, &it, &k, &v))
        fn(arg, ((co_group_t *)v)->grp);
    pthread_mutex_unlock(&co->lock);
}

void
sm_coord_describe(sm_coord_t *co, const char *group, sm_coord_group_fn fn,
                  void *arg)
{
    co_group_t *g;

    pthread_mutex_lock(&co->lock);
    g = co_group(co, group, 0);
    fn(arg, g ? g->grp : NULL);
    pthread_mutex_unlock(&co->lock);
}

/* Next code point of UTF-8 s at *i (advanced); U+FFFD for a bad byte. */
static uint32_t
co_utf8_next(const uint8_t *s, int32_t n, int32_t *i)
{
    uint32_t c = s[*i], cp;
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
            : (c >> 3) == 30 ? 4 : 0;

    if (len == 1) {
        (*i)++;
        return c;
    }
    if (len == 0 || *i + len > n) {
        (*i)++;
        return 0xfffd;
    }
    cp = c & (0x7fu >> len);
    for (int k = 1; k < len; k++) {
        if ((s[*i + k] & 0xc0) != 0x80) {
            (*i)++;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3fu);
    }
    *i += len;
    return cp;
}

int32_t
sm_coord_partition_for(sm_str_t group, int32_t npartitions)
{
    const uint8_t *s = (const uint8_t *)group.ptr;
    uint32_t h = 0;
    int32_t i = 0, hs;

    while (i < group.len) {
        uint32_t cp = co_utf8_next(s, group.len, &i);

        if (cp >= 0x10000) {            /* a surrogate pair in UTF-16 */
            cp -= 0x10000;
            h = h * 31u + (0xd800u | (cp >> 10));
            h = h * 31u + (0xdc00u | (cp & 0x3ffu));
        } else {
            h = h * 31u + cp;
        }
    }
    hs = (int32_t)h;
    hs = hs == INT32_MIN ? 0 : hs < 0 ? -hs : hs;   /* Kafka's Utils.abs */
    return npartitions > 0 ? hs % npartitions : 0;
}
