/*
 * topics_zk.c: kafka-topics.sh --zookeeper - Kafka's ZookeeperTopicService
 * (TopicCommand 2.8) on samsa's ZooKeeper client.
 *
 * The tool talks to ZooKeeper only, never to a broker, exactly as Kafka's
 * --zookeeper mode: it writes the znodes a controller watches and leaves
 * the rest to the controller (samsa's or Kafka's):
 *   create    /config/topics/<t>, then /brokers/topics/<t> (AdminZkClient.
 *             createTopic[WithAssignment]; validation first)
 *   alter     /config/topics/<t> + a change notification (--config,
 *             --delete-config); /brokers/topics/<t> rewritten with the
 *             added partitions (AdminZkClient.addPartitions)
 *   delete    /admin/delete_topics/<t>
 *   list      children of /brokers/topics, plus the deletion markers
 *   describe  assignments, partition state znodes, topic configs, live
 *             brokers
 * The rules come from server/admin.h (topic names, replica assignment,
 * assignment checks, extension of an assignment) and server/config.h
 * (LogConfig validation), so the tool and the broker cannot disagree.
 * Messages follow Kafka's AdminZkClient word for word.
 *
 * Threads: the tool's one thread (sm_zk calls block it, bounded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_mem.h"
#include "server/admin.h"
#include "server/metadata_cache.h"
#include "tools/topics.h"
#include "zk/kafka_zk.h"

/* A ZooKeeper failure as an exception (Kafka: a KeeperException or
 * AdminOperationException with ZooKeeper's text). */
static int
tp_zk_fail(tp_ctx_t *ctx, sm_err_t err, const char *what)
{
    return tp_throw(ctx, "kafka.admin.AdminOperationException",
                    "%s: ZooKeeper: %s", what, sm_err_desc(err));
}

static int
tp_zk_open(tp_ctx_t *ctx)
{
    sm_zk_conf_t conf;
    char errstr[512];
    const char *connect;
    sm_err_t err;

    if (tp_value(ctx, O_ZOOKEEPER, &connect) != 0)
        return -1;
    memset(&conf, 0, sizeof(conf));
    conf.connect = connect;
    conf.session_timeout_ms = 30000;        /* TopicCommand's values */
    conf.connection_timeout_ms = 30000;
    err = sm_zk_new(&conf, &ctx->zk, errstr, sizeof(errstr));
    if (err != SM_OK)
        return tp_throw(ctx, err == SM_ERR__CONFIG
                        ? "java.lang.IllegalArgumentException"
                        : "kafka.zookeeper.ZooKeeperClientTimeoutException",
                        "%s", errstr);
    return 0;
}

static void
tp_zk_close(tp_ctx_t *ctx)
{
    if (ctx->zk != NULL)
        sm_zk_destroy(ctx->zk);
    ctx->zk = NULL;
}

/* getTopics: every topic (sorted), filtered.  *all owns the names. */
static int
tp_zk_topics(tp_ctx_t *ctx, sm_zk_strings_t *all, const char ***topics,
             int *n)
{
    sm_err_t err = sm_zk_get_topics(ctx->zk, 0, all);

    *topics = NULL;
    *n = 0;
    if (err != SM_OK)
        return tp_zk_fail(ctx, err, "Listing topics");
    return tp_filter_topics(ctx, all->v, all->cnt, topics, n);
}

static int
tp_zk_marked(tp_ctx_t *ctx, const char *topic)
{
    char *path = sm_zk_path_delete_topic(topic);
    int marked = sm_zk_exists(ctx->zk, path, 0, NULL) == SM_OK;

    free(path);
    return marked;
}

/* ------------------------------------------------------------ brokers */

/* AdminZkClient.getBrokerMetadatas(rackAwareMode) through
 * sm_admin_brokers over the registered brokers.  *out heap, racks heap
 * in *racks (both freed by tp_zk_brokers_free). */
typedef struct tp_zk_brokers {
    sm_admin_broker_t *v;
    int                n;
    sm_md_broker_t    *md;
    int                nmd;
} tp_zk_brokers_t;

static void
tp_zk_brokers_free(tp_zk_brokers_t *b)
{
    for (int i = 0; i < b->nmd; i++)
        free(b->md[i].rack);
    free(b->md);
    free(b->v);
    memset(b, 0, sizeof(*b));
}

