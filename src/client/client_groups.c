/*
 * client_groups.c: the consumer-group admin calls of samsa.h - Kafka's
 * AdminClient group operations, and the log offset look-up its
 * ConsumerGroupCommand needs, over the blocking client core (client.h).
 *
 *   samsa_list_groups          ListGroups             every live broker
 *   samsa_describe_groups      DescribeGroups         the coordinator
 *   samsa_list_group_offsets   OffsetFetch (all)      the coordinator
 *   samsa_alter_group_offsets  OffsetCommit (gen -1)  the coordinator
 *   samsa_delete_groups        DeleteGroups           the coordinator
 *   samsa_delete_group_offsets OffsetDelete           the coordinator
 *   samsa_list_offsets         ListOffsets            each leader
 *
 * COORDINATOR.  sm_client_group_send() asks any broker FindCoordinator
 * for the group, sends the request to the node it names, and hands the
 * caller the response; the caller reports the response's group-level
 * ErrorCode through sm_client_coord_retry(), which says whether to look
 * the coordinator up again (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS), after retry.backoff.ms, until the
 * deadline.  No coordinator is cached: each call is a handful of round
 * trips, and the tool that uses these makes few calls.
 *
 * ASSIGNMENTS.  A "consumer" group's MemberAssignment bytes are Kafka's
 * ConsumerProtocol Assignment:
 *
 *   OFFSET SIZE  DESCRIPTION
 *   0      2     Version (0..3; later versions append fields we skip)
 *   2      4     topic count N, then N times:
 *                  STRING topic (int16 length + bytes)
 *                  int32 partition count M, then M int32 partitions
 *   ..     4+n   UserData (BYTES, nullable; ignored)
 *
 * Bytes that do not parse give an empty assignment, as the description
 * of a non-consumer group does.
 *
 * Threads: the client's owner.  Memory: see samsa.h (the caller frees
 * what is returned; requests borrow the caller's strings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "common/sm_mem.h"
#include "protocol/deletegroups.h"
#include "protocol/describegroups.h"
#include "protocol/findcoordinator.h"
#include "protocol/listgroups.h"
#include "protocol/listoffsets.h"
#include "protocol/metadata.h"
#include "protocol/offsetcommit.h"
#include "protocol/offsetdelete.h"
#include "protocol/offsetfetch.h"

#define SM_CG_ERRSTR 512

/* ------------------------------------------------------------ helpers */

static void
sm_cg_errmsg(char **errmsg, sm_err_t err, const char *errstr)
{
    if (errmsg == NULL)
        return;
    *errmsg = NULL;
    if (err == SM_OK)
        return;
    *errmsg = sm_strdup(errstr != NULL && errstr[0] != '\0'
                        ? errstr : samsa_err_message(err));
}

int
sm_cg_coord_err(sm_err_t err)
{
    return err == SM_ERR_COORDINATOR_NOT_AVAILABLE ||
           err == SM_ERR_NOT_COORDINATOR ||
           err == SM_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

/* 1 if err is a coordinator error and time is left to look again (after
 * the backoff); 0 otherwise. */
static int
sm_cg_coord_retry(sm_client_t *c, sm_err_t err, int64_t deadline)
{
    if (!sm_cg_coord_err(err))
        return 0;
    return sm_client_backoff(c, deadline) == 0;
}

static void
sm_cg_fc_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_FindCoordinatorRequest_write(buf, version, arg);
}

/* The coordinator of group: *node (and its address if host != NULL,
 * heap).  Retries coordinator errors until the deadline. */
sm_err_t
sm_cg_find(sm_client_t *c, const char *group, int64_t deadline,
           samsa_node_t *node, char *errstr, size_t errstr_size)
{
    sm_FindCoordinatorRequest_t req;
    sm_FindCoordinatorResponse_t r;
    sm_client_resp_t resp;
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.Key = sm_str_cstr(group);
    req.KeyType = 0;
    for (;;) {
        err = sm_client_send_any(c, SM_API_FindCoordinator,
                                 SM_FINDCOORDINATOR_MAX_VERSION,
                                 sm_cg_fc_body, &req, deadline, &resp,
                                 errstr, errstr_size);
        if (err != SM_OK)
            return err;
        err = sm_FindCoordinatorResponse_read(&resp.rd, resp.version, &r);
        if (err == SM_OK) {
            err = r.ErrorCode;
            if (err == SM_OK) {
                node->id = r.NodeId;
                node->host = sm_str_dup(r.Host);
                node->port = r.Port;
                node->rack = NULL;
            } else if (!sm_str_is_null(r.ErrorMessage)) {
                snprintf(errstr, errstr_size, "%.*s",
                         (int)r.ErrorMessage.len, r.ErrorMessage.ptr);
            }
        }
        sm_FindCoordinatorResponse_free(&r);
        sm_client_resp_fini(&resp);
        if (!sm_cg_coord_retry(c, err, deadline))
            return err;
    }
}

