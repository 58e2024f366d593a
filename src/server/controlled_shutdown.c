/*
 * controlled_shutdown.c: a broker's controlled shutdown on SIGTERM - the
 * broker side of Kafka's KafkaServer.controlledShutdown.
 *
 * With controlled.shutdown.enable (true), before anything stops the broker
 * asks the controller - itself included, over its own listener, exactly as
 * any other broker would - with ControlledShutdown (BrokerId, BrokerEpoch)
 * to move the leadership of its partitions to other in-sync replicas and
 * to take it out of the ISR of the others.  Success is an answer with no
 * error and no remaining partitions.  Otherwise (no controller known, no
 * connection, an error, partitions that could not move) it waits
 * controlled.shutdown.retry.backoff.ms and tries again, at most
 * controlled.shutdown.max.retries times, then shuts down anyway ("unclean"
 * in Kafka's words: acknowledged data is still safe, the partitions just
 * go offline until another replica is elected).
 *
 * Threads: the main thread, blocking, each round trip bounded by
 * controller.socket.timeout.ms.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client/client.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "controller/controller.h"
#include "protocol/controlledshutdown.h"
#include "server/broker.h"

#define SM_CS_LOG "broker"

static void
sm_cs_write(sm_buf_t *buf, int16_t v, const void *arg)
{
    sm_ControlledShutdownRequest_write(buf, v, arg);
}

/* "[t-0, u-3]" of the remaining partitions, for the log. */
static void
sm_cs_list(const sm_ControlledShutdownResponse_t *r, char *out, size_t size)
{
    size_t off = 0;

    off += (size_t)snprintf(out, size, "[");
    for (int32_t i = 0; i < r->RemainingPartitionsCnt && off < size; i++)
        off += (size_t)snprintf(out + off, size - off, "%s%.*s-%d",
                                i ? ", " : "",
                                (int)r->RemainingPartitions[i].TopicName.len,
                                r->RemainingPartitions[i].TopicName.ptr,
                                (int)r->RemainingPartitions[i]
                                    .PartitionIndex);
    if (off < size)
        snprintf(out + off, size - off, "]");
}

/* One attempt: SM_OK when the controller moved everything. */
static sm_err_t
sm_cs_attempt(sm_broker_t *b, int timeout_ms)
{
    sm_ControlledShutdownRequest_t req = { 2, b->id, b->broker_epoch };
    sm_ControlledShutdownResponse_t r;
    sm_client_conf_t conf;
    sm_client_conn_t *conn = NULL;
    sm_client_resp_t resp;
    int32_t ctl = b->ctrl ? sm_controller_id(b->ctrl) : -1;
    char errstr[256], list[512], *host = NULL;
    int port = 0;
    int16_t v;
    sm_err_t err;

    if (ctl < 0 || sm_broker_endpoint(b, ctl, &host, &port) != SM_OK) {
        sm_info(SM_CS_LOG, "Controlled shutdown: no controller known yet");
        return SM_ERR_NOT_CONTROLLER;
    }
    sm_client_conf_init(&conf);
    sm_free(conf.client_id);
    conf.client_id = sm_asprintf("broker-%d-controlled-shutdown", (int)b->id);
    conf.request_timeout_ms = timeout_ms;
    err = sm_client_conn_open(host, port, ctl, &conf,
                              sm_mono_ms() + timeout_ms, &conn, errstr,
                              sizeof(errstr));
    v = err == SM_OK ? sm_client_conn_version(conn, SM_API_ControlledShutdown,
                                              2) : -1;
    if (err == SM_OK && v < 1)
        err = SM_ERR_UNSUPPORTED_VERSION;
    req.ApiVersion = v;
    if (err == SM_OK)
        err = sm_client_conn_call(conn, SM_API_ControlledShutdown, v,
                                  sm_cs_write, &req,
                                  sm_mono_ms() + timeout_ms, &resp, errstr,
                                  sizeof(errstr));
    if (err != SM_OK) {
        sm_warn(SM_CS_LOG, "Controlled shutdown request to controller %d at "
                "%s:%d failed: %s", (int)ctl, host, port,
                err == SM_ERR_UNSUPPORTED_VERSION ? "unsupported version"
                                                  : errstr);
        goto out;
    }
    memset(&r, 0, sizeof(r));
    err = sm_ControlledShutdownResponse_read(&resp.rd, v, &r);
    if (err == SM_OK && (r.ErrorCode != 0 || r.RemainingPartitionsCnt > 0)) {
        sm_cs_list(&r, list, sizeof(list));
        sm_info(SM_CS_LOG, "Remaining partitions to move: %s", list);
        sm_info(SM_CS_LOG, "Error from controller: %s",
                sm_err_name(r.ErrorCode));
        err = r.ErrorCode != 0 ? r.ErrorCode : SM_ERR__STATE;
    }
    sm_ControlledShutdownResponse_free(&r);
    sm_client_resp_fini(&resp);
out:
    if (conn != NULL)
        sm_client_conn_destroy(conn);
    sm_client_conf_fini(&conf);
    sm_free(host);
    return err;
}

static void
sm_cs_sleep_ms(int64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void
sm_broker_controlled_shutdown(sm_broker_t *b)
{
    int retries = b->cfg->controlled_shutdown_max_retries;
    int timeout_ms = b->cfg->controller_socket_timeout_ms;

    if (!b->cfg->controlled_shutdown_enable || b->ctrl == NULL)
        return;
    sm_info(SM_CS_LOG, "[SamsaServer id=%d] Starting controlled shutdown",
            (int)b->id);
    for (int left = retries; left > 0; left--) {
        if (sm_cs_attempt(b, timeout_ms > 0 ? timeout_ms : 30000) == SM_OK) {
            sm_info(SM_CS_LOG, "[SamsaServer id=%d] Controlled shutdown "
                    "succeeded", (int)b->id);
            return;
        }
        if (left > 1) {
            sm_cs_sleep_ms(b->cfg->controlled_shutdown_retry_backoff_ms);
            sm_warn(SM_CS_LOG, "[SamsaServer id=%d] Retrying controlled "
                    "shutdown after the previous attempt failed...",
                    (int)b->id);
        }
    }
    sm_warn(SM_CS_LOG, "[SamsaServer id=%d] Proceeding to do an unclean "
            "shutdown as all the controlled shutdown attempts failed",
            (int)b->id);
}
