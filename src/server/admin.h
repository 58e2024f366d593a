/*
 * admin.h: topic administration shared by the admin APIs (CreateTopics,
 * DeleteTopics, CreatePartitions), Metadata's auto-creation and the tools
 * (Kafka's AdminManager + AdminZkClient + AdminUtils).
 *
 * Topics are created the way Kafka's tooling does it, so the controller
 * (samsa's or Kafka's) picks them up: validate, compute the replica
 * assignment, write /config/topics/<t>, then /brokers/topics/<t>.
 * Deletion writes /admin/delete_topics/<t> and the controller does the rest.
 * Adding partitions rewrites /brokers/topics/<t> with the old assignment
 * plus the new partitions; the controller's data watch does the rest.
 *
 * API:
 *   sm_admin_validate_topic_name   Kafka's Topic.validate
 *   sm_admin_topic_from_wire       a wire name as a C string, validated
 *   sm_admin_brokers               live brokers for assignment (rack modes)
 *   sm_admin_assign_replicas       AdminUtils.assignReplicasToBrokers
 *   sm_admin_check_assignment      validateTopicCreate's assignment rules
 *   sm_admin_check_configs         LogConfig.validate of a request's configs
 *   sm_admin_create_topic          AdminManager.createTopics for one topic
 *   sm_admin_auto_create_topic     KafkaApis.createTopic/createInternalTopic
 *   sm_admin_extend_assignment     AdminZkClient.addPartitions (pure part)
 *   sm_admin_add_partitions        AdminManager.createPartitions, one topic
 *   sm_admin_delete_topic          AdminZkClient.deleteTopic
 *   sm_admin_is_controller         "controller.isActive"
 *
 * ERROR MESSAGES.  Functions that can fail for a reason a client should
 * read take `char **errmsg`: on failure *errmsg is a heap string worded as
 * Kafka words the exception's message (the CreateTopics/CreatePartitions
 * ErrorMessage), or NULL where Kafka sends none; the caller frees it with
 * free().  errmsg may be NULL.  On success *errmsg is NULL.
 *
 * Threads: I/O handler threads; the ZooKeeper functions block on it.  The
 * pure functions (validate, assign, check, extend) may run anywhere.
 */
#ifndef SM_SERVER_ADMIN_H
#define SM_SERVER_ADMIN_H

#include <stdint.h>

#include "common/sm_err.h"
#include "common/sm_slice.h"
#include "server/metadata_cache.h"
#include "zk/zk_paths.h"

struct sm_broker;

/* Kafka's Topic.MaxNameLength. */
#define SM_ADMIN_MAX_TOPIC_LEN 249

/*
 * Upper bound on a topic's partition count.  Kafka has none, but a count
 * comes from the network and sizes an allocation; an assignment this
 * large would not fit in a default 1 MB znode anyway.
 */
#define SM_ADMIN_MAX_PARTITIONS 100000

/* Kafka's topic name rules: [a-zA-Z0-9._-]{1,249}, not "." or "..".
 * INVALID_TOPIC_EXCEPTION with Kafka's message otherwise. */
sm_err_t sm_admin_validate_topic_name(const char *name, char **errmsg);

/*
 * A topic name from the wire as a heap C string (*topic, caller frees;
 * also set on failure, "" for a null name), validated as above.  A name
 * with an embedded NUL byte is illegal (it would otherwise be truncated
 * into a different, legal name).
 */
sm_err_t sm_admin_topic_from_wire(sm_str_t name, char **topic,
                                  char **errmsg);

/* Kafka's '.'/'_' collision rule (Topic.hasCollision). */
int sm_admin_topics_collide(const char *a, const char *b);

/* ------------------------------------------------------------ assignment */

/* A broker as replica assignment sees it (Kafka's BrokerMetadata). */
typedef struct sm_admin_broker {
    int32_t     id;
    const char *rack;       /* NULL: none; borrowed */
} sm_admin_broker_t;