/* Send a group request to the group's coordinator (found anew each
 * time).  *coord gets the coordinator if not NULL (host heap). */
static sm_err_t
sm_cg_send(sm_client_t *c, const char *group, int16_t key, int16_t max,
           sm_client_body_fn fn, const void *arg, int64_t deadline,
           sm_client_resp_t *resp, samsa_node_t *coord, char *errstr,
           size_t errstr_size)
{
    samsa_node_t node = { -1, NULL, 0, NULL };
    sm_err_t err;

    err = sm_cg_find(c, group, deadline, &node, errstr, errstr_size);
    if (err == SM_OK) {
        /* the coordinator may be a broker our metadata does not know */
        err = sm_client_send_node(c, node.id, key, max, fn, arg, deadline,
                                  resp, errstr, errstr_size);
        if (err == SM_ERR_BROKER_NOT_AVAILABLE) {
            c->have_metadata = 0;
            err = SM_ERR_COORDINATOR_NOT_AVAILABLE;
        }
    }
    if (coord != NULL) {
        sm_free(coord->host);
        *coord = node;
    } else {
        sm_free(node.host);
    }
    return err;
}

void
samsa_partition_offsets_free(samsa_partition_offset_t *v, int cnt)
{
    if (v == NULL)
        return;
    for (int i = 0; i < cnt; i++) {
        sm_free(v[i].topic);
        sm_free(v[i].metadata);
    }
    sm_free(v);
}

static int
sm_cg_cmp_tp(const char *ta, int32_t pa, const char *tb, int32_t pb)
{
    int r = strcmp(ta, tb);

    if (r != 0)
        return r;
    return pa < pb ? -1 : pa > pb;
}

static int
sm_cg_cmp_po(const void *a, const void *b)
{
    const samsa_partition_offset_t *x = a, *y = b;

    return sm_cg_cmp_tp(x->topic, x->partition, y->topic, y->partition);
}

static int
sm_cg_cmp_tpa(const void *a, const void *b)
{
    const samsa_topic_partition_t *x = a, *y = b;

    return sm_cg_cmp_tp(x->topic, x->partition, y->topic, y->partition);
}

/* ------------------------------------------------------------ list */

static void
sm_cg_lg_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_ListGroupsRequest_write(buf, version, arg);
}

void
samsa_group_listings_free(samsa_group_listing_t *v, int cnt)
{
    if (v == NULL)
        return;
    for (int i = 0; i < cnt; i++) {
        sm_free(v[i].group_id);
        sm_free(v[i].protocol_type);
    }
    sm_free(v);
}

static int
sm_cg_cmp_listing(const void *a, const void *b)
{
    const samsa_group_listing_t *x = a, *y = b;

    return strcmp(x->group_id, y->group_id);
}

/* Append node's groups to *v (*n of *cap). */
static sm_err_t
sm_cg_list_node(sm_client_t *c, int32_t node, int64_t deadline,
                samsa_group_listing_t **v, int *n, int *cap, char *errstr,
                size_t errstr_size)
{
    sm_ListGroupsRequest_t req;
    sm_ListGroupsResponse_t r;
    sm_client_resp_t resp;
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    err = sm_client_send_node(c, node, SM_API_ListGroups,
                              SM_LISTGROUPS_MAX_VERSION, sm_cg_lg_body, &req,
                              deadline, &resp, errstr, errstr_size);
    if (err != SM_OK)
        return err;
    err = sm_ListGroupsResponse_read(&resp.rd, resp.version, &r);
    if (err == SM_OK)
        err = r.ErrorCode;
    for (int32_t i = 0; err == SM_OK && i < r.GroupsCnt; i++) {
        if (*n == *cap) {
            *cap = *cap * 2 + 8;
            *v = sm_realloc(*v, (size_t)*cap * sizeof(**v));
        }
        (*v)[*n].group_id = sm_str_dup(r.Groups[i].GroupId);
        (*v)[*n].protocol_type = sm_str_dup(r.Groups[i].ProtocolType);
        (*n)++;
    }
    sm_ListGroupsResponse_free(&r);
    sm_client_resp_fini(&resp);
    return err;
}

