/*
 * group_handlers.c: the group coordination handlers (Kafka's KafkaApis
 * handleFindCoordinatorRequest, handleJoinGroupRequest, handleSyncGroup-
 * Request, handleHeartbeatRequest, handleLeaveGroupRequest, handleOffset-
 * CommitRequest, handleOffsetFetchRequest, handleListGroupsRequest,
 * handleDescribeGroupsRequest, handleDeleteGroupsRequest,
 * handleOffsetDeleteRequest) on top of coordinator/coordinator.c.
 *
 * COORDINATOR CHOICE.  A group belongs to partition
 * sm_coord_partition_for(group) of __consumer_offsets; its leader is the
 * coordinator.  FindCoordinator creates __consumer_offsets the first time
 * (offsets.topic.* settings, through sm_admin_auto_create_topic) and
 * answers COORDINATOR_NOT_AVAILABLE until the partition has a live leader.
 * Every other handler asks the coordinator whether it owns the group's
 * partition: NOT_COORDINATOR, or COORDINATOR_LOAD_IN_PROGRESS while the
 * partition is being loaded (Kafka's validateGroupStatus; an empty group
 * id is INVALID_GROUP_ID there).  OffsetCommit answers only after the
 * offsets were appended to __consumer_offsets (server/group_store.c) and,
 * with offsets.commit.required.acks=-1, replicated to the ISR (see
 * REPLICATION WAIT below).
 *
 * PARKED ANSWERS.  JoinGroup and SyncGroup hand the coordinator a callback
 * with the request context; the answer is written and sent from whichever
 * thread completes it (this handler, another member's request, or the
 * coordinator's ticker), never by blocking an I/O handler thread.
 *
 * OffsetCommit v0 / OffsetFetch v0 read and write ZooKeeper's
 * /consumers/<group>/offsets/<topic>/<partition> on any broker, as Kafka
 * 0.8.2 - 2.x do.  v1+ go where offsets.storage says (offsets_storage.h);
 * an OffsetFetch of all a group's offsets (null topics, v2+) reads the
 * coordinator only.
 *
 * Deviations from Kafka, for now: an empty group id in a v0 commit is
 * INVALID_GROUP_ID (Kafka fails on the ZooKeeper path),
 * OFFSET_METADATA_TOO_LARGE is decided before the generation check,
 * static membership covers JoinGroup only (a restarted static member
 * takes over its old id; Heartbeat, SyncGroup, OffsetCommit and
 * LeaveGroup do not check GroupInstanceId), and
 * FindCoordinator for transactions answers COORDINATOR_NOT_AVAILABLE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "coordinator/coordinator.h"
#include "protocol/deletegroups.h"
#include "protocol/describegroups.h"
#include "protocol/findcoordinator.h"
#include "protocol/heartbeat.h"
#include "protocol/joingroup.h"
#include "protocol/leavegroup.h"
#include "protocol/listgroups.h"
#include "protocol/offsetcommit.h"
#include "protocol/offsetdelete.h"
#include "protocol/offsetfetch.h"
#include "protocol/syncgroup.h"
#include "server/admin.h"
#include "server/broker.h"
#include "server/group_store.h"
#include "server/offsets_storage.h"
#include "server/purgatory.h"
#include "server/replica_manager.h"
#include "zk/kafka_zk.h"

#define SM_OFFSETS_TOPIC "__consumer_offsets"

/* The group's __consumer_offsets partition (-1: no such topic yet). */
static int32_t
sm_gh_offsets_partition(sm_reqctx_t *ctx, sm_str_t group)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(ctx->b->mdcache);
    const sm_md_topic_t *t = sm_mdsnap_topic(snap, SM_OFFSETS_TOPIC);
    int32_t part = -1;

    if (t != NULL)
        part = sm_coord_partition_for(group, t->npartitions);
    sm_mdsnap_release(ctx->b->mdcache, snap);
    return part;
}

/* Is this broker the coordinator of group, with its partition loaded?
 * (Kafka's validateGroupStatus.)  *gid: NUL-terminated copy on SM_OK. */
static sm_err_t
sm_gh_check(sm_reqctx_t *ctx, sm_str_t group, char **gid)
{
    int32_t part;
    sm_err_t err;

    *gid = NULL;
    if (group.len <= 0 || memchr(group.ptr, '\0', (size_t)group.len))
        return SM_ERR_INVALID_GROUP_ID;
    if (ctx->b->coord == NULL || atomic_load(&ctx->b->shutting_down))
        return SM_ERR_COORDINATOR_NOT_AVAILABLE;
    part = sm_gh_offsets_partition(ctx, group);
    err = part >= 0 ? sm_coord_owns(ctx->b->coord, part)
                    : SM_ERR_NOT_COORDINATOR;
    if (err == SM_OK)
        *gid = sm_str_dup(group);
    return err;
}

/* "/127.0.0.1" from "127.0.0.1:54321", as Kafka shows client hosts. */
static sm_str_t
sm_gh_client_host(sm_reqctx_t *ctx, char *buf, size_t size)
{
    const char *peer = ctx->req->peer, *colon = strrchr(peer, ':');
    int n = colon ? (int)(colon - peer) : (int)strlen(peer);

    snprintf(buf, size, "/%.*s", n, peer);
    return (sm_str_t){ buf, (int32_t)strlen(buf) };
}

static sm_str_t
sm_gh_s(const char *s)
{
    return (sm_str_t){ s, (int32_t)strlen(s) };
}

/* ------------------------------------------------------ FindCoordinator */

