/*
 * apis.h: lookups over apis.def, and request/response headers.
 *
 * Request header versions (Kafka RequestHeader.json):
 *   v0  ApiKey int16, ApiVersion int16, CorrelationId int32
 *       (only ControlledShutdown v0 sends it)
 *   v1  v0 + ClientId NULLABLE_STRING (int16 length)
 *   v2  v1 + tagged fields; ClientId keeps its int16 length.
 * Response header v0 is CorrelationId; v1 adds tagged fields.  The request
 * header is v2 for flexible API versions, else v1; the response header is v1
 * for flexible versions, else v0 - except ApiVersions, whose response header
 * is always v0 so that a client can read the error of a version it sent too
 * new (KIP-511).
 */
#ifndef SM_PROTOCOL_APIS_H
#define SM_PROTOCOL_APIS_H

#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "common/sm_slice.h"
#include "protocol/codec.h"

enum sm_api_key {
#define SM_API(key, name, min, max, flex) SM_API_##name = (key),
#include "protocol/apis.def"
#undef SM_API
    SM_API__MAX = 70                   /* keys at or above are unknown */
};

typedef struct sm_api_info {
    int16_t     key;
    const char *name;
    int16_t     min_version;
    int16_t     max_version;
    int16_t     flex_version;          /* first flexible version */
} sm_api_info_t;

/* The served API with this key, or NULL if samsa does not serve it. */
const sm_api_info_t *sm_api_info(int16_t key);
/* All served APIs, in ApiKey order; *np receives the count. */
const sm_api_info_t *sm_api_table(int *np);
/* Kafka's name for any ApiKey ("OffsetForLeaderEpoch"), or "Unknown". */
const char *sm_api_name(int16_t key);
/* Whether (key, version) uses the flexible encoding (Kafka's flex
 * thresholds, also for keys samsa does not serve). */
int sm_api_is_flexible(int16_t key, int16_t version);
int sm_api_req_hdr_version(int16_t key, int16_t version);
int sm_api_resp_hdr_version(int16_t key, int16_t version);

typedef struct sm_req_hdr {
    int16_t  ApiKey;
    int16_t  ApiVersion;
    int32_t  CorrelationId;
    sm_str_t ClientId;                 /* borrows from the frame */
    int      hdr_version;
} sm_req_hdr_t;

/*
 * Parse a request header at the start of rd.  ApiKey, ApiVersion and
 * CorrelationId are filled in whenever the first 8 bytes are present, even
 * if a later field fails, so the caller can still answer or log the request.
 * Returns rd->err.  On success rd is positioned at the request body.
 */
sm_err_t sm_req_hdr_read(sm_rd_t *rd, sm_req_hdr_t *hdr);
/* Write a request header (client side) for (key, version). */
void sm_req_hdr_write(sm_buf_t *buf, int16_t key, int16_t version,
                      int32_t corrid, const char *client_id);
/* Write a response header; returns its offset. */
size_t sm_resp_hdr_write(sm_buf_t *buf, int16_t key, int16_t version,
                         int32_t corrid);
/* Parse a response header (client side). */
sm_err_t sm_resp_hdr_read(sm_rd_t *rd, int16_t key, int16_t version,
                          int32_t *corrid);

#endif
