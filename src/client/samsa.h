/*
 * samsa.h: the public client API of samsa (libsamsa), first part: a
 * synchronous admin client.
 *
 * WHAT IS HERE.  A client handle built from Kafka-style properties
 * (bootstrap.servers, client.id, timeouts), and blocking admin calls that
 * do what Kafka's Java AdminClient does for topics: list, describe
 * (Metadata), describe configs, create, delete, add partitions, elect
 * leaders.  Each call
 * connects as needed, negotiates versions with ApiVersions, sends the
 * request to the right broker (the controller for changes, any broker for
 * reads), retries NOT_CONTROLLER and lost connections until the call's
 * deadline (default.api.timeout.ms), and returns.  Then a producer
 * (samsa_producer_*: batching, a background I/O thread, delivery
 * callbacks) and a consumer (samsa_consumer_*: manual assignment, or
 * subscription in a broker-coordinated consumer group).
 *
 * STABILITY.  Stable, and kept source-compatible from now on: the names
 * and meaning of the functions and struct fields below, samsa_err_t's
 * numbering (Kafka's error codes; local errors in -200..-100), the
 * configuration keys, the ownership rules.  Not stable: the struct sizes
 * of the result types (new fields may be appended - never allocate them
 * yourself), the exact wording of error messages, and samsa_conf_set()'s
 * set of recognized keys (it grows).  There is no ABI promise yet: the
 * library is built as a static archive only.
 *
 * ERRORS.  Every call returns a samsa_err_t: SAMSA_OK, a Kafka error code
 * (>= -1, Kafka's number and name, e.g. 36 TOPIC_ALREADY_EXISTS) or a
 * local error (<= -100: timed out, transport failure, bad input).  Calls
 * that can fail with a message take `char **errmsg`: on failure *errmsg
 * is a heap string (free() it) - the broker's ErrorMessage when it sent
 * one, else Kafka's default text for the code, else samsa's description;
 * on success it is NULL.  errmsg may be NULL.  Batched calls (create,
 * delete, add partitions, describe configs) return SAMSA_OK when the
 * request round trip worked and report each item's outcome in its result.
 *
 * MEMORY.  Everything a call returns is heap memory owned by the caller
 * and released with the matching _destroy/_free function.  Input structs
 * are borrowed for the duration of the call only.
 *
 * THREADS.  A samsa_client_t or samsa_consumer_t is used by one thread at
 * a time (calls block that thread).  A producer has an I/O thread of its
 * own, a group consumer a heartbeat thread (see below).  Different handles are independent.
 */
#ifndef SAMSA_H
#define SAMSA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ errors */

/* Kafka's error codes and samsa's local errors (same numbers as samsa's
 * internal sm_err_t). */
typedef int samsa_err_t;

#define SAMSA_OK 0

/* "TOPIC_ALREADY_EXISTS", "_TIMED_OUT"; "ERR_<n>" for an unknown code. */
const char *samsa_err_name(samsa_err_t err);
/* Kafka's default message for a wire code ("Topic with this name already
 * exists."), samsa's description for a local one. */
const char *samsa_err_message(samsa_err_t err);

/* ------------------------------------------------------------ config */

typedef struct samsa_conf samsa_conf_t;

/*
 * Keys (Kafka's names and defaults):
 *   bootstrap.servers                    host:port[,host:port...]; IPv6 as
 *                                        [addr]:port (required)
 *   client.id                            "" (sent as the request ClientId)
 *   request.timeout.ms                   30000: one request's round trip
 *   default.api.timeout.ms               60000: one call, retries included
 *   socket.connection.setup.timeout.ms   10000: one connect attempt
 *   retry.backoff.ms                     100
 *   security.protocol                    PLAINTEXT (the only one so far)
 *   samsa.max.response.bytes             104857600: larger responses are
 *                                        refused (samsa's own key)
 * samsa_conf_set() returns SAMSA_OK, or _CONFIG with a message in errstr
 * for an unknown key or a bad value (callers reading Kafka property files
 * may ignore unknown keys, as Kafka only warns about them).
 */
samsa_conf_t *samsa_conf_new(void);
void          samsa_conf_destroy(samsa_conf_t *conf);
samsa_err_t   samsa_conf_set(samsa_conf_t *conf, const char *key,
                             const char *value, char *errstr,
                             size_t errstr_size);

/* ------------------------------------------------------------ client */

typedef struct samsa_client samsa_client_t;

/* A client over a copy of conf (the caller still owns conf).  No I/O
 * happens here; a bad or missing bootstrap.servers fails with _CONFIG
 * and a message in errstr (NULL is returned). */
samsa_client_t *samsa_client_new(const samsa_conf_t *conf, char *errstr,
                                 size_t errstr_size);
/* Close every connection and free the client. */
void            samsa_client_destroy(samsa_client_t *client);

/* ------------------------------------------------------------ metadata */

typedef struct samsa_node {
    int32_t id;
    char   *host;
    int32_t port;
    char   *rack;                  /* NULL: none */
} samsa_node_t;

