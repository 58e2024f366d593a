/*
 * client_admin.c: the public admin calls of samsa.h - Kafka's AdminClient
 * topic operations over the blocking client core (client.h).
 *
 *   samsa_describe_cluster   Metadata, no topics          any broker
 *   samsa_list_topics        Metadata, all topics         any broker
 *   samsa_describe_topics    Metadata, named topics       any broker
 *   samsa_describe_configs   DescribeConfigs              any / that broker
 *   samsa_create_topics      CreateTopics                 controller
 *   samsa_delete_topics      DeleteTopics                 controller
 *   samsa_create_partitions  CreatePartitions             controller
 *
 * BATCHES.  The three controller calls share one loop (sm_client_batch):
 * build the request for the items still pending, send it to the
 * controller, match the response entries to the items by name, and send
 * again - after a metadata refresh - the items answered NOT_CONTROLLER
 * (the controller moved), until the deadline.  Items the response does
 * not mention fail with UNKNOWN_SERVER_ERROR, as Kafka's AdminClient
 * fails them.  An item's message is the broker's ErrorMessage, else
 * Kafka's default text for the code (client_err.c).
 *
 * Metadata for named topics asks the broker not to auto-create them
 * (AllowAutoTopicCreation false, v4+); a broker too old for that is asked
 * for every topic instead and the answer filtered, as Kafka does.
 *
 * Threads: the client's owner.  Memory: see samsa.h (the caller frees
 * everything returned; requests borrow the caller's strings).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/createpartitions.h"
#include "protocol/createtopics.h"
#include "protocol/deletetopics.h"
#include "protocol/describeconfigs.h"
#include "protocol/metadata.h"

#define SM_CLIENT_ERRSTR 512

/* ------------------------------------------------------------ helpers */

static void
sm_client_set_errmsg(char **errmsg, sm_err_t err, const char *errstr)
{
    if (errmsg == NULL)
        return;
    *errmsg = NULL;
    if (err == SM_OK)
        return;
    if (errstr != NULL && errstr[0] != '\0')
        *errmsg = sm_strdup(errstr);
    else
        *errmsg = sm_strdup(samsa_err_message(err));
}

/* An item's message: the broker's, else Kafka's default; NULL if ok. */
static char *
sm_client_item_msg(sm_err_t err, sm_str_t msg)
{
    if (err == SM_OK)
        return NULL;
    if (!sm_str_is_null(msg))
        return sm_str_dup(msg);
    return sm_strdup(samsa_err_message(err));
}

static int32_t *
sm_client_ints_dup(const int32_t *v, int32_t n)
{
    int32_t *r = sm_calloc((size_t)(n > 0 ? n : 1), sizeof(*r));

    if (n > 0)
        memcpy(r, v, (size_t)n * sizeof(*r));
    return r;
}

void
samsa_strings_free(char **v, int cnt)
{
    for (int i = 0; i < cnt; i++)
        sm_free(v[i]);
    sm_free(v);
}

void
samsa_results_free(samsa_result_t *results, int cnt)
{
    if (results == NULL)
        return;
    for (int i = 0; i < cnt; i++) {
        sm_free(results[i].name);
        sm_free(results[i].errmsg);
    }
    sm_free(results);
}

/* ------------------------------------------------------------ metadata */

static void
sm_client_md_partition(samsa_partition_md_t *out,
                       const sm_MetadataResponsePartition_t *p)
{
    out->partition = p->PartitionIndex;
    out->err = p->ErrorCode;
    out->leader = p->LeaderId;
    out->replicas = sm_client_ints_dup(p->ReplicaNodes, p->ReplicaNodesCnt);
    out->replica_cnt = p->ReplicaNodesCnt > 0 ? p->ReplicaNodesCnt : 0;
    out->isr = sm_client_ints_dup(p->IsrNodes, p->IsrNodesCnt);
    out->isr_cnt = p->IsrNodesCnt > 0 ? p->IsrNodesCnt : 0;
    out->offline = sm_client_ints_dup(p->OfflineReplicas,
                                      p->OfflineReplicasCnt);
    out->offline_cnt = p->OfflineReplicasCnt > 0 ? p->OfflineReplicasCnt : 0;
}

static int
sm_client_cmp_part(const void *a, const void *b)
{
    const samsa_partition_md_t *x = a, *y = b;

    return (x->partition > y->partition) - (x->partition < y->partition);
}

