/*
 * produce.h: Produce (ApiKey 0), versions 0-7, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (ProduceRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   TransactionalId        nstring   3+        null
 *   Acks                   int16     0+
 *   TimeoutMs              int32     0+
 *   TopicData              []        0+
 *     Name                 string    0+
 *     PartitionData        []        0+
 *       Index              int32     0+
 *       Records            records   0+  (nullable bytes, int32 length)
 * Records is the raw MessageSet (v0-2) or RecordBatch (v3+) blob; it
 * BORROWS from the request frame, which the handler keeps until the append
 * is done.  Which magic is allowed for which version is the handler's
 * business (protocol.md §1.9), not the codec's.
 *
 * Response (ProduceResponse.json); no response at all is sent for Acks 0:
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   Responses              []        0+
 *     Name                 string    0+
 *     PartitionResponses   []        0+
 *       Index              int32     0+
 *       ErrorCode          int16     0+
 *       BaseOffset         int64     0+
 *       LogAppendTimeMs    int64     2+        -1
 *       LogStartOffset     int64     5+        -1
 *   ThrottleTimeMs         int32     1+        0   (after the array)
 *
 * Example, v0 request, acks 1, timeout 1000, topic "t", partition 0, empty
 * records:  00 01 | 00 00 03 e8 | 00 00 00 01 | 00 01 74 | 00 00 00 01 |
 *           00 00 00 00 | 00 00 00 00.
 */
#ifndef SM_PROTOCOL_PRODUCE_H
#define SM_PROTOCOL_PRODUCE_H

#include "protocol/msg.h"

#define SM_PRODUCE_MAX_VERSION 7

/* Kafka: PartitionProduceData */
typedef struct sm_ProduceRequestPartition {
    int32_t    Index;
    sm_bytes_t Records;                   /* borrowed; len -1 = null */
} sm_ProduceRequestPartition_t;

/* Kafka: TopicProduceData */
typedef struct sm_ProduceRequestTopic {
    sm_str_t Name;
    int32_t  PartitionDataCnt;
    sm_ProduceRequestPartition_t *PartitionData;
} sm_ProduceRequestTopic_t;

typedef struct sm_ProduceRequest {
    int16_t  ApiVersion;
    sm_str_t TransactionalId;             /* v3+, nullable */
    int16_t  Acks;
    int32_t  TimeoutMs;
    int32_t  TopicDataCnt;
    sm_ProduceRequestTopic_t *TopicData;
} sm_ProduceRequest_t;

/* Kafka: PartitionProduceResponse */
typedef struct sm_ProduceResponsePartition {
    int32_t Index;
    int16_t ErrorCode;
    int64_t BaseOffset;
    int64_t LogAppendTimeMs;              /* v2+ */
    int64_t LogStartOffset;               /* v5+ */
} sm_ProduceResponsePartition_t;

/* Kafka: TopicProduceResponse */
typedef struct sm_ProduceResponseTopic {
    sm_str_t Name;
    int32_t  PartitionResponsesCnt;
    sm_ProduceResponsePartition_t *PartitionResponses;
} sm_ProduceResponseTopic_t;

typedef struct sm_ProduceResponse {
    int16_t ApiVersion;
    int32_t ResponsesCnt;
    sm_ProduceResponseTopic_t *Responses;
    int32_t ThrottleTimeMs;               /* v1+ */
} sm_ProduceResponse_t;

sm_err_t sm_ProduceRequest_read(sm_rd_t *rd, int16_t version,
                                sm_ProduceRequest_t *req);
void     sm_ProduceRequest_free(sm_ProduceRequest_t *req);
void     sm_ProduceRequest_write(sm_buf_t *buf, int16_t version,
                                 const sm_ProduceRequest_t *req);

sm_err_t sm_ProduceResponse_read(sm_rd_t *rd, int16_t version,
                                 sm_ProduceResponse_t *resp);
void     sm_ProduceResponse_free(sm_ProduceResponse_t *resp);
void     sm_ProduceResponse_write(sm_buf_t *buf, int16_t version,
                                  const sm_ProduceResponse_t *resp);

#endif