typedef struct samsa_partition_md {
    int32_t     partition;
    samsa_err_t err;
    int32_t     leader;            /* -1: none */
    int32_t    *replicas;
    int         replica_cnt;
    int32_t    *isr;
    int         isr_cnt;
    int32_t    *offline;
    int         offline_cnt;
} samsa_partition_md_t;

typedef struct samsa_topic_md {
    char                 *name;
    samsa_err_t           err;     /* e.g. UNKNOWN_TOPIC_OR_PARTITION */
    int                   is_internal;
    samsa_partition_md_t *partitions;   /* sorted by partition */
    int                   partition_cnt;
} samsa_topic_md_t;

typedef struct samsa_metadata {
    samsa_node_t     *brokers;     /* sorted by id */
    int               broker_cnt;
    int32_t           controller_id;    /* -1: unknown */
    char             *cluster_id;  /* NULL: unknown */
    samsa_topic_md_t *topics;      /* in the order asked (describe) */
    int               topic_cnt;
} samsa_metadata_t;

void samsa_metadata_destroy(samsa_metadata_t *md);

/* The live brokers, the controller and the cluster id, no topics
 * (AdminClient.describeCluster). */
samsa_err_t samsa_describe_cluster(samsa_client_t *client,
                                   samsa_metadata_t **mdp, char **errmsg);

/* Every topic name, sorted; internal topics only with include_internal
 * (AdminClient.listTopics).  Free with samsa_strings_free(). */
samsa_err_t samsa_list_topics(samsa_client_t *client, int include_internal,
                              char ***namesp, int *cntp, char **errmsg);
void        samsa_strings_free(char **v, int cnt);

/* The named topics, without creating any (AdminClient.describeTopics).
 * A topic that does not exist comes back with its err set. */
samsa_err_t samsa_describe_topics(samsa_client_t *client,
                                  const char *const *topics, int cnt,
                                  samsa_metadata_t **mdp, char **errmsg);

/* ------------------------------------------------------------ results */

/* The outcome of one item of a batched call. */
typedef struct samsa_result {
    char       *name;
    samsa_err_t err;
    char       *errmsg;            /* NULL on success */
} samsa_result_t;

void samsa_results_free(samsa_result_t *results, int cnt);

/* ------------------------------------------------------------ changes */

/* A replica list per partition, partitions 0..cnt-1 (or, for new
 * partitions, the new ones in order). */
typedef struct samsa_assignment {
    const int32_t *const *replicas;
    const int            *replica_cnts;
    int                   cnt;
} samsa_assignment_t;

typedef struct samsa_new_topic {
    const char *name;
    int32_t     num_partitions;      /* -1: the broker's num.partitions */
    int32_t     replication_factor;  /* -1: the broker's default; else
                                        1..32767 */
    const samsa_assignment_t *assignment;  /* NULL, or explicit (then both
                                        counts must be -1) */
    const char *const *config_names;
    const char *const *config_values;
    int         config_cnt;
} samsa_new_topic_t;

/* CreateTopics; *resultsp gets one result per topic, in order. */
samsa_err_t samsa_create_topics(samsa_client_t *client,
                                const samsa_new_topic_t *topics, int cnt,
                                int validate_only,
                                samsa_result_t **resultsp, char **errmsg);

/* DeleteTopics; one result per topic, in order. */
samsa_err_t samsa_delete_topics(samsa_client_t *client,
                                const char *const *topics, int cnt,
                                samsa_result_t **resultsp, char **errmsg);

typedef struct samsa_new_partitions {
    const char *topic;
    int32_t     total_count;       /* the new partition count */
    const samsa_assignment_t *assignment;  /* NULL: the broker assigns */
} samsa_new_partitions_t;

/* CreatePartitions; one result per topic, in order. */
samsa_err_t samsa_create_partitions(samsa_client_t *client,
                                    const samsa_new_partitions_t *parts,
                                    int cnt, int validate_only,
                                    samsa_result_t **resultsp,
                                    char **errmsg);

/* ------------------------------------------------------------ configs */

#define SAMSA_RESOURCE_TOPIC  2
#define SAMSA_RESOURCE_BROKER 4

/* Where a value comes from (Kafka's ConfigEntry.ConfigSource). */
#define SAMSA_CONFIG_SOURCE_UNKNOWN                 0
#define SAMSA_CONFIG_SOURCE_TOPIC                   1
#define SAMSA_CONFIG_SOURCE_DYNAMIC_BROKER          2
#define SAMSA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER  3
#define SAMSA_CONFIG_SOURCE_STATIC_BROKER           4
#define SAMSA_CONFIG_SOURCE_DEFAULT                 5

typedef struct samsa_config_entry {
    char *name;
    char *value;                   /* NULL: null or sensitive */
    int   source;                  /* SAMSA_CONFIG_SOURCE_* */
    int   is_default;              /* source == DEFAULT */
    int   is_read_only;
    int   is_sensitive;
} samsa_config_entry_t;

