/*
 * describegroups.h: DescribeGroups (ApiKey 15), versions 0-4, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v5 is the first flexible version and is not served.
 *
 * Request (DescribeGroupsRequest.json):
 *   FIELD                        TYPE      VERSIONS  DEFAULT
 *   Groups                       []string  0+
 *   IncludeAuthorizedOperations  bool      3+        false
 *
 * Response (DescribeGroupsResponse.json):
 *   FIELD                        TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs               int32     1+        0
 *   Groups                       []        0+
 *     ErrorCode                  int16     0+
 *     GroupId                    string    0+
 *     GroupState                 string    0+
 *     ProtocolType               string    0+
 *     ProtocolData               string    0+
 *     Members                    []        0+
 *       MemberId                 string    0+
 *       GroupInstanceId          string?   4+        null
 *       ClientId                 string    0+
 *       ClientHost               string    0+
 *       MemberMetadata           bytes     0+
 *       MemberAssignment         bytes     0+
 *     AuthorizedOperations       int32     3+        INT32_MIN
 *
 * Example, v0 request for group "g": 00 00 00 01 | 00 01 67.
 */
#ifndef SM_PROTOCOL_DESCRIBEGROUPS_H
#define SM_PROTOCOL_DESCRIBEGROUPS_H

#include "protocol/msg.h"

#define SM_DESCRIBEGROUPS_MAX_VERSION 4

typedef struct sm_DescribeGroupsRequest {
    int16_t   ApiVersion;
    int32_t   GroupsCnt;
    sm_str_t *Groups;
    int8_t    IncludeAuthorizedOperations;  /* v3+ */
} sm_DescribeGroupsRequest_t;

/* Kafka: DescribedGroupMember */
typedef struct sm_DescribeGroupsResponseMember {
    sm_str_t   MemberId;
    sm_str_t   GroupInstanceId;             /* v4+, nullable */
    sm_str_t   ClientId;
    sm_str_t   ClientHost;
    sm_bytes_t MemberMetadata;
    sm_bytes_t MemberAssignment;
} sm_DescribeGroupsResponseMember_t;

/* Kafka: DescribedGroup */
typedef struct sm_DescribeGroupsResponseGroup {
    int16_t  ErrorCode;
    sm_str_t GroupId;
    sm_str_t GroupState;
    sm_str_t ProtocolType;
    sm_str_t ProtocolData;
    int32_t  MembersCnt;
    sm_DescribeGroupsResponseMember_t *Members;
    int32_t  AuthorizedOperations;          /* v3+ */
} sm_DescribeGroupsResponseGroup_t;

typedef struct sm_DescribeGroupsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;                 /* v1+ */
    int32_t GroupsCnt;
    sm_DescribeGroupsResponseGroup_t *Groups;
} sm_DescribeGroupsResponse_t;

sm_err_t sm_DescribeGroupsRequest_read(sm_rd_t *rd, int16_t version,
                                       sm_DescribeGroupsRequest_t *req);
void     sm_DescribeGroupsRequest_free(sm_DescribeGroupsRequest_t *req);
void     sm_DescribeGroupsRequest_write(sm_buf_t *buf, int16_t version,
                                        const sm_DescribeGroupsRequest_t *req);

sm_err_t sm_DescribeGroupsResponse_read(sm_rd_t *rd, int16_t version,
                                        sm_DescribeGroupsResponse_t *resp);
void     sm_DescribeGroupsResponse_free(sm_DescribeGroupsResponse_t *resp);
void     sm_DescribeGroupsResponse_write(sm_buf_t *buf, int16_t version,
                                     const sm_DescribeGroupsResponse_t *resp);

#endif