static void
sm_client_md_topic(samsa_topic_md_t *out, const sm_MetadataResponseTopic_t *t)
{
    int n = t->PartitionsCnt > 0 ? t->PartitionsCnt : 0;

    out->name = sm_str_dup(t->Name);
    out->err = t->ErrorCode;
    out->is_internal = t->IsInternal;
    out->partitions = sm_calloc((size_t)n + 1, sizeof(*out->partitions));
    out->partition_cnt = n;
    for (int i = 0; i < n; i++)
        sm_client_md_partition(&out->partitions[i], &t->Partitions[i]);
    qsort(out->partitions, (size_t)n, sizeof(*out->partitions),
          sm_client_cmp_part);
}

static int
sm_client_cmp_node(const void *a, const void *b)
{
    const samsa_node_t *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* The cluster part of md (brokers, controller, cluster id), no topics. */
static samsa_metadata_t *
sm_client_md_cluster(const sm_MetadataResponse_t *md)
{
    samsa_metadata_t *out = sm_calloc(1, sizeof(*out));
    int n = md->BrokersCnt > 0 ? md->BrokersCnt : 0;

    out->brokers = sm_calloc((size_t)n + 1, sizeof(*out->brokers));
    out->broker_cnt = n;
    for (int i = 0; i < n; i++) {
        out->brokers[i].id = md->Brokers[i].NodeId;
        out->brokers[i].host = sm_str_dup(md->Brokers[i].Host);
        out->brokers[i].port = md->Brokers[i].Port;
        out->brokers[i].rack = sm_str_dup(md->Brokers[i].Rack);
    }
    qsort(out->brokers, (size_t)n, sizeof(*out->brokers),
          sm_client_cmp_node);
    out->controller_id = md->ControllerId;
    out->cluster_id = sm_str_dup(md->ClusterId);
    out->topics = sm_calloc(1, sizeof(*out->topics));
    return out;
}

void
samsa_metadata_destroy(samsa_metadata_t *md)
{
    if (md == NULL)
        return;
    for (int i = 0; i < md->broker_cnt; i++) {
        sm_free(md->brokers[i].host);
        sm_free(md->brokers[i].rack);
    }
    for (int i = 0; i < md->topic_cnt; i++) {
        samsa_topic_md_t *t = &md->topics[i];
        for (int j = 0; j < t->partition_cnt; j++) {
            sm_free(t->partitions[j].replicas);
            sm_free(t->partitions[j].isr);
            sm_free(t->partitions[j].offline);
        }
        sm_free(t->partitions);
        sm_free(t->name);
    }
    sm_free(md->topics);
    sm_free(md->brokers);
    sm_free(md->cluster_id);
    sm_free(md);
}

/* What a Metadata request asks for.  names == NULL: all topics; else the
 * named ones, or all of them below v4 (no AllowAutoTopicCreation). */
typedef struct sm_client_mdq {
    const char *const *names;
    int                cnt;
} sm_client_mdq_t;

static void
sm_client_md_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    const sm_client_mdq_t *q = arg;
    sm_MetadataRequest_t req;

    memset(&req, 0, sizeof(req));
    req.TopicsCnt = -1;
    if (q->names != NULL && (version >= 4 || q->cnt == 0)) {
        req.TopicsCnt = q->cnt;
        req.Topics = sm_calloc((size_t)q->cnt + 1, sizeof(*req.Topics));
        for (int i = 0; i < q->cnt; i++)
            req.Topics[i].Name = sm_str_cstr(q->names[i]);
    }
    sm_MetadataRequest_write(buf, version, &req);
    sm_free(req.Topics);
}

/* One Metadata round trip; *md parsed (caller frees md and resp). */
static sm_err_t
sm_client_metadata(sm_client_t *c, const sm_client_mdq_t *q,
                   sm_MetadataResponse_t *md, sm_client_resp_t *resp,
                   char *errstr, size_t errstr_size)
{
    sm_err_t err;

    memset(md, 0, sizeof(*md));
    err = sm_client_send_any(c, SM_API_Metadata, SM_METADATA_MAX_VERSION,
                             sm_client_md_body, q, sm_client_deadline(c),
                             resp, errstr, errstr_size);
    if (err != SM_OK)
        return err;
    err = sm_MetadataResponse_read(&resp->rd, resp->version, md);
    if (err != SM_OK)
        snprintf(errstr, errstr_size, "Unparsable Metadata v%d response: "
                 "%s", (int)resp->version, sm_err_name(err));
    return err;
}