typedef struct samsa_resource_config {
    int                   type;    /* SAMSA_RESOURCE_* */
    char                 *name;
    samsa_err_t           err;
    char                 *errmsg;
    samsa_config_entry_t *entries;  /* in the broker's order */
    int                   entry_cnt;
} samsa_resource_config_t;

/* DescribeConfigs for cnt resources of one type (all keys); broker
 * resources go to that broker, topics to any broker. */
samsa_err_t samsa_describe_configs(samsa_client_t *client, int type,
                                   const char *const *names, int cnt,
                                   samsa_resource_config_t **resp,
                                   char **errmsg);
void        samsa_resource_configs_free(samsa_resource_config_t *v,
                                        int cnt);

/* ------------------------------------------------------------ groups */

/*
 * Consumer-group administration (AdminClient's listConsumerGroups,
 * describeConsumerGroups, listConsumerGroupOffsets, deleteConsumerGroups,
 * and the consumer's commitSync of an inactive group as Kafka's
 * kafka-consumer-groups.sh does it).  Group calls find the group's
 * coordinator with FindCoordinator and retry COORDINATOR_NOT_AVAILABLE,
 * NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS (after finding the
 * coordinator again) until the call's deadline.
 */

typedef struct samsa_group_listing {
    char *group_id;
    char *protocol_type;           /* "consumer", "" for offsets only */
} samsa_group_listing_t;

/* ListGroups to every live broker; the union, sorted by group id.  A
 * broker that fails fails the call. */
samsa_err_t samsa_list_groups(samsa_client_t *client,
                              samsa_group_listing_t **groupsp, int *cntp,
                              char **errmsg);
void        samsa_group_listings_free(samsa_group_listing_t *v, int cnt);

typedef struct samsa_topic_partition {
    char   *topic;
    int32_t partition;
} samsa_topic_partition_t;

typedef struct samsa_group_member {
    char *member_id;
    char *group_instance_id;       /* NULL: none */
    char *client_id;
    char *host;
    /* the consumer-protocol assignment, decoded (empty if the group's
     * protocol type is not "consumer" or the bytes do not parse); sorted
     * by topic, then partition */
    samsa_topic_partition_t *assignment;
    int   assignment_cnt;
} samsa_group_member_t;

typedef struct samsa_group_description {
    char        *group_id;
    samsa_err_t  err;              /* the group's ErrorCode */
    char        *state;            /* Stable, Empty, Dead, ... */
    char        *protocol_type;
    char        *protocol;         /* the assignor ("range"), may be "" */
    samsa_node_t coordinator;      /* host heap; id -1 if unknown */
    samsa_group_member_t *members; /* in the broker's order */
    int          member_cnt;
} samsa_group_description_t;

/* FindCoordinator + DescribeGroups per group; one description per group,
 * in order.  A group that does not exist is described as Dead with no
 * members (Kafka's answer), not as an error. */
samsa_err_t samsa_describe_groups(samsa_client_t *client,
                                  const char *const *groups, int cnt,
                                  samsa_group_description_t **resp,
                                  char **errmsg);
void        samsa_group_descriptions_free(samsa_group_description_t *v,
                                          int cnt);

/* A partition's offset: a committed one (with metadata) or a log one. */
typedef struct samsa_partition_offset {
    char       *topic;
    int32_t     partition;
    int64_t     offset;            /* -1: none */
    char       *metadata;          /* committed metadata; NULL: none */
    samsa_err_t err;
} samsa_partition_offset_t;

void samsa_partition_offsets_free(samsa_partition_offset_t *v, int cnt);

/* OffsetFetch for every partition the group has committed (v2+), sorted
 * by topic and partition; partitions without an offset, or answered with
 * an error, are left out. */
samsa_err_t samsa_list_group_offsets(samsa_client_t *client,
                                     const char *group,
                                     samsa_partition_offset_t **offsetsp,
                                     int *cntp, char **errmsg);

/* OffsetCommit of offsets[0..cnt) (offset and metadata; err is set per
 * partition) as a client outside the group: GenerationId -1, empty
 * MemberId.  The coordinator accepts it only while the group has no
 * members (else UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS, per item).
 * SAMSA_OK when the round trip worked. */
samsa_err_t samsa_alter_group_offsets(samsa_client_t *client,
                                      const char *group,
                                      samsa_partition_offset_t *offsets,
                                      int cnt, char **errmsg);

/* DeleteGroups, each group to its coordinator; one result per group, in
 * order (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, ...). */
samsa_err_t samsa_delete_groups(samsa_client_t *client,
                                const char *const *groups, int cnt,
                                samsa_result_t **resultsp, char **errmsg);

/* OffsetDelete (KIP-496): remove the group's committed offsets of
 * parts[0..cnt) (topic and partition set by the caller; err is set per
 * partition, to the group-level error when there is one).  *group_errp
 * gets the response's group-level ErrorCode (NON_EMPTY_GROUP,
 * GROUP_ID_NOT_FOUND, ...).  SAMSA_OK when the round trip worked. */
