/*
 * zk_paths.c: znode paths and payload codecs of zk_paths.h (Kafka's
 * ZkData.scala).  The only file that spells a znode path or a JSON key.
 *
 * LAYOUT.  Paths first, then one section per znode payload: its writers
 * and readers in Kafka are named in zkschema/<name>.md, which also holds
 * the JSON Schema the integration tests validate samsa's znodes against.
 * To add a znode: a path function here, encode/decode here, a schema and a
 * page in zkschema/, an entry in zkschema/index.json, a round-trip test in
 * t/unit/zk/test_zk_paths.c and a line in t/unit/zk/zkp_dump.c.
 *
 * DECODING.  JSON is parsed with jansson through the sm_zkr_t reader of
 * zk_json.h, which remembers the first error (path, key, what was wrong),
 * so a decoder reads its fields in one straight line and checks r.failed
 * once (STYLE.md §5).  Kafka's readers ignore keys they do not know, and
 * so do these.
 *
 * ENCODING.  Compact JSON (no spaces), as Kafka's Jackson writes it; key
 * order follows Kafka's output where it was observed but is not
 * significant to any reader.  Encoders return NULL if a string is not
 * valid UTF-8 (jansson refuses it) or a version is unsupported.
 *
 * TOPIC ASSIGNMENT VERSION.  samsa writes /brokers/topics/<t> as v2
 * (Kafka 2.4-2.7), with empty "adding_replicas"/"removing_replicas" maps
 * unless a reassignment is in progress, and v3 only when the topic already
 * has a topic_id (so a 2.8 controller's id is never dropped).  Every
 * reader from 0.8.2 to 2.3 reads only "partitions" and ignores the version
 * and unknown keys (ZkUtils.getPartitionAssignmentForTopics, 2.3's
 * TopicZNode.decode), so v2 is safe for them, while writing v1 would lose
 * an in-progress KIP-455 reassignment that a 2.4+ controller recorded.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "zk/zk_json.h"
#include "zk/zk_paths.h"

/* ------------------------------------------------------------ paths */

static const char *const sm_zk_persistent[] = {
    "/consumers",
    "/brokers/ids",
    "/brokers/topics",
    "/config/changes",
    "/admin/delete_topics",
    "/brokers/seqid",
    "/isr_change_notification",
    "/latest_producer_id_block",
    "/log_dir_event_notification",
    "/config/topics",
    "/config/clients",
    "/config/users",
    "/config/brokers",
    "/config/ips",
};

const char *const *
sm_zk_persistent_paths(int *cnt)
{
    *cnt = (int)(sizeof(sm_zk_persistent) / sizeof(sm_zk_persistent[0]));
    return sm_zk_persistent;
}

const char *sm_zk_path_broker_ids(void) { return "/brokers/ids"; }
const char *sm_zk_path_broker_seqid(void) { return "/brokers/seqid"; }
const char *sm_zk_path_topics(void) { return "/brokers/topics"; }
const char *sm_zk_path_controller(void) { return "/controller"; }
const char *sm_zk_path_controller_epoch(void) { return "/controller_epoch"; }
const char *sm_zk_path_delete_topics(void) { return "/admin/delete_topics"; }
const char *sm_zk_path_config_changes(void) { return "/config/changes"; }
const char *sm_zk_path_isr_changes(void) { return "/isr_change_notification"; }
const char *sm_zk_path_cluster_id(void) { return "/cluster/id"; }
const char *sm_zk_path_consumers(void) { return "/consumers"; }

const char *
sm_zk_path_reassign_partitions(void)
{
    return "/admin/reassign_partitions";
}

const char *
sm_zk_path_preferred_replica_election(void)
{
    return "/admin/preferred_replica_election";
}

const char *
sm_zk_path_log_dir_events(void)
{
    return "/log_dir_event_notification";
}

const char *
sm_zk_path_producer_id_block(void)
{
    return "/latest_producer_id_block";
}

char *
sm_zk_path_broker(int32_t id)
{
    return sm_asprintf("/brokers/ids/%d", (int)id);
}

char *
sm_zk_path_topic(const char *topic)
{
    return sm_asprintf("/brokers/topics/%s", topic);
}

char *
sm_zk_path_topic_partitions(const char *topic)
{
    return sm_asprintf("/brokers/topics/%s/partitions", topic);
}

char *
sm_zk_path_partition(const char *topic, int32_t p)
{
    return sm_asprintf("/brokers/topics/%s/partitions/%d", topic, (int)p);
}

char *
sm_zk_path_partition_state(const char *topic, int32_t p)
{
    return sm_asprintf("/brokers/topics/%s/partitions/%d/state", topic,
                       (int)p);
}

char *
sm_zk_path_delete_topic(const char *topic)
{
    return sm_asprintf("/admin/delete_topics/%s", topic);
}

/* Sequential notifications: <dir>/<prefix><10-digit seq>. */
static const char *
sm_zk_seq_of(const char *child, const char *prefix)
{
    size_t n = strlen(prefix);

    if (child == NULL || strncmp(child, prefix, n) != 0 || child[n] == '\0')
        return NULL;
    return child + n;
}

const char *
sm_zk_config_change_prefix(void)
{
    return "/config/changes/config_change_";
}

char *
sm_zk_path_config_change(const char *child)
{
    return sm_asprintf("/config/changes/%s", child);
}

const char *
sm_zk_config_change_seq(const char *child)
{
    return sm_zk_seq_of(child, "config_change_");
}

const char *
sm_zk_isr_change_prefix(void)
{
    return "/isr_change_notification/isr_change_";
}

char *
sm_zk_path_isr_change(const char *child)
{
    return sm_asprintf("/isr_change_notification/%s", child);
}