samsa_err_t
samsa_list_groups(samsa_client_t *c, samsa_group_listing_t **groupsp,
                  int *cntp, char **errmsg)
{
    char errstr[SM_CG_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    samsa_group_listing_t *v = NULL;
    int32_t *ids = NULL;
    int n = 0, cap = 0, nids = 0;
    sm_err_t err;

    err = sm_client_refresh(c, deadline, errstr, sizeof(errstr));
    if (err == SM_OK) {
        nids = c->nbrokers;
        ids = sm_calloc((size_t)nids + 1, sizeof(*ids));
        for (int i = 0; i < nids; i++)
            ids[i] = c->brokers[i].id;
    }
    for (int i = 0; err == SM_OK && i < nids; i++)
        err = sm_cg_list_node(c, ids[i], deadline, &v, &n, &cap, errstr,
                              sizeof(errstr));
    sm_free(ids);
    if (err != SM_OK) {
        samsa_group_listings_free(v, n);
        v = NULL;
        n = 0;
    } else if (n > 0) {
        qsort(v, (size_t)n, sizeof(*v), sm_cg_cmp_listing);
    }
    *groupsp = v;
    *cntp = n;
    sm_cg_errmsg(errmsg, err, errstr);
    return err;
}

/* ------------------------------------------------------------ describe */

static void
sm_cg_dg_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_DescribeGroupsRequest_write(buf, version, arg);
}

/* Decode a ConsumerProtocol Assignment (header table) into mbr. */
static void
sm_cg_assignment(samsa_group_member_t *mbr, sm_bytes_t b)
{
    samsa_topic_partition_t *v = NULL;
    int n = 0, cap = 0;
    int32_t nt;
    sm_rd_t rd;

    if (b.len <= 0)
        return;
    sm_rd_init(&rd, b.ptr, (size_t)b.len);
    (void)sm_rd_i16(&rd);
    nt = sm_rd_array(&rd, 0, 6);
    for (int32_t i = 0; i < nt && sm_rd_ok(&rd); i++) {
        sm_str_t topic = sm_rd_str(&rd, 0);
        int32_t np = sm_rd_array(&rd, 0, 4);
        for (int32_t j = 0; j < np && sm_rd_ok(&rd); j++) {
            int32_t p = sm_rd_i32(&rd);
            if (!sm_rd_ok(&rd))
                break;
            if (n == cap) {
                cap = cap * 2 + 8;
                v = sm_realloc(v, (size_t)cap * sizeof(*v));
            }
            v[n].topic = sm_str_dup(topic);
            v[n].partition = p;
            n++;
        }
    }
    if (!sm_rd_ok(&rd)) {
        for (int i = 0; i < n; i++)
            sm_free(v[i].topic);
        sm_free(v);
        return;
    }
    if (n > 0)
        qsort(v, (size_t)n, sizeof(*v), sm_cg_cmp_tpa);
    mbr->assignment = v;
    mbr->assignment_cnt = n;
}

static void
sm_cg_fill_group(samsa_group_description_t *out,
                 const sm_DescribeGroupsResponseGroup_t *g)
{
    int consumer = sm_str_eq_cstr(g->ProtocolType, "consumer");

    out->err = g->ErrorCode;
    out->state = sm_str_dup(g->GroupState);
    out->protocol_type = sm_str_dup(g->ProtocolType);
    out->protocol = sm_str_dup(g->ProtocolData);
    out->member_cnt = g->MembersCnt > 0 ? g->MembersCnt : 0;
    out->members = sm_calloc((size_t)out->member_cnt + 1,
                             sizeof(*out->members));
    for (int i = 0; i < out->member_cnt; i++) {
        const sm_DescribeGroupsResponseMember_t *m = &g->Members[i];
        samsa_group_member_t *mbr = &out->members[i];
        mbr->member_id = sm_str_dup(m->MemberId);
        mbr->group_instance_id = sm_str_is_null(m->GroupInstanceId)
                                 ? NULL : sm_str_dup(m->GroupInstanceId);
        mbr->client_id = sm_str_dup(m->ClientId);
        mbr->host = sm_str_dup(m->ClientHost);
        if (consumer)
            sm_cg_assignment(mbr, m->MemberAssignment);
    }
}

