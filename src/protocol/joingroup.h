/*
 * joingroup.h: JoinGroup (ApiKey 11), versions 0-5, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v6 is the first flexible version and is not served.  v4 only changes
 * semantics (MEMBER_ID_REQUIRED), not the layout.
 *
 * Request (JoinGroupRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   GroupId                string    0+
 *   SessionTimeoutMs       int32     0+
 *   RebalanceTimeoutMs     int32     1+        -1 (v0: = SessionTimeoutMs)
 *   MemberId               string    0+
 *   GroupInstanceId        string?   5+        null
 *   ProtocolType           string    0+
 *   Protocols              []        0+
 *     Name                 string    0+
 *     Metadata             bytes     0+
 *
 * Response (JoinGroupResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     2+        0
 *   ErrorCode              int16     0+
 *   GenerationId           int32     0+        -1
 *   ProtocolName           string    0+
 *   Leader                 string    0+
 *   MemberId               string    0+
 *   Members                []        0+
 *     MemberId             string    0+
 *     GroupInstanceId      string?   5+        null
 *     Metadata             bytes     0+
 *
 * Example, v0 request: group "g", session 10000, member "", type
 * "consumer", one protocol "range" with metadata 01:
 *   00 01 67 | 00 00 27 10 | 00 00 | 00 08 "consumer" | 00 00 00 01 |
 *   00 05 "range" | 00 00 00 01 01.
 */
#ifndef SM_PROTOCOL_JOINGROUP_H
#define SM_PROTOCOL_JOINGROUP_H

#include "protocol/msg.h"

#define SM_JOINGROUP_MAX_VERSION 5

typedef struct sm_JoinGroupRequestProtocol {
    sm_str_t   Name;
    sm_bytes_t Metadata;
} sm_JoinGroupRequestProtocol_t;

typedef struct sm_JoinGroupRequest {
    int16_t  ApiVersion;
    sm_str_t GroupId;
    int32_t  SessionTimeoutMs;
    int32_t  RebalanceTimeoutMs;          /* v1+ */
    sm_str_t MemberId;
    sm_str_t GroupInstanceId;             /* v5+, nullable */
    sm_str_t ProtocolType;
    int32_t  ProtocolsCnt;
    sm_JoinGroupRequestProtocol_t *Protocols;
} sm_JoinGroupRequest_t;

typedef struct sm_JoinGroupResponseMember {
    sm_str_t   MemberId;
    sm_str_t   GroupInstanceId;           /* v5+, nullable */
    sm_bytes_t Metadata;
} sm_JoinGroupResponseMember_t;

typedef struct sm_JoinGroupResponse {
    int16_t  ApiVersion;
    int32_t  ThrottleTimeMs;              /* v2+ */
    int16_t  ErrorCode;
    int32_t  GenerationId;
    sm_str_t ProtocolName;
    sm_str_t Leader;
    sm_str_t MemberId;
    int32_t  MembersCnt;
    sm_JoinGroupResponseMember_t *Members;
} sm_JoinGroupResponse_t;

sm_err_t sm_JoinGroupRequest_read(sm_rd_t *rd, int16_t version,
                                  sm_JoinGroupRequest_t *req);
void     sm_JoinGroupRequest_free(sm_JoinGroupRequest_t *req);
void     sm_JoinGroupRequest_write(sm_buf_t *buf, int16_t version,
                                   const sm_JoinGroupRequest_t *req);

sm_err_t sm_JoinGroupResponse_read(sm_rd_t *rd, int16_t version,
                                   sm_JoinGroupResponse_t *resp);
void     sm_JoinGroupResponse_free(sm_JoinGroupResponse_t *resp);
void     sm_JoinGroupResponse_write(sm_buf_t *buf, int16_t version,
                                    const sm_JoinGroupResponse_t *resp);

#endif