samsa_err_t samsa_delete_group_offsets(samsa_client_t *client,
                                       const char *group,
                                       samsa_partition_offset_t *parts,
                                       int cnt, samsa_err_t *group_errp,
                                       char **errmsg);

/* The earliest / latest offset of a partition, or the first offset whose
 * timestamp is >= a time (ListOffsets to each partition's leader). */
#define SAMSA_OFFSET_SPEC_LATEST    (-1)
#define SAMSA_OFFSET_SPEC_EARLIEST  (-2)

/* For parts[0..cnt) (topic and partition set by the caller) fill offset
 * and err; spec is SAMSA_OFFSET_SPEC_* or a timestamp in ms (offset -1:
 * no record that late).  Leaders come from a Metadata request; a
 * partition that does not exist gets UNKNOWN_TOPIC_OR_PARTITION.
 * SAMSA_OK unless the metadata could not be had. */
samsa_err_t samsa_list_offsets(samsa_client_t *client,
                               samsa_partition_offset_t *parts, int cnt,
                               int64_t spec, char **errmsg);

/* ------------------------------------------------------------ elections */

/* Election types (Kafka's ElectionType). */
#define SAMSA_ELECTION_PREFERRED 0
#define SAMSA_ELECTION_UNCLEAN   1

/* samsa_topic_partition_t: see the groups section below. */

/* The outcome of one partition's election. */
typedef struct samsa_election_result {
    char       *topic;
    int32_t     partition;
    samsa_err_t err;               /* SAMSA_OK: elected; e.g. 84
                                      ELECTION_NOT_NEEDED, 80
                                      PREFERRED_LEADER_NOT_AVAILABLE, 83
                                      ELIGIBLE_LEADERS_NOT_AVAILABLE, 3
                                      UNKNOWN_TOPIC_OR_PARTITION */
    char       *errmsg;            /* NULL on success */
} samsa_election_result_t;

/*
 * ElectLeaders at the controller (AdminClient.electLeaders).  type:
 * SAMSA_ELECTION_PREFERRED moves leadership to each partition's first
 * assigned replica if it is live and in the ISR; SAMSA_ELECTION_UNCLEAN
 * gives partitions without a live leader one, out of the ISR if no ISR
 * replica is alive.  partitions == NULL (cnt ignored) asks for every
 * partition of the cluster; the results then list only the partitions
 * that were elected or failed, not those that needed no election.
 * Otherwise *resultsp has one result per distinct partition asked, in the
 * broker's order.  Partitions answered NOT_CONTROLLER (the controller
 * moved) are asked again at the new controller until
 * default.api.timeout.ms.  A broker that only knows version 0 (Kafka 2.2)
 * cannot do UNCLEAN elections: UNSUPPORTED_VERSION.  The call's own error
 * (SAMSA_OK when the round trip worked) covers transport failures and the
 * response's top-level ErrorCode.  Free with
 * samsa_election_results_free(*resultsp, *cntp).
 */
samsa_err_t samsa_elect_leaders(samsa_client_t *client, int type,
                                const samsa_topic_partition_t *partitions,
                                int cnt, samsa_election_result_t **resultsp,
                                int *cntp, char **errmsg);
void        samsa_election_results_free(samsa_election_result_t *v,
                                        int cnt);

/* ------------------------------------------------------------ producer */

/*
 * A Kafka producer (KafkaProducer).  samsa_produce() runs the on_send
 * interceptors, waits (up to max.block.ms) for the topic's metadata and
 * for room in buffer.memory, picks the partition and appends the record
 * to that partition's open batch; a background I/O thread sends batches
 * (RecordBatch v2, compression.type) when they are full (batch.size),
 * after linger.ms, or on flush, and reports every record's outcome to the
 * delivery callback.
 *
 * Producer keys (Kafka 2.x names and defaults), on top of the client keys:
 *   acks                      1 (0, 1, all = -1)
 *   linger.ms                 0
 *   batch.size                16384
 *   buffer.memory             33554432
 *   compression.type          none (gzip, snappy, lz4, zstd)
 *   retries                   2147483647
 *   delivery.timeout.ms       120000
 *   max.in.flight.requests.per.connection  5: requests pipelined on
 *                             each broker's connection, several batches
 *                             of a partition among them; above 1 a
 *                             retried batch may land after a later one
 *                             (Kafka's caveat without idempotence); 1
 *                             keeps partition order exact
 *   max.request.size          1048576
 *   max.block.ms              60000
 *   metadata.max.age.ms       300000
 *   connections.max.idle.ms   540000: a producer connection with nothing
 *                             in flight that long is closed
 *   partitioner.class         Java's class names, or samsa's short names:
 *                             default (DefaultPartitioner: murmur2 for
 *                             keys, sticky per batch without), round_robin
 *                             (RoundRobinPartitioner), random (samsa)
 * Retriable errors (NOT_LEADER_FOR_PARTITION, UNKNOWN_TOPIC_OR_PARTITION,
 * LEADER_NOT_AVAILABLE, timeouts, lost connections, NOT_ENOUGH_REPLICAS)
 * retry a batch after retry.backoff.ms, refreshing metadata first for the
 * leadership errors, until retries or delivery.timeout.ms run out.  A
 * Produce unanswered after request.timeout.ms closes that broker's
 * connection and retries everything in flight on it; a broker that
 * cannot be reached is retried after retry.backoff.ms, doubling up to
 * 1 s.  One slow broker delays only the partitions it leads.
 *
 * THREADS.  samsa_produce() and flush() may be called from any thread.
 * The delivery callback and the on_acknowledgement interceptors run on the
 * producer's I/O thread: they must not block, and may call
 * samsa_produce() only for topics whose metadata is already known.
 */

