/*
 * broker.c: start-up, shutdown, ZooKeeper registration and the control
 * requests a controller sends (order and rules in broker.h).
 *
 * Each start-up step either succeeds or fills errstr with the step and the
 * cause; sm_broker_start() then undoes what was built, so a failed start
 * leaves no threads, sockets or locks behind.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "controller/channel_manager.h"
#include "controller/controller.h"
#include "coordinator/coordinator.h"
#include "server/broker.h"
#include "server/broker_meta.h"
#include "server/dynamic_config.h"
#include "server/group_store.h"
#include "server/replication_quota.h"
#include "server/topic_config_cache.h"
#include "zk/kafka_zk.h"

/* ------------------------------------------------------- registration */

/* Kafka advertises the canonical host name when a listener has none. */
static char *
sm_broker_default_host(void)
{
    char host[256];
    struct addrinfo hints, *ai = NULL;
    char *r;

    if (gethostname(host, sizeof(host)) != 0)
        return sm_strdup("localhost");
    host[sizeof(host) - 1] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_CANONNAME;
    if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai && ai->ai_canonname)
        r = sm_strdup(ai->ai_canonname);
    else
        r = sm_strdup(host);
    if (ai)
        freeaddrinfo(ai);
    return r;
}

/* Advertised listeners with real ports (port 0 -> the bound port). */
static void
sm_broker_resolve_advertised(sm_broker_t *b)
{
    int n = 0;
    const sm_listener_cfg_t *adv = sm_config_advertised_listeners(b->cfg, &n);

    b->advertised = sm_calloc((size_t)(n ? n : 1), sizeof(*b->advertised));
    b->nadvertised = n;
    for (int i = 0; i < n; i++) {
        sm_listener_cfg_t *a = &b->advertised[i];

        a->name = sm_strdup(adv[i].name);
        a->security_protocol = sm_strdup(adv[i].security_protocol
                                         ? adv[i].security_protocol
                                         : "PLAINTEXT");
        a->host = adv[i].host && adv[i].host[0] ? sm_strdup(adv[i].host)
                                               : sm_broker_default_host();
        a->port = adv[i].port;
        for (int j = 0; a->port == 0 && j < b->nlisteners; j++)
            if (strcmp(b->listeners[j].name, a->name) == 0)
                a->port = sm_net_bound_port(b->net, j);
    }
}

static sm_err_t
sm_broker_register(sm_broker_t *b, sm_zk_t *zk)
{
    sm_zk_broker_t zb;
    sm_err_t err;

    memset(&zb, 0, sizeof(zb));
    zb.version = 4;
    zb.jmx_port = -1;
    zb.timestamp = sm_now_ms();
    zb.rack = b->cfg->broker_rack;
    for (int i = 0; i < b->nadvertised; i++)
        sm_zk_broker_add_endpoint(&zb, b->advertised[i].name,
                                  b->advertised[i].security_protocol,
                                  b->advertised[i].host,
                                  b->advertised[i].port);
    err = sm_zk_register_broker(zk, b->id, &zb, &b->broker_epoch);
    zb.rack = NULL;                      /* borrowed from the config */
    sm_zk_broker_fini(&zb);
    if (err == SM_OK)
        sm_info("broker", "registered broker %d at /brokers/ids/%d "
                "(broker epoch %lld)", (int)b->id, (int)b->id,
                (long long)b->broker_epoch);
    return err;
}

/* A new ZooKeeper session: the ephemeral registration went with the old
 * one.  Runs on the ZooKeeper layer's re-init thread. */
static void
sm_broker_on_session(sm_zk_t *zk, void *arg)
{
    sm_broker_t *b = arg;
    sm_err_t err;

    if (atomic_load(&b->shutting_down))
        return;
    sm_warn("broker", "ZooKeeper session re-established; re-registering");
    err = sm_broker_register(b, zk);
    if (err != SM_OK)
        sm_error("broker", "re-registration of broker %d failed: %s",
                 (int)b->id, sm_err_name(err));
}

/* ------------------------------------------------ control requests */

sm_err_t
sm_broker_leader_and_isr(sm_broker_t *b, int32_t controller_id,
                         int32_t controller_epoch, const sm_pstate_t *states,
                         int n, sm_err_t *errs)
{
    sm_err_t err = sm_rm_leader_and_isr(b->rm, controller_id,
                                        controller_epoch, states, n, errs);

    if (err != SM_OK)
        for (int i = 0; i < n; i++)
            errs[i] = err;
    else
        sm_gstore_leadership(b, states, n, errs);
    return err;
}

