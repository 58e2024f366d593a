/*
 * consumer_group.c: the group consumer's subscription and life cycle
 * (samsa.h "groups"; Java's KafkaConsumer.subscribe/unsubscribe/close and
 * the ConsumerCoordinator's poll): subscribe to topics or a pattern, the
 * coordinator (FindCoordinator), what poll does before fetching (a due
 * rebalance - group_join.c -, auto commit, committed offsets), the
 * metadata checks that start a rebalance (a pattern matching new topics;
 * for the leader, a subscribed topic that appeared or grew), close.
 * Internals: consumer.h.
 *
 * COORDINATOR.  g->coord_id is the coordinator found last (FindCoordinator
 * to any broker); requests from the application thread go to it over
 * c->client.  A transport failure or a coordinator error (NOT_COORDINATOR,
 * COORDINATOR_NOT_AVAILABLE) from either thread forgets it; the next
 * request from the application thread looks again.
 *
 * Threads: the application thread; the fields shared with the background
 * thread are taken under g->lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/consumer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/metadata.h"

/* ------------------------------------------------------------ lifetime */

/* Every name of partition.assignment.strategy must be known. */
static sm_err_t
sm_cg_check_assignors(const char *list, char *errstr, size_t errstr_size)
{
    char *copy = sm_strdup(list), *save = NULL, *tok;
    sm_err_t err = SM_OK;
    int n = 0;

    for (tok = strtok_r(copy, ", \t", &save); tok != NULL && err == SM_OK;
         tok = strtok_r(NULL, ", \t", &save)) {
        n++;
        if (sm_assignor_find(tok) == NULL) {
            snprintf(errstr, errstr_size, "Invalid value %s for "
                     "configuration partition.assignment.strategy: Class "
                     "%s cannot be found (samsa knows range, roundrobin, "
                     "sticky)", list, tok);
            err = SM_ERR__CONFIG;
        }
    }
    if (err == SM_OK && n == 0) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration "
                 "partition.assignment.strategy: no assignor", list);
        err = SM_ERR__CONFIG;
    }
    sm_free(copy);
    return err;
}

sm_err_t
sm_cg_new(samsa_consumer_t *c, char *errstr, size_t errstr_size)
{
    const sm_group_conf_t *gc = &c->conf.g;
    pthread_condattr_t ca;
    sm_cgrp_t *g;

    if (sm_cg_check_assignors(gc->assignors, errstr, errstr_size) != SM_OK)
        return SM_ERR__CONFIG;
    if (gc->heartbeat_interval_ms >= gc->session_timeout_ms) {
        snprintf(errstr, errstr_size, "heartbeat.interval.ms (%d) must be "
                 "lower than session.timeout.ms (%d)",
                 (int)gc->heartbeat_interval_ms,
                 (int)gc->session_timeout_ms);
        return SM_ERR__CONFIG;
    }
    g = sm_calloc(1, sizeof(*g));
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cond, &ca);
    pthread_condattr_destroy(&ca);
    g->coord_id = -1;
    g->member_id = sm_strdup("");
    g->generation = -1;
    g->state = SM_CG_UNJOINED;
    g->jobs_tail = &g->jobs;
    g->done_tail = &g->done;
    g->last_poll = sm_mono_ms();
    g->next_auto_commit = g->last_poll + gc->auto_commit_interval_ms;
    c->grp = g;
    sm_cg_io_start(c);
    return SM_OK;
}

static void
sm_cg_free_topics(sm_cgrp_t *g)
{
    for (int i = 0; i < g->ntopics; i++)
        sm_free(g->topics[i]);
    sm_free(g->topics);
    g->topics = NULL;
    g->ntopics = 0;
    if (g->has_re)
        regfree(&g->re);
    g->has_re = 0;
}

static void
sm_cg_free_jobs(sm_commit_job_t *j)
{
    while (j != NULL) {
        sm_commit_job_t *next = j->next;
        samsa_partition_offsets_free(j->offsets, j->cnt);
        sm_free(j);
        j = next;
    }
}

void
sm_cg_destroy(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;

    sm_cg_io_stop(c);
    sm_cg_free_jobs(g->jobs);
    sm_cg_free_jobs(g->done);
    sm_cg_free_topics(g);
    sm_cg_free_counts(g);
    samsa_topic_partitions_free(g->owned, g->nowned);
    sm_free(g->coord_host);
    sm_free(g->member_id);
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
    sm_free(g);
    c->grp = NULL;
}

/* ------------------------------------------------------------ shared */

void
sm_cg_coord_lost(sm_cgrp_t *g)
{
    pthread_mutex_lock(&g->lock);
    g->coord_id = -1;
    pthread_mutex_unlock(&g->lock);
}

