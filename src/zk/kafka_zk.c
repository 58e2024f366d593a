/*
 * kafka_zk.c: Kafka's ZooKeeper operations (kafka_zk.h), after
 * KafkaZkClient.scala and AdminZkClient.scala of Kafka 2.8.
 *
 * Owns no state: every function is a short sequence of sm_zk_* calls on
 * paths from zk_paths.h.  Thread-safe as far as the client is; no locks.
 *
 * Payload decode failures are logged here, at WARN with the message the
 * decoder built (which names the znode), because the caller usually only
 * skips the znode: a garbage /brokers/ids/<id> written by someone else must
 * not stop the controller.
 *
 * Writes that a controller makes go through sm_kzk_fenced(), which wraps
 * the write in a multi with a check of /controller_epoch's zkVersion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "zk/kafka_zk.h"

#define SM_KZK_MAX_TOPIC_LEN 249    /* Kafka's Topic.MaxNameLength */
#define SM_KZK_PID_RETRIES   10

/* ------------------------------------------------------------ helpers */

/* Read path and hand the bytes to the caller's decoder; logs decode
 * failures.  *data is freed by the caller. */
static sm_err_t
sm_kzk_read(sm_zk_t *zk, const char *path, int watch, char **data,
            int *len, sm_zk_stat_t *stat)
{
    return sm_zk_get(zk, path, watch, data, len, stat);
}

static sm_err_t
sm_kzk_bad(sm_err_t err, const char *errstr)
{
    if (err == SM_ERR__BAD_MSG)
        sm_warn("zk", "%s", errstr);
    return err;
}

/*
 * One write (create / set / delete), fenced by the controller epoch's
 * zkVersion unless epoch_zkv is SM_ZK_ANY_VERSION.  op->stat receives a
 * set's new Stat.  A failed fence is SM_ERR_NOT_CONTROLLER.
 */
static sm_err_t
sm_kzk_fenced(sm_zk_t *zk, sm_zk_op_t *op, int32_t epoch_zkv)
{
    sm_zk_op_t ops[2];
    sm_err_t err;

    if (epoch_zkv < 0) {
        ops[0] = *op;
        err = sm_zk_multi(zk, ops, 1);
        *op = ops[0];
        return err;
    }
    sm_zk_op_check(&ops[0], sm_zk_path_controller_epoch(), epoch_zkv);
    ops[1] = *op;
    err = sm_zk_multi(zk, ops, 2);
    *op = ops[1];
    if (ops[0].err == SM_ERR__BAD_VERSION || ops[0].err == SM_ERR__NOENT) {
        sm_warn("zk", "Controller epoch zkVersion check failed on %s: "
                "expected zkVersion %d; controller moved", op->path,
                (int)epoch_zkv);
        return SM_ERR_NOT_CONTROLLER;
    }
    return err;
}