sm_err_t
sm_broker_update_metadata(sm_broker_t *b, int32_t controller_id,
                          int32_t controller_epoch, const sm_pstate_t *states,
                          int n, const sm_md_broker_t *brokers, int nbrokers)
{
    if (sm_rm_fence_controller(b->rm, controller_epoch) != SM_OK) {
        sm_warn("broker", "ignoring UpdateMetadata from controller %d with "
                "stale epoch %d", (int)controller_id, (int)controller_epoch);
        return SM_ERR_STALE_CONTROLLER_EPOCH;
    }
    sm_mdcache_update(b->mdcache, controller_id, controller_epoch, brokers,
                      nbrokers, states, n);
    for (int i = 0; i < n; i++)
        if (states[i].leader == SM_LEADER_DURING_DELETE)
            sm_tcfg_invalidate(b->tcfg, states[i].topic);
    if (b->admin_purg)
        sm_purgatory_check_and_complete(b->admin_purg, "metadata");
    return SM_OK;
}

sm_err_t
sm_broker_stop_replica(sm_broker_t *b, int32_t controller_epoch,
                       const char *topic, int32_t partition, int del)
{
    sm_err_t err;

    if (del)
        sm_tcfg_invalidate(b->tcfg, topic);
    err = sm_rm_stop_replica(b->rm, controller_epoch, topic, partition, del);
    if (err == SM_OK)
        sm_gstore_stopped(b, topic, partition);
    return err;
}

/* The controller's channel to this broker: direct calls.  Other brokers
 * are reached over the network by the channel manager
 * (controller/channel_manager.c), which routes only this broker's own
 * requests here. */
static void
sm_broker_ch_lai(void *opaque, int32_t broker_id, int64_t broker_epoch,
                 int32_t controller_id, int32_t controller_epoch,
                 const sm_pstate_t *states, int n,
                 const sm_md_broker_t *leaders, int nleaders)
{
    sm_broker_t *b = opaque;
    sm_err_t *errs;

    (void)broker_epoch; (void)leaders; (void)nleaders;
    if (broker_id != b->id) {
        sm_warn("controller", "cannot send LeaderAndIsr to broker %d: "
                "remote control requests are not supported yet",
                (int)broker_id);
        return;
    }
    errs = sm_calloc((size_t)n + 1, sizeof(*errs));
    (void)sm_broker_leader_and_isr(b, controller_id, controller_epoch,
                                   states, n, errs);
    free(errs);
}

static void
sm_broker_ch_um(void *opaque, int32_t broker_id, int64_t broker_epoch,
                int32_t controller_id, int32_t controller_epoch,
                const sm_pstate_t *states, int n,
                const sm_md_broker_t *brokers, int nbrokers)
{
    sm_broker_t *b = opaque;

    (void)broker_epoch;
    if (broker_id != b->id) {
        sm_warn("controller", "cannot send UpdateMetadata to broker %d: "
                "remote control requests are not supported yet",
                (int)broker_id);
        return;
    }
    (void)sm_broker_update_metadata(b, controller_id, controller_epoch,
                                    states, n, brokers, nbrokers);
}

static void
sm_broker_ch_stop(void *opaque, int32_t broker_id, int64_t broker_epoch,
                  int32_t controller_id, int32_t controller_epoch,
                  const char *topic, int32_t partition, int32_t leader_epoch,
                  int del, sm_controller_completion_fn completion,
                  void *completion_arg)
{
    sm_broker_t *b = opaque;
    sm_err_t err;

    (void)broker_epoch; (void)controller_id; (void)leader_epoch;
    if (broker_id != b->id) {
        sm_warn("controller", "cannot send StopReplica to broker %d: "
                "remote control requests are not supported yet",
                (int)broker_id);
        if (completion)
            completion(completion_arg, SM_ERR_BROKER_NOT_AVAILABLE);
        return;
    }
    err = sm_broker_stop_replica(b, controller_epoch, topic, partition, del);
    if (completion)
        completion(completion_arg, err);
}


/* ------------------------------------------------------------ start */

