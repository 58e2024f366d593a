/*
 * reassign_exec.c: kafka-reassign-partitions.sh --execute and --verify
 * (Kafka 2.4's executeAssignment, verifyAssignment, the throttle helpers),
 * --zookeeper mode; see reassign.h.
 *
 * --execute: validate the plan against ZooKeeper; if a reassignment is
 * already running only (re)set the throttle rates; else print the current
 * assignment (for rollback), set the throttle if asked, and create
 * /admin/reassign_partitions for the controller.
 *
 * THROTTLE (Kafka's maybeThrottle): per topic, leader.replication.
 * throttled.replicas = "p:b" for every existing replica of a moving
 * partition, follower.replication.throttled.replicas = "p:b" for every
 * replica it gains; per broker involved (before or after), leader. and
 * follower.replication.throttled.rate = the limit.  All written through
 * /config/<type>/<name> plus a change notification, as kafka-configs.sh
 * does.  --verify removes them once every partition completed ("Throttle
 * was removed.").
 *
 * --verify: a partition still in /admin/reassign_partitions is in
 * progress; otherwise it completed if its assignment equals the plan,
 * else it failed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_mem.h"
#include "tools/reassign.h"

#define RP_LEADER_REPLICAS   "leader.replication.throttled.replicas"
#define RP_FOLLOWER_REPLICAS "follower.replication.throttled.replicas"
#define RP_LEADER_RATE       "leader.replication.throttled.rate"
#define RP_FOLLOWER_RATE     "follower.replication.throttled.rate"
#define RP_ALTER_DIRS_RATE   "replica.alter.log.dirs.io.max.bytes.per.second"

/* ------------------------------------------------------------ parsing */

static int
rp_has(const sm_zk_ints_t *l, int32_t v)
{
    for (int i = 0; i < l->cnt; i++)
        if (l->v[i] == v)
            return 1;
    return 0;
}

/* One "partitions" entry into the plan. */
static int
rp_parse_entry(rp_ctx_t *ctx, json_t *o, sm_zk_tps_t *plan)
{
    const char *topic = json_string_value(json_object_get(o, "topic"));
    json_t *part = json_object_get(o, "partition");
    json_t *reps = json_object_get(o, "replicas");
    json_t *dirs = json_object_get(o, "log_dirs"), *v;
    int32_t ids[256];
    size_t i;
    int n = 0;

    if (topic == NULL || !json_is_integer(part) || !json_is_array(reps))
        return rp_fail(ctx, "Missing required field 'topic', 'partition' "
                       "or 'replicas'");
    json_array_foreach(reps, i, v) {
        if (!json_is_integer(v) || n == 256)
            return rp_fail(ctx, "Partition replica lists must be lists of "
                           "at most 256 broker ids");
        ids[n++] = (int32_t)json_integer_value(v);
    }
    if (dirs != NULL && json_array_size(dirs) != (size_t)n)
        return rp_fail(ctx, "Size of replicas list is different from size "
                       "of log dirs list for partition %s-%d", topic,
                       (int)json_integer_value(part));
    json_array_foreach(dirs, i, v)
        if (!json_is_string(v) || strcmp(json_string_value(v), "any") != 0)
            return rp_fail(ctx, "bootstrap-server needs to be provided in "
                           "order to reassign replica to the specified log "
                           "directory");
    sm_zk_ints_set(&sm_zk_tps_add(plan, topic,
                                  (int32_t)json_integer_value(part))->replicas,
                   ids, n);
    return 0;
}

static int
rp_parse_plan(rp_ctx_t *ctx, const char *data, sm_zk_tps_t *plan)
{
    json_t *j = json_loads(data, 0, NULL), *a, *o;
    json_t *ver = json_object_get(j, "version");
    size_t i;
    int rc = 0;

    if (!json_is_object(j)) {
        json_decref(j);
        return rp_fail(ctx, "The input string is not a valid JSON");
    }
    if (ver != NULL && json_integer_value(ver) != 1)
        rc = rp_fail(ctx, "Not supported version field value %lld",
                     (long long)json_integer_value(ver));
    a = json_object_get(j, "partitions");
    json_array_foreach(a, i, o)
        if (rc == 0)
            rc = rp_parse_entry(ctx, o, plan);
    json_decref(j);
    return rc;
}