samsa_err_t
samsa_describe_cluster(samsa_client_t *c, samsa_metadata_t **mdp,
                       char **errmsg)
{
    static const char *const none[1] = { NULL };
    sm_client_mdq_t q = { none, 0 };
    char errstr[SM_CLIENT_ERRSTR] = "";
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    sm_err_t err;

    *mdp = NULL;
    err = sm_client_metadata(c, &q, &md, &resp, errstr, sizeof(errstr));
    if (err == SM_OK)
        *mdp = sm_client_md_cluster(&md);
    sm_MetadataResponse_free(&md);
    sm_client_resp_fini(&resp);
    sm_client_set_errmsg(errmsg, err, errstr);
    return err;
}

static int
sm_client_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

samsa_err_t
samsa_list_topics(samsa_client_t *c, int include_internal, char ***namesp,
                  int *cntp, char **errmsg)
{
    sm_client_mdq_t q = { NULL, 0 };
    char errstr[SM_CLIENT_ERRSTR] = "";
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    sm_err_t err;
    int n = 0;

    *namesp = NULL;
    *cntp = 0;
    err = sm_client_metadata(c, &q, &md, &resp, errstr, sizeof(errstr));
    if (err == SM_OK) {
        *namesp = sm_calloc((size_t)md.TopicsCnt + 1, sizeof(char *));
        for (int32_t i = 0; i < md.TopicsCnt; i++) {
            const sm_MetadataResponseTopic_t *t = &md.Topics[i];
            if (t->ErrorCode != SM_OK ||
                (t->IsInternal && !include_internal))
                continue;
            (*namesp)[n++] = sm_str_dup(t->Name);
        }
        qsort(*namesp, (size_t)n, sizeof(char *), sm_client_cmp_str);
        *cntp = n;
    }
    sm_MetadataResponse_free(&md);
    sm_client_resp_fini(&resp);
    sm_client_set_errmsg(errmsg, err, errstr);
    return err;
}

static const sm_MetadataResponseTopic_t *
sm_client_md_find(const sm_MetadataResponse_t *md, const char *name)
{
    for (int32_t i = 0; i < md->TopicsCnt; i++)
        if (sm_str_eq_cstr(md->Topics[i].Name, name))
            return &md->Topics[i];
    return NULL;
}

samsa_err_t
samsa_describe_topics(samsa_client_t *c, const char *const *topics, int cnt,
                      samsa_metadata_t **mdp, char **errmsg)
{
    sm_client_mdq_t q = { topics, cnt };
    char errstr[SM_CLIENT_ERRSTR] = "";
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    samsa_metadata_t *out;
    sm_err_t err;

    *mdp = NULL;
    err = sm_client_metadata(c, &q, &md, &resp, errstr, sizeof(errstr));
    if (err == SM_OK) {
        out = sm_client_md_cluster(&md);
        sm_free(out->topics);
        out->topics = sm_calloc((size_t)cnt + 1, sizeof(*out->topics));
        out->topic_cnt = cnt;
        for (int i = 0; i < cnt; i++) {
            const sm_MetadataResponseTopic_t *t = sm_client_md_find(&md,
                                                                topics[i]);
            if (t != NULL) {
                sm_client_md_topic(&out->topics[i], t);
            } else {
                out->topics[i].name = sm_strdup(topics[i]);
                out->topics[i].err = SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
                out->topics[i].partitions = sm_calloc(1, sizeof(
                    *out->topics[i].partitions));
            }
        }
        *mdp = out;
    }
    sm_MetadataResponse_free(&md);
    sm_client_resp_fini(&resp);
    sm_client_set_errmsg(errmsg, err, errstr);
    return err;
}

/* ------------------------------------------------------------ batches */

/*
 * One controller call over items 0..n-1.  build() writes the request for
 * the pending items idx[0..nidx) into ctx; body() encodes it; parse()
 * reads the response into results[idx[i]] (name, err, errmsg) and
 * returns the parse error, if any; reset() frees what build/parse
 * allocated in ctx.
 */
typedef struct sm_client_batch_ops {
    int16_t           key;
    int16_t           max_version;
    sm_client_body_fn body;
    void     (*build)(void *ctx, const int *idx, int nidx);
    sm_err_t (*parse)(void *ctx, sm_client_resp_t *resp, const int *idx,
                      int nidx, samsa_result_t *results);
    void     (*reset)(void *ctx);
} sm_client_batch_ops_t;