static sm_err_t
sm_broker_rm_topic_config(void *opaque, const char *topic,
                          sm_log_config_t *out)
{
    sm_broker_t *b = opaque;
    sm_tcfg_t *t;
    sm_err_t err = sm_tcfg_get(b->tcfg, topic, &t);

    if (err != SM_OK)
        return err;
    *out = t->lcfg;
    sm_tcfg_release(b->tcfg, t);
    return SM_OK;
}

sm_err_t
sm_broker_endpoint(sm_broker_t *b, int32_t broker_id, char **host, int *port)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    const sm_md_broker_t *mb = sm_mdsnap_broker(snap, broker_id);
    const sm_md_endpoint_t *ep = NULL;
    sm_err_t err = SM_ERR__NOENT;

    if (mb != NULL) {
        ep = sm_md_broker_endpoint(mb, sm_config_inter_broker_listener(
                                           b->cfg));
        if (ep == NULL && mb->neps > 0)
            ep = &mb->eps[0];
    }
    if (ep != NULL) {
        *host = sm_strdup(ep->host);
        *port = ep->port;
        err = SM_OK;
    }
    sm_mdsnap_release(b->mdcache, snap);
    return err;
}

/* A leader's endpoint for the replica fetchers. */
static sm_err_t
sm_broker_rfm_resolve(void *opaque, int32_t broker_id, char **host,
                      int *port)
{
    return sm_broker_endpoint(opaque, broker_id, host, port);
}

/* The replica manager's ISR writer: the partition state znode (Kafka's
 * JSON, conditional on the cached zkVersion).  Runs on an I/O handler
 * thread (expansion) or the ISR thread (shrink). */
static sm_err_t
sm_broker_isr_write(void *opaque, const char *topic, int32_t partition,
                    const sm_isr_change_t *chg, int32_t *new_zk_version)
{
    sm_broker_t *b = opaque;
    sm_zk_part_state_t s;
    sm_err_t err;

    memset(&s, 0, sizeof(s));
    s.leader = chg->leader;
    s.leader_epoch = chg->leader_epoch;
    s.controller_epoch = chg->controller_epoch;
    s.isr.v = chg->isr;                 /* borrowed: not finied */
    s.isr.cnt = chg->nisr;
    s.zk_version = chg->zk_version;
    err = sm_zk_set_partition_state(b->zk, topic, partition, &s,
                                    SM_ZK_ANY_VERSION);
    if (err != SM_OK) {
        sm_warn("replica", "%s-%d: cached zkVersion %d not equal to that "
                "in ZooKeeper (%s), skip updating ISR", topic,
                (int)partition, (int)chg->zk_version, sm_err_name(err));
        return err;
    }
    *new_zk_version = s.zk_version;
    return SM_OK;
}

/* ... and its announcer: one /isr_change_notification/isr_change_ znode
 * for a batch of written changes. */
static void
sm_broker_isr_announce(void *opaque, const sm_zk_tps_t *tps)
{
    sm_broker_t *b = opaque;

    if (sm_zk_propagate_isr_changes(b->zk, tps) != SM_OK)
        sm_warn("replica", "cannot announce ISR changes of %d partitions "
                "(%s-%d first) under /isr_change_notification; the "
                "controller's cached ISR of these stays stale",
                tps->cnt, tps->v[0].topic, (int)tps->v[0].partition);
}

static void
sm_broker_start_fetchers(sm_broker_t *b)
{
    sm_rfm_opts_t o;

    memset(&o, 0, sizeof(o));
    o.local_id = b->id;
    o.num_fetchers = b->cfg->num_replica_fetchers;
    o.max_wait_ms = b->cfg->replica_fetch_wait_max_ms;
    o.min_bytes = b->cfg->replica_fetch_min_bytes;
    o.max_bytes = b->cfg->replica_fetch_response_max_bytes;
    o.partition_max_bytes = b->cfg->replica_fetch_max_bytes;
    o.backoff_ms = b->cfg->replica_fetch_backoff_ms;
    o.socket_timeout_ms = b->cfg->replica_socket_timeout_ms;
    o.throttled = sm_broker_follower_throttled;
    o.fetched = sm_broker_follower_fetched;
    o.throttle_opaque = b;
    b->leader_quota = sm_malloc(sizeof(*b->leader_quota));
    b->follower_quota = sm_malloc(sizeof(*b->follower_quota));
    sm_repl_quota_init(b->leader_quota, b->cfg->replication_quota_window_num,
                       b->cfg->replication_quota_window_size_seconds * 1000LL);
    sm_repl_quota_init(b->follower_quota,
                       b->cfg->replication_quota_window_num,
                       b->cfg->replication_quota_window_size_seconds * 1000LL);
    b->rfm = sm_rfm_new(&o, sm_broker_rfm_resolve, b);
    sm_rm_set_fetcher(b->rm, b->rfm);
    sm_rm_start_isr(b->rm, sm_broker_isr_write, sm_broker_isr_announce, b,
                    b->cfg->replica_lag_time_max_ms);
}