typedef struct samsa_producer samsa_producer_t;

#define SAMSA_PARTITION_ANY  (-1)

typedef struct samsa_header {
    const char *key;               /* NUL-terminated */
    const void *value;             /* NULL: null value */
    int32_t     value_len;
} samsa_header_t;

/* A record to send (ProducerRecord).  Everything is borrowed and copied
 * by samsa_produce() before it returns. */
typedef struct samsa_record {
    const char *topic;
    int32_t     partition;         /* SAMSA_PARTITION_ANY: partitioner */
    const void *key;               /* NULL: null key */
    int32_t     key_len;
    const void *value;             /* NULL: null value (a tombstone) */
    int32_t     value_len;
    int64_t     timestamp;         /* ms since epoch; -1: now */
    const samsa_header_t *headers;
    int         header_cnt;
} samsa_record_t;

/* The outcome of one record (RecordMetadata or the exception). */
typedef struct samsa_delivery {
    const char *topic;
    int32_t     partition;         /* -1 if none was chosen */
    int64_t     offset;            /* -1 on error or with acks=0 */
    int64_t     timestamp;         /* the record's (CreateTime) */
    int32_t     key_len;           /* -1: null */
    int32_t     value_len;
    samsa_err_t err;
    void       *opaque;            /* samsa_produce()'s msg_opaque */
} samsa_delivery_t;

typedef void (samsa_delivery_cb)(const samsa_delivery_t *dr, void *opaque);

/* Returns a partition in [0, partition_cnt); key NULL for a null key. */
typedef int32_t (samsa_partitioner_cb)(const char *topic, const void *key,
                                       int32_t key_len,
                                       int32_t partition_cnt, void *opaque);

/* ProducerInterceptor.  on_send may change *rec (pointers it sets must
 * stay valid until samsa_produce() returns); an error it returns is
 * logged and ignored, as Java does.  Interceptors run in the order
 * added, each seeing the previous one's record. */
typedef samsa_err_t (samsa_on_send_cb)(samsa_record_t *rec, void *opaque);
typedef void (samsa_on_ack_cb)(const samsa_delivery_t *dr, void *opaque);

void samsa_conf_set_delivery_cb(samsa_conf_t *conf, samsa_delivery_cb *cb,
                                void *opaque);
void samsa_conf_set_partitioner_cb(samsa_conf_t *conf,
                                   samsa_partitioner_cb *cb, void *opaque);
void samsa_conf_add_interceptor(samsa_conf_t *conf, samsa_on_send_cb *on_send,
                                samsa_on_ack_cb *on_ack, void *opaque);

/* Java's partitioning of a key: toPositive(murmur2(key)) % cnt. */
uint32_t samsa_murmur2(const void *key, size_t len);
int32_t  samsa_partition_for_key(const void *key, size_t len, int32_t cnt);

/* Start the I/O thread (it bootstraps at once).  NULL with errstr on a
 * bad configuration. */
samsa_producer_t *samsa_producer_new(const samsa_conf_t *conf, char *errstr,
                                     size_t errstr_size);
/*
 * Queue one record.  SAMSA_OK: the delivery callback will be called for
 * it exactly once.  Otherwise it was not queued and no callback comes:
 * _TIMED_OUT (no metadata or no buffer space within max.block.ms),
 * MESSAGE_TOO_LARGE (above max.request.size or buffer.memory),
 * UNKNOWN_TOPIC_OR_PARTITION (an explicit partition out of range),
 * _INVALID_ARG, _STATE (closing).
 */
samsa_err_t samsa_produce(samsa_producer_t *p, const samsa_record_t *rec,
                          void *msg_opaque);
/* Send everything queued now and wait for its outcome (timeout_ms < 0:
 * forever).  _TIMED_OUT if records are still pending at the timeout. */
samsa_err_t samsa_producer_flush(samsa_producer_t *p, int timeout_ms);
/* Records queued and not yet reported. */
int         samsa_producer_outq_len(samsa_producer_t *p);
/* close(timeout): flush for up to timeout_ms (< 0: forever), fail what is
 * left with _STATE, stop the thread and free the producer. */
void        samsa_producer_close(samsa_producer_t *p, int timeout_ms);

/* ------------------------------------------------------------ consumer */

