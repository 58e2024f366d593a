/*
 * updatemetadata.h: UpdateMetadata (ApiKey 6), versions 0-5, both sides.
 * Controller -> every live broker (reference protocol.md §6.3).
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (UpdateMetadataRequest.json, Kafka 2.3 range):
 *   FIELD                        TYPE      VERSIONS  DEFAULT
 *   ControllerId                 int32     0+
 *   ControllerEpoch              int32     0+
 *   BrokerEpoch                  int64     5+        -1
 *   UngroupedPartitionStates     []PS      0-4
 *   TopicStates                  []        5+
 *     TopicName                  string    5+
 *     PartitionStates            []PS      5+
 *   LiveBrokers                  []        0+
 *     Id                         int32     0+
 *     V0Host                     string    0
 *     V0Port                     int32     0
 *     Endpoints                  []        1+
 *       Port                     int32     1+
 *       Host                     string    1+
 *       Listener                 string    3+        ""
 *       SecurityProtocol         int16     1+
 *     Rack                       string?   2+        null
 *   PS = UpdateMetadataPartitionState:
 *     TopicName                  string    0-4
 *     PartitionIndex             int32     0+
 *     ControllerEpoch            int32     0+
 *     Leader                     int32     0+
 *     LeaderEpoch                int32     0+
 *     Isr                        []int32   0+
 *     ZkVersion                  int32     0+
 *     Replicas                   []int32   0+
 *     OfflineReplicas            []int32   4+        []
 *
 * Response (UpdateMetadataResponse.json):
 *   ErrorCode                    int16     0+
 *
 * FLAT PARTITION STATES as in leaderandisr.h: one flat PartitionStates
 * array in C; v5 groups runs of consecutive equal TopicName on the wire.
 * A v0 broker has only V0Host/V0Port (Endpoints stays empty on read, and is
 * not written); from v1 only Endpoints is on the wire.
 *
 * None of v0-5 is flexible (UpdateMetadata becomes flexible at v6).
 *
 * Example, v0 request from controller 1 epoch 2, no partitions, broker 1
 * at "h":9092:
 *   00 00 00 01 | 00 00 00 02 | 00 00 00 00 | 00 00 00 01 |
 *   00 00 00 01 | 00 01 68 | 00 00 23 84.
 */
#ifndef SM_PROTOCOL_UPDATEMETADATA_H
#define SM_PROTOCOL_UPDATEMETADATA_H

#include "protocol/msg.h"

#define SM_UPDATEMETADATA_MAX_VERSION 5

typedef struct sm_UpdateMetadataPartitionState {
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
    int32_t   OfflineReplicasCnt;         /* v4+ */
    int32_t  *OfflineReplicas;
} sm_UpdateMetadataPartitionState_t;

typedef struct sm_UpdateMetadataEndpoint {
    int32_t  Port;
    sm_str_t Host;
    sm_str_t Listener;                    /* v3+ */
    int16_t  SecurityProtocol;
} sm_UpdateMetadataEndpoint_t;

typedef struct sm_UpdateMetadataBroker {
    int32_t  Id;
    sm_str_t V0Host;                      /* v0 */
    int32_t  V0Port;                      /* v0 */
    int32_t  EndpointsCnt;                /* v1+ */
    sm_UpdateMetadataEndpoint_t *Endpoints;
    sm_str_t Rack;                        /* v2+, nullable */
} sm_UpdateMetadataBroker_t;

typedef struct sm_UpdateMetadataRequest {
    int16_t ApiVersion;
    int32_t ControllerId;
    int32_t ControllerEpoch;
    int64_t BrokerEpoch;                  /* v5+, -1 */
    int32_t PartitionStatesCnt;           /* flat, see above */
    sm_UpdateMetadataPartitionState_t *PartitionStates;
    int32_t LiveBrokersCnt;
    sm_UpdateMetadataBroker_t *LiveBrokers;
} sm_UpdateMetadataRequest_t;

typedef struct sm_UpdateMetadataResponse {
    int16_t ApiVersion;
    int16_t ErrorCode;
} sm_UpdateMetadataResponse_t;

sm_err_t sm_UpdateMetadataRequest_read(sm_rd_t *rd, int16_t version,
                                       sm_UpdateMetadataRequest_t *req);
void     sm_UpdateMetadataRequest_free(sm_UpdateMetadataRequest_t *req);
void     sm_UpdateMetadataRequest_write(sm_buf_t *buf, int16_t version,
                                        const sm_UpdateMetadataRequest_t *req);

sm_err_t sm_UpdateMetadataResponse_read(sm_rd_t *rd, int16_t version,
                                        sm_UpdateMetadataResponse_t *resp);
void     sm_UpdateMetadataResponse_free(sm_UpdateMetadataResponse_t *resp);
void     sm_UpdateMetadataResponse_write(
             sm_buf_t *buf, int16_t version,
             const sm_UpdateMetadataResponse_t *resp);

#endif
