/*
 * topic_config_cache.c: the cache of topic_config_cache.h.
 *
 * A miss reads /config/topics/<topic> (absent = no overrides) without the
 * lock, parses it over the broker defaults, then inserts unless another
 * thread won the race (its entry is kept, ours dropped).
 *
 * NEW DEFAULTS.  sm_tcfg_set_defaults publishes the new broker config
 * first and then empties the map, so a load racing with it may insert an
 * entry built over the old defaults; the dynamic config manager calls it
 * from one thread and pushes the reloaded configs to the logs afterwards,
 * and a racing stale entry lives only until the next change (the same
 * window Kafka has between its config update and its log update).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_map.h"
#include "common/sm_mem.h"
#include "protocol/compress.h"
#include "server/topic_config_cache.h"
#include "zk/kafka_zk.h"

struct sm_tcfg_cache {
    _Atomic(const sm_config_t *) cfg; /* broker defaults (not owned) */
    sm_zk_t *zk;
    pthread_mutex_t lock;
    sm_map_t map;                 /* topic -> sm_tcfg_t* (one ref) */
};

sm_tcfg_cache_t *
sm_tcfg_cache_new(const sm_config_t *cfg, sm_zk_t *zk)
{
    sm_tcfg_cache_t *c = sm_calloc(1, sizeof(*c));

    atomic_init(&c->cfg, cfg);
    c->zk = zk;
    pthread_mutex_init(&c->lock, NULL);
    sm_map_init(&c->map);
    return c;
}

static void
sm_tcfg_free(sm_tcfg_t *t)
{
    sm_topic_config_fini(&t->tc);
    free(t);
}

void
sm_tcfg_cache_destroy(sm_tcfg_cache_t *c)
{
    size_t it = 0;
    void *v;

    if (c == NULL)
        return;
    while (sm_map_next(&c->map, &it, NULL, &v))
        sm_tcfg_release(c, v);
    sm_map_fini(&c->map);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static int
sm_tcfg_codec(const char *name)
{
    if (name == NULL || strcmp(name, "producer") == 0)
        return -1;
    if (strcmp(name, "uncompressed") == 0)
        return SM_CODEC_NONE;
    return sm_codec_parse(name);
}

/* Read and parse the topic's config; no lock held. */
static sm_err_t
sm_tcfg_load(sm_tcfg_cache_t *c, const char *topic, sm_tcfg_t **out)
{
    sm_zk_config_t zc = { 0 };
    sm_props_t props;
    sm_tcfg_t *t;
    char errstr[256];
    sm_err_t err;

    err = sm_zk_get_entity_config(c->zk, SM_ZK_ENTITY_TOPICS, topic, &zc);
    if (err != SM_OK && err != SM_ERR__NOENT)
        return err;
    sm_props_init(&props);
    for (int i = 0; i < zc.cnt; i++)
        sm_props_set(&props, zc.keys[i], zc.values[i], 0);
    t = sm_calloc(1, sizeof(*t));
    t->refcnt = 1;
    err = sm_config_topic(atomic_load(&c->cfg), &props, 0, &t->tc, errstr,
                          sizeof(errstr));
    if (err == SM_OK) {
        sm_topic_config_log_config(&t->tc, &t->lcfg);
        t->codec = sm_tcfg_codec(t->tc.compression_type);
        *out = t;
    } else {
        sm_error("config", "invalid stored config of topic %s: %s", topic,
                 errstr);
        free(t);
    }
    sm_props_fini(&props);
    sm_zk_config_fini(&zc);
    return err;
}

sm_err_t
sm_tcfg_get(sm_tcfg_cache_t *c, const char *topic, sm_tcfg_t **out)
{
    sm_tcfg_t *t, *won;
    sm_err_t err;

    pthread_mutex_lock(&c->lock);
    t = sm_map_get(&c->map, topic);
    if (t)
        t->refcnt++;
    pthread_mutex_unlock(&c->lock);
    if (t) {
        *out = t;
        return SM_OK;
    }
    err = sm_tcfg_load(c, topic, &t);
    if (err != SM_OK)
        return err;
    pthread_mutex_lock(&c->lock);
    won = sm_map_get(&c->map, topic);
    if (won) {
        won->refcnt++;
        pthread_mutex_unlock(&c->lock);
        sm_tcfg_free(t);
        *out = won;
        return SM_OK;
    }
    t->refcnt = 2;                 /* the map's and the caller's */
    sm_map_put(&c->map, topic, t);
    pthread_mutex_unlock(&c->lock);
    *out = t;
    return SM_OK;
}

void
sm_tcfg_release(sm_tcfg_cache_t *c, sm_tcfg_t *t)
{
    int last;

    pthread_mutex_lock(&c->lock);
    last = --t->refcnt == 0;
    pthread_mutex_unlock(&c->lock);
    if (last)
        sm_tcfg_free(t);
}

void
sm_tcfg_invalidate(sm_tcfg_cache_t *c, const char *topic)
{
    sm_tcfg_t *t;

    pthread_mutex_lock(&c->lock);
    t = sm_map_del(&c->map, topic);
    pthread_mutex_unlock(&c->lock);
    if (t)
        sm_tcfg_release(c, t);
}

void
sm_tcfg_set_defaults(sm_tcfg_cache_t *c, const sm_config_t *cfg)
{
    sm_map_t old;
    size_t it = 0;
    void *v;

    atomic_store(&c->cfg, cfg);
    pthread_mutex_lock(&c->lock);
    old = c->map;
    sm_map_init(&c->map);
    pthread_mutex_unlock(&c->lock);
    while (sm_map_next(&old, &it, NULL, &v))
        sm_tcfg_release(c, v);
    sm_map_fini(&old);
}
