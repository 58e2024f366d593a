/*
 * deletegroups.h: DeleteGroups (ApiKey 42), versions 0-1, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v1 is v0 (throttling moved before the response); v2 is the first
 * flexible version and is not served.
 *
 * Request (DeleteGroupsRequest.json):
 *   FIELD                  TYPE      VERSIONS
 *   GroupsNames            []string  0+
 *
 * Response (DeleteGroupsResponse.json):
 *   FIELD                  TYPE      VERSIONS
 *   ThrottleTimeMs         int32     0+
 *   Results                []        0+
 *     GroupId              string    0+
 *     ErrorCode            int16     0+
 *
 * Example, v0 request for group "g":  00 00 00 01 | 00 01 67.
 */
#ifndef SM_PROTOCOL_DELETEGROUPS_H
#define SM_PROTOCOL_DELETEGROUPS_H

#include "protocol/msg.h"

#define SM_DELETEGROUPS_MAX_VERSION 1

typedef struct sm_DeleteGroupsRequest {
    int16_t   ApiVersion;
    int32_t   GroupsNamesCnt;
    sm_str_t *GroupsNames;
} sm_DeleteGroupsRequest_t;

/* Kafka: DeletableGroupResult */
typedef struct sm_DeleteGroupsResponseResult {
    sm_str_t GroupId;
    int16_t  ErrorCode;
} sm_DeleteGroupsResponseResult_t;

typedef struct sm_DeleteGroupsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;
    int32_t ResultsCnt;
    sm_DeleteGroupsResponseResult_t *Results;
} sm_DeleteGroupsResponse_t;

sm_err_t sm_DeleteGroupsRequest_read(sm_rd_t *rd, int16_t version,
                                     sm_DeleteGroupsRequest_t *req);
void     sm_DeleteGroupsRequest_free(sm_DeleteGroupsRequest_t *req);
void     sm_DeleteGroupsRequest_write(sm_buf_t *buf, int16_t version,
                                      const sm_DeleteGroupsRequest_t *req);

sm_err_t sm_DeleteGroupsResponse_read(sm_rd_t *rd, int16_t version,
                                      sm_DeleteGroupsResponse_t *resp);
void     sm_DeleteGroupsResponse_free(sm_DeleteGroupsResponse_t *resp);
void     sm_DeleteGroupsResponse_write(sm_buf_t *buf, int16_t version,
                                       const sm_DeleteGroupsResponse_t *resp);

#endif
