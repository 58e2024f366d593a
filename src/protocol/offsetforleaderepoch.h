/*
 * offsetforleaderepoch.h: OffsetForLeaderEpoch (ApiKey 23), versions 0-2
 * (Kafka 2.3's range), both sides.  A follower asks its leader where a
 * leader epoch ended in the leader's log, to truncate there before
 * fetching (KIP-101, KIP-279).  Conventions: protocol/msg.h.
 *
 * Request (OffsetForLeaderEpochRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   Topics                 []        0+
 *     Topic                string    0+
 *     Partitions           []        0+
 *       Partition          int32     0+
 *       CurrentLeaderEpoch int32     2+        -1
 *       LeaderEpoch        int32     0+
 *
 * Response (OffsetForLeaderEpochResponse.json):
 *   ThrottleTimeMs         int32     2+        0
 *   Topics                 []        0+
 *     Topic                string    0+
 *     Partitions           []        0+
 *       ErrorCode          int16     0+
 *       Partition          int32     0+
 *       LeaderEpoch        int32     1+        -1
 *       EndOffset          int64     0+        -1
 *
 * None of v0-2 is flexible (from v4).  The flat partition arrays keep the
 * topic of each entry (as leaderandisr.h does); the writers group
 * consecutive entries of one topic.
 *
 * Example, v2 request, topic "t" partition 0, current epoch 5, epoch 4:
 *   00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00 | 00 00 00 05 |
 *   00 00 00 04.
 */
#ifndef SM_PROTOCOL_OFFSETFORLEADEREPOCH_H
#define SM_PROTOCOL_OFFSETFORLEADEREPOCH_H

#include "protocol/msg.h"

#define SM_OFFSETFORLEADEREPOCH_MAX_VERSION 2

typedef struct sm_OffsetForLeaderPartition {
    sm_str_t Topic;
    int32_t  Partition;
    int32_t  CurrentLeaderEpoch;          /* v2+, -1 */
    int32_t  LeaderEpoch;
} sm_OffsetForLeaderPartition_t;

typedef struct sm_OffsetForLeaderEpochRequest {
    int16_t  ApiVersion;
    int32_t  PartitionsCnt;
    sm_OffsetForLeaderPartition_t *Partitions;
} sm_OffsetForLeaderEpochRequest_t;

typedef struct sm_EpochEndOffset {
    sm_str_t Topic;
    int16_t  ErrorCode;
    int32_t  Partition;
    int32_t  LeaderEpoch;                 /* v1+, -1 */
    int64_t  EndOffset;
} sm_EpochEndOffset_t;

typedef struct sm_OffsetForLeaderEpochResponse {
    int16_t  ApiVersion;
    int32_t  ThrottleTimeMs;              /* v2+ */
    int32_t  PartitionsCnt;
    sm_EpochEndOffset_t *Partitions;
} sm_OffsetForLeaderEpochResponse_t;

sm_err_t sm_OffsetForLeaderEpochRequest_read(
             sm_rd_t *rd, int16_t version,
             sm_OffsetForLeaderEpochRequest_t *req);
void     sm_OffsetForLeaderEpochRequest_free(
             sm_OffsetForLeaderEpochRequest_t *req);
void     sm_OffsetForLeaderEpochRequest_write(
             sm_buf_t *buf, int16_t version,
             const sm_OffsetForLeaderEpochRequest_t *req);

sm_err_t sm_OffsetForLeaderEpochResponse_read(
             sm_rd_t *rd, int16_t version,
             sm_OffsetForLeaderEpochResponse_t *resp);
void     sm_OffsetForLeaderEpochResponse_free(
             sm_OffsetForLeaderEpochResponse_t *resp);
void     sm_OffsetForLeaderEpochResponse_write(
             sm_buf_t *buf, int16_t version,
             const sm_OffsetForLeaderEpochResponse_t *resp);

#endif
