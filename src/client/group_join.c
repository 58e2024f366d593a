/*
 * group_join.c: joining the group (Java's AbstractCoordinator
 * joinGroup/syncGroup and ConsumerCoordinator onJoinPrepare /
 * performAssignment / onJoinComplete), eager protocol:
 *
 *   prepare   with an assignment: commit it (enable.auto.commit), call
 *             the revoked callback, drop it
 *   join      JoinGroup with one protocol per configured assignor (its
 *             name, the Subscription bytes: our topics, sticky's user
 *             data); MEMBER_ID_REQUIRED (v4+) is answered at once with
 *             the member id the coordinator gave
 *   lead      if the coordinator made us leader: decode every member's
 *             Subscription, read the partition counts of all their
 *             topics (Metadata), run the chosen assignor, encode
 *   sync      SyncGroup (the leader's assignments, or none); our
 *             Assignment comes back
 *   install   every assigned partition at SM_OFFSET_COMMITTED (poll
 *             reads the committed offsets after the callback, so a seek
 *             made in the callback wins), state STABLE, the heartbeats
 *             restart, the assigned callback
 *
 * ERRORS.  Group errors that a new attempt can fix (coordinator moved or
 * loading, REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION -
 * those reset the member id first -, lost connections) make the attempt
 * fail retriably: poll tries again after retry.backoff.ms.  The rest
 * (INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT,
 * FENCED_INSTANCE_ID, GROUP_MAX_SIZE_REACHED, authorization) are returned
 * by poll.
 *
 * Threads: the application thread; shared group fields under g->lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/consumer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/joingroup.h"
#include "protocol/syncgroup.h"

#define SM_CG_MAX_ASSIGNORS 8

int
sm_cg_join_retriable(sm_err_t err)
{
    switch (err) {
    case SM_ERR_INCONSISTENT_GROUP_PROTOCOL:
    case SM_ERR_INVALID_SESSION_TIMEOUT:
    case SM_ERR_INVALID_GROUP_ID:
    case SM_ERR_GROUP_AUTHORIZATION_FAILED:
    case SM_ERR_FENCED_INSTANCE_ID:
    case SM_ERR_GROUP_MAX_SIZE_REACHED:
    case SM_ERR_UNSUPPORTED_VERSION:
    case SM_ERR__CONFIG:
        return 0;
    default:
        return 1;
    }
}

/* The configured assignors, in preference order. */
static int
sm_cg_assignors(const samsa_consumer_t *c, const sm_assignor_t **v)
{
    char *copy = sm_strdup(c->conf.g.assignors), *save = NULL, *tok;
    int n = 0;

    for (tok = strtok_r(copy, ", \t", &save);
         tok != NULL && n < SM_CG_MAX_ASSIGNORS;
         tok = strtok_r(NULL, ", \t", &save)) {
        const sm_assignor_t *a = sm_assignor_find(tok);
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= v[i] == a;
        if (a != NULL && !dup)
            v[n++] = a;
    }
    sm_free(copy);
    return n;
}

/* ------------------------------------------------------------ callbacks */

static void
sm_cg_callback(samsa_consumer_t *c, int kind,
               const samsa_topic_partition_t *tps, int n)
{
    if (c->conf.g.rebalance_cb != NULL)
        c->conf.g.rebalance_cb(c, kind, tps, n,
                               c->conf.g.rebalance_opaque);
}

void
sm_cg_revoke(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    samsa_topic_partition_t *tps;
    char *errmsg = NULL;
    int n;

    if (!g->has_assignment)
        return;
    if (c->conf.g.auto_commit &&
        samsa_consumer_commit_sync(c, NULL, 0, &errmsg) != SAMSA_OK) {
        sm_warn("consumer", "group %s: offset commit before the rebalance "
                "failed: %s", c->conf.g.group_id, errmsg);
        sm_free(errmsg);
    }
    samsa_consumer_assignment(c, &tps, &n);
    sm_info("consumer", "group %s: revoking %d partition(s)",
            c->conf.g.group_id, n);
    sm_cg_callback(c, SAMSA_REBALANCE_REVOKED, tps, n);
    samsa_topic_partitions_free(tps, n);
    sm_consumer_clear(c);
    g->has_assignment = 0;
}