/*
 * The consumer: manual assignment, seek and poll over Fetch
 * (KafkaConsumer.assign/seek/poll); with group.id, subscription in a
 * consumer group (next section).  Calls block the caller's thread; only
 * a group consumer has a background thread (heartbeats).
 *
 * Consumer keys (Kafka names and defaults):
 *   fetch.min.bytes            1
 *   fetch.max.bytes            52428800
 *   fetch.max.wait.ms          500
 *   max.partition.fetch.bytes  1048576
 *   auto.offset.reset          latest (earliest, none)
 *   isolation.level            read_uncommitted (read_committed)
 *   check.crcs                 true
 */

typedef struct samsa_consumer samsa_consumer_t;

#define SAMSA_OFFSET_BEGINNING  (-2)
#define SAMSA_OFFSET_END        (-1)
#define SAMSA_OFFSET_STORED     (-1000)   /* the group's committed offset,
                                             else auto.offset.reset */

typedef struct samsa_message {
    char       *topic;
    int32_t     partition;
    int64_t     offset;
    int64_t     timestamp;         /* -1: none */
    int         timestamp_type;    /* 0 CreateTime, 1 LogAppendTime */
    void       *key;               /* NULL: null */
    int32_t     key_len;
    void       *value;             /* NULL: null */
    int32_t     value_len;
    samsa_header_t *headers;       /* key and value owned by the message */
    int         header_cnt;
} samsa_message_t;

void samsa_message_destroy(samsa_message_t *msg);

samsa_consumer_t *samsa_consumer_new(const samsa_conf_t *conf, char *errstr,
                                     size_t errstr_size);
void              samsa_consumer_destroy(samsa_consumer_t *c);
/* Consume topic/partition from offset (an offset, or one of the
 * SAMSA_OFFSET_* values); assigning it again seeks. */
samsa_err_t samsa_consumer_assign(samsa_consumer_t *c, const char *topic,
                                  int32_t partition, int64_t offset);
/* Assign every partition of topic (waits for its metadata). */
samsa_err_t samsa_consumer_assign_topic(samsa_consumer_t *c,
                                        const char *topic, int64_t offset,
                                        char **errmsg);
/* The next message, fetching as needed for up to timeout_ms.  SAMSA_OK
 * with *msgp NULL: nothing arrived in time.  An error that concerns one
 * partition (OFFSET_OUT_OF_RANGE with auto.offset.reset=none, ...) is
 * returned once, with its message in *errmsg (may be NULL). */
samsa_err_t samsa_consumer_poll(samsa_consumer_t *c, int timeout_ms,
                                samsa_message_t **msgp, char **errmsg);

/* ------------------------------------------------------------ groups */

/*
 * The consumer in a group (KafkaConsumer with group.id): with group.id
 * set, samsa_consumer_subscribe() joins the group through the broker's
 * group coordinator (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup), and the partitions the group's leader assigns are
 * consumed from the group's committed offsets (auto.offset.reset where
 * there is none).  Without subscribe() the consumer stays in manual mode
 * (samsa_consumer_assign); with group.id set it can still commit and read
 * committed offsets there, as a "simple" group member (generation -1).
 *
 * Group keys (Kafka's names and defaults):
 *   group.id                       (none) required by subscribe/commit
 *   group.instance.id              (none) static membership (KIP-345)
 *   session.timeout.ms             10000
 *   heartbeat.interval.ms          3000
 *   max.poll.interval.ms           300000
 *   max.poll.records               500   (samsa_consumer_poll_batch)
 *   enable.auto.commit             true
 *   auto.commit.interval.ms        5000
 *   partition.assignment.strategy  range; a comma list in preference order
 *                                  of range, roundrobin, sticky (Java's
 *                                  class names accepted)
 *   exclude.internal.topics        true  (a pattern never matches
 *                                  __consumer_offsets)
 *   metadata.max.age.ms            300000 (how often a pattern
 *                                  subscription looks for new topics)
 *   offsets.storage                kafka; zookeeper: commits and offset
 *                                  reads use OffsetCommit/OffsetFetch v0,
 *                                  which brokers keep in ZooKeeper under
 *                                  /consumers/<group>/offsets (Kafka 0.8.2)
 *   dual.commit.enabled            false; true with offsets.storage=kafka
 *                                  commits to ZooKeeper (v0) as well
 *
 * THREADS.  A group consumer has one background thread: it sends the
 * heartbeats (on its own connection to the coordinator), notices a
 * rebalance, a lost coordinator or a poll interval overrun (then it
 * leaves the group as Java's heartbeat thread does), and sends async and
 * auto commits.  Everything the application sees - the rebalance
 * callback, the commit callbacks, the interceptors - runs on the thread
 * that calls samsa_consumer_poll(), samsa_consumer_commit_sync() or
 * samsa_consumer_close(), inside that call.  The consumer is still used by
 * one application thread at a time.
 *
 * REBALANCE.  Eager, as Kafka 2.x: before joining again the consumer
 * commits (enable.auto.commit) and revokes everything it owns; after the
 * SyncGroup it gets its new assignment.  The callback may call commit,
 * seek, position and committed on the consumer.  A seek done in the
 * assigned callback wins over the committed offset.
 */

