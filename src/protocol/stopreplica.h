/*
 * stopreplica.h: StopReplica (ApiKey 5), versions 0-1, both sides.
 * Controller -> replica broker (reference protocol.md §6.2).
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (StopReplicaRequest.json, Kafka 2.3 range):
 *   FIELD                        TYPE      VERSIONS  DEFAULT
 *   ControllerId                 int32     0+
 *   ControllerEpoch              int32     0+
 *   BrokerEpoch                  int64     1+        -1
 *   DeletePartitions             bool      0+
 *   UngroupedPartitions          []        0
 *     TopicName                  string    0
 *     PartitionIndex             int32     0
 *   Topics                       []        1+
 *     Name                       string    1+
 *     PartitionIndexes           []int32   1+
 *
 * Response (StopReplicaResponse.json):
 *   ErrorCode                    int16     0+
 *   PartitionErrors              []        0+
 *     TopicName                  string    0+
 *     PartitionIndex             int32     0+
 *     ErrorCode                  int16     0+
 *
 * FLAT PARTITIONS.  As in leaderandisr.h: the C struct has one flat array
 * Partitions of (TopicName, PartitionIndex) for both versions; v1 groups
 * runs of consecutive equal TopicName into one Topics entry on the wire and
 * the reader flattens it back in wire order.
 *
 * Neither version is flexible (StopReplica becomes flexible at v2).
 *
 * Example, v1 request from controller 1 epoch 2, broker epoch 5, delete,
 * "t" partitions [0, 1]:
 *   00 00 00 01 | 00 00 00 02 | 00 00 00 00 00 00 00 05 | 01 |
 *   00 00 00 01 | 00 01 74 | 00 00 00 02 00 00 00 00 00 00 00 01.
 */
#ifndef SM_PROTOCOL_STOPREPLICA_H
#define SM_PROTOCOL_STOPREPLICA_H

#include "protocol/msg.h"

#define SM_STOPREPLICA_MAX_VERSION 1

typedef struct sm_StopReplicaPartition {
    sm_str_t TopicName;
    int32_t  PartitionIndex;
} sm_StopReplicaPartition_t;

typedef struct sm_StopReplicaRequest {
    int16_t ApiVersion;
    int32_t ControllerId;
    int32_t ControllerEpoch;
    int64_t BrokerEpoch;                  /* v1+, -1 */
    int     DeletePartitions;
    int32_t PartitionsCnt;                /* flat, see above */
    sm_StopReplicaPartition_t *Partitions;
} sm_StopReplicaRequest_t;

typedef struct sm_StopReplicaPartitionError {
    sm_str_t TopicName;
    int32_t  PartitionIndex;
    int16_t  ErrorCode;
} sm_StopReplicaPartitionError_t;

typedef struct sm_StopReplicaResponse {
    int16_t ApiVersion;
    int16_t ErrorCode;
    int32_t PartitionErrorsCnt;
    sm_StopReplicaPartitionError_t *PartitionErrors;
} sm_StopReplicaResponse_t;

sm_err_t sm_StopReplicaRequest_read(sm_rd_t *rd, int16_t version,
                                    sm_StopReplicaRequest_t *req);
void     sm_StopReplicaRequest_free(sm_StopReplicaRequest_t *req);
void     sm_StopReplicaRequest_write(sm_buf_t *buf, int16_t version,
                                     const sm_StopReplicaRequest_t *req);

sm_err_t sm_StopReplicaResponse_read(sm_rd_t *rd, int16_t version,
                                     sm_StopReplicaResponse_t *resp);
void     sm_StopReplicaResponse_free(sm_StopReplicaResponse_t *resp);
void     sm_StopReplicaResponse_write(sm_buf_t *buf, int16_t version,
                                      const sm_StopReplicaResponse_t *resp);

#endif
