/*
 * listoffsets.h: ListOffsets (ApiKey 2), versions 0-5, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (ListOffsetsRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ReplicaId              int32     0+
 *   IsolationLevel         int8      2+        0
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *       CurrentLeaderEpoch int32     4+        -1
 *       Timestamp          int64     0+   (-1 latest, -2 earliest)
 *       MaxNumOffsets      int32     0         1
 *
 * Response (ListOffsetsResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     2+        0
 *   Topics                 []        0+
 *     Name                 string    0+
 *     Partitions           []        0+
 *       PartitionIndex     int32     0+
 *       ErrorCode          int16     0+
 *       OldStyleOffsets    []int64   0         empty
 *       Timestamp          int64     1+        -1
 *       Offset             int64     1+        -1
 *       LeaderEpoch        int32     4+        -1
 * v0 answers with up to MaxNumOffsets offsets (OldStyleOffsets), v1+ with
 * exactly one (Timestamp, Offset).
 *
 * Example, v0 request, replica -1, topic "t" partition 0, latest (-1), one
 * offset:  ff ff ff ff | 00 00 00 01 | 00 01 74 | 00 00 00 01 |
 *          00 00 00 00 | ff ff ff ff ff ff ff ff | 00 00 00 01.
 */
#ifndef SM_PROTOCOL_LISTOFFSETS_H
#define SM_PROTOCOL_LISTOFFSETS_H

#include "protocol/msg.h"

#define SM_LISTOFFSETS_MAX_VERSION 5
#define SM_LISTOFFSETS_LATEST   (-1)   /* Timestamp: the log end offset */
#define SM_LISTOFFSETS_EARLIEST (-2)   /* Timestamp: the log start offset */

typedef struct sm_ListOffsetsRequestPartition {
    int32_t PartitionIndex;
    int32_t CurrentLeaderEpoch;           /* v4+ */
    int64_t Timestamp;
    int32_t MaxNumOffsets;                /* v0 only */
} sm_ListOffsetsRequestPartition_t;

typedef struct sm_ListOffsetsRequestTopic {
    sm_str_t Name;
    int32_t  PartitionsCnt;
    sm_ListOffsetsRequestPartition_t *Partitions;
} sm_ListOffsetsRequestTopic_t;

typedef struct sm_ListOffsetsRequest {
    int16_t ApiVersion;
    int32_t ReplicaId;
    int8_t  IsolationLevel;               /* v2+ */
    int32_t TopicsCnt;
    sm_ListOffsetsRequestTopic_t *Topics;
} sm_ListOffsetsRequest_t;

typedef struct sm_ListOffsetsResponsePartition {
    int32_t  PartitionIndex;
    int16_t  ErrorCode;
    int32_t  OldStyleOffsetsCnt;          /* v0 only */
    int64_t *OldStyleOffsets;
    int64_t  Timestamp;                   /* v1+ */
    int64_t  Offset;                      /* v1+ */
    int32_t  LeaderEpoch;                 /* v4+ */
} sm_ListOffsetsResponsePartition_t;

typedef struct sm_ListOffsetsResponseTopic {
    sm_str_t Name;
    int32_t  PartitionsCnt;
    sm_ListOffsetsResponsePartition_t *Partitions;
} sm_ListOffsetsResponseTopic_t;

typedef struct sm_ListOffsetsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v2+ */
    int32_t TopicsCnt;
    sm_ListOffsetsResponseTopic_t *Topics;
} sm_ListOffsetsResponse_t;

sm_err_t sm_ListOffsetsRequest_read(sm_rd_t *rd, int16_t version,
                                    sm_ListOffsetsRequest_t *req);
void     sm_ListOffsetsRequest_free(sm_ListOffsetsRequest_t *req);
void     sm_ListOffsetsRequest_write(sm_buf_t *buf, int16_t version,
                                     const sm_ListOffsetsRequest_t *req);

sm_err_t sm_ListOffsetsResponse_read(sm_rd_t *rd, int16_t version,
                                     sm_ListOffsetsResponse_t *resp);
void     sm_ListOffsetsResponse_free(sm_ListOffsetsResponse_t *resp);
void     sm_ListOffsetsResponse_write(sm_buf_t *buf, int16_t version,
                                      const sm_ListOffsetsResponse_t *resp);

#endif