/* Items of idx whose result is NOT_CONTROLLER, compacted into idx. */
static int
sm_client_batch_retry(samsa_result_t *results, int *idx, int nidx)
{
    int n = 0;

    for (int i = 0; i < nidx; i++)
        if (results[idx[i]].err == SM_ERR_NOT_CONTROLLER)
            idx[n++] = idx[i];
    return n;
}

static sm_err_t
sm_client_batch(sm_client_t *c, const sm_client_batch_ops_t *ops, void *ctx,
                const char *const *names, int n, samsa_result_t **resultsp,
                char **errmsg)
{
    char errstr[SM_CLIENT_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    samsa_result_t *results = sm_calloc((size_t)n + 1, sizeof(*results));
    int *idx = sm_calloc((size_t)n + 1, sizeof(*idx));
    int nidx = n;
    sm_err_t err = SM_OK;

    for (int i = 0; i < n; i++) {
        idx[i] = i;
        results[i].name = sm_strdup(names[i]);
    }
    while (nidx > 0) {
        sm_client_resp_t resp;
        ops->build(ctx, idx, nidx);
        err = sm_client_send_controller(c, ops->key, ops->max_version,
                                        ops->body, ctx, deadline, &resp,
                                        errstr, sizeof(errstr));
        if (err == SM_OK)
            err = ops->parse(ctx, &resp, idx, nidx, results);
        ops->reset(ctx);
        sm_client_resp_fini(&resp);
        if (err != SM_OK)
            break;
        nidx = sm_client_batch_retry(results, idx, nidx);
        if (nidx > 0) {
            sm_client_forget_controller(c);
            if (sm_client_backoff(c, deadline) != 0)
                break;                  /* they keep NOT_CONTROLLER */
        }
    }
    sm_free(idx);
    if (err != SM_OK) {
        samsa_results_free(results, n);
        results = NULL;
        if (errstr[0] == '\0')
            snprintf(errstr, sizeof(errstr), "Unparsable %s response: %s",
                     sm_api_name(ops->key), sm_err_name(err));
    }
    *resultsp = results;
    sm_client_set_errmsg(errmsg, err, errstr);
    return err;
}

/* A response entry for item name: the first pending item of that name
 * not matched yet takes its outcome. */
static void
sm_client_batch_set(samsa_result_t *results, const int *idx, int nidx,
                    int *seen, sm_str_t name, int16_t code, sm_str_t msg)
{
    for (int i = 0; i < nidx; i++) {
        samsa_result_t *r = &results[idx[i]];
        if (seen[i] || !sm_str_eq_cstr(name, r->name))
            continue;
        seen[i] = 1;
        sm_free(r->errmsg);
        r->err = code;
        r->errmsg = sm_client_item_msg(code, msg);
        return;
    }
}

/* Items the response did not mention fail, as Kafka's AdminClient fails
 * them. */
static void
sm_client_batch_unmatched(samsa_result_t *results, const int *idx,
                          int nidx, const int *seen)
{
    for (int i = 0; i < nidx; i++) {
        samsa_result_t *r = &results[idx[i]];
        if (seen[i])
            continue;
        sm_free(r->errmsg);
        r->err = SM_ERR_UNKNOWN_SERVER_ERROR;
        r->errmsg = sm_asprintf("The controller response did not contain "
                                "a result for topic %s", r->name);
    }
}

/* ------------------------------------------------------------ create */

typedef struct sm_client_ct {
    const samsa_new_topic_t *topics;
    int32_t                  timeout_ms;
    int                      validate_only;
    sm_CreateTopicsRequest_t req;
} sm_client_ct_t;

static void
sm_client_ct_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_CreateTopicsRequest_write(buf, version,
                                 &((const sm_client_ct_t *)arg)->req);
}