const char *
sm_zk_isr_change_seq(const char *child)
{
    return sm_zk_seq_of(child, "isr_change_");
}

const char *
sm_zk_log_dir_event_prefix(void)
{
    return "/log_dir_event_notification/log_dir_event_";
}

char *
sm_zk_path_log_dir_event(const char *child)
{
    return sm_asprintf("/log_dir_event_notification/%s", child);
}

const char *
sm_zk_log_dir_event_seq(const char *child)
{
    return sm_zk_seq_of(child, "log_dir_event_");
}

char *
sm_zk_path_consumer_ids(const char *group)
{
    return sm_asprintf("/consumers/%s/ids", group);
}

char *
sm_zk_path_consumer_id(const char *group, const char *consumer_id)
{
    return sm_asprintf("/consumers/%s/ids/%s", group, consumer_id);
}

char *
sm_zk_path_consumer_owner(const char *group, const char *topic, int32_t p)
{
    return sm_asprintf("/consumers/%s/owners/%s/%d", group, topic, (int)p);
}

char *
sm_zk_path_consumer_offset(const char *group, const char *topic, int32_t p)
{
    return sm_asprintf("/consumers/%s/offsets/%s/%d", group, topic, (int)p);
}

char *
sm_zk_path_consumer_group(const char *group)
{
    return sm_asprintf("/consumers/%s", group);
}

char *
sm_zk_path_consumer_offsets(const char *group)
{
    return sm_asprintf("/consumers/%s/offsets", group);
}

char *
sm_zk_path_consumer_topic_offsets(const char *group, const char *topic)
{
    return sm_asprintf("/consumers/%s/offsets/%s", group, topic);
}

char *
sm_zk_path_consumer_topic_owners(const char *group, const char *topic)
{
    return sm_asprintf("/consumers/%s/owners/%s", group, topic);
}

/* ------------------------------------------------------------ entities */

static const char *const sm_zk_entities[SM_ZK_ENTITY_CNT] = {
    "topics", "clients", "users", "brokers", "ips",
};

const char *
sm_zk_entity_name(sm_zk_entity_t type)
{
    if ((int)type < 0 || type >= SM_ZK_ENTITY_CNT)
        return NULL;
    return sm_zk_entities[type];
}

int
sm_zk_entity_parse(const char *name, size_t len)
{
    for (int i = 0; i < SM_ZK_ENTITY_CNT; i++)
        if (strlen(sm_zk_entities[i]) == len &&
            memcmp(sm_zk_entities[i], name, len) == 0)
            return i;
    return -1;
}

const char *
sm_zk_path_entity_type(sm_zk_entity_t type)
{
    static const char *const paths[SM_ZK_ENTITY_CNT] = {
        "/config/topics", "/config/clients", "/config/users",
        "/config/brokers", "/config/ips",
    };

    if ((int)type < 0 || type >= SM_ZK_ENTITY_CNT)
        return NULL;
    return paths[type];
}

char *
sm_zk_path_entity_config(sm_zk_entity_t type, const char *name)
{
    const char *dir = sm_zk_path_entity_type(type);

    if (dir == NULL)
        return NULL;
    return sm_asprintf("%s/%s", dir, name);
}

/* ------------------------------------------------------------ brokers */

static const char *const sm_zk_protocols[] = {
    "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL",
};

/* The canonical spelling of a security protocol name, or NULL. */
static const char *
sm_zk_protocol(const char *name)
{
    for (size_t i = 0; i < sizeof(sm_zk_protocols) / sizeof(char *); i++)
        if (strcasecmp(name, sm_zk_protocols[i]) == 0)
            return sm_zk_protocols[i];
    return NULL;
}

void
sm_zk_broker_fini(sm_zk_broker_t *b)
{
    for (int i = 0; i < b->endpoint_cnt; i++) {
        sm_free(b->endpoints[i].listener);
        sm_free(b->endpoints[i].protocol);
        sm_free(b->endpoints[i].host);
    }
    sm_free(b->endpoints);
    for (int i = 0; i < b->feature_cnt; i++)
        sm_free(b->features[i].name);
    sm_free(b->features);
    sm_free(b->rack);
    memset(b, 0, sizeof(*b));
    b->jmx_port = -1;
    b->timestamp = -1;
}

