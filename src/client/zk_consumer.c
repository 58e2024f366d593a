/*
 * zk_consumer.c: the 0.8 ZooKeeper-coordinated consumer of samsa.h
 * (samsa_zk_consumer_*; Kafka 0.8's ZookeeperConsumerConnector and its
 * ZKRebalancerListener).
 *
 * OFFSETS.  ZooKeeper by default; offsets.storage=kafka commits through
 * the group's coordinator (OffsetCommit, generation -1: the coordinator
 * knows no members of a ZooKeeper-coordinated group) and reads the
 * group's offsets there; dual.commit.enabled writes ZooKeeper as well and
 * starts from the larger offset (0.8.2's migration path).
 *
 * STATE.  zc->owned lists the partitions this member claimed in the last
 * successful rebalance, each with the position to commit (the offset
 * after the last record returned, or the offset it started from).  The
 * records are fetched by an inner simple consumer (samsa_consumer_t)
 * created per rebalance over the brokers registered in ZooKeeper, so a
 * rebalance drops whatever that consumer had fetched but not returned;
 * positions count only returned records, so nothing is skipped.
 *
 * REBALANCE (one attempt): commit (auto_commit) and release everything
 * (delete our owner znodes, drop the inner consumer); read the members
 * (child watch) and their subscriptions, the brokers (child watch) and
 * each topic's partitions (data watch); take our share (range per topic,
 * or 0.8.2's roundrobin over all topics); claim each
 * partition with an ephemeral owner znode - one still held by its old
 * owner, who has not released it yet, fails the attempt (claims undone);
 * read the committed offsets; assign.  Watches fire as events on the
 * ZooKeeper client, drained at the start of every poll: any of them, or
 * a new session after an expiry (registration re-created), asks for a
 * rebalance.
 *
 * ZooKeeper paths and payloads come from src/zk (zk_paths.h, kafka_zk.h).
 * Threads: the caller's, one at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "client/samsa.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "zk/kafka_zk.h"
#include "zk/zk_client.h"
#include "zk/zk_paths.h"

typedef struct zc_part {
    char    *topic;
    int32_t  partition;
    int64_t  pos;                   /* to commit; -1 unknown */
    int64_t  committed;             /* last written; -1 none */
} zc_part_t;

struct samsa_zk_consumer {
    samsa_zk_consumer_opts_t o;     /* strings below are owned copies */
    char          *group, *id, *thread;   /* thread: "<id>-0" */
    char         **topics;
    int            ntopics;
    samsa_conf_t  *conf;            /* copy of the caller's */
    sm_zk_t       *zk;
    samsa_consumer_t *c;            /* NULL while nothing is owned */
    samsa_client_t   *client;       /* offsets.storage=kafka; with c */
    zc_part_t     *owned;
    int            nowned;
    int            need_rebalance;
    int            roundrobin;      /* else range */
    int64_t        next_commit;     /* monotonic ms */
};

void
samsa_zk_consumer_opts_init(samsa_zk_consumer_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->session_timeout_ms = 6000;
    o->auto_commit = 1;
    o->auto_commit_interval_ms = 60000;
    o->rebalance_max_retries = 4;
    o->rebalance_backoff_ms = 2000;
    o->dual_commit = 1;
}

const char *
samsa_zk_consumer_id(const samsa_zk_consumer_t *zc)
{
    return zc->id;
}

/* ------------------------------------------------------------ owned */

static void
zc_owned_clear(samsa_zk_consumer_t *zc)
{
    for (int i = 0; i < zc->nowned; i++)
        sm_free(zc->owned[i].topic);
    sm_free(zc->owned);
    zc->owned = NULL;
    zc->nowned = 0;
}

static zc_part_t *
zc_owned_find(samsa_zk_consumer_t *zc, const char *topic, int32_t p)
{
    for (int i = 0; i < zc->nowned; i++)
        if (zc->owned[i].partition == p &&
            strcmp(zc->owned[i].topic, topic) == 0)
            return &zc->owned[i];
    return NULL;
}

/* Commit the moved positions to Kafka (offsets.storage=kafka): each
 * entry's Kafka outcome into ok[i] (1: written). */