static void
sm_client_ct_topic(sm_CreateTopicsRequestTopic_t *t,
                   const samsa_new_topic_t *nt)
{
    const samsa_assignment_t *a = nt->assignment;

    t->Name = sm_str_cstr(nt->name);
    t->NumPartitions = a ? -1 : nt->num_partitions;
    t->ReplicationFactor = (int16_t)(a ? -1 : nt->replication_factor);
    t->AssignmentsCnt = a ? a->cnt : 0;
    t->Assignments = sm_calloc((size_t)t->AssignmentsCnt + 1,
                               sizeof(*t->Assignments));
    for (int32_t p = 0; p < t->AssignmentsCnt; p++) {
        t->Assignments[p].PartitionIndex = p;
        t->Assignments[p].BrokerIdsCnt = a->replica_cnts[p];
        t->Assignments[p].BrokerIds = (int32_t *)a->replicas[p];
    }
    t->ConfigsCnt = nt->config_cnt;
    t->Configs = sm_calloc((size_t)nt->config_cnt + 1, sizeof(*t->Configs));
    for (int i = 0; i < nt->config_cnt; i++) {
        t->Configs[i].Name = sm_str_cstr(nt->config_names[i]);
        t->Configs[i].Value = sm_str_cstr(nt->config_values[i]);
    }
}

static void
sm_client_ct_build(void *arg, const int *idx, int nidx)
{
    sm_client_ct_t *ct = arg;

    memset(&ct->req, 0, sizeof(ct->req));
    ct->req.TopicsCnt = nidx;
    ct->req.Topics = sm_calloc((size_t)nidx + 1, sizeof(*ct->req.Topics));
    for (int i = 0; i < nidx; i++)
        sm_client_ct_topic(&ct->req.Topics[i], &ct->topics[idx[i]]);
    ct->req.TimeoutMs = ct->timeout_ms;
    ct->req.ValidateOnly = ct->validate_only;
}

static void
sm_client_ct_reset(void *arg)
{
    sm_client_ct_t *ct = arg;

    /* BrokerIds borrow from the caller: free only our arrays */
    for (int32_t i = 0; i < ct->req.TopicsCnt; i++) {
        sm_free(ct->req.Topics[i].Assignments);
        sm_free(ct->req.Topics[i].Configs);
    }
    sm_free(ct->req.Topics);
    memset(&ct->req, 0, sizeof(ct->req));
}

static sm_err_t
sm_client_ct_parse(void *arg, sm_client_resp_t *resp, const int *idx,
                   int nidx, samsa_result_t *results)
{
    sm_CreateTopicsResponse_t r;
    int *seen = sm_calloc((size_t)nidx + 1, sizeof(*seen));
    sm_err_t err = sm_CreateTopicsResponse_read(&resp->rd, resp->version,
                                                &r);

    (void)arg;
    for (int32_t i = 0; err == SM_OK && i < r.TopicsCnt; i++) {
        sm_client_batch_set(results, idx, nidx, seen, r.Topics[i].Name,
                            r.Topics[i].ErrorCode, r.Topics[i].ErrorMessage);
    }
    if (err == SM_OK)
        sm_client_batch_unmatched(results, idx, nidx, seen);
    sm_CreateTopicsResponse_free(&r);
    sm_free(seen);
    return err;
}

samsa_err_t
samsa_create_topics(samsa_client_t *c, const samsa_new_topic_t *topics,
                    int cnt, int validate_only, samsa_result_t **resultsp,
                    char **errmsg)
{
    static const sm_client_batch_ops_t ops = {
        SM_API_CreateTopics, SM_CREATETOPICS_MAX_VERSION, sm_client_ct_body,
        sm_client_ct_build, sm_client_ct_parse, sm_client_ct_reset,
    };
    sm_client_ct_t ct = { .topics = topics,
                          .timeout_ms = c->conf.request_timeout_ms,
                          .validate_only = validate_only };
    const char **names = sm_calloc((size_t)cnt + 1, sizeof(*names));
    sm_err_t err;

    for (int i = 0; i < cnt; i++)
        names[i] = topics[i].name;
    err = sm_client_batch(c, &ops, &ct, names, cnt, resultsp, errmsg);
    sm_free(names);
    return err;
}

/* ------------------------------------------------------------ delete */

typedef struct sm_client_dt {
    const char *const       *names;
    int32_t                  timeout_ms;
    sm_DeleteTopicsRequest_t req;
} sm_client_dt_t;

static void
sm_client_dt_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_DeleteTopicsRequest_write(buf, version,
                                 &((const sm_client_dt_t *)arg)->req);
}

static void
sm_client_dt_build(void *arg, const int *idx, int nidx)
{
    sm_client_dt_t *dt = arg;

    memset(&dt->req, 0, sizeof(dt->req));
    dt->req.TopicNamesCnt = nidx;
    dt->req.TopicNames = sm_calloc((size_t)nidx + 1,
                                   sizeof(*dt->req.TopicNames));
    for (int i = 0; i < nidx; i++)
        dt->req.TopicNames[i] = sm_str_cstr(dt->names[idx[i]]);
    dt->req.TimeoutMs = dt->timeout_ms;
}