#define SAMSA_REBALANCE_REVOKED   0
#define SAMSA_REBALANCE_ASSIGNED  1

/* ConsumerRebalanceListener: kind says which; tps (borrowed) are the
 * partitions revoked or now assigned, sorted by topic and partition. */
typedef void (samsa_rebalance_cb)(samsa_consumer_t *c, int kind,
                                  const samsa_topic_partition_t *tps,
                                  int cnt, void *opaque);
/* OffsetCommitCallback: the outcome of a commit; offsets (borrowed) are
 * what was committed, each with its own err. */
typedef void (samsa_commit_cb)(samsa_err_t err,
                               const samsa_partition_offset_t *offsets,
                               int cnt, void *opaque);
/* ConsumerInterceptor.  on_consume sees each message before poll returns
 * it and may change it (the message stays the caller's to destroy, so a
 * field it replaces must be memory the consumer can free: only change
 * key/value/headers in place).  on_commit sees every successful commit.
 * Interceptors run in the order added. */
typedef void (samsa_on_consume_cb)(samsa_message_t *msg, void *opaque);
typedef void (samsa_on_commit_cb)(const samsa_partition_offset_t *offsets,
                                  int cnt, void *opaque);

void samsa_conf_set_rebalance_cb(samsa_conf_t *conf, samsa_rebalance_cb *cb,
                                 void *opaque);
/* For auto commits and async commits given no callback of their own. */
void samsa_conf_set_offset_commit_cb(samsa_conf_t *conf, samsa_commit_cb *cb,
                                     void *opaque);
void samsa_conf_add_consumer_interceptor(samsa_conf_t *conf,
                                         samsa_on_consume_cb *on_consume,
                                         samsa_on_commit_cb *on_commit,
                                         void *opaque);

/* Subscribe to topics (replacing an earlier subscription); the group is
 * joined by the next poll.  INVALID_GROUP_ID without group.id,
 * _INVALID_ARG with no topics or after a manual assign (Java's
 * IllegalStateException). */
samsa_err_t samsa_consumer_subscribe(samsa_consumer_t *c,
                                     const char *const *topics, int cnt);
/* Subscribe to every topic whose whole name matches the POSIX extended
 * regex (Java's Pattern.matches); _INVALID_ARG if it does not compile. */
samsa_err_t samsa_consumer_subscribe_pattern(samsa_consumer_t *c,
                                             const char *regex);
/* Revoke (callback), leave the group, drop the assignment. */
samsa_err_t samsa_consumer_unsubscribe(samsa_consumer_t *c);

/* Up to max.poll.records (and at most cap) messages into msgs, fetching
 * and rebalancing as needed for up to timeout_ms; *cntp how many (0:
 * none in time).  Errors as samsa_consumer_poll(); a fatal group error
 * (e.g. FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL) is returned
 * with its message. */
samsa_err_t samsa_consumer_poll_batch(samsa_consumer_t *c, int timeout_ms,
                                      samsa_message_t **msgs, int cap,
                                      int *cntp, char **errmsg);

/* The current assignment (heap array, samsa_topic_partitions_free). */
samsa_err_t samsa_consumer_assignment(samsa_consumer_t *c,
                                      samsa_topic_partition_t **tpsp,
                                      int *cntp);
void        samsa_topic_partitions_free(samsa_topic_partition_t *v, int cnt);
/* Stop consuming a manually assigned partition. */
samsa_err_t samsa_consumer_unassign(samsa_consumer_t *c, const char *topic,
                                    int32_t partition);
/* The next poll returns tp's messages from offset (or SAMSA_OFFSET_*);
 * _STATE if tp is not assigned. */
samsa_err_t samsa_consumer_seek(samsa_consumer_t *c, const char *topic,
                                int32_t partition, int64_t offset);
/* The offset of the next message poll returns for tp (resolving a
 * logical offset with the broker first); _STATE if not assigned. */
samsa_err_t samsa_consumer_position(samsa_consumer_t *c, const char *topic,
                                    int32_t partition, int64_t *offsetp);
/* Stop / restart fetching tps (assignment kept; positions kept). */
samsa_err_t samsa_consumer_pause(samsa_consumer_t *c,
                                 const samsa_topic_partition_t *tps, int cnt);
samsa_err_t samsa_consumer_resume(samsa_consumer_t *c,
                                  const samsa_topic_partition_t *tps,
                                  int cnt);

/* The group's committed offset of each offsets[i] (topic, partition in;
 * offset -1 if none, metadata, err out). */
samsa_err_t samsa_consumer_committed(samsa_consumer_t *c,
                                     samsa_partition_offset_t *offsets,
                                     int cnt, char **errmsg);
/* Commit offsets (NULL: the position of every assigned partition that
 * moved) and wait for the outcome, retrying retriable errors until
 * default.api.timeout.ms.  A commit the group refuses because it has
 * rebalanced (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * REBALANCE_IN_PROGRESS) fails with that code - Java's
 * CommitFailedException.  Per-partition outcomes go to offsets[i].err. */
