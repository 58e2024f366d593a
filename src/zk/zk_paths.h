/*
 * zk_paths.h: every znode samsa reads or writes - Kafka's kafka.zk.ZkData.
 *
 * zk_paths.c is the only code in samsa that spells a znode path or a JSON
 * key (STYLE.md §2).  Per znode there is a path function and, when the
 * znode has a payload, an encoder and a decoder.  zkschema/ documents each
 * payload (path, mode, fields, example, writers and readers) with a
 * machine-readable JSON Schema; keep the two in step.
 *
 * OWNERSHIP.  Path functions with parameters return heap strings the
 * caller frees; fixed paths are returned as static strings.  Encoders
 * return a heap NUL-terminated string (compact JSON, or plain text where
 * Kafka writes text) that the caller frees.  Decoders fill a caller-owned
 * struct whose heap members are released by its _fini(); on failure the
 * struct is left empty (fini is still safe).
 *
 * DECODING.  Decoders accept what every Kafka release from 0.8.2 to 2.8
 * writes (versions listed per znode) and reject anything else - malformed
 * JSON, wrong types, out-of-range numbers, missing required keys - with
 * SM_ERR__BAD_MSG and a message in errstr naming the znode path, the key
 * and the problem.  Data written by other programs is input, never trusted:
 * decoders never assert on it.  data/len are the znode's bytes (data NULL
 * and len -1 for a znode without data, as sm_zk_get() returns them).
 *
 * THREADS.  Pure functions of their arguments; any thread.
 */
#ifndef SM_ZK_ZK_PATHS_H
#define SM_ZK_ZK_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_err.h"

/* A heap array of int32 (broker ids).  sm_zk_ints_fini() frees. */
typedef struct sm_zk_ints {
    int32_t *v;
    int cnt;
} sm_zk_ints_t;

void sm_zk_ints_fini(sm_zk_ints_t *l);
void sm_zk_ints_set(sm_zk_ints_t *l, const int32_t *v, int cnt);

/* ------------------------------------------------------------ paths */

/* The persistent paths Kafka 2.8 creates at broker start-up
 * (ZkData.PersistentZkPaths), in creation order.  Static. */
const char *const *sm_zk_persistent_paths(int *cnt);

const char *sm_zk_path_broker_ids(void);            /* /brokers/ids */
const char *sm_zk_path_broker_seqid(void);          /* /brokers/seqid */
const char *sm_zk_path_topics(void);                /* /brokers/topics */
const char *sm_zk_path_controller(void);            /* /controller */
const char *sm_zk_path_controller_epoch(void);      /* /controller_epoch */
const char *sm_zk_path_delete_topics(void);         /* /admin/delete_topics */
const char *sm_zk_path_reassign_partitions(void);
const char *sm_zk_path_preferred_replica_election(void);
const char *sm_zk_path_config_changes(void);        /* /config/changes */
/* /isr_change_notification */
const char *sm_zk_path_isr_changes(void);
const char *sm_zk_path_log_dir_events(void);
const char *sm_zk_path_cluster_id(void);            /* /cluster/id */
/* /latest_producer_id_block */
const char *sm_zk_path_producer_id_block(void);
const char *sm_zk_path_consumers(void);             /* /consumers */

/* Heap strings: */
char *sm_zk_path_broker(int32_t id);                /* /brokers/ids/<id> */
char *sm_zk_path_topic(const char *topic);          /* /brokers/topics/<t> */
char *sm_zk_path_topic_partitions(const char *topic);     /* .../partitions */
/* .../partitions/<p> */
char *sm_zk_path_partition(const char *topic, int32_t p);
char *sm_zk_path_partition_state(const char *topic, int32_t p); /* .../state */
/* /admin/delete_topics/<t> */
char *sm_zk_path_delete_topic(const char *topic);

/* Sequential notification znodes.  _prefix() is the create path handed to
 * a PERSISTENT_SEQUENTIAL create (static); the per-child functions build
 * the full path from a child name as sm_zk_get_children() lists it; _seq()
 * returns the sequence-number part of a child name (Kafka's
 * sequenceNumber()), pointing into child, or NULL if child is not such a
 * notification. */