static sm_err_t
sm_gh_find(sm_reqctx_t *ctx, sm_str_t key, sm_FindCoordinatorResponse_t *r,
           char **host)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(ctx->b->mdcache);
    const sm_md_topic_t *t = sm_mdsnap_topic(snap, SM_OFFSETS_TOPIC);
    const sm_pstate_t *ps = NULL;
    const sm_md_broker_t *mb = NULL;
    const sm_md_endpoint_t *ep = NULL;
    int32_t np = t ? t->npartitions : 0;

    if (t != NULL)
        ps = sm_mdsnap_partition(snap, SM_OFFSETS_TOPIC,
                                 sm_coord_partition_for(key, np));
    if (ps != NULL && ps->leader >= 0)
        mb = sm_mdsnap_broker(snap, ps->leader);
    if (mb != NULL)
        ep = sm_md_broker_endpoint(mb, ctx->listener);
    if (ep != NULL) {
        *host = sm_strdup(ep->host);
        r->NodeId = mb->id;
        r->Port = ep->port;
    }
    sm_mdsnap_release(ctx->b->mdcache, snap);
    if (t == NULL) {
        sm_err_t err = sm_admin_auto_create_topic(ctx->b, SM_OFFSETS_TOPIC);

        if (err != SM_OK && err != SM_ERR_TOPIC_ALREADY_EXISTS)
            sm_info("coordinator", "cannot create %s: %s", SM_OFFSETS_TOPIC,
                    sm_err_name(err));
    }
    return ep != NULL ? SM_OK : SM_ERR_COORDINATOR_NOT_AVAILABLE;
}

void
sm_handle_FindCoordinator(sm_reqctx_t *ctx)
{
    sm_FindCoordinatorRequest_t req;
    sm_FindCoordinatorResponse_t resp = { 0 };
    char *host = NULL;
    sm_err_t err;

    if (sm_FindCoordinatorRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req)
        != SM_OK) {
        sm_reqctx_close(ctx, "malformed FindCoordinator request");
        return;
    }
    resp.NodeId = -1;
    resp.Port = -1;
    resp.ErrorMessage = SM_STR_NULL;
    if (req.KeyType != SM_COORDINATOR_KEY_GROUP)
        err = req.KeyType == SM_COORDINATOR_KEY_TRANSACTION
                  ? SM_ERR_COORDINATOR_NOT_AVAILABLE : SM_ERR_INVALID_REQUEST;
    else
        err = sm_gh_find(ctx, req.Key, &resp, &host);
    if (err != SM_OK) {
        resp.NodeId = -1;
        resp.Port = -1;
    }
    resp.ErrorCode = (int16_t)sm_err_to_wire(err);
    resp.Host = host ? (sm_str_t){ host, (int32_t)strlen(host) }
                     : SM_STR_EMPTY;
    sm_FindCoordinatorResponse_write(sm_reqctx_begin(ctx),
                                     ctx->hdr.ApiVersion, &resp);
    sm_reqctx_send(ctx);
    free(host);
}

/* ------------------------------------------------------------ JoinGroup */

static void
sm_gh_join_done(void *arg, const sm_grp_join_result_t *res)
{
    sm_reqctx_t *ctx = arg;
    sm_JoinGroupResponse_t resp = { 0 };
    sm_JoinGroupResponseMember_t *m = NULL;

    resp.ErrorCode = (int16_t)sm_err_to_wire(res->err);
    resp.GenerationId = res->generation;
    resp.ProtocolName = (sm_str_t){ res->protocol,
                                    (int32_t)strlen(res->protocol) };
    resp.Leader = (sm_str_t){ res->leader, (int32_t)strlen(res->leader) };
    resp.MemberId = (sm_str_t){ res->member_id,
                                (int32_t)strlen(res->member_id) };
    if (res->nmembers > 0) {
        m = sm_calloc((size_t)res->nmembers, sizeof(*m));
        for (int i = 0; i < res->nmembers; i++) {
            m[i].MemberId = (sm_str_t){
                res->members[i].member_id,
                (int32_t)strlen(res->members[i].member_id) };
            m[i].GroupInstanceId = res->members[i].instance_id
                ? sm_gh_s(res->members[i].instance_id) : SM_STR_NULL;
            m[i].Metadata = res->members[i].metadata;
        }
    }
    resp.MembersCnt = res->nmembers;
    resp.Members = m;
    sm_JoinGroupResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                               &resp);
    sm_reqctx_send(ctx);
    free(m);
}

void
sm_handle_JoinGroup(sm_reqctx_t *ctx)
{
    sm_JoinGroupRequest_t req;
    sm_grp_proto_t *protos;
    sm_grp_join_req_t jr = { 0 };
    char hostbuf[80], *gid;
    sm_err_t err;

    if (sm_JoinGroupRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed JoinGroup request");
        return;
    }
    protos = sm_calloc((size_t)req.ProtocolsCnt + 1, sizeof(*protos));
    for (int32_t i = 0; i < req.ProtocolsCnt; i++)
        protos[i] = (sm_grp_proto_t){ req.Protocols[i].Name,
                                      req.Protocols[i].Metadata };
    jr = (sm_grp_join_req_t){
        req.MemberId, ctx->hdr.ClientId.len >= 0 ? ctx->hdr.ClientId
                                                 : SM_STR_EMPTY,
        sm_gh_client_host(ctx, hostbuf, sizeof(hostbuf)),
        req.SessionTimeoutMs, req.RebalanceTimeoutMs, req.ProtocolType,
        req.ProtocolsCnt, protos,
        ctx->hdr.ApiVersion >= 4 && req.GroupInstanceId.len <= 0,
        sm_gh_join_done, ctx, req.GroupInstanceId };
    err = sm_gh_check(ctx, req.GroupId, &gid);
    if (err != SM_OK) {
        char *mid = sm_str_dup(req.MemberId);
        sm_grp_join_result_t res = { err, -1, "", "", mid ? mid : "", 0,
                                     NULL };

        sm_gh_join_done(ctx, &res);
        free(mid);
    } else {
        sm_coord_join(ctx->b->coord, gid, &jr);
    }
    free(gid);
    free(protos);
    sm_JoinGroupRequest_free(&req);
}