void
sm_zk_broker_add_endpoint(sm_zk_broker_t *b, const char *listener,
                          const char *protocol, const char *host,
                          int32_t port)
{
    sm_zk_endpoint_t *ep;

    b->endpoints = sm_realloc(b->endpoints, sizeof(*ep) *
                              (size_t)(b->endpoint_cnt + 1));
    ep = &b->endpoints[b->endpoint_cnt++];
    ep->listener = sm_strdup(listener);
    for (char *c = ep->listener; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    ep->protocol = sm_strdup(protocol);
    ep->host = sm_strdup(host ? host : "");
    ep->port = port;
}

/* Kafka's EndPoint.connectionString: "LISTENER://host:port", IPv6
 * literals in brackets. */
static char *
sm_zk_endpoint_string(const sm_zk_endpoint_t *ep)
{
    if (strchr(ep->host, ':') != NULL)
        return sm_asprintf("%s://[%s]:%d", ep->listener, ep->host,
                           (int)ep->port);
    return sm_asprintf("%s://%s:%d", ep->listener, ep->host, (int)ep->port);
}

static json_t *
sm_zk_broker_endpoints_json(sm_zkw_t *w, const sm_zk_broker_t *b,
                            json_t **map)
{
    json_t *a = json_array();

    *map = json_object();
    for (int i = 0; i < b->endpoint_cnt; i++) {
        char *s = sm_zk_endpoint_string(&b->endpoints[i]);
        if (json_array_append_new(a, json_string(s)) != 0)
            w->bad = 1;
        sm_zkw_set(w, *map, b->endpoints[i].listener,
                   json_string(b->endpoints[i].protocol));
        sm_free(s);
    }
    return a;
}

static json_t *
sm_zk_broker_features_json(sm_zkw_t *w, const sm_zk_broker_t *b)
{
    json_t *o = json_object();

    for (int i = 0; i < b->feature_cnt; i++)
        sm_zkw_set(w, o, b->features[i].name,
                            json_pack("{s:i,s:i}",
                                      "min_version",
                                      (int)b->features[i].min_version,
                                      "max_version",
                                      (int)b->features[i].max_version));
    return o;
}

char *
sm_zk_broker_encode(const sm_zk_broker_t *b)
{
    const sm_zk_endpoint_t *plain = NULL;
    sm_zkw_t w = { 0 };
    json_t *j, *eps, *map;

    if (b->version < 1 || b->version > 5)
        return NULL;
    for (int i = 0; i < b->endpoint_cnt && plain == NULL; i++)
        if (strcmp(b->endpoints[i].protocol, "PLAINTEXT") == 0)
            plain = &b->endpoints[i];
    j = json_object();
    eps = sm_zk_broker_endpoints_json(&w, b, &map);
    if (b->version >= 4)
        sm_zkw_set(&w, j, "listener_security_protocol_map", map);
    else
        json_decref(map);
    if (b->version >= 2)
        sm_zkw_set(&w, j, "endpoints", eps);
    else
        json_decref(eps);
    sm_zkw_set(&w, j, "jmx_port", json_integer(b->jmx_port));
    sm_zkw_set(&w, j, "host", sm_zkw_str(plain ? plain->host : NULL));
    sm_zkw_set(&w, j, "timestamp", sm_zkw_i64_str(b->timestamp));
    sm_zkw_set(&w, j, "port", json_integer(plain ? plain->port : -1));
    sm_zkw_set(&w, j, "version", json_integer(b->version));
    if (b->version >= 3 && b->rack != NULL)
        sm_zkw_set(&w, j, "rack", json_string(b->rack));
    if (b->version >= 5)
        sm_zkw_set(&w, j, "features", sm_zk_broker_features_json(&w, b));
    return sm_zkw_finish(&w, j);
}

/* Kafka's EndPoint regex: ^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+) */
static int
sm_zk_endpoint_parse(const char *s, char **listener, char **host,
                     int32_t *port)
{
    const char *sep = strstr(s, "://"), *h, *colon, *hend;
    int64_t p;

    if (sep == NULL || sep == s)
        return -1;
    h = sep + 3;
    colon = strrchr(h, ':');
    if (colon == NULL)
        return -1;
    hend = colon;
    if (*h == '[') {
        h++;
        if (hend == h || hend[-1] != ']')
            return -1;
        hend--;
    }
    for (const char *c = h; c < hend; c++)
        if (!isalnum((unsigned char)*c) && strchr("-%._:", *c) == NULL)
            return -1;
    if (sm_zk_parse_i64(colon + 1, strlen(colon + 1), &p) != 0 ||
        p < INT32_MIN || p > INT32_MAX || colon[1] == '+')
        return -1;
    *listener = sm_strndup(s, (size_t)(sep - s));
    *host = sm_strndup(h, (size_t)(hend - h));
    *port = (int32_t)p;
    return 0;
}

/* The protocol of a listener: the map's entry, or (v2/v3, no map) the
 * listener name itself, which must then name a protocol. */
static const char *
sm_zk_listener_protocol(sm_zkr_t *r, json_t *map, const char *listener)
{
    const char *proto = listener, *key;
    json_t *v;

    if (map != NULL) {
        proto = NULL;
        json_object_foreach(map, key, v) {
            if (strcasecmp(key, listener) == 0 && json_is_string(v))
                proto = json_string_value(v);
        }
        if (proto == NULL) {
            sm_zkr_fail(r, "no security protocol for listener %s", listener);
            return NULL;
        }
    }
    if (sm_zk_protocol(proto) == NULL) {
        sm_zkr_fail(r, "unknown security protocol \"%s\"", proto);
        return NULL;
    }
    return sm_zk_protocol(proto);
}

static void
sm_zk_broker_decode_endpoints(sm_zkr_t *r, json_t *j, sm_zk_broker_t *b)
{
    json_t *map = sm_zkr_typed(r, j, "listener_security_protocol_map", 0,
                               JSON_OBJECT);
    json_t *eps = sm_zkr_typed(r, j, "endpoints", 1, JSON_ARRAY);
    size_t i;
    json_t *v;

    json_array_foreach(eps, i, v) {
        char *listener = NULL, *host = NULL;
        const char *proto;
        int32_t port;

        if (r->failed)
            return;
        if (!json_is_string(v) ||
            sm_zk_endpoint_parse(json_string_value(v), &listener, &host,
                                 &port) != 0) {
            sm_zkr_fail(r, "endpoint %zu is not \"LISTENER://host:port\"",
                        i);
            return;
        }
        for (char *c = listener; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        proto = sm_zk_listener_protocol(r, map, listener);
        if (proto != NULL)
            sm_zk_broker_add_endpoint(b, listener, proto, host, port);
        sm_free(listener);
        sm_free(host);
    }
}

static void
sm_zk_broker_decode_features(sm_zkr_t *r, json_t *j, sm_zk_broker_t *b)
{
    json_t *fs = sm_zkr_get(r, j, "features", 0), *v;
    const char *name;

    if (fs == NULL || json_is_null(fs))     /* Kafka: null = none */
        return;
    fs = sm_zkr_typed(r, j, "features", 0, JSON_OBJECT);
    if (fs == NULL)
        return;
    b->features = sm_calloc(json_object_size(fs) + 1, sizeof(*b->features));
    json_object_foreach(fs, name, v) {
        sm_zk_feature_t *f = &b->features[b->feature_cnt];
        if (r->failed)
            return;
        if (!json_is_object(v)) {
            sm_zkr_fail(r, "feature \"%s\" is not an object", name);
            return;
        }
        f->name = sm_strdup(name);
        b->feature_cnt++;
        f->min_version = sm_zkr_i32(r, v, "min_version", 1, 0);
        f->max_version = sm_zkr_i32(r, v, "max_version", 1, 0);
    }
}

/* The registration time: a string of ms in every Kafka version; tolerate
 * a number or garbage (Kafka never reads it). */
static int64_t
sm_zk_broker_timestamp(json_t *j)
{
    json_t *v = json_object_get(j, "timestamp");
    int64_t ts;

    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v) &&
        sm_zk_parse_i64(json_string_value(v), json_string_length(v),
                        &ts) == 0)
        return ts;
    return -1;
}

