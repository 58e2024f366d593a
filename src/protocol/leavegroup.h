/*
 * leavegroup.h: LeaveGroup (ApiKey 13), versions 0-3, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v3 (KIP-345) replaces the single MemberId by a batch of members; v4 is
 * the first flexible version and is not served.
 *
 * Request (LeaveGroupRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   GroupId                string    0+
 *   MemberId               string    0-2
 *   Members                []        3+
 *     MemberId             string    3+
 *     GroupInstanceId      string?   3+        null
 *
 * Response (LeaveGroupResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     1+        0
 *   ErrorCode              int16     0+
 *   Members                []        3+
 *     MemberId             string    3+
 *     GroupInstanceId      string?   3+
 *     ErrorCode            int16     3+
 *
 * Example, v0 request: group "g", member "m": 00 01 67 | 00 01 6d.
 */
#ifndef SM_PROTOCOL_LEAVEGROUP_H
#define SM_PROTOCOL_LEAVEGROUP_H

#include "protocol/msg.h"

#define SM_LEAVEGROUP_MAX_VERSION 3

/* Kafka: MemberIdentity */
typedef struct sm_LeaveGroupRequestMember {
    sm_str_t MemberId;
    sm_str_t GroupInstanceId;             /* nullable */
} sm_LeaveGroupRequestMember_t;

typedef struct sm_LeaveGroupRequest {
    int16_t  ApiVersion;
    sm_str_t GroupId;
    sm_str_t MemberId;                    /* v0-2 */
    int32_t  MembersCnt;                  /* v3+ */
    sm_LeaveGroupRequestMember_t *Members;
} sm_LeaveGroupRequest_t;

/* Kafka: MemberResponse */
typedef struct sm_LeaveGroupResponseMember {
    sm_str_t MemberId;
    sm_str_t GroupInstanceId;             /* nullable */
    int16_t  ErrorCode;
} sm_LeaveGroupResponseMember_t;

typedef struct sm_LeaveGroupResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v1+ */
    int16_t ErrorCode;
    int32_t MembersCnt;                   /* v3+ */
    sm_LeaveGroupResponseMember_t *Members;
} sm_LeaveGroupResponse_t;

sm_err_t sm_LeaveGroupRequest_read(sm_rd_t *rd, int16_t version,
                                   sm_LeaveGroupRequest_t *req);
void     sm_LeaveGroupRequest_free(sm_LeaveGroupRequest_t *req);
void     sm_LeaveGroupRequest_write(sm_buf_t *buf, int16_t version,
                                    const sm_LeaveGroupRequest_t *req);

sm_err_t sm_LeaveGroupResponse_read(sm_rd_t *rd, int16_t version,
                                    sm_LeaveGroupResponse_t *resp);
void     sm_LeaveGroupResponse_free(sm_LeaveGroupResponse_t *resp);
void     sm_LeaveGroupResponse_write(sm_buf_t *buf, int16_t version,
                                     const sm_LeaveGroupResponse_t *resp);

#endif