/* ------------------------------------------------------------ join */

static void
sm_cg_jg_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_JoinGroupRequest_write(buf, version, arg);
}

static void
sm_cg_sg_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_SyncGroupRequest_write(buf, version, arg);
}

/* How long JoinGroup and SyncGroup may take: the rebalance timeout
 * (max.poll.interval.ms) and some, as Java. */
static int64_t
sm_cg_join_deadline(const samsa_consumer_t *c)
{
    int64_t wait = (int64_t)c->conf.g.max_poll_interval_ms + 5000;

    if (wait < c->conf.request_timeout_ms)
        wait = c->conf.request_timeout_ms;
    return sm_mono_ms() + wait;
}

static sm_str_t
sm_cg_instance(const samsa_consumer_t *c)
{
    return c->conf.g.instance_id != NULL
           ? sm_str_cstr(c->conf.g.instance_id) : SM_STR_NULL;
}

/* Our Subscription for assignor a into out. */
static void
sm_cg_subscription(samsa_consumer_t *c, const sm_assignor_t *a,
                   int32_t generation, sm_buf_t *out)
{
    sm_cgrp_t *g = c->grp;
    sm_bytes_t ud = SM_BYTES_NULL;
    sm_buf_t udb;

    sm_buf_init(&udb, 64);
    if (a->user_data != NULL) {
        a->user_data(g->owned, g->nowned, generation, &udb);
        if (udb.len > 0)            /* nothing yet: null, as Java */
            ud = (sm_bytes_t){ udb.data, (int32_t)udb.len };
    }
    sm_cproto_subscription_write(out, g->topics, g->ntopics, ud);
    sm_buf_fini(&udb);
}

/* Send JoinGroup; *jr and *resp are the caller's to free (jr first). */
static sm_err_t
sm_cg_send_join(samsa_consumer_t *c, sm_JoinGroupResponse_t *jr,
                sm_client_resp_t *resp, char *errstr, size_t errstr_size)
{
    sm_cgrp_t *g = c->grp;
    const sm_assignor_t *as[SM_CG_MAX_ASSIGNORS];
    sm_JoinGroupRequestProtocol_t protos[SM_CG_MAX_ASSIGNORS];
    sm_buf_t bufs[SM_CG_MAX_ASSIGNORS];
    sm_JoinGroupRequest_t req;
    int n = sm_cg_assignors(c, as);
    char *member;
    int32_t gen;
    sm_err_t err;

    pthread_mutex_lock(&g->lock);
    member = sm_strdup(g->member_id);
    gen = g->generation;
    pthread_mutex_unlock(&g->lock);
    memset(&req, 0, sizeof(req));
    req.GroupId = sm_str_cstr(c->conf.g.group_id);
    req.SessionTimeoutMs = c->conf.g.session_timeout_ms;
    req.RebalanceTimeoutMs = c->conf.g.max_poll_interval_ms;
    req.MemberId = sm_str_cstr(member);
    req.GroupInstanceId = sm_cg_instance(c);
    req.ProtocolType = sm_str_cstr("consumer");
    req.ProtocolsCnt = n;
    req.Protocols = protos;
    for (int i = 0; i < n; i++) {
        sm_buf_init(&bufs[i], 128);
        sm_cg_subscription(c, as[i], gen, &bufs[i]);
        protos[i].Name = sm_str_cstr(as[i]->name);
        protos[i].Metadata = (sm_bytes_t){ bufs[i].data,
                                           (int32_t)bufs[i].len };
    }
    err = sm_cg_call(c, SM_API_JoinGroup, SM_JOINGROUP_MAX_VERSION,
                     sm_cg_jg_body, &req, sm_cg_join_deadline(c), resp,
                     errstr, errstr_size);
    for (int i = 0; i < n; i++)
        sm_buf_fini(&bufs[i]);
    sm_free(member);
    if (err != SM_OK)
        return err;
    err = sm_JoinGroupResponse_read(&resp->rd, resp->version, jr);
    if (err != SM_OK)
        sm_client_resp_fini(resp);
    return err;
}