/* Kafka's checks, in its order. */
static int
rp_check_plan(rp_ctx_t *ctx, const sm_zk_tps_t *plan)
{
    if (plan->cnt == 0)
        return rp_fail(ctx, "Partition reassignment data file is empty");
    for (int i = 0; i < plan->cnt; i++)
        if (plan->v[i].replicas.cnt == 0)
            return rp_fail(ctx, "Partition replica list cannot be empty");
    for (int i = 1; i < plan->cnt; i++)
        if (rp_cmp_tp(&plan->v[i - 1], &plan->v[i]) == 0)
            return rp_fail(ctx, "Partition reassignment contains duplicate "
                           "topic partitions: %s-%d", plan->v[i].topic,
                           (int)plan->v[i].partition);
    for (int i = 0; i < plan->cnt; i++) {
        const sm_zk_ints_t *r = &plan->v[i].replicas;
        for (int a = 0; a < r->cnt; a++)
            for (int b = a + 1; b < r->cnt; b++)
                if (r->v[a] == r->v[b])
                    return rp_fail(ctx, "Partition replica lists may not "
                                   "contain duplicate entries: %s-%d "
                                   "contains multiple entries for %d",
                                   plan->v[i].topic,
                                   (int)plan->v[i].partition, (int)r->v[a]);
    }
    return 0;
}

/* The plan's distinct topic names (borrowed from plan), sorted. */
static const char **
rp_topics(const sm_zk_tps_t *plan, int *n)
{
    const char **t = sm_calloc((size_t)plan->cnt + 1, sizeof(*t));

    *n = 0;
    for (int i = 0; i < plan->cnt; i++)
        if (*n == 0 || strcmp(t[*n - 1], plan->v[i].topic) != 0)
            t[(*n)++] = plan->v[i].topic;
    return t;
}

static const sm_zk_tp_t *
rp_find(const sm_zk_tps_t *l, const sm_zk_tp_t *tp)
{
    for (int i = 0; i < l->cnt; i++)
        if (rp_cmp_tp(&l->v[i], tp) == 0)
            return &l->v[i];
    return NULL;
}

/* Partitions and brokers of the plan must exist. */
static int
rp_check_exist(rp_ctx_t *ctx, const sm_zk_tps_t *plan, const sm_zk_tps_t *cur)
{
    sm_zk_ints_t ids = { 0 };
    sm_err_t err;
    int rc = 0;

    for (int i = 0; i < plan->cnt && rc == 0; i++)
        if (rp_find(cur, &plan->v[i]) == NULL)
            rc = rp_fail(ctx, "The proposed assignment contains non-existent "
                         "partitions: %s-%d", plan->v[i].topic,
                         (int)plan->v[i].partition);
    err = sm_zk_get_broker_ids(ctx->zk, 0, &ids);
    if (rc == 0 && err != SM_OK)
        rc = rp_fail(ctx, "ZooKeeper: listing brokers: %s", sm_err_desc(err));
    for (int i = 0; i < plan->cnt && rc == 0; i++)
        for (int k = 0; k < plan->v[i].replicas.cnt && rc == 0; k++)
            if (!rp_has(&ids, plan->v[i].replicas.v[k]))
                rc = rp_fail(ctx, "The proposed assignment contains "
                             "non-existent brokerIDs: %d",
                             (int)plan->v[i].replicas.v[k]);
    sm_zk_ints_fini(&ids);
    return rc;
}

int
rp_parse_validate(rp_ctx_t *ctx, sm_zk_tps_t *plan)
{
    int len, rc;
    char *data = rp_read_file(ctx, ctx->reassignment_file, &len);

    if (data == NULL)
        return -1;
    rc = rp_parse_plan(ctx, data, plan);
    free(data);
    rp_sort(plan);
    if (rc == 0)
        rc = rp_check_plan(ctx, plan);
    return rc;
}

/* ------------------------------------------------------------ throttle */

/* Set or remove (value NULL) keys of an entity config; *changed set when
 * something was there to remove or was set. */
static int
rp_config(rp_ctx_t *ctx, sm_zk_entity_t type, const char *name,
          const char *const *keys, const char *const *values, int nkeys,
          int *changed)
{
    sm_zk_config_t c = { 0 }, out = { 0 };
    sm_err_t err = sm_zk_get_entity_config(ctx->zk, type, name, &c);
    int diff = 0;

    for (int i = 0; err == SM_OK && i < c.cnt; i++) {
        int drop = 0;
        for (int k = 0; k < nkeys; k++)
            drop |= values[k] == NULL && strcmp(c.keys[i], keys[k]) == 0;
        if (drop)
            diff = 1;
        else
            sm_zk_config_set(&out, c.keys[i], c.values[i]);
    }
    for (int k = 0; k < nkeys; k++)
        if (values[k] != NULL) {
            sm_zk_config_set(&out, keys[k], values[k]);
            diff = 1;
        }
    if (err == SM_OK && diff)
        err = sm_zk_change_entity_config(ctx->zk, type, name, &out);
    sm_zk_config_fini(&c);
    sm_zk_config_fini(&out);
    if (err != SM_OK)
        return rp_fail(ctx, "ZooKeeper: changing the config of %s: %s", name,
                       sm_err_desc(err));
    *changed |= diff;
    return 0;
}

