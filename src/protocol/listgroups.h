/*
 * listgroups.h: ListGroups (ApiKey 16), versions 0-2, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v3 is the first flexible version and is not served.
 *
 * Request (ListGroupsRequest.json): no fields in v0-2.
 *
 * Response (ListGroupsResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     1+        0
 *   ErrorCode              int16     0+
 *   Groups                 []        0+
 *     GroupId              string    0+
 *     ProtocolType         string    0+
 *
 * Example, v0 response with group "g" of type "consumer":
 *   00 00 | 00 00 00 01 | 00 01 67 | 00 08 "consumer".
 */
#ifndef SM_PROTOCOL_LISTGROUPS_H
#define SM_PROTOCOL_LISTGROUPS_H

#include "protocol/msg.h"

#define SM_LISTGROUPS_MAX_VERSION 2

typedef struct sm_ListGroupsRequest {
    int16_t ApiVersion;
} sm_ListGroupsRequest_t;

/* Kafka: ListedGroup */
typedef struct sm_ListGroupsResponseGroup {
    sm_str_t GroupId;
    sm_str_t ProtocolType;
} sm_ListGroupsResponseGroup_t;

typedef struct sm_ListGroupsResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v1+ */
    int16_t ErrorCode;
    int32_t GroupsCnt;
    sm_ListGroupsResponseGroup_t *Groups;
} sm_ListGroupsResponse_t;

sm_err_t sm_ListGroupsRequest_read(sm_rd_t *rd, int16_t version,
                                   sm_ListGroupsRequest_t *req);
void     sm_ListGroupsRequest_free(sm_ListGroupsRequest_t *req);
void     sm_ListGroupsRequest_write(sm_buf_t *buf, int16_t version,
                                    const sm_ListGroupsRequest_t *req);

sm_err_t sm_ListGroupsResponse_read(sm_rd_t *rd, int16_t version,
                                    sm_ListGroupsResponse_t *resp);
void     sm_ListGroupsResponse_free(sm_ListGroupsResponse_t *resp);
void     sm_ListGroupsResponse_write(sm_buf_t *buf, int16_t version,
                                     const sm_ListGroupsResponse_t *resp);

#endif
