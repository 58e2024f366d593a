/*
 * electleaders.h: ElectLeaders (ApiKey 43), versions 0-1, both sides.
 * Admin client -> controller: move the leadership of partitions to their
 * preferred replica, or (v1, UNCLEAN) to any live replica when the ISR is
 * dead.  v0 is Kafka 2.2's ElectPreferredLeaders (KIP-183), v1 adds the
 * ElectionType and a top-level ErrorCode (KIP-460); v2 (flexible) is not
 * served, as Kafka 2.3's range is what apis.def advertises.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (ElectLeadersRequest.json):
 *   FIELD                        TYPE      VERSIONS  DEFAULT
 *   ElectionType                 int8      1+        0 (PREFERRED)
 *   TopicPartitions              []        0+        nullable: null = all
 *     Topic                      string    0+
 *     Partitions                 []int32   0+
 *   TimeoutMs                    int32     0+        60000
 *
 * Response (ElectLeadersResponse.json):
 *   ThrottleTimeMs               int32     0+
 *   ErrorCode                    int16     1+        0
 *   ReplicaElectionResults       []        0+
 *     Topic                      string    0+
 *     PartitionResult            []        0+
 *       PartitionId              int32     0+
 *       ErrorCode                int16     0+
 *       ErrorMessage             string    0+        nullable
 *
 * Example, v1 request, UNCLEAN, topic "t" partition 2, timeout 1000 ms:
 *   01 | 00 00 00 01 | 00 01 74 | 00 00 00 01 00 00 00 02 | 00 00 03 e8.
 */
#ifndef SM_PROTOCOL_ELECTLEADERS_H
#define SM_PROTOCOL_ELECTLEADERS_H

#include "protocol/msg.h"

#define SM_ELECTLEADERS_MAX_VERSION 1

/* ElectionType values (Kafka's org.apache.kafka.common.ElectionType). */
#define SM_ELECTION_PREFERRED 0
#define SM_ELECTION_UNCLEAN   1

typedef struct sm_ElectLeadersTopic {
    sm_str_t Topic;
    int32_t  PartitionsCnt;
    int32_t *Partitions;
} sm_ElectLeadersTopic_t;

typedef struct sm_ElectLeadersRequest {
    int16_t ApiVersion;
    int8_t  ElectionType;                 /* v1+, 0 */
    int32_t TopicPartitionsCnt;           /* -1: null (all partitions) */
    sm_ElectLeadersTopic_t *TopicPartitions;
    int32_t TimeoutMs;
} sm_ElectLeadersRequest_t;

typedef struct sm_ElectLeadersPartitionResult {
    int32_t  PartitionId;
    int16_t  ErrorCode;
    sm_str_t ErrorMessage;                /* nullable */
} sm_ElectLeadersPartitionResult_t;

typedef struct sm_ElectLeadersResult {
    sm_str_t Topic;
    int32_t  PartitionResultCnt;
    sm_ElectLeadersPartitionResult_t *PartitionResult;
} sm_ElectLeadersResult_t;

typedef struct sm_ElectLeadersResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;
    int16_t ErrorCode;                    /* v1+ */
    int32_t ReplicaElectionResultsCnt;
    sm_ElectLeadersResult_t *ReplicaElectionResults;
} sm_ElectLeadersResponse_t;

sm_err_t sm_ElectLeadersRequest_read(sm_rd_t *rd, int16_t version,
                                     sm_ElectLeadersRequest_t *req);
void     sm_ElectLeadersRequest_free(sm_ElectLeadersRequest_t *req);
void     sm_ElectLeadersRequest_write(sm_buf_t *buf, int16_t version,
                                      const sm_ElectLeadersRequest_t *req);

sm_err_t sm_ElectLeadersResponse_read(sm_rd_t *rd, int16_t version,
                                      sm_ElectLeadersResponse_t *resp);
void     sm_ElectLeadersResponse_free(sm_ElectLeadersResponse_t *resp);
void     sm_ElectLeadersResponse_write(sm_buf_t *buf, int16_t version,
                                       const sm_ElectLeadersResponse_t *resp);

#endif