/* "p:b,p:b" of one topic: the current replicas (leader side) or the gained
 * ones (follower side) of its moving partitions. */
static char *
rp_throttled(const sm_zk_tps_t *plan, const sm_zk_tps_t *cur,
             const char *topic, int follower)
{
    sm_buf_t b = SM_BUF_INIT;
    char one[32];

    for (int i = 0; i < plan->cnt; i++) {
        const sm_zk_tp_t *p = &plan->v[i], *c;
        if (strcmp(p->topic, topic) != 0 || (c = rp_find(cur, p)) == NULL)
            continue;
        const sm_zk_ints_t *from = follower ? &p->replicas : &c->replicas;
        int moving = p->replicas.cnt != c->replicas.cnt;
        for (int k = 0; k < p->replicas.cnt && !moving; k++)
            moving = p->replicas.v[k] != c->replicas.v[k];
        for (int k = 0; k < from->cnt && moving; k++) {
            if (follower && rp_has(&c->replicas, from->v[k]))
                continue;
            int n = snprintf(one, sizeof(one), "%s%d:%d", b.len ? "," : "",
                             (int)p->partition, (int)from->v[k]);
            sm_buf_write(&b, one, (size_t)n);
        }
    }
    sm_buf_write(&b, "", 1);
    return (char *)sm_buf_detach(&b, NULL);
}

static int
rp_throttle_topics(rp_ctx_t *ctx, const sm_zk_tps_t *plan,
                   const sm_zk_tps_t *cur)
{
    static const char *const keys[] = { RP_LEADER_REPLICAS,
                                        RP_FOLLOWER_REPLICAS };
    int n, changed = 0, rc = 0;
    const char **topics = rp_topics(plan, &n);

    for (int i = 0; i < n && rc == 0; i++) {
        char *vals[2] = { rp_throttled(plan, cur, topics[i], 0),
                          rp_throttled(plan, cur, topics[i], 1) };
        rc = rp_config(ctx, SM_ZK_ENTITY_TOPICS, topics[i], keys,
                       (const char *const *)vals, 2, &changed);
        free(vals[0]);
        free(vals[1]);
    }
    free(topics);
    return rc;
}

static int
rp_add_id(int32_t *v, int n, int32_t id)
{
    for (int i = 0; i < n; i++)
        if (v[i] == id)
            return n;
    v[n] = id;
    return n + 1;
}

/* maybeLimit: the rate on every broker of the plan, before and after. */
static int
rp_limit(rp_ctx_t *ctx, const sm_zk_tps_t *plan, const sm_zk_tps_t *cur)
{
    static const char *const keys[] = { RP_LEADER_RATE, RP_FOLLOWER_RATE };
    int32_t v[1024];
    int n = 0, changed = 0, rc = 0;
    char rate[32], name[16];
    const char *vals[2] = { rate, rate };

    for (int i = 0; i < plan->cnt; i++) {
        const sm_zk_tp_t *c = rp_find(cur, &plan->v[i]);
        for (int k = 0; c != NULL && k < c->replicas.cnt && n < 1023; k++)
            n = rp_add_id(v, n, c->replicas.v[k]);
        for (int k = 0; k < plan->v[i].replicas.cnt && n < 1023; k++)
            n = rp_add_id(v, n, plan->v[i].replicas.v[k]);
    }
    snprintf(rate, sizeof(rate), "%lld", (long long)ctx->throttle);
    for (int i = 0; i < n && rc == 0; i++) {
        snprintf(name, sizeof(name), "%d", (int)v[i]);
        rc = rp_config(ctx, SM_ZK_ENTITY_BROKERS, name, keys, vals, 2,
                       &changed);
    }
    if (rc == 0)
        printf("The inter-broker throttle limit was set to %lld B/s\n",
               (long long)ctx->throttle);
    return rc;
}

/* ------------------------------------------------------------ execute */

static int
rp_print_current(const sm_zk_tps_t *cur)
{
    char *j = rp_format_json(cur);

    printf("Current partition replica assignment\n\n%s\n\nSave this to use "
           "as the --reassignment-json-file option during rollback\n", j);
    free(j);
    return 0;
}

static int
rp_start(rp_ctx_t *ctx, const sm_zk_tps_t *plan, const sm_zk_tps_t *cur)
{
    char *json;
    sm_err_t err;
    int rc = 0;

    rp_print_current(cur);
    if (ctx->throttle >= 0) {
        printf("Warning: You must run Verify periodically, until the "
               "reassignment completes, to ensure the throttle is removed. "
               "You can also alter the throttle by rerunning the Execute "
               "command passing a new value.\n");
        rc = rp_throttle_topics(ctx, plan, cur);
        if (rc == 0)
            rc = rp_limit(ctx, plan, cur);
    }
    if (rc != 0)
        return rc;
    json = sm_zk_reassignment_encode(plan);
    err = sm_zk_create_parents(ctx->zk, sm_zk_path_reassign_partitions(),
                               json, (int)strlen(json));
    free(json);
    if (err == SM_ERR__EXISTS)
        return rp_fail(ctx, "Partition reassignment currently in progress "
                       "for %s. Aborting operation",
                       "the partitions of /admin/reassign_partitions");
    if (err != SM_OK)
        return rp_fail(ctx, "ZooKeeper: %s", sm_err_desc(err));
    printf("Successfully started reassignment of partitions.\n");
    return 0;
}

