/*
 * apiversions.c: ApiVersions (key 18) v0-3 - request and response codecs
 * for both sides, the table-driven response and the KIP-511 fallback body.
 * Layouts in apiversions.h, conventions in msg.h.
 *
 * v3 is the only flexible version samsa serves, and librdkafka always tries
 * it first: strings and arrays are compact and every struct ends with a
 * tagged-field section.  The response header stays v0 (apis.c decides).
 */
#include <string.h>

#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/apis.h"
#include "protocol/apiversions.h"

static int
sm_apiversions_flex(int16_t version)
{
    return sm_api_is_flexible(SM_API_ApiVersions, version);
}

/* ------------------------------------------------------------- request */

sm_err_t
sm_ApiVersionsRequest_read(sm_rd_t *rd, int16_t version,
                           sm_ApiVersionsRequest_t *req)
{
    int flex = sm_apiversions_flex(version);

    memset(req, 0, sizeof(*req));
    req->ApiVersion = version;
    req->ClientSoftwareName = SM_STR_EMPTY;
    req->ClientSoftwareVersion = SM_STR_EMPTY;
    if (!sm_msg_rd_version(rd, version, SM_APIVERSIONS_MAX_VERSION))
        return rd->err;
    if (version >= 3) {
        req->ClientSoftwareName = sm_rd_str(rd, flex);
        req->ClientSoftwareVersion = sm_rd_str(rd, flex);
    }
    if (flex)
        sm_rd_tags(rd);
    return rd->err;
}

void
sm_ApiVersionsRequest_free(sm_ApiVersionsRequest_t *req)
{
    (void)req;                          /* nothing allocated */
}

void
sm_ApiVersionsRequest_write(sm_buf_t *buf, int16_t version,
                            const sm_ApiVersionsRequest_t *req)
{
    int flex = sm_apiversions_flex(version);

    sm_assert(version >= 0 && version <= SM_APIVERSIONS_MAX_VERSION);
    if (version >= 3) {
        sm_msg_wr_str(buf, req->ClientSoftwareName, flex);
        sm_msg_wr_str(buf, req->ClientSoftwareVersion, flex);
    }
    if (flex)
        sm_wr_tags_empty(buf);
}

static int
sm_apiversions_software_ok(sm_str_t s)
{
    if (s.len <= 0)
        return 0;
    for (int32_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9');
        int inner = c == '-' || c == '.';

        /* first and last must be alphanumeric, the middle may add - . */
        if (!alnum && (!inner || i == 0 || i == s.len - 1))
            return 0;
    }
    return 1;
}

int
sm_ApiVersionsRequest_is_valid(const sm_ApiVersionsRequest_t *req)
{
    if (req->ApiVersion < 3)
        return 1;
    return sm_apiversions_software_ok(req->ClientSoftwareName) &&
           sm_apiversions_software_ok(req->ClientSoftwareVersion);
}

/* ------------------------------------------------------------ response */

static sm_err_t
sm_apiversions_resp_read_at(sm_rd_t *rd, int16_t version,
                            sm_ApiVersionsResponse_t *resp)
{
    int flex = sm_apiversions_flex(version);
    int32_t n;

    memset(resp, 0, sizeof(*resp));
    resp->ApiVersion = version;
    resp->ErrorCode = sm_rd_i16(rd);
    n = sm_msg_rd_count(rd, flex, 6 + SM_MSG_TAGS_MIN(flex), 0);
    resp->ApiKeys = sm_msg_calloc(n, sizeof(*resp->ApiKeys));
    resp->ApiKeysCnt = n;
    for (int32_t i = 0; i < n && sm_rd_ok(rd); i++) {
        sm_ApiVersionsResponseKey_t *key = &resp->ApiKeys[i];

        key->ApiKey = sm_rd_i16(rd);
        key->MinVersion = sm_rd_i16(rd);
        key->MaxVersion = sm_rd_i16(rd);
        if (flex)
            sm_rd_tags(rd);
    }
    if (version >= 1)
        resp->ThrottleTimeMs = sm_rd_i32(rd);
    if (flex)
        sm_rd_tags(rd);
    if (rd->err != SM_OK)
        sm_ApiVersionsResponse_free(resp);
    return rd->err;
}

sm_err_t
sm_ApiVersionsResponse_read(sm_rd_t *rd, int16_t version,
                            sm_ApiVersionsResponse_t *resp)
{
    if (!sm_msg_rd_version(rd, version, SM_APIVERSIONS_MAX_VERSION)) {
        memset(resp, 0, sizeof(*resp));
        return rd->err;
    }
    /* KIP-511: UNSUPPORTED_VERSION comes in a v0 body whatever we sent.
     * Keyed on the error code rather than on a failed parse, so that a
     * truncated v1+ body is not mistaken for a v0 one. */
    if (sm_rd_remaining(rd) >= 2 &&
        (int16_t)sm_load_be16(rd->pos) == SM_ERR_UNSUPPORTED_VERSION)
        version = 0;
    return sm_apiversions_resp_read_at(rd, version, resp);
}

void
sm_ApiVersionsResponse_free(sm_ApiVersionsResponse_t *resp)
{
    sm_free(resp->ApiKeys);
    resp->ApiKeys = NULL;
    resp->ApiKeysCnt = 0;
}

void
sm_ApiVersionsResponse_write(sm_buf_t *buf, int16_t version,
                             const sm_ApiVersionsResponse_t *resp)
{
    int flex = sm_apiversions_flex(version);

    sm_assert(version >= 0 && version <= SM_APIVERSIONS_MAX_VERSION);
    sm_wr_i16(buf, resp->ErrorCode);
    sm_msg_wr_count(buf, resp->ApiKeysCnt, flex, 0);
    for (int32_t i = 0; i < resp->ApiKeysCnt; i++) {
        const sm_ApiVersionsResponseKey_t *key = &resp->ApiKeys[i];

        sm_wr_i16(buf, key->ApiKey);
        sm_wr_i16(buf, key->MinVersion);
        sm_wr_i16(buf, key->MaxVersion);
        if (flex)
            sm_wr_tags_empty(buf);
    }
    if (version >= 1)
        sm_wr_i32(buf, resp->ThrottleTimeMs);
    if (flex)
        sm_wr_tags_empty(buf);
}

void
sm_ApiVersionsResponse_from_table(sm_ApiVersionsResponse_t *resp)
{
    int n;
    const sm_api_info_t *api = sm_api_table(&n);

    memset(resp, 0, sizeof(*resp));
    resp->ApiKeys = sm_msg_calloc(n, sizeof(*resp->ApiKeys));
    resp->ApiKeysCnt = n;
    for (int i = 0; i < n; i++) {
        resp->ApiKeys[i].ApiKey = api[i].key;
        resp->ApiKeys[i].MinVersion = api[i].min_version;
        resp->ApiKeys[i].MaxVersion = api[i].max_version;
    }
}

void
sm_ApiVersionsResponse_write_unsupported(sm_buf_t *buf)
{
    sm_ApiVersionsResponseKey_t self = {
        SM_API_ApiVersions, 0, SM_APIVERSIONS_MAX_VERSION
    };
    sm_ApiVersionsResponse_t resp = {
        0, SM_ERR_UNSUPPORTED_VERSION, 1, &self, 0
    };

    sm_ApiVersionsResponse_write(buf, 0, &resp);
}