/* ZooKeeper session, cluster id, broker id, meta.properties. */
static sm_err_t
sm_broker_start_zk(sm_broker_t *b, char *errstr, size_t errstr_size)
{
    sm_config_t *cfg = b->cfg;
    int ndirs = 0;
    const char *const *dirs = sm_config_log_dirs(cfg, &ndirs);
    sm_zk_conf_t zc;
    int32_t meta_id = -1;
    char *meta_cluster = NULL;
    sm_err_t err;

    if (cfg->zookeeper_connect == NULL || !cfg->zookeeper_connect[0]) {
        snprintf(errstr, errstr_size, "Missing required configuration "
                 "\"zookeeper.connect\" which has no default value.");
        return SM_ERR__CONFIG;
    }
    memset(&zc, 0, sizeof(zc));
    zc.connect = cfg->zookeeper_connect;
    zc.session_timeout_ms = cfg->zookeeper_session_timeout_ms;
    zc.connection_timeout_ms = sm_config_zk_connection_timeout_ms(cfg);
    err = sm_zk_new(&zc, &b->zk, errstr, errstr_size);
    if (err == SM_OK)
        err = sm_zk_create_top_level_paths(b->zk);
    if (err == SM_OK)
        err = sm_zk_get_or_create_cluster_id(b->zk, &b->cluster_id);
    if (err != SM_OK) {
        if (!errstr[0])
            snprintf(errstr, errstr_size, "ZooKeeper set-up failed: %s",
                     sm_err_desc(err));
        return err;
    }
    err = sm_broker_meta_read(dirs, ndirs, &meta_id, &meta_cluster, errstr,
                              errstr_size);
    if (err == SM_OK && meta_cluster &&
        strcmp(meta_cluster, b->cluster_id) != 0) {
        snprintf(errstr, errstr_size, "The Cluster ID %s doesn't match "
                 "stored clusterId %s in meta.properties. The broker is "
                 "trying to join the wrong cluster.", b->cluster_id,
                 meta_cluster);
        err = SM_ERR__CONFIG;
    }
    free(meta_cluster);
    if (err != SM_OK)
        return err;

    b->id = sm_config_broker_id(cfg);
    if (b->id >= 0 && meta_id >= 0 && b->id != meta_id) {
        snprintf(errstr, errstr_size, "Configured broker.id %d doesn't "
                 "match stored broker.id %d in meta.properties.",
                 (int)b->id, (int)meta_id);
        return SM_ERR__CONFIG;
    }
    if (b->id < 0)
        b->id = meta_id;
    if (b->id < 0 && cfg->broker_id_generation_enable)
        err = sm_zk_generate_broker_id(b->zk, cfg->reserved_broker_max_id,
                                       &b->id);
    if (err == SM_OK && b->id < 0) {
        snprintf(errstr, errstr_size, "broker.id is not set and "
                 "broker.id.generation.enable is false");
        return SM_ERR__CONFIG;
    }
    if (err == SM_OK)
        err = sm_broker_meta_write(dirs, ndirs, b->id, b->cluster_id, errstr,
                                   errstr_size);
    return err;
}

static sm_err_t
sm_broker_start_coordinator(sm_broker_t *b, char *errstr, size_t errstr_size)
{
    sm_grp_conf_t gc = {
        b->cfg->group_initial_rebalance_delay_ms,
        b->cfg->group_min_session_timeout_ms,
        b->cfg->group_max_session_timeout_ms,
        b->cfg->group_max_size,
    };

    b->coord = sm_coord_new(&gc);
    if (b->coord == NULL) {
        snprintf(errstr, errstr_size, "cannot start the group coordinator");
        return SM_ERR__STATE;
    }
    sm_coord_set_store(b->coord, sm_gstore_append, b);
    sm_coord_set_retention(b->coord,
                           (int64_t)b->cfg->offsets_retention_minutes * 60000,
                           b->cfg->offsets_retention_check_interval_ms);
    return SM_OK;
}

