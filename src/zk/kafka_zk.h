/*
 * kafka_zk.h: the ZooKeeper operations of the broker and the controller -
 * Kafka's KafkaZkClient and AdminZkClient (kafka.zk, Kafka 2.8).
 *
 * Each function is one of Kafka's operations, with Kafka's semantics:
 * which znodes it touches in which order, what "already exists" means,
 * how an election is decided.  Paths and payloads come from zk_paths.h,
 * the transport from zk_client.h.  All calls block the calling thread for
 * at most the client's operation timeout per ZooKeeper round trip; call
 * them from the controller thread, a request handler or start-up, never
 * from a network thread or a ZooKeeper callback.
 *
 * API (grouped as the broker uses them):
 *   start-up     sm_zk_create_top_level_paths, sm_zk_get_or_create_cluster_id,
 *                sm_zk_generate_broker_id, sm_zk_register_broker
 *   brokers      sm_zk_get_broker_ids, sm_zk_get_broker
 *   topics       sm_zk_get_topics, sm_zk_topic_exists, sm_zk_get_topic,
 *                sm_zk_set_topic, sm_zk_create_topic, sm_zk_delete_topic_znodes
 *   partitions   sm_zk_get_partition_state, sm_zk_create_partition_state,
 *                sm_zk_set_partition_state
 *   controller   sm_zk_get_controller, sm_zk_get_controller_epoch,
 *                sm_zk_register_controller, sm_zk_delete_controller
 *   deletion     sm_zk_mark_topic_for_deletion, sm_zk_get_topic_deletions,
 *                sm_zk_delete_topic_deletion
 *   configs      sm_zk_get_entity_config, sm_zk_set_entity_config,
 *                sm_zk_change_entity_config, sm_zk_create_config_change,
 *                sm_zk_get_config_changes, sm_zk_get_config_change,
 *                sm_zk_delete_config_change
 *   ISR/log dirs sm_zk_propagate_isr_changes, sm_zk_get_isr_changes,
 *                sm_zk_get_isr_change, sm_zk_delete_isr_changes,
 *                sm_zk_propagate_log_dir_event, sm_zk_get_log_dir_events,
 *                sm_zk_get_log_dir_event, sm_zk_delete_log_dir_events
 *   admin        sm_zk_get_reassignment, sm_zk_set_reassignment,
 *                sm_zk_delete_reassignment,
 *                sm_zk_get_preferred_election, sm_zk_delete_preferred_election
 *   producer ids sm_zk_claim_pid_block
 *   0.8 offsets  sm_zk_get_consumer_offset, sm_zk_set_consumer_offset
 *
 * CONTROLLER FENCING.  Functions taking epoch_zkv write only if
 * /controller_epoch still has that zkVersion (a ZooKeeper check op in the
 * same multi, Kafka's wrapRequestWithControllerEpochCheck), so a deposed
 * controller cannot overwrite its successor; a failed check returns
 * SM_ERR_NOT_CONTROLLER (Kafka's ControllerMovedException).  Pass
 * SM_ZK_ANY_VERSION for unfenced writes (brokers, admin tools).
 *
 * WATCHES.  watch != 0 arms a one-shot watch whose event arrives through
 * sm_zk_event_poll() with the znode's path (from zk_paths.h).  For znodes
 * that may not exist (/controller, the /admin znodes) the watch is an
 * exists watch, so creation is seen too.
 *
 * ERRORS.  As zk_client.h, plus SM_ERR__BAD_MSG for a znode whose payload
 * does not decode (logged with the path and the reason), and the Kafka
 * codes named per function.
 */
#ifndef SM_ZK_KAFKA_ZK_H
#define SM_ZK_KAFKA_ZK_H

#include <stdint.h>

#include "common/sm_err.h"
#include "zk/zk_client.h"
#include "zk/zk_paths.h"

/* ------------------------------------------------------------ start-up */

/* Create the persistent paths Kafka creates at start-up (ZkData
 * PersistentZkPaths); existing ones are fine. */