/* /config/changes/config_change_ */
const char *sm_zk_config_change_prefix(void);
char *sm_zk_path_config_change(const char *child);
const char *sm_zk_config_change_seq(const char *child);
/* /isr_change_notification/isr_change_ */
const char *sm_zk_isr_change_prefix(void);
char *sm_zk_path_isr_change(const char *child);
const char *sm_zk_isr_change_seq(const char *child);
const char *sm_zk_log_dir_event_prefix(void);
char *sm_zk_path_log_dir_event(const char *child);
const char *sm_zk_log_dir_event_seq(const char *child);

/* Legacy (0.8) high-level consumer znodes. */
char *sm_zk_path_consumer_ids(const char *group);   /* /consumers/<g>/ids */
char *sm_zk_path_consumer_id(const char *group, const char *consumer_id);
char *sm_zk_path_consumer_owner(const char *group, const char *topic,
                                int32_t p);         /* .../owners/<t>/<p> */
char *sm_zk_path_consumer_offset(const char *group, const char *topic,
                                 int32_t p);        /* .../offsets/<t>/<p> */
char *sm_zk_path_consumer_group(const char *group); /* /consumers/<g> */
char *sm_zk_path_consumer_offsets(const char *group);   /* .../offsets */
char *sm_zk_path_consumer_topic_offsets(const char *group,
                                        const char *topic); /* .../<t> */
char *sm_zk_path_consumer_topic_owners(const char *group,
                                       const char *topic); /* owners/<t> */

/* ------------------------------------------------------------ configs */

/* Kafka's ConfigType: the second component of /config/<type>/<name>. */
typedef enum sm_zk_entity {
    SM_ZK_ENTITY_TOPICS = 0,
    SM_ZK_ENTITY_CLIENTS,
    SM_ZK_ENTITY_USERS,
    SM_ZK_ENTITY_BROKERS,
    SM_ZK_ENTITY_IPS,
    SM_ZK_ENTITY_CNT
} sm_zk_entity_t;

/* Kafka's ConfigEntityName.Default: the entity name of defaults
 * (/config/brokers/<default>, /config/clients/<default>). */
#define SM_ZK_DEFAULT_ENTITY "<default>"

const char *sm_zk_entity_name(sm_zk_entity_t type);        /* "topics" */
/* "topics" -> SM_ZK_ENTITY_TOPICS; -1 if unknown. */
int sm_zk_entity_parse(const char *name, size_t len);
const char *sm_zk_path_entity_type(sm_zk_entity_t type);   /* /config/topics */
/* /config/<type>/<name>; name is already sanitized (Kafka's Sanitizer) and
 * may be hierarchical ("<user>/clients/<client-id>"). */
char *sm_zk_path_entity_config(sm_zk_entity_t type, const char *name);

/* ------------------------------------------------------------ payloads */

/* /brokers/ids/<id> (ephemeral): broker registration, JSON v1-v5. */
typedef struct sm_zk_endpoint {
    char *listener;             /* listener name, upper case ("PLAINTEXT") */
    char *protocol;             /* security protocol: PLAINTEXT, SSL,
                                 * SASL_PLAINTEXT, SASL_SSL */
    char *host;                 /* "" for none */
    int32_t port;
} sm_zk_endpoint_t;

typedef struct sm_zk_feature {  /* v5 supported feature range */
    char *name;
    int32_t min_version;
    int32_t max_version;
} sm_zk_feature_t;

typedef struct sm_zk_broker {
    int version;                /* 1..5; samsa writes 4 */
    sm_zk_endpoint_t *endpoints;
    int endpoint_cnt;
    char *rack;                 /* NULL: none (written for version >= 3) */
    int32_t jmx_port;           /* -1: none */
    int64_t timestamp;          /* registration time, ms (a string in JSON);
                                 * -1 if absent or unparsable */
    sm_zk_feature_t *features;  /* version >= 5 */
    int feature_cnt;
} sm_zk_broker_t;

void sm_zk_broker_fini(sm_zk_broker_t *b);
/* Append an endpoint (copies the strings; listener upper-cased). */
void sm_zk_broker_add_endpoint(sm_zk_broker_t *b, const char *listener,
                               const char *protocol, const char *host,
                               int32_t port);
/* JSON of b->version (1..5); NULL if the version is out of range. */
char *sm_zk_broker_encode(const sm_zk_broker_t *b);
sm_err_t sm_zk_broker_decode(const char *path, const char *data, int len,
                             sm_zk_broker_t *b, char *errstr,
                             size_t errstr_size);

/* /brokers/topics/<t>: replica assignment, JSON v1-v3. */
typedef struct sm_zk_assignment {
    int32_t partition;
    sm_zk_ints_t replicas;
    sm_zk_ints_t adding;        /* KIP-455 reassignment in progress */
    sm_zk_ints_t removing;
} sm_zk_assignment_t;

