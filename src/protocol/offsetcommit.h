/*
 * offsetcommit.h: OffsetCommit (ApiKey 8), versions 0-7, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v8 is the first flexible version and is not served.
 *
 * v0 commits to ZooKeeper in Kafka 0.8.2 (protocol.md §5.5) and carries no
 * generation; v1 adds the generation, member and a per-partition commit
 * timestamp; v2-4 replace the timestamp by a group-wide retention; v5
 * drops the retention; v6 adds the leader epoch; v7 the instance id.
 *
 * Request (OffsetCommitRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   GroupId                string    0+
 *   GenerationId           int32     1+        -1
 *   MemberId               string    1+        ""
 *   GroupInstanceId        string?   7+        null
 *   RetentionTimeMs        int64     2-4       -1
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *       CommittedOffset    int64     0+
 *       CommittedLeaderEpoch int32   6+        -1
 *       CommitTimestamp    int64     1         -1
 *       CommittedMetadata  string?   0+
 *
 * Response (OffsetCommitResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     3+        0
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *       ErrorCode          int16     0+
 *
 * (Kafka 2.8+ names GenerationId "GenerationIdOrMemberEpoch"; the wire
 * field is the same.)
 */
#ifndef SM_PROTOCOL_OFFSETCOMMIT_H
#define SM_PROTOCOL_OFFSETCOMMIT_H

#include "protocol/msg.h"

#define SM_OFFSETCOMMIT_MAX_VERSION 7

typedef struct sm_OffsetCommitRequestPartition {
    int32_t  PartitionIndex;
    int64_t  CommittedOffset;
    int32_t  CommittedLeaderEpoch;        /* v6+ */
    int64_t  CommitTimestamp;             /* v1 only */
    sm_str_t CommittedMetadata;           /* nullable */
} sm_OffsetCommitRequestPartition_t;

typedef struct sm_OffsetCommitRequestTopic {
    sm_str_t Name;
    int32_t  PartitionsCnt;
    sm_OffsetCommitRequestPartition_t *Partitions;
} sm_OffsetCommitRequestTopic_t;

typedef struct sm_OffsetCommitRequest {
    int16_t  ApiVersion;
    sm_str_t GroupId;
    int32_t  GenerationId;                /* v1+ */
    sm_str_t MemberId;                    /* v1+ */
    sm_str_t GroupInstanceId;             /* v7+, nullable */
    int64_t  RetentionTimeMs;             /* v2-4 */
    int32_t  TopicsCnt;
    sm_OffsetCommitRequestTopic_t *Topics;
} sm_OffsetCommitRequest_t;

typedef struct sm_OffsetCommitResponsePartition {
    int32_t PartitionIndex;
    int16_t ErrorCode;
} sm_OffsetCommitResponsePartition_t;

typedef struct sm_OffsetCommitResponseTopic {
    sm_str_t Name;
    int32_t  PartitionsCnt;
    sm_OffsetCommitResponsePartition_t *Partitions;
} sm_OffsetCommitResponseTopic_t;

typedef struct sm_OffsetCommitResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v3+ */
    int32_t TopicsCnt;
    sm_OffsetCommitResponseTopic_t *Topics;
} sm_OffsetCommitResponse_t;

sm_err_t sm_OffsetCommitRequest_read(sm_rd_t *rd, int16_t version,
                                     sm_OffsetCommitRequest_t *req);
void     sm_OffsetCommitRequest_free(sm_OffsetCommitRequest_t *req);
void     sm_OffsetCommitRequest_write(sm_buf_t *buf, int16_t version,
                                      const sm_OffsetCommitRequest_t *req);

sm_err_t sm_OffsetCommitResponse_read(sm_rd_t *rd, int16_t version,
                                      sm_OffsetCommitResponse_t *resp);
void     sm_OffsetCommitResponse_free(sm_OffsetCommitResponse_t *resp);
void     sm_OffsetCommitResponse_write(sm_buf_t *buf, int16_t version,
                                       const sm_OffsetCommitResponse_t *resp);

#endif