static sm_err_t
sm_cg_describe_one(sm_client_t *c, samsa_group_description_t *out,
                   int64_t deadline, char *errstr, size_t errstr_size)
{
    sm_DescribeGroupsRequest_t req;
    sm_DescribeGroupsResponse_t r;
    sm_client_resp_t resp;
    sm_str_t name = sm_str_cstr(out->group_id);
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.GroupsCnt = 1;
    req.Groups = &name;
    for (;;) {
        err = sm_cg_send(c, out->group_id, SM_API_DescribeGroups,
                         SM_DESCRIBEGROUPS_MAX_VERSION, sm_cg_dg_body, &req,
                         deadline, &resp, &out->coordinator, errstr,
                         errstr_size);
        if (err != SM_OK) {
            if (sm_cg_coord_retry(c, err, deadline))
                continue;
            return err;
        }
        err = sm_DescribeGroupsResponse_read(&resp.rd, resp.version, &r);
        if (err == SM_OK && r.GroupsCnt != 1)
            err = SM_ERR__BAD_MSG;
        if (err == SM_OK && !sm_cg_coord_err(r.Groups[0].ErrorCode))
            sm_cg_fill_group(out, &r.Groups[0]);
        else if (err == SM_OK)
            err = r.Groups[0].ErrorCode;
        sm_DescribeGroupsResponse_free(&r);
        sm_client_resp_fini(&resp);
        if (!sm_cg_coord_retry(c, err, deadline))
            return err;
    }
}

void
samsa_group_descriptions_free(samsa_group_description_t *v, int cnt)
{
    if (v == NULL)
        return;
    for (int i = 0; i < cnt; i++) {
        for (int j = 0; j < v[i].member_cnt; j++) {
            samsa_group_member_t *m = &v[i].members[j];
            sm_free(m->member_id);
            sm_free(m->group_instance_id);
            sm_free(m->client_id);
            sm_free(m->host);
            for (int k = 0; k < m->assignment_cnt; k++)
                sm_free(m->assignment[k].topic);
            sm_free(m->assignment);
        }
        sm_free(v[i].members);
        sm_free(v[i].group_id);
        sm_free(v[i].state);
        sm_free(v[i].protocol_type);
        sm_free(v[i].protocol);
        sm_free(v[i].coordinator.host);
    }
    sm_free(v);
}

samsa_err_t
samsa_describe_groups(samsa_client_t *c, const char *const *groups, int cnt,
                      samsa_group_description_t **resp, char **errmsg)
{
    char errstr[SM_CG_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    samsa_group_description_t *out;
    sm_err_t err = SM_OK;

    out = sm_calloc((size_t)cnt + 1, sizeof(*out));
    for (int i = 0; i < cnt; i++) {
        out[i].group_id = sm_strdup(groups[i]);
        out[i].coordinator.id = -1;
    }
    for (int i = 0; i < cnt && err == SM_OK; i++)
        err = sm_cg_describe_one(c, &out[i], deadline, errstr,
                                 sizeof(errstr));
    if (err != SM_OK) {
        samsa_group_descriptions_free(out, cnt);
        out = NULL;
    }
    *resp = out;
    sm_cg_errmsg(errmsg, err, errstr);
    return err;
}

/* ------------------------------------------------------------ offsets */

static void
sm_cg_of_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_OffsetFetchRequest_write(buf, version, arg);
}

/* The committed offsets of an OffsetFetch answer, sorted. */
static void
sm_cg_fill_offsets(const sm_OffsetFetchResponse_t *r,
                   samsa_partition_offset_t **vp, int *np)
{
    samsa_partition_offset_t *v = NULL;
    int n = 0, cap = 0;

    for (int32_t i = 0; i < r->TopicsCnt; i++) {
        const sm_OffsetFetchResponseTopic_t *t = &r->Topics[i];
        for (int32_t j = 0; j < t->PartitionsCnt; j++) {
            const sm_OffsetFetchResponsePartition_t *p = &t->Partitions[j];
            /* as AdminClient: partitions in error or without an offset
             * are left out */
            if (p->CommittedOffset < 0 || p->ErrorCode != SM_OK)
                continue;
            if (n == cap) {
                cap = cap * 2 + 8;
                v = sm_realloc(v, (size_t)cap * sizeof(*v));
            }
            v[n].topic = sm_str_dup(t->Name);
            v[n].partition = p->PartitionIndex;
            v[n].offset = p->CommittedOffset;
            v[n].metadata = sm_str_is_null(p->Metadata)
                            ? NULL : sm_str_dup(p->Metadata);
            v[n].err = SM_OK;
            n++;
        }
    }
    if (n > 0)
        qsort(v, (size_t)n, sizeof(*v), sm_cg_cmp_po);
    *vp = v;
    *np = n;
}

