/*
 * broker.h: the broker process - its parts, its start-up and shutdown order,
 * and the request context every API handler receives (Kafka's KafkaServer +
 * KafkaApis + RequestChannel.Request).
 *
 * START-UP (sm_broker_start), each step logged:
 *   1. log manager: lock and recover every log.dirs entry
 *   2. ZooKeeper session (fails after zookeeper.connection.timeout.ms with
 *      the connect string named), top-level paths, cluster id, broker id
 *      (broker.id or /brokers/seqid), meta.properties checked/written
 *   3. sockets bound (port 0 resolved), purgatories, replica manager
 *   4. broker registered in /brokers/ids/<id> (ephemeral, v4 JSON, the
 *      advertised listeners with the real ports)
 *   5. dynamic configs loaded (/config/brokers, /config/changes watched),
 *      controller election started; request handling started
 * SHUTDOWN (sm_broker_shutdown), on SIGTERM/SIGINT:
 *   stop accepting -> drain in-flight requests -> stop the controller ->
 *   close the ZooKeeper session (the ephemeral registration goes away) ->
 *   expire purgatories -> stop sockets -> close logs (flush, checkpoints,
 *   clean-shutdown marker).  The next start needs no log recovery.
 *
 * REQUESTS.  The network layer's handler threads call sm_broker_handle()
 * with each frame.  It parses the header, checks the ApiKey/version against
 * apis.def, and calls sm_handle_<Name>(ctx).  A handler owns ctx and must
 * finish it exactly once with sm_reqctx_send(), sm_reqctx_noop() or
 * sm_reqctx_close(), possibly later from a delayed operation.
 *
 * THREADS.  Handlers run on I/O handler threads (many at once) and may block
 * on disk and ZooKeeper, never on the network.  The broker struct is
 * read-only after start-up except the atomics and the parts' own locks.
 */
#ifndef SM_SERVER_BROKER_H
#define SM_SERVER_BROKER_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "log/log.h"
#include "network/net.h"
#include "protocol/apis.h"
#include "server/config.h"
#include "server/metadata_cache.h"
#include "server/purgatory.h"
#include "server/replica_manager.h"
#include "zk/zk_client.h"

struct sm_controller;
struct sm_chanmgr;
struct sm_dyncfg;
struct sm_coord;
struct sm_tcfg_cache;

typedef struct sm_broker {
    sm_config_t      *cfg;              /* static: server.properties */
    struct sm_dyncfg *dyncfg;           /* effective config incl. dynamic
                                           ones: sm_broker_config(b) */
    int32_t           id;
    int64_t           broker_epoch;     /* czxid of /brokers/ids/<id> */
    char             *cluster_id;
    sm_logmgr_t      *logmgr;
    sm_zk_t          *zk;
    sm_net_t         *net;
    sm_mdcache_t     *mdcache;
    sm_rm_t          *rm;
    sm_rfm_t         *rfm;              /* follower fetchers */
    struct sm_controller *ctrl;
    struct sm_chanmgr *chanmgr;         /* controller -> remote brokers */
    struct sm_tcfg_cache *tcfg;         /* topic configs */
    sm_purgatory_t   *fetch_purg;
    sm_purgatory_t   *produce_purg;
    sm_purgatory_t   *admin_purg;       /* Create/DeleteTopics waiting */
    struct sm_coord  *coord;            /* group coordinator */
    struct sm_repl_quota *leader_quota;   /* replication throttling */
    struct sm_repl_quota *follower_quota;
    const sm_listener_cfg_t *listeners; /* borrowed from cfg */
    int               nlisteners;
    sm_listener_cfg_t *advertised;      /* with real ports; owned */
    int               nadvertised;
    atomic_int        shutting_down;
} sm_broker_t;

/* Build and start everything; errstr says which step failed and why. */
sm_err_t sm_broker_start(sm_broker_t *b, sm_config_t *cfg, char *errstr,
                         size_t errstr_size);
