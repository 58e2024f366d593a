/*
 * apiversions.h: ApiVersions (ApiKey 18), versions 0-3, both sides.
 * Conventions (struct layout, read/free/write contract): protocol/msg.h.
 *
 * Request (ApiVersionsRequest.json):
 *   FIELD                  TYPE     VERSIONS  DEFAULT
 *   ClientSoftwareName     string   3+        ""
 *   ClientSoftwareVersion  string   3+        ""
 *   (v3: compact strings, then a tagged-field section)
 *
 * Response (ApiVersionsResponse.json), header ALWAYS v0 (apis.h):
 *   FIELD                  TYPE     VERSIONS  DEFAULT
 *   ErrorCode              int16    0+
 *   ApiKeys                []       0+          (compact in v3)
 *     ApiKey               int16    0+
 *     MinVersion           int16    0+
 *     MaxVersion           int16    0+
 *     (v3: tagged fields)
 *   ThrottleTimeMs         int32    1+        0
 *   (v3: tagged fields: 0 SupportedFeatures, 1 FinalizedFeaturesEpoch,
 *    2 FinalizedFeatures - a ZooKeeper-mode 2.x broker has no features, so
 *    samsa writes an empty section and a reader skips whatever it finds)
 *
 * KIP-511: a request whose version the broker does not know is answered
 * with a v0 body, ErrorCode UNSUPPORTED_VERSION (35) and one ApiKeys entry,
 * ApiVersions' own range, so the client can retry with a version it finds
 * there (sm_ApiVersionsResponse_write_unsupported).  The client-side reader
 * therefore reads a body whose ErrorCode is UNSUPPORTED_VERSION as v0, and
 * reports ApiVersion 0 in the result.  (Kafka's ApiVersionsResponse.parse()
 * instead retries any body that fails at the asked version; keying on the
 * error code keeps a truncated v1+ body from passing as v0.)
 *
 * Example, v0 request: empty body.  v0 response advertising only
 * ApiVersions 0-3:  00 00 | 00 00 00 01 | 00 12 00 00 00 03.
 */
#ifndef SM_PROTOCOL_APIVERSIONS_H
#define SM_PROTOCOL_APIVERSIONS_H

#include "protocol/msg.h"

#define SM_APIVERSIONS_MAX_VERSION 3

typedef struct sm_ApiVersionsRequest {
    int16_t  ApiVersion;
    sm_str_t ClientSoftwareName;          /* v3+ */
    sm_str_t ClientSoftwareVersion;       /* v3+ */
} sm_ApiVersionsRequest_t;

/* Kafka: ApiVersion */
typedef struct sm_ApiVersionsResponseKey {
    int16_t ApiKey;
    int16_t MinVersion;
    int16_t MaxVersion;
} sm_ApiVersionsResponseKey_t;

typedef struct sm_ApiVersionsResponse {
    int16_t  ApiVersion;
    int16_t  ErrorCode;
    int32_t  ApiKeysCnt;
    sm_ApiVersionsResponseKey_t *ApiKeys;
    int32_t  ThrottleTimeMs;              /* v1+ */
} sm_ApiVersionsResponse_t;

sm_err_t sm_ApiVersionsRequest_read(sm_rd_t *rd, int16_t version,
                                    sm_ApiVersionsRequest_t *req);
void     sm_ApiVersionsRequest_free(sm_ApiVersionsRequest_t *req);
void     sm_ApiVersionsRequest_write(sm_buf_t *buf, int16_t version,
                                     const sm_ApiVersionsRequest_t *req);
/* Kafka's ApiVersionsRequest.isValid(): below v3 always; from v3 both
 * software strings must be non-empty and match
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?  The broker answers an invalid
 * one with INVALID_REQUEST. */
int      sm_ApiVersionsRequest_is_valid(const sm_ApiVersionsRequest_t *req);

sm_err_t sm_ApiVersionsResponse_read(sm_rd_t *rd, int16_t version,
                                     sm_ApiVersionsResponse_t *resp);
void     sm_ApiVersionsResponse_free(sm_ApiVersionsResponse_t *resp);
void     sm_ApiVersionsResponse_write(sm_buf_t *buf, int16_t version,
                                      const sm_ApiVersionsResponse_t *resp);

/* Fill resp (ErrorCode 0, ThrottleTimeMs 0) with every row of apis.def;
 * release with sm_ApiVersionsResponse_free(). */
void     sm_ApiVersionsResponse_from_table(sm_ApiVersionsResponse_t *resp);
/* Append the KIP-511 body: v0 layout, UNSUPPORTED_VERSION, one entry
 * (18, 0, SM_APIVERSIONS_MAX_VERSION).  Write it after a v0 response
 * header, whatever version the request carried. */
void     sm_ApiVersionsResponse_write_unsupported(sm_buf_t *buf);

#endif