static sm_err_t
zc_commit_kafka(samsa_zk_consumer_t *zc, int *ok)
{
    samsa_partition_offset_t *v = sm_calloc((size_t)zc->nowned + 1,
                                            sizeof(*v));
    int *idx = sm_calloc((size_t)zc->nowned + 1, sizeof(*idx));
    int n = 0;
    char *errmsg = NULL;
    sm_err_t err = SM_OK;

    for (int i = 0; i < zc->nowned; i++) {
        zc_part_t *o = &zc->owned[i];
        if (o->pos < 0 || o->pos == o->committed)
            continue;
        v[n].topic = o->topic;      /* borrowed */
        v[n].partition = o->partition;
        v[n].offset = o->pos;
        idx[n++] = i;
    }
    if (n > 0)
        err = samsa_alter_group_offsets(zc->client, zc->group, v, n,
                                        &errmsg);
    for (int k = 0; k < n; k++)
        ok[idx[k]] = err == SM_OK && v[k].err == SM_OK;
    if (err != SM_OK)
        sm_warn("consumer", "group %s: offset commit to Kafka failed: %s",
                zc->group, errmsg != NULL ? errmsg : "");
    sm_free(errmsg);
    sm_free(idx);
    sm_free(v);
    return err;
}

samsa_err_t
samsa_zk_consumer_commit(samsa_zk_consumer_t *zc)
{
    int *kok = sm_calloc((size_t)zc->nowned + 1, sizeof(*kok));
    int kafka = zc->o.offsets_kafka && zc->client != NULL;
    int zk = !zc->o.offsets_kafka || zc->o.dual_commit;
    sm_err_t err = SAMSA_OK;

    if (kafka)
        err = zc_commit_kafka(zc, kok);
    for (int i = 0; i < zc->nowned; i++) {
        zc_part_t *o = &zc->owned[i];
        sm_err_t e = SM_OK;

        if (o->pos < 0 || o->pos == o->committed || (kafka && !kok[i]))
            continue;
        if (zk)
            e = sm_zk_set_consumer_offset(zc->zk, zc->group, o->topic,
                                          o->partition, o->pos);
        if (e == SM_OK)
            o->committed = o->pos;
        else
            err = e;
    }
    sm_free(kok);
    zc->next_commit = sm_mono_ms() + zc->o.auto_commit_interval_ms;
    return err;
}

/* Delete our owner znodes of the first n owned entries. */
static void
zc_unclaim(samsa_zk_consumer_t *zc, int n)
{
    for (int i = 0; i < n; i++) {
        char *path = sm_zk_path_consumer_owner(zc->group,
                                               zc->owned[i].topic,
                                               zc->owned[i].partition);
        (void)sm_zk_delete(zc->zk, path, SM_ZK_ANY_VERSION);
        sm_free(path);
    }
}

/* Commit, give everything back, stop fetching. */
static void
zc_release(samsa_zk_consumer_t *zc)
{
    if (zc->o.auto_commit)
        (void)samsa_zk_consumer_commit(zc);
    zc_unclaim(zc, zc->nowned);
    zc_owned_clear(zc);
    if (zc->c != NULL) {
        samsa_consumer_destroy(zc->c);
        zc->c = NULL;
    }
    samsa_client_destroy(zc->client);
    zc->client = NULL;
}

/* ------------------------------------------------------------ group */

/* /consumers/<g>/ids/<id> with our subscription (one stream per topic);
 * a leftover of our own expired session is replaced. */
static sm_err_t
zc_register(samsa_zk_consumer_t *zc)
{
    sm_zk_consumer_reg_t reg = { 0 };
    char *path = sm_zk_path_consumer_id(zc->group, zc->id);
    char *ids = sm_zk_path_consumer_ids(zc->group), *json;
    int32_t *streams = sm_calloc((size_t)zc->ntopics + 1, sizeof(*streams));
    sm_err_t err;

    for (int i = 0; i < zc->ntopics; i++)
        streams[i] = 1;
    reg.pattern = "static";
    reg.topics = zc->topics;
    reg.streams = streams;
    reg.cnt = zc->ntopics;
    reg.timestamp = (int64_t)time(NULL) * 1000;
    json = sm_zk_consumer_reg_encode(&reg);
    err = sm_zk_ensure_path(zc->zk, ids);
    if (err == SM_OK)
        err = sm_zk_create(zc->zk, path, json, (int)strlen(json),
                           SM_ZK_EPHEMERAL, NULL, NULL);
    if (err == SM_ERR__EXISTS) {
        (void)sm_zk_delete(zc->zk, path, SM_ZK_ANY_VERSION);
        err = sm_zk_create(zc->zk, path, json, (int)strlen(json),
                           SM_ZK_EPHEMERAL, NULL, NULL);
    }
    sm_free(json);
    sm_free(streams);
    sm_free(ids);
    sm_free(path);
    return err;
}