sm_err_t sm_zk_create_top_level_paths(sm_zk_t *zk);

/* The cluster id from /cluster/id, creating it with a new random id if
 * missing (KafkaServer.getOrGenerateClusterId).  *id is heap. */
sm_err_t sm_zk_get_or_create_cluster_id(sm_zk_t *zk, char **id);
/* SM_ERR__NOENT if no cluster id was created yet. */
sm_err_t sm_zk_get_cluster_id(sm_zk_t *zk, char **id);

/* A new broker id: /brokers/seqid's dataVersion after an unconditional
 * set, plus reserved_max (reserved.broker.max.id, default 1000). */
sm_err_t sm_zk_generate_broker_id(sm_zk_t *zk, int32_t reserved_max,
                                  int32_t *id);

/*
 * Register broker `id` at /brokers/ids/<id> (ephemeral) with b's JSON:
 * one multi of create-with-no-data + set-data-at-version-0, as Kafka's
 * CheckedEphemeral, so the znode's czxid is the broker epoch
 * (*broker_epoch).  If the znode exists and belongs to this session (a
 * retry after a lost reply) that is success; if another session owns it,
 * SM_ERR__EXISTS ("broker id already registered").
 */
sm_err_t sm_zk_register_broker(sm_zk_t *zk, int32_t id,
                               const sm_zk_broker_t *b,
                               int64_t *broker_epoch);

/* ------------------------------------------------------------ brokers */

/* Registered broker ids, ascending (children that are not numbers are
 * skipped).  watch: child watch on /brokers/ids. */
sm_err_t sm_zk_get_broker_ids(sm_zk_t *zk, int watch, sm_zk_ints_t *ids);

/* Broker id's registration and epoch (czxid; NULL ok).  SM_ERR__NOENT if
 * not registered. */
sm_err_t sm_zk_get_broker(sm_zk_t *zk, int32_t id, sm_zk_broker_t *b,
                         int64_t *broker_epoch);

/* ------------------------------------------------------------ topics */

/* All topics (children of /brokers/topics), sorted; empty if the path is
 * missing.  watch: child watch. */
sm_err_t sm_zk_get_topics(sm_zk_t *zk, int watch, sm_zk_strings_t *topics);
/* SM_OK if the topic znode exists, SM_ERR__NOENT if not. */
sm_err_t sm_zk_topic_exists(sm_zk_t *zk, const char *topic);
/* The topic's assignment; watch: data watch.  SM_ERR__NOENT if none. */
sm_err_t sm_zk_get_topic(sm_zk_t *zk, const char *topic, int watch,
                        sm_zk_topic_t *t);
/* Overwrite the topic's assignment (controller: reassignment, added
 * partitions), fenced by epoch_zkv. */
sm_err_t sm_zk_set_topic(sm_zk_t *zk, const char *topic,
                        const sm_zk_topic_t *t, int32_t epoch_zkv);

/*
 * Create a topic the way kafka-topics.sh --zookeeper does
 * (AdminZkClient.createTopicWithAssignment): validate the name and the
 * assignment, write /config/topics/<t> (config may be NULL: empty), then
 * /brokers/topics/<t>; the controller's child watch does the rest.
 * Errors: SM_ERR_INVALID_TOPIC_EXCEPTION (bad name, or collides with an
 * existing topic after '.'/'_' folding), SM_ERR_TOPIC_ALREADY_EXISTS,
 * SM_ERR_INVALID_REPLICA_ASSIGNMENT (no partitions, partitions not
 * 0..n-1, differing replica counts, duplicate replicas).
 */
sm_err_t sm_zk_create_topic(sm_zk_t *zk, const char *topic,
                           const sm_zk_config_t *config,
                           const sm_zk_topic_t *assignment);

/* Controller, topic deletion: delete /brokers/topics/<t> recursively and
 * /config/topics/<t>, fenced.  Missing znodes are fine. */
sm_err_t sm_zk_delete_topic_znodes(sm_zk_t *zk, const char *topic,
                                  int32_t epoch_zkv);

/* ------------------------------------------------------------ partitions */