static sm_err_t
sm_broker_start_parts(sm_broker_t *b, char *errstr, size_t errstr_size)
{
    sm_net_config_t nc;
    sm_err_t err;

    sm_config_net_config(b->cfg, &nc);
    b->listeners = nc.listeners;
    b->nlisteners = nc.nlisteners;
    err = sm_net_new(&nc, &b->net, errstr, errstr_size);
    if (err != SM_OK)
        return err;
    b->fetch_purg = sm_purgatory_new("Fetch", 1000);
    b->produce_purg = sm_purgatory_new("Produce", 1000);
    b->admin_purg = sm_purgatory_new("topic", 100);
    if (!b->fetch_purg || !b->produce_purg || !b->admin_purg) {
        snprintf(errstr, errstr_size, "cannot start purgatory threads");
        return SM_ERR__STATE;
    }
    b->mdcache = sm_mdcache_new();
    b->tcfg = sm_tcfg_cache_new(b->cfg, b->zk);
    b->rm = sm_rm_new(b->id, b->logmgr, sm_broker_rm_topic_config, b);
    sm_rm_set_fetch_purgatory(b->rm, b->fetch_purg);
    sm_rm_set_produce_purgatory(b->rm, b->produce_purg);
    sm_broker_start_fetchers(b);
    sm_broker_resolve_advertised(b);
    return sm_broker_start_coordinator(b, errstr, errstr_size);
}

static sm_err_t
sm_broker_start_serving(sm_broker_t *b, char *errstr, size_t errstr_size)
{
    sm_controller_opts_t opts;
    sm_controller_channel_t ch, net_ch;
    sm_chanmgr_opts_t cmo;
    sm_err_t err;

    err = sm_zk_on_session(b->zk, sm_broker_on_session, b);
    if (err == SM_OK)
        err = sm_broker_register(b, b->zk);
    if (err != SM_OK) {
        snprintf(errstr, errstr_size, "cannot register broker %d in "
                 "ZooKeeper: %s", (int)b->id, sm_err_desc(err));
        return err;
    }
    sm_controller_opts_init(&opts);
    opts.delete_topic_enable = b->cfg->delete_topic_enable;
    opts.unclean_leader_election_enable =
        b->cfg->unclean_leader_election_enable;
    opts.auto_leader_rebalance_enable = b->cfg->auto_leader_rebalance_enable;
    opts.leader_imbalance_check_interval_ms =
        b->cfg->leader_imbalance_check_interval_seconds * 1000;
    opts.leader_imbalance_per_broker_percentage =
        b->cfg->leader_imbalance_per_broker_percentage;
    memset(&ch, 0, sizeof(ch));
    ch.opaque = b;
    ch.leader_and_isr = sm_broker_ch_lai;
    ch.update_metadata = sm_broker_ch_um;
    ch.stop_replica = sm_broker_ch_stop;
    memset(&cmo, 0, sizeof(cmo));
    cmo.local_id = b->id;
    cmo.listener = sm_config_inter_broker_listener(b->cfg);
    cmo.socket_timeout_ms = b->cfg->controller_socket_timeout_ms;
    b->chanmgr = sm_chanmgr_new(&cmo, &ch);
    sm_chanmgr_channel(b->chanmgr, &net_ch);
    b->ctrl = sm_controller_new(b->zk, b->id, b->broker_epoch, &net_ch,
                                &opts);
    b->dyncfg = sm_dyncfg_new(b);
    err = sm_dyncfg_start(b->dyncfg, b->ctrl);
    if (err == SM_OK)
        err = sm_controller_start(b->ctrl);
    if (err == SM_OK)
        err = sm_net_start(b->net, sm_broker_handle, b);
    if (err != SM_OK)
        snprintf(errstr, errstr_size, "cannot start the controller or the "
                 "request handlers: %s", sm_err_desc(err));
    return err;
}