/* Sorted consumer thread ids subscribed to topic, from the members'
 * registrations (watch the member list). */
static sm_err_t
zc_members(samsa_zk_consumer_t *zc, const char *topic, sm_zk_strings_t *out)
{
    char *ids = sm_zk_path_consumer_ids(zc->group);
    sm_zk_strings_t members = { 0 };
    sm_err_t err = sm_zk_get_children(zc->zk, ids, 1, &members);

    memset(out, 0, sizeof(*out));
    for (int i = 0; err == SM_OK && i < members.cnt; i++) {
        char *path = sm_zk_path_consumer_id(zc->group, members.v[i]);
        sm_zk_consumer_reg_t reg = { 0 };
        char *data = NULL, errstr[256];
        int len = 0;

        if (sm_zk_get(zc->zk, path, 0, &data, &len, NULL) == SM_OK &&
            sm_zk_consumer_reg_decode(path, data, len, &reg, errstr,
                                      sizeof(errstr)) == SM_OK) {
            for (int t = 0; t < reg.cnt; t++) {
                if (strcmp(reg.topics[t], topic) != 0)
                    continue;
                for (int s = 0; s < reg.streams[t] && s < 64; s++) {
                    out->v = sm_realloc(out->v, (size_t)(out->cnt + 1) *
                                        sizeof(*out->v));
                    out->v[out->cnt++] = sm_asprintf("%s-%d", members.v[i],
                                                     s);
                }
            }
        }
        sm_zk_consumer_reg_fini(&reg);
        sm_free(data);
        sm_free(path);
    }
    sm_zk_strings_fini(&members);
    sm_free(ids);
    return err;
}

static int
zc_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 0.8's range: my slice [*first, *first + *n) of npart partitions. */
static void
zc_range(const sm_zk_strings_t *threads, const char *me, int npart,
         int *first, int *n)
{
    int m = threads->cnt, i = -1, per, extra;

    *first = *n = 0;
    for (int k = 0; k < m; k++)
        if (strcmp(threads->v[k], me) == 0)
            i = k;
    if (i < 0 || m == 0)
        return;
    per = npart / m;
    extra = npart % m;
    *first = per * i + (i < extra ? i : extra);
    *n = per + (i < extra ? 1 : 0);
}

/* Claim topic-p for our thread: SM_OK, or SM_ERR__EXISTS while another
 * member still owns it. */
static sm_err_t
zc_claim(samsa_zk_consumer_t *zc, const char *topic, int32_t p)
{
    char *path = sm_zk_path_consumer_owner(zc->group, topic, p);
    char *parent = sm_strdup(path), *slash = strrchr(parent, '/');
    sm_err_t err;

    *slash = '\0';
    err = sm_zk_ensure_path(zc->zk, parent);
    if (err == SM_OK)
        err = sm_zk_create(zc->zk, path, zc->thread, (int)strlen(zc->thread),
                           SM_ZK_EPHEMERAL, NULL, NULL);
    sm_free(parent);
    sm_free(path);
    return err;
}

/* bootstrap.servers from /brokers/ids (child watch): each broker's first
 * endpoint.  NULL if no broker is registered. */
static char *
zc_bootstrap(samsa_zk_consumer_t *zc)
{
    sm_zk_ints_t ids = { 0 };
    char *boot = NULL;

    if (sm_zk_get_broker_ids(zc->zk, 1, &ids) != SM_OK)
        return NULL;
    for (int i = 0; i < ids.cnt; i++) {
        sm_zk_broker_t b;
        char *prev = boot;

        memset(&b, 0, sizeof(b));
        if (sm_zk_get_broker(zc->zk, ids.v[i], &b, NULL) == SM_OK &&
            b.endpoint_cnt > 0) {
            boot = sm_asprintf("%s%s%s:%d", prev ? prev : "",
                               prev ? "," : "", b.endpoints[0].host,
                               (int)b.endpoints[0].port);
            sm_free(prev);
        }
        sm_zk_broker_fini(&b);
    }
    sm_zk_ints_fini(&ids);
    return boot;
}

