/*
 * topics_admin.c: kafka-topics.sh --bootstrap-server - Kafka's
 * AdminClientTopicService (TopicCommand 2.8) on samsa's admin client
 * (src/client/samsa.h).
 *
 * Each action is the same sequence of admin calls Kafka's makes:
 *   create    CreateTopics ("Created topic T."; TOPIC_ALREADY_EXISTS is
 *             quiet with --if-not-exists)
 *   list      Metadata for all topics (internal ones unless
 *             --exclude-internal), then one println of the joined names -
 *             an empty list prints an empty line, as Kafka's does
 *   alter     Metadata for the partition counts (with
 *             --replica-assignment), then CreatePartitions; silent on
 *             success
 *   describe  DescribeConfigs + Metadata (cluster) + Metadata (topics);
 *             topics print in java.util.HashMap order, as Kafka's
 *             DescribeTopicsResult.all() map iterates
 *   delete    DeleteTopics; silent on success
 * Kafka's describe also asks ListPartitionReassignments (ApiKey 46) and
 * ignores an UnsupportedVersionException; samsa serves no reassignment
 * API, so that call is skipped and no "Adding Replicas" columns appear.
 *
 * FAILURES.  A call that cannot reach a broker before
 * default.api.timeout.ms (60 s unless --command-config says otherwise)
 * fails as Kafka's does: "Timed out waiting for a node assignment. Call:
 * <name>"; the underlying cause goes to stderr.  A per-topic error is
 * thrown with the broker's message (or Kafka's default text).
 *
 * Threads: the tool's one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_err.h"
#include "common/sm_mem.h"
#include "server/config_props.h"
#include "tools/topics.h"

/* The Java exception Kafka's AdminClient raises for a wire code. */
static const char *
tp_admin_exc_class(samsa_err_t err)
{
    static const struct {
        sm_err_t    code;
        const char *cls;
    } map[] = {
        { SM_ERR_UNKNOWN_SERVER_ERROR, "UnknownServerException" },
        { SM_ERR_UNKNOWN_TOPIC_OR_PARTITION,
          "UnknownTopicOrPartitionException" },
        { SM_ERR_REQUEST_TIMED_OUT, "TimeoutException" },
        { SM_ERR_BROKER_NOT_AVAILABLE, "BrokerNotAvailableException" },
        { SM_ERR_INVALID_TOPIC_EXCEPTION, "InvalidTopicException" },
        { SM_ERR_TOPIC_AUTHORIZATION_FAILED, "TopicAuthorizationException" },
        { SM_ERR_CLUSTER_AUTHORIZATION_FAILED,
          "ClusterAuthorizationException" },
        { SM_ERR_UNSUPPORTED_VERSION, "UnsupportedVersionException" },
        { SM_ERR_TOPIC_ALREADY_EXISTS, "TopicExistsException" },
        { SM_ERR_INVALID_PARTITIONS, "InvalidPartitionsException" },
        { SM_ERR_INVALID_REPLICATION_FACTOR,
          "InvalidReplicationFactorException" },
        { SM_ERR_INVALID_REPLICA_ASSIGNMENT,
          "InvalidReplicaAssignmentException" },
        { SM_ERR_INVALID_CONFIG, "InvalidConfigurationException" },
        { SM_ERR_NOT_CONTROLLER, "NotControllerException" },
        { SM_ERR_INVALID_REQUEST, "InvalidRequestException" },
        { SM_ERR_POLICY_VIOLATION, "PolicyViolationException" },
        { SM_ERR_REASSIGNMENT_IN_PROGRESS, "ReassignmentInProgressException" },
        { SM_ERR_TOPIC_DELETION_DISABLED, "TopicDeletionDisabledException" },
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if ((samsa_err_t)map[i].code == err)
            return map[i].cls;
    return "ApiException";
}

static int
tp_admin_throw_code(tp_ctx_t *ctx, samsa_err_t err, const char *msg)
{
    char cls[128];

    snprintf(cls, sizeof(cls), "org.apache.kafka.common.errors.%s",
             tp_admin_exc_class(err));
    return tp_throw(ctx, cls, "%s", msg ? msg : samsa_err_message(err));
}

/* A call-level failure.  Local errors (no broker reachable, timeouts)
 * read as Kafka's node-assignment timeout, with the cause on stderr. */
static int
tp_admin_call_fail(tp_ctx_t *ctx, samsa_err_t err, char *errmsg,
                   const char *call)
{
    int rc;

    if (sm_err_is_local((sm_err_t)err)) {
        fprintf(stderr, "samsa-topics: %s: %s\n", call,
                errmsg ? errmsg : samsa_err_message(err));
        rc = tp_throw(ctx, "org.apache.kafka.common.errors.TimeoutException",
                      "Timed out waiting for a node assignment. Call: %s",
                      call);
    } else {
        rc = tp_admin_throw_code(ctx, err, errmsg);
    }
    free(errmsg);
    return rc;
}

/* ------------------------------------------------------------ open */

/* --command-config (Utils.loadProps): keys the client knows are applied,
 * the rest ignored as Kafka's AdminClientConfig ignores them. */
static int
tp_admin_command_config(tp_ctx_t *ctx, samsa_conf_t *conf)
{
    sm_props_t props = SM_PROPS_INIT;
    const char *path;
    char errstr[512];
    int rc = 0;

    if (tp_value(ctx, O_COMMAND_CONFIG, &path) != 0)
        return -1;
    if (path == NULL)
        return 0;
    if (sm_props_load(&props, path, errstr, sizeof(errstr)) != SM_OK) {
        sm_props_fini(&props);
        return tp_throw(ctx, "java.nio.file.NoSuchFileException", "%s",
                        path);
    }
    for (int i = 0; i < props.n && rc == 0; i++) {
        samsa_err_t err = samsa_conf_set(conf, props.v[i].key,
                                         props.v[i].value, errstr,
                                         sizeof(errstr));
        if (err != SAMSA_OK && strstr(errstr, "isn't a known") == NULL)
            rc = tp_throw(ctx, "org.apache.kafka.common.config."
                          "ConfigException", "%s", errstr);
    }
    sm_props_fini(&props);
    return rc;
}

static int
tp_admin_open(tp_ctx_t *ctx)
{
    samsa_conf_t *conf = samsa_conf_new();
    const char *servers;
    char errstr[512];
    int rc = tp_admin_command_config(ctx, conf);

    if (rc == 0)
        rc = tp_value(ctx, O_BOOTSTRAP, &servers);
    if (rc == 0) {
        samsa_conf_set(conf, "bootstrap.servers", servers, errstr,
                       sizeof(errstr));
        ctx->client = samsa_client_new(conf, errstr, sizeof(errstr));
        if (ctx->client == NULL)
            rc = tp_throw(ctx, "org.apache.kafka.common.KafkaException",
                          "Failed to create new KafkaAdminClient\n"
                          "Caused by: org.apache.kafka.common.config."
                          "ConfigException: %s", errstr);
    }
    samsa_conf_destroy(conf);
    return rc;
}

static void
tp_admin_close(tp_ctx_t *ctx)
{
    samsa_client_destroy(ctx->client);
    ctx->client = NULL;
}

/* getTopics: listTopics (internal ones unless --exclude-internal), then
 * the --topic filter.  *names owns the strings. */
static int
tp_admin_topics(tp_ctx_t *ctx, char ***names, int *nnames,
                const char ***topics, int *n)
{
    char *errmsg = NULL;
    samsa_err_t err;

    *topics = NULL;
    *n = 0;
    err = samsa_list_topics(ctx->client, !tp_has(ctx, O_EXCLUDE_INTERNAL),
                            names, nnames, &errmsg);
    if (err != SAMSA_OK)
        return tp_admin_call_fail(ctx, err, errmsg, "listTopics");
    return tp_filter_topics(ctx, *names, *nnames, topics, n);
}

/* ------------------------------------------------------------ create */

static int
tp_admin_create(tp_ctx_t *ctx, const tp_cmd_t *cmd)
{
    samsa_new_topic_t nt;
    samsa_assignment_t a;
    const int32_t **reps = NULL;
    int *cnts = NULL, rc = 0;
    samsa_result_t *res = NULL;
    char *errmsg = NULL;
    samsa_err_t err;

    if (cmd->has_rf && (cmd->rf > 32767 || cmd->rf < 1))
        return tp_throw(ctx, "java.lang.IllegalArgumentException",
                        "The replication factor must be between 1 and "
                        "32767 inclusive");
    if (cmd->has_partitions && cmd->partitions < 1)
        return tp_throw(ctx, "java.lang.IllegalArgumentException",
                        "The partitions must be greater than 0");
    memset(&nt, 0, sizeof(nt));
    nt.name = cmd->name;
    nt.num_partitions = cmd->has_partitions ? cmd->partitions : -1;
    nt.replication_factor = cmd->has_rf ? cmd->rf : -1;
    if (cmd->has_assignment) {
        reps = sm_calloc((size_t)cmd->nassign + 1, sizeof(*reps));
        cnts = sm_calloc((size_t)cmd->nassign + 1, sizeof(*cnts));
        for (int i = 0; i < cmd->nassign; i++) {
            reps[i] = cmd->assign[i].v;
            cnts[i] = cmd->assign[i].cnt;
        }
        a.replicas = reps;
        a.replica_cnts = cnts;
        a.cnt = cmd->nassign;
        nt.assignment = &a;
    }
    nt.config_names = (const char *const *)cmd->cfg_keys;
    nt.config_values = (const char *const *)cmd->cfg_vals;
    nt.config_cnt = cmd->ncfg;
    err = samsa_create_topics(ctx->client, &nt, 1, 0, &res, &errmsg);
    if (err != SAMSA_OK)
        rc = tp_admin_call_fail(ctx, err, errmsg, "createTopics");
    else if (res[0].err == SAMSA_OK)
        printf("Created topic %s.\n", cmd->name);
    else if (res[0].err != SM_ERR_TOPIC_ALREADY_EXISTS ||
             !tp_has(ctx, O_IF_NOT_EXISTS))
        rc = tp_admin_throw_code(ctx, res[0].err, res[0].errmsg);
    samsa_results_free(res, 1);
    free(reps);
    free(cnts);
    return rc;
}

/* ------------------------------------------------------------ list */

static int
tp_admin_list(tp_ctx_t *ctx)
{
    char **names = NULL;
    const char **topics = NULL;
    int nnames = 0, n, rc = tp_admin_topics(ctx, &names, &nnames, &topics,
                                            &n);

    if (rc == 0) {
        for (int i = 0; i < n; i++)
            printf("%s%s", i ? "\n" : "", topics[i]);
        printf("\n");
    }
    free(topics);
    samsa_strings_free(names, nnames);
    return rc;
}

/* ------------------------------------------------------------ alter */

/* The partition counts of topics (Metadata); -1 (thrown) on failure. */
static int
tp_admin_counts(tp_ctx_t *ctx, const char **topics, int n, int32_t *counts)
{
    samsa_metadata_t *md = NULL;
    char *errmsg = NULL;
    samsa_err_t err = samsa_describe_topics(ctx->client, topics, n, &md,
                                            &errmsg);
    int rc = 0;

    if (err != SAMSA_OK)
        return tp_admin_call_fail(ctx, err, errmsg, "describeTopics");
    for (int i = 0; i < n && rc == 0; i++) {
        const samsa_topic_md_t *t = &md->topics[i];
        if (t->err == SM_ERR_UNKNOWN_TOPIC_OR_PARTITION)
            rc = tp_throw(ctx, "org.apache.kafka.common.errors."
                          "UnknownTopicOrPartitionException",
                          "Topic %s not found.", t->name);
        else if (t->err != SAMSA_OK)
            rc = tp_admin_throw_code(ctx, t->err, NULL);
        counts[i] = t->partition_cnt;
    }
    samsa_metadata_destroy(md);
    return rc;
}

static int
tp_admin_add_partitions(tp_ctx_t *ctx, const tp_cmd_t *cmd,
                        const char **topics, int n)
{
    samsa_new_partitions_t *np = sm_calloc((size_t)n + 1, sizeof(*np));
    samsa_assignment_t *as = sm_calloc((size_t)n + 1, sizeof(*as));
    const int32_t **reps = sm_calloc((size_t)cmd->nassign + 1,
                                     sizeof(*reps));
    int *cnts = sm_calloc((size_t)cmd->nassign + 1, sizeof(*cnts));
    int32_t *counts = sm_calloc((size_t)n + 1, sizeof(*counts));
    samsa_result_t *res = NULL;
    char *errmsg = NULL;
    samsa_err_t err;
    int rc = 0;

    for (int i = 0; i < cmd->nassign; i++) {
        reps[i] = cmd->assign[i].v;
        cnts[i] = cmd->assign[i].cnt;
    }
    if (cmd->has_assignment)
        rc = tp_admin_counts(ctx, topics, n, counts);
    for (int i = 0; i < n && rc == 0; i++) {
        np[i].topic = topics[i];
        np[i].total_count = cmd->partitions;
        if (!cmd->has_assignment)
            continue;
        /* replicaAssignment.drop(current partition count) */
        int skip = counts[i] < cmd->nassign ? counts[i] : cmd->nassign;
        as[i].replicas = reps + skip;
        as[i].replica_cnts = cnts + skip;
        as[i].cnt = cmd->nassign - skip;
        np[i].assignment = &as[i];
    }
    if (rc == 0) {
        err = samsa_create_partitions(ctx->client, np, n, 0, &res, &errmsg);
        if (err != SAMSA_OK)
            rc = tp_admin_call_fail(ctx, err, errmsg, "createPartitions");
        for (int i = 0; err == SAMSA_OK && i < n && rc == 0; i++)
            if (res[i].err != SAMSA_OK)
                rc = tp_admin_throw_code(ctx, res[i].err, res[i].errmsg);
        samsa_results_free(res, err == SAMSA_OK ? n : 0);
    }
    free(counts);
    free(cnts);
    free(reps);
    free(as);
    free(np);
    return rc;
}

static int
tp_admin_alter(tp_ctx_t *ctx)
{
    char **names = NULL;
    const char **topics = NULL;
    int nnames = 0, n = 0, rc;
    tp_cmd_t cmd;

    rc = tp_cmd_parse(ctx, &cmd);
    if (rc == 0)
        rc = tp_admin_topics(ctx, &names, &nnames, &topics, &n);
    if (rc == 0)
        rc = tp_ensure_exists(ctx, n);
    if (rc == 0 && n > 0)
        rc = tp_admin_add_partitions(ctx, &cmd, topics, n);
    tp_cmd_fini(&cmd);
    free(topics);
    samsa_strings_free(names, nnames);
    return rc;
}

/* ------------------------------------------------------------ describe */

/* The "k=v,..." of a topic's non-default entries, in the order Kafka's
 * Config (a HashMap of every entry) iterates them. */
static char *
tp_admin_configs_string(const samsa_resource_config_t *rc, int32_t *min_isr)
{
    int n = rc->entry_cnt, m = 0;
    const char **keys = sm_calloc((size_t)n + 1, sizeof(*keys));
    int *order = sm_calloc((size_t)n + 1, sizeof(*order));
    char **k = sm_calloc((size_t)n + 1, sizeof(*k));
    char **v = sm_calloc((size_t)n + 1, sizeof(*v));
    char *s;

    *min_isr = -1;
    for (int i = 0; i < n; i++) {
        keys[i] = rc->entries[i].name;
        order[i] = i;
        if (strcmp(keys[i], "min.insync.replicas") == 0 &&
            rc->entries[i].value != NULL)
            *min_isr = atoi(rc->entries[i].value);
    }
    tp_java_order(keys, order, n, tp_java_cap(-1, n));
    for (int i = 0; i < n; i++) {
        const samsa_config_entry_t *e = &rc->entries[order[i]];
        if (e->is_default)
            continue;
        k[m] = e->name;
        v[m++] = e->value;
    }
    s = tp_configs_join(k, v, m);
    free(v);
    free(k);
    free(order);
    free(keys);
    return s;
}

static int
tp_admin_has_override(const samsa_resource_config_t *rc)
{
    for (int i = 0; i < rc->entry_cnt; i++)
        if (!rc->entries[i].is_default)
            return 1;
    return 0;
}

static int
tp_admin_live(const samsa_metadata_t *md, int32_t id)
{
    for (int i = 0; i < md->broker_cnt; i++)
        if (md->brokers[i].id == id)
            return 1;
    return 0;
}

/* One topic of the describe output. */
static void
tp_admin_describe_topic(tp_ctx_t *ctx, const samsa_topic_md_t *t,
                        const samsa_metadata_t *md,
                        const samsa_resource_config_t *rc,
                        const int32_t *live, int nlive)
{
    int32_t min_isr;
    char *cs = tp_admin_configs_string(rc, &min_isr);

    if (tp_describe_configs(ctx) &&
        (!tp_has(ctx, O_TOPICS_WITH_OVERRIDES) || tp_admin_has_override(rc)))
        tp_print_topic(t->name, NULL, t->partition_cnt,
                       t->partition_cnt > 0
                       ? t->partitions[0].replica_cnt : 0, cs, 0);
    free(cs);
    if (!tp_describe_partitions(ctx))
        return;
    for (int j = 0; j < t->partition_cnt; j++) {
        const samsa_partition_md_t *p = &t->partitions[j];
        tp_part_row_t row = {
            p->partition,
            tp_admin_live(md, p->leader) ? p->leader : -1,
            p->replicas, p->replica_cnt, p->isr, p->isr_cnt,
        };
        if (tp_should_print(ctx, &row, min_isr, live, nlive))
            tp_print_partition(t->name, &row, 0);
    }
}

/* The calls of describeTopic, in Kafka's order; out params owned by the
 * caller. */
static int
tp_admin_describe_calls(tp_ctx_t *ctx, const char **topics, int n,
                        samsa_resource_config_t **cfgs,
                        samsa_metadata_t **cluster, samsa_metadata_t **md)
{
    char *errmsg = NULL;
    samsa_err_t err;

    err = samsa_describe_configs(ctx->client, SAMSA_RESOURCE_TOPIC, topics,
                                 n, cfgs, &errmsg);
    if (err != SAMSA_OK)
        return tp_admin_call_fail(ctx, err, errmsg, "describeConfigs");
    err = samsa_describe_cluster(ctx->client, cluster, &errmsg);
    if (err != SAMSA_OK)
        return tp_admin_call_fail(ctx, err, errmsg, "listNodes");
    err = samsa_describe_topics(ctx->client, topics, n, md, &errmsg);
    if (err != SAMSA_OK)
        return tp_admin_call_fail(ctx, err, errmsg, "describeTopics");
    for (int i = 0; i < n; i++) {
        const samsa_topic_md_t *t = &(*md)->topics[i];
        if (t->err == SM_ERR_UNKNOWN_TOPIC_OR_PARTITION)
            return tp_throw(ctx, "org.apache.kafka.common.errors."
                            "UnknownTopicOrPartitionException",
                            "Topic %s not found.", t->name);
        if (t->err != SAMSA_OK)
            return tp_admin_throw_code(ctx, t->err, NULL);
    }
    return 0;
}

static int
tp_admin_describe_all(tp_ctx_t *ctx, const char **topics, int n)
{
    samsa_resource_config_t *cfgs = NULL;
    samsa_metadata_t *cluster = NULL, *md = NULL;
    int32_t *live = NULL;
    int *order = sm_calloc((size_t)n + 1, sizeof(*order));
    int rc = tp_admin_describe_calls(ctx, topics, n, &cfgs, &cluster, &md);

    if (rc == 0) {
        live = sm_calloc((size_t)cluster->broker_cnt + 1, sizeof(*live));
        for (int i = 0; i < cluster->broker_cnt; i++)
            live[i] = cluster->brokers[i].id;
        /* topicFutures (HashMap(n)) -> new HashMap(topicFutures) ->
         * all()'s HashMap(n): three iterations, each stable by bucket */
        for (int i = 0; i < n; i++)
            order[i] = i;
        tp_java_order(topics, order, n, tp_java_cap(n, n));
        tp_java_order(topics, order, n, tp_java_copy_cap(n));
        tp_java_order(topics, order, n, tp_java_cap(n, n));
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        int k = order[i];
        if (cfgs[k].err != SAMSA_OK) {
            rc = tp_admin_throw_code(ctx, cfgs[k].err, cfgs[k].errmsg);
            break;
        }
        tp_admin_describe_topic(ctx, &md->topics[k], md, &cfgs[k], live,
                                cluster->broker_cnt);
    }
    free(live);
    free(order);
    samsa_metadata_destroy(md);
    samsa_metadata_destroy(cluster);
    samsa_resource_configs_free(cfgs, n);
    return rc;
}

static int
tp_admin_describe(tp_ctx_t *ctx)
{
    char **names = NULL;
    const char **topics = NULL;
    int nnames = 0, n = 0;
    int rc = tp_admin_topics(ctx, &names, &nnames, &topics, &n);

    if (rc == 0)
        rc = tp_ensure_exists(ctx, n);
    if (rc == 0 && n > 0)
        rc = tp_admin_describe_all(ctx, topics, n);
    free(topics);
    samsa_strings_free(names, nnames);
    return rc;
}

/* ------------------------------------------------------------ delete */

static int
tp_admin_delete(tp_ctx_t *ctx)
{
    char **names = NULL;
    const char **topics = NULL;
    samsa_result_t *res = NULL;
    char *errmsg = NULL;
    int nnames = 0, n = 0;
    int rc = tp_admin_topics(ctx, &names, &nnames, &topics, &n);
    samsa_err_t err;

    if (rc == 0)
        rc = tp_ensure_exists(ctx, n);
    if (rc == 0 && n > 0) {
        err = samsa_delete_topics(ctx->client, topics, n, &res, &errmsg);
        if (err != SAMSA_OK)
            rc = tp_admin_call_fail(ctx, err, errmsg, "deleteTopics");
        for (int i = 0; err == SAMSA_OK && i < n && rc == 0; i++)
            if (res[i].err != SAMSA_OK)
                rc = tp_admin_throw_code(ctx, res[i].err, res[i].errmsg);
        samsa_results_free(res, err == SAMSA_OK ? n : 0);
    }
    free(topics);
    samsa_strings_free(names, nnames);
    return rc;
}

const tp_service_t tp_admin_service = {
    tp_admin_open, tp_admin_create, tp_admin_list, tp_admin_alter,
    tp_admin_describe, tp_admin_delete, tp_admin_close,
};