sm_err_t
sm_zk_broker_decode(const char *path, const char *data, int len,
                    sm_zk_broker_t *b, char *errstr, size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j, *rack;

    memset(b, 0, sizeof(*b));
    b->timestamp = -1;
    j = sm_zkr_parse_object(&r, data, len);
    b->version = sm_zkr_i32(&r, j, "version", 1, 0);
    b->jmx_port = sm_zkr_i32(&r, j, "jmx_port", 1, -1);
    if (!r.failed && b->version < 1)
        sm_zkr_fail(&r, "unsupported version %d", b->version);
    if (!r.failed && b->version == 1) {
        const char *host = sm_zkr_str(&r, j, "host", 1);
        int32_t port = sm_zkr_i32(&r, j, "port", 1, -1);
        if (!r.failed)
            sm_zk_broker_add_endpoint(b, "PLAINTEXT", "PLAINTEXT", host,
                                      port);
    } else if (!r.failed) {
        sm_zk_broker_decode_endpoints(&r, j, b);
    }
    rack = sm_zkr_get(&r, j, "rack", 0);
    if (rack != NULL && !json_is_null(rack)) {
        if (!json_is_string(rack))
            sm_zkr_fail(&r, "\"rack\" is not a string");
        else
            b->rack = sm_strdup(json_string_value(rack));
    }
    sm_zk_broker_decode_features(&r, j, b);
    if (!r.failed)
        b->timestamp = sm_zk_broker_timestamp(j);
    json_decref(j);
    if (r.failed) {
        sm_zk_broker_fini(b);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

/* ------------------------------------------------------------ topics */

static void
sm_zk_assignment_fini(sm_zk_assignment_t *a)
{
    sm_zk_ints_fini(&a->replicas);
    sm_zk_ints_fini(&a->adding);
    sm_zk_ints_fini(&a->removing);
}

void
sm_zk_topic_fini(sm_zk_topic_t *t)
{
    for (int i = 0; i < t->part_cnt; i++)
        sm_zk_assignment_fini(&t->parts[i]);
    sm_free(t->parts);
    sm_free(t->topic_id);
    memset(t, 0, sizeof(*t));
}

sm_zk_assignment_t *
sm_zk_topic_add(sm_zk_topic_t *t, int32_t p, const int32_t *replicas,
                int cnt)
{
    int i = 0;

    while (i < t->part_cnt && t->parts[i].partition < p)
        i++;
    if (i == t->part_cnt || t->parts[i].partition != p) {
        t->parts = sm_realloc(t->parts, sizeof(*t->parts) *
                              (size_t)(t->part_cnt + 1));
        memmove(&t->parts[i + 1], &t->parts[i],
                sizeof(*t->parts) * (size_t)(t->part_cnt - i));
        memset(&t->parts[i], 0, sizeof(t->parts[i]));
        t->parts[i].partition = p;
        t->part_cnt++;
    }
    sm_zk_ints_set(&t->parts[i].replicas, replicas, cnt);
    return &t->parts[i];
}

const sm_zk_assignment_t *
sm_zk_topic_find(const sm_zk_topic_t *t, int32_t p)
{
    for (int i = 0; i < t->part_cnt; i++)
        if (t->parts[i].partition == p)
            return &t->parts[i];
    return NULL;
}

char *
sm_zk_topic_encode(const sm_zk_topic_t *t)
{
    json_t *j = json_object(), *parts = json_object();
    json_t *adding = json_object(), *removing = json_object();
    sm_zkw_t w = { 0 };
    char key[16];

    for (int i = 0; i < t->part_cnt; i++) {
        const sm_zk_assignment_t *a = &t->parts[i];
        snprintf(key, sizeof(key), "%d", (int)a->partition);
        json_object_set_new(parts, key, sm_zkw_ints(&a->replicas));
        if (a->adding.cnt > 0)
            json_object_set_new(adding, key, sm_zkw_ints(&a->adding));
        if (a->removing.cnt > 0)
            json_object_set_new(removing, key, sm_zkw_ints(&a->removing));
    }
    sm_zkw_set(&w, j, "version", json_integer(t->topic_id ? 3 : 2));
    sm_zkw_set(&w, j, "partitions", parts);
    sm_zkw_set(&w, j, "adding_replicas", adding);
    sm_zkw_set(&w, j, "removing_replicas", removing);
    if (t->topic_id != NULL)
        sm_zkw_set(&w, j, "topic_id", json_string(t->topic_id));
    return sm_zkw_finish(&w, j);
}

/* A partition number as a JSON key: decimal, 0..INT32_MAX. */
static int
sm_zk_partition_key(const char *key, int32_t *p)
{
    int64_t v;

    if (key[0] == '+' || key[0] == '-' ||
        sm_zk_parse_i64(key, strlen(key), &v) != 0 || v > INT32_MAX)
        return -1;
    *p = (int32_t)v;
    return 0;
}

static int
sm_zk_is_topic_id(const char *s)
{
    size_t n = strlen(s);

    if (n != 22)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

static void
sm_zk_topic_decode_parts(sm_zkr_t *r, json_t *j, sm_zk_topic_t *t)
{
    json_t *parts = sm_zkr_typed(r, j, "partitions", 0, JSON_OBJECT);
    json_t *adding = sm_zkr_typed(r, j, "adding_replicas", 0, JSON_OBJECT);
    json_t *removing = sm_zkr_typed(r, j, "removing_replicas", 0,
                                    JSON_OBJECT);
    const char *key;
    json_t *v;

    json_object_foreach(parts, key, v) {
        sm_zk_assignment_t *a;
        int32_t p;

        if (r->failed)
            return;
        if (sm_zk_partition_key(key, &p) != 0) {
            sm_zkr_fail(r, "partition \"%s\" is not a partition number",
                        key);
            return;
        }
        a = sm_zk_topic_add(t, p, NULL, 0);
        sm_zkr_ints(r, v, "replicas", &a->replicas);
        sm_zkr_ints(r, json_object_get(adding, key), "adding_replicas",
                    &a->adding);
        sm_zkr_ints(r, json_object_get(removing, key), "removing_replicas",
                    &a->removing);
    }
}

sm_err_t
sm_zk_topic_decode(const char *path, const char *data, int len,
                   sm_zk_topic_t *t, char *errstr, size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    const char *tid;
    json_t *j;

    memset(t, 0, sizeof(*t));
    j = sm_zkr_parse_object(&r, data, len);
    t->version = sm_zkr_i32(&r, j, "version", 0, 1);
    tid = sm_zkr_str(&r, j, "topic_id", 0);
    if (tid != NULL && !sm_zk_is_topic_id(tid))
        sm_zkr_fail(&r, "\"topic_id\" is not a base64 UUID");
    else if (tid != NULL)
        t->topic_id = sm_strdup(tid);
    sm_zk_topic_decode_parts(&r, j, t);
    json_decref(j);
    if (r.failed) {
        sm_zk_topic_fini(t);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

/* ------------------------------------------------------------ state */

void
sm_zk_part_state_fini(sm_zk_part_state_t *s)
{
    sm_zk_ints_fini(&s->isr);
}

char *
sm_zk_part_state_encode(const sm_zk_part_state_t *s)
{
    json_t *j = json_object();
    sm_zkw_t w = { 0 };

    sm_zkw_set(&w, j, "controller_epoch", json_integer(s->controller_epoch));
    sm_zkw_set(&w, j, "leader", json_integer(s->leader));
    sm_zkw_set(&w, j, "version", json_integer(1));
    sm_zkw_set(&w, j, "leader_epoch", json_integer(s->leader_epoch));
    sm_zkw_set(&w, j, "isr", sm_zkw_ints(&s->isr));
    return sm_zkw_finish(&w, j);
}

sm_err_t
sm_zk_part_state_decode(const char *path, const char *data, int len,
                        sm_zk_part_state_t *s, char *errstr,
                        size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j;

    memset(s, 0, sizeof(*s));
    j = sm_zkr_parse_object(&r, data, len);
    s->leader = sm_zkr_i32(&r, j, "leader", 1, -1);
    s->leader_epoch = sm_zkr_i32(&r, j, "leader_epoch", 1, 0);
    s->controller_epoch = sm_zkr_i32(&r, j, "controller_epoch", 1, 0);
    sm_zkr_ints(&r, sm_zkr_get(&r, j, "isr", 1), "\"isr\"", &s->isr);
    json_decref(j);
    if (r.failed) {
        sm_zk_part_state_fini(s);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

/* ------------------------------------------------------------ controller */

char *
sm_zk_controller_encode(int32_t broker_id, int64_t timestamp_ms)
{
    json_t *j = json_object();
    sm_zkw_t w = { 0 };

    sm_zkw_set(&w, j, "version", json_integer(1));
    sm_zkw_set(&w, j, "brokerid", json_integer(broker_id));
    sm_zkw_set(&w, j, "timestamp", sm_zkw_i64_str(timestamp_ms));
    return sm_zkw_finish(&w, j);
}

sm_err_t
sm_zk_controller_decode(const char *path, const char *data, int len,
                        int32_t *broker_id, char *errstr,
                        size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j = sm_zkr_parse(&r, data, len);

    *broker_id = -1;
    if (json_is_integer(j))     /* 0.8.0 wrote the bare broker id */
        *broker_id = sm_zkr_i32_of(&r, j, "broker id");
    else if (json_is_object(j))
        *broker_id = sm_zkr_i32(&r, j, "brokerid", 1, -1);
    else if (j != NULL)
        sm_zkr_fail(&r, "expected a JSON object");
    json_decref(j);
    return r.failed ? SM_ERR__BAD_MSG : SM_OK;
}

/* ASCII decimal int32 payloads (/controller_epoch). */
static sm_err_t
sm_zk_decimal_decode(sm_zkr_t *r, const char *data, int len, int64_t min,
                     int64_t max, int64_t *out)
{
    if (data == NULL || len <= 0) {
        sm_zkr_fail(r, "no data");
        return SM_ERR__BAD_MSG;
    }
    if (sm_zk_parse_i64(data, (size_t)len, out) != 0 || *out < min ||
        *out > max) {
        sm_zkr_fail(r, "expected a decimal integer, got \"%.*s\"",
                    len > 32 ? 32 : len, data);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

char *
sm_zk_controller_epoch_encode(int32_t epoch)
{
    return sm_asprintf("%d", (int)epoch);
}

sm_err_t
sm_zk_controller_epoch_decode(const char *path, const char *data, int len,
                              int32_t *epoch, char *errstr,
                              size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    int64_t v = 0;
    sm_err_t err;

    err = sm_zk_decimal_decode(&r, data, len, INT32_MIN, INT32_MAX, &v);
    *epoch = (int32_t)v;
    return err;
}

/* ------------------------------------------------------------ tp lists */

void
sm_zk_tps_fini(sm_zk_tps_t *l)
{
    for (int i = 0; i < l->cnt; i++) {
        sm_free(l->v[i].topic);
        sm_zk_ints_fini(&l->v[i].replicas);
    }
    sm_free(l->v);
    l->v = NULL;
    l->cnt = 0;
}

sm_zk_tp_t *
sm_zk_tps_add(sm_zk_tps_t *l, const char *topic, int32_t p)
{
    sm_zk_tp_t *tp;

    l->v = sm_realloc(l->v, sizeof(*l->v) * (size_t)(l->cnt + 1));
    tp = &l->v[l->cnt++];
    memset(tp, 0, sizeof(*tp));
    tp->topic = sm_strdup(topic);
    tp->partition = p;
    return tp;
}

/* {"version":1,"partitions":[{"topic":..,"partition":..[,"replicas":..]}]} */
static char *
sm_zk_tps_encode(const sm_zk_tps_t *l, int with_replicas)
{
    json_t *j = json_object(), *a = json_array();
    sm_zkw_t w = { 0 };

    for (int i = 0; i < l->cnt; i++) {
        json_t *o = json_object();
        sm_zkw_set(&w, o, "topic", json_string(l->v[i].topic));
        sm_zkw_set(&w, o, "partition", json_integer(l->v[i].partition));
        if (with_replicas)
            sm_zkw_set(&w, o, "replicas", sm_zkw_ints(&l->v[i].replicas));
        json_array_append_new(a, o);
    }
    sm_zkw_set(&w, j, "version", json_integer(1));
    sm_zkw_set(&w, j, "partitions", a);
    return sm_zkw_finish(&w, j);
}

static sm_err_t
sm_zk_tps_decode(const char *path, const char *data, int len,
                 sm_zk_tps_t *l, int with_replicas, char *errstr,
                 size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j, *a, *o;
    size_t i;

    memset(l, 0, sizeof(*l));
    j = sm_zkr_parse_object(&r, data, len);
    a = sm_zkr_typed(&r, j, "partitions", 1, JSON_ARRAY);
    json_array_foreach(a, i, o) {
        const char *topic;
        int32_t p;

        if (r.failed)
            break;
        if (!json_is_object(o)) {
            sm_zkr_fail(&r, "partitions[%zu] is not an object", i);
            break;
        }
        topic = sm_zkr_str(&r, o, "topic", 1);
        p = sm_zkr_i32(&r, o, "partition", 1, -1);
        if (r.failed)
            break;
        sm_zk_tp_t *tp = sm_zk_tps_add(l, topic, p);
        if (with_replicas)
            sm_zkr_ints(&r, sm_zkr_get(&r, o, "replicas", 1),
                        "\"replicas\"", &tp->replicas);
    }
    json_decref(j);
    if (r.failed) {
        sm_zk_tps_fini(l);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

char *
sm_zk_reassignment_encode(const sm_zk_tps_t *l)
{
    return sm_zk_tps_encode(l, 1);
}

sm_err_t
sm_zk_reassignment_decode(const char *path, const char *data, int len,
                          sm_zk_tps_t *l, char *errstr, size_t errstr_size)
{
    return sm_zk_tps_decode(path, data, len, l, 1, errstr, errstr_size);
}

char *
sm_zk_preferred_election_encode(const sm_zk_tps_t *l)
{
    return sm_zk_tps_encode(l, 0);
}

sm_err_t
sm_zk_preferred_election_decode(const char *path, const char *data, int len,
                                sm_zk_tps_t *l, char *errstr,
                                size_t errstr_size)
{
    return sm_zk_tps_decode(path, data, len, l, 0, errstr, errstr_size);
}

char *
sm_zk_isr_change_encode(const sm_zk_tps_t *l)
{
    return sm_zk_tps_encode(l, 0);
}

sm_err_t
sm_zk_isr_change_decode(const char *path, const char *data, int len,
                        sm_zk_tps_t *l, char *errstr, size_t errstr_size)
{
    return sm_zk_tps_decode(path, data, len, l, 0, errstr, errstr_size);
}

/* ------------------------------------------------------------ configs */

void
sm_zk_config_fini(sm_zk_config_t *c)
{
    for (int i = 0; i < c->cnt; i++) {
        sm_free(c->keys[i]);
        sm_free(c->values[i]);
    }
    sm_free(c->keys);
    sm_free(c->values);
    memset(c, 0, sizeof(*c));
}

void
sm_zk_config_set(sm_zk_config_t *c, const char *key, const char *value)
{
    for (int i = 0; i < c->cnt; i++) {
        if (strcmp(c->keys[i], key) == 0) {
            sm_free(c->values[i]);
            c->values[i] = sm_strdup(value);
            return;
        }
    }
    c->keys = sm_realloc(c->keys, sizeof(char *) * (size_t)(c->cnt + 1));
    c->values = sm_realloc(c->values, sizeof(char *) * (size_t)(c->cnt + 1));
    c->keys[c->cnt] = sm_strdup(key);
    c->values[c->cnt] = sm_strdup(value);
    c->cnt++;
}

void
sm_zk_config_unset(sm_zk_config_t *c, const char *key)
{
    for (int i = 0; i < c->cnt; i++) {
        if (strcmp(c->keys[i], key) != 0)
            continue;
        sm_free(c->keys[i]);
        sm_free(c->values[i]);
        memmove(&c->keys[i], &c->keys[i + 1],
                sizeof(char *) * (size_t)(c->cnt - i - 1));
        memmove(&c->values[i], &c->values[i + 1],
                sizeof(char *) * (size_t)(c->cnt - i - 1));
        c->cnt--;
        return;
    }
}

const char *
sm_zk_config_get(const sm_zk_config_t *c, const char *key)
{
    for (int i = 0; i < c->cnt; i++)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return NULL;
}

char *
sm_zk_config_encode(const sm_zk_config_t *c)
{
    json_t *j = json_object(), *cfg = json_object();
    sm_zkw_t w = { 0 };

    for (int i = 0; i < c->cnt; i++)
        sm_zkw_set(&w, cfg, c->keys[i], json_string(c->values[i]));
    sm_zkw_set(&w, j, "version", json_integer(1));
    sm_zkw_set(&w, j, "config", cfg);
    return sm_zkw_finish(&w, j);
}

sm_err_t
sm_zk_config_decode(const char *path, const char *data, int len,
                    sm_zk_config_t *c, char *errstr, size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j, *cfg, *v;
    const char *key;

    memset(c, 0, sizeof(*c));
    if (data == NULL || len <= 0)
        return SM_OK;           /* Kafka: no data, no overrides */
    j = sm_zkr_parse_object(&r, data, len);
    cfg = sm_zkr_typed(&r, j, "config", 0, JSON_OBJECT);
    json_object_foreach(cfg, key, v) {
        if (!json_is_string(v)) {
            sm_zkr_fail(&r, "config value of \"%s\" is not a string", key);
            break;
        }
        sm_zk_config_set(c, key, json_string_value(v));
    }
    json_decref(j);
    if (r.failed) {
        sm_zk_config_fini(c);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

/* ------------------------------------------------------------ changes */

void
sm_zk_config_change_fini(sm_zk_config_change_t *c)
{
    sm_free(c->entity_name);
    memset(c, 0, sizeof(*c));
}

char *
sm_zk_config_change_encode(sm_zk_entity_t type, const char *name)
{
    const char *tname = sm_zk_entity_name(type);
    json_t *j;
    sm_zkw_t w = { 0 };
    char *entity_path;

    if (tname == NULL || name == NULL)
        return NULL;
    entity_path = sm_asprintf("%s/%s", tname, name);
    j = json_object();
    sm_zkw_set(&w, j, "version", json_integer(2));
    sm_zkw_set(&w, j, "entity_path", json_string(entity_path));
    sm_free(entity_path);
    return sm_zkw_finish(&w, j);
}

static void
sm_zk_config_change_v1(sm_zkr_t *r, json_t *j, sm_zk_config_change_t *c)
{
    const char *type = sm_zkr_str(r, j, "entity_type", 1);
    const char *name = sm_zkr_str(r, j, "entity_name", 1);
    int t = type ? sm_zk_entity_parse(type, strlen(type)) : -1;

    if (r->failed)
        return;
    /* DynamicConfigManager: version 1 only knew topics and clients */
    if (t != SM_ZK_ENTITY_TOPICS && t != SM_ZK_ENTITY_CLIENTS) {
        sm_zkr_fail(r, "\"entity_type\" must be topics or clients");
        return;
    }
    c->entity_type = (sm_zk_entity_t)t;
    c->entity_name = sm_strdup(name);
}

static void
sm_zk_config_change_v2(sm_zkr_t *r, json_t *j, sm_zk_config_change_t *c)
{
    const char *ep = sm_zkr_str(r, j, "entity_path", 1);
    const char *slash = ep ? strchr(ep, '/') : NULL;
    int t;

    if (r->failed)
        return;
    t = slash ? sm_zk_entity_parse(ep, (size_t)(slash - ep)) : -1;
    if (t < 0 || slash[1] == '\0') {
        sm_zkr_fail(r, "\"entity_path\" is not <entity type>/<name>");
        return;
    }
    c->entity_type = (sm_zk_entity_t)t;
    c->entity_name = sm_strdup(slash + 1);
}

sm_err_t
sm_zk_config_change_decode(const char *path, const char *data, int len,
                           sm_zk_config_change_t *c, char *errstr,
                           size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j = sm_zkr_parse(&r, data, len);

    memset(c, 0, sizeof(*c));
    if (json_is_string(j)) {
        /* 0.8.2's TopicConfigManager: the topic name as a JSON string */
        c->version = 0;
        c->entity_type = SM_ZK_ENTITY_TOPICS;
        c->entity_name = sm_strdup(json_string_value(j));
    } else if (json_is_object(j)) {
        c->version = sm_zkr_i32(&r, j, "version", 1, 0);
        if (c->version == 1)
            sm_zk_config_change_v1(&r, j, c);
        else if (c->version == 2)
            sm_zk_config_change_v2(&r, j, c);
        else if (!r.failed)
            sm_zkr_fail(&r, "unsupported version %d", c->version);
    } else if (j != NULL) {
        sm_zkr_fail(&r, "expected a JSON object or string");
    }
    json_decref(j);
    if (r.failed) {
        sm_zk_config_change_fini(c);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

/* ------------------------------------------------------------ log dirs */

char *
sm_zk_log_dir_event_encode(int32_t broker_id)
{
    json_t *j = json_object();
    sm_zkw_t w = { 0 };

    sm_zkw_set(&w, j, "version", json_integer(1));
    sm_zkw_set(&w, j, "broker", json_integer(broker_id));
    sm_zkw_set(&w, j, "event", json_integer(1));   /* LogDirFailure */
    return sm_zkw_finish(&w, j);
}

sm_err_t
sm_zk_log_dir_event_decode(const char *path, const char *data, int len,
                           int32_t *broker_id, char *errstr,
                           size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j = sm_zkr_parse_object(&r, data, len);

    *broker_id = sm_zkr_i32(&r, j, "broker", 1, -1);
    json_decref(j);
    return r.failed ? SM_ERR__BAD_MSG : SM_OK;
}

/* ------------------------------------------------------------ cluster id */

char *
sm_zk_cluster_id_encode(const char *id)
{
    json_t *j = json_object();
    sm_zkw_t w = { 0 };

    sm_zkw_set(&w, j, "version", json_string("1"));
    sm_zkw_set(&w, j, "id", id ? json_string(id) : NULL);
    return sm_zkw_finish(&w, j);
}

sm_err_t
sm_zk_cluster_id_decode(const char *path, const char *data, int len,
                        char **id, char *errstr, size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j = sm_zkr_parse_object(&r, data, len);
    const char *s = sm_zkr_str(&r, j, "id", 1);

    *id = r.failed ? NULL : sm_strdup(s);
    json_decref(j);
    return r.failed ? SM_ERR__BAD_MSG : SM_OK;
}

/* ------------------------------------------------------------ pid block */

char *
sm_zk_pid_block_encode(const sm_zk_pid_block_t *b)
{
    json_t *j = json_object();
    sm_zkw_t w = { 0 };

    sm_zkw_set(&w, j, "version", json_integer(1));
    sm_zkw_set(&w, j, "broker", json_integer(b->broker));
    sm_zkw_set(&w, j, "block_start", sm_zkw_i64_str(b->block_start));
    sm_zkw_set(&w, j, "block_end", sm_zkw_i64_str(b->block_end));
    return sm_zkw_finish(&w, j);
}

sm_err_t
sm_zk_pid_block_decode(const char *path, const char *data, int len,
                       sm_zk_pid_block_t *b, char *errstr,
                       size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j;

    memset(b, 0, sizeof(*b));
    if (data == NULL || len <= 0)
        return SM_ERR__NOENT;   /* created empty at start-up */
    j = sm_zkr_parse_object(&r, data, len);
    b->broker = sm_zkr_i32(&r, j, "broker", 1, -1);
    b->block_start = sm_zkr_i64_str(&r, j, "block_start", 1, -1);
    b->block_end = sm_zkr_i64_str(&r, j, "block_end", 1, -1);
    if (!r.failed && (b->block_start < 0 || b->block_end < b->block_start))
        sm_zkr_fail(&r, "block [%lld, %lld] is empty or negative",
                    (long long)b->block_start, (long long)b->block_end);
    json_decref(j);
    return r.failed ? SM_ERR__BAD_MSG : SM_OK;
}

/* ------------------------------------------------------------ consumers */

void
sm_zk_consumer_reg_fini(sm_zk_consumer_reg_t *reg)
{
    for (int i = 0; i < reg->cnt; i++)
        sm_free(reg->topics[i]);
    sm_free(reg->topics);
    sm_free(reg->streams);
    sm_free(reg->pattern);
    memset(reg, 0, sizeof(*reg));
}

char *
sm_zk_consumer_reg_encode(const sm_zk_consumer_reg_t *reg)
{
    json_t *j = json_object(), *sub = json_object();
    sm_zkw_t w = { 0 };

    for (int i = 0; i < reg->cnt; i++)
        sm_zkw_set(&w, sub, reg->topics[i], json_integer(reg->streams[i]));
    sm_zkw_set(&w, j, "version", json_integer(1));
    sm_zkw_set(&w, j, "subscription", sub);
    sm_zkw_set(&w, j, "pattern",
               json_string(reg->pattern ? reg->pattern : "static"));
    sm_zkw_set(&w, j, "timestamp", sm_zkw_i64_str(reg->timestamp));
    return sm_zkw_finish(&w, j);
}

sm_err_t
sm_zk_consumer_reg_decode(const char *path, const char *data, int len,
                          sm_zk_consumer_reg_t *reg, char *errstr,
                          size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);
    json_t *j, *sub, *v;
    const char *pattern, *key;
    size_t n;

    memset(reg, 0, sizeof(*reg));
    j = sm_zkr_parse_object(&r, data, len);
    pattern = sm_zkr_str(&r, j, "pattern", 1);
    sub = sm_zkr_typed(&r, j, "subscription", 1, JSON_OBJECT);
    reg->timestamp = sm_zkr_i64_str(&r, j, "timestamp", 0, -1);
    if (!r.failed) {
        reg->pattern = sm_strdup(pattern);
        n = json_object_size(sub);
        reg->topics = sm_calloc(n + 1, sizeof(char *));
        reg->streams = sm_calloc(n + 1, sizeof(int32_t));
    }
    json_object_foreach(sub, key, v) {
        if (r.failed)
            break;
        reg->streams[reg->cnt] = sm_zkr_i32_of(&r, v, "stream count");
        reg->topics[reg->cnt++] = sm_strdup(key);
    }
    json_decref(j);
    if (r.failed) {
        sm_zk_consumer_reg_fini(reg);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

char *
sm_zk_consumer_owner_encode(const char *consumer_id, int thread_no)
{
    return sm_asprintf("%s-%d", consumer_id, thread_no);
}

char *
sm_zk_consumer_offset_encode(int64_t offset)
{
    return sm_asprintf("%lld", (long long)offset);
}

sm_err_t
sm_zk_consumer_offset_decode(const char *path, const char *data, int len,
                             int64_t *offset, char *errstr,
                             size_t errstr_size)
{
    sm_zkr_t r = SM_ZKR_INIT(path, errstr, errstr_size);

    *offset = -1;
    return sm_zk_decimal_decode(&r, data, len, INT64_MIN, INT64_MAX, offset);
}
