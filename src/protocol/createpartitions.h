/*
 * createpartitions.h: CreatePartitions (ApiKey 37), versions 0-1, both
 * sides.  Conventions (struct layout, read/free/write contract):
 * protocol/msg.h.
 *
 * Request (CreatePartitionsRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Count                int32     0+   (the new total partition count)
 *     Assignments          []        0+, null 0+
 *       BrokerIds          []int32   0+   (one entry per NEW partition)
 *   TimeoutMs              int32     0+
 *   ValidateOnly           bool      0+
 *
 * Response (CreatePartitionsResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     0+
 *   Results                []        0+
 *     Name                 string    0+
 *     ErrorCode            int16     0+
 *     ErrorMessage         nstring   0+
 *
 * Example, v0 request growing "t" to 3 partitions, no assignment, timeout
 * 1000, not validate-only:  00 00 00 01 | 00 01 74 | 00 00 00 03 |
 *   ff ff ff ff | 00 00 03 e8 | 00.
 */
#ifndef SM_PROTOCOL_CREATEPARTITIONS_H
#define SM_PROTOCOL_CREATEPARTITIONS_H

#include "protocol/msg.h"

#define SM_CREATEPARTITIONS_MAX_VERSION 1

/* Kafka: CreatePartitionsAssignment */
typedef struct sm_CreatePartitionsRequestAssignment {
    int32_t  BrokerIdsCnt;
    int32_t *BrokerIds;
} sm_CreatePartitionsRequestAssignment_t;

/* Kafka: CreatePartitionsTopic */
typedef struct sm_CreatePartitionsRequestTopic {
    sm_str_t Name;
    int32_t  Count;
    int32_t  AssignmentsCnt;              /* -1: null (broker assigns) */
    sm_CreatePartitionsRequestAssignment_t *Assignments;
} sm_CreatePartitionsRequestTopic_t;

typedef struct sm_CreatePartitionsRequest {
    int16_t ApiVersion;
    int32_t TopicsCnt;
    sm_CreatePartitionsRequestTopic_t *Topics;
    int32_t TimeoutMs;
    int     ValidateOnly;
} sm_CreatePartitionsRequest_t;

/* Kafka: CreatePartitionsTopicResult */
typedef struct sm_CreatePartitionsResponseResult {
    sm_str_t Name;
    int16_t  ErrorCode;
    sm_str_t ErrorMessage;                /* nullable */
} sm_CreatePartitionsResponseResult_t;

typedef struct sm_CreatePartitionsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;
    int32_t ResultsCnt;
    sm_CreatePartitionsResponseResult_t *Results;
} sm_CreatePartitionsResponse_t;

sm_err_t sm_CreatePartitionsRequest_read(sm_rd_t *rd, int16_t version,
                                         sm_CreatePartitionsRequest_t *req);
void     sm_CreatePartitionsRequest_free(sm_CreatePartitionsRequest_t *req);
void     sm_CreatePartitionsRequest_write(
             sm_buf_t *buf, int16_t version,
             const sm_CreatePartitionsRequest_t *req);

sm_err_t sm_CreatePartitionsResponse_read(sm_rd_t *rd, int16_t version,
                                          sm_CreatePartitionsResponse_t *resp);
void     sm_CreatePartitionsResponse_free(sm_CreatePartitionsResponse_t *resp);
void     sm_CreatePartitionsResponse_write(
             sm_buf_t *buf, int16_t version,
             const sm_CreatePartitionsResponse_t *resp);

#endif
