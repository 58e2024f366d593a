/*
 * consumer_commit.c: the group consumer's offsets (Java's
 * ConsumerCoordinator commitOffsetsSync/Async, maybeAutoCommitOffsets,
 * fetchCommittedOffsets): commit_sync, commit_async and auto commits,
 * reading committed offsets (committed(), and the starting offsets of a
 * new assignment), the commit callbacks and the on_commit interceptors.
 *
 * STORAGE.  offsets.storage=kafka: OffsetCommit/OffsetFetch at the
 * highest version both sides know, with our member id and generation
 * (-1 and "" when not in a group generation: manual assignment).
 * offsets.storage=zookeeper: v0, which Kafka brokers keep in ZooKeeper.
 * dual.commit.enabled with kafka: v0 and then the Kafka version; the
 * outcome is the Kafka commit's (0.8.2's dual commit).  Reading always
 * uses one version (kafka: the broker falls back to ZooKeeper itself).
 *
 * ASYNC.  commit_async and auto commits become jobs for the background
 * thread (group_io.c), which sends them on its own connection in order;
 * finished jobs wait in g->done until the application thread runs their
 * callbacks (poll, commit_sync, close), so callbacks never run on the
 * background thread.  commit_sync first sends every queued job itself
 * (in order, so an older async commit never lands after it) and waits
 * for the one being sent.
 *
 * Threads: the application thread, except sm_cg_commit_once() with a
 * connection, which the background thread calls (it reads only the
 * configuration and, under g->lock, the member and generation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/consumer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/offsetcommit.h"
#include "protocol/offsetfetch.h"

/* ------------------------------------------------------------ commit */

static void
sm_cg_oc_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_OffsetCommitRequest_write(buf, version, arg);
}

static int
sm_cg_commit_retriable(sm_err_t err)
{
    return sm_cg_coord_err(err) || err == SM_ERR__TRANSPORT ||
           err == SM_ERR__TIMED_OUT || err == SM_ERR_REQUEST_TIMED_OUT ||
           err == SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
}

/* What a refused commit says about the member (both threads). */
static void
sm_cg_commit_side_effects(sm_cgrp_t *g, sm_err_t err)
{
    if (sm_cg_coord_err(err) || err == SM_ERR__TRANSPORT)
        sm_cg_coord_lost(g);
    else if (err == SM_ERR_UNKNOWN_MEMBER_ID ||
             err == SM_ERR_ILLEGAL_GENERATION)
        sm_cg_reset_member(g);
    else if (err == SM_ERR_REBALANCE_IN_PROGRESS) {
        pthread_mutex_lock(&g->lock);
        g->need_rejoin = 1;
        pthread_mutex_unlock(&g->lock);
    }
}

/* The first error of offsets[].err. */
static sm_err_t
sm_cg_first_err(const samsa_partition_offset_t *offsets, int cnt)
{
    for (int i = 0; i < cnt; i++)
        if (offsets[i].err != SM_OK)
            return offsets[i].err;
    return SM_OK;
}

