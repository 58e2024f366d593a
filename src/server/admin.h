/*
 * admin.h: topic administration shared by the admin APIs (CreateTopics,
 * DeleteTopics, CreatePartitions), Metadata's auto-creation and the tools
 * (Kafka's AdminManager + AdminZkClient + AdminUtils).
 *
 * Topics are created the way Kafka's tooling does it, so the controller
 * (samsa's or Kafka's) picks them up: validate, compute the replica
 * assignment, write /config/topics/<t>, then /brokers/topics/<t>.
 * Deletion writes /admin/delete_topics/<t> and the controller does the rest.
 *
 * Threads: I/O handler threads; every function may block on ZooKeeper.
 */
#ifndef SM_SERVER_ADMIN_H
#define SM_SERVER_ADMIN_H

#include <stdint.h>

#include "common/sm_err.h"

struct sm_broker;

/* Kafka's topic name rules: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
sm_err_t sm_admin_validate_topic_name(const char *name, char **errmsg);

/*
 * Auto-create a topic for Metadata/Produce (auto.create.topics.enable):
 * num.partitions partitions, default.replication.factor replicas (the
 * offsets topic uses the offsets.topic.* settings).  Returns SM_OK when the
 * topic now exists or was created, TOPIC_ALREADY_EXISTS when someone else
 * created it meanwhile, or the validation error.
 */
sm_err_t sm_admin_auto_create_topic(struct sm_broker *b, const char *name);

#endif