/* Our range of topic, claimed and appended to zc->owned. */
static sm_err_t
zc_take_topic(samsa_zk_consumer_t *zc, const char *topic)
{
    sm_zk_strings_t threads;
    sm_zk_topic_t t;
    int first, n;
    sm_err_t err;

    memset(&t, 0, sizeof(t));
    err = sm_zk_get_topic(zc->zk, topic, 1, &t);
    if (err == SM_ERR__NOENT)
        return SM_OK;                   /* not created yet */
    if (err != SM_OK)
        return err;
    err = zc_members(zc, topic, &threads);
    if (err == SM_OK) {
        qsort(threads.v, (size_t)threads.cnt, sizeof(*threads.v), zc_strcmp);
        zc_range(&threads, zc->thread, t.part_cnt, &first, &n);
        for (int k = first; k < first + n && err == SM_OK; k++) {
            int32_t p = t.parts[k].partition;

            err = zc_claim(zc, topic, p);
            if (err != SM_OK)
                break;
            zc->owned = sm_realloc(zc->owned, (size_t)(zc->nowned + 1) *
                                   sizeof(*zc->owned));
            zc->owned[zc->nowned++] = (zc_part_t){ sm_strdup(topic), p,
                                                   -1, -1 };
        }
    }
    sm_zk_strings_fini(&threads);
    sm_zk_topic_fini(&t);
    return err;
}

/* Java's String.hashCode (topic names are ASCII). */
static int32_t
zc_java_hash(const char *s)
{
    uint32_t h = 0;

    for (; *s != '\0'; s++)
        h = 31 * h + (uint8_t)*s;
    return (int32_t)h;
}

typedef struct zc_tp {
    char    *topic;
    int32_t  partition;
    int32_t  hash;                  /* of "[topic,partition]" */
} zc_tp_t;

static int
zc_cmp_hash(const void *a, const void *b)
{
    const zc_tp_t *x = a, *y = b;
    int c;

    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    c = strcmp(x->topic, y->topic);
    return c != 0 ? c : (x->partition > y->partition) -
                        (x->partition < y->partition);
}