/* ------------------------------------------------------------ SyncGroup */

static void
sm_gh_sync_done(void *arg, sm_err_t err, sm_bytes_t assign)
{
    sm_reqctx_t *ctx = arg;
    sm_SyncGroupResponse_t resp = { 0 };

    resp.ErrorCode = (int16_t)sm_err_to_wire(err);
    resp.Assignment = assign;
    sm_SyncGroupResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                               &resp);
    sm_reqctx_send(ctx);
}

void
sm_handle_SyncGroup(sm_reqctx_t *ctx)
{
    sm_SyncGroupRequest_t req;
    sm_grp_assignment_t *as;
    char *gid;
    sm_err_t err;

    if (sm_SyncGroupRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed SyncGroup request");
        return;
    }
    as = sm_calloc((size_t)req.AssignmentsCnt + 1, sizeof(*as));
    for (int32_t i = 0; i < req.AssignmentsCnt; i++)
        as[i] = (sm_grp_assignment_t){ req.Assignments[i].MemberId,
                                       req.Assignments[i].Assignment };
    err = sm_gh_check(ctx, req.GroupId, &gid);
    if (err != SM_OK)
        sm_gh_sync_done(ctx, err, (sm_bytes_t){ (const uint8_t *)"", 0 });
    else
        sm_coord_sync(ctx->b->coord, gid, req.MemberId, req.GenerationId,
                      req.AssignmentsCnt, as, sm_gh_sync_done, ctx);
    free(gid);
    free(as);
    sm_SyncGroupRequest_free(&req);
}

/* ---------------------------------------------------- Heartbeat, Leave */

void
sm_handle_Heartbeat(sm_reqctx_t *ctx)
{
    sm_HeartbeatRequest_t req;
    sm_HeartbeatResponse_t resp = { 0 };
    char *gid;
    sm_err_t err;

    if (sm_HeartbeatRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed Heartbeat request");
        return;
    }
    err = sm_gh_check(ctx, req.GroupId, &gid);
    if (err == SM_OK)
        err = sm_coord_heartbeat(ctx->b->coord, gid, req.MemberId,
                                 req.GenerationId);
    free(gid);
    resp.ErrorCode = (int16_t)sm_err_to_wire(err);
    sm_HeartbeatResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                               &resp);
    sm_reqctx_send(ctx);
}

void
sm_handle_LeaveGroup(sm_reqctx_t *ctx)
{
    sm_LeaveGroupRequest_t req;
    sm_LeaveGroupResponse_t resp = { 0 };
    sm_LeaveGroupResponseMember_t *rm = NULL;
    char *gid;
    sm_err_t err;

    if (sm_LeaveGroupRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed LeaveGroup request");
        return;
    }
    err = sm_gh_check(ctx, req.GroupId, &gid);
    if (err == SM_OK && ctx->hdr.ApiVersion <= 2) {
        err = sm_coord_leave(ctx->b->coord, gid, req.MemberId);
    } else if (err == SM_OK) {
        rm = sm_calloc((size_t)req.MembersCnt + 1, sizeof(*rm));
        for (int32_t i = 0; i < req.MembersCnt; i++) {
            rm[i].MemberId = req.Members[i].MemberId;
            rm[i].GroupInstanceId = req.Members[i].GroupInstanceId;
            rm[i].ErrorCode = (int16_t)sm_err_to_wire(
                sm_coord_leave(ctx->b->coord, gid, req.Members[i].MemberId));
        }
        resp.MembersCnt = req.MembersCnt;
        resp.Members = rm;
    }
    free(gid);
    resp.ErrorCode = (int16_t)sm_err_to_wire(err);
    sm_LeaveGroupResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                &resp);
    sm_reqctx_send(ctx);
    free(rm);
    sm_LeaveGroupRequest_free(&req);
}

/* --------------------------------------------------------- OffsetCommit */

static int
sm_gh_topic_known(sm_reqctx_t *ctx, sm_str_t topic, int32_t partition)
{
    char *name = sm_str_dup(topic);
    sm_mdsnap_t *snap = sm_mdcache_snapshot(ctx->b->mdcache);
    int ok = name != NULL &&
             sm_mdsnap_partition(snap, name, partition) != NULL;

    sm_mdsnap_release(ctx->b->mdcache, snap);
    free(name);
    return ok;
}

/* Partition-level checks before anything is appended (Kafka's
 * handleOffsetCommitRequest: unknown partitions, oversized metadata). */
static sm_err_t
sm_gh_commit_precheck(sm_reqctx_t *ctx,
                      const sm_OffsetCommitRequestPartition_t *p,
                      sm_str_t topic)
{
    if (!sm_gh_topic_known(ctx, topic, p->PartitionIndex))
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (p->CommittedMetadata.len > ctx->b->cfg->offset_metadata_max_bytes)
        return SM_ERR_OFFSET_METADATA_TOO_LARGE;
    return SM_OK;
}

/* Flatten the request into one commit list (c[k] for partition j of
 * topic i, in request order). */
