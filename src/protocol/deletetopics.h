/*
 * deletetopics.h: DeleteTopics (ApiKey 20), versions 0-3, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (DeleteTopicsRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   TopicNames             []string  0+
 *   TimeoutMs              int32     0+
 *
 * Response (DeleteTopicsResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     1+        0
 *   Responses              []        0+
 *     Name                 string    0+
 *     ErrorCode            int16     0+
 *
 * Example, v0 request deleting "t" with timeout 1000:
 *   00 00 00 01 | 00 01 74 | 00 00 03 e8.
 */
#ifndef SM_PROTOCOL_DELETETOPICS_H
#define SM_PROTOCOL_DELETETOPICS_H

#include "protocol/msg.h"

#define SM_DELETETOPICS_MAX_VERSION 3

typedef struct sm_DeleteTopicsRequest {
    int16_t   ApiVersion;
    int32_t   TopicNamesCnt;
    sm_str_t *TopicNames;
    int32_t   TimeoutMs;
} sm_DeleteTopicsRequest_t;

/* Kafka: DeletableTopicResult */
typedef struct sm_DeleteTopicsResponseTopic {
    sm_str_t Name;
    int16_t  ErrorCode;
} sm_DeleteTopicsResponseTopic_t;

typedef struct sm_DeleteTopicsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v1+ */
    int32_t ResponsesCnt;
    sm_DeleteTopicsResponseTopic_t *Responses;
} sm_DeleteTopicsResponse_t;

sm_err_t sm_DeleteTopicsRequest_read(sm_rd_t *rd, int16_t version,
                                     sm_DeleteTopicsRequest_t *req);
void     sm_DeleteTopicsRequest_free(sm_DeleteTopicsRequest_t *req);
void     sm_DeleteTopicsRequest_write(sm_buf_t *buf, int16_t version,
                                      const sm_DeleteTopicsRequest_t *req);

sm_err_t sm_DeleteTopicsResponse_read(sm_rd_t *rd, int16_t version,
                                      sm_DeleteTopicsResponse_t *resp);
void     sm_DeleteTopicsResponse_free(sm_DeleteTopicsResponse_t *resp);
void     sm_DeleteTopicsResponse_write(sm_buf_t *buf, int16_t version,
                                       const sm_DeleteTopicsResponse_t *resp);

#endif