void
sm_cg_reset_member(sm_cgrp_t *g)
{
    pthread_mutex_lock(&g->lock);
    sm_free(g->member_id);
    g->member_id = sm_strdup("");
    g->generation = -1;
    g->state = SM_CG_UNJOINED;
    g->need_rejoin = 1;
    pthread_mutex_unlock(&g->lock);
}

int
sm_cg_rejoin_due(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    int due;

    if (!g->subscribed)
        return 0;
    pthread_mutex_lock(&g->lock);
    due = g->need_rejoin || g->state != SM_CG_STABLE;
    pthread_mutex_unlock(&g->lock);
    return due;
}

/* The coordinator's id, finding it first if unknown. */
static sm_err_t
sm_cg_ensure_coord(samsa_consumer_t *c, int64_t deadline, int32_t *idp,
                   char *errstr, size_t errstr_size)
{
    sm_cgrp_t *g = c->grp;
    samsa_node_t node = { -1, NULL, 0, NULL };
    sm_err_t err;

    pthread_mutex_lock(&g->lock);
    *idp = g->coord_id;
    pthread_mutex_unlock(&g->lock);
    if (*idp >= 0)
        return SM_OK;
    err = sm_cg_find(c->client, c->conf.g.group_id, deadline, &node, errstr,
                     errstr_size);
    if (err != SM_OK)
        return err;
    sm_debug("consumer", "group %s: coordinator is node %d (%s:%d)",
             c->conf.g.group_id, (int)node.id, node.host, node.port);
    pthread_mutex_lock(&g->lock);
    g->coord_id = node.id;
    sm_free(g->coord_host);
    g->coord_host = node.host;
    g->coord_port = node.port;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
    *idp = node.id;
    return SM_OK;
}

sm_err_t
sm_cg_call(samsa_consumer_t *c, int16_t key, int16_t max,
           sm_client_body_fn fn, const void *arg, int64_t deadline,
           sm_client_resp_t *resp, char *errstr, size_t errstr_size)
{
    int32_t id;
    sm_err_t err;

    memset(resp, 0, sizeof(*resp));
    err = sm_cg_ensure_coord(c, deadline, &id, errstr, errstr_size);
    if (err != SM_OK)
        return err;
    err = sm_client_send_node(c->client, id, key, max, fn, arg, deadline,
                              resp, errstr, errstr_size);
    if (err == SM_ERR_BROKER_NOT_AVAILABLE) {
        c->client->have_metadata = 0;
        err = SM_ERR_COORDINATOR_NOT_AVAILABLE;
    }
    if (err != SM_OK)
        sm_cg_coord_lost(c->grp);
    return err;
}

/* ------------------------------------------------------------ subscribe */

static int
sm_cg_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replace the subscribed topic list (sorted, without duplicates); 1 if
 * it changed. */
static int
sm_cg_set_topics(sm_cgrp_t *g, char **v, int n)
{
    int k = 0, same;

    qsort(v, (size_t)n, sizeof(*v), sm_cg_cmp_str);
    for (int i = 0; i < n; i++) {
        if (k > 0 && strcmp(v[k - 1], v[i]) == 0)
            sm_free(v[i]);
        else
            v[k++] = v[i];
    }
    same = k == g->ntopics;
    for (int i = 0; same && i < k; i++)
        same = strcmp(v[i], g->topics[i]) == 0;
    for (int i = 0; i < g->ntopics; i++)
        sm_free(g->topics[i]);
    sm_free(g->topics);
    g->topics = v;
    g->ntopics = k;
    return !same;
}

static sm_err_t
sm_cg_may_subscribe(samsa_consumer_t *c)
{
    if (c->grp == NULL || c->conf.g.group_id[0] == '\0')
        return SM_ERR_INVALID_GROUP_ID;
    if (c->manual || c->closed)
        return SM_ERR__INVALID_ARG;
    return SM_OK;
}

static void
sm_cg_want_rejoin(sm_cgrp_t *g)
{
    pthread_mutex_lock(&g->lock);
    g->need_rejoin = 1;
    g->auto_assigned = 1;
    pthread_mutex_unlock(&g->lock);
}

