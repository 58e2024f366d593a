/*
 * heartbeat.h: Heartbeat (ApiKey 12), versions 0-3, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v4 is the first flexible version and is not served.
 *
 * Request (HeartbeatRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   GroupId                string    0+
 *   GenerationId           int32     0+
 *   MemberId               string    0+
 *   GroupInstanceId        string?   3+        null
 *
 * Response (HeartbeatResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     1+        0
 *   ErrorCode              int16     0+
 *
 * Example, v0 request: group "g", generation 1, member "m":
 *   00 01 67 | 00 00 00 01 | 00 01 6d.
 */
#ifndef SM_PROTOCOL_HEARTBEAT_H
#define SM_PROTOCOL_HEARTBEAT_H

#include "protocol/msg.h"

#define SM_HEARTBEAT_MAX_VERSION 3

typedef struct sm_HeartbeatRequest {
    int16_t  ApiVersion;
    sm_str_t GroupId;
    int32_t  GenerationId;
    sm_str_t MemberId;
    sm_str_t GroupInstanceId;             /* v3+, nullable */
} sm_HeartbeatRequest_t;

typedef struct sm_HeartbeatResponse {
    int16_t ApiVersion;
    int32_t ThrottleTimeMs;               /* v1+ */
    int16_t ErrorCode;
} sm_HeartbeatResponse_t;

sm_err_t sm_HeartbeatRequest_read(sm_rd_t *rd, int16_t version,
                                  sm_HeartbeatRequest_t *req);
void     sm_HeartbeatRequest_free(sm_HeartbeatRequest_t *req);
void     sm_HeartbeatRequest_write(sm_buf_t *buf, int16_t version,
                                   const sm_HeartbeatRequest_t *req);

sm_err_t sm_HeartbeatResponse_read(sm_rd_t *rd, int16_t version,
                                   sm_HeartbeatResponse_t *resp);
void     sm_HeartbeatResponse_free(sm_HeartbeatResponse_t *resp);
void     sm_HeartbeatResponse_write(sm_buf_t *buf, int16_t version,
                                    const sm_HeartbeatResponse_t *resp);

#endif