static sm_coord_commit_t *
sm_gh_commit_list(sm_reqctx_t *ctx, const sm_OffsetCommitRequest_t *req,
                  int *np)
{
    int64_t now = sm_now_ms();
    int n = 0, k = 0;
    sm_coord_commit_t *c;

    for (int32_t i = 0; i < req->TopicsCnt; i++)
        n += req->Topics[i].PartitionsCnt;
    c = sm_calloc((size_t)n + 1, sizeof(*c));
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        const sm_OffsetCommitRequestTopic_t *t = &req->Topics[i];

        for (int32_t j = 0; j < t->PartitionsCnt; j++, k++) {
            const sm_OffsetCommitRequestPartition_t *p = &t->Partitions[j];

            c[k] = (sm_coord_commit_t){
                t->Name, p->PartitionIndex, p->CommittedOffset,
                p->CommittedLeaderEpoch, p->CommittedMetadata,
                p->CommitTimestamp,
                req->RetentionTimeMs >= 0 ? now + req->RetentionTimeMs : -1,
                sm_gh_commit_precheck(ctx, p, t->Name) };
        }
    }
    *np = n;
    return c;
}

/* OffsetCommit v0 (Kafka 0.8.2 and 2.x alike): every partition that
 * passed the checks goes to /consumers/<group>/offsets/<topic>/<p> as
 * decimal text, on any broker (no coordinator involved); metadata is
 * dropped. */
static sm_err_t
sm_gh_commit_zk(sm_reqctx_t *ctx, sm_str_t group, sm_coord_commit_t *c,
                int n)
{
    char *gid;

    if (group.len <= 0 || memchr(group.ptr, '\0', (size_t)group.len))
        return SM_ERR_INVALID_GROUP_ID;
    gid = sm_str_dup(group);
    sm_ostore_zk_commit(ctx, gid, c, n);
    free(gid);
    return SM_OK;
}

/* OffsetCommit v1+ per offsets.storage (offsets_storage.h). */
static void
sm_gh_commit_v1(sm_reqctx_t *ctx, const sm_OffsetCommitRequest_t *req,
                const char *gid, sm_coord_commit_t *c, int n)
{
    sm_ostore_mode_t mode = sm_ostore_mode(ctx->b);
    sm_err_t err;

    if (mode == SM_OSTORE_ZOOKEEPER) {
        err = sm_coord_commit_check(ctx->b->coord, gid, req->MemberId,
                                    req->GenerationId);
        for (int k = 0; k < n && err != SM_OK; k++)
            if (c[k].err == SM_OK)
                c[k].err = err;
    } else {
        err = sm_coord_commit_offsets(ctx->b->coord, gid, req->MemberId,
                                      req->GenerationId, c, n);
    }
    if (err == SM_OK && mode != SM_OSTORE_KAFKA)
        sm_ostore_zk_commit(ctx, gid, c, n);
}

/*
 * REPLICATION WAIT.  With offsets.commit.required.acks=-1 a commit
 * appended to __consumer_offsets is answered only once the partition's
 * high watermark covers it (Kafka's storeOffsets goes through the
 * delayed-produce purgatory the same way): the response waits in the
 * produce purgatory, watched under the offsets partition, until the high
 * watermark reaches the log end offset seen right after the append, for
 * at most offsets.commit.timeout.ms.  Not replicated in time, or the ISR
 * below min.insync.replicas: COORDINATOR_NOT_AVAILABLE (Kafka's mapping
 * of REQUEST_TIMED_OUT and NOT_ENOUGH_REPLICAS*); leadership lost:
 * NOT_COORDINATOR.  Deviation: the coordinator's cache has the offsets
 * already (Kafka fills it after the wait), so a commit answered with an
 * error may still be read back from this coordinator.
 */
typedef struct sm_gh_commit_op {
    sm_delayed_op_t op;                 /* first: the purgatory's handle */
    sm_reqctx_t    *ctx;
    sm_OffsetCommitRequest_t  req;      /* resp borrows its names */
    sm_OffsetCommitResponse_t resp;
    sm_partition_t *p;
    int64_t         required;
    int32_t         min_isr;
    char           *key;
} sm_gh_commit_op_t;

/* Every partition answered NONE gets err. */
static void
sm_gh_commit_fail(sm_OffsetCommitResponse_t *resp, sm_err_t err)
{
    for (int32_t i = 0; i < resp->TopicsCnt; i++)
        for (int32_t j = 0; j < resp->Topics[i].PartitionsCnt; j++)
            if (resp->Topics[i].Partitions[j].ErrorCode == 0)
                resp->Topics[i].Partitions[j].ErrorCode =
                    (int16_t)sm_err_to_wire(err);
}

static int
sm_gh_commit_op_try(sm_delayed_op_t *op)
{
    sm_gh_commit_op_t *o = (sm_gh_commit_op_t *)op;
    sm_err_t err;

    if (!sm_partition_acks_done(o->p, o->required, o->min_isr, &err))
        return 0;
    if (err == SM_ERR_NOT_LEADER_FOR_PARTITION)
        sm_gh_commit_fail(&o->resp, SM_ERR_NOT_COORDINATOR);
    else if (err != SM_OK)
        sm_gh_commit_fail(&o->resp, SM_ERR_COORDINATOR_NOT_AVAILABLE);
    return 1;
}

static void
sm_gh_commit_op_complete(sm_delayed_op_t *op, int expired)
{
    sm_gh_commit_op_t *o = (sm_gh_commit_op_t *)op;

    if (expired && !sm_gh_commit_op_try(op))
        sm_gh_commit_fail(&o->resp, SM_ERR_COORDINATOR_NOT_AVAILABLE);
    sm_OffsetCommitResponse_write(sm_reqctx_begin(o->ctx),
                                  o->ctx->hdr.ApiVersion, &o->resp);
    sm_reqctx_send(o->ctx);
    o->ctx = NULL;
}

