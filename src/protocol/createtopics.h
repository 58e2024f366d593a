/*
 * createtopics.h: CreateTopics (ApiKey 19), versions 0-4, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (CreateTopicsRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   Topics                 []        0+
 *     Name                 string    0+
 *     NumPartitions        int32     0+   (-1: broker default, v4+)
 *     ReplicationFactor    int16     0+   (-1: broker default, v4+)
 *     Assignments          []        0+
 *       PartitionIndex     int32     0+
 *       BrokerIds          []int32   0+
 *     Configs              []        0+
 *       Name               string    0+
 *       Value              nstring   0+
 *   TimeoutMs              int32     0+   (the spec spells it timeoutMs)
 *   ValidateOnly           bool      1+        false  (spec: validateOnly)
 *
 * Response (CreateTopicsResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     2+        0
 *   Topics                 []        0+
 *     Name                 string    0+
 *     ErrorCode            int16     0+
 *     ErrorMessage         nstring   1+        null
 *
 * Example, v0 request for "t", 1 partition, factor 1, no assignments or
 * configs, timeout 1000:  00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 01 |
 *   00 00 00 00 | 00 00 00 00 | 00 00 03 e8.
 */
#ifndef SM_PROTOCOL_CREATETOPICS_H
#define SM_PROTOCOL_CREATETOPICS_H

#include "protocol/msg.h"

#define SM_CREATETOPICS_MAX_VERSION 4

/* Kafka: CreatableReplicaAssignment */
typedef struct sm_CreateTopicsRequestAssignment {
    int32_t  PartitionIndex;
    int32_t  BrokerIdsCnt;
    int32_t *BrokerIds;
} sm_CreateTopicsRequestAssignment_t;

/* Kafka: CreateableTopicConfig */
typedef struct sm_CreateTopicsRequestConfig {
    sm_str_t Name;
    sm_str_t Value;                       /* nullable */
} sm_CreateTopicsRequestConfig_t;

/* Kafka: CreatableTopic */
typedef struct sm_CreateTopicsRequestTopic {
    sm_str_t Name;
    int32_t  NumPartitions;
    int16_t  ReplicationFactor;
    int32_t  AssignmentsCnt;
    sm_CreateTopicsRequestAssignment_t *Assignments;
    int32_t  ConfigsCnt;
    sm_CreateTopicsRequestConfig_t *Configs;
} sm_CreateTopicsRequestTopic_t;

typedef struct sm_CreateTopicsRequest {
    int16_t ApiVersion;
    int32_t TopicsCnt;
    sm_CreateTopicsRequestTopic_t *Topics;
    int32_t TimeoutMs;
    int     ValidateOnly;                 /* v1+ */
} sm_CreateTopicsRequest_t;

/* Kafka: CreatableTopicResult */
typedef struct sm_CreateTopicsResponseTopic {
    sm_str_t Name;
    int16_t  ErrorCode;
    sm_str_t ErrorMessage;                /* v1+, nullable */
} sm_CreateTopicsResponseTopic_t;

typedef struct sm_CreateTopicsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v2+ */
    int32_t TopicsCnt;
    sm_CreateTopicsResponseTopic_t *Topics;
} sm_CreateTopicsResponse_t;

sm_err_t sm_CreateTopicsRequest_read(sm_rd_t *rd, int16_t version,
                                     sm_CreateTopicsRequest_t *req);
void     sm_CreateTopicsRequest_free(sm_CreateTopicsRequest_t *req);
void     sm_CreateTopicsRequest_write(sm_buf_t *buf, int16_t version,
                                      const sm_CreateTopicsRequest_t *req);

sm_err_t sm_CreateTopicsResponse_read(sm_rd_t *rd, int16_t version,
                                      sm_CreateTopicsResponse_t *resp);
void     sm_CreateTopicsResponse_free(sm_CreateTopicsResponse_t *resp);
void     sm_CreateTopicsResponse_write(sm_buf_t *buf, int16_t version,
                                       const sm_CreateTopicsResponse_t *resp);

#endif