/* The group's answer to JoinGroup: SM_OK, or the error to act on. */
static sm_err_t
sm_cg_join_result(samsa_consumer_t *c, const sm_JoinGroupResponse_t *jr,
                  char *errstr, size_t errstr_size)
{
    sm_cgrp_t *g = c->grp;
    sm_err_t err = jr->ErrorCode;

    switch (err) {
    case SM_OK:
    case SM_ERR_MEMBER_ID_REQUIRED:
        pthread_mutex_lock(&g->lock);
        sm_free(g->member_id);
        g->member_id = sm_str_dup(jr->MemberId);
        if (err == SM_OK)
            g->generation = jr->GenerationId;
        pthread_mutex_unlock(&g->lock);
        break;
    case SM_ERR_UNKNOWN_MEMBER_ID:
    case SM_ERR_ILLEGAL_GENERATION:
    case SM_ERR_GROUP_MAX_SIZE_REACHED:
        sm_cg_reset_member(g);
        break;
    case SM_ERR_NOT_COORDINATOR:
    case SM_ERR_COORDINATOR_NOT_AVAILABLE:
        sm_cg_coord_lost(g);
        break;
    default:
        break;
    }
    if (err != SM_OK)
        snprintf(errstr, errstr_size, "JoinGroup of group %s failed: %s",
                 c->conf.g.group_id, samsa_err_message(err));
    return err;
}

/* ------------------------------------------------------------ lead */