static void
sm_gh_commit_op_destroy(sm_delayed_op_t *op)
{
    sm_gh_commit_op_t *o = (sm_gh_commit_op_t *)op;

    sm_OffsetCommitResponse_free(&o->resp);
    sm_OffsetCommitRequest_free(&o->req);
    sm_partition_release(o->p);
    sm_free(o->key);
    sm_free(o);
}

static const sm_delayed_op_ops_t sm_gh_commit_op_ops = {
    "offset-commit", sm_gh_commit_op_try, sm_gh_commit_op_complete,
    sm_gh_commit_op_destroy
};

/* Park the answer until the commit is replicated (see above); takes over
 * req and resp and returns 1, or 0 if there is nothing to wait for. */
static int
sm_gh_commit_delay(sm_reqctx_t *ctx, sm_OffsetCommitRequest_t *req,
                   sm_OffsetCommitResponse_t *resp)
{
    int32_t part = sm_gh_offsets_partition(ctx, req->GroupId);
    sm_partition_t *p;
    sm_gh_commit_op_t *o;

    if (ctx->b->cfg->offsets_commit_required_acks != -1 || part < 0 ||
        (p = sm_rm_get(ctx->b->rm, SM_OFFSETS_TOPIC, part)) == NULL)
        return 0;
    o = sm_calloc(1, sizeof(*o));
    o->ctx = ctx;
    o->req = *req;
    o->resp = *resp;
    o->p = p;
    pthread_rwlock_rdlock(&p->lock);
    o->required = p->log != NULL ? sm_log_end_offset(p->log) : 0;
    pthread_rwlock_unlock(&p->lock);
    o->min_isr = sm_gstore_min_isr(ctx->b);
    o->key = sm_strdup(p->key);
    sm_delayed_op_init(&o->op, &sm_gh_commit_op_ops,
                       ctx->b->cfg->offsets_commit_timeout_ms);
    (void)sm_purgatory_try_complete_else_watch(
        ctx->b->produce_purg, &o->op, (const char *const *)&o->key, 1);
    return 1;
}

/* Did the commit go to __consumer_offsets (v1+, not ZooKeeper only)
 * with at least one partition accepted? */
static int
sm_gh_commit_appended(const sm_reqctx_t *ctx, sm_err_t err,
                      const sm_coord_commit_t *c, int n)
{
    if (ctx->hdr.ApiVersion == 0 || err != SM_OK ||
        sm_ostore_mode(ctx->b) == SM_OSTORE_ZOOKEEPER)
        return 0;
    for (int k = 0; k < n; k++)
        if (c[k].err == SM_OK)
            return 1;
    return 0;
}

void
sm_handle_OffsetCommit(sm_reqctx_t *ctx)
{
    sm_OffsetCommitRequest_t req;
    sm_OffsetCommitResponse_t resp = { 0 };
    sm_coord_commit_t *c;
    char *gid;
    sm_err_t err;
    int n, k = 0;

    if (sm_OffsetCommitRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed OffsetCommit request");
        return;
    }
    c = sm_gh_commit_list(ctx, &req, &n);
    gid = NULL;
    if (ctx->hdr.ApiVersion == 0)
        err = sm_gh_commit_zk(ctx, req.GroupId, c, n);
    else
        err = sm_gh_check(ctx, req.GroupId, &gid);
    if (err == SM_OK && gid != NULL)
        sm_gh_commit_v1(ctx, &req, gid, c, n);
    resp.TopicsCnt = req.TopicsCnt;
    resp.Topics = sm_calloc((size_t)req.TopicsCnt + 1, sizeof(*resp.Topics));
    for (int32_t i = 0; i < req.TopicsCnt; i++) {
        const sm_OffsetCommitRequestTopic_t *t = &req.Topics[i];
        sm_OffsetCommitResponseTopic_t *rt = &resp.Topics[i];

        rt->Name = t->Name;
        rt->PartitionsCnt = t->PartitionsCnt;
        rt->Partitions = sm_calloc((size_t)t->PartitionsCnt + 1,
                                   sizeof(*rt->Partitions));
        for (int32_t j = 0; j < t->PartitionsCnt; j++, k++) {
            rt->Partitions[j].PartitionIndex = t->Partitions[j].PartitionIndex;
            rt->Partitions[j].ErrorCode = (int16_t)sm_err_to_wire(
                err != SM_OK ? err : c[k].err);
        }
    }
    free(gid);
    if (sm_gh_commit_appended(ctx, err, c, n) &&
        sm_gh_commit_delay(ctx, &req, &resp)) {
        free(c);
        return;
    }
    free(c);
    sm_OffsetCommitResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                  &resp);
    sm_reqctx_send(ctx);
    sm_OffsetCommitResponse_free(&resp);
    sm_OffsetCommitRequest_free(&req);
}

/* ---------------------------------------------------------- OffsetFetch */

/* Response metadata: a heap copy the handler frees (len > 0), or the
 * static "" for none (Kafka's NO_METADATA). */
static sm_str_t
sm_gh_md(const char *md)
{
    if (md == NULL || *md == '\0')
        return SM_STR_EMPTY;
    return (sm_str_t){ sm_strdup(md), (int32_t)strlen(md) };
}

/* Committed offsets of the whole group, grouped by topic (v2+ null). */
typedef struct sm_gh_all {
    int32_t n, cap;
    sm_OffsetFetchResponsePartition_t *parts;
    char **topics;
} sm_gh_all_t;

