/*
 * controlledshutdown.h: ControlledShutdown (ApiKey 7), versions 0-2, both
 * sides.  Stopping broker -> controller (reference protocol.md §6.4).
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (ControlledShutdownRequest.json, Kafka 2.3 range):
 *   FIELD                        TYPE      VERSIONS  DEFAULT
 *   BrokerId                     int32     0+
 *   BrokerEpoch                  int64     2+        -1
 *
 * Response (ControlledShutdownResponse.json):
 *   ErrorCode                    int16     0+
 *   RemainingPartitions          []        0+
 *     TopicName                  string    0+
 *     PartitionIndex             int32     0+
 *
 * v0 requests carry request header v0, without ClientId (apis.c handles
 * that).  None of v0-2 is flexible (flexible from v3).
 *
 * Example, v2 request for broker 3, epoch 16:
 *   00 00 00 03 | 00 00 00 00 00 00 00 10.
 */
#ifndef SM_PROTOCOL_CONTROLLEDSHUTDOWN_H
#define SM_PROTOCOL_CONTROLLEDSHUTDOWN_H

#include "protocol/msg.h"

#define SM_CONTROLLEDSHUTDOWN_MAX_VERSION 2

typedef struct sm_ControlledShutdownRequest {
    int16_t ApiVersion;
    int32_t BrokerId;
    int64_t BrokerEpoch;                  /* v2+, -1 */
} sm_ControlledShutdownRequest_t;

typedef struct sm_RemainingPartition {
    sm_str_t TopicName;
    int32_t  PartitionIndex;
} sm_RemainingPartition_t;

typedef struct sm_ControlledShutdownResponse {
    int16_t ApiVersion;
    int16_t ErrorCode;
    int32_t RemainingPartitionsCnt;
    sm_RemainingPartition_t *RemainingPartitions;
} sm_ControlledShutdownResponse_t;

sm_err_t sm_ControlledShutdownRequest_read(
             sm_rd_t *rd, int16_t version,
             sm_ControlledShutdownRequest_t *req);
void     sm_ControlledShutdownRequest_free(
             sm_ControlledShutdownRequest_t *req);
void     sm_ControlledShutdownRequest_write(
             sm_buf_t *buf, int16_t version,
             const sm_ControlledShutdownRequest_t *req);

sm_err_t sm_ControlledShutdownResponse_read(
             sm_rd_t *rd, int16_t version,
             sm_ControlledShutdownResponse_t *resp);
void     sm_ControlledShutdownResponse_free(
             sm_ControlledShutdownResponse_t *resp);
void     sm_ControlledShutdownResponse_write(
             sm_buf_t *buf, int16_t version,
             const sm_ControlledShutdownResponse_t *resp);

#endif