samsa_err_t
samsa_consumer_subscribe(samsa_consumer_t *c, const char *const *topics,
                         int cnt)
{
    sm_err_t err = sm_cg_may_subscribe(c);
    sm_cgrp_t *g = c->grp;
    char **v;

    if (err != SM_OK)
        return err;
    if (cnt <= 0)
        return SM_ERR__INVALID_ARG;
    for (int i = 0; i < cnt; i++)
        if (topics[i] == NULL || topics[i][0] == '\0')
            return SM_ERR__INVALID_ARG;
    if (g->has_re) {
        regfree(&g->re);
        g->has_re = 0;
    }
    v = sm_calloc((size_t)cnt, sizeof(*v));
    for (int i = 0; i < cnt; i++)
        v[i] = sm_strdup(topics[i]);
    if (sm_cg_set_topics(g, v, cnt) || !g->subscribed)
        sm_cg_want_rejoin(g);
    g->subscribed = 1;
    return SAMSA_OK;
}

samsa_err_t
samsa_consumer_subscribe_pattern(samsa_consumer_t *c, const char *regex)
{
    sm_err_t err = sm_cg_may_subscribe(c);
    sm_cgrp_t *g = c->grp;
    size_t n;
    char *anchored;
    regex_t re;
    int rc;

    if (err != SM_OK)
        return err;
    if (regex == NULL)
        return SM_ERR__INVALID_ARG;
    n = strlen(regex) + 8;
    anchored = sm_malloc(n);
    snprintf(anchored, n, "^(%s)$", regex);
    rc = regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB);
    sm_free(anchored);
    if (rc != 0)
        return SM_ERR__INVALID_ARG;
    sm_cg_free_topics(g);
    g->re = re;
    g->has_re = 1;
    g->subscribed = 1;
    g->next_md_check = 0;           /* match at the next poll */
    sm_cg_want_rejoin(g);
    return SAMSA_OK;
}

samsa_err_t
samsa_consumer_unsubscribe(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;

    if (g == NULL || !g->subscribed)
        return SAMSA_OK;
    sm_cg_revoke(c);
    sm_cg_leave(c, NULL, "the consumer unsubscribed");
    sm_cg_reset_member(g);
    pthread_mutex_lock(&g->lock);
    g->need_rejoin = 0;
    g->auto_assigned = 0;
    pthread_mutex_unlock(&g->lock);
    sm_cg_free_topics(g);
    g->subscribed = 0;
    return SAMSA_OK;
}

/* ------------------------------------------------------------ metadata */

static void
sm_cg_md_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_MetadataRequest_write(buf, version, arg);
}

/* Metadata for topics (NULL: every topic); *md is the caller's to free
 * with sm_MetadataResponse_free, resp with sm_client_resp_fini (md
 * borrows its bytes). */
sm_err_t
sm_cg_metadata(samsa_consumer_t *c, char *const *topics, int n,
               int64_t deadline, sm_client_resp_t *resp,
               sm_MetadataResponse_t *md)
{
    sm_MetadataRequest_t req;
    char errstr[512];
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.TopicsCnt = topics == NULL ? -1 : n;
    req.Topics = sm_calloc((size_t)n + 1, sizeof(*req.Topics));
    for (int i = 0; topics != NULL && i < n; i++)
        req.Topics[i].Name = sm_str_cstr(topics[i]);
    err = sm_client_send_any(c->client, SM_API_Metadata,
                             SM_METADATA_MAX_VERSION, sm_cg_md_body, &req,
                             deadline, resp, errstr, sizeof(errstr));
    sm_free(req.Topics);
    if (err != SM_OK)
        return err;
    err = sm_MetadataResponse_read(&resp->rd, resp->version, md);
    if (err != SM_OK) {
        sm_client_resp_fini(resp);
        return err;
    }
    sm_client_install(c->client, md);
    return SM_OK;
}

/* Pattern: the topics it matches now. */
static void
sm_cg_match_pattern(samsa_consumer_t *c, const sm_MetadataResponse_t *md)
{
    sm_cgrp_t *g = c->grp;
    char **v = sm_calloc((size_t)md->TopicsCnt + 1, sizeof(*v));
    int n = 0;

    for (int32_t t = 0; t < md->TopicsCnt; t++) {
        const sm_MetadataResponseTopic_t *mt = &md->Topics[t];
        char *name = sm_str_dup(mt->Name);
        if (mt->ErrorCode == SM_OK &&
            !(mt->IsInternal && c->conf.g.exclude_internal) &&
            regexec(&g->re, name, 0, NULL, 0) == 0)
            v[n++] = name;
        else
            sm_free(name);
    }
    if (sm_cg_set_topics(g, v, n)) {
        sm_info("consumer", "group %s: the pattern now matches %d topic(s)",
                c->conf.g.group_id, n);
        sm_cg_want_rejoin(g);
    }
}

/* Leader: did a topic it assigned change its partition count, or a
 * subscribed one appear? */
