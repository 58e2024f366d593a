/*
 * describe_configs.c: the DescribeConfigs handler, versions 0-2 (Kafka
 * 2.3's KafkaApis.handleDescribeConfigsRequest + AdminManager.
 * describeConfigs).  What the entries say - values, sources, synonyms,
 * sensitivity, read-only - is decided by the configuration layer
 * (sm_config_describe_broker / _topic, config_describe.c); this file picks
 * the resource, applies the request's filters and encodes.
 *
 * Kafka's behaviour, kept here:
 *   - a resource type other than TOPIC (2) or BROKER (4) fails the whole
 *     request: every resource gets INVALID_REQUEST "Unexpected resource
 *     type UNKNOWN for resource <name of the first bad one>";
 *   - TOPIC: an illegal name is INVALID_TOPIC_EXCEPTION with Topic.validate's
 *     message; a topic the metadata cache does not know is
 *     UNKNOWN_TOPIC_OR_PARTITION; otherwise every topic config over the
 *     /config/topics/<t> overrides, read-only false;
 *   - BROKER: "" is the cluster-wide dynamic default (only keys set
 *     there), this broker's id every key; a name that is not an integer is
 *     INVALID_REQUEST "Broker id must be an integer, but it is: <name>", any
 *     other id INVALID_REQUEST with Kafka's message (which prints the
 *     resource, then ".name", a string-interpolation slip kept verbatim);
 *   - ConfigurationKeys null: every key; a list: only those (unknown names
 *     are skipped; an empty list gives no entries);
 *   - v0 IsDefault = (source is DEFAULT_CONFIG); v1+ ConfigSource, and
 *     Synonyms only when IncludeSynonyms; sensitive values are null.
 * Results come back in request order (Kafka's come from a map).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/describeconfigs.h"
#include "server/admin.h"
#include "server/broker.h"
#include "server/dynamic_config.h"
#include "zk/kafka_zk.h"

/* Strings the response borrows, freed after sending. */
typedef struct sm_dc_pool {
    char **v;
    int    n;
} sm_dc_pool_t;

static sm_str_t
sm_dc_keep(sm_dc_pool_t *pool, const char *s)
{
    if (s == NULL)
        return SM_STR_NULL;
    pool->v = sm_realloc(pool->v, (size_t)(pool->n + 1) * sizeof(*pool->v));
    pool->v[pool->n] = sm_strdup(s);
    return sm_str_cstr(pool->v[pool->n++]);
}

static void
sm_dc_pool_fini(sm_dc_pool_t *pool)
{
    for (int i = 0; i < pool->n; i++)
        free(pool->v[i]);
    free(pool->v);
}

/* Collects entries into one result. */
typedef struct sm_dc_collect {
    sm_dc_pool_t *pool;
    sm_DescribeConfigsResponseResult_t *res;
    int     synonyms;
    int32_t cap;
} sm_dc_collect_t;

static void
sm_dc_synonyms(sm_dc_collect_t *c, const sm_config_entry_t *e,
               sm_DescribeConfigsResponseConfig_t *rc)
{
    if (!c->synonyms || e->nsynonyms == 0)
        return;
    rc->Synonyms = sm_calloc((size_t)e->nsynonyms, sizeof(*rc->Synonyms));
    rc->SynonymsCnt = e->nsynonyms;
    for (int i = 0; i < e->nsynonyms; i++) {
        rc->Synonyms[i].Name = sm_dc_keep(c->pool, e->synonyms[i].name);
        rc->Synonyms[i].Value = sm_dc_keep(c->pool, e->synonyms[i].value);
        rc->Synonyms[i].Source = (int8_t)e->synonyms[i].source;
    }
}

static void
sm_dc_entry(const sm_config_entry_t *e, void *opaque)
{
    sm_dc_collect_t *c = opaque;
    sm_DescribeConfigsResponseResult_t *res = c->res;
    sm_DescribeConfigsResponseConfig_t *rc;

    if (res->ConfigsCnt == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        res->Configs = sm_realloc(res->Configs,
                                  (size_t)c->cap * sizeof(*res->Configs));
    }
    rc = &res->Configs[res->ConfigsCnt++];
    memset(rc, 0, sizeof(*rc));
    rc->Name = sm_dc_keep(c->pool, e->name);
    rc->Value = e->is_sensitive ? SM_STR_NULL : sm_dc_keep(c->pool, e->value);
    rc->ReadOnly = e->read_only;
    rc->IsDefault = e->source == SM_CONFIG_SOURCE_DEFAULT;
    rc->ConfigSource = (int8_t)e->source;
    rc->IsSensitive = e->is_sensitive;
    sm_dc_synonyms(c, e, rc);
}