/* Leader/ISR of a partition; s->zk_version is the znode's dataVersion.
 * SM_ERR__NOENT if the state znode does not exist. */
sm_err_t sm_zk_get_partition_state(sm_zk_t *zk, const char *topic,
                                  int32_t p, sm_zk_part_state_t *s);
/* Controller, new partition: create .../partitions/<p>/state (and its
 * parents), fenced; s->zk_version is set to the new version (0).
 * SM_ERR__EXISTS if it already exists. */
sm_err_t sm_zk_create_partition_state(sm_zk_t *zk, const char *topic,
                                     int32_t p, sm_zk_part_state_t *s,
                                     int32_t epoch_zkv);
/* Conditional update at s->zk_version (controller: fenced; partition
 * leader shrinking/expanding the ISR: SM_ZK_ANY_VERSION for epoch_zkv).
 * On success s->zk_version is the new version; SM_ERR__BAD_VERSION if
 * someone else updated it first (re-read and retry, as Kafka does). */
sm_err_t sm_zk_set_partition_state(sm_zk_t *zk, const char *topic,
                                  int32_t p, sm_zk_part_state_t *s,
                                  int32_t epoch_zkv);

/* ------------------------------------------------------------ controller */

/* The active controller's broker id; SM_ERR__NOENT if there is none.
 * watch: exists + data watch on /controller. */
sm_err_t sm_zk_get_controller(sm_zk_t *zk, int watch, int32_t *broker_id);
/* /controller_epoch and its zkVersion; SM_ERR__NOENT if never written. */
sm_err_t sm_zk_get_controller_epoch(sm_zk_t *zk, int32_t *epoch,
                                   int32_t *epoch_zkv);
/*
 * Try to become the controller (registerControllerAndIncrementController
 * Epoch): create /controller_epoch (0) if missing, then in one multi
 * create the ephemeral /controller and set /controller_epoch to epoch + 1
 * at its current zkVersion.  On success *epoch / *epoch_zkv are the new
 * epoch and its zkVersion, the fence for every later controller write.
 * SM_ERR_NOT_CONTROLLER if another broker won.
 */
sm_err_t sm_zk_register_controller(sm_zk_t *zk, int32_t broker_id,
                                  int32_t *epoch, int32_t *epoch_zkv);
/* Resign: delete /controller, fenced. */
sm_err_t sm_zk_delete_controller(sm_zk_t *zk, int32_t epoch_zkv);

/* ------------------------------------------------------------ deletion */

/* AdminZkClient.deleteTopic: create /admin/delete_topics/<t>.
 * SM_ERR_UNKNOWN_TOPIC_OR_PARTITION if the topic does not exist,
 * SM_ERR__EXISTS if it is already marked. */
sm_err_t sm_zk_mark_topic_for_deletion(sm_zk_t *zk, const char *topic);
/* Topics marked for deletion, sorted; watch: child watch. */
sm_err_t sm_zk_get_topic_deletions(sm_zk_t *zk, int watch,
                                  sm_zk_strings_t *topics);
/* Controller: remove a deletion marker, fenced; missing is fine. */
sm_err_t sm_zk_delete_topic_deletion(sm_zk_t *zk, const char *topic,
                                    int32_t epoch_zkv);

/* ------------------------------------------------------------ configs */

/* Entity config overrides; empty (SM_OK) if the znode is missing. */
sm_err_t sm_zk_get_entity_config(sm_zk_t *zk, sm_zk_entity_t type,
                                const char *name, sm_zk_config_t *c);
/* Set or create the entity's config znode (no notification). */
sm_err_t sm_zk_set_entity_config(sm_zk_t *zk, sm_zk_entity_t type,
                                const char *name, const sm_zk_config_t *c);
/* AdminZkClient.changeEntityConfig: set the config, then create a v2
 * change notification so every broker re-reads it. */
sm_err_t sm_zk_change_entity_config(sm_zk_t *zk, sm_zk_entity_t type,
                                   const char *name,
                                   const sm_zk_config_t *c);
