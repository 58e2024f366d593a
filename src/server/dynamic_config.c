/*
 * dynamic_config.c: the dynamic config manager of dynamic_config.h.
 *
 * STATE.  d->current is the published effective broker config (atomic
 * pointer, readers on any thread); d->retired keeps every config it
 * replaced alive until destroy, so a reader never needs a reference.
 * d->last is the last notification sequence number handled; it,
 * d->owned and d->retired are touched only by the writer (start-up, then
 * the controller thread), never concurrently.
 *
 * APPLYING LIVE.  A new topic or broker config reaches the running logs
 * through sm_tcfg_invalidate / sm_tcfg_set_defaults (the cache) and then
 * sm_partition_set_log_config on every hosted partition of the affected
 * topics (from the metadata cache), so the retention and roll checks and
 * the Produce path see it on their next use without a restart.  The
 * controller gets the broker default of unclean.leader.election.enable
 * and, after any topic or broker change, elects offline partitions again
 * (sm_controller_config_changed), as Kafka's config handlers do.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_map.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "controller/controller.h"
#include "server/broker.h"
#include "server/dynamic_config.h"
#include "server/partition.h"
#include "server/topic_config_cache.h"
#include "zk/kafka_zk.h"

#define SM_DYNCFG_LOG "config"

struct sm_dyncfg {
    sm_broker_t *b;
    _Atomic(const sm_config_t *) current;  /* b->cfg or an owned config */
    sm_config_t **retired;          /* owned, replaced configs */
    int nretired;
    sm_config_t *owned;             /* current if built here, else NULL */
    int64_t last;                   /* last notification handled */
    int watching;                   /* a controller routes the watch */
    sm_controller_t *ctl;           /* NULL in unit tests */
    int64_t expiration_ms;          /* notification purge age */
};

/* ---------------------------------------------------------- pure parts */

int64_t
sm_dyncfg_change_number(const char *child)
{
    const char *seq = child ? sm_zk_config_change_seq(child) : NULL;
    char *end;
    long long v;

    if (seq == NULL || *seq < '0' || *seq > '9')
        return -1;
    v = strtoll(seq, &end, 10);
    if (*end != '\0' || v < 0)
        return -1;
    return (int64_t)v;
}

sm_dyncfg_action_t
sm_dyncfg_action(const sm_zk_config_change_t *c, int32_t broker_id)
{
    char *end;
    long id;

    if (c->entity_name == NULL)
        return SM_DYNCFG_IGNORE;
    if (c->entity_type == SM_ZK_ENTITY_TOPICS)
        return SM_DYNCFG_TOPIC;
    if (c->entity_type != SM_ZK_ENTITY_BROKERS)
        return SM_DYNCFG_IGNORE;
    if (strcmp(c->entity_name, SM_ZK_DEFAULT_ENTITY) == 0)
        return SM_DYNCFG_BROKER;
    id = strtol(c->entity_name, &end, 10);
    if (c->entity_name[0] == '\0' || *end != '\0' || id != broker_id)
        return SM_DYNCFG_IGNORE;
    return SM_DYNCFG_BROKER;
}

int
sm_dyncfg_select(const char *const *children, int n, int64_t *last,
                 int *idx)
{
    int cnt = 0;

    for (int i = 0; i < n; i++) {
        int64_t seq = sm_dyncfg_change_number(children[i]);
        int j;

        if (seq < 0 || seq <= *last)
            continue;
        /* insertion by sequence number: ZooKeeper lists in any order */
        for (j = cnt; j > 0 &&
             sm_dyncfg_change_number(children[idx[j - 1]]) > seq; j--)
            idx[j] = idx[j - 1];
        idx[j] = i;
        cnt++;
    }
    if (cnt > 0)
        *last = sm_dyncfg_change_number(children[idx[cnt - 1]]);
    return cnt;
}

int
sm_dyncfg_obsolete(int64_t now_ms, int64_t ctime_ms, int64_t expiration_ms)
{
    return now_ms - ctime_ms > expiration_ms;
}

/* ---------------------------------------------------------- applying */