/* The ConfigurationKeys filter as C strings (heap); *n -1 for null. */
static char **
sm_dc_names(const sm_DescribeConfigsRequestResource_t *rr, int *n)
{
    char **names;

    *n = rr->ConfigurationKeysCnt;
    if (*n <= 0)
        return NULL;
    names = sm_calloc((size_t)*n, sizeof(*names));
    for (int i = 0; i < *n; i++) {
        sm_str_t k = rr->ConfigurationKeys[i];
        names[i] = k.len < 0 ? sm_strdup("") : sm_str_dup(k);
    }
    return names;
}

static void
sm_dc_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static sm_err_t
sm_dc_topic(sm_broker_t *b, const char *topic, char **names, int nnames,
            sm_dc_collect_t *c, char **msg)
{
    sm_zk_config_t zc = { 0 };
    sm_props_t props = SM_PROPS_INIT;
    char errstr[512] = "";
    sm_mdsnap_t *snap;
    sm_err_t err;
    int known;

    err = sm_admin_validate_topic_name(topic, msg);
    if (err != SM_OK)
        return err;
    snap = sm_mdcache_snapshot(b->mdcache);
    known = sm_mdsnap_topic(snap, topic) != NULL;
    sm_mdsnap_release(b->mdcache, snap);
    if (!known)
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    err = sm_zk_get_entity_config(b->zk, SM_ZK_ENTITY_TOPICS, topic, &zc);
    if (err != SM_OK) {
        *msg = sm_asprintf("Reading the config of topic %s failed: %s",
                           topic, sm_err_desc(err));
        return SM_ERR_UNKNOWN_SERVER_ERROR;
    }
    for (int i = 0; i < zc.cnt; i++)
        sm_props_add(&props, zc.keys[i], zc.values[i], 0);
    if (nnames != 0)
        err = sm_config_describe_topic(sm_broker_config(b), &props,
                                       (const char *const *)names,
                                       nnames < 0 ? 0 : nnames, sm_dc_entry,
                                       c, errstr, sizeof(errstr));
    if (err != SM_OK) {                 /* Kafka: a ConfigException */
        *msg = sm_strdup(errstr);
        err = SM_ERR_UNKNOWN_SERVER_ERROR;
    }
    sm_props_fini(&props);
    sm_zk_config_fini(&zc);
    return err;
}

/* Java's Integer.parseInt, enough of it: sign, decimal digits, range. */
static int
sm_dc_parse_int(const char *s, int32_t *out)
{
    const char *p = s + (*s == '+' || *s == '-');
    char *end;
    long long v;

    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < INT32_MIN || v > INT32_MAX)
        return -1;
    *out = (int32_t)v;
    return 0;
}

static sm_err_t
sm_dc_broker(sm_broker_t *b, const char *name, char **names, int nnames,
             sm_dc_collect_t *c, char **msg)
{
    int32_t id;

    if (name[0] != '\0') {
        if (sm_dc_parse_int(name, &id) != 0) {
            *msg = sm_asprintf("Broker id must be an integer, but it is: %s",
                               name);
            return SM_ERR_INVALID_REQUEST;
        }
        if (id != b->id) {
            *msg = sm_asprintf("Unexpected broker id, expected %d or empty "
                               "string, but received ConfigResource("
                               "type=BROKER, name='%s').name", (int)b->id,
                               name);
            return SM_ERR_INVALID_REQUEST;
        }
    }
    if (nnames != 0)
        sm_config_describe_broker(sm_broker_config(b), name[0] != '\0',
                                  (const char *const *)names,
                                  nnames < 0 ? 0 : nnames, sm_dc_entry, c);
    return SM_OK;
}

/* Describe one resource into c; a name with a NUL byte is illegal for
 * either type. */
static sm_err_t
sm_dc_dispatch(sm_reqctx_t *ctx,
               const sm_DescribeConfigsRequestResource_t *rr, char **name,
               char **names, int nnames, sm_dc_collect_t *c, char **msg)
{
    int nul = rr->ResourceName.len > 0 &&
              memchr(rr->ResourceName.ptr, '\0',
                     (size_t)rr->ResourceName.len) != NULL;

    if (rr->ResourceType == SM_CONFIG_RESOURCE_TOPIC) {
        if (!nul)
            return sm_dc_topic(ctx->b, *name, names, nnames, c, msg);
        free(*name);
        return sm_admin_topic_from_wire(rr->ResourceName, name, msg);
    }
    if (nul) {
        *msg = sm_asprintf("Broker id must be an integer, but it is: %s",
                           *name);
        return SM_ERR_INVALID_REQUEST;
    }
    return sm_dc_broker(ctx->b, *name, names, nnames, c, msg);
}