static void
sm_gh_all_add(void *arg, const sm_coord_offset_t *o)
{
    sm_gh_all_t *a = arg;

    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->parts = sm_realloc(a->parts, (size_t)a->cap * sizeof(*a->parts));
        a->topics = sm_realloc(a->topics, (size_t)a->cap *
                               sizeof(*a->topics));
    }
    a->topics[a->n] = sm_strdup(o->topic);
    a->parts[a->n] = (sm_OffsetFetchResponsePartition_t){
        o->partition, o->offset, -1, sm_gh_md(o->metadata), 0 };
    a->n++;
}

/* One response topic per committed offset (the codec allows repeats and
 * clients merge them). */
static void
sm_gh_fetch_all(sm_reqctx_t *ctx, const char *gid, sm_gh_all_t *a,
                sm_OffsetFetchResponse_t *resp)
{
    sm_coord_fetch_all(ctx->b->coord, gid, sm_gh_all_add, a);
    resp->TopicsCnt = a->n;
    resp->Topics = sm_calloc((size_t)a->n + 1, sizeof(*resp->Topics));
    for (int32_t i = 0; i < a->n; i++) {
        resp->Topics[i].Name = (sm_str_t){ a->topics[i],
                                           (int32_t)strlen(a->topics[i]) };
        resp->Topics[i].PartitionsCnt = 1;
        resp->Topics[i].Partitions = sm_calloc(1, sizeof(*a->parts));
        resp->Topics[i].Partitions[0] = a->parts[i];
    }
}

static void
sm_gh_fetch_listed(sm_reqctx_t *ctx, const char *gid, sm_err_t err,
                   const sm_OffsetFetchRequest_t *req,
                   sm_OffsetFetchResponse_t *resp)
{
    sm_ostore_mode_t mode = sm_ostore_mode(ctx->b);

    resp->TopicsCnt = req->TopicsCnt > 0 ? req->TopicsCnt : 0;
    resp->Topics = sm_calloc((size_t)resp->TopicsCnt + 1,
                             sizeof(*resp->Topics));
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        const sm_OffsetFetchRequestTopic_t *t = &req->Topics[i];
        sm_OffsetFetchResponseTopic_t *rt = &resp->Topics[i];

        rt->Name = t->Name;
        rt->PartitionsCnt = t->PartitionIndexesCnt;
        rt->Partitions = sm_calloc((size_t)t->PartitionIndexesCnt + 1,
                                   sizeof(*rt->Partitions));
        for (int32_t j = 0; j < t->PartitionIndexesCnt; j++) {
            sm_OffsetFetchResponsePartition_t *p = &rt->Partitions[j];
            char *md = NULL;

            p->PartitionIndex = t->PartitionIndexes[j];
            p->CommittedOffset = err == SM_OK
                ? sm_ostore_fetch(ctx, mode, gid, t->Name,
                                  p->PartitionIndex, &md) : -1;
            p->CommittedLeaderEpoch = -1;
            p->Metadata = sm_gh_md(md);
            free(md);
            p->ErrorCode = (int16_t)sm_err_to_wire(err);
        }
    }
}

/* OffsetFetch v0: from /consumers/<group>/offsets/<topic>/<p>, on any
 * broker; an unknown partition or a missing znode is offset -1 with
 * UNKNOWN_TOPIC_OR_PARTITION (Kafka's UNKNOWN_PARTITION), a ZooKeeper
 * failure -1 with UNKNOWN_SERVER_ERROR. */
static void
sm_gh_fetch_zk(sm_reqctx_t *ctx, const sm_OffsetFetchRequest_t *req,
               sm_OffsetFetchResponse_t *resp)
{
    char *gid = sm_str_dup(req->GroupId);

    resp->TopicsCnt = req->TopicsCnt > 0 ? req->TopicsCnt : 0;
    resp->Topics = sm_calloc((size_t)resp->TopicsCnt + 1,
                             sizeof(*resp->Topics));
    for (int32_t i = 0; i < resp->TopicsCnt; i++) {
        const sm_OffsetFetchRequestTopic_t *t = &req->Topics[i];
        sm_OffsetFetchResponseTopic_t *rt = &resp->Topics[i];
        char *topic = sm_str_dup(t->Name);

        rt->Name = t->Name;
        rt->PartitionsCnt = t->PartitionIndexesCnt;
        rt->Partitions = sm_calloc((size_t)t->PartitionIndexesCnt + 1,
                                   sizeof(*rt->Partitions));
        for (int32_t j = 0; j < t->PartitionIndexesCnt; j++) {
            sm_OffsetFetchResponsePartition_t *p = &rt->Partitions[j];
            sm_err_t err = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            int64_t off = -1;

            p->PartitionIndex = t->PartitionIndexes[j];
            if (gid != NULL && topic != NULL && *gid != '\0' &&
                sm_gh_topic_known(ctx, t->Name, p->PartitionIndex))
                err = sm_zk_get_consumer_offset(ctx->b->zk, gid, topic,
                                                p->PartitionIndex, &off);
            if (err == SM_ERR__NOENT)
                err = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            else if (err != SM_OK && err != SM_ERR_UNKNOWN_TOPIC_OR_PARTITION)
                err = SM_ERR_UNKNOWN_SERVER_ERROR;
            p->CommittedOffset = err == SM_OK ? off : -1;
            p->CommittedLeaderEpoch = -1;
            p->Metadata = SM_STR_EMPTY;
            p->ErrorCode = (int16_t)sm_err_to_wire(err);
        }
        free(topic);
    }
    free(gid);
}