/* Push topic's effective config into its hosted logs. */
static void
sm_dyncfg_push_topic(sm_dyncfg_t *d, const char *topic)
{
    sm_broker_t *b = d->b;
    const sm_md_topic_t *mt;
    sm_mdsnap_t *snap;
    sm_tcfg_t *t;
    int32_t n;

    if (b->tcfg == NULL || b->rm == NULL)
        return;                         /* unit tests: nothing hosted */
    if (sm_tcfg_get(b->tcfg, topic, &t) != SM_OK)
        return;                         /* logged by the cache */
    snap = sm_mdcache_snapshot(b->mdcache);
    mt = sm_mdsnap_topic(snap, topic);
    n = mt ? mt->npartitions : 0;
    sm_mdsnap_release(b->mdcache, snap);
    for (int32_t i = 0; i < n; i++) {
        sm_partition_t *p = sm_rm_get(b->rm, topic, i);

        if (p == NULL)
            continue;
        sm_partition_set_log_config(p, &t->lcfg);
        sm_partition_release(p);
    }
    sm_tcfg_release(b->tcfg, t);
}

static void
sm_dyncfg_push_all(sm_dyncfg_t *d)
{
    sm_broker_t *b = d->b;
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    char **topics = NULL;
    size_t it = 0;
    int n = 0;
    const char *k;

    topics = sm_calloc(sm_map_count(&snap->topics) + 1, sizeof(*topics));
    while (sm_map_next(&snap->topics, &it, &k, NULL))
        topics[n++] = sm_strdup(k);
    sm_mdsnap_release(b->mdcache, snap);
    for (int i = 0; i < n; i++) {
        sm_dyncfg_push_topic(d, topics[i]);
        free(topics[i]);
    }
    free(topics);
}

static void
sm_dyncfg_props(const sm_zk_config_t *zc, sm_props_t *props)
{
    sm_props_init(props);
    for (int i = 0; i < zc->cnt; i++)
        sm_props_set(props, zc->keys[i], zc->values[i], 0);
}

/* Re-read /config/brokers/<default> and /config/brokers/<id>; publish a
 * new effective config.  Kafka keeps the old config when the new one is
 * invalid, and so do we. */
static sm_err_t
sm_dyncfg_reload_broker(sm_dyncfg_t *d)
{
    sm_broker_t *b = d->b;
    sm_zk_config_t def = { 0 }, per = { 0 };
    sm_props_t pdef, pper;
    sm_config_t *cfg = NULL;
    char idbuf[16], errstr[512] = "";
    sm_err_t err;

    snprintf(idbuf, sizeof(idbuf), "%d", (int)b->id);
    err = sm_zk_get_entity_config(b->zk, SM_ZK_ENTITY_BROKERS,
                                  SM_ZK_DEFAULT_ENTITY, &def);
    if (err == SM_OK)
        err = sm_zk_get_entity_config(b->zk, SM_ZK_ENTITY_BROKERS, idbuf,
                                      &per);
    if (err != SM_OK) {
        sm_error(SM_DYNCFG_LOG, "reading the dynamic broker configs "
                 "failed: %s", sm_err_desc(err));
        goto out;
    }
    if (def.cnt == 0 && per.cnt == 0 && d->owned == NULL)
        goto out;                       /* start-up, nothing dynamic */
    sm_dyncfg_props(&def, &pdef);
    sm_dyncfg_props(&per, &pper);
    err = sm_config_apply_dynamic(b->cfg, &pdef, &pper, &cfg, errstr,
                                  sizeof(errstr));
    sm_props_fini(&pdef);
    sm_props_fini(&pper);
    if (err != SM_OK) {
        sm_error(SM_DYNCFG_LOG, "invalid dynamic broker config ignored, "
                 "keeping the current one: %s", errstr);
        goto out;
    }
    if (d->owned != NULL) {
        d->retired = sm_realloc(d->retired, (size_t)(d->nretired + 1) *
                                sizeof(*d->retired));
        d->retired[d->nretired++] = d->owned;
    }
    d->owned = cfg;
    atomic_store(&d->current, cfg);
    if (b->tcfg != NULL)
        sm_tcfg_set_defaults(b->tcfg, cfg);
    sm_info(SM_DYNCFG_LOG, "dynamic broker config updated (%d per-broker, "
            "%d cluster-default keys)", per.cnt, def.cnt);
out:
    sm_zk_config_fini(&def);
    sm_zk_config_fini(&per);
    return err;
}