/* One OffsetCommit at version cap max (0: ZooKeeper). */
static sm_err_t
sm_cg_commit_version(samsa_consumer_t *c, sm_client_conn_t *conn,
                     int16_t max, samsa_partition_offset_t *offsets,
                     int cnt, int64_t deadline, char *errstr,
                     size_t errstr_size)
{
    sm_cgrp_t *g = c->grp;
    sm_OffsetCommitRequest_t req;
    sm_OffsetCommitResponse_t r;
    sm_client_resp_t resp;
    char *member;
    int32_t gen;
    sm_err_t err;

    pthread_mutex_lock(&g->lock);
    if (g->auto_assigned && g->generation < 0) {
        /* a member that lost its generation must not commit (Java's
         * CommitFailedException): another may own the partitions now */
        pthread_mutex_unlock(&g->lock);
        for (int i = 0; i < cnt; i++)
            offsets[i].err = SM_ERR_ILLEGAL_GENERATION;
        return SM_ERR_ILLEGAL_GENERATION;
    }
    member = sm_strdup(g->generation >= 0 ? g->member_id : "");
    gen = g->generation;
    pthread_mutex_unlock(&g->lock);
    sm_cg_oc_build(&req, c->conf.g.group_id, offsets, cnt);
    req.GenerationId = gen;
    req.MemberId = sm_str_cstr(member);
    if (c->conf.g.instance_id != NULL && req.GenerationId >= 0)
        req.GroupInstanceId = sm_str_cstr(c->conf.g.instance_id);
    if (conn == NULL) {
        err = sm_cg_call(c, SM_API_OffsetCommit, max, sm_cg_oc_body, &req,
                         deadline, &resp, errstr, errstr_size);
    } else {
        int16_t v = sm_client_conn_version(conn, SM_API_OffsetCommit, max);
        err = v < 0 ? SM_ERR_UNSUPPORTED_VERSION
                    : sm_client_conn_call(conn, SM_API_OffsetCommit, v,
                                          sm_cg_oc_body, &req, deadline,
                                          &resp, errstr, errstr_size);
    }
    if (err == SM_OK) {
        err = sm_OffsetCommitResponse_read(&resp.rd, resp.version, &r);
        if (err == SM_OK) {
            (void)sm_cg_oc_match(&r, offsets, cnt);
            err = sm_cg_first_err(offsets, cnt);
            sm_OffsetCommitResponse_free(&r);
        }
        sm_client_resp_fini(&resp);
    }
    sm_cg_oc_fini(&req);
    sm_free(member);
    sm_cg_commit_side_effects(g, err);
    return err;
}

sm_err_t
sm_cg_commit_once(samsa_consumer_t *c, sm_client_conn_t *conn,
                  samsa_partition_offset_t *offsets, int cnt,
                  int64_t deadline, char *errstr, size_t errstr_size)
{
    sm_err_t err;

    if (c->conf.g.offsets_zk || c->conf.g.dual_commit) {
        err = sm_cg_commit_version(c, conn, 0, offsets, cnt, deadline,
                                   errstr, errstr_size);
        if (c->conf.g.offsets_zk || err != SM_OK)
            return err;
    }
    return sm_cg_commit_version(c, conn, SM_OFFSETCOMMIT_MAX_VERSION,
                                offsets, cnt, deadline, errstr,
                                errstr_size);
}

void
sm_cg_committed_ok(samsa_consumer_t *c,
                   const samsa_partition_offset_t *offsets, int cnt)
{
    for (int i = 0; i < cnt; i++) {
        sm_ctp_t *tp = sm_consumer_find(c, offsets[i].topic,
                                        offsets[i].partition);
        if (tp != NULL && offsets[i].err == SM_OK)
            tp->committed = offsets[i].offset;
    }
    for (int i = 0; i < c->conf.g.nicpts; i++)
        if (c->conf.g.icpts[i].on_commit != NULL)
            c->conf.g.icpts[i].on_commit(offsets, cnt,
                                         c->conf.g.icpts[i].opaque);
}

samsa_partition_offset_t *
sm_cg_positions(samsa_consumer_t *c, int *cntp)
{
    samsa_partition_offset_t *v = NULL;
    int n = 0;

    for (int i = 0; i < c->nparts; i++) {
        const sm_ctp_t *tp = &c->parts[i];
        int64_t pos = sm_consumer_position(c, tp);
        if (pos < 0 || pos == tp->committed)
            continue;
        v = sm_realloc(v, (size_t)(n + 1) * sizeof(*v));
        memset(&v[n], 0, sizeof(v[n]));
        v[n].topic = sm_strdup(tp->topic);
        v[n].partition = tp->partition;
        v[n].offset = pos;
        n++;
    }
    *cntp = n;
    return v;
}