static int
zc_same_threads(const sm_zk_strings_t *a, const sm_zk_strings_t *b)
{
    if (a->cnt != b->cnt)
        return 0;
    for (int i = 0; i < a->cnt; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return 0;
    return 1;
}

/* The partitions of topic into *all (with their hashes); its sorted
 * threads into *threads. */
static sm_err_t
zc_rr_topic(samsa_zk_consumer_t *zc, const char *topic, zc_tp_t **all,
            int *n, sm_zk_strings_t *threads)
{
    sm_zk_topic_t t;
    sm_err_t err;

    memset(&t, 0, sizeof(t));
    memset(threads, 0, sizeof(*threads));
    err = sm_zk_get_topic(zc->zk, topic, 1, &t);
    if (err != SM_OK)
        return err;
    err = zc_members(zc, topic, threads);
    qsort(threads->v, (size_t)threads->cnt, sizeof(*threads->v), zc_strcmp);
    *all = sm_realloc(*all, (size_t)(*n + t.part_cnt + 1) * sizeof(**all));
    for (int k = 0; k < t.part_cnt; k++) {
        char *name = sm_asprintf("[%s,%d]", topic, (int)t.parts[k].partition);
        (*all)[*n] = (zc_tp_t){ sm_strdup(topic), t.parts[k].partition,
                                zc_java_hash(name) };
        (*n)++;
        sm_free(name);
    }
    sm_zk_topic_fini(&t);
    return err;
}

/* 0.8.2's RoundRobinAssignor: our share of every subscribed topic's
 * partitions, claimed and appended to zc->owned.  The members must have
 * the same subscriptions (_STATE otherwise, as 0.8.2 refuses). */
static sm_err_t
zc_take_roundrobin(samsa_zk_consumer_t *zc)
{
    sm_zk_strings_t head = { 0 }, threads;
    zc_tp_t *all = NULL;
    int n = 0, have = 0;
    sm_err_t err = SM_OK;

    for (int i = 0; i < zc->ntopics && err == SM_OK; i++) {
        err = zc_rr_topic(zc, zc->topics[i], &all, &n, &threads);
        if (err == SM_ERR__NOENT) {
            err = SM_OK;                /* not created yet */
        } else if (err == SM_OK && !have) {
            head = threads;
            have = 1;
            continue;
        } else if (err == SM_OK && !zc_same_threads(&head, &threads)) {
            sm_warn("consumer", "group %s: round-robin assignment is "
                    "allowed only if all consumers in the group subscribe "
                    "to the same topics", zc->group);
            err = SM_ERR__STATE;
        }
        sm_zk_strings_fini(&threads);
    }
    if (n > 0)
        qsort(all, (size_t)n, sizeof(*all), zc_cmp_hash);
    for (int k = 0; err == SM_OK && have && head.cnt > 0 && k < n; k++) {
        if (strcmp(head.v[k % head.cnt], zc->thread) != 0)
            continue;
        err = zc_claim(zc, all[k].topic, all[k].partition);
        if (err != SM_OK)
            break;
        zc->owned = sm_realloc(zc->owned, (size_t)(zc->nowned + 1) *
                               sizeof(*zc->owned));
        zc->owned[zc->nowned++] = (zc_part_t){ sm_strdup(all[k].topic),
                                               all[k].partition, -1, -1 };
    }
    for (int k = 0; k < n; k++)
        sm_free(all[k].topic);
    sm_free(all);
    sm_zk_strings_fini(&head);
    return err;
}

/* offsets.storage=kafka: the group's offsets in Kafka into
 * owned[].committed (-1 where none). */
static sm_err_t
zc_kafka_offsets(samsa_zk_consumer_t *zc, char *errstr, size_t errstr_size)
{
    samsa_partition_offset_t *v = NULL;
    char *errmsg = NULL;
    int n = 0;
    sm_err_t err = samsa_list_group_offsets(zc->client, zc->group, &v, &n,
                                            &errmsg);

    if (err != SM_OK) {
        snprintf(errstr, errstr_size, "reading the group's offsets from "
                 "Kafka failed: %s", errmsg != NULL ? errmsg : "");
        sm_free(errmsg);
        return err;
    }
    for (int i = 0; i < zc->nowned; i++) {
        zc_part_t *o = &zc->owned[i];
        o->committed = -1;
        for (int k = 0; k < n; k++)
            if (v[k].partition == o->partition &&
                strcmp(v[k].topic, o->topic) == 0)
                o->committed = v[k].offset;
    }
    samsa_partition_offsets_free(v, n);
    return SM_OK;
}

/* Where o starts: its ZooKeeper offset, or (kafka storage) its Kafka
 * offset - the larger of the two with dual commit, as 0.8.2; -1: none. */
static int64_t
zc_stored_offset(samsa_zk_consumer_t *zc, const zc_part_t *o)
{
    int64_t zk = -1;

    if (!zc->o.offsets_kafka || zc->o.dual_commit)
        if (sm_zk_get_consumer_offset(zc->zk, zc->group, o->topic,
                                      o->partition, &zk) != SM_OK)
            zk = -1;
    if (!zc->o.offsets_kafka)
        return zk;
    return o->committed > zk ? o->committed : zk;
}

/* Fetch the owned partitions from their committed offsets. */
static sm_err_t
zc_start_fetching(samsa_zk_consumer_t *zc, const char *boot, char *errstr,
                  size_t errstr_size)
{
    sm_err_t err = samsa_conf_set(zc->conf, "bootstrap.servers", boot,
                                  errstr, errstr_size);

    if (err != SM_OK)
        return err;
    zc->c = samsa_consumer_new(zc->conf, errstr, errstr_size);
    if (zc->c == NULL)
        return SM_ERR__CONFIG;
    if (zc->o.offsets_kafka) {
        zc->client = samsa_client_new(zc->conf, errstr, errstr_size);
        if (zc->client == NULL)
            return SM_ERR__CONFIG;
        err = zc_kafka_offsets(zc, errstr, errstr_size);
    }
    for (int i = 0; i < zc->nowned && err == SM_OK; i++) {
        zc_part_t *o = &zc->owned[i];
        int64_t off = zc_stored_offset(zc, o);

        if (off >= 0)
            o->pos = o->committed = off;
        else
            off = zc->o.from_beginning ? SAMSA_OFFSET_BEGINNING
                                       : SAMSA_OFFSET_END;
        err = samsa_consumer_assign(zc->c, o->topic, o->partition, off);
    }
    return err;
}

/* One rebalance attempt (see the file comment). */
static sm_err_t
zc_rebalance_once(samsa_zk_consumer_t *zc, char *errstr, size_t errstr_size)
{
    char *boot;
    sm_err_t err = SM_OK;

    zc_release(zc);
    boot = zc_bootstrap(zc);
    if (boot == NULL) {
        snprintf(errstr, errstr_size, "no broker registered in ZooKeeper "
                 "(%s)", sm_zk_connect_string(zc->zk));
        return SM_ERR__STATE;
    }
    if (zc->roundrobin)
        err = zc_take_roundrobin(zc);
    for (int i = 0; !zc->roundrobin && i < zc->ntopics && err == SM_OK; i++)
        err = zc_take_topic(zc, zc->topics[i]);
    if (err == SM_OK && zc->nowned > 0)
        err = zc_start_fetching(zc, boot, errstr, errstr_size);
    else if (err != SM_OK)
        snprintf(errstr, errstr_size, "a partition of the group's topics "
                 "is still owned by another member (%s)", sm_err_name(err));
    sm_free(boot);
    if (err != SM_OK) {
        zc_unclaim(zc, zc->nowned);
        zc_owned_clear(zc);
        if (zc->c != NULL) {
            samsa_consumer_destroy(zc->c);
            zc->c = NULL;
        }
        samsa_client_destroy(zc->client);
        zc->client = NULL;
    }
    return err;
}

static sm_err_t
zc_rebalance(samsa_zk_consumer_t *zc, char **errmsg)
{
    char errstr[512] = "";
    sm_err_t err = SM_OK;

    for (int i = 0; i <= zc->o.rebalance_max_retries; i++) {
        if (i > 0)
            usleep((useconds_t)zc->o.rebalance_backoff_ms * 1000);
        err = zc_rebalance_once(zc, errstr, sizeof(errstr));
        if (err == SM_OK) {
            zc->need_rebalance = 0;
            return SM_OK;
        }
    }
    if (errmsg != NULL)
        *errmsg = sm_asprintf("%s can't rebalance after %d retries: %s",
                              zc->id, zc->o.rebalance_max_retries, errstr);
    return SM_ERR__STATE;
}

/* ------------------------------------------------------------ poll */

/* Drain ZooKeeper events: any watch, or a new session, asks for a
 * rebalance (a new session first re-registers). */
static void
zc_events(samsa_zk_consumer_t *zc)
{
    sm_zk_event_t *ev;

    while ((ev = sm_zk_event_poll(zc->zk, 0)) != NULL) {
        switch (ev->type) {
        case SM_ZK_EV_SESSION_ESTABLISHED:
            (void)zc_register(zc);
            zc->need_rebalance = 1;
            break;
        case SM_ZK_EV_NODE_CREATED:
        case SM_ZK_EV_NODE_DELETED:
        case SM_ZK_EV_NODE_DATA_CHANGED:
        case SM_ZK_EV_NODE_CHILDREN_CHANGED:
            zc->need_rebalance = 1;
            break;
        default:
            break;
        }
        sm_zk_event_destroy(ev);
    }
}

samsa_err_t
samsa_zk_consumer_poll(samsa_zk_consumer_t *zc, int timeout_ms,
                       samsa_message_t **msgp, char **errmsg)
{
    int64_t deadline = sm_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    sm_err_t err = SAMSA_OK;

    *msgp = NULL;
    if (errmsg != NULL)
        *errmsg = NULL;
    do {
        int64_t left = deadline - sm_mono_ms();
        int slice = left > 100 ? 100 : (left > 0 ? (int)left : 0);

        zc_events(zc);
        if (zc->need_rebalance && (err = zc_rebalance(zc, errmsg)) != SM_OK)
            return err;
        if (zc->o.auto_commit && sm_mono_ms() >= zc->next_commit)
            (void)samsa_zk_consumer_commit(zc);
        if (zc->c == NULL) {
            usleep((useconds_t)slice * 1000);
            continue;
        }
        err = samsa_consumer_poll(zc->c, slice, msgp, errmsg);
        if (*msgp != NULL) {
            zc_part_t *o = zc_owned_find(zc, (*msgp)->topic,
                                         (*msgp)->partition);
            if (o != NULL)
                o->pos = (*msgp)->offset + 1;
        }
        if (err != SAMSA_OK || *msgp != NULL)
            return err;
    } while (sm_mono_ms() < deadline);
    return SAMSA_OK;
}

/* ------------------------------------------------------------ life */

/* 0.8's consumer id: <group>_<hostname>-<ms>-<8 hex digits>. */
static char *
zc_make_id(const char *group)
{
    char host[256] = "localhost";
    unsigned r;

    (void)gethostname(host, sizeof(host) - 1);
    srand((unsigned)(sm_mono_ms() ^ (int64_t)getpid()));
    r = ((unsigned)rand() << 16) ^ (unsigned)rand();
    return sm_asprintf("%s_%s-%lld-%08x", group, host,
                       (long long)time(NULL) * 1000, r);
}

static sm_err_t
zc_check_opts(const samsa_zk_consumer_opts_t *o, int ntopics, char *errstr,
              size_t errstr_size)
{
    if (o == NULL || o->zookeeper_connect == NULL || o->group_id == NULL ||
        o->group_id[0] == '\0') {
        snprintf(errstr, errstr_size, "zookeeper.connect and group.id are "
                 "required");
        return SM_ERR__CONFIG;
    }
    if (ntopics < 1) {
        snprintf(errstr, errstr_size, "no topic to subscribe to");
        return SM_ERR__CONFIG;
    }
    if (o->assignment_strategy != NULL &&
        strcmp(o->assignment_strategy, "range") != 0 &&
        strcmp(o->assignment_strategy, "roundrobin") != 0) {
        snprintf(errstr, errstr_size, "partition.assignment.strategy must "
                 "be range or roundrobin, not %s", o->assignment_strategy);
        return SM_ERR__CONFIG;
    }
    return SM_OK;
}

samsa_zk_consumer_t *
samsa_zk_consumer_new(const samsa_conf_t *conf,
                      const samsa_zk_consumer_opts_t *o,
                      const char *const *topics, int ntopics, char *errstr,
                      size_t errstr_size)
{
    samsa_zk_consumer_t *zc;
    sm_zk_conf_t zconf;

    if (zc_check_opts(o, ntopics, errstr, errstr_size) != SM_OK)
        return NULL;
    zc = sm_calloc(1, sizeof(*zc));
    zc->o = *o;
    zc->o.assignment_strategy = NULL;   /* kept as zc->roundrobin */
    zc->roundrobin = o->assignment_strategy != NULL &&
                     strcmp(o->assignment_strategy, "roundrobin") == 0;
    zc->group = sm_strdup(o->group_id);
    zc->id = o->consumer_id ? sm_strdup(o->consumer_id)
                            : zc_make_id(o->group_id);
    zc->thread = sm_asprintf("%s-0", zc->id);
    zc->topics = sm_calloc((size_t)ntopics, sizeof(*zc->topics));
    for (int i = 0; i < ntopics; i++)
        zc->topics[zc->ntopics++] = sm_strdup(topics[i]);
    zc->conf = samsa_conf_new();
    if (conf != NULL) {
        sm_client_conf_fini(&zc->conf->c);
        sm_client_conf_copy(&zc->conf->c, &conf->c);
        /* the inner consumer is no member of a broker-coordinated
         * group: the group lives in ZooKeeper */
        sm_free(zc->conf->c.g.group_id);
        zc->conf->c.g.group_id = NULL;
    }
    memset(&zconf, 0, sizeof(zconf));
    zconf.connect = o->zookeeper_connect;
    zconf.session_timeout_ms = o->session_timeout_ms;
    if (sm_zk_new(&zconf, &zc->zk, errstr, errstr_size) != SM_OK ||
        zc_register(zc) != SM_OK) {
        if (zc->zk != NULL)
            snprintf(errstr, errstr_size, "cannot register %s in "
                     "ZooKeeper", zc->id);
        samsa_zk_consumer_close(zc);
        return NULL;
    }
    zc->need_rebalance = 1;
    zc->next_commit = sm_mono_ms() + o->auto_commit_interval_ms;
    return zc;
}

void
samsa_zk_consumer_close(samsa_zk_consumer_t *zc)
{
    if (zc == NULL)
        return;
    if (zc->zk != NULL) {
        zc_release(zc);
        sm_zk_destroy(zc->zk);          /* the registration goes with it */
    }
    zc_owned_clear(zc);
    for (int i = 0; i < zc->ntopics; i++)
        sm_free(zc->topics[i]);
    sm_free(zc->topics);
    samsa_conf_destroy(zc->conf);
    sm_free(zc->thread);
    sm_free(zc->id);
    sm_free(zc->group);
    sm_free(zc);
}