/* Handle one notification child; errors are logged and skipped. */
static void
sm_dyncfg_process_one(sm_dyncfg_t *d, const char *child)
{
    sm_zk_config_change_t c;
    sm_err_t err;

    err = sm_zk_get_config_change(d->b->zk, child, &c, NULL);
    if (err != SM_OK) {
        sm_warn(SM_DYNCFG_LOG, "config change %s skipped: %s", child,
                sm_err_desc(err));
        return;
    }
    switch (sm_dyncfg_action(&c, d->b->id)) {
    case SM_DYNCFG_TOPIC:
        sm_info(SM_DYNCFG_LOG, "processing override for entityPath: "
                "topics/%s", c.entity_name);
        if (d->b->tcfg != NULL)
            sm_tcfg_invalidate(d->b->tcfg, c.entity_name);
        sm_dyncfg_push_topic(d, c.entity_name);
        /* unclean.leader.election.enable may now allow an election */
        if (d->ctl != NULL)
            (void)sm_controller_config_changed(d->ctl, -1);
        break;
    case SM_DYNCFG_BROKER:
        sm_info(SM_DYNCFG_LOG, "processing override for entityPath: "
                "brokers/%s", c.entity_name);
        if (sm_dyncfg_reload_broker(d) != SM_OK)
            break;
        sm_dyncfg_push_all(d);
        if (d->ctl != NULL)
            (void)sm_controller_config_changed(d->ctl,
                sm_dyncfg_current(d)->unclean_leader_election_enable);
        break;
    default:
        sm_debug(SM_DYNCFG_LOG, "config change %s for %s/%s ignored", child,
                 sm_zk_entity_name(c.entity_type), c.entity_name);
        break;
    }
    sm_zk_config_change_fini(&c);
}

/* Delete the notifications older than the expiration (Kafka's
 * purgeObsoleteNotifications). */
static void
sm_dyncfg_purge(sm_dyncfg_t *d, const sm_zk_strings_t *ch, int64_t now)
{
    for (int i = 0; i < ch->cnt; i++) {
        sm_zk_config_change_t c;
        int64_t ctime = 0;

        if (sm_zk_get_config_change(d->b->zk, ch->v[i], &c, &ctime) !=
            SM_OK)
            continue;
        sm_zk_config_change_fini(&c);
        if (sm_dyncfg_obsolete(now, ctime, d->expiration_ms) &&
            sm_zk_delete_config_change(d->b->zk, ch->v[i]) == SM_OK)
            sm_debug(SM_DYNCFG_LOG, "purged change notification %s",
                     ch->v[i]);
    }
}

/* Read the children (re-arming the child watch when watch is set),
 * handle the new ones (or, at start, only note the highest sequence
 * number), purge the old ones. */
static void
sm_dyncfg_scan(sm_dyncfg_t *d, int watch, int apply)
{
    sm_zk_strings_t ch = { 0 };
    int64_t now = sm_now_ms();
    int *idx, n;
    sm_err_t err;

    err = sm_zk_get_config_changes(d->b->zk, watch, &ch);
    if (err != SM_OK) {
        sm_error(SM_DYNCFG_LOG, "reading /config/changes failed: %s",
                 sm_err_desc(err));
        return;
    }
    idx = sm_calloc((size_t)ch.cnt + 1, sizeof(*idx));
    n = sm_dyncfg_select((const char *const *)ch.v, ch.cnt, &d->last, idx);
    for (int i = 0; apply && i < n; i++)
        sm_dyncfg_process_one(d, ch.v[idx[i]]);
    free(idx);
    sm_dyncfg_purge(d, &ch, now);
    sm_zk_strings_fini(&ch);
}