/* Kafka's RackAwareMode. */
typedef enum sm_admin_rack_mode {
    SM_ADMIN_RACK_AS_IS,     /* racks as registered: a mixed cluster fails
                                in sm_admin_assign_replicas (CreateTopics) */
    SM_ADMIN_RACK_ENFORCED,  /* mixed cluster fails here (add partitions) */
    SM_ADMIN_RACK_SAFE,      /* mixed cluster: ignore racks (auto-create) */
    SM_ADMIN_RACK_DISABLED,  /* ignore racks */
} sm_admin_rack_mode_t;

/*
 * The live brokers of snap, sorted by id, with racks per mode (Kafka's
 * getBrokerMetadatas).  *out is heap (caller frees; NULL when n is 0);
 * racks borrow from snap.  ENFORCED on a cluster where some but not all
 * brokers have a rack: UNKNOWN_SERVER_ERROR (Kafka's
 * AdminOperationException), *out NULL.
 */
sm_err_t sm_admin_brokers(const sm_mdsnap_t *snap, int mode,
                          sm_admin_broker_t **out, int *n, char **errmsg);

/*
 * Kafka's AdminUtils.assignReplicasToBrokers: partitions start_partition
 * .. start_partition + npartitions - 1 (start_partition < 0 means 0)
 * appended to *out (caller-owned, normally empty).  brokers must be sorted
 * by id.  fixed_start >= 0 fixes both the start index and the first
 * replica shift (tests, partition addition); < 0 draws them at random.
 * Rack-aware when every broker has a rack, rack-unaware when none has one.
 * Errors (Kafka's messages): INVALID_PARTITIONS (npartitions <= 0 or above
 * SM_ADMIN_MAX_PARTITIONS), INVALID_REPLICATION_FACTOR (rf <= 0, rf >
 * brokers), UNKNOWN_SERVER_ERROR (some brokers without rack).
 */
sm_err_t sm_admin_assign_replicas(const sm_admin_broker_t *brokers,
                                  int nbrokers, int32_t npartitions,
                                  int32_t rf, int32_t fixed_start,
                                  int32_t start_partition,
                                  sm_zk_topic_t *out, char **errmsg);

/* Kafka's rack-alternated broker list: racks sorted, brokers of a rack by
 * id, one broker per rack in turn.  ids has room for nbrokers. */
void sm_admin_rack_alternated(const sm_admin_broker_t *brokers,
                              int nbrokers, int32_t *ids);

/*
 * AdminZkClient.validateTopicCreate's rules for an explicit or computed
 * assignment, in Kafka's order: every partition has a non-empty replica
 * list, all the same size, no duplicate broker within one, partitions are
 * 0..n-1.  With live != NULL every broker must also be one of live[0..n)
 * ("Unknown broker(s) in replica assignment: ..." - Kafka checks that for
 * added partitions only).  INVALID_REPLICA_ASSIGNMENT otherwise.
 */
sm_err_t sm_admin_check_assignment(const sm_zk_topic_t *t,
                                   const sm_admin_broker_t *live, int nlive,
                                   char **errmsg);

/* One topic config of a request (value NULL: the request's null). */
typedef struct sm_admin_cfg {
    const char *name;
    const char *value;
} sm_admin_cfg_t;

struct sm_config;

/*
 * LogConfig.validate of request configs over cfg's defaults: null values
 * (INVALID_REQUEST, as Kafka 2.7+; 2.3 failed with a server error), then
 * unknown names, then values and cross-key rules (INVALID_CONFIG).
 */
sm_err_t sm_admin_check_configs(const struct sm_config *cfg,
                                const sm_admin_cfg_t *cfgs, int ncfgs,
                                char **errmsg);

/* ------------------------------------------------------------ creation */

/* What to create (CreateTopics' CreatableTopic plus the broker's mode). */
typedef struct sm_admin_topic_spec {
    const char *topic;
    int32_t     num_partitions;   /* -1: num.partitions */
    int32_t     replication_factor; /* -1: default.replication.factor */
    const sm_zk_topic_t *assignment; /* explicit, or NULL: computed; its
                                   counts must then be -1 (INVALID_REQUEST) */
    const sm_admin_cfg_t *configs;
    int         nconfigs;
    int         rack_mode;        /* sm_admin_rack_mode_t */
    int         validate_only;
    int         live_only;        /* explicit assignment: live brokers only */
} sm_admin_topic_spec_t;