void
sm_handle_OffsetFetch(sm_reqctx_t *ctx)
{
    sm_OffsetFetchRequest_t req;
    sm_OffsetFetchResponse_t resp = { 0 };
    sm_gh_all_t all = { 0 };
    char *gid;
    sm_err_t err;

    if (sm_OffsetFetchRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed OffsetFetch request");
        return;
    }
    gid = NULL;
    err = SM_OK;
    if (ctx->hdr.ApiVersion == 0) {
        sm_gh_fetch_zk(ctx, &req, &resp);
    } else {
        err = sm_gh_check(ctx, req.GroupId, &gid);
        if (err == SM_OK && req.TopicsCnt < 0)
            sm_gh_fetch_all(ctx, gid, &all, &resp);
        else if (err == SM_OK || ctx->hdr.ApiVersion < 2)
            sm_gh_fetch_listed(ctx, gid, err, &req, &resp);
    }
    resp.ErrorCode = (int16_t)sm_err_to_wire(err);
    sm_OffsetFetchResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                 &resp);
    sm_reqctx_send(ctx);
    for (int32_t i = 0; i < resp.TopicsCnt; i++)
        for (int32_t j = 0; j < resp.Topics[i].PartitionsCnt; j++)
            if (resp.Topics[i].Partitions[j].Metadata.len > 0)
                free((char *)resp.Topics[i].Partitions[j].Metadata.ptr);
    for (int32_t i = 0; i < all.n; i++)
        free(all.topics[i]);
    free(all.topics);
    free(all.parts);
    free(gid);
    sm_OffsetFetchResponse_free(&resp);
    sm_OffsetFetchRequest_free(&req);
}

/* --------------------------------------------------------- DeleteGroups */

void
sm_handle_DeleteGroups(sm_reqctx_t *ctx)
{
    sm_DeleteGroupsRequest_t req;
    sm_DeleteGroupsResponse_t resp = { 0 };

    if (sm_DeleteGroupsRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed DeleteGroups request");
        return;
    }
    resp.ResultsCnt = req.GroupsNamesCnt > 0 ? req.GroupsNamesCnt : 0;
    resp.Results = sm_calloc((size_t)resp.ResultsCnt + 1,
                             sizeof(*resp.Results));
    for (int32_t i = 0; i < resp.ResultsCnt; i++) {
        char *gid = NULL;
        sm_err_t err = sm_gh_check(ctx, req.GroupsNames[i], &gid);

        if (err == SM_OK)
            err = sm_coord_delete_group(ctx->b->coord, gid);
        resp.Results[i].GroupId = req.GroupsNames[i];
        resp.Results[i].ErrorCode = (int16_t)sm_err_to_wire(err);
        free(gid);
    }
    sm_DeleteGroupsResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                  &resp);
    sm_reqctx_send(ctx);
    free(resp.Results);
    sm_DeleteGroupsRequest_free(&req);
}

/* --------------------------------------------------------- OffsetDelete */

/* The answer, in request order; with a group-level error only the
 * partitions refused before reaching the group are listed (Kafka). */
static void
sm_gh_odel_answer(const sm_OffsetDeleteRequest_t *req,
                  const sm_coord_odel_t *d, sm_err_t gerr,
                  sm_OffsetDeleteResponse_t *resp)
{
    int k = 0;

    resp->ErrorCode = (int16_t)sm_err_to_wire(gerr);
    resp->Topics = sm_calloc((size_t)req->TopicsCnt + 1,
                             sizeof(*resp->Topics));
    for (int32_t i = 0; i < req->TopicsCnt; i++) {
        const sm_OffsetDeleteRequestTopic_t *t = &req->Topics[i];
        sm_OffsetDeleteResponseTopic_t *rt = &resp->Topics[resp->TopicsCnt];

        rt->Name = t->Name;
        rt->Partitions = sm_calloc((size_t)t->PartitionsCnt + 1,
                                   sizeof(*rt->Partitions));
        for (int32_t j = 0; j < t->PartitionsCnt; j++, k++)
            if (gerr == SM_OK ||
                d[k].err == SM_ERR_UNKNOWN_TOPIC_OR_PARTITION)
                rt->Partitions[rt->PartitionsCnt++] =
                    (sm_OffsetDeleteResponsePartition_t){
                        t->Partitions[j],
                        (int16_t)sm_err_to_wire(d[k].err) };
        if (rt->PartitionsCnt > 0)
            resp->TopicsCnt++;
        else
            free(rt->Partitions);
    }
}

void
sm_handle_OffsetDelete(sm_reqctx_t *ctx)
{
    sm_OffsetDeleteRequest_t req;
    sm_OffsetDeleteResponse_t resp = { 0 };
    sm_coord_odel_t *d;
    char *gid = NULL;
    sm_err_t err;
    int n = 0, k = 0;

    if (sm_OffsetDeleteRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed OffsetDelete request");
        return;
    }
    for (int32_t i = 0; i < req.TopicsCnt; i++)
        n += req.Topics[i].PartitionsCnt;
    d = sm_calloc((size_t)n + 1, sizeof(*d));
    for (int32_t i = 0; i < req.TopicsCnt; i++)
        for (int32_t j = 0; j < req.Topics[i].PartitionsCnt; j++, k++)
            d[k] = (sm_coord_odel_t){
                req.Topics[i].Name, req.Topics[i].Partitions[j],
                sm_gh_topic_known(ctx, req.Topics[i].Name,
                                  req.Topics[i].Partitions[j])
                    ? SM_OK : SM_ERR_UNKNOWN_TOPIC_OR_PARTITION };
    err = sm_gh_check(ctx, req.GroupId, &gid);
    if (err == SM_OK)
        err = sm_coord_delete_offsets(ctx->b->coord, gid, d, n);
    sm_gh_odel_answer(&req, d, err, &resp);
    sm_OffsetDeleteResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                  &resp);
    sm_reqctx_send(ctx);
    sm_OffsetDeleteResponse_free(&resp);
    sm_OffsetDeleteRequest_free(&req);
    free(gid);
    free(d);
}