static void
sm_cg_check_counts(samsa_consumer_t *c, const sm_MetadataResponse_t *md)
{
    sm_cgrp_t *g = c->grp;
    int changed = 0;

    for (int32_t t = 0; t < md->TopicsCnt && !changed; t++) {
        const sm_MetadataResponseTopic_t *mt = &md->Topics[t];
        int32_t had = 0;
        if (mt->ErrorCode != SM_OK)
            continue;
        for (int i = 0; i < g->ncounts; i++)
            if (sm_str_eq_cstr(mt->Name, g->counts[i].name))
                had = g->counts[i].partitions;
        changed = had != mt->PartitionsCnt;
    }
    if (changed) {
        sm_info("consumer", "group %s: subscribed topics changed their "
                "partitions; rebalancing", c->conf.g.group_id);
        sm_cg_want_rejoin(g);
    }
}

/* Every metadata.max.age.ms: a pattern's topics; the leader's counts. */
static void
sm_cg_check_metadata(samsa_consumer_t *c, int64_t deadline)
{
    sm_cgrp_t *g = c->grp;
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    int64_t now = sm_mono_ms();

    if (now < g->next_md_check || (!g->has_re && !g->leader))
        return;
    g->next_md_check = now + c->conf.p.metadata_max_age_ms;
    if (sm_cg_metadata(c, g->has_re ? NULL : g->topics, g->ntopics,
                       deadline, &resp, &md) != SM_OK) {
        g->next_md_check = now + c->conf.retry_backoff_ms;
        return;
    }
    if (g->has_re)
        sm_cg_match_pattern(c, &md);
    if (g->leader)
        sm_cg_check_counts(c, &md);
    sm_MetadataResponse_free(&md);
    sm_client_resp_fini(&resp);
}

/* ------------------------------------------------------------ poll */

/* A member whose coordinator was lost (the heartbeat thread noticed)
 * looks for it again, so heartbeats and async commits can go on. */
static void
sm_cg_keep_coord(samsa_consumer_t *c, int64_t deadline)
{
    char errstr[512];
    int32_t id;

    if (sm_cg_ensure_coord(c, deadline, &id, errstr, sizeof(errstr)) !=
        SM_OK)
        sm_debug("consumer", "group %s: %s", c->conf.g.group_id, errstr);
}

/* A fatal join error, as poll returns it. */
static sm_err_t
sm_cg_fatal(sm_err_t err, const char *msg, char **errmsg)
{
    if (errmsg != NULL)
        *errmsg = sm_strdup(msg);
    return err;
}

sm_err_t
sm_cg_poll_prepare(samsa_consumer_t *c, int64_t deadline, char **errmsg)
{
    sm_cgrp_t *g = c->grp;
    char errstr[512] = "";
    sm_err_t err = SM_OK;

    pthread_mutex_lock(&g->lock);
    g->last_poll = sm_mono_ms();
    pthread_mutex_unlock(&g->lock);
    sm_cg_run_done(c);
    if (g->subscribed) {
        sm_cg_check_metadata(c, deadline);
        sm_cg_keep_coord(c, deadline);
        while (sm_cg_rejoin_due(c) && err == SM_OK) {
            err = sm_cg_join(c, deadline, errstr, sizeof(errstr));
            if (err == SM_OK || sm_mono_ms() >= deadline)
                break;
            if (!sm_cg_join_retriable(err))
                return sm_cg_fatal(err, errstr, errmsg);
            err = SM_OK;
            if (sm_client_backoff(c->client, deadline) != 0)
                break;
        }
        if (sm_cg_rejoin_due(c))
            return SM_OK;           /* not in the group yet: nothing to
                                     * fetch; the next poll goes on */
    }
    sm_cg_maybe_auto_commit(c);
    (void)sm_cg_fetch_committed(c, deadline, NULL);
    return SM_OK;
}

/* ------------------------------------------------------------ close */

samsa_err_t
samsa_consumer_close(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    int64_t deadline = sm_mono_ms() + c->conf.api_timeout_ms;
    sm_err_t err = SM_OK;

    if (c->closed)
        return SAMSA_OK;
    c->closed = 1;
    if (g == NULL)
        return SAMSA_OK;
    sm_cg_drain_jobs(c, deadline);
    if (c->conf.g.auto_commit && c->conf.g.group_id[0] != '\0')
        err = samsa_consumer_commit_sync(c, NULL, 0, NULL);
    if (g->subscribed) {
        sm_cg_revoke(c);
        sm_cg_leave(c, NULL, "the consumer is being closed");
    }
    sm_cg_io_stop(c);
    return err == SM_OK ? SAMSA_OK : err;
}