static int
tp_zk_brokers(tp_ctx_t *ctx, int mode, tp_zk_brokers_t *out)
{
    sm_zk_ints_t ids = { 0 };
    sm_mdsnap_t snap;
    char *msg = NULL;
    sm_err_t err;

    memset(out, 0, sizeof(*out));
    err = sm_zk_get_broker_ids(ctx->zk, 0, &ids);
    if (err != SM_OK)
        return tp_zk_fail(ctx, err, "Listing brokers");
    out->md = sm_calloc((size_t)ids.cnt + 1, sizeof(*out->md));
    for (int i = 0; i < ids.cnt; i++) {
        sm_zk_broker_t b;
        if (sm_zk_get_broker(ctx->zk, ids.v[i], &b, NULL) != SM_OK)
            continue;                   /* gone meanwhile */
        out->md[out->nmd].id = ids.v[i];
        out->md[out->nmd++].rack = b.rack ? sm_strdup(b.rack) : NULL;
        sm_zk_broker_fini(&b);
    }
    sm_zk_ints_fini(&ids);
    memset(&snap, 0, sizeof(snap));
    snap.controller_id = -1;
    snap.brokers = out->md;             /* ids ascending, as listed */
    snap.nbrokers = out->nmd;
    err = sm_admin_brokers(&snap, mode, &out->v, &out->n, &msg);
    if (err != SM_OK) {
        tp_throw(ctx, "kafka.admin.AdminOperationException", "%s",
                 msg ? msg : sm_err_desc(err));
        free(msg);
        tp_zk_brokers_free(out);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ create */

/* Exceptions of the admin rules, by error code. */
static int
tp_zk_rule_fail(tp_ctx_t *ctx, sm_err_t err, char *msg)
{
    const char *cls;

    switch (err) {
    case SM_ERR_TOPIC_ALREADY_EXISTS:
        cls = "org.apache.kafka.common.errors.TopicExistsException"; break;
    case SM_ERR_INVALID_TOPIC_EXCEPTION:
        cls = "org.apache.kafka.common.errors.InvalidTopicException"; break;
    case SM_ERR_INVALID_PARTITIONS:
        cls = "org.apache.kafka.common.errors.InvalidPartitionsException";
        break;
    case SM_ERR_INVALID_REPLICATION_FACTOR:
        cls = "org.apache.kafka.common.errors."
              "InvalidReplicationFactorException";
        break;
    case SM_ERR_INVALID_REPLICA_ASSIGNMENT:
        cls = "org.apache.kafka.common.errors."
              "InvalidReplicaAssignmentException";
        break;
    case SM_ERR_BROKER_NOT_AVAILABLE:
        cls = "org.apache.kafka.common.errors.BrokerNotAvailableException";
        break;
    default:
        cls = "kafka.admin.AdminOperationException"; break;
    }
    tp_throw(ctx, cls, "%s", msg ? msg : sm_err_desc(err));
    free(msg);
    return -1;
}

/* validateTopicCreate's existence and '.'/'_' collision checks. */
static int
tp_zk_check_new(tp_ctx_t *ctx, const char *topic)
{
    sm_zk_strings_t all = { 0 };
    sm_buf_t coll = SM_BUF_INIT;
    sm_err_t err = sm_zk_topic_exists(ctx->zk, topic);
    int rc = 0;

    if (err == SM_OK)
        return tp_zk_rule_fail(ctx, SM_ERR_TOPIC_ALREADY_EXISTS,
                               sm_asprintf("Topic '%s' already exists.",
                                           topic));
    if (err != SM_ERR__NOENT)
        return tp_zk_fail(ctx, err, "Checking the topic");
    if (!tp_has_collision_chars(topic))
        return 0;
    err = sm_zk_get_topics(ctx->zk, 0, &all);
    if (err != SM_OK)
        return tp_zk_fail(ctx, err, "Listing topics");
    for (int i = 0; i < all.cnt && rc == 0; i++) {
        if (strcmp(all.v[i], topic) == 0)
            rc = tp_zk_rule_fail(ctx, SM_ERR_TOPIC_ALREADY_EXISTS,
                                 sm_asprintf("Topic '%s' already exists.",
                                             topic));
        else if (sm_admin_topics_collide(all.v[i], topic)) {
            if (coll.len > 0)
                sm_buf_write(&coll, ", ", 2);
            sm_buf_write(&coll, all.v[i], strlen(all.v[i]));
        }
    }
    if (rc == 0 && coll.len > 0) {
        sm_buf_write(&coll, "", 1);
        rc = tp_zk_rule_fail(ctx, SM_ERR_INVALID_TOPIC_EXCEPTION,
                             sm_asprintf("Topic '%s' collides with existing "
                                         "topics: %s", topic,
                                         (char *)coll.data));
    }
    sm_buf_fini(&coll);
    sm_zk_strings_fini(&all);
    return rc;
}

/* The assignment of the new topic: --replica-assignment, or computed
 * (AdminUtils.assignReplicasToBrokers over the registered brokers). */
static int
tp_zk_new_assignment(tp_ctx_t *ctx, const tp_cmd_t *cmd, sm_zk_topic_t *t)
{
    tp_zk_brokers_t b;
    char *msg = NULL;
    sm_err_t err;

    if (cmd->has_assignment) {
        for (int p = 0; p < cmd->nassign; p++)
            sm_zk_topic_add(t, p, cmd->assign[p].v, cmd->assign[p].cnt);
        return 0;
    }
    if (tp_zk_brokers(ctx, cmd->rack_disabled ? SM_ADMIN_RACK_DISABLED
                                              : SM_ADMIN_RACK_ENFORCED,
                      &b) != 0)
        return -1;
    err = sm_admin_assign_replicas(b.v, b.n, cmd->partitions, cmd->rf, -1,
                                   -1, t, &msg);
    tp_zk_brokers_free(&b);
    return err == SM_OK ? 0 : tp_zk_rule_fail(ctx, err, msg);
}

/* AdminZkClient.createTopicWithAssignment: validate, then write. */
static int
tp_zk_create_topic(tp_ctx_t *ctx, const tp_cmd_t *cmd,
                   const sm_zk_topic_t *t)
{
    sm_zk_config_t zc = { 0 };
    char *msg = NULL;
    sm_err_t err = sm_admin_validate_topic_name(cmd->name, &msg);

    if (err != SM_OK)
        return tp_zk_rule_fail(ctx, err, msg);
    if (tp_zk_check_new(ctx, cmd->name) != 0)
        return -1;
    err = sm_admin_check_assignment(t, NULL, 0, &msg);
    if (err != SM_OK)
        return tp_zk_rule_fail(ctx, err, msg);
    if (tp_validate_configs(ctx, cmd->cfg_keys, cmd->cfg_vals,
                            cmd->ncfg) != 0)
        return -1;
    for (int i = 0; i < cmd->ncfg; i++)
        sm_zk_config_set(&zc, cmd->cfg_keys[i], cmd->cfg_vals[i]);
    err = sm_zk_create_topic(ctx->zk, cmd->name, &zc, t);
    sm_zk_config_fini(&zc);
    if (err == SM_ERR_TOPIC_ALREADY_EXISTS)
        return tp_zk_rule_fail(ctx, err, sm_asprintf("Topic '%s' already "
                                                     "exists.", cmd->name));
    if (err != SM_OK)
        return sm_err_is_local(err) ? tp_zk_fail(ctx, err, "Creating topic")
                                    : tp_zk_rule_fail(ctx, err, NULL);
    return 0;
}

static int
tp_zk_create(tp_ctx_t *ctx, const tp_cmd_t *cmd)
{
    sm_zk_topic_t t = { 0 };
    int rc = tp_zk_new_assignment(ctx, cmd, &t);

    if (rc == 0)
        rc = tp_zk_create_topic(ctx, cmd, &t);
    sm_zk_topic_fini(&t);
    if (rc == 0) {
        printf("Created topic %s.\n", cmd->name);
    } else if (tp_has(ctx, O_IF_NOT_EXISTS) &&
               strcmp(ctx->exc_class, "org.apache.kafka.common.errors."
                      "TopicExistsException") == 0) {
        rc = 0;                         /* --if-not-exists: quietly done */
    }
    return rc;
}

/* ------------------------------------------------------------ list */

static int
tp_zk_list(tp_ctx_t *ctx)
{
    sm_zk_strings_t all = { 0 };
    const char **topics;
    int n, rc = tp_zk_topics(ctx, &all, &topics, &n);

    for (int i = 0; rc == 0 && i < n; i++) {
        if (tp_zk_marked(ctx, topics[i]))
            printf("%s - marked for deletion\n", topics[i]);
        else
            printf("%s\n", topics[i]);
    }
    free(topics);
    sm_zk_strings_fini(&all);
    return rc;
}

/* ------------------------------------------------------------ alter */

/* The --config / --delete-config part of alterTopic for one topic. */
static int
tp_zk_alter_configs(tp_ctx_t *ctx, const tp_cmd_t *cmd, const char *topic)
{
    sm_zk_config_t cur = { 0 }, next = { 0 };
    sm_err_t err;
    int rc = 0;

    err = sm_zk_get_entity_config(ctx->zk, SM_ZK_ENTITY_TOPICS, topic, &cur);
    if (err != SM_OK)
        return tp_zk_fail(ctx, err, "Reading the topic config");
    printf("WARNING: Altering topic configuration from this script has been "
           "deprecated and may be removed in future releases.\n"
           "         Going forward, please use kafka-configs.sh for this "
           "functionality\n");
    for (int i = 0; i < cmd->ncfg; i++)
        sm_zk_config_set(&cur, cmd->cfg_keys[i], cmd->cfg_vals[i]);
    for (int i = 0; i < cur.cnt; i++) {
        int del = 0;
        for (int j = 0; j < cmd->ndel && !del; j++)
            del = strcmp(cur.keys[i], cmd->del_keys[j]) == 0;
        if (!del)
            sm_zk_config_set(&next, cur.keys[i], cur.values[i]);
    }
    /* AdminZkClient.changeTopicConfig */
    if (sm_zk_topic_exists(ctx->zk, topic) != SM_OK)
        rc = tp_throw(ctx, "org.apache.kafka.common.errors."
                      "UnknownTopicOrPartitionException",
                      "Topic '%s' does not exist.", topic);
    if (rc == 0)
        rc = tp_validate_configs(ctx, next.keys, next.values, next.cnt);
    if (rc == 0) {
        err = sm_zk_change_entity_config(ctx->zk, SM_ZK_ENTITY_TOPICS, topic,
                                         &next);
        rc = err == SM_OK ? 0 : tp_zk_fail(ctx, err, "Changing the config");
    }
    if (rc == 0)
        printf("Updated config for topic %s.\n", topic);
    sm_zk_config_fini(&cur);
    sm_zk_config_fini(&next);
    return rc;
}

/* validateReplicaAssignment's availability check for the new
 * partitions (Kafka's --zookeeper wording, which differs from the
 * broker's "Unknown broker(s)"). */
static int
tp_zk_check_available(tp_ctx_t *ctx, const sm_zk_ints_t *assign, int n,
                      int32_t first, const tp_zk_brokers_t *b)
{
    int32_t *ids = sm_calloc((size_t)b->n + 1, sizeof(*ids));
    int rc = 0;

    for (int k = 0; k < b->n; k++)
        ids[k] = b->v[k].id;
    for (int i = 0; i < n && rc == 0; i++) {
        int ok = 1;
        for (int j = 0; j < assign[i].cnt && ok; j++) {
            ok = 0;
            for (int k = 0; k < b->n && !ok; k++)
                ok = ids[k] == assign[i].v[j];
        }
        if (!ok) {
            char *spec = tp_join_ints(assign[i].v, assign[i].cnt, ", ");
            char *avail = tp_join_ints(ids, b->n, ", ");
            rc = tp_throw(ctx, "org.apache.kafka.common.errors."
                          "BrokerNotAvailableException", "Some brokers "
                          "specified for partition id %d are not available. "
                          "Specified brokers: %s, available brokers: %s.",
                          (int)(first + i), spec, avail);
            free(spec);
            free(avail);
        }
    }
    free(ids);
    return rc;
}

/* AdminZkClient.addPartitions as TopicCommand calls it.  Kafka takes the
 * given assignments for the new partitions as they are: their number,
 * not --partitions, decides how many partitions are added. */
static int
tp_zk_add_partitions(tp_ctx_t *ctx, const tp_cmd_t *cmd, const char *topic,
                     const sm_zk_topic_t *existing)
{
    int32_t count = cmd->has_partitions ? cmd->partitions : 1;
    int32_t old = existing->part_cnt;
    int nnew = cmd->nassign > old ? cmd->nassign - old : 0;
    sm_zk_topic_t t = { 0 };
    tp_zk_brokers_t b;
    char *msg = NULL;
    sm_err_t err;

    if (tp_zk_brokers(ctx, SM_ADMIN_RACK_ENFORCED, &b) != 0)
        return -1;
    if (nnew > 0 && count > old) {
        if (tp_zk_check_available(ctx, cmd->assign + old, nnew, old,
                                  &b) != 0) {
            tp_zk_brokers_free(&b);
            return -1;
        }
        count = old + nnew;
    }
    err = sm_admin_extend_assignment(topic, existing, b.v, b.n, count,
                                     nnew > 0 ? cmd->assign + old : NULL,
                                     nnew > 0 ? nnew : -1, &t, &msg);
    tp_zk_brokers_free(&b);
    if (err == SM_OK) {
        err = sm_zk_set_topic(ctx->zk, topic, &t, SM_ZK_ANY_VERSION);
        if (err != SM_OK) {
            sm_zk_topic_fini(&t);
            return tp_zk_fail(ctx, err, "Writing the assignment");
        }
    }
    sm_zk_topic_fini(&t);
    return err == SM_OK ? 0 : tp_zk_rule_fail(ctx, err, msg);
}

static int
tp_zk_alter_topic(tp_ctx_t *ctx, const tp_cmd_t *cmd, const char *topic)
{
    sm_zk_topic_t existing = { 0 };
    sm_err_t err;
    int rc;

    if ((tp_has(ctx, O_CONFIG) || tp_has(ctx, O_DELETE_CONFIG)) &&
        tp_zk_alter_configs(ctx, cmd, topic) != 0)
        return -1;
    if (!cmd->has_partitions)
        return 0;
    if (tp_is_internal(topic))
        return tp_throw(ctx, "java.lang.IllegalArgumentException",
                        "The number of partitions for the internal topic %s "
                        "cannot be changed.", topic);
    printf("WARNING: If partitions are increased for a topic that has a "
           "key, the partition logic or ordering of the messages will be "
           "affected\n");
    err = sm_zk_get_topic(ctx->zk, topic, 0, &existing);
    if (err == SM_ERR__NOENT || (err == SM_OK && existing.part_cnt == 0)) {
        sm_zk_topic_fini(&existing);
        return tp_throw(ctx, "org.apache.kafka.common.errors."
                        "InvalidTopicException", "The topic %s does not "
                        "exist", topic);
    }
    if (err != SM_OK)
        return tp_zk_fail(ctx, err, "Reading the assignment");
    rc = tp_zk_add_partitions(ctx, cmd, topic, &existing);
    sm_zk_topic_fini(&existing);
    if (rc == 0)
        printf("Adding partitions succeeded!\n");
    return rc;
}

static int
tp_zk_alter(tp_ctx_t *ctx)
{
    sm_zk_strings_t all = { 0 };
    const char **topics = NULL;
    tp_cmd_t cmd;
    int n, rc;

    memset(&cmd, 0, sizeof(cmd));
    rc = tp_zk_topics(ctx, &all, &topics, &n);
    if (rc == 0)
        rc = tp_cmd_parse(ctx, &cmd);
    if (rc == 0)
        rc = tp_ensure_exists(ctx, n);
    for (int i = 0; rc == 0 && i < n; i++)
        rc = tp_zk_alter_topic(ctx, &cmd, topics[i]);
    tp_cmd_fini(&cmd);
    free(topics);
    sm_zk_strings_fini(&all);
    return rc;
}

/* ------------------------------------------------------------ describe */

static void
tp_zk_describe_partitions(tp_ctx_t *ctx, const char *topic,
                          const sm_zk_topic_t *t, const sm_zk_ints_t *live,
                          int marked)
{
    for (int i = 0; i < t->part_cnt; i++) {
        const sm_zk_assignment_t *a = &t->parts[i];
        sm_zk_part_state_t s;
        tp_part_row_t row;
        int have = sm_zk_get_partition_state(ctx->zk, topic, a->partition,
                                             &s) == SM_OK;

        row.partition = a->partition;
        row.leader = have ? s.leader : -1;
        row.replicas = a->replicas.v;
        row.nreplicas = a->replicas.cnt;
        row.isr = have ? s.isr.v : NULL;
        row.nisr = have ? s.isr.cnt : 0;
        if (tp_should_print(ctx, &row, -1, live->v, live->cnt))
            tp_print_partition(topic, &row, marked);
        if (have)
            sm_zk_part_state_fini(&s);
    }
}

static int
tp_zk_describe_topic(tp_ctx_t *ctx, const char *topic,
                     const sm_zk_ints_t *live)
{
    sm_zk_topic_t t = { 0 };
    sm_zk_config_t zc = { 0 };
    sm_err_t err = sm_zk_get_topic(ctx->zk, topic, 0, &t);
    int marked;

    if (err == SM_ERR__NOENT) {
        printf("Topic %s doesn't exist!\n", topic);
        return 0;
    }
    if (err != SM_OK)
        return tp_zk_fail(ctx, err, "Reading the assignment");
    marked = tp_zk_marked(ctx, topic);
    if (tp_describe_configs(ctx)) {
        err = sm_zk_get_entity_config(ctx->zk, SM_ZK_ENTITY_TOPICS, topic,
                                      &zc);
        if (err != SM_OK) {
            sm_zk_topic_fini(&t);
            return tp_zk_fail(ctx, err, "Reading the topic config");
        }
        if (!tp_has(ctx, O_TOPICS_WITH_OVERRIDES) || zc.cnt > 0) {
            char *cs = tp_configs_string(zc.keys, zc.values, zc.cnt);
            tp_print_topic(topic, t.topic_id, t.part_cnt,
                           t.part_cnt > 0 ? t.parts[0].replicas.cnt : 0, cs,
                           marked);
            free(cs);
        }
        sm_zk_config_fini(&zc);
    }
    if (tp_describe_partitions(ctx))
        tp_zk_describe_partitions(ctx, topic, &t, live, marked);
    sm_zk_topic_fini(&t);
    return 0;
}

static int
tp_zk_describe(tp_ctx_t *ctx)
{
    sm_zk_strings_t all = { 0 };
    sm_zk_ints_t live = { 0 };
    const char **topics;
    int n, rc = tp_zk_topics(ctx, &all, &topics, &n);
    sm_err_t err;

    if (rc == 0)
        rc = tp_ensure_exists(ctx, n);
    if (rc == 0 && (err = sm_zk_get_broker_ids(ctx->zk, 0, &live)) != SM_OK)
        rc = tp_zk_fail(ctx, err, "Listing brokers");
    for (int i = 0; rc == 0 && i < n; i++)
        rc = tp_zk_describe_topic(ctx, topics[i], &live);
    sm_zk_ints_fini(&live);
    free(topics);
    sm_zk_strings_fini(&all);
    return rc;
}

/* ------------------------------------------------------------ delete */

static int
tp_zk_delete_topic(tp_ctx_t *ctx, const char *topic)
{
    char *path;
    sm_err_t err;

    if (tp_is_internal(topic))
        return tp_throw(ctx, "kafka.admin.AdminOperationException",
                        "Topic %s is a kafka internal topic and is not "
                        "allowed to be marked for deletion.", topic);
    /* KafkaZkClient.createDeleteTopicPath: a plain create */
    path = sm_zk_path_delete_topic(topic);
    err = sm_zk_create_parents(ctx->zk, path, NULL, -1);
    free(path);
    if (err == SM_ERR__EXISTS) {
        printf("Topic %s is already marked for deletion.\n", topic);
        return 0;
    }
    if (err != SM_OK)
        return tp_throw(ctx, "kafka.admin.AdminOperationException",
                        "Error while deleting topic %s", topic);
    printf("Topic %s is marked for deletion.\n", topic);
    printf("Note: This will have no impact if delete.topic.enable is not "
           "set to true.\n");
    return 0;
}

static int
tp_zk_delete(tp_ctx_t *ctx)
{
    sm_zk_strings_t all = { 0 };
    const char **topics;
    int n, rc = tp_zk_topics(ctx, &all, &topics, &n);

    if (rc == 0)
        rc = tp_ensure_exists(ctx, n);
    for (int i = 0; rc == 0 && i < n; i++)
        rc = tp_zk_delete_topic(ctx, topics[i]);
    free(topics);
    sm_zk_strings_fini(&all);
    return rc;
}

const tp_service_t tp_zk_service = {
    tp_zk_open, tp_zk_create, tp_zk_list, tp_zk_alter, tp_zk_describe,
    tp_zk_delete, tp_zk_close,
};
