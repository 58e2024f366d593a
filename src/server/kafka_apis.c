/*
 * kafka_apis.c: request dispatch and the request context (the part of
 * Kafka's KafkaApis.handle and RequestChannel that is not an API handler).
 *
 * A frame arrives on an I/O handler thread.  Its header is parsed here; the
 * ApiKey picks a row of apis.def and its handler.  What Kafka does with bad
 * requests, samsa does too:
 *   - an ApiVersions request of a version samsa does not serve gets a v0
 *     body with UNSUPPORTED_VERSION (KIP-511), handled by its handler;
 *   - any other unknown ApiKey, unsupported version or unparsable header
 *     closes the connection, after one log line naming the peer, the key,
 *     the version and the reason (Kafka's SocketServer does the same, and
 *     clients read the close as "unsupported").
 * Handlers do the rest; see broker.h for the context's lifecycle.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/broker.h"

typedef void (*sm_handler_fn)(sm_reqctx_t *ctx);

static sm_handler_fn
sm_handler_for(int16_t key)
{
    switch (key) {
#define SM_API(key, name, min, max, flex) \
    case key: return sm_handle_##name;
#include "protocol/apis.def"
#undef SM_API
    default:
        return NULL;
    }
}

static void
sm_reqctx_free(sm_reqctx_t *ctx)
{
    if (ctx->resp)
        sm_response_free(ctx->resp);
    sm_buf_fini(&ctx->out);
    sm_request_free(ctx->req);
    free(ctx);
}

sm_buf_t *
sm_reqctx_begin(sm_reqctx_t *ctx)
{
    sm_assert(ctx->resp == NULL);
    ctx->resp = sm_response_new(ctx->req, SM_RESP_SEND);
    sm_buf_reset(&ctx->out);
    sm_resp_hdr_write(&ctx->out, ctx->hdr.ApiKey, ctx->hdr.ApiVersion,
                      ctx->hdr.CorrelationId);
    return &ctx->out;
}

void
sm_reqctx_flush_mem(sm_reqctx_t *ctx)
{
    if (ctx->out.len > 0)
        sm_response_add_buf(ctx->resp, &ctx->out);
}

void
sm_reqctx_send(sm_reqctx_t *ctx)
{
    sm_response_t *resp;

    sm_reqctx_flush_mem(ctx);
    resp = ctx->resp;
    ctx->resp = NULL;
    sm_net_respond(ctx->req->net, resp);
    sm_reqctx_free(ctx);
}

void
sm_reqctx_noop(sm_reqctx_t *ctx)
{
    sm_net_respond(ctx->req->net, sm_response_new(ctx->req, SM_RESP_NOOP));
    sm_reqctx_free(ctx);
}

void
sm_reqctx_close(sm_reqctx_t *ctx, const char *why)
{
    sm_warn("network", "Closing connection from %s (api %s(%d) v%d, "
            "correlation id %d, client id '%.*s'): %s", ctx->req->peer,
            sm_api_name(ctx->hdr.ApiKey), (int)ctx->hdr.ApiKey,
            (int)ctx->hdr.ApiVersion, (int)ctx->hdr.CorrelationId,
            SM_STR_ARG(ctx->hdr.ClientId), why);
    sm_net_respond(ctx->req->net, sm_response_new(ctx->req, SM_RESP_CLOSE));
    sm_reqctx_free(ctx);
}

void
sm_broker_handle(sm_request_t *req, void *opaque)
{
    sm_broker_t *b = opaque;
    sm_reqctx_t *ctx = sm_calloc(1, sizeof(*ctx));
    const sm_api_info_t *api;
    sm_handler_fn fn;
    sm_err_t err;

    ctx->b = b;
    ctx->req = req;
    sm_buf_init(&ctx->out, 0);
    ctx->listener = req->listener >= 0 && req->listener < b->nlisteners
                    ? b->listeners[req->listener].name : "PLAINTEXT";
    sm_rd_init(&ctx->rd, req->frame, req->len);
    err = sm_req_hdr_read(&ctx->rd, &ctx->hdr);
    api = sm_api_info(ctx->hdr.ApiKey);
    fn = sm_handler_for(ctx->hdr.ApiKey);

    /* Judge the key and version before the rest of the header: the
     * header's layout depends on them, so a version we do not serve often
     * fails to parse, and "unsupported API version" is the useful reason.
     * Only a frame too short for ApiKey, ApiVersion and CorrelationId is
     * reported as a malformed header outright. */
    if (err != SM_OK && req->len < 8) {
        sm_reqctx_close(ctx, "malformed request header");
        return;
    }
    if (api == NULL || fn == NULL) {
        sm_reqctx_close(ctx, "unknown or unsupported API key");
        return;
    }
    if (ctx->hdr.ApiKey != SM_API_ApiVersions &&
        (ctx->hdr.ApiVersion < api->min_version ||
         ctx->hdr.ApiVersion > api->max_version)) {
        sm_reqctx_close(ctx, "unsupported API version");
        return;
    }
    if (err != SM_OK && ctx->hdr.ApiKey != SM_API_ApiVersions) {
        sm_reqctx_close(ctx, "malformed request header");
        return;
    }
    sm_trace("request", "%s v%d corr %d from %s", api->name,
             (int)ctx->hdr.ApiVersion, (int)ctx->hdr.CorrelationId,
             req->peer);
    fn(ctx);
}
