/*
 * offsetdelete.h: OffsetDelete (ApiKey 47), version 0, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * Never flexible.
 *
 * Request (OffsetDeleteRequest.json):
 *   FIELD                  TYPE      VERSIONS
 *   GroupId                string    0+
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *
 * Response (OffsetDeleteResponse.json):
 *   FIELD                  TYPE      VERSIONS
 *   ErrorCode              int16     0+
 *   ThrottleTimeMs         int32     0+
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *       ErrorCode          int16     0+
 *
 * Example, request for group "g", topic "t", partition 0:
 *   00 01 67 | 00 00 00 01 | 00 01 74 | 00 00 00 01 | 00 00 00 00.
 */
#ifndef SM_PROTOCOL_OFFSETDELETE_H
#define SM_PROTOCOL_OFFSETDELETE_H

#include "protocol/msg.h"

#define SM_OFFSETDELETE_MAX_VERSION 0

typedef struct sm_OffsetDeleteRequestTopic {
    sm_str_t Name;
    int32_t  PartitionsCnt;
    int32_t *Partitions;                  /* PartitionIndex of each */
} sm_OffsetDeleteRequestTopic_t;

typedef struct sm_OffsetDeleteRequest {
    int16_t  ApiVersion;
    sm_str_t GroupId;
    int32_t  TopicsCnt;
    sm_OffsetDeleteRequestTopic_t *Topics;
} sm_OffsetDeleteRequest_t;

typedef struct sm_OffsetDeleteResponsePartition {
    int32_t PartitionIndex;
    int16_t ErrorCode;
} sm_OffsetDeleteResponsePartition_t;

typedef struct sm_OffsetDeleteResponseTopic {
    sm_str_t Name;
    int32_t  PartitionsCnt;
    sm_OffsetDeleteResponsePartition_t *Partitions;
} sm_OffsetDeleteResponseTopic_t;

typedef struct sm_OffsetDeleteResponse {
    int16_t ApiVersion;
    int16_t ErrorCode;
    int32_t ThrottleTimeMs;
    int32_t TopicsCnt;
    sm_OffsetDeleteResponseTopic_t *Topics;
} sm_OffsetDeleteResponse_t;

sm_err_t sm_OffsetDeleteRequest_read(sm_rd_t *rd, int16_t version,
                                     sm_OffsetDeleteRequest_t *req);
void     sm_OffsetDeleteRequest_free(sm_OffsetDeleteRequest_t *req);
void     sm_OffsetDeleteRequest_write(sm_buf_t *buf, int16_t version,
                                      const sm_OffsetDeleteRequest_t *req);

sm_err_t sm_OffsetDeleteResponse_read(sm_rd_t *rd, int16_t version,
                                      sm_OffsetDeleteResponse_t *resp);
void     sm_OffsetDeleteResponse_free(sm_OffsetDeleteResponse_t *resp);
void     sm_OffsetDeleteResponse_write(sm_buf_t *buf, int16_t version,
                                       const sm_OffsetDeleteResponse_t *resp);

#endif
