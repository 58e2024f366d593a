/*
 * metadata.h: Metadata (ApiKey 3), versions 0-8, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (MetadataRequest.json):
 *   FIELD                               TYPE      VERSIONS  DEFAULT
 *   Topics                              []        0+, null 1+
 *     Name                              string    0+
 *   AllowAutoTopicCreation              bool      4+        true
 *   IncludeClusterAuthorizedOperations  bool      8+        false
 *   IncludeTopicAuthorizedOperations    bool      8+        false
 * "All topics" is an EMPTY array in v0 and a NULL array from v1 (where empty
 * means none): use sm_MetadataRequest_all_topics().  A null array written
 * at v0 goes out as an empty one, which means the same.
 *
 * Response (MetadataResponse.json):
 *   FIELD                               TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs                      int32     3+        0
 *   Brokers                             []        0+
 *     NodeId                            int32     0+
 *     Host                              string    0+
 *     Port                              int32     0+
 *     Rack                              nstring   1+        null
 *   ClusterId                           nstring   2+        null
 *   ControllerId                        int32     1+        -1
 *   Topics                              []        0+
 *     ErrorCode                         int16     0+
 *     Name                              string    0+
 *     IsInternal                        bool      1+        false
 *     Partitions                        []        0+
 *       ErrorCode                       int16     0+
 *       PartitionIndex                  int32     0+
 *       LeaderId                        int32     0+
 *       LeaderEpoch                     int32     7+        -1
 *       ReplicaNodes                    []int32   0+
 *       IsrNodes                        []int32   0+
 *       OfflineReplicas                 []int32   5+        empty
 *     TopicAuthorizedOperations         int32     8+        INT32_MIN
 *   ClusterAuthorizedOperations         int32     8+        INT32_MIN
 *
 * Example, v0 request for topic "t":  00 00 00 01 | 00 01 74.
 */
#ifndef SM_PROTOCOL_METADATA_H
#define SM_PROTOCOL_METADATA_H

#include "protocol/msg.h"

#define SM_METADATA_MAX_VERSION 8
/* Kafka's "authorized operations not requested" marker. */
#define SM_METADATA_AUTHOPS_UNKNOWN INT32_MIN

typedef struct sm_MetadataRequestTopic {
    sm_str_t Name;
} sm_MetadataRequestTopic_t;

typedef struct sm_MetadataRequest {
    int16_t  ApiVersion;
    int32_t  TopicsCnt;                   /* -1: null (v1+) */
    sm_MetadataRequestTopic_t *Topics;
    int      AllowAutoTopicCreation;      /* v4+ */
    int      IncludeClusterAuthorizedOperations; /* v8+ */
    int      IncludeTopicAuthorizedOperations;   /* v8+ */
} sm_MetadataRequest_t;

typedef struct sm_MetadataResponseBroker {
    int32_t  NodeId;
    sm_str_t Host;
    int32_t  Port;
    sm_str_t Rack;                        /* v1+, nullable */
} sm_MetadataResponseBroker_t;

typedef struct sm_MetadataResponsePartition {
    int16_t  ErrorCode;
    int32_t  PartitionIndex;
    int32_t  LeaderId;
    int32_t  LeaderEpoch;                 /* v7+ */
    int32_t  ReplicaNodesCnt;
    int32_t *ReplicaNodes;
    int32_t  IsrNodesCnt;
    int32_t *IsrNodes;
    int32_t  OfflineReplicasCnt;          /* v5+ */
    int32_t *OfflineReplicas;
} sm_MetadataResponsePartition_t;

typedef struct sm_MetadataResponseTopic {
    int16_t  ErrorCode;
    sm_str_t Name;
    int      IsInternal;                  /* v1+ */
    int32_t  PartitionsCnt;
    sm_MetadataResponsePartition_t *Partitions;
    int32_t  TopicAuthorizedOperations;   /* v8+ */
} sm_MetadataResponseTopic_t;

typedef struct sm_MetadataResponse {
    int16_t  ApiVersion;
    int32_t  ThrottleTimeMs;              /* v3+ */
    int32_t  BrokersCnt;
    sm_MetadataResponseBroker_t *Brokers;
    sm_str_t ClusterId;                   /* v2+, nullable */
    int32_t  ControllerId;                /* v1+ */
    int32_t  TopicsCnt;
    sm_MetadataResponseTopic_t *Topics;
    int32_t  ClusterAuthorizedOperations; /* v8+ */
} sm_MetadataResponse_t;

sm_err_t sm_MetadataRequest_read(sm_rd_t *rd, int16_t version,
                                 sm_MetadataRequest_t *req);
void     sm_MetadataRequest_free(sm_MetadataRequest_t *req);
void     sm_MetadataRequest_write(sm_buf_t *buf, int16_t version,
                                  const sm_MetadataRequest_t *req);
/* Whether req asks for every topic (v0: empty array; v1+: null array). */
int      sm_MetadataRequest_all_topics(const sm_MetadataRequest_t *req);

sm_err_t sm_MetadataResponse_read(sm_rd_t *rd, int16_t version,
                                  sm_MetadataResponse_t *resp);
void     sm_MetadataResponse_free(sm_MetadataResponse_t *resp);
void     sm_MetadataResponse_write(sm_buf_t *buf, int16_t version,
                                   const sm_MetadataResponse_t *resp);

#endif