samsa_err_t
samsa_list_group_offsets(samsa_client_t *c, const char *group,
                         samsa_partition_offset_t **offsetsp, int *cntp,
                         char **errmsg)
{
    char errstr[SM_CG_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    sm_OffsetFetchRequest_t req;
    sm_OffsetFetchResponse_t r;
    sm_client_resp_t resp;
    sm_err_t err;

    *offsetsp = NULL;
    *cntp = 0;
    memset(&req, 0, sizeof(req));
    req.GroupId = sm_str_cstr(group);
    req.TopicsCnt = -1;
    for (;;) {
        err = sm_cg_send(c, group, SM_API_OffsetFetch,
                         SM_OFFSETFETCH_MAX_VERSION, sm_cg_of_body, &req,
                         deadline, &resp, NULL, errstr, sizeof(errstr));
        if (err == SM_OK && resp.version < 2) {
            sm_client_resp_fini(&resp);
            snprintf(errstr, sizeof(errstr), "The broker does not support "
                     "fetching all offsets of a group (OffsetFetch v2)");
            err = SM_ERR_UNSUPPORTED_VERSION;
        } else if (err == SM_OK) {
            err = sm_OffsetFetchResponse_read(&resp.rd, resp.version, &r);
            if (err == SM_OK)
                err = r.ErrorCode;
            if (err == SM_OK)
                sm_cg_fill_offsets(&r, offsetsp, cntp);
            sm_OffsetFetchResponse_free(&r);
            sm_client_resp_fini(&resp);
        }
        if (!sm_cg_coord_retry(c, err, deadline))
            break;
        errstr[0] = '\0';
    }
    sm_cg_errmsg(errmsg, err, errstr);
    return err;
}

static void
sm_cg_oc_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_OffsetCommitRequest_write(buf, version, arg);
}

/* The request for offsets[0..cnt): one topic entry per run of equal
 * topics (the caller's order).  Frees with sm_cg_oc_fini(). */
void
sm_cg_oc_build(sm_OffsetCommitRequest_t *req, const char *group,
               const samsa_partition_offset_t *offsets, int cnt)
{
    memset(req, 0, sizeof(*req));
    req->GroupId = sm_str_cstr(group);
    req->GenerationId = -1;
    req->MemberId = sm_str_cstr("");
    req->GroupInstanceId = SM_STR_NULL;
    req->RetentionTimeMs = -1;
    req->Topics = sm_calloc((size_t)cnt + 1, sizeof(*req->Topics));
    for (int i = 0; i < cnt; i++) {
        sm_OffsetCommitRequestTopic_t *t = NULL;
        sm_OffsetCommitRequestPartition_t *p;
        for (int32_t k = 0; k < req->TopicsCnt && t == NULL; k++)
            if (sm_str_eq_cstr(req->Topics[k].Name, offsets[i].topic))
                t = &req->Topics[k];
        if (t == NULL) {
            t = &req->Topics[req->TopicsCnt++];
            t->Name = sm_str_cstr(offsets[i].topic);
            t->Partitions = sm_calloc((size_t)cnt, sizeof(*t->Partitions));
        }
        p = &t->Partitions[t->PartitionsCnt++];
        p->PartitionIndex = offsets[i].partition;
        p->CommittedOffset = offsets[i].offset;
        p->CommittedLeaderEpoch = -1;
        p->CommitTimestamp = -1;
        p->CommittedMetadata = offsets[i].metadata != NULL
                               ? sm_str_cstr(offsets[i].metadata)
                               : sm_str_cstr("");
    }
}

void
sm_cg_oc_fini(sm_OffsetCommitRequest_t *req)
{
    for (int32_t k = 0; k < req->TopicsCnt; k++)
        sm_free(req->Topics[k].Partitions);
    sm_free(req->Topics);
}

/* Set each item's err from the response; the first coordinator error
 * seen is returned (to retry the whole commit). */