samsa_err_t samsa_consumer_commit_sync(samsa_consumer_t *c,
                                       samsa_partition_offset_t *offsets,
                                       int cnt, char **errmsg);
/* Send the commit from the background thread and return; cb (NULL: the
 * conf's offset-commit callback, if any) is called by a later poll,
 * commit_sync or close.  offsets are copied. */
samsa_err_t samsa_consumer_commit_async(samsa_consumer_t *c,
                                        const samsa_partition_offset_t
                                        *offsets, int cnt,
                                        samsa_commit_cb *cb, void *opaque);
/* KafkaConsumer.close(): commit (enable.auto.commit), revoke, leave the
 * group (not with group.instance.id), stop the background thread.  The
 * consumer is then only good for samsa_consumer_destroy(), which closes
 * it first if this was not called. */
samsa_err_t samsa_consumer_close(samsa_consumer_t *c);

/*
 * The 0.8 ZooKeeper-coordinated consumer (Kafka 0.8's
 * ZookeeperConsumerConnector), for groups whose members and offsets live
 * in ZooKeeper:
 *   /consumers/<group>/ids/<consumerId>       ephemeral registration
 *   /consumers/<group>/owners/<topic>/<p>     ephemeral partition claim
 *   /consumers/<group>/offsets/<topic>/<p>    committed offset (decimal)
 * A member registers, then on every change of the group's members or of
 * the brokers it rebalances: commits and releases what it owns, computes
 * its share with the range strategy (one stream per member, as 0.8's
 * RangeAssignor: sorted members, sorted partitions, the first n % m
 * members one partition more) or 0.8.2's roundrobin (the partitions of
 * all topics ordered by the Java hash of "[topic,partition]", dealt to
 * the sorted members in turn), claims it (a claim still held by the old
 * owner fails the attempt: retried after rebalance_backoff_ms, up to
 * rebalance_max_retries times) and fetches from the committed offsets
 * (or the reset policy) with the simple consumer, over the brokers found
 * in /brokers/ids.  Interoperates with 0.8 consumers of the same group.
 * Calls block the caller's thread; rebalancing and auto-commit happen
 * inside samsa_zk_consumer_poll().
 */
typedef struct samsa_zk_consumer samsa_zk_consumer_t;

typedef struct samsa_zk_consumer_opts {
    const char *zookeeper_connect;     /* host:port[,...][/chroot]; required */
    const char *group_id;              /* required */
    const char *consumer_id;           /* NULL: <group>_<host>-<ms>-<hex8> */
    int session_timeout_ms;            /* zookeeper.session.timeout.ms 6000 */
    int auto_commit;                   /* auto.commit.enable 1 */
    int auto_commit_interval_ms;       /* auto.commit.interval.ms 60000 */
    int from_beginning;                /* auto.offset.reset: 1 smallest,
                                          0 largest (default) */
    int rebalance_max_retries;         /* rebalance.max.retries 4 */
    int rebalance_backoff_ms;          /* rebalance.backoff.ms 2000 */
    const char *assignment_strategy;   /* partition.assignment.strategy:
                                          "range" (NULL: default) or
                                          "roundrobin" (0.8.2: every
                                          member must subscribe to the
                                          same topics) */
    int offsets_kafka;                 /* offsets.storage: 0 zookeeper
                                          (0.8.2's default), 1 kafka
                                          (OffsetCommit/OffsetFetch to the
                                          group's coordinator) */
    int dual_commit;                   /* dual.commit.enabled 1: with
                                          kafka storage, commit to
                                          ZooKeeper too and start from the
                                          larger of the two offsets */
} samsa_zk_consumer_opts_t;

/* 0.8's defaults into *o (connect and group left NULL). */
void samsa_zk_consumer_opts_init(samsa_zk_consumer_opts_t *o);
/* Register in the group and subscribe to topics (one stream each).  conf
 * (may be NULL) supplies client keys (fetch sizes, client.id, ...); its
 * bootstrap.servers is replaced by the brokers in ZooKeeper.  NULL with
 * errstr on a bad option or an unreachable ZooKeeper. */
samsa_zk_consumer_t *samsa_zk_consumer_new(const samsa_conf_t *conf,
                                           const samsa_zk_consumer_opts_t *o,
                                           const char *const *topics,
                                           int ntopics, char *errstr,
                                           size_t errstr_size);
/* The registered consumer id. */
const char *samsa_zk_consumer_id(const samsa_zk_consumer_t *zc);
/* As samsa_consumer_poll(), rebalancing first when needed; a rebalance
 * that fails every retry is returned as _STATE with a message. */
samsa_err_t samsa_zk_consumer_poll(samsa_zk_consumer_t *zc, int timeout_ms,
                                   samsa_message_t **msgp, char **errmsg);
/* Write the positions of the owned partitions to ZooKeeper now. */
samsa_err_t samsa_zk_consumer_commit(samsa_zk_consumer_t *zc);
/* Commit (if auto_commit), release the claims, leave the group. */
void samsa_zk_consumer_close(samsa_zk_consumer_t *zc);

#ifdef __cplusplus
}
#endif

#endif