/*
 * Create (or with validate_only, only validate) one topic, in the order
 * of Kafka's AdminManager.createTopics: exists in the metadata cache
 * (TOPIC_ALREADY_EXISTS), configs, counts and assignment both given
 * (INVALID_REQUEST), assignment computed from the live brokers, then
 * AdminZkClient.validateTopicCreate (name, exists in ZooKeeper, '.'/'_'
 * collisions -> INVALID_TOPIC_EXCEPTION, assignment rules) and the
 * znode writes.  assigned (may be NULL) receives the assignment used.
 */
sm_err_t sm_admin_create_topic(struct sm_broker *b,
                               const sm_admin_topic_spec_t *spec,
                               sm_zk_topic_t *assigned, char **errmsg);

/*
 * Auto-create a topic for Metadata/Produce (auto.create.topics.enable):
 * num.partitions partitions, default.replication.factor replicas, rack
 * mode SAFE.  __consumer_offsets uses offsets.topic.num.partitions /
 * .replication.factor / .segment.bytes with cleanup.policy=compact and
 * compression.type=producer; __transaction_state the transaction.state.
 * log.* settings (Kafka's offsetsTopicConfigs / transactionTopicConfigs).
 * An internal topic whose replication factor exceeds the live brokers is
 * INVALID_REPLICATION_FACTOR without touching ZooKeeper (Kafka logs it
 * and answers COORDINATOR_NOT_AVAILABLE, which Metadata turns into
 * INVALID_REPLICATION_FACTOR; FindCoordinator callers should map it back).
 * Returns SM_OK when the topic was created, TOPIC_ALREADY_EXISTS when
 * someone else created it meanwhile, or the validation error.
 */
sm_err_t sm_admin_auto_create_topic(struct sm_broker *b, const char *name);

/* ------------------------------------------------------------ partitions */

/*
 * AdminZkClient.addPartitions without the write: extend existing (all
 * partitions 0..n-1) to count partitions into *out (caller-owned, empty):
 * the existing assignment, then either assign[0..nassign) for the new
 * partitions (nassign < 0: none given) or a computed one starting after
 * the existing partitions (start index at the first broker with id >= the
 * first replica of partition 0).  Errors, Kafka's messages:
 * INVALID_PARTITIONS (no increase), INVALID_REPLICA_ASSIGNMENT (unknown
 * brokers, wrong number of assignments, empty/duplicate/inconsistent
 * replicas), INVALID_REPLICATION_FACTOR, UNKNOWN_SERVER_ERROR (no
 * partition 0).
 */
sm_err_t sm_admin_extend_assignment(const char *topic,
                                    const sm_zk_topic_t *existing,
                                    const sm_admin_broker_t *brokers,
                                    int nbrokers, int32_t count,
                                    const sm_zk_ints_t *assign,
                                    int32_t nassign, sm_zk_topic_t *out,
                                    char **errmsg);

/*
 * AdminManager.createPartitions for one topic: REASSIGNMENT_IN_PROGRESS
 * while /admin/reassign_partitions exists, UNKNOWN_TOPIC_OR_PARTITION
 * without an assignment in ZooKeeper, then sm_admin_extend_assignment over
 * the live brokers (rack mode ENFORCED) and, unless validate_only, the
 * write of /brokers/topics/<t>.  result (may be NULL) receives the full
 * new assignment.
 */
sm_err_t sm_admin_add_partitions(struct sm_broker *b, const char *topic,
                                 int32_t count, const sm_zk_ints_t *assign,
                                 int32_t nassign, int validate_only,
                                 sm_zk_topic_t *result, char **errmsg);

/* ------------------------------------------------------------ deletion */

/* AdminZkClient.deleteTopic as AdminManager uses it: mark the topic for
 * deletion; already marked is success; UNKNOWN_TOPIC_OR_PARTITION if the
 * topic has no znode. */
sm_err_t sm_admin_delete_topic(struct sm_broker *b, const char *topic);

/* ------------------------------------------------------------ controller */

/* Whether this broker is the active controller, as the metadata cache
 * knows it (controller_id == b->id). */
int sm_admin_is_controller(struct sm_broker *b);

#endif