/* ------------------------------------------- ListGroups, DescribeGroups */

typedef struct sm_gh_list {
    int32_t n, cap;
    sm_ListGroupsResponseGroup_t *g;
} sm_gh_list_t;

static void
sm_gh_list_add(void *arg, const sm_grp_t *grp)
{
    sm_gh_list_t *l = arg;
    const char *id = sm_grp_id(grp), *pt = sm_grp_protocol_type(grp);

    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->g = sm_realloc(l->g, (size_t)l->cap * sizeof(*l->g));
    }
    l->g[l->n++] = (sm_ListGroupsResponseGroup_t){
        { sm_strdup(id), (int32_t)strlen(id) },
        { sm_strdup(pt), (int32_t)strlen(pt) } };
}

void
sm_handle_ListGroups(sm_reqctx_t *ctx)
{
    sm_ListGroupsRequest_t req;
    sm_ListGroupsResponse_t resp = { 0 };
    sm_gh_list_t l = { 0 };

    if (sm_ListGroupsRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed ListGroups request");
        return;
    }
    if (ctx->b->coord != NULL)
        resp.ErrorCode = (int16_t)sm_err_to_wire(
            sm_coord_list(ctx->b->coord, sm_gh_list_add, &l));
    resp.GroupsCnt = l.n;
    resp.Groups = l.g;
    sm_ListGroupsResponse_write(sm_reqctx_begin(ctx), ctx->hdr.ApiVersion,
                                &resp);
    sm_reqctx_send(ctx);
    for (int32_t i = 0; i < l.n; i++) {
        free((char *)l.g[i].GroupId.ptr);
        free((char *)l.g[i].ProtocolType.ptr);
    }
    free(l.g);
}

/* Encodes the described group straight into the response buffer while
 * the coordinator lock is held (the strings live in the group). */
typedef struct sm_gh_desc {
    sm_buf_t *buf;
    int16_t   version;
    sm_str_t  gid;
    sm_err_t  err;
} sm_gh_desc_t;

static void
sm_gh_desc_one(void *arg, const sm_grp_t *grp)
{
    sm_gh_desc_t *d = arg;
    sm_DescribeGroupsResponseGroup_t g = { 0 };
    sm_DescribeGroupsResponse_t one = { 0 };
    sm_DescribeGroupsResponseMember_t *m = NULL;
    int stable = grp && sm_grp_state(grp) == SM_GRP_STABLE;
    sm_buf_t tmp = SM_BUF_INIT;

    g.ErrorCode = (int16_t)sm_err_to_wire(d->err);
    g.GroupId = d->gid;
    g.GroupState = sm_gh_s(grp ? sm_grp_state_name(sm_grp_state(grp))
                               : "Dead");
    g.ProtocolType = sm_gh_s(grp ? sm_grp_protocol_type(grp) : "");
    g.ProtocolData = sm_gh_s(grp && stable ? sm_grp_protocol(grp) : "");
    g.AuthorizedOperations = INT32_MIN;
    if (grp != NULL && d->err == SM_OK && sm_grp_size(grp) > 0) {
        m = sm_calloc((size_t)sm_grp_size(grp), sizeof(*m));
        for (int i = 0; i < sm_grp_size(grp); i++) {
            sm_grp_member_view_t v;

            sm_grp_member(grp, i, &v);
            m[i] = (sm_DescribeGroupsResponseMember_t){
                sm_gh_s(v.member_id), SM_STR_NULL, sm_gh_s(v.client_id),
                sm_gh_s(v.client_host),
                stable ? v.metadata : (sm_bytes_t){ (const uint8_t *)"", 0 },
                stable ? v.assignment
                       : (sm_bytes_t){ (const uint8_t *)"", 0 } };
        }
        g.MembersCnt = sm_grp_size(grp);
        g.Members = m;
    }
    /* Write a one-group v-response and keep only the group's bytes: the
     * codec owns the layout, this only strips the count and throttle. */
    one.GroupsCnt = 1;
    one.Groups = &g;
    sm_DescribeGroupsResponse_write(&tmp, d->version, &one);
    {
        size_t skip = (d->version >= 1 ? 4 : 0) + 4;

        sm_wr_raw(d->buf, tmp.data + skip, tmp.len - skip);
    }
    sm_buf_fini(&tmp);
    free(m);
}

void
sm_handle_DescribeGroups(sm_reqctx_t *ctx)
{
    sm_DescribeGroupsRequest_t req;
    sm_buf_t *buf;
    sm_gh_desc_t d;

    if (sm_DescribeGroupsRequest_read(&ctx->rd, ctx->hdr.ApiVersion, &req) !=
        SM_OK) {
        sm_reqctx_close(ctx, "malformed DescribeGroups request");
        return;
    }
    buf = sm_reqctx_begin(ctx);
    if (ctx->hdr.ApiVersion >= 1)
        sm_wr_i32(buf, 0);                      /* ThrottleTimeMs */
    sm_wr_i32(buf, req.GroupsCnt);
    for (int32_t i = 0; i < req.GroupsCnt; i++) {
        char *gid = NULL;

        d = (sm_gh_desc_t){ buf, ctx->hdr.ApiVersion, req.Groups[i], SM_OK };
        d.err = sm_gh_check(ctx, req.Groups[i], &gid);
        if (d.err == SM_OK)
            sm_coord_describe(ctx->b->coord, gid, sm_gh_desc_one, &d);
        else
            sm_gh_desc_one(&d, NULL);
        free(gid);
    }
    sm_reqctx_send(ctx);
    sm_DescribeGroupsRequest_free(&req);
}