static int
sm_cg_has(char **v, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

void
sm_cg_free_counts(sm_cgrp_t *g)
{
    for (int i = 0; i < g->ncounts; i++)
        sm_free((char *)g->counts[i].name);
    sm_free(g->counts);
    g->counts = NULL;
    g->ncounts = 0;
}

/* The partition counts of every topic a member subscribed to (topics
 * that do not exist are left out) into g->counts. */
static sm_err_t
sm_cg_read_counts(samsa_consumer_t *c, const sm_asg_member_t *m, int nm,
                  int64_t deadline)
{
    sm_cgrp_t *g = c->grp;
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    char **names = NULL;
    int n = 0;
    sm_err_t err;

    for (int i = 0; i < nm; i++)
        for (int k = 0; k < m[i].ntopics; k++)
            if (!sm_cg_has(names, n, m[i].topics[k])) {
                names = sm_realloc(names, (size_t)(n + 1) * sizeof(*names));
                names[n++] = m[i].topics[k];
            }
    sm_cg_free_counts(g);
    err = n == 0 ? SM_OK : sm_cg_metadata(c, names, n, deadline, &resp, &md);
    sm_free(names);
    if (err != SM_OK || n == 0)
        return err;
    g->counts = sm_calloc((size_t)md.TopicsCnt + 1, sizeof(*g->counts));
    for (int32_t t = 0; t < md.TopicsCnt; t++) {
        const sm_MetadataResponseTopic_t *mt = &md.Topics[t];
        if (mt->ErrorCode != SM_OK || mt->PartitionsCnt <= 0)
            continue;
        g->counts[g->ncounts].name = sm_str_dup(mt->Name);
        g->counts[g->ncounts++].partitions = mt->PartitionsCnt;
    }
    sm_MetadataResponse_free(&md);
    sm_client_resp_fini(&resp);
    return SM_OK;
}

/* Decode the members of a JoinGroup answer (leader). */
static sm_asg_member_t *
sm_cg_members(const sm_JoinGroupResponse_t *jr)
{
    sm_asg_member_t *m = sm_calloc((size_t)jr->MembersCnt + 1, sizeof(*m));

    for (int32_t i = 0; i < jr->MembersCnt; i++) {
        const sm_JoinGroupResponseMember_t *jm = &jr->Members[i];
        m[i].generation = -1;
        if (sm_cproto_subscription_read(jm->Metadata, &m[i]) != SM_OK)
            sm_warn("consumer", "member %.*s sent a Subscription that does "
                    "not parse; it gets nothing",
                    SM_STR_ARG(jm->MemberId));
        m[i].member_id = sm_str_dup(jm->MemberId);
        m[i].group_instance_id = sm_str_is_null(jm->GroupInstanceId)
                                 ? NULL : sm_str_dup(jm->GroupInstanceId);
    }
    return m;
}

/* Leader: the assignments for SyncGroup into req (bufs hold the bytes:
 * the caller frees them after the request). */
static sm_err_t
sm_cg_lead(samsa_consumer_t *c, const sm_JoinGroupResponse_t *jr,
           sm_SyncGroupRequest_t *req, sm_buf_t **bufsp, char *errstr,
           size_t errstr_size)
{
    char *proto = sm_str_dup(jr->ProtocolName);
    const sm_assignor_t *a = sm_assignor_find(proto);
    int n = jr->MembersCnt;
    sm_asg_member_t *m;
    sm_asg_out_t *out;
    sm_buf_t *bufs;
    sm_err_t err;

    if (a == NULL) {
        snprintf(errstr, errstr_size, "The group chose assignor %s, which "
                 "samsa does not have", proto);
        sm_free(proto);
        return SM_ERR_INCONSISTENT_GROUP_PROTOCOL;
    }
    sm_free(proto);
    m = sm_cg_members(jr);
    err = sm_cg_read_counts(c, m, n, sm_mono_ms() + c->conf.api_timeout_ms);
    if (err != SM_OK) {
        snprintf(errstr, errstr_size, "Metadata for the assignment failed: "
                 "%s", samsa_err_message(err));
        for (int i = 0; i < n; i++)
            sm_asg_member_fini(&m[i]);
        sm_free(m);
        return err;
    }
    out = sm_calloc((size_t)n + 1, sizeof(*out));
    a->assign(m, n, c->grp->counts, c->grp->ncounts, out);
    bufs = sm_calloc((size_t)n + 1, sizeof(*bufs));
    req->Assignments = sm_calloc((size_t)n + 1, sizeof(*req->Assignments));
    req->AssignmentsCnt = n;
    for (int i = 0; i < n; i++) {
        sm_buf_init(&bufs[i], 64);
        sm_cproto_assignment_write(&bufs[i], out[i].tps, out[i].ntps);
        req->Assignments[i].MemberId = jr->Members[i].MemberId;
        req->Assignments[i].Assignment =
            (sm_bytes_t){ bufs[i].data, (int32_t)bufs[i].len };
        sm_asg_member_fini(&m[i]);
    }
    sm_info("consumer", "group %s: leader of generation %d, assigned with "
            "%s among %d member(s)", c->conf.g.group_id,
            (int)jr->GenerationId, a->name, n);
    sm_asg_out_fini(out, n);
    sm_free(out);
    sm_free(m);
    *bufsp = bufs;
    return SM_OK;
}

/* ------------------------------------------------------------ sync */

static sm_err_t
sm_cg_sync_result(samsa_consumer_t *c, sm_err_t err)
{
    sm_cgrp_t *g = c->grp;

    if (err == SM_ERR_UNKNOWN_MEMBER_ID || err == SM_ERR_ILLEGAL_GENERATION)
        sm_cg_reset_member(g);
    else if (err == SM_ERR_NOT_COORDINATOR ||
             err == SM_ERR_COORDINATOR_NOT_AVAILABLE)
        sm_cg_coord_lost(g);
    return err;
}

/* SyncGroup; *tpsp our assignment. */
static sm_err_t
sm_cg_sync(samsa_consumer_t *c, const sm_JoinGroupResponse_t *jr,
           samsa_topic_partition_t **tpsp, int *ntpsp, char *errstr,
           size_t errstr_size)
{
    sm_SyncGroupRequest_t req;
    sm_SyncGroupResponse_t sr;
    sm_client_resp_t resp;
    sm_buf_t *bufs = NULL;
    sm_err_t err = SM_OK;

    memset(&req, 0, sizeof(req));
    req.GroupId = sm_str_cstr(c->conf.g.group_id);
    req.GenerationId = jr->GenerationId;
    req.MemberId = jr->MemberId;
    req.GroupInstanceId = sm_cg_instance(c);
    c->grp->leader = sm_str_eq(jr->Leader, jr->MemberId);
    if (c->grp->leader)
        err = sm_cg_lead(c, jr, &req, &bufs, errstr, errstr_size);
    if (err == SM_OK)
        err = sm_cg_call(c, SM_API_SyncGroup, SM_SYNCGROUP_MAX_VERSION,
                         sm_cg_sg_body, &req, sm_cg_join_deadline(c), &resp,
                         errstr, errstr_size);
    for (int i = 0; bufs != NULL && i < req.AssignmentsCnt; i++)
        sm_buf_fini(&bufs[i]);
    sm_free(bufs);
    sm_free(req.Assignments);
    if (err != SM_OK)
        return err;
    err = sm_SyncGroupResponse_read(&resp.rd, resp.version, &sr);
    if (err == SM_OK) {
        err = sm_cg_sync_result(c, sr.ErrorCode);
        if (err == SM_OK)
            err = sm_cproto_assignment_read(sr.Assignment, tpsp, ntpsp);
        else
            snprintf(errstr, errstr_size, "SyncGroup of group %s failed: "
                     "%s", c->conf.g.group_id, samsa_err_message(err));
        sm_SyncGroupResponse_free(&sr);
    }
    sm_client_resp_fini(&resp);
    return err;
}

/* ------------------------------------------------------------ install */

static void
sm_cg_install(samsa_consumer_t *c, samsa_topic_partition_t *tps, int n,
              int32_t generation)
{
    sm_cgrp_t *g = c->grp;
    int64_t now = sm_mono_ms();

    sm_consumer_clear(c);
    for (int i = 0; i < n; i++)
        sm_consumer_add(c, tps[i].topic, tps[i].partition,
                        SM_OFFSET_COMMITTED);
    samsa_topic_partitions_free(g->owned, g->nowned);
    g->owned = tps;
    g->nowned = n;
    g->has_assignment = 1;
    pthread_mutex_lock(&g->lock);
    g->state = SM_CG_STABLE;
    g->need_rejoin = 0;
    g->next_hb = now + c->conf.g.heartbeat_interval_ms;
    g->last_hb_ok = now;
    g->last_poll = now;             /* the join ran inside a poll */
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
    sm_info("consumer", "group %s: generation %d, %d partition(s) "
            "assigned", c->conf.g.group_id, (int)generation, n);
    sm_cg_callback(c, SAMSA_REBALANCE_ASSIGNED, tps, n);
}

sm_err_t
sm_cg_join(samsa_consumer_t *c, int64_t deadline, char *errstr,
           size_t errstr_size)
{
    sm_cgrp_t *g = c->grp;
    samsa_topic_partition_t *tps = NULL;
    sm_JoinGroupResponse_t jr;
    sm_client_resp_t resp;
    int ntps = 0;
    sm_err_t err;

    (void)deadline;                 /* JoinGroup has its own bound */
    sm_cg_revoke(c);
    pthread_mutex_lock(&g->lock);
    g->state = SM_CG_REBALANCING;
    pthread_mutex_unlock(&g->lock);
    for (int attempt = 0; attempt < 2; attempt++) {
        err = sm_cg_send_join(c, &jr, &resp, errstr, errstr_size);
        if (err != SM_OK)
            return err;
        err = sm_cg_join_result(c, &jr, errstr, errstr_size);
        if (err != SM_ERR_MEMBER_ID_REQUIRED)
            break;
        sm_JoinGroupResponse_free(&jr);
        sm_client_resp_fini(&resp);
    }
    if (err == SM_OK)
        err = sm_cg_sync(c, &jr, &tps, &ntps, errstr, errstr_size);
    if (err == SM_OK)
        sm_cg_install(c, tps, ntps, jr.GenerationId);
    if (err != SM_ERR_MEMBER_ID_REQUIRED) {
        sm_JoinGroupResponse_free(&jr);
        sm_client_resp_fini(&resp);
    }
    return err;
}
