/*
 * leaderandisr.h: LeaderAndIsr (ApiKey 4), versions 0-2, both sides.
 * Controller -> replica brokers (reference protocol.md §6.1).
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (LeaderAndIsrRequest.json, Kafka 2.3 range):
 *   FIELD                        TYPE      VERSIONS  DEFAULT
 *   ControllerId                 int32     0+
 *   ControllerEpoch              int32     0+
 *   BrokerEpoch                  int64     2+        -1
 *   UngroupedPartitionStates     []PS      0-1
 *   TopicStates                  []        2+
 *     TopicName                  string    2+
 *     PartitionStates            []PS      2+
 *   LiveLeaders                  []        0+
 *     BrokerId                   int32     0+
 *     HostName                   string    0+
 *     Port                       int32     0+
 *   PS = LeaderAndIsrPartitionState:
 *     TopicName                  string    0-1
 *     PartitionIndex             int32     0+
 *     ControllerEpoch            int32     0+
 *     Leader                     int32     0+
 *     LeaderEpoch                int32     0+
 *     Isr                        []int32   0+
 *     ZkVersion                  int32     0+
 *     Replicas                   []int32   0+
 *     IsNew                      bool      1+        false
 *
 * Response (LeaderAndIsrResponse.json):
 *   ErrorCode                    int16     0+
 *   PartitionErrors              []        0+
 *     TopicName                  string    0+
 *     PartitionIndex             int32     0+
 *     ErrorCode                  int16     0+
 *
 * FLAT PARTITION STATES.  The C struct keeps one flat array,
 * PartitionStates, each element carrying its TopicName, for every version
 * (Kafka's LeaderAndIsrRequest.partitionStates() view).  v0-1 put it on
 * the wire as UngroupedPartitionStates; v2 groups runs of consecutive
 * elements with equal TopicName into one TopicStates entry, and the reader
 * flattens TopicStates back in wire order.  Callers that want one entry
 * per topic keep a topic's partitions adjacent.
 *
 * None of v0-2 is flexible (LeaderAndIsr becomes flexible at v4).
 *
 * Example, v0 request from controller 1 epoch 2 for "t"-0 led by 1 with
 * Isr [1], ZkVersion 0, Replicas [1], LiveLeaders [1 "h":9092]:
 *   00 00 00 01 | 00 00 00 02 | 00 00 00 01 | 00 01 74 | 00 00 00 00 |
 *   00 00 00 02 | 00 00 00 01 | 00 00 00 00 | 00 00 00 01 00 00 00 01 |
 *   00 00 00 00 | 00 00 00 01 00 00 00 01 | 00 00 00 01 | 00 00 00 01 |
 *   00 01 68 | 00 00 23 84.
 */
#ifndef SM_PROTOCOL_LEADERANDISR_H
#define SM_PROTOCOL_LEADERANDISR_H

#include "protocol/msg.h"

#define SM_LEADERANDISR_MAX_VERSION 2

typedef struct sm_LeaderAndIsrPartitionState {
    sm_str_t  TopicName;
    int32_t   PartitionIndex;
    int32_t   ControllerEpoch;
    int32_t   Leader;
    int32_t   LeaderEpoch;
    int32_t   IsrCnt;
    int32_t  *Isr;
    int32_t   ZkVersion;
    int32_t   ReplicasCnt;
    int32_t  *Replicas;
    int       IsNew;                      /* v1+ */
} sm_LeaderAndIsrPartitionState_t;

typedef struct sm_LeaderAndIsrLiveLeader {
    int32_t  BrokerId;
    sm_str_t HostName;
    int32_t  Port;
} sm_LeaderAndIsrLiveLeader_t;

typedef struct sm_LeaderAndIsrRequest {
    int16_t ApiVersion;
    int32_t ControllerId;
    int32_t ControllerEpoch;
    int64_t BrokerEpoch;                  /* v2+, -1 */
    int32_t PartitionStatesCnt;           /* flat, see above */
    sm_LeaderAndIsrPartitionState_t *PartitionStates;
    int32_t LiveLeadersCnt;
    sm_LeaderAndIsrLiveLeader_t *LiveLeaders;
} sm_LeaderAndIsrRequest_t;

typedef struct sm_LeaderAndIsrPartitionError {
    sm_str_t TopicName;
    int32_t  PartitionIndex;
    int16_t  ErrorCode;
} sm_LeaderAndIsrPartitionError_t;

typedef struct sm_LeaderAndIsrResponse {
    int16_t ApiVersion;
    int16_t ErrorCode;
    int32_t PartitionErrorsCnt;
    sm_LeaderAndIsrPartitionError_t *PartitionErrors;
} sm_LeaderAndIsrResponse_t;

sm_err_t sm_LeaderAndIsrRequest_read(sm_rd_t *rd, int16_t version,
                                     sm_LeaderAndIsrRequest_t *req);
void     sm_LeaderAndIsrRequest_free(sm_LeaderAndIsrRequest_t *req);
void     sm_LeaderAndIsrRequest_write(sm_buf_t *buf, int16_t version,
                                      const sm_LeaderAndIsrRequest_t *req);

sm_err_t sm_LeaderAndIsrResponse_read(sm_rd_t *rd, int16_t version,
                                      sm_LeaderAndIsrResponse_t *resp);
void     sm_LeaderAndIsrResponse_free(sm_LeaderAndIsrResponse_t *resp);
void     sm_LeaderAndIsrResponse_write(sm_buf_t *buf, int16_t version,
                                       const sm_LeaderAndIsrResponse_t *resp);

#endif
