/*
 * findcoordinator.h: FindCoordinator (ApiKey 10), versions 0-2, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 * v3 is the first flexible version and v4 batches keys; neither is served.
 *
 * Request (FindCoordinatorRequest.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   Key                    string    0+
 *   KeyType                int8      1+        0 (0 group, 1 transaction)
 *
 * Response (FindCoordinatorResponse.json):
 *   FIELD                  TYPE      VERSIONS  DEFAULT
 *   ThrottleTimeMs         int32     1+        0
 *   ErrorCode              int16     0+
 *   ErrorMessage           string?   1+        null
 *   NodeId                 int32     0+
 *   Host                   string    0+
 *   Port                   int32     0+
 *
 * Example, v0 request for group "g": 00 01 67.
 */
#ifndef SM_PROTOCOL_FINDCOORDINATOR_H
#define SM_PROTOCOL_FINDCOORDINATOR_H

#include "protocol/msg.h"

#define SM_FINDCOORDINATOR_MAX_VERSION 2

#define SM_COORDINATOR_KEY_GROUP       0
#define SM_COORDINATOR_KEY_TRANSACTION 1

typedef struct sm_FindCoordinatorRequest {
    int16_t  ApiVersion;
    sm_str_t Key;
    int8_t   KeyType;                     /* v1+ */
} sm_FindCoordinatorRequest_t;

typedef struct sm_FindCoordinatorResponse {
    int16_t  ApiVersion;
    int32_t  ThrottleTimeMs;              /* v1+ */
    int16_t  ErrorCode;
    sm_str_t ErrorMessage;                /* v1+, nullable */
    int32_t  NodeId;
    sm_str_t Host;
    int32_t  Port;
} sm_FindCoordinatorResponse_t;

sm_err_t sm_FindCoordinatorRequest_read(sm_rd_t *rd, int16_t version,
                                        sm_FindCoordinatorRequest_t *req);
void     sm_FindCoordinatorRequest_free(sm_FindCoordinatorRequest_t *req);
void     sm_FindCoordinatorRequest_write(sm_buf_t *buf, int16_t version,
                                   const sm_FindCoordinatorRequest_t *req);

sm_err_t sm_FindCoordinatorResponse_read(sm_rd_t *rd, int16_t version,
                                         sm_FindCoordinatorResponse_t *resp);
void     sm_FindCoordinatorResponse_free(sm_FindCoordinatorResponse_t *resp);
void     sm_FindCoordinatorResponse_write(sm_buf_t *buf, int16_t version,
                                   const sm_FindCoordinatorResponse_t *resp);

#endif