static sm_err_t
sm_kzk_fenced_delete(sm_zk_t *zk, const char *path, int32_t epoch_zkv)
{
    sm_zk_op_t op;
    sm_err_t err;

    sm_zk_op_delete(&op, path, SM_ZK_ANY_VERSION);
    err = sm_kzk_fenced(zk, &op, epoch_zkv);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* Children of dir whose names start as seq_of() accepts (sequence order). */
static sm_err_t
sm_kzk_seq_children(sm_zk_t *zk, const char *dir, int watch,
                    const char *(*seq_of)(const char *),
                    sm_zk_strings_t *out)
{
    sm_zk_strings_t all;
    sm_err_t err;
    int n = 0;

    out->v = NULL;
    out->cnt = 0;
    err = sm_zk_get_children(zk, dir, watch, &all);
    if (err == SM_ERR__NOENT)
        return SM_OK;
    if (err != SM_OK)
        return err;
    for (int i = 0; i < all.cnt; i++) {
        if (seq_of(all.v[i]) != NULL)
            all.v[n++] = all.v[i];
        else
            sm_free(all.v[i]);
    }
    all.cnt = n;
    *out = all;
    return SM_OK;
}

/* Delete each dir/<child> (built by path_of), fenced; NOENT is fine. */
static sm_err_t
sm_kzk_delete_children(sm_zk_t *zk, const sm_zk_strings_t *children,
                       char *(*path_of)(const char *), int32_t epoch_zkv)
{
    sm_err_t err = SM_OK;

    for (int i = 0; i < children->cnt && err == SM_OK; i++) {
        char *path = path_of(children->v[i]);
        err = sm_kzk_fenced_delete(zk, path, epoch_zkv);
        sm_free(path);
    }
    return err;
}

/* ------------------------------------------------------------ start-up */

sm_err_t
sm_zk_create_top_level_paths(sm_zk_t *zk)
{
    const char *const *paths;
    sm_err_t err = SM_OK;
    int n;

    paths = sm_zk_persistent_paths(&n);
    for (int i = 0; i < n && err == SM_OK; i++)
        err = sm_zk_ensure_path(zk, paths[i]);
    return err;
}

sm_err_t
sm_zk_get_cluster_id(sm_zk_t *zk, char **id)
{
    const char *path = sm_zk_path_cluster_id();
    char errstr[256], *data = NULL;
    sm_err_t err;
    int len;

    *id = NULL;
    err = sm_kzk_read(zk, path, 0, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_cluster_id_decode(path, data, len, id,
                                                 errstr, sizeof(errstr)),
                         errstr);
    sm_free(data);
    return err;
}

sm_err_t
sm_zk_get_or_create_cluster_id(sm_zk_t *zk, char **id)
{
    char *proposed, *data;
    sm_err_t err;

    err = sm_zk_get_cluster_id(zk, id);
    if (err != SM_ERR__NOENT)
        return err;
    proposed = sm_zk_uuid_base64();
    data = sm_zk_cluster_id_encode(proposed);
    err = sm_zk_create_parents(zk, sm_zk_path_cluster_id(), data,
                               (int)strlen(data));
    sm_free(data);
    if (err == SM_OK) {
        *id = proposed;
        return SM_OK;
    }
    sm_free(proposed);
    if (err == SM_ERR__EXISTS)      /* another broker was first */
        err = sm_zk_get_cluster_id(zk, id);
    return err;
}

sm_err_t
sm_zk_generate_broker_id(sm_zk_t *zk, int32_t reserved_max, int32_t *id)
{
    const char *path = sm_zk_path_broker_seqid();
    sm_zk_stat_t stat;
    sm_err_t err;

    err = sm_zk_set(zk, path, "", 0, SM_ZK_ANY_VERSION, &stat);
    if (err == SM_ERR__NOENT) {
        err = sm_zk_create_parents(zk, path, "", 0);
        if (err == SM_OK || err == SM_ERR__EXISTS)
            err = sm_zk_set(zk, path, "", 0, SM_ZK_ANY_VERSION, &stat);
    }
    if (err == SM_OK)
        *id = stat.version + reserved_max;
    return err;
}

/* After NODEEXISTS: ours (a retried create) or somebody else's? */
static sm_err_t
sm_kzk_broker_exists(sm_zk_t *zk, const char *path, int64_t *epoch)
{
    sm_zk_stat_t stat;
    sm_err_t err;

    err = sm_zk_exists(zk, path, 0, &stat);
    if (err != SM_OK)
        return err;             /* NOENT: gone meanwhile, caller retries */
    if (stat.ephemeral_owner != 0 &&
        stat.ephemeral_owner == sm_zk_session_id(zk)) {
        *epoch = stat.czxid;
        return SM_OK;
    }
    sm_error("zk", "A broker is already registered on the path %s "
             "(owner session 0x%llx). This probably indicates that you "
             "either have configured a broker id that is already in use, "
             "or else you have shutdown this broker and restarted it "
             "faster than the zookeeper timeout so it appears to be "
             "re-registering.", path,
             (unsigned long long)stat.ephemeral_owner);
    return SM_ERR__EXISTS;
}

sm_err_t
sm_zk_register_broker(sm_zk_t *zk, int32_t id, const sm_zk_broker_t *b,
                      int64_t *broker_epoch)
{
    char *path = sm_zk_path_broker(id), *json = sm_zk_broker_encode(b);
    sm_err_t err = SM_ERR__INVALID_ARG;
    sm_zk_op_t ops[2];

    for (int attempt = 0; json != NULL && attempt < 3; attempt++) {
        sm_zk_op_create(&ops[0], path, NULL, -1, SM_ZK_EPHEMERAL);
        sm_zk_op_set(&ops[1], path, json, (int)strlen(json), 0);
        err = sm_zk_multi(zk, ops, 2);
        sm_zk_ops_fini(ops, 2);
        if (err == SM_OK) {
            *broker_epoch = ops[1].stat.czxid;
            break;
        }
        if (err != SM_ERR__EXISTS)
            break;
        err = sm_kzk_broker_exists(zk, path, broker_epoch);
        if (err != SM_ERR__NOENT)
            break;
    }
    if (err == SM_OK)
        sm_info("zk", "Registered broker %d at path %s, czxid (broker "
                "epoch): %lld", (int)id, path, (long long)*broker_epoch);
    sm_free(json);
    sm_free(path);
    return err;
}

/* ------------------------------------------------------------ brokers */

static int
sm_kzk_int_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

sm_err_t
sm_zk_get_broker_ids(sm_zk_t *zk, int watch, sm_zk_ints_t *ids)
{
    sm_zk_strings_t kids;
    sm_err_t err;

    ids->v = NULL;
    ids->cnt = 0;
    err = sm_zk_get_children(zk, sm_zk_path_broker_ids(), watch, &kids);
    if (err == SM_ERR__NOENT)
        return SM_OK;
    if (err != SM_OK)
        return err;
    ids->v = sm_calloc((size_t)kids.cnt + 1, sizeof(int32_t));
    for (int i = 0; i < kids.cnt; i++) {
        char *end;
        long v = strtol(kids.v[i], &end, 10);
        if (*end == '\0' && end != kids.v[i] && v >= 0 && v <= INT32_MAX)
            ids->v[ids->cnt++] = (int32_t)v;
    }
    qsort(ids->v, (size_t)ids->cnt, sizeof(int32_t), sm_kzk_int_cmp);
    sm_zk_strings_fini(&kids);
    return SM_OK;
}

sm_err_t
sm_zk_get_broker(sm_zk_t *zk, int32_t id, sm_zk_broker_t *b,
                 int64_t *broker_epoch)
{
    char *path = sm_zk_path_broker(id), *data = NULL, errstr[256];
    sm_zk_stat_t stat;
    sm_err_t err;
    int len;

    memset(b, 0, sizeof(*b));
    err = sm_kzk_read(zk, path, 0, &data, &len, &stat);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_broker_decode(path, data, len, b, errstr,
                                             sizeof(errstr)), errstr);
    if (err == SM_OK && broker_epoch != NULL)
        *broker_epoch = stat.czxid;
    sm_free(data);
    sm_free(path);
    return err;
}