static void
sm_client_dt_reset(void *arg)
{
    sm_client_dt_t *dt = arg;

    sm_free(dt->req.TopicNames);
    memset(&dt->req, 0, sizeof(dt->req));
}

static sm_err_t
sm_client_dt_parse(void *arg, sm_client_resp_t *resp, const int *idx,
                   int nidx, samsa_result_t *results)
{
    sm_DeleteTopicsResponse_t r;
    int *seen = sm_calloc((size_t)nidx + 1, sizeof(*seen));
    sm_err_t err = sm_DeleteTopicsResponse_read(&resp->rd, resp->version,
                                                &r);

    (void)arg;
    for (int32_t i = 0; err == SM_OK && i < r.ResponsesCnt; i++) {
        sm_client_batch_set(results, idx, nidx, seen, r.Responses[i].Name,
                            r.Responses[i].ErrorCode, SM_STR_NULL);
    }
    if (err == SM_OK)
        sm_client_batch_unmatched(results, idx, nidx, seen);
    sm_DeleteTopicsResponse_free(&r);
    sm_free(seen);
    return err;
}

samsa_err_t
samsa_delete_topics(samsa_client_t *c, const char *const *topics, int cnt,
                    samsa_result_t **resultsp, char **errmsg)
{
    static const sm_client_batch_ops_t ops = {
        SM_API_DeleteTopics, SM_DELETETOPICS_MAX_VERSION, sm_client_dt_body,
        sm_client_dt_build, sm_client_dt_parse, sm_client_dt_reset,
    };
    sm_client_dt_t dt = { .names = topics,
                          .timeout_ms = c->conf.request_timeout_ms };

    return sm_client_batch(c, &ops, &dt, topics, cnt, resultsp, errmsg);
}

/* ------------------------------------------------------------ partitions */

typedef struct sm_client_cp {
    const samsa_new_partitions_t *parts;
    int32_t                       timeout_ms;
    int                           validate_only;
    sm_CreatePartitionsRequest_t  req;
} sm_client_cp_t;

static void
sm_client_cp_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_CreatePartitionsRequest_write(buf, version,
                                     &((const sm_client_cp_t *)arg)->req);
}

static void
sm_client_cp_build(void *arg, const int *idx, int nidx)
{
    sm_client_cp_t *cp = arg;

    memset(&cp->req, 0, sizeof(cp->req));
    cp->req.TopicsCnt = nidx;
    cp->req.Topics = sm_calloc((size_t)nidx + 1, sizeof(*cp->req.Topics));
    for (int i = 0; i < nidx; i++) {
        const samsa_new_partitions_t *np = &cp->parts[idx[i]];
        sm_CreatePartitionsRequestTopic_t *t = &cp->req.Topics[i];
        const samsa_assignment_t *a = np->assignment;
        t->Name = sm_str_cstr(np->topic);
        t->Count = np->total_count;
        t->AssignmentsCnt = a ? a->cnt : -1;
        if (a == NULL)
            continue;
        t->Assignments = sm_calloc((size_t)a->cnt + 1,
                                   sizeof(*t->Assignments));
        for (int j = 0; j < a->cnt; j++) {
            t->Assignments[j].BrokerIdsCnt = a->replica_cnts[j];
            t->Assignments[j].BrokerIds = (int32_t *)a->replicas[j];
        }
    }
    cp->req.TimeoutMs = cp->timeout_ms;
    cp->req.ValidateOnly = cp->validate_only;
}

static void
sm_client_cp_reset(void *arg)
{
    sm_client_cp_t *cp = arg;

    for (int32_t i = 0; i < cp->req.TopicsCnt; i++)
        sm_free(cp->req.Topics[i].Assignments);
    sm_free(cp->req.Topics);
    memset(&cp->req, 0, sizeof(cp->req));
}