sm_err_t
sm_cg_oc_match(const sm_OffsetCommitResponse_t *r,
               samsa_partition_offset_t *offsets, int cnt)
{
    sm_err_t coord = SM_OK;

    for (int i = 0; i < cnt; i++) {
        offsets[i].err = SM_ERR_UNKNOWN_SERVER_ERROR;
        for (int32_t k = 0; k < r->TopicsCnt; k++) {
            const sm_OffsetCommitResponseTopic_t *t = &r->Topics[k];
            if (!sm_str_eq_cstr(t->Name, offsets[i].topic))
                continue;
            for (int32_t j = 0; j < t->PartitionsCnt; j++)
                if (t->Partitions[j].PartitionIndex == offsets[i].partition)
                    offsets[i].err = t->Partitions[j].ErrorCode;
        }
        if (coord == SM_OK && sm_cg_coord_err(offsets[i].err))
            coord = offsets[i].err;
    }
    return coord;
}

samsa_err_t
samsa_alter_group_offsets(samsa_client_t *c, const char *group,
                          samsa_partition_offset_t *offsets, int cnt,
                          char **errmsg)
{
    char errstr[SM_CG_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    sm_OffsetCommitRequest_t req;
    sm_OffsetCommitResponse_t r;
    sm_client_resp_t resp;
    sm_err_t err;

    sm_cg_oc_build(&req, group, offsets, cnt);
    for (;;) {
        err = sm_cg_send(c, group, SM_API_OffsetCommit,
                         SM_OFFSETCOMMIT_MAX_VERSION, sm_cg_oc_body, &req,
                         deadline, &resp, NULL, errstr, sizeof(errstr));
        if (err == SM_OK && resp.version < 2) {
            /* v0 goes to ZooKeeper, v1 carries timestamps: not ours */
            sm_client_resp_fini(&resp);
            snprintf(errstr, sizeof(errstr), "The broker does not support "
                     "OffsetCommit v2");
            err = SM_ERR_UNSUPPORTED_VERSION;
        } else if (err == SM_OK) {
            err = sm_OffsetCommitResponse_read(&resp.rd, resp.version, &r);
            if (err == SM_OK)
                err = sm_cg_oc_match(&r, offsets, cnt);
            sm_OffsetCommitResponse_free(&r);
            sm_client_resp_fini(&resp);
        }
        if (!sm_cg_coord_retry(c, err, deadline))
            break;
        errstr[0] = '\0';
    }
    sm_cg_oc_fini(&req);
    sm_cg_errmsg(errmsg, err, errstr);
    return err;
}

/* ------------------------------------------------------------ delete */

static void
sm_cg_del_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_DeleteGroupsRequest_write(buf, version, arg);
}

static sm_err_t
sm_cg_delete_one(sm_client_t *c, const char *group, int64_t deadline,
                 sm_err_t *item, char *errstr, size_t errstr_size)
{
    sm_DeleteGroupsRequest_t req;
    sm_DeleteGroupsResponse_t r;
    sm_client_resp_t resp;
    sm_str_t name = sm_str_cstr(group);
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.GroupsNamesCnt = 1;
    req.GroupsNames = &name;
    for (;;) {
        *item = SM_ERR_UNKNOWN_SERVER_ERROR;
        err = sm_cg_send(c, group, SM_API_DeleteGroups,
                         SM_DELETEGROUPS_MAX_VERSION, sm_cg_del_body, &req,
                         deadline, &resp, NULL, errstr, errstr_size);
        if (err == SM_OK) {
            err = sm_DeleteGroupsResponse_read(&resp.rd, resp.version, &r);
            for (int32_t i = 0; err == SM_OK && i < r.ResultsCnt; i++)
                if (sm_str_eq_cstr(r.Results[i].GroupId, group))
                    *item = r.Results[i].ErrorCode;
            sm_DeleteGroupsResponse_free(&r);
            sm_client_resp_fini(&resp);
        }
        if (err == SM_OK && sm_cg_coord_retry(c, *item, deadline))
            continue;
        if (err != SM_OK && sm_cg_coord_retry(c, err, deadline))
            continue;
        return err;
    }
}