typedef struct sm_zk_topic {
    int version;                /* as decoded; the encoder writes 2, or 3
                                 * when topic_id is set */
    char *topic_id;             /* NULL, or the 22-char base64 topic id */
    sm_zk_assignment_t *parts;  /* sorted by partition, no duplicates */
    int part_cnt;
} sm_zk_topic_t;

void sm_zk_topic_fini(sm_zk_topic_t *t);
/* Append partition p with the given replicas (copied). */
sm_zk_assignment_t *sm_zk_topic_add(sm_zk_topic_t *t, int32_t p,
                                    const int32_t *replicas, int cnt);
const sm_zk_assignment_t *sm_zk_topic_find(const sm_zk_topic_t *t,
                                           int32_t p);
char *sm_zk_topic_encode(const sm_zk_topic_t *t);
sm_err_t sm_zk_topic_decode(const char *path, const char *data, int len,
                            sm_zk_topic_t *t, char *errstr,
                            size_t errstr_size);

/* /brokers/topics/<t>/partitions/<p>/state: leader and ISR, JSON v1. */
typedef struct sm_zk_part_state {
    int32_t leader;             /* -1: none */
    int32_t leader_epoch;
    int32_t controller_epoch;
    sm_zk_ints_t isr;
    int32_t zk_version;         /* the znode's dataVersion (not in the JSON:
                                 * filled by readers; LeaderAndIsr's
                                 * ZkVersion) */
} sm_zk_part_state_t;

void sm_zk_part_state_fini(sm_zk_part_state_t *s);
char *sm_zk_part_state_encode(const sm_zk_part_state_t *s);
sm_err_t sm_zk_part_state_decode(const char *path, const char *data,
                                 int len, sm_zk_part_state_t *s,
                                 char *errstr, size_t errstr_size);

/* /controller (ephemeral): {"version":1,"brokerid":N,"timestamp":"ms"}.
 * The decoder also takes the bare integer 0.8.0 wrote and Kafka 3.x's
 * version 2. */
char *sm_zk_controller_encode(int32_t broker_id, int64_t timestamp_ms);
sm_err_t sm_zk_controller_decode(const char *path, const char *data,
                                 int len, int32_t *broker_id, char *errstr,
                                 size_t errstr_size);

/* /controller_epoch: the epoch as ASCII decimal. */
char *sm_zk_controller_epoch_encode(int32_t epoch);
sm_err_t sm_zk_controller_epoch_decode(const char *path, const char *data,
                                       int len, int32_t *epoch,
                                       char *errstr, size_t errstr_size);

/* Topic-partition lists: /admin/reassign_partitions (with replicas),
 * /admin/preferred_replica_election and
 * /isr_change_notification/isr_change_<seq> (without). */
typedef struct sm_zk_tp {
    char *topic;
    int32_t partition;
    sm_zk_ints_t replicas;      /* reassignment only */
} sm_zk_tp_t;

typedef struct sm_zk_tps {
    sm_zk_tp_t *v;
    int cnt;
} sm_zk_tps_t;

void sm_zk_tps_fini(sm_zk_tps_t *l);
sm_zk_tp_t *sm_zk_tps_add(sm_zk_tps_t *l, const char *topic, int32_t p);

char *sm_zk_reassignment_encode(const sm_zk_tps_t *l);
sm_err_t sm_zk_reassignment_decode(const char *path, const char *data,
                                   int len, sm_zk_tps_t *l, char *errstr,
                                   size_t errstr_size);
char *sm_zk_preferred_election_encode(const sm_zk_tps_t *l);
sm_err_t sm_zk_preferred_election_decode(const char *path, const char *data,
                                         int len, sm_zk_tps_t *l,
                                         char *errstr, size_t errstr_size);
char *sm_zk_isr_change_encode(const sm_zk_tps_t *l);
sm_err_t sm_zk_isr_change_decode(const char *path, const char *data,
                                 int len, sm_zk_tps_t *l, char *errstr,
                                 size_t errstr_size);

/* /config/<type>/<name>: {"version":1,"config":{"k":"v",...}}.  A znode
 * without data decodes as an empty config, as in Kafka. */
typedef struct sm_zk_config {
    char **keys;
    char **values;
    int cnt;
} sm_zk_config_t;

