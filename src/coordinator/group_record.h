/*
 * group_record.h: the keys and values samsa writes to and reads from
 * __consumer_offsets (Kafka's GroupMetadataManager record formats, ZK-mode
 * Kafka 0.8.2 - 2.x).  Pure byte formats: no locks, no I/O; any thread.
 *
 * Every key and value starts with an int16 schema version; STRING is an
 * int16 length + UTF-8 (-1: null), BYTES an int32 length + bytes.
 *
 * KEY (version 0 or 1: an offset commit; 2: group metadata)
 *   OFFSET SIZE  DESCRIPTION
 *   0      2     version (samsa writes 1 for offsets, 2 for groups)
 *   2      2+g   group
 *   -- versions 0 and 1 only --
 *   .      2+t   topic
 *   .      4     partition
 *
 * OFFSET COMMIT VALUE, by version (a null value is a tombstone)
 *   v0: offset i64, metadata STRING, timestamp i64
 *   v1: offset i64, metadata STRING, commit_ts i64, expire_ts i64
 *   v2: offset i64, metadata STRING, commit_ts i64
 *   v3: offset i64, leader_epoch i32, metadata STRING, commit_ts i64
 * samsa writes v1 when the commit carries an explicit retention (an
 * expire timestamp, OffsetCommit v2-v4 RetentionTimeMs != -1), else v3:
 * what Kafka 2.1+ writes, and both are read by Burrow 1.2.1, which reads
 * v0, v1 and v3 but not v2.
 *
 * GROUP METADATA VALUE, by version (a null value is a tombstone)
 *   v0: protocol_type STRING, generation i32, protocol NULLABLE_STRING,
 *       leader NULLABLE_STRING, members [member]
 *       member: member_id, client_id, client_host STRING,
 *               session_timeout i32, subscription BYTES, assignment BYTES
 *   v1: v0 with member rebalance_timeout i32 after client_host
 *   v2: v1 with current_state_timestamp i64 after leader
 *   v3: v2 with member group_instance_id NULLABLE_STRING after member_id
 * samsa writes v1 (Kafka 2.0's format): Burrow 1.2.1 decodes group
 * metadata v0 and v1 only.  Only a group with a static member
 * (group.instance.id) is written as v3, the first version that keeps
 * the instance ids, so they survive a coordinator move: such a group is
 * one Burrow 1.2.1 cannot describe (its offsets it still reads).  All
 * four are read.
 *
 * Example, offset key for group "g", topic "t", partition 0:
 *   00 01 | 00 01 67 | 00 01 74 | 00 00 00 00
 */
#ifndef SM_COORDINATOR_GROUP_RECORD_H
#define SM_COORDINATOR_GROUP_RECORD_H

#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "common/sm_slice.h"

#define SM_GREC_KEY_OFFSET  1
#define SM_GREC_KEY_GROUP   2

/* One decoded key; strings borrow from the key bytes. */
typedef struct sm_grec_key {
    int16_t  version;           /* 0/1: offset commit, 2: group metadata */
    sm_str_t group;
    sm_str_t topic;             /* offset commits only */
    int32_t  partition;
} sm_grec_key_t;

/* One committed offset; metadata borrows. */
typedef struct sm_grec_offset {
    int64_t  offset;
    int32_t  leader_epoch;      /* -1 unless v3 */
    sm_str_t metadata;
    int64_t  commit_ts;
    int64_t  expire_ts;         /* -1: none (only v1 has one) */
} sm_grec_offset_t;

/* One member of a group metadata value; strings and bytes borrow. */
typedef struct sm_grec_member {
    sm_str_t   member_id;
    sm_str_t   client_id;
    sm_str_t   client_host;
    int32_t    rebalance_timeout_ms;
    int32_t    session_timeout_ms;
    sm_bytes_t subscription;
    sm_bytes_t assignment;
    sm_str_t   group_instance_id;   /* static member; ptr NULL: none */
} sm_grec_member_t;

/* A group metadata value.  On decode members is heap (free it), its
 * strings borrow from the value bytes. */
typedef struct sm_grec_group {
    sm_str_t          protocol_type;
    int32_t           generation;
    sm_str_t          protocol;         /* may be null */
    sm_str_t          leader;           /* may be null */
    int32_t           nmembers;
    sm_grec_member_t *members;
    int64_t           state_ts;         /* v2+: ms of the last state
                                           change; -1: unknown */
} sm_grec_group_t;

/* Encoders append to buf. */
void     sm_grec_offset_key_write(sm_buf_t *buf, sm_str_t group,
                                  sm_str_t topic, int32_t partition);
void     sm_grec_group_key_write(sm_buf_t *buf, sm_str_t group);
/* v1 if o->expire_ts >= 0, else v3. */
void     sm_grec_offset_value_write(sm_buf_t *buf, const sm_grec_offset_t *o);
/* v1, or v3 when a member is static (has a group_instance_id). */
void     sm_grec_group_value_write(sm_buf_t *buf, const sm_grec_group_t *g);

/* Decoders: SM_ERR__BAD_MSG for malformed input or an unknown version. */
sm_err_t sm_grec_key_read(sm_bytes_t key, sm_grec_key_t *k);
sm_err_t sm_grec_offset_value_read(sm_bytes_t value, sm_grec_offset_t *o);
sm_err_t sm_grec_group_value_read(sm_bytes_t value, sm_grec_group_t *g);
void     sm_grec_group_free(sm_grec_group_t *g);

/* A "consumer" member's subscription (ConsumerProtocolSubscription: int16
 * version, topics [STRING], then fields not read here): 1 if topic is in
 * it, 0 if not, -1 if the bytes do not decode. */
int      sm_grec_subscription_has(sm_bytes_t sub, sm_str_t topic);

#endif
