/*
 * syncgroup.h: SyncGroup (ApiKey 14), versions 0-3, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v4 is the first flexible version and is not served.
 *
 * Request (SyncGroupRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   GroupId                string    0+
 *   GenerationId           int32     0+
 *   MemberId               string    0+
 *   GroupInstanceId        string?   3+        null
 *   Assignments            []        0+        (only the leader's is full)
 *     MemberId             string    0+
 *     Assignment           bytes     0+
 *
 * Response (SyncGroupResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     1+        0
 *   ErrorCode              int16     0+
 *   Assignment             bytes     0+
 *
 * Example, v0 response, no error, assignment 01 02:
 *   00 00 | 00 00 00 02 01 02.
 */
#ifndef SM_PROTOCOL_SYNCGROUP_H
#define SM_PROTOCOL_SYNCGROUP_H

#include "protocol/msg.h"

#define SM_SYNCGROUP_MAX_VERSION 3

typedef struct sm_SyncGroupRequestAssignment {
    sm_str_t   MemberId;
    sm_bytes_t Assignment;
} sm_SyncGroupRequestAssignment_t;

typedef struct sm_SyncGroupRequest {
    int16_t  ApiVersion;
    sm_str_t GroupId;
    int32_t  GenerationId;
    sm_str_t MemberId;
    sm_str_t GroupInstanceId;             /* v3+, nullable */
    int32_t  AssignmentsCnt;
    sm_SyncGroupRequestAssignment_t *Assignments;
} sm_SyncGroupRequest_t;

typedef struct sm_SyncGroupResponse {
    int16_t    ApiVersion;
    int32_t    ThrottleTimeMs;            /* v1+ */
    int16_t    ErrorCode;
    sm_bytes_t Assignment;
} sm_SyncGroupResponse_t;

sm_err_t sm_SyncGroupRequest_read(sm_rd_t *rd, int16_t version,
                                  sm_SyncGroupRequest_t *req);
void     sm_SyncGroupRequest_free(sm_SyncGroupRequest_t *req);
void     sm_SyncGroupRequest_write(sm_buf_t *buf, int16_t version,
                                   const sm_SyncGroupRequest_t *req);

sm_err_t sm_SyncGroupResponse_read(sm_rd_t *rd, int16_t version,
                                   sm_SyncGroupResponse_t *resp);
void     sm_SyncGroupResponse_free(sm_SyncGroupResponse_t *resp);
void     sm_SyncGroupResponse_write(sm_buf_t *buf, int16_t version,
                                    const sm_SyncGroupResponse_t *resp);

#endif