void
sm_dyncfg_poll(sm_dyncfg_t *d)
{
    sm_dyncfg_scan(d, d->watching, 1);
}

/* Controller thread: a child change of /config/changes, or a session
 * event (a new session lost the watch: re-read). */
static void
sm_dyncfg_on_zk(sm_controller_t *ctl, sm_zk_t *zk, sm_zk_ev_type_t type,
                const char *path, void *arg)
{
    sm_dyncfg_t *d = arg;

    (void)ctl; (void)zk;
    if (path == NULL ? type == SM_ZK_EV_SESSION_ESTABLISHED
                     : type == SM_ZK_EV_NODE_CHILDREN_CHANGED)
        sm_dyncfg_poll(d);
}

/* ---------------------------------------------------------- lifecycle */

sm_dyncfg_t *
sm_dyncfg_new(sm_broker_t *b)
{
    sm_dyncfg_t *d = sm_calloc(1, sizeof(*d));

    d->b = b;
    d->last = -1;
    d->expiration_ms = SM_DYNCFG_CHANGE_EXPIRATION_MS;
    atomic_init(&d->current, b->cfg);
    return d;
}

sm_err_t
sm_dyncfg_start(sm_dyncfg_t *d, sm_controller_t *ctl)
{
    sm_err_t err = SM_OK;

    if (ctl != NULL) {
        err = sm_controller_watch_prefix(ctl, sm_zk_path_config_changes(),
                                         sm_dyncfg_on_zk, d);
        d->watching = err == SM_OK;
        d->ctl = ctl;
    }
    /* note the last notification before reading the entities: one that
     * lands in between is then handled again later, never lost */
    if (err == SM_OK)
        sm_dyncfg_scan(d, d->watching, 0);
    (void)sm_dyncfg_reload_broker(d);   /* invalid: logged, static kept */
    if (ctl != NULL)
        sm_controller_set_unclean_default(ctl,
            sm_dyncfg_current(d)->unclean_leader_election_enable);
    sm_info(SM_DYNCFG_LOG, "dynamic config manager started; notifications "
            "up to %lld were already applied by the reload",
            (long long)d->last);
    return err;
}

const sm_config_t *
sm_dyncfg_current(sm_dyncfg_t *d)
{
    return atomic_load(&d->current);
}

int
sm_offsets_storage_parse(const char *s)
{
    if (s == NULL || strcmp(s, "kafka") == 0)
        return SM_OFFSETS_STORAGE_KAFKA;
    if (strcmp(s, "zookeeper") == 0)
        return SM_OFFSETS_STORAGE_ZOOKEEPER;
    if (strcmp(s, "dual") == 0)
        return SM_OFFSETS_STORAGE_DUAL;
    return -1;
}

sm_offsets_storage_t
sm_dyncfg_offsets_storage(sm_dyncfg_t *d)
{
    int v = sm_offsets_storage_parse(sm_dyncfg_current(d)->offsets_storage);

    return v < 0 ? SM_OFFSETS_STORAGE_KAFKA : (sm_offsets_storage_t)v;
}

const sm_config_t *
sm_broker_config(const sm_broker_t *b)
{
    return b->dyncfg != NULL ? sm_dyncfg_current(b->dyncfg) : b->cfg;
}

sm_offsets_storage_t
sm_broker_offsets_storage(const sm_broker_t *b)
{
    int v = sm_offsets_storage_parse(sm_broker_config(b)->offsets_storage);

    return v < 0 ? SM_OFFSETS_STORAGE_KAFKA : (sm_offsets_storage_t)v;
}

void
sm_dyncfg_set_expiration(sm_dyncfg_t *d, int64_t expiration_ms)
{
    d->expiration_ms = expiration_ms;
}

int64_t
sm_dyncfg_last_change(sm_dyncfg_t *d)
{
    return d->last;
}

void
sm_dyncfg_destroy(sm_dyncfg_t *d)
{
    if (d == NULL)
        return;
    for (int i = 0; i < d->nretired; i++)
        sm_config_destroy(d->retired[i]);
    free(d->retired);
    sm_config_destroy(d->owned);
    free(d);
}
