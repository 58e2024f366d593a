/*
 * offsetfetch.h: OffsetFetch (ApiKey 9), versions 0-5, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v6 is the first flexible version and is not served.
 *
 * v0 reads from ZooKeeper in Kafka 0.8.2; v2 allows a null Topics array
 * ("every partition the group committed") and adds the top-level
 * ErrorCode; v5 adds the leader epoch.
 *
 * Request (OffsetFetchRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   GroupId                string    0+
 *   Topics                 []?       0+        (nullable 2+)
 *     Name                 string    0+
 *     PartitionIndexes     []int32   0+
 *
 * Response (OffsetFetchResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     3+        0
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *       CommittedOffset    int64     0+
 *       CommittedLeaderEpoch int32   5+        -1
 *       Metadata           string?   0+
 *       ErrorCode          int16     0+
 *   ErrorCode              int16     2+        0
 */
#ifndef SM_PROTOCOL_OFFSETFETCH_H
#define SM_PROTOCOL_OFFSETFETCH_H

#include "protocol/msg.h"

#define SM_OFFSETFETCH_MAX_VERSION 5

typedef struct sm_OffsetFetchRequestTopic {
    sm_str_t Name;
    int32_t  PartitionIndexesCnt;
    int32_t *PartitionIndexes;
} sm_OffsetFetchRequestTopic_t;

typedef struct sm_OffsetFetchRequest {
    int16_t  ApiVersion;
    sm_str_t GroupId;
    int32_t  TopicsCnt;                   /* -1: null (all), v2+ */
    sm_OffsetFetchRequestTopic_t *Topics;
} sm_OffsetFetchRequest_t;

typedef struct sm_OffsetFetchResponsePartition {
    int32_t  PartitionIndex;
    int64_t  CommittedOffset;
    int32_t  CommittedLeaderEpoch;        /* v5+ */
    sm_str_t Metadata;                    /* nullable */
    int16_t  ErrorCode;
} sm_OffsetFetchResponsePartition_t;

typedef struct sm_OffsetFetchResponseTopic {
    sm_str_t Name;
    int32_t  PartitionsCnt;
    sm_OffsetFetchResponsePartition_t *Partitions;
} sm_OffsetFetchResponseTopic_t;

typedef struct sm_OffsetFetchResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v3+ */
    int32_t TopicsCnt;
    sm_OffsetFetchResponseTopic_t *Topics;
    int16_t ErrorCode;                    /* v2+ */
} sm_OffsetFetchResponse_t;

sm_err_t sm_OffsetFetchRequest_read(sm_rd_t *rd, int16_t version,
                                    sm_OffsetFetchRequest_t *req);
void     sm_OffsetFetchRequest_free(sm_OffsetFetchRequest_t *req);
void     sm_OffsetFetchRequest_write(sm_buf_t *buf, int16_t version,
                                     const sm_OffsetFetchRequest_t *req);

sm_err_t sm_OffsetFetchResponse_read(sm_rd_t *rd, int16_t version,
                                     sm_OffsetFetchResponse_t *resp);
void     sm_OffsetFetchResponse_free(sm_OffsetFetchResponse_t *resp);
void     sm_OffsetFetchResponse_write(sm_buf_t *buf, int16_t version,
                                      const sm_OffsetFetchResponse_t *resp);

#endif
