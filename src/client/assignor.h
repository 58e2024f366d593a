/*
 * assignor.h: the consumer group's partition assignors and the
 * ConsumerProtocol bytes they travel in - Kafka's ConsumerPartitionAssignor
 * implementations (RangeAssignor, RoundRobinAssignor, StickyAssignor) and
 * ConsumerProtocol (Subscription, Assignment).
 *
 * WHO USES IT.  The group consumer (consumer_group.c): every member puts
 * one Subscription per assignor it supports into JoinGroup (protocol
 * name = assignor name); the member the coordinator makes leader decodes
 * every member's Subscription, runs the assignor the group chose over the
 * partition counts it read from Metadata, and sends each member's
 * Assignment in SyncGroup; every member decodes its own Assignment.
 *
 * BYTES.  Written as version 0 (what every client of the Kafka 0.10-2.x
 * era reads); read at any version >= 0, later versions' extra fields
 * (v1 OwnedPartitions) read when present, anything after them ignored.
 *
 * Pure functions, no I/O, no threads.  Everything returned is heap and
 * owned by the caller (the _fini/_free functions).
 */
#ifndef SM_CLIENT_ASSIGNOR_H
#define SM_CLIENT_ASSIGNOR_H

#include <stdint.h>

#include "client/samsa.h"
#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "common/sm_slice.h"

/* One member as the leader sees it (decoded from JoinGroup). */
typedef struct sm_asg_member {
    char     *member_id;
    char     *group_instance_id;    /* NULL: none */
    char    **topics;               /* the subscription, as sent */
    int       ntopics;
    /* what the member owned before this rebalance, for sticky: from the
     * sticky user data (or v1 OwnedPartitions); sorted */
    samsa_topic_partition_t *owned;
    int       nowned;
    int32_t   generation;           /* sticky user data v1; -1: none */
} sm_asg_member_t;

void sm_asg_member_fini(sm_asg_member_t *m);

/* A subscribed topic and its partition count (from Metadata). */
typedef struct sm_asg_topic {
    const char *name;
    int32_t     partitions;
} sm_asg_topic_t;

/* One member's result, parallel to the members array. */
typedef struct sm_asg_out {
    samsa_topic_partition_t *tps;   /* sorted by topic, partition */
    int                      ntps;
} sm_asg_out_t;

void sm_asg_out_fini(sm_asg_out_t *o, int n);

typedef struct sm_assignor {
    const char *name;               /* the protocol name: "range", ... */
    /* Assign the partitions of topics (a member gets only partitions of
     * topics it subscribed to; a topic nobody subscribed to is skipped;
     * a topic missing from topics is not assigned) to members.  out[i]
     * is members[i]'s share.  Deterministic for the same input. */
    void      (*assign)(const sm_asg_member_t *members, int nmembers,
                        const sm_asg_topic_t *topics, int ntopics,
                        sm_asg_out_t *out);
    /* The user data this member sends with its Subscription (NULL: none):
     * sticky's is what the member owns now and its generation. */
    void      (*user_data)(const samsa_topic_partition_t *owned, int nowned,
                           int32_t generation, sm_buf_t *out);
} sm_assignor_t;

/* By protocol name ("range", "roundrobin", "sticky") or Java class name
 * (org.apache.kafka.clients.consumer.RangeAssignor, ...RoundRobinAssignor,
 * ...StickyAssignor); NULL if unknown. */
const sm_assignor_t *sm_assignor_find(const char *name);

/* ------------------------------------------------------------ protocol */

/* Subscription v0: Version, Topics, UserData (user_data NULL/len<0:
 * null). */
void     sm_cproto_subscription_write(sm_buf_t *out, char *const *topics,
                                      int ntopics, sm_bytes_t user_data);
/* Decode a member's Subscription into m (member_id and instance id are
 * the caller's to set); the sticky user data (if any and if it parses)
 * fills owned/generation.  _BAD_MSG if the bytes do not parse. */
sm_err_t sm_cproto_subscription_read(sm_bytes_t b, sm_asg_member_t *m);

/* Assignment v0: Version, [Topic, [Partition]], UserData (null). tps
 * sorted by topic (grouped). */
void     sm_cproto_assignment_write(sm_buf_t *out,
                                    const samsa_topic_partition_t *tps,
                                    int ntps);
/* Decode; *tpsp sorted by topic, partition (samsa_topic_partitions_free).
 * An empty byte string is an empty assignment.  _BAD_MSG on garbage. */
sm_err_t sm_cproto_assignment_read(sm_bytes_t b,
                                   samsa_topic_partition_t **tpsp,
                                   int *ntpsp);

#endif