void sm_zk_config_fini(sm_zk_config_t *c);
/* Add or replace key (both strings copied). */
void sm_zk_config_set(sm_zk_config_t *c, const char *key, const char *value);
/* Remove key if present (order of the others kept). */
void sm_zk_config_unset(sm_zk_config_t *c, const char *key);
/* The value of key, or NULL. */
const char *sm_zk_config_get(const sm_zk_config_t *c, const char *key);
char *sm_zk_config_encode(const sm_zk_config_t *c);
sm_err_t sm_zk_config_decode(const char *path, const char *data, int len,
                             sm_zk_config_t *c, char *errstr,
                             size_t errstr_size);

/* /config/changes/config_change_<seq>: which entity's config changed.
 * Decodes 0.8.2's JSON string (a topic name), v1 (entity_type +
 * entity_name, topics/clients only) and v2 (entity_path); encodes v2. */
typedef struct sm_zk_config_change {
    int version;                /* 0 (0.8.2), 1 or 2 */
    sm_zk_entity_t entity_type;
    char *entity_name;          /* sanitized; may be "<user>/clients/<c>" */
} sm_zk_config_change_t;

void sm_zk_config_change_fini(sm_zk_config_change_t *c);
char *sm_zk_config_change_encode(sm_zk_entity_t type, const char *name);
sm_err_t sm_zk_config_change_decode(const char *path, const char *data,
                                    int len, sm_zk_config_change_t *c,
                                    char *errstr, size_t errstr_size);

/* /log_dir_event_notification/log_dir_event_<seq>:
 * {"version":1,"broker":N,"event":1} (1 = log dir failure). */
char *sm_zk_log_dir_event_encode(int32_t broker_id);
sm_err_t sm_zk_log_dir_event_decode(const char *path, const char *data,
                                    int len, int32_t *broker_id,
                                    char *errstr, size_t errstr_size);

/* /cluster/id: {"version":"1","id":"<22-char base64>"} - the version is a
 * JSON string. */
char *sm_zk_cluster_id_encode(const char *id);
sm_err_t sm_zk_cluster_id_decode(const char *path, const char *data,
                                 int len, char **id, char *errstr,
                                 size_t errstr_size);
/* A new random id as Kafka generates cluster and topic ids: a version-4
 * UUID's 16 bytes in URL-safe base64 without padding (22 chars).  Heap. */
char *sm_zk_uuid_base64(void);

/* /latest_producer_id_block: {"version":1,"broker":N,"block_start":"0",
 * "block_end":"999"} (start and end are strings, both inclusive).  The
 * znode exists without data before the first block: the decoder returns
 * SM_ERR__NOENT for that. */
typedef struct sm_zk_pid_block {
    int32_t broker;
    int64_t block_start;
    int64_t block_end;
} sm_zk_pid_block_t;

char *sm_zk_pid_block_encode(const sm_zk_pid_block_t *b);
sm_err_t sm_zk_pid_block_decode(const char *path, const char *data, int len,
                                sm_zk_pid_block_t *b, char *errstr,
                                size_t errstr_size);

/* /consumers/<g>/ids/<consumerId> (ephemeral, 0.8 consumers):
 * {"version":1,"subscription":{"topic":streams},"pattern":"static",
 *  "timestamp":"ms"}; pattern is static, white_list or black_list (then the
 * single subscription key is the regex). */
typedef struct sm_zk_consumer_reg {
    char *pattern;
    char **topics;
    int32_t *streams;
    int cnt;
    int64_t timestamp;          /* -1 if absent */
} sm_zk_consumer_reg_t;

void sm_zk_consumer_reg_fini(sm_zk_consumer_reg_t *r);
char *sm_zk_consumer_reg_encode(const sm_zk_consumer_reg_t *r);
sm_err_t sm_zk_consumer_reg_decode(const char *path, const char *data,
                                   int len, sm_zk_consumer_reg_t *r,
                                   char *errstr, size_t errstr_size);

/* /consumers/<g>/owners/<t>/<p> (ephemeral): plain text
 * "<consumerId>-<threadNo>". */
char *sm_zk_consumer_owner_encode(const char *consumer_id, int thread_no);

/* /consumers/<g>/offsets/<t>/<p>: the offset as ASCII decimal. */
char *sm_zk_consumer_offset_encode(int64_t offset);
sm_err_t sm_zk_consumer_offset_decode(const char *path, const char *data,
                                      int len, int64_t *offset,
                                      char *errstr, size_t errstr_size);

#endif