static sm_err_t
sm_client_cp_parse(void *arg, sm_client_resp_t *resp, const int *idx,
                   int nidx, samsa_result_t *results)
{
    sm_CreatePartitionsResponse_t r;
    int *seen = sm_calloc((size_t)nidx + 1, sizeof(*seen));
    sm_err_t err = sm_CreatePartitionsResponse_read(&resp->rd,
                                                    resp->version, &r);

    (void)arg;
    for (int32_t i = 0; err == SM_OK && i < r.ResultsCnt; i++) {
        sm_client_batch_set(results, idx, nidx, seen, r.Results[i].Name,
                            r.Results[i].ErrorCode,
                            r.Results[i].ErrorMessage);
    }
    if (err == SM_OK)
        sm_client_batch_unmatched(results, idx, nidx, seen);
    sm_CreatePartitionsResponse_free(&r);
    sm_free(seen);
    return err;
}

samsa_err_t
samsa_create_partitions(samsa_client_t *c,
                        const samsa_new_partitions_t *parts, int cnt,
                        int validate_only, samsa_result_t **resultsp,
                        char **errmsg)
{
    static const sm_client_batch_ops_t ops = {
        SM_API_CreatePartitions, SM_CREATEPARTITIONS_MAX_VERSION,
        sm_client_cp_body, sm_client_cp_build, sm_client_cp_parse,
        sm_client_cp_reset,
    };
    sm_client_cp_t cp = { .parts = parts,
                          .timeout_ms = c->conf.request_timeout_ms,
                          .validate_only = validate_only };
    const char **names = sm_calloc((size_t)cnt + 1, sizeof(*names));
    sm_err_t err;

    for (int i = 0; i < cnt; i++)
        names[i] = parts[i].topic;
    err = sm_client_batch(c, &ops, &cp, names, cnt, resultsp, errmsg);
    sm_free(names);
    return err;
}

/* ------------------------------------------------------------ configs */

typedef struct sm_client_dc {
    sm_DescribeConfigsRequest_t req;
} sm_client_dc_t;

static void
sm_client_dc_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_DescribeConfigsRequest_write(buf, version,
                                    &((const sm_client_dc_t *)arg)->req);
}

void
samsa_resource_configs_free(samsa_resource_config_t *v, int cnt)
{
    if (v == NULL)
        return;
    for (int i = 0; i < cnt; i++) {
        for (int j = 0; j < v[i].entry_cnt; j++) {
            sm_free(v[i].entries[j].name);
            sm_free(v[i].entries[j].value);
        }
        sm_free(v[i].entries);
        sm_free(v[i].name);
        sm_free(v[i].errmsg);
    }
    sm_free(v);
}

/* The source of an entry: v1+ say it; v0 only has IsDefault. */
static int
sm_client_dc_source(int16_t version,
                    const sm_DescribeConfigsResponseConfig_t *e)
{
    if (version == 0)
        return e->IsDefault ? SAMSA_CONFIG_SOURCE_DEFAULT
                            : SAMSA_CONFIG_SOURCE_UNKNOWN;
    if (e->ConfigSource < 0 || e->ConfigSource > SM_DC_SOURCE_DEFAULT)
        return SAMSA_CONFIG_SOURCE_UNKNOWN;
    return e->ConfigSource;
}

static void
sm_client_dc_fill(samsa_resource_config_t *out, int16_t version,
                  const sm_DescribeConfigsResponseResult_t *r)
{
    int n = r->ConfigsCnt > 0 ? r->ConfigsCnt : 0;

    out->err = r->ErrorCode;
    out->errmsg = sm_client_item_msg(r->ErrorCode, r->ErrorMessage);
    out->entries = sm_calloc((size_t)n + 1, sizeof(*out->entries));
    out->entry_cnt = n;
    for (int i = 0; i < n; i++) {
        const sm_DescribeConfigsResponseConfig_t *e = &r->Configs[i];
        samsa_config_entry_t *o = &out->entries[i];
        o->name = sm_str_dup(e->Name);
        o->value = sm_str_dup(e->Value);
        o->source = sm_client_dc_source(version, e);
        o->is_default = o->source == SAMSA_CONFIG_SOURCE_DEFAULT;
        o->is_read_only = e->ReadOnly;
        o->is_sensitive = e->IsSensitive;
    }
}