sm_err_t sm_zk_create_config_change(sm_zk_t *zk, sm_zk_entity_t type,
                                   const char *name);
/* Child names under /config/changes that are notifications
 * ("config_change_<seq>"), in sequence order; watch: child watch. */
sm_err_t sm_zk_get_config_changes(sm_zk_t *zk, int watch,
                                 sm_zk_strings_t *children);
/* Decode one notification; *mtime_ms (may be NULL) is its znode mtime,
 * for expiring old notifications.  SM_ERR__NOENT if already deleted. */
sm_err_t sm_zk_get_config_change(sm_zk_t *zk, const char *child,
                                sm_zk_config_change_t *c,
                                int64_t *mtime_ms);
sm_err_t sm_zk_delete_config_change(sm_zk_t *zk, const char *child);

/* ------------------------------------------------------------ ISR, log dirs */

/* Partition leader: announce ISR changes (one sequential znode). */
sm_err_t sm_zk_propagate_isr_changes(sm_zk_t *zk, const sm_zk_tps_t *parts);
/* Controller: pending ISR notifications (child names, sequence order). */
sm_err_t sm_zk_get_isr_changes(sm_zk_t *zk, int watch,
                              sm_zk_strings_t *children);
/* The partitions of one notification, appended to *parts (not cleared). */
sm_err_t sm_zk_get_isr_change(sm_zk_t *zk, const char *child,
                             sm_zk_tps_t *parts);
/* Delete processed notifications, fenced; missing ones are fine. */
sm_err_t sm_zk_delete_isr_changes(sm_zk_t *zk,
                                 const sm_zk_strings_t *children,
                                 int32_t epoch_zkv);

sm_err_t sm_zk_propagate_log_dir_event(sm_zk_t *zk, int32_t broker_id);
sm_err_t sm_zk_get_log_dir_events(sm_zk_t *zk, int watch,
                                 sm_zk_strings_t *children);
sm_err_t sm_zk_get_log_dir_event(sm_zk_t *zk, const char *child,
                                int32_t *broker_id);
sm_err_t sm_zk_delete_log_dir_events(sm_zk_t *zk,
                                    const sm_zk_strings_t *children,
                                    int32_t epoch_zkv);

/* ------------------------------------------------------------ admin */

/* /admin/reassign_partitions; SM_ERR__NOENT if none (exists watch armed
 * when watch != 0). */
sm_err_t sm_zk_get_reassignment(sm_zk_t *zk, int watch, sm_zk_tps_t *l);
sm_err_t sm_zk_delete_reassignment(sm_zk_t *zk, int32_t epoch_zkv);
/* Controller: rewrite it with the partitions still being moved, fenced. */
sm_err_t sm_zk_set_reassignment(sm_zk_t *zk, const sm_zk_tps_t *l,
                               int32_t epoch_zkv);
/* /admin/preferred_replica_election, likewise. */
sm_err_t sm_zk_get_preferred_election(sm_zk_t *zk, int watch,
                                     sm_zk_tps_t *l);
sm_err_t sm_zk_delete_preferred_election(sm_zk_t *zk, int32_t epoch_zkv);

/* ------------------------------------------------------------ producer ids */

/* Claim the next block of block_size producer ids for broker
 * (ProducerIdManager.getNewProducerIdBlock): read the latest block, write
 * the following one conditionally, retry (bounded) on a race. */
sm_err_t sm_zk_claim_pid_block(sm_zk_t *zk, int32_t broker,
                              int64_t block_size, sm_zk_pid_block_t *b);

/* ------------------------------------------------------------ 0.8 offsets */

/* OffsetFetch v0: SM_ERR__NOENT if never committed. */
sm_err_t sm_zk_get_consumer_offset(sm_zk_t *zk, const char *group,
                                  const char *topic, int32_t p,
                                  int64_t *offset);
/* OffsetCommit v0: set or create (with parents). */
sm_err_t sm_zk_set_consumer_offset(sm_zk_t *zk, const char *group,
                                  const char *topic, int32_t p,
                                  int64_t offset);

#endif
