/*
 * dynamic_config.h: dynamic configuration through ZooKeeper - Kafka's
 * DynamicConfigManager and ZkNodeChangeNotificationListener (ZK mode,
 * Kafka 2.x).
 *
 * Admin tools (kafka-configs.sh --zookeeper, AdminZkClient) write
 * /config/<type>/<name> and then a sequential notification
 * /config/changes/config_change_<seq> naming the entity.  Every broker
 * watches /config/changes; for each notification newer than the last one
 * it handled it re-reads the entity and applies it live:
 *
 *   topics/<t>            the topic config cache entry is dropped and the
 *                         new effective config pushed into every hosted
 *                         log of <t> (retention, segment rolling, ...);
 *                         the controller retries offline elections
 *   brokers/<default>,    both broker entities are re-read and a new
 *   brokers/<this id>     effective broker config is built over the
 *                         static one (sm_config_apply_dynamic), published,
 *                         and pushed to the topic config cache and every
 *                         hosted log (topics without overrides follow)
 *                         and to the controller (unclean election default)
 *   anything else         ignored (quotas are not implemented)
 *
 * Precedence is Kafka's: topic override > /config/brokers/<id> >
 * /config/brokers/<default> > server.properties > default.
 *
 * NOTIFICATIONS.  At start the broker reads both broker entities (topic
 * configs are read on first use by the topic config cache), so the
 * notifications already present are not replayed: the last sequence
 * number handled starts at the highest one present.  Afterwards every
 * notification above it is handled, in sequence order.  After each pass
 * notifications whose znode is older than 15 minutes are deleted, as
 * Kafka's purgeObsoleteNotifications does.  A notification that cannot be
 * read or decoded is logged and skipped.
 *
 * THREADS.  sm_dyncfg_start() runs during broker start-up, before the
 * controller thread starts; afterwards every notification is handled on
 * the controller thread (through sm_controller_watch_prefix), which is
 * then the only writer.  The effective
 * broker config is published with an atomic pointer; sm_dyncfg_current()
 * may be called from any thread and the result stays valid until
 * sm_dyncfg_destroy() (replaced configs are retired, not freed: they are
 * few, one per broker config change).
 */
#ifndef SM_SERVER_DYNAMIC_CONFIG_H
#define SM_SERVER_DYNAMIC_CONFIG_H

#include <stdint.h>

#include "common/sm_err.h"
#include "server/config.h"
#include "zk/zk_paths.h"

struct sm_broker;
struct sm_controller;

typedef struct sm_dyncfg sm_dyncfg_t;

/* Kafka's changeExpirationMs of ZkNodeChangeNotificationListener. */
#define SM_DYNCFG_CHANGE_EXPIRATION_MS (15 * 60 * 1000)

/* offsets.storage values (samsa's key, issue 5 section 3). */
typedef enum sm_offsets_storage {
    SM_OFFSETS_STORAGE_KAFKA = 0,   /* __consumer_offsets (default) */
    SM_OFFSETS_STORAGE_ZOOKEEPER,   /* /consumers/<g>/offsets/<t>/<p> */
    SM_OFFSETS_STORAGE_DUAL,        /* write both, read the larger */
} sm_offsets_storage_t;

sm_dyncfg_t *sm_dyncfg_new(struct sm_broker *b);
/*
 * Load /config/brokers/<default> and /config/brokers/<id>, publish the
 * effective config, register the /config/changes handler with ctl (NULL:
 * none, for tests that call sm_dyncfg_poll themselves), give ctl its
 * unclean election default, and skip the notifications present.  Call
 * before sm_controller_start.  An invalid stored broker config is logged and
 * the static config kept, as Kafka does.  Errors are ZooKeeper's.
 */
sm_err_t sm_dyncfg_start(sm_dyncfg_t *d, struct sm_controller *ctl);
/* Read /config/changes (re-arming the child watch), apply the new
 * notifications and purge the expired ones.  Writer thread only. */
void     sm_dyncfg_poll(sm_dyncfg_t *d);
void     sm_dyncfg_destroy(sm_dyncfg_t *d);
/* The effective broker config (static + dynamic layers); any thread.
 * The pointer stays valid until sm_dyncfg_destroy. */
const sm_config_t *sm_dyncfg_current(sm_dyncfg_t *d);
/* The effective offsets.storage, for the group coordinator; any thread. */
sm_offsets_storage_t sm_dyncfg_offsets_storage(sm_dyncfg_t *d);
/* The broker's effective config: b->dyncfg's if it has one, else the
 * static b->cfg (tools and unit tests build brokers without one).  What
 * every handler should read for a dynamic key. */
const sm_config_t *sm_broker_config(const struct sm_broker *b);
/* offsets.storage of sm_broker_config(b). */
sm_offsets_storage_t sm_broker_offsets_storage(const struct sm_broker *b);
/* The purge age of notifications (default SM_DYNCFG_CHANGE_EXPIRATION_MS;
 * tests shorten it).  Writer thread. */
void     sm_dyncfg_set_expiration(sm_dyncfg_t *d, int64_t expiration_ms);
/* Last notification sequence number handled (-1: none yet). */
int64_t  sm_dyncfg_last_change(sm_dyncfg_t *d);

/* ---------------------------------------------- pure helpers (tested) */

/* Kafka's changeNumber: the sequence number of a "config_change_<seq>"
 * child, or -1 if child is not a notification. */
int64_t sm_dyncfg_change_number(const char *child);

/* What a notification asks of broker broker_id. */
typedef enum sm_dyncfg_action {
    SM_DYNCFG_IGNORE = 0,       /* another broker, clients, users, ips */
    SM_DYNCFG_TOPIC,            /* re-read the topic */
    SM_DYNCFG_BROKER,           /* re-read both broker entities */
} sm_dyncfg_action_t;

sm_dyncfg_action_t sm_dyncfg_action(const sm_zk_config_change_t *c,
                                    int32_t broker_id);

/*
 * The indexes of children[0..n) to process, in sequence order, given the
 * last sequence number handled (*last, -1 at start); *last is advanced to
 * the highest one returned.  idx must hold n entries; returns the count.
 * Children that are not notifications are skipped.
 */
int sm_dyncfg_select(const char *const *children, int n, int64_t *last,
                     int *idx);

/* offsets.storage text -> value; -1 if not one of kafka, zookeeper, dual
 * (the config validator has already refused those). */
int sm_offsets_storage_parse(const char *s);

/* Whether a notification created at ctime_ms is old enough to purge. */
int sm_dyncfg_obsolete(int64_t now_ms, int64_t ctime_ms,
                       int64_t expiration_ms);

#endif