sm_err_t
sm_broker_start(sm_broker_t *b, sm_config_t *cfg, char *errstr,
                size_t errstr_size)
{
    sm_logmgr_config_t lmc;
    sm_err_t err;

    memset(b, 0, sizeof(*b));
    b->cfg = cfg;
    atomic_init(&b->shutting_down, 0);
    errstr[0] = '\0';
    sm_config_logmgr_config(cfg, &lmc);
    err = sm_logmgr_open(&lmc, &b->logmgr, errstr, errstr_size);
    if (err == SM_OK)
        err = sm_broker_start_zk(b, errstr, errstr_size);
    if (err == SM_OK)
        err = sm_broker_start_parts(b, errstr, errstr_size);
    if (err == SM_OK)
        err = sm_broker_start_serving(b, errstr, errstr_size);
    if (err != SM_OK) {
        sm_broker_shutdown(b);
        return err;
    }
    sm_info("broker", "[SamsaServer id=%d] started (cluster id %s)",
            (int)b->id, b->cluster_id);
    return SM_OK;
}

/* ------------------------------------------------------------- stop */

void
sm_broker_shutdown(sm_broker_t *b)
{
    sm_info("broker", "[SamsaServer id=%d] shutting down", (int)b->id);
    if (b->net && b->ctrl)              /* while we still serve requests */
        sm_broker_controlled_shutdown(b);
    atomic_store(&b->shutting_down, 1);
    if (b->net) {
        sm_net_stop_accepting(b->net);
        if (b->coord)                   /* parked JoinGroup/SyncGroup */
            sm_coord_shutdown(b->coord);
        /* parked acks=all produces: the followers fetch from the new
         * leaders now (or stop being read during the drain), so they
         * could only time out; answer them NOT_LEADER_FOR_PARTITION */
        if (b->produce_purg)
            sm_purgatory_shutdown(b->produce_purg);
        (void)sm_net_drain(b->net, 30000);
    }
    if (b->ctrl) {
        sm_controller_stop(b->ctrl);
        sm_controller_destroy(b->ctrl);
        b->ctrl = NULL;
    }
    sm_chanmgr_destroy(b->chanmgr);     /* joins the request senders */
    b->chanmgr = NULL;
    if (b->rm) {
        sm_rm_stop_isr(b->rm);
        sm_rm_set_fetcher(b->rm, NULL);
    }
    sm_rfm_destroy(b->rfm);             /* joins the replica fetchers */
    b->rfm = NULL;
    /* pending delayed fetches get their (possibly empty) answers */
    if (b->fetch_purg)
        sm_purgatory_shutdown(b->fetch_purg);
    if (b->produce_purg)
        sm_purgatory_shutdown(b->produce_purg);
    if (b->admin_purg)
        sm_purgatory_shutdown(b->admin_purg);
    if (b->net) {
        (void)sm_net_drain(b->net, 5000);
        sm_net_destroy(b->net);
        b->net = NULL;
    }
    if (b->zk) {
        sm_zk_destroy(b->zk);            /* the registration goes with it */
        b->zk = NULL;
    }
    sm_purgatory_destroy(b->fetch_purg);
    sm_purgatory_destroy(b->produce_purg);
    sm_purgatory_destroy(b->admin_purg);
    for (int i = 0; i < 2; i++) {
        sm_repl_quota_t *q = i ? b->follower_quota : b->leader_quota;

        if (q != NULL) {
            sm_repl_quota_fini(q);
            free(q);
        }
    }
    b->leader_quota = b->follower_quota = NULL;
    b->fetch_purg = b->produce_purg = b->admin_purg = NULL;
    sm_coord_destroy(b->coord);
    b->coord = NULL;
    sm_rm_destroy(b->rm);
    sm_tcfg_cache_destroy(b->tcfg);
    sm_dyncfg_destroy(b->dyncfg);       /* after the cache using its cfg */
    sm_mdcache_destroy(b->mdcache);
    b->rm = NULL;
    b->tcfg = NULL;
    b->dyncfg = NULL;
    b->mdcache = NULL;
    if (b->logmgr) {
        sm_logmgr_close(b->logmgr);      /* flush, checkpoints, marker */
        b->logmgr = NULL;
    }
    sm_config_free_listeners(b->advertised, b->nadvertised);
    b->advertised = NULL;
    free(b->cluster_id);
    b->cluster_id = NULL;
    sm_info("broker", "[SamsaServer id=%d] shut down completed", (int)b->id);
}
