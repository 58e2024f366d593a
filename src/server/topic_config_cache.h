/*
 * topic_config_cache.h: each topic's effective configuration (broker
 * defaults overlaid with /config/topics/<topic>), cached so the Produce and
 * Fetch paths never read ZooKeeper.
 *
 * Entries are immutable and refcounted: sm_tcfg_get() returns one with a
 * reference the caller drops with sm_tcfg_release().  A topic config change
 * or deletion calls sm_tcfg_invalidate(); the next get reloads.  A broker
 * default change calls sm_tcfg_set_defaults(), which drops everything.  The cache
 * lock is never held across the ZooKeeper read.  Thread-safe.
 */
#ifndef SM_SERVER_TOPIC_CONFIG_CACHE_H
#define SM_SERVER_TOPIC_CONFIG_CACHE_H

#include "common/sm_err.h"
#include "log/log.h"
#include "server/config.h"
#include "zk/zk_client.h"

typedef struct sm_tcfg_cache sm_tcfg_cache_t;

typedef struct sm_tcfg {
    int               refcnt;     /* guarded by the cache lock */
    sm_topic_config_t tc;
    sm_log_config_t   lcfg;
    int               codec;      /* compression.type: -1 producer, else
                                     SM_CODEC_* ("uncompressed" = none) */
} sm_tcfg_t;

sm_tcfg_cache_t *sm_tcfg_cache_new(const sm_config_t *cfg, sm_zk_t *zk);
void             sm_tcfg_cache_destroy(sm_tcfg_cache_t *c);
/* The topic's config (loading it on a miss), or an error from ZooKeeper
 * or an invalid stored config. */
sm_err_t sm_tcfg_get(sm_tcfg_cache_t *c, const char *topic, sm_tcfg_t **out);
void     sm_tcfg_release(sm_tcfg_cache_t *c, sm_tcfg_t *t);
void     sm_tcfg_invalidate(sm_tcfg_cache_t *c, const char *topic);
/* New broker defaults (a dynamic broker config change): cfg must outlive
 * the cache; every entry is dropped and reloads over cfg on its next get. */
void     sm_tcfg_set_defaults(sm_tcfg_cache_t *c, const sm_config_t *cfg);

#endif