static void
sm_cg_errmsg(char **errmsg, sm_err_t err, const char *errstr)
{
    if (errmsg == NULL || err == SM_OK)
        return;
    if (err == SM_ERR_ILLEGAL_GENERATION || err == SM_ERR_UNKNOWN_MEMBER_ID ||
        err == SM_ERR_REBALANCE_IN_PROGRESS)
        *errmsg = sm_strdup("Commit cannot be completed since the group "
                            "has already rebalanced and assigned the "
                            "partitions to another member.");
    else
        *errmsg = sm_strdup(errstr[0] != '\0' ? errstr
                                              : samsa_err_message(err));
}

static sm_err_t
sm_cg_may_commit(const samsa_consumer_t *c)
{
    if (c->grp == NULL || c->conf.g.group_id[0] == '\0')
        return SM_ERR_INVALID_GROUP_ID;
    return SM_OK;
}

samsa_err_t
samsa_consumer_commit_sync(samsa_consumer_t *c,
                           samsa_partition_offset_t *offsets, int cnt,
                           char **errmsg)
{
    int64_t deadline = sm_mono_ms() + c->conf.api_timeout_ms;
    samsa_partition_offset_t *own = NULL;
    char errstr[512] = "";
    sm_err_t err = sm_cg_may_commit(c);

    if (errmsg != NULL)
        *errmsg = NULL;
    if (err != SM_OK)
        return err;
    sm_cg_drain_jobs(c, deadline);
    if (offsets == NULL)
        offsets = own = sm_cg_positions(c, &cnt);
    while (cnt > 0) {
        errstr[0] = '\0';
        err = sm_cg_commit_once(c, NULL, offsets, cnt, deadline, errstr,
                                sizeof(errstr));
        if (err == SM_OK)
            sm_cg_committed_ok(c, offsets, cnt);
        if (err == SM_OK || !sm_cg_commit_retriable(err) ||
            sm_client_backoff(c->client, deadline) != 0)
            break;
    }
    sm_cg_errmsg(errmsg, err, errstr);
    samsa_partition_offsets_free(own, own != NULL ? cnt : 0);
    return err;
}

/* ------------------------------------------------------------ async */

static sm_commit_job_t *
sm_cg_job(samsa_partition_offset_t *offsets, int cnt, samsa_commit_cb *cb,
          void *opaque)
{
    sm_commit_job_t *j = sm_calloc(1, sizeof(*j));

    j->offsets = offsets;
    j->cnt = cnt;
    j->cb = cb;
    j->opaque = opaque;
    return j;
}