/* Match the response's results to out[0..n) by type and name. */
static void
sm_client_dc_match(samsa_resource_config_t *out, int n, int16_t version,
                   const sm_DescribeConfigsResponse_t *r)
{
    for (int i = 0; i < n; i++) {
        const sm_DescribeConfigsResponseResult_t *m = NULL;
        for (int32_t j = 0; j < r->ResultsCnt && m == NULL; j++)
            if (r->Results[j].ResourceType == out[i].type &&
                sm_str_eq_cstr(r->Results[j].ResourceName, out[i].name))
                m = &r->Results[j];
        if (m != NULL) {
            sm_client_dc_fill(&out[i], version, m);
            continue;
        }
        out[i].err = SM_ERR_UNKNOWN_SERVER_ERROR;
        out[i].errmsg = sm_asprintf("The broker response did not contain "
                                    "a result for config resource "
                                    "ConfigResource(type=%s, name='%s')",
                                    out[i].type == SAMSA_RESOURCE_TOPIC
                                    ? "TOPIC" : "BROKER", out[i].name);
        out[i].entries = sm_calloc(1, sizeof(*out[i].entries));
    }
}

/* One DescribeConfigs round trip for out[0..n), to node (-1: any). */
static sm_err_t
sm_client_dc_send(sm_client_t *c, int32_t node, samsa_resource_config_t *out,
                  int n, int64_t deadline, char *errstr, size_t errstr_size)
{
    sm_client_dc_t dc;
    sm_DescribeConfigsResponse_t r;
    sm_client_resp_t resp;
    sm_err_t err;

    memset(&dc, 0, sizeof(dc));
    dc.req.ResourcesCnt = n;
    dc.req.Resources = sm_calloc((size_t)n + 1, sizeof(*dc.req.Resources));
    for (int i = 0; i < n; i++) {
        dc.req.Resources[i].ResourceType = (int8_t)out[i].type;
        dc.req.Resources[i].ResourceName = sm_str_cstr(out[i].name);
        dc.req.Resources[i].ConfigurationKeysCnt = -1;
    }
    if (node < 0)
        err = sm_client_send_any(c, SM_API_DescribeConfigs,
                                 SM_DESCRIBECONFIGS_MAX_VERSION,
                                 sm_client_dc_body, &dc, deadline, &resp,
                                 errstr, errstr_size);
    else
        err = sm_client_send_node(c, node, SM_API_DescribeConfigs,
                                  SM_DESCRIBECONFIGS_MAX_VERSION,
                                  sm_client_dc_body, &dc, deadline, &resp,
                                  errstr, errstr_size);
    sm_free(dc.req.Resources);
    if (err != SM_OK)
        return err;
    err = sm_DescribeConfigsResponse_read(&resp.rd, resp.version, &r);
    if (err == SM_OK)
        sm_client_dc_match(out, n, resp.version, &r);
    else
        snprintf(errstr, errstr_size, "Unparsable DescribeConfigs v%d "
                 "response: %s", (int)resp.version, sm_err_name(err));
    sm_DescribeConfigsResponse_free(&r);
    sm_client_resp_fini(&resp);
    return err;
}

/* A broker resource's node id (its name); -1 if it is not a number. */
static int32_t
sm_client_dc_node(const char *name)
{
    char *end;
    long v = strtol(name, &end, 10);

    return (*name != '\0' && *end == '\0' && v >= 0 && v <= INT32_MAX)
           ? (int32_t)v : -1;
}

samsa_err_t
samsa_describe_configs(samsa_client_t *c, int type, const char *const *names,
                       int cnt, samsa_resource_config_t **resp,
                       char **errmsg)
{
    char errstr[SM_CLIENT_ERRSTR] = "";
    int64_t deadline = sm_client_deadline(c);
    samsa_resource_config_t *out = sm_calloc((size_t)cnt + 1, sizeof(*out));
    sm_err_t err = SM_OK;

    for (int i = 0; i < cnt; i++) {
        out[i].type = type;
        out[i].name = sm_strdup(names[i]);
    }
    if (type != SAMSA_RESOURCE_BROKER) {
        err = sm_client_dc_send(c, -1, out, cnt, deadline, errstr,
                                sizeof(errstr));
    } else {
        /* each broker describes itself (Kafka's ConstantNodeIdProvider) */
        for (int i = 0; i < cnt && err == SM_OK; i++) {
            int32_t node = sm_client_dc_node(names[i]);
            if (node < 0) {
                snprintf(errstr, sizeof(errstr), "Invalid broker id: %s",
                         names[i]);
                err = SM_ERR__INVALID_ARG;
                break;
            }
            err = sm_client_dc_send(c, node, &out[i], 1, deadline, errstr,
                                    sizeof(errstr));
        }
    }
    if (err != SM_OK) {
        samsa_resource_configs_free(out, cnt);
        out = NULL;
    }
    *resp = out;
    sm_client_set_errmsg(errmsg, err, errstr);
    return err;
}