/* ------------------------------------------------------------ topics */

sm_err_t
sm_zk_get_topics(sm_zk_t *zk, int watch, sm_zk_strings_t *topics)
{
    sm_err_t err = sm_zk_get_children(zk, sm_zk_path_topics(), watch,
                                      topics);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

sm_err_t
sm_zk_topic_exists(sm_zk_t *zk, const char *topic)
{
    char *path = sm_zk_path_topic(topic);
    sm_err_t err = sm_zk_exists(zk, path, 0, NULL);

    sm_free(path);
    return err;
}

sm_err_t
sm_zk_get_topic(sm_zk_t *zk, const char *topic, int watch, sm_zk_topic_t *t)
{
    char *path = sm_zk_path_topic(topic), *data = NULL, errstr[256];
    sm_err_t err;
    int len;

    memset(t, 0, sizeof(*t));
    err = sm_kzk_read(zk, path, watch, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_topic_decode(path, data, len, t, errstr,
                                            sizeof(errstr)), errstr);
    sm_free(data);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_set_topic(sm_zk_t *zk, const char *topic, const sm_zk_topic_t *t,
                int32_t epoch_zkv)
{
    char *path = sm_zk_path_topic(topic), *json = sm_zk_topic_encode(t);
    sm_err_t err = SM_ERR__INVALID_ARG;
    sm_zk_op_t op;

    if (json != NULL) {
        sm_zk_op_set(&op, path, json, (int)strlen(json), SM_ZK_ANY_VERSION);
        err = sm_kzk_fenced(zk, &op, epoch_zkv);
    }
    sm_free(json);
    sm_free(path);
    return err;
}

/* Kafka's Topic.validate: 1..249 chars of [a-zA-Z0-9._-], not . or .. */
static int
sm_kzk_topic_name_ok(const char *topic)
{
    size_t n = strlen(topic);

    if (n == 0 || n > SM_KZK_MAX_TOPIC_LEN || strcmp(topic, ".") == 0 ||
        strcmp(topic, "..") == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = topic[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Topic.hasCollision: equal once '.' and '_' are folded together. */
static int
sm_kzk_topics_collide(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '.' ? '_' : *a, y = *b == '.' ? '_' : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static sm_err_t
sm_kzk_check_collision(sm_zk_t *zk, const char *topic)
{
    sm_zk_strings_t all;
    sm_err_t err;

    if (strpbrk(topic, "._") == NULL)
        return SM_OK;
    err = sm_zk_get_topics(zk, 0, &all);
    for (int i = 0; i < all.cnt && err == SM_OK; i++) {
        if (strcmp(all.v[i], topic) == 0) {
            err = SM_ERR_TOPIC_ALREADY_EXISTS;
        } else if (sm_kzk_topics_collide(all.v[i], topic)) {
            sm_warn("zk", "Topic '%s' collides with existing topic '%s'",
                    topic, all.v[i]);
            err = SM_ERR_INVALID_TOPIC_EXCEPTION;
        }
    }
    sm_zk_strings_fini(&all);
    return err;
}

/* AdminZkClient.validateTopicCreate's assignment checks. */
static int
sm_kzk_assignment_ok(const sm_zk_topic_t *t)
{
    if (t->part_cnt == 0)
        return 0;
    for (int i = 0; i < t->part_cnt; i++) {
        const sm_zk_ints_t *r = &t->parts[i].replicas;
        if (t->parts[i].partition != i || r->cnt == 0 ||
            r->cnt != t->parts[0].replicas.cnt)
            return 0;
        for (int x = 0; x < r->cnt; x++)
            for (int y = x + 1; y < r->cnt; y++)
                if (r->v[x] == r->v[y])
                    return 0;
    }
    return 1;
}

static sm_err_t
sm_kzk_validate_topic(sm_zk_t *zk, const char *topic,
                      const sm_zk_topic_t *assignment)
{
    sm_err_t err;

    if (!sm_kzk_topic_name_ok(topic))
        return SM_ERR_INVALID_TOPIC_EXCEPTION;
    err = sm_zk_topic_exists(zk, topic);
    if (err == SM_OK)
        return SM_ERR_TOPIC_ALREADY_EXISTS;
    if (err != SM_ERR__NOENT)
        return err;
    err = sm_kzk_check_collision(zk, topic);
    if (err != SM_OK)
        return err;
    if (!sm_kzk_assignment_ok(assignment))
        return SM_ERR_INVALID_REPLICA_ASSIGNMENT;
    return SM_OK;
}

sm_err_t
sm_zk_create_topic(sm_zk_t *zk, const char *topic,
                   const sm_zk_config_t *config,
                   const sm_zk_topic_t *assignment)
{
    sm_zk_config_t empty = { 0 };
    char *path = NULL, *json = NULL;
    sm_err_t err;

    err = sm_kzk_validate_topic(zk, topic, assignment);
    if (err != SM_OK)
        goto out;
    sm_info("zk", "Creating topic %s with %d partitions", topic,
            assignment->part_cnt);
    /* the config first: not transactional with the assignment, as in
     * Kafka, but the controller only acts on the assignment */
    err = sm_zk_set_entity_config(zk, SM_ZK_ENTITY_TOPICS, topic,
                                  config ? config : &empty);
    if (err != SM_OK)
        goto out;
    json = sm_zk_topic_encode(assignment);
    path = sm_zk_path_topic(topic);
    err = json ? sm_zk_create_parents(zk, path, json, (int)strlen(json))
               : SM_ERR__INVALID_ARG;
    if (err == SM_ERR__EXISTS)
        err = SM_ERR_TOPIC_ALREADY_EXISTS;
out:
    sm_free(json);
    sm_free(path);
    return err;
}

/* deleteRecursive with every delete fenced (children first). */
static sm_err_t
sm_kzk_fenced_delete_tree(sm_zk_t *zk, const char *path, int32_t epoch_zkv,
                          int depth)
{
    sm_zk_strings_t kids;
    sm_err_t err;

    if (depth > 16)
        return SM_ERR__TOO_LARGE;
    err = sm_zk_get_children(zk, path, 0, &kids);
    if (err != SM_OK)
        return err == SM_ERR__NOENT ? SM_OK : err;
    for (int i = 0; i < kids.cnt && err == SM_OK; i++) {
        char *child = sm_asprintf("%s/%s", path, kids.v[i]);
        err = sm_kzk_fenced_delete_tree(zk, child, epoch_zkv, depth + 1);
        sm_free(child);
    }
    sm_zk_strings_fini(&kids);
    if (err == SM_OK)
        err = sm_kzk_fenced_delete(zk, path, epoch_zkv);
    return err;
}

sm_err_t
sm_zk_delete_topic_znodes(sm_zk_t *zk, const char *topic, int32_t epoch_zkv)
{
    char *path = sm_zk_path_topic(topic);
    sm_err_t err = sm_kzk_fenced_delete_tree(zk, path, epoch_zkv, 0);

    sm_free(path);
    if (err != SM_OK)
        return err;
    path = sm_zk_path_entity_config(SM_ZK_ENTITY_TOPICS, topic);
    err = sm_kzk_fenced_delete(zk, path, epoch_zkv);
    sm_free(path);
    return err;
}

/* ------------------------------------------------------------ partitions */

sm_err_t
sm_zk_get_partition_state(sm_zk_t *zk, const char *topic, int32_t p,
                          sm_zk_part_state_t *s)
{
    char *path = sm_zk_path_partition_state(topic, p), *data = NULL;
    char errstr[256];
    sm_zk_stat_t stat;
    sm_err_t err;
    int len;

    memset(s, 0, sizeof(*s));
    err = sm_kzk_read(zk, path, 0, &data, &len, &stat);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_part_state_decode(path, data, len, s,
                                                 errstr, sizeof(errstr)),
                         errstr);
    if (err == SM_OK)
        s->zk_version = stat.version;
    sm_free(data);
    sm_free(path);
    return err;
}

/* A fenced create of a data-less znode; EXISTS is fine. */
static sm_err_t
sm_kzk_fenced_mkdir(sm_zk_t *zk, char *path, int32_t epoch_zkv)
{
    sm_zk_op_t op;
    sm_err_t err;

    sm_zk_op_create(&op, path, NULL, -1, SM_ZK_PERSISTENT);
    err = sm_kzk_fenced(zk, &op, epoch_zkv);
    sm_zk_ops_fini(&op, 1);
    sm_free(path);
    return err == SM_ERR__EXISTS ? SM_OK : err;
}

sm_err_t
sm_zk_create_partition_state(sm_zk_t *zk, const char *topic, int32_t p,
                             sm_zk_part_state_t *s, int32_t epoch_zkv)
{
    char *path = NULL, *json = NULL;
    sm_zk_op_t op;
    sm_err_t err;

    err = sm_kzk_fenced_mkdir(zk, sm_zk_path_topic_partitions(topic),
                              epoch_zkv);
    if (err == SM_OK)
        err = sm_kzk_fenced_mkdir(zk, sm_zk_path_partition(topic, p),
                                  epoch_zkv);
    if (err != SM_OK)
        return err;
    path = sm_zk_path_partition_state(topic, p);
    json = sm_zk_part_state_encode(s);
    sm_zk_op_create(&op, path, json, (int)strlen(json), SM_ZK_PERSISTENT);
    err = sm_kzk_fenced(zk, &op, epoch_zkv);
    sm_zk_ops_fini(&op, 1);
    if (err == SM_OK)
        s->zk_version = 0;
    sm_free(json);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_set_partition_state(sm_zk_t *zk, const char *topic, int32_t p,
                          sm_zk_part_state_t *s, int32_t epoch_zkv)
{
    char *path = sm_zk_path_partition_state(topic, p);
    char *json = sm_zk_part_state_encode(s);
    sm_zk_op_t op;
    sm_err_t err;

    sm_zk_op_set(&op, path, json, (int)strlen(json), s->zk_version);
    err = sm_kzk_fenced(zk, &op, epoch_zkv);
    if (err == SM_OK)
        s->zk_version = op.stat.version;
    sm_free(json);
    sm_free(path);
    return err;
}

/* ------------------------------------------------------------ controller */

/* For znodes that may be absent: arm an exists watch, then read. */
static sm_err_t
sm_kzk_read_watched(sm_zk_t *zk, const char *path, int watch, char **data,
                    int *len, sm_zk_stat_t *stat)
{
    sm_err_t err;

    if (watch) {
        err = sm_zk_exists(zk, path, 1, NULL);
        if (err != SM_OK)
            return err;
    }
    return sm_kzk_read(zk, path, watch, data, len, stat);
}

sm_err_t
sm_zk_get_controller(sm_zk_t *zk, int watch, int32_t *broker_id)
{
    const char *path = sm_zk_path_controller();
    char *data = NULL, errstr[256];
    sm_err_t err;
    int len;

    *broker_id = -1;
    err = sm_kzk_read_watched(zk, path, watch, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_controller_decode(path, data, len,
                                                 broker_id, errstr,
                                                 sizeof(errstr)), errstr);
    sm_free(data);
    return err;
}

sm_err_t
sm_zk_get_controller_epoch(sm_zk_t *zk, int32_t *epoch, int32_t *epoch_zkv)
{
    const char *path = sm_zk_path_controller_epoch();
    char *data = NULL, errstr[256];
    sm_zk_stat_t stat;
    sm_err_t err;
    int len;

    err = sm_kzk_read(zk, path, 0, &data, &len, &stat);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_controller_epoch_decode(path, data, len,
                                                       epoch, errstr,
                                                       sizeof(errstr)),
                         errstr);
    if (err == SM_OK)
        *epoch_zkv = stat.version;
    sm_free(data);
    return err;
}

/* maybeCreateControllerEpochZNode: the epoch and its zkVersion, creating
 * /controller_epoch with the initial epoch 0 if missing. */
static sm_err_t
sm_kzk_current_epoch(sm_zk_t *zk, int32_t *epoch, int32_t *zkv)
{
    sm_err_t err = sm_zk_get_controller_epoch(zk, epoch, zkv);
    char *data;

    if (err != SM_ERR__NOENT)
        return err;
    data = sm_zk_controller_epoch_encode(0);
    err = sm_zk_create(zk, sm_zk_path_controller_epoch(), data,
                       (int)strlen(data), SM_ZK_PERSISTENT, NULL, NULL);
    sm_free(data);
    if (err == SM_OK) {
        *epoch = 0;
        *zkv = 0;
        return SM_OK;
    }
    if (err == SM_ERR__EXISTS)
        err = sm_zk_get_controller_epoch(zk, epoch, zkv);
    return err;
}

/* After a lost race (or a retried multi): did we win after all? */
static sm_err_t
sm_kzk_check_controller(sm_zk_t *zk, int32_t broker_id, int32_t new_epoch,
                        int32_t *epoch, int32_t *epoch_zkv)
{
    int32_t cur = -1, e = -1, zkv = -1;
    sm_err_t err = sm_zk_get_controller(zk, 0, &cur);

    if (err == SM_ERR__NOENT)
        return SM_ERR_NOT_CONTROLLER;
    if (err != SM_OK)
        return err;
    if (cur != broker_id)
        return SM_ERR_NOT_CONTROLLER;
    err = sm_zk_get_controller_epoch(zk, &e, &zkv);
    if (err != SM_OK)
        return err;
    if (e != new_epoch)
        return SM_ERR_NOT_CONTROLLER;
    *epoch = e;
    *epoch_zkv = zkv;
    return SM_OK;
}

sm_err_t
sm_zk_register_controller(sm_zk_t *zk, int32_t broker_id, int32_t *epoch,
                          int32_t *epoch_zkv)
{
    char *ctl = NULL, *ep = NULL;
    int32_t cur = 0, cur_zkv = 0;
    sm_zk_op_t ops[2];
    sm_err_t err;

    err = sm_kzk_current_epoch(zk, &cur, &cur_zkv);
    if (err != SM_OK)
        return err;
    ctl = sm_zk_controller_encode(broker_id, sm_now_ms());
    ep = sm_zk_controller_epoch_encode(cur + 1);
    sm_zk_op_create(&ops[0], sm_zk_path_controller(), ctl,
                    (int)strlen(ctl), SM_ZK_EPHEMERAL);
    sm_zk_op_set(&ops[1], sm_zk_path_controller_epoch(), ep,
                 (int)strlen(ep), cur_zkv);
    err = sm_zk_multi(zk, ops, 2);
    sm_zk_ops_fini(ops, 2);
    if (err == SM_OK) {
        *epoch = cur + 1;
        *epoch_zkv = ops[1].stat.version;
    } else if (err == SM_ERR__EXISTS || err == SM_ERR__BAD_VERSION) {
        err = sm_kzk_check_controller(zk, broker_id, cur + 1, epoch,
                                      epoch_zkv);
    }
    if (err == SM_OK)
        sm_info("zk", "Broker %d registered as controller, epoch %d "
                "(zkVersion %d)", (int)broker_id, (int)*epoch,
                (int)*epoch_zkv);
    sm_free(ctl);
    sm_free(ep);
    return err;
}

sm_err_t
sm_zk_delete_controller(sm_zk_t *zk, int32_t epoch_zkv)
{
    return sm_kzk_fenced_delete(zk, sm_zk_path_controller(), epoch_zkv);
}

/* ------------------------------------------------------------ deletion */

sm_err_t
sm_zk_mark_topic_for_deletion(sm_zk_t *zk, const char *topic)
{
    char *path;
    sm_err_t err;

    if (strchr(topic, '/') != NULL || !*topic)
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    err = sm_zk_topic_exists(zk, topic);
    if (err == SM_ERR__NOENT)
        return SM_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (err != SM_OK)
        return err;
    path = sm_zk_path_delete_topic(topic);
    err = sm_zk_create_parents(zk, path, NULL, -1);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_get_topic_deletions(sm_zk_t *zk, int watch, sm_zk_strings_t *topics)
{
    sm_err_t err = sm_zk_get_children(zk, sm_zk_path_delete_topics(), watch,
                                      topics);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

sm_err_t
sm_zk_delete_topic_deletion(sm_zk_t *zk, const char *topic,
                            int32_t epoch_zkv)
{
    char *path = sm_zk_path_delete_topic(topic);
    sm_err_t err = sm_kzk_fenced_delete(zk, path, epoch_zkv);

    sm_free(path);
    return err;
}

/* ------------------------------------------------------------ configs */

sm_err_t
sm_zk_get_entity_config(sm_zk_t *zk, sm_zk_entity_t type, const char *name,
                        sm_zk_config_t *c)
{
    char *path = sm_zk_path_entity_config(type, name), *data = NULL;
    char errstr[256];
    sm_err_t err;
    int len;

    memset(c, 0, sizeof(*c));
    if (path == NULL)
        return SM_ERR__INVALID_ARG;
    err = sm_kzk_read(zk, path, 0, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_config_decode(path, data, len, c, errstr,
                                             sizeof(errstr)), errstr);
    else if (err == SM_ERR__NOENT)
        err = SM_OK;
    sm_free(data);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_set_entity_config(sm_zk_t *zk, sm_zk_entity_t type, const char *name,
                        const sm_zk_config_t *c)
{
    char *path = sm_zk_path_entity_config(type, name);
    char *json = sm_zk_config_encode(c);
    sm_err_t err = SM_ERR__INVALID_ARG;
    int len = json ? (int)strlen(json) : 0;

    if (path != NULL && json != NULL) {
        err = sm_zk_set(zk, path, json, len, SM_ZK_ANY_VERSION, NULL);
        if (err == SM_ERR__NOENT) {
            err = sm_zk_create_parents(zk, path, json, len);
            if (err == SM_ERR__EXISTS)      /* lost a race: last wins */
                err = sm_zk_set(zk, path, json, len, SM_ZK_ANY_VERSION,
                                NULL);
        }
    }
    sm_free(json);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_create_config_change(sm_zk_t *zk, sm_zk_entity_t type,
                           const char *name)
{
    char *json = sm_zk_config_change_encode(type, name);
    sm_err_t err = SM_ERR__INVALID_ARG;

    if (json != NULL) {
        err = sm_zk_ensure_path(zk, sm_zk_path_config_changes());
        if (err == SM_OK)
            err = sm_zk_create(zk, sm_zk_config_change_prefix(), json,
                               (int)strlen(json),
                               SM_ZK_PERSISTENT_SEQUENTIAL, NULL, NULL);
    }
    sm_free(json);
    return err;
}

sm_err_t
sm_zk_change_entity_config(sm_zk_t *zk, sm_zk_entity_t type,
                           const char *name, const sm_zk_config_t *c)
{
    sm_err_t err = sm_zk_set_entity_config(zk, type, name, c);

    if (err == SM_OK)
        err = sm_zk_create_config_change(zk, type, name);
    return err;
}

sm_err_t
sm_zk_get_config_changes(sm_zk_t *zk, int watch, sm_zk_strings_t *children)
{
    return sm_kzk_seq_children(zk, sm_zk_path_config_changes(), watch,
                               sm_zk_config_change_seq, children);
}

sm_err_t
sm_zk_get_config_change(sm_zk_t *zk, const char *child,
                        sm_zk_config_change_t *c, int64_t *mtime_ms)
{
    char *path = sm_zk_path_config_change(child), *data = NULL;
    char errstr[256];
    sm_zk_stat_t stat;
    sm_err_t err;
    int len;

    memset(c, 0, sizeof(*c));
    err = sm_kzk_read(zk, path, 0, &data, &len, &stat);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_config_change_decode(path, data, len, c,
                                                    errstr, sizeof(errstr)),
                         errstr);
    if (err == SM_OK && mtime_ms != NULL)
        *mtime_ms = stat.mtime;
    sm_free(data);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_delete_config_change(sm_zk_t *zk, const char *child)
{
    char *path = sm_zk_path_config_change(child);
    sm_err_t err = sm_zk_delete(zk, path, SM_ZK_ANY_VERSION);

    sm_free(path);
    return err == SM_ERR__NOENT ? SM_OK : err;
}

/* ------------------------------------------------------------ ISR, log dirs */

sm_err_t
sm_zk_propagate_isr_changes(sm_zk_t *zk, const sm_zk_tps_t *parts)
{
    char *json = sm_zk_isr_change_encode(parts);
    sm_err_t err = SM_ERR__INVALID_ARG;

    if (json != NULL)
        err = sm_zk_create(zk, sm_zk_isr_change_prefix(), json,
                           (int)strlen(json), SM_ZK_PERSISTENT_SEQUENTIAL,
                           NULL, NULL);
    sm_free(json);
    return err;
}

sm_err_t
sm_zk_get_isr_changes(sm_zk_t *zk, int watch, sm_zk_strings_t *children)
{
    return sm_kzk_seq_children(zk, sm_zk_path_isr_changes(), watch,
                               sm_zk_isr_change_seq, children);
}

sm_err_t
sm_zk_get_isr_change(sm_zk_t *zk, const char *child, sm_zk_tps_t *parts)
{
    char *path = sm_zk_path_isr_change(child), *data = NULL, errstr[256];
    sm_zk_tps_t one;
    sm_err_t err;
    int len;

    err = sm_kzk_read(zk, path, 0, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_isr_change_decode(path, data, len, &one,
                                                 errstr, sizeof(errstr)),
                         errstr);
    if (err == SM_OK) {
        for (int i = 0; i < one.cnt; i++)
            sm_zk_tps_add(parts, one.v[i].topic, one.v[i].partition);
        sm_zk_tps_fini(&one);
    }
    sm_free(data);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_delete_isr_changes(sm_zk_t *zk, const sm_zk_strings_t *children,
                         int32_t epoch_zkv)
{
    return sm_kzk_delete_children(zk, children, sm_zk_path_isr_change,
                                  epoch_zkv);
}

sm_err_t
sm_zk_propagate_log_dir_event(sm_zk_t *zk, int32_t broker_id)
{
    char *json = sm_zk_log_dir_event_encode(broker_id);
    sm_err_t err;

    err = sm_zk_create(zk, sm_zk_log_dir_event_prefix(), json,
                       (int)strlen(json), SM_ZK_PERSISTENT_SEQUENTIAL, NULL,
                       NULL);
    sm_free(json);
    return err;
}

sm_err_t
sm_zk_get_log_dir_events(sm_zk_t *zk, int watch, sm_zk_strings_t *children)
{
    return sm_kzk_seq_children(zk, sm_zk_path_log_dir_events(), watch,
                               sm_zk_log_dir_event_seq, children);
}

sm_err_t
sm_zk_get_log_dir_event(sm_zk_t *zk, const char *child, int32_t *broker_id)
{
    char *path = sm_zk_path_log_dir_event(child), *data = NULL;
    char errstr[256];
    sm_err_t err;
    int len;

    err = sm_kzk_read(zk, path, 0, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_log_dir_event_decode(path, data, len,
                                                    broker_id, errstr,
                                                    sizeof(errstr)),
                         errstr);
    sm_free(data);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_delete_log_dir_events(sm_zk_t *zk, const sm_zk_strings_t *children,
                            int32_t epoch_zkv)
{
    return sm_kzk_delete_children(zk, children, sm_zk_path_log_dir_event,
                                  epoch_zkv);
}

/* ------------------------------------------------------------ admin */

typedef sm_err_t (*sm_kzk_tps_decoder)(const char *, const char *, int,
                                       sm_zk_tps_t *, char *, size_t);

static sm_err_t
sm_kzk_get_tps(sm_zk_t *zk, const char *path, int watch,
               sm_kzk_tps_decoder decode, sm_zk_tps_t *l)
{
    char *data = NULL, errstr[256];
    sm_err_t err;
    int len;

    memset(l, 0, sizeof(*l));
    err = sm_kzk_read_watched(zk, path, watch, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(decode(path, data, len, l, errstr, sizeof(errstr)),
                         errstr);
    sm_free(data);
    return err;
}

sm_err_t
sm_zk_get_reassignment(sm_zk_t *zk, int watch, sm_zk_tps_t *l)
{
    return sm_kzk_get_tps(zk, sm_zk_path_reassign_partitions(), watch,
                          sm_zk_reassignment_decode, l);
}

sm_err_t
sm_zk_set_reassignment(sm_zk_t *zk, const sm_zk_tps_t *l, int32_t epoch_zkv)
{
    char *json = sm_zk_reassignment_encode(l);
    sm_zk_op_t op;
    sm_err_t err;

    sm_zk_op_set(&op, sm_zk_path_reassign_partitions(), json,
                 (int)strlen(json), SM_ZK_ANY_VERSION);
    err = sm_kzk_fenced(zk, &op, epoch_zkv);
    sm_free(json);
    return err;
}

sm_err_t
sm_zk_delete_reassignment(sm_zk_t *zk, int32_t epoch_zkv)
{
    return sm_kzk_fenced_delete(zk, sm_zk_path_reassign_partitions(),
                                epoch_zkv);
}

sm_err_t
sm_zk_get_preferred_election(sm_zk_t *zk, int watch, sm_zk_tps_t *l)
{
    return sm_kzk_get_tps(zk, sm_zk_path_preferred_replica_election(), watch,
                          sm_zk_preferred_election_decode, l);
}

sm_err_t
sm_zk_delete_preferred_election(sm_zk_t *zk, int32_t epoch_zkv)
{
    return sm_kzk_fenced_delete(zk, sm_zk_path_preferred_replica_election(),
                                epoch_zkv);
}

/* ------------------------------------------------------------ producer ids */

/* The block after cur (or the first one); SM_ERR__TOO_LARGE when the id
 * space is exhausted. */
static sm_err_t
sm_kzk_next_block(const sm_zk_pid_block_t *cur, int32_t broker,
                  int64_t size, sm_zk_pid_block_t *next)
{
    next->broker = broker;
    if (cur == NULL) {
        next->block_start = 0;
        next->block_end = size - 1;
        return SM_OK;
    }
    if (cur->block_end > INT64_MAX - size) {
        sm_error("zk", "Exhausted all producer ids: the last block ends at "
                 "%lld", (long long)cur->block_end);
        return SM_ERR__TOO_LARGE;
    }
    next->block_start = cur->block_end + 1;
    next->block_end = cur->block_end + size;
    return SM_OK;
}

/* One read-compute-conditional-write round.  SM_ERR__BAD_VERSION: lost a
 * race, go again. */
static sm_err_t
sm_kzk_pid_round(sm_zk_t *zk, int32_t broker, int64_t size,
                 sm_zk_pid_block_t *b)
{
    const char *path = sm_zk_path_producer_id_block();
    char *data = NULL, *json = NULL, errstr[256];
    sm_zk_pid_block_t cur, seen;
    sm_zk_stat_t stat;
    sm_err_t err;
    int len;

    err = sm_kzk_read(zk, path, 0, &data, &len, &stat);
    if (err == SM_ERR__NOENT)
        return sm_zk_ensure_path(zk, path) == SM_OK ? SM_ERR__BAD_VERSION
                                                    : SM_ERR__NOENT;
    if (err == SM_OK)
        err = sm_zk_pid_block_decode(path, data, len, &cur, errstr,
                                     sizeof(errstr));
    sm_free(data);
    if (err == SM_OK || err == SM_ERR__NOENT)
        err = sm_kzk_next_block(err == SM_OK ? &cur : NULL, broker, size, b);
    if (err != SM_OK)
        return sm_kzk_bad(err, errstr);
    json = sm_zk_pid_block_encode(b);
    err = sm_zk_set(zk, path, json, (int)strlen(json), stat.version, NULL);
    sm_free(json);
    if (err != SM_ERR__BAD_VERSION)
        return err;
    /* checkProducerIdBlockZkData: a retried set may have been ours */
    data = NULL;
    if (sm_kzk_read(zk, path, 0, &data, &len, NULL) == SM_OK &&
        sm_zk_pid_block_decode(path, data, len, &seen, errstr,
                               sizeof(errstr)) == SM_OK &&
        seen.broker == b->broker && seen.block_start == b->block_start &&
        seen.block_end == b->block_end)
        err = SM_OK;
    sm_free(data);
    return err;
}

sm_err_t
sm_zk_claim_pid_block(sm_zk_t *zk, int32_t broker, int64_t block_size,
                      sm_zk_pid_block_t *b)
{
    sm_err_t err = SM_ERR__BAD_VERSION;

    if (block_size <= 0)
        return SM_ERR__INVALID_ARG;
    for (int i = 0; i < SM_KZK_PID_RETRIES && err == SM_ERR__BAD_VERSION;
         i++)
        err = sm_kzk_pid_round(zk, broker, block_size, b);
    if (err == SM_OK)
        sm_info("zk", "Acquired producer id block [%lld, %lld] for broker "
                "%d", (long long)b->block_start, (long long)b->block_end,
                (int)broker);
    return err;
}

/* ------------------------------------------------------------ 0.8 offsets */

sm_err_t
sm_zk_get_consumer_offset(sm_zk_t *zk, const char *group, const char *topic,
                          int32_t p, int64_t *offset)
{
    char *path = sm_zk_path_consumer_offset(group, topic, p), *data = NULL;
    char errstr[256];
    sm_err_t err;
    int len;

    *offset = -1;
    err = sm_kzk_read(zk, path, 0, &data, &len, NULL);
    if (err == SM_OK)
        err = sm_kzk_bad(sm_zk_consumer_offset_decode(path, data, len,
                                                      offset, errstr,
                                                      sizeof(errstr)),
                         errstr);
    sm_free(data);
    sm_free(path);
    return err;
}

sm_err_t
sm_zk_set_consumer_offset(sm_zk_t *zk, const char *group, const char *topic,
                          int32_t p, int64_t offset)
{
    char *path = sm_zk_path_consumer_offset(group, topic, p);
    char *text = sm_zk_consumer_offset_encode(offset);
    int len = (int)strlen(text);
    sm_err_t err;

    err = sm_zk_set(zk, path, text, len, SM_ZK_ANY_VERSION, NULL);
    if (err == SM_ERR__NOENT) {
        err = sm_zk_create_parents(zk, path, text, len);
        if (err == SM_ERR__EXISTS)
            err = sm_zk_set(zk, path, text, len, SM_ZK_ANY_VERSION, NULL);
    }
    sm_free(text);
    sm_free(path);
    return err;
}