static void
sm_cg_queue_job(sm_cgrp_t *g, sm_commit_job_t *j)
{
    pthread_mutex_lock(&g->lock);
    *g->jobs_tail = j;
    g->jobs_tail = &j->next;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

samsa_err_t
samsa_consumer_commit_async(samsa_consumer_t *c,
                            const samsa_partition_offset_t *offsets, int cnt,
                            samsa_commit_cb *cb, void *opaque)
{
    samsa_partition_offset_t *copy;
    sm_err_t err = sm_cg_may_commit(c);

    if (err != SM_OK)
        return err;
    if (cb == NULL) {
        cb = c->conf.g.commit_cb;
        opaque = c->conf.g.commit_opaque;
    }
    if (offsets == NULL) {
        copy = sm_cg_positions(c, &cnt);
    } else {
        copy = sm_calloc((size_t)cnt + 1, sizeof(*copy));
        for (int i = 0; i < cnt; i++) {
            copy[i] = offsets[i];
            copy[i].topic = sm_strdup(offsets[i].topic);
            copy[i].metadata = offsets[i].metadata != NULL
                               ? sm_strdup(offsets[i].metadata) : NULL;
            copy[i].err = SM_OK;
        }
    }
    sm_cg_queue_job(c->grp, sm_cg_job(copy, cnt, cb, opaque));
    return SAMSA_OK;
}

void
sm_cg_maybe_auto_commit(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    samsa_partition_offset_t *v;
    int64_t now = sm_mono_ms();
    int n;

    if (!c->conf.g.auto_commit || c->conf.g.group_id[0] == '\0' ||
        now < g->next_auto_commit)
        return;
    g->next_auto_commit = now + c->conf.g.auto_commit_interval_ms;
    v = sm_cg_positions(c, &n);
    if (n > 0)
        sm_cg_queue_job(g, sm_cg_job(v, n, c->conf.g.commit_cb,
                                     c->conf.g.commit_opaque));
}

void
sm_cg_run_done(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    sm_commit_job_t *j;

    pthread_mutex_lock(&g->lock);
    j = g->done;
    g->done = NULL;
    g->done_tail = &g->done;
    pthread_mutex_unlock(&g->lock);
    while (j != NULL) {
        sm_commit_job_t *next = j->next;
        if (j->err == SM_OK)
            sm_cg_committed_ok(c, j->offsets, j->cnt);
        else
            sm_warn("consumer", "group %s: async offset commit failed: %s",
                    c->conf.g.group_id, samsa_err_message(j->err));
        if (j->cb != NULL)
            j->cb(j->err, j->offsets, j->cnt, j->opaque);
        samsa_partition_offsets_free(j->offsets, j->cnt);
        sm_free(j);
        j = next;
    }
}

void
sm_cg_drain_jobs(samsa_consumer_t *c, int64_t deadline)
{
    sm_cgrp_t *g = c->grp;
    sm_commit_job_t *j;
    char errstr[512];

    pthread_mutex_lock(&g->lock);
    j = g->jobs;                    /* the ones not started: ours now */
    g->jobs = NULL;
    g->jobs_tail = &g->jobs;
    while (g->busy && sm_mono_ms() < deadline)
        sm_cg_cond_wait(&g->cond, &g->lock, deadline);
    pthread_mutex_unlock(&g->lock);
    while (j != NULL) {
        sm_commit_job_t *next = j->next;
        j->next = NULL;
        j->err = j->cnt == 0 ? SM_OK
                 : sm_cg_commit_once(c, NULL, j->offsets, j->cnt, deadline,
                                     errstr, sizeof(errstr));
        pthread_mutex_lock(&g->lock);
        *g->done_tail = j;
        g->done_tail = &j->next;
        pthread_mutex_unlock(&g->lock);
        j = next;
    }
    sm_cg_run_done(c);
}

/* ------------------------------------------------------------ fetch */

static void
sm_cg_of_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_OffsetFetchRequest_write(buf, version, arg);
}

/* OffsetFetch for offsets[0..cnt) (topic/partition in; offset, metadata,
 * err out).  The request-level error is returned. */
static sm_err_t
sm_cg_offset_fetch(samsa_consumer_t *c, samsa_partition_offset_t *offsets,
                   int cnt, int64_t deadline, char *errstr,
                   size_t errstr_size)
{
    sm_OffsetFetchRequestTopic_t *topics = sm_calloc((size_t)cnt + 1,
                                                     sizeof(*topics));
    int32_t *parts = sm_calloc((size_t)cnt + 1, sizeof(*parts));
    sm_OffsetFetchRequest_t req;
    sm_OffsetFetchResponse_t r;
    sm_client_resp_t resp;
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.GroupId = sm_str_cstr(c->conf.g.group_id);
    req.Topics = topics;
    for (int i = 0; i < cnt; i++) {     /* one entry per partition */
        topics[i].Name = sm_str_cstr(offsets[i].topic);
        topics[i].PartitionIndexesCnt = 1;
        topics[i].PartitionIndexes = &parts[i];
        parts[i] = offsets[i].partition;
        offsets[i].offset = -1;
        offsets[i].err = SM_ERR_UNKNOWN_SERVER_ERROR;
    }
    req.TopicsCnt = cnt;
    err = sm_cg_call(c, SM_API_OffsetFetch,
                     c->conf.g.offsets_zk ? 0 : SM_OFFSETFETCH_MAX_VERSION,
                     sm_cg_of_body, &req, deadline, &resp, errstr,
                     errstr_size);
    sm_free(topics);
    sm_free(parts);
    if (err != SM_OK)
        return err;
    err = sm_OffsetFetchResponse_read(&resp.rd, resp.version, &r);
    if (err == SM_OK) {
        err = r.ErrorCode;
        for (int32_t t = 0; t < r.TopicsCnt; t++)
            for (int32_t k = 0; k < r.Topics[t].PartitionsCnt; k++) {
                const sm_OffsetFetchResponsePartition_t *p =
                    &r.Topics[t].Partitions[k];
                for (int i = 0; i < cnt; i++) {
                    samsa_partition_offset_t *o = &offsets[i];
                    if (o->partition != p->PartitionIndex ||
                        !sm_str_eq_cstr(r.Topics[t].Name, o->topic))
                        continue;
                    o->offset = p->CommittedOffset;
                    o->err = p->ErrorCode;
                    /* v0 (ZooKeeper) says "no offset" this way */
                    if (resp.version == 0 && o->offset < 0 &&
                        o->err == SM_ERR_UNKNOWN_TOPIC_OR_PARTITION)
                        o->err = SM_OK;
                    sm_free(o->metadata);
                    o->metadata = sm_str_is_null(p->Metadata)
                                  ? NULL : sm_str_dup(p->Metadata);
                }
            }
        sm_OffsetFetchResponse_free(&r);
    }
    sm_client_resp_fini(&resp);
    if (sm_cg_coord_err(err))
        sm_cg_coord_lost(c->grp);
    return err;
}