static void
sm_dc_resource(sm_reqctx_t *ctx, const sm_DescribeConfigsRequest_t *req,
               const sm_DescribeConfigsRequestResource_t *rr,
               sm_DescribeConfigsResponseResult_t *res, sm_dc_pool_t *pool)
{
    sm_dc_collect_t c = { pool, res,
                          req->IncludeSynonyms && req->ApiVersion >= 1, 0 };
    char *name = rr->ResourceName.len < 0 ? sm_strdup("")
                                          : sm_str_dup(rr->ResourceName);
    char *msg = NULL;
    int nnames;
    char **names = sm_dc_names(rr, &nnames);
    sm_err_t err = sm_dc_dispatch(ctx, rr, &name, names, nnames, &c, &msg);

    if (err != SM_OK) {
        sm_debug("admin", "DescribeConfigs %d/%s from %s: %s: %s",
                 (int)rr->ResourceType, name, ctx->req->peer,
                 sm_err_name(err), msg ? msg : "");
        for (int32_t i = 0; i < res->ConfigsCnt; i++)
            free(res->Configs[i].Synonyms);
        free(res->Configs);
        res->Configs = NULL;
        res->ConfigsCnt = 0;
    }
    res->ErrorCode = (int16_t)sm_err_to_wire(err);
    res->ErrorMessage = sm_dc_keep(pool, msg);
    sm_dc_names_free(names, nnames);
    free(msg);
    free(name);
}

/* The first resource of a type Kafka 2.3 does not know, or NULL. */
static const sm_DescribeConfigsRequestResource_t *
sm_dc_bad_type(const sm_DescribeConfigsRequest_t *req)
{
    for (int32_t i = 0; i < req->ResourcesCnt; i++)
        if (req->Resources[i].ResourceType != SM_CONFIG_RESOURCE_TOPIC &&
            req->Resources[i].ResourceType != SM_CONFIG_RESOURCE_BROKER)
            return &req->Resources[i];
    return NULL;
}

void
sm_handle_DescribeConfigs(sm_reqctx_t *ctx)
{
    sm_DescribeConfigsRequest_t req = { 0 };
    sm_DescribeConfigsResponse_t resp = { 0 };
    const sm_DescribeConfigsRequestResource_t *bad;
    sm_dc_pool_t pool = { NULL, 0 };
    sm_str_t badmsg = SM_STR_NULL;

    if (sm_DescribeConfigsRequest_read(&ctx->rd, ctx->hdr.ApiVersion,
                                       &req) != SM_OK) {
        sm_reqctx_close(ctx, "malformed DescribeConfigs request");
        return;
    }
    resp.ResultsCnt = req.ResourcesCnt;
    resp.Results = sm_calloc((size_t)req.ResourcesCnt + 1,
                             sizeof(*resp.Results));
    bad = sm_dc_bad_type(&req);
    if (bad != NULL) {
        char *m = sm_asprintf("Unexpected resource type UNKNOWN for "
                              "resource %.*s",
                              SM_STR_ARG(bad->ResourceName));
        badmsg = sm_dc_keep(&pool, m);
        free(m);
    }
    for (int32_t i = 0; i < req.ResourcesCnt; i++) {
        sm_DescribeConfigsResponseResult_t *res = &resp.Results[i];

        res->ResourceType = req.Resources[i].ResourceType;
        res->ResourceName = req.Resources[i].ResourceName;
        if (bad != NULL) {
            res->ErrorCode = SM_ERR_INVALID_REQUEST;
            res->ErrorMessage = badmsg;
            continue;
        }
        sm_dc_resource(ctx, &req, &req.Resources[i], res, &pool);
    }
    sm_DescribeConfigsResponse_write(sm_reqctx_begin(ctx),
                                     ctx->hdr.ApiVersion, &resp);
    sm_reqctx_send(ctx);
    sm_DescribeConfigsResponse_free(&resp);
    sm_dc_pool_fini(&pool);
    sm_DescribeConfigsRequest_free(&req);
}