samsa_err_t
samsa_delete_groups(samsa_client_t *c, const char *const *groups, int cnt,
                    samsa_result_t **resultsp, char **errmsg)
{
    char errstr[SM_CG_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    samsa_result_t *res = sm_calloc((size_t)cnt + 1, sizeof(*res));
    sm_err_t err = SM_OK;

    for (int i = 0; i < cnt && err == SM_OK; i++) {
        res[i].name = sm_strdup(groups[i]);
        err = sm_cg_delete_one(c, groups[i], deadline, &res[i].err, errstr,
                               sizeof(errstr));
        if (err == SM_OK && res[i].err != SM_OK)
            res[i].errmsg = sm_strdup(samsa_err_message(res[i].err));
    }
    if (err != SM_OK) {
        samsa_results_free(res, cnt);
        res = NULL;
    }
    *resultsp = res;
    sm_cg_errmsg(errmsg, err, errstr);
    return err;
}

/* -------------------------------------------------------- offset delete */

static void
sm_cg_od_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_OffsetDeleteRequest_write(buf, version, arg);
}

/* The request for parts[0..cnt), one topic entry per distinct topic. */
static void
sm_cg_od_build(sm_OffsetDeleteRequest_t *req, const char *group,
               const samsa_partition_offset_t *parts, int cnt)
{
    memset(req, 0, sizeof(*req));
    req->GroupId = sm_str_cstr(group);
    req->Topics = sm_calloc((size_t)cnt + 1, sizeof(*req->Topics));
    for (int i = 0; i < cnt; i++) {
        sm_OffsetDeleteRequestTopic_t *t = NULL;
        for (int32_t k = 0; k < req->TopicsCnt && t == NULL; k++)
            if (sm_str_eq_cstr(req->Topics[k].Name, parts[i].topic))
                t = &req->Topics[k];
        if (t == NULL) {
            t = &req->Topics[req->TopicsCnt++];
            t->Name = sm_str_cstr(parts[i].topic);
            t->Partitions = sm_calloc((size_t)cnt, sizeof(*t->Partitions));
        }
        t->Partitions[t->PartitionsCnt++] = parts[i].partition;
    }
}

static void
sm_cg_od_match(const sm_OffsetDeleteResponse_t *r,
               samsa_partition_offset_t *parts, int cnt)
{
    for (int i = 0; i < cnt; i++) {
        parts[i].err = r->ErrorCode != SM_OK ? r->ErrorCode
                                             : SM_ERR_UNKNOWN_SERVER_ERROR;
        if (r->ErrorCode != SM_OK)
            continue;
        for (int32_t k = 0; k < r->TopicsCnt; k++) {
            const sm_OffsetDeleteResponseTopic_t *t = &r->Topics[k];
            if (!sm_str_eq_cstr(t->Name, parts[i].topic))
                continue;
            for (int32_t j = 0; j < t->PartitionsCnt; j++)
                if (t->Partitions[j].PartitionIndex == parts[i].partition)
                    parts[i].err = t->Partitions[j].ErrorCode;
        }
    }
}

samsa_err_t
samsa_delete_group_offsets(samsa_client_t *c, const char *group,
                           samsa_partition_offset_t *parts, int cnt,
                           samsa_err_t *group_errp, char **errmsg)
{
    char errstr[SM_CG_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    sm_OffsetDeleteRequest_t req;
    sm_OffsetDeleteResponse_t r;
    sm_client_resp_t resp;
    sm_err_t err;

    *group_errp = SM_OK;
    sm_cg_od_build(&req, group, parts, cnt);
    for (;;) {
        err = sm_cg_send(c, group, SM_API_OffsetDelete,
                         SM_OFFSETDELETE_MAX_VERSION, sm_cg_od_body, &req,
                         deadline, &resp, NULL, errstr, sizeof(errstr));
        if (err == SM_OK) {
            err = sm_OffsetDeleteResponse_read(&resp.rd, resp.version, &r);
            if (err == SM_OK && sm_cg_coord_err(r.ErrorCode))
                err = r.ErrorCode;
            else if (err == SM_OK) {
                *group_errp = r.ErrorCode;
                sm_cg_od_match(&r, parts, cnt);
            }
            sm_OffsetDeleteResponse_free(&r);
            sm_client_resp_fini(&resp);
        }
        if (!sm_cg_coord_retry(c, err, deadline))
            break;
        errstr[0] = '\0';
    }
    for (int32_t k = 0; k < req.TopicsCnt; k++)
        sm_free(req.Topics[k].Partitions);
    sm_free(req.Topics);
    sm_cg_errmsg(errmsg, err, errstr);
    return err;
}

/* ---------------------------------------------------------- log offsets */

static void
sm_cg_lo_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_ListOffsetsRequest_write(buf, version, arg);
}