samsa_err_t
samsa_consumer_committed(samsa_consumer_t *c,
                         samsa_partition_offset_t *offsets, int cnt,
                         char **errmsg)
{
    int64_t deadline = sm_mono_ms() + c->conf.api_timeout_ms;
    char errstr[512] = "";
    sm_err_t err = sm_cg_may_commit(c);

    if (errmsg != NULL)
        *errmsg = NULL;
    if (err != SM_OK || cnt <= 0)
        return err;
    for (;;) {
        errstr[0] = '\0';
        err = sm_cg_offset_fetch(c, offsets, cnt, deadline, errstr,
                                 sizeof(errstr));
        if (err == SM_OK)
            err = sm_cg_first_err(offsets, cnt);
        if (err == SM_OK || !sm_cg_commit_retriable(err) ||
            sm_client_backoff(c->client, deadline) != 0)
            break;
    }
    sm_cg_errmsg(errmsg, err, errstr);
    return err;
}

sm_err_t
sm_cg_fetch_committed(samsa_consumer_t *c, int64_t deadline, char **errmsg)
{
    samsa_partition_offset_t *v = NULL;
    char errstr[512] = "";
    int n = 0;
    sm_err_t err;

    (void)errmsg;
    if (c->grp == NULL || c->conf.g.group_id[0] == '\0')
        return SM_OK;
    for (int i = 0; i < c->nparts; i++) {
        if (c->parts[i].offset != SM_OFFSET_COMMITTED)
            continue;
        v = sm_realloc(v, (size_t)(n + 1) * sizeof(*v));
        memset(&v[n], 0, sizeof(v[n]));
        v[n].topic = sm_strdup(c->parts[i].topic);
        v[n++].partition = c->parts[i].partition;
    }
    if (n == 0)
        return SM_OK;
    err = sm_cg_offset_fetch(c, v, n, deadline, errstr, sizeof(errstr));
    for (int i = 0; err == SM_OK && i < n; i++) {
        sm_ctp_t *tp = sm_consumer_find(c, v[i].topic, v[i].partition);
        if (tp == NULL || v[i].err != SM_OK) {
            sm_debug("consumer", "committed offset of %s-%d: %s",
                     v[i].topic, (int)v[i].partition,
                     samsa_err_message(v[i].err));
            continue;               /* asked again at the next poll */
        }
        tp->offset = v[i].offset >= 0 ? v[i].offset : SAMSA_OFFSET_STORED;
        tp->committed = v[i].offset;
    }
    samsa_partition_offsets_free(v, n);
    return err;
}