/* Orderly shutdown (see above); frees everything but b itself. */
void     sm_broker_shutdown(sm_broker_t *b);

/* ------------------------------------------------------ request context */

typedef struct sm_reqctx {
    sm_broker_t  *b;
    sm_request_t *req;                  /* owned until finished */
    sm_req_hdr_t  hdr;
    sm_rd_t       rd;                   /* positioned at the body */
    const char   *listener;             /* listener name of the connection */
    sm_response_t *resp;                /* built by sm_reqctx_begin() */
    sm_buf_t      out;                  /* header + body being written */
} sm_reqctx_t;

/* The network layer's entry point (sm_net_handler_fn). */
void sm_broker_handle(sm_request_t *req, void *opaque);

/* Start the response: writes the response header into ctx->out and returns
 * it for the body. */
sm_buf_t *sm_reqctx_begin(sm_reqctx_t *ctx);
/* Move ctx->out into the response as a memory segment (used between file
 * segments of a Fetch response). */
void      sm_reqctx_flush_mem(sm_reqctx_t *ctx);
/* Send what was written; frees ctx. */
void      sm_reqctx_send(sm_reqctx_t *ctx);
/* No response (acks=0 Produce): unmute the connection; frees ctx. */
void      sm_reqctx_noop(sm_reqctx_t *ctx);
/* Close the connection after logging why; frees ctx. */
void      sm_reqctx_close(sm_reqctx_t *ctx, const char *why);

/*
 * Control requests from a controller, local (the channel's direct calls)
 * or remote (the handlers in control_apis.c).  Each is fenced by the
 * controller epoch (sm_rm_fence_controller): an older epoch changes
 * nothing and returns STALE_CONTROLLER_EPOCH.  leader_and_isr fills errs[i]
 * per state (all with the top-level error when it is not SM_OK).
 */
sm_err_t sm_broker_leader_and_isr(sm_broker_t *b, int32_t controller_id,
                                  int32_t controller_epoch,
                                  const sm_pstate_t *states, int n,
                                  sm_err_t *errs);
sm_err_t sm_broker_update_metadata(sm_broker_t *b, int32_t controller_id,
                                   int32_t controller_epoch,
                                   const sm_pstate_t *states, int n,
                                   const sm_md_broker_t *brokers,
                                   int nbrokers);
sm_err_t sm_broker_stop_replica(sm_broker_t *b, int32_t controller_epoch,
                                const char *topic, int32_t partition,
                                int del);

/* Handlers, one per apis.def row. */
#define SM_API(key, name, min, max, flex) \
    void sm_handle_##name(sm_reqctx_t *ctx);
#include "protocol/apis.def"
#undef SM_API

/* Another broker's endpoint on the inter-broker listener (the first one
 * if it has none there), as the metadata cache last heard it; *host is
 * the caller's.  SM_ERR__NOENT if the broker is unknown. */
sm_err_t sm_broker_endpoint(sm_broker_t *b, int32_t broker_id, char **host,
                            int *port);

/* replica_throttle.c (replication_quota.h).  Leader side, for a Fetch
 * from follower replica_id: *listed if p's records count against the
 * leader quota; 1 if they must be withheld now.  Then the bytes sent for
 * listed partitions.  Follower side: the replica fetchers' callbacks. */
int  sm_broker_leader_throttle(sm_broker_t *b, sm_partition_t *p,
                               int32_t replica_id, int *listed);
void sm_broker_leader_sent(sm_broker_t *b, int64_t bytes);
int  sm_broker_follower_throttled(void *opaque, sm_partition_t *p);
void sm_broker_follower_fetched(void *opaque, sm_partition_t *p,
                                size_t bytes);

/* controlled_shutdown.c: ask the controller to move this broker's
 * leadership away (controlled.shutdown.*); blocks, bounded. */
void sm_broker_controlled_shutdown(sm_broker_t *b);

#endif