/* One partition's offset from its leader. */
static void
sm_cg_lo_one(sm_client_t *c, int32_t leader, samsa_partition_offset_t *po,
             int64_t spec, int64_t deadline)
{
    sm_ListOffsetsRequestPartition_t rp;
    sm_ListOffsetsRequestTopic_t rt;
    sm_ListOffsetsRequest_t req;
    sm_ListOffsetsResponse_t lr;
    sm_client_resp_t resp;
    char errstr[SM_CG_ERRSTR];
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    memset(&rt, 0, sizeof(rt));
    memset(&rp, 0, sizeof(rp));
    req.ReplicaId = -1;
    req.TopicsCnt = 1;
    req.Topics = &rt;
    rt.Name = sm_str_cstr(po->topic);
    rt.PartitionsCnt = 1;
    rt.Partitions = &rp;
    rp.PartitionIndex = po->partition;
    rp.CurrentLeaderEpoch = -1;
    rp.Timestamp = spec;
    rp.MaxNumOffsets = 1;
    po->offset = -1;
    err = sm_client_send_node(c, leader, SM_API_ListOffsets,
                              SM_LISTOFFSETS_MAX_VERSION, sm_cg_lo_body,
                              &req, deadline, &resp, errstr, sizeof(errstr));
    if (err == SM_OK) {
        err = sm_ListOffsetsResponse_read(&resp.rd, resp.version, &lr);
        if (err == SM_OK && (lr.TopicsCnt != 1 ||
                             lr.Topics[0].PartitionsCnt != 1))
            err = SM_ERR__BAD_MSG;
        if (err == SM_OK) {
            const sm_ListOffsetsResponsePartition_t *p =
                &lr.Topics[0].Partitions[0];
            err = p->ErrorCode;
            if (err == SM_OK && resp.version == 0)
                po->offset = p->OldStyleOffsetsCnt > 0
                             ? p->OldStyleOffsets[0] : -1;
            else if (err == SM_OK)
                po->offset = p->Offset;
        }
        sm_ListOffsetsResponse_free(&lr);
        sm_client_resp_fini(&resp);
    }
    po->err = err;
}

/* The leader of topic/partition in md; -1 (and *err) if unknown. */
static int32_t
sm_cg_leader(const samsa_metadata_t *md, const char *topic, int32_t part,
             sm_err_t *err)
{
    *err = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    for (int i = 0; i < md->topic_cnt; i++) {
        const samsa_topic_md_t *t = &md->topics[i];
        if (strcmp(t->name, topic) != 0)
            continue;
        for (int j = 0; j < t->partition_cnt; j++) {
            if (t->partitions[j].partition != part)
                continue;
            *err = t->partitions[j].leader >= 0
                   ? SM_OK : SM_ERR_LEADER_NOT_AVAILABLE;
            return t->partitions[j].leader;
        }
    }
    return -1;
}

samsa_err_t
samsa_list_offsets(samsa_client_t *c, samsa_partition_offset_t *parts,
                   int cnt, int64_t spec, char **errmsg)
{
    const char **topics = sm_calloc((size_t)cnt + 1, sizeof(*topics));
    int64_t deadline = sm_client_deadline(c);
    samsa_metadata_t *md = NULL;
    int nt = 0;
    sm_err_t err;

    for (int i = 0; i < cnt; i++) {
        int seen = 0;
        for (int k = 0; k < nt && !seen; k++)
            seen = strcmp(topics[k], parts[i].topic) == 0;
        if (!seen)
            topics[nt++] = parts[i].topic;
    }
    err = samsa_describe_topics(c, topics, nt, &md, errmsg);
    sm_free(topics);
    if (err != SM_OK)
        return err;
    for (int i = 0; i < cnt; i++) {
        sm_err_t perr;
        int32_t leader = sm_cg_leader(md, parts[i].topic,
                                      parts[i].partition, &perr);
        parts[i].offset = -1;
        parts[i].err = perr;
        if (perr == SM_OK)
            sm_cg_lo_one(c, leader, &parts[i], spec, deadline);
    }
    samsa_metadata_destroy(md);
    if (errmsg != NULL)
        *errmsg = NULL;
    return SAMSA_OK;
}