int
rp_execute(rp_ctx_t *ctx)
{
    sm_zk_tps_t plan = { 0 }, cur = { 0 };
    const char **topics = NULL;
    int n = 0, rc = rp_parse_validate(ctx, &plan);

    if (rc == 0) {
        topics = rp_topics(&plan, &n);
        rc = rp_current(ctx, topics, n, &cur);
    }
    if (rc == 0)
        rc = rp_check_exist(ctx, &plan, &cur);
    if (rc == 0 && sm_zk_exists(ctx->zk, sm_zk_path_reassign_partitions(), 0,
                                NULL) == SM_OK) {
        printf("There is an existing assignment running.\n");
        if (ctx->throttle >= 0)
            rc = rp_limit(ctx, &plan, &cur);
    } else if (rc == 0) {
        rc = rp_start(ctx, &plan, &cur);
    }
    free(topics);
    sm_zk_tps_fini(&plan);
    sm_zk_tps_fini(&cur);
    return rc;
}

/* ------------------------------------------------------------ verify */

/* removeThrottle: every broker's rates, every plan topic's replicas. */
static int
rp_remove_throttle(rp_ctx_t *ctx, const sm_zk_tps_t *plan)
{
    static const char *const bkeys[] = { RP_LEADER_RATE, RP_FOLLOWER_RATE,
                                         RP_ALTER_DIRS_RATE };
    static const char *const tkeys[] = { RP_LEADER_REPLICAS,
                                         RP_FOLLOWER_REPLICAS };
    static const char *const none[3] = { NULL, NULL, NULL };
    sm_zk_ints_t ids = { 0 };
    const char **topics;
    int n, changed = 0, rc = 0;
    char name[16];

    if (sm_zk_get_broker_ids(ctx->zk, 0, &ids) != SM_OK)
        return rp_fail(ctx, "ZooKeeper: listing brokers failed");
    for (int i = 0; i < ids.cnt && rc == 0; i++) {
        snprintf(name, sizeof(name), "%d", (int)ids.v[i]);
        rc = rp_config(ctx, SM_ZK_ENTITY_BROKERS, name, bkeys, none, 3,
                       &changed);
    }
    sm_zk_ints_fini(&ids);
    topics = rp_topics(plan, &n);
    for (int i = 0; i < n && rc == 0; i++)
        rc = rp_config(ctx, SM_ZK_ENTITY_TOPICS, topics[i], tkeys, none, 2,
                       &changed);
    free(topics);
    if (rc == 0 && changed)
        printf("Throttle was removed.\n");
    return rc;
}

int
rp_verify(rp_ctx_t *ctx)
{
    sm_zk_tps_t plan = { 0 }, cur = { 0 }, running = { 0 };
    const char **topics = NULL;
    int n = 0, done = 1, rc;

    printf("Status of partition reassignment: \n");
    rc = rp_parse_validate(ctx, &plan);
    if (rc == 0) {
        sm_err_t err = sm_zk_get_reassignment(ctx->zk, 0, &running);
        if (err != SM_OK && err != SM_ERR__NOENT)
            rc = rp_fail(ctx, "ZooKeeper: %s", sm_err_desc(err));
    }
    if (rc == 0) {
        topics = rp_topics(&plan, &n);
        rc = rp_current(ctx, topics, n, &cur);
    }
    for (int i = 0; i < plan.cnt && rc == 0; i++) {
        const sm_zk_tp_t *p = &plan.v[i], *c = rp_find(&cur, p);
        int same = c != NULL && c->replicas.cnt == p->replicas.cnt;
        for (int k = 0; same && k < p->replicas.cnt; k++)
            same = c->replicas.v[k] == p->replicas.v[k];
        const char *st = rp_find(&running, p) ? "is still in progress" :
                         same ? "completed successfully" : "failed";
        done &= st[0] == 'c';
        printf("Reassignment of partition %s-%d %s\n", p->topic,
               (int)p->partition, st);
    }
    if (rc == 0 && done)
        rc = rp_remove_throttle(ctx, &plan);
    free(topics);
    sm_zk_tps_fini(&plan);
    sm_zk_tps_fini(&cur);
    sm_zk_tps_fini(&running);
    return rc;
}
