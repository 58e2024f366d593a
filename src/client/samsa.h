/*
 * samsa.h: the public client API of samsa (libsamsa), first part: a
 * synchronous admin client.
 *
 * WHAT IS HERE.  A client handle built from Kafka-style properties
 * (bootstrap.servers, client.id, timeouts), and blocking admin calls that
 * do what Kafka's Java AdminClient does for topics: list, describe
 * (Metadata), describe configs, create, delete, add partitions.  Each call
 * connects as needed, negotiates versions with ApiVersions, sends the
 * request to the right broker (the controller for changes, any broker for
 * reads), retries NOT_CONTROLLER and lost connections until the call's
 * deadline (default.api.timeout.ms), and returns.  The producer/consumer
 * part of libsamsa (an I/O thread, batching, callbacks) comes later and
 * will be added to this header.
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
 * THREADS.  A samsa_client_t is used by one thread at a time (calls block
 * that thread; no background threads exist).  Different clients are
 * independent.
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

#ifdef __cplusplus
}
#endif

#endif
