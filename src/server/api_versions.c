/*
 * api_versions.c: the ApiVersions handler.
 *
 * Answered from apis.def.  A version above what samsa serves gets Kafka's
 * KIP-511 answer: a v0-layout body with UNSUPPORTED_VERSION listing the
 * ApiVersions range, so the client retries with a version it and we share
 * (librdkafka always starts with v3).  A v3 request with invalid client
 * software strings gets INVALID_REQUEST, as in Kafka.
 */
#include "protocol/apiversions.h"
#include "server/broker.h"

void
sm_handle_ApiVersions(sm_reqctx_t *ctx)
{
    const sm_api_info_t *api = sm_api_info(SM_API_ApiVersions);
    sm_ApiVersionsRequest_t req = { 0 };
    sm_ApiVersionsResponse_t resp = { 0 };
    int16_t ver = ctx->hdr.ApiVersion;
    sm_buf_t *out;

    if (ver > api->max_version || ver < 0) {
        out = sm_reqctx_begin(ctx);
        sm_ApiVersionsResponse_write_unsupported(out);
        sm_reqctx_send(ctx);
        return;
    }
    if (ctx->rd.err != SM_OK ||
        sm_ApiVersionsRequest_read(&ctx->rd, ver, &req) != SM_OK) {
        sm_reqctx_close(ctx, "malformed ApiVersions request");
        return;
    }
    sm_ApiVersionsResponse_from_table(&resp);
    if (!sm_ApiVersionsRequest_is_valid(&req))
        resp.ErrorCode = SM_ERR_INVALID_REQUEST;
    out = sm_reqctx_begin(ctx);
    sm_ApiVersionsResponse_write(out, ver, &resp);
    sm_ApiVersionsResponse_free(&resp);
    sm_ApiVersionsRequest_free(&req);
    sm_reqctx_send(ctx);
}
