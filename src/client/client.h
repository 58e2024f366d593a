/*
 * client.h: samsa's synchronous client core - blocking connections to
 * brokers, version negotiation, bootstrap and request routing.  The public
 * admin calls (samsa.h, client_admin.c), the consumers and the
 * producer's metadata fallback are built on it; the producer's
 * non-blocking connections (producer_conn.c) reuse its negotiation
 * pieces.  Kafka's counterparts: NetworkClient + Selector (one connection
 * per node, correlation ids), ApiVersions, ClientUtils (bootstrap parsing)
 * and the node selection of KafkaAdminClient.
 *
 * FILES
 *   client_conn.c    one connection: address parsing, connect with a
 *                    timeout (IPv4/IPv6, every resolved address in turn),
 *                    framing (4-byte size), correlation ids, ApiVersions
 *   client.c         the configuration, the cluster view (brokers,
 *                    controller) from Metadata, connection cache,
 *                    sm_client_send_any / sm_client_send_controller
 *   client_admin.c   the public samsa_* admin calls
 *   client_err.c     Kafka's default error messages
 *
 * CONNECTIONS.  A connection is a blocking exchange: write one request,
 * read its response.  No request pipelining, so the response read must
 * carry the correlation id just sent; anything else (or a size above the
 * configured bound) is a protocol error that closes the connection.  Every
 * wait is bounded by a deadline on the monotonic clock (sm_mono_ms()).
 *
 * NEGOTIATION.  Right after connecting, ApiVersions is sent at the
 * highest version samsa's codec knows; a broker that does not know it
 * answers with a v0 body listing its own range (KIP-511) and the request
 * is repeated at the highest version both know.  Afterwards
 * sm_client_conn_version() gives, per ApiKey, the highest version both
 * sides support, or -1.
 *
 * ROUTING.  The client keeps the brokers and the controller id of the last
 * Metadata response.  send_any picks a connected broker, else connects to
 * a known broker or a bootstrap address; send_controller sends to the
 * controller, refreshing metadata while it is unknown.  Transport errors
 * close the connection and retry (backoff retry.backoff.ms) until the
 * deadline; Kafka error codes in responses are the caller's business.
 *
 * ERRORS.  Functions fill `errstr` (NULL only with errstr_size 0) with a
 * sentence naming the broker and the cause ("Connection to node -1
 * (127.0.0.1:9092) failed: Connection refused").
 * _TRANSPORT: connect/reset/EOF;
 * _TIMED_OUT: deadline passed; _BAD_MSG: correlation id mismatch or
 * unparsable response; _TOO_LARGE: response above the bound;
 * UNSUPPORTED_VERSION: no common version.
 *
 * THREADS.  None of its own; a client or connection is used by one thread
 * at a time.
 */
#ifndef SM_CLIENT_CLIENT_H
#define SM_CLIENT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "client/samsa.h"
#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "protocol/apis.h"
#include "protocol/codec.h"
#include "protocol/metadata.h"

/* ------------------------------------------------------------ config */

/* A producer interceptor (samsa_conf_add_interceptor). */
typedef struct sm_interceptor {
    samsa_on_send_cb *on_send;
    samsa_on_ack_cb  *on_ack;
    void             *opaque;
} sm_interceptor_t;

enum { SM_PARTITIONER_DEFAULT, SM_PARTITIONER_ROUND_ROBIN,
       SM_PARTITIONER_RANDOM, SM_PARTITIONER_STICKY };

enum { SM_RESET_LATEST, SM_RESET_EARLIEST, SM_RESET_NONE };

/* The producer's keys (client_conf.c; defaults are Kafka 2.x's). */
typedef struct sm_producer_conf {
    int16_t  acks;                  /* acks: -1, 0, 1 */
    int32_t  linger_ms;
    int32_t  batch_size;
    int64_t  buffer_memory;
    int      codec;                 /* compression.type, sm_codec_t */
    int32_t  retries;
    int32_t  delivery_timeout_ms;
    int32_t  max_in_flight;
    int32_t  max_request_size;
    int32_t  max_block_ms;
    int32_t  metadata_max_age_ms;
    int32_t  conn_max_idle_ms;      /* connections.max.idle.ms: accepted */
    int      partitioner;           /* SM_PARTITIONER_* */
    samsa_delivery_cb    *dr_cb;
    void                 *dr_opaque;
    samsa_partitioner_cb *part_cb;
    void                 *part_opaque;
    sm_interceptor_t     *icpts;    /* owned array */
    int                   nicpts;
} sm_producer_conf_t;

/* The simple consumer's keys. */
typedef struct sm_consumer_conf {
    int32_t  fetch_min_bytes;
    int32_t  fetch_max_bytes;
    int32_t  fetch_max_wait_ms;
    int32_t  max_partition_fetch_bytes;
    int      auto_offset_reset;     /* SM_RESET_* */
    int8_t   isolation_level;       /* 0 read_uncommitted, 1 committed */
    int      check_crcs;
} sm_consumer_conf_t;

/* A consumer interceptor (samsa_conf_add_consumer_interceptor). */
typedef struct sm_cinterceptor {
    samsa_on_consume_cb *on_consume;
    samsa_on_commit_cb  *on_commit;
    void                *opaque;
} sm_cinterceptor_t;

/* The group consumer's keys (client_conf.c; samsa.h lists them). */
typedef struct sm_group_conf {
    char    *group_id;              /* NULL: none */
    char    *instance_id;           /* group.instance.id; NULL: none */
    int32_t  session_timeout_ms;
    int32_t  heartbeat_interval_ms;
    int32_t  max_poll_interval_ms;
    int32_t  max_poll_records;
    int32_t  auto_commit_interval_ms;
    int      auto_commit;           /* enable.auto.commit */
    char    *assignors;             /* partition.assignment.strategy */
    int      exclude_internal;      /* exclude.internal.topics */
    int      offsets_zk;            /* offsets.storage=zookeeper */
    int      dual_commit;           /* dual.commit.enabled */
    samsa_rebalance_cb *rebalance_cb;
    void               *rebalance_opaque;
    samsa_commit_cb    *commit_cb;
    void               *commit_opaque;
    sm_cinterceptor_t  *icpts;      /* owned array */
    int                 nicpts;
} sm_group_conf_t;

typedef struct sm_client_conf {
    char   *bootstrap;              /* bootstrap.servers */
    char   *client_id;              /* client.id */
    int     request_timeout_ms;     /* request.timeout.ms */
    int     api_timeout_ms;         /* default.api.timeout.ms */
    int     connect_timeout_ms;     /* socket.connection.setup.timeout.ms */
    int     retry_backoff_ms;       /* retry.backoff.ms */
    int32_t max_response_bytes;     /* samsa.max.response.bytes */
    sm_producer_conf_t p;
    sm_consumer_conf_t k;
    sm_group_conf_t    g;
} sm_client_conf_t;

struct samsa_conf {
    sm_client_conf_t c;
};

/* Kafka's defaults. */
void sm_client_conf_init(sm_client_conf_t *conf);
void sm_client_conf_copy(sm_client_conf_t *dst, const sm_client_conf_t *src);
void sm_client_conf_fini(sm_client_conf_t *conf);

/* Kafka's INT parsing of value (trimmed, >= min): 0, or -1 with Kafka's
 * ConfigException text in errstr. */
int  sm_client_conf_int(const char *key, const char *value, int32_t min,
                        int32_t *out, char *errstr, size_t errstr_size);

/* client_conf.c: the producer and consumer keys.  Returns 1 if key is
 * not one of them, else 0 (SM_OK) or SM_ERR__CONFIG with errstr. */
void sm_client_conf_init_pk(sm_client_conf_t *conf);
int  sm_client_conf_set_pk(sm_client_conf_t *conf, const char *key,
                           const char *value, sm_err_t *errp, char *errstr,
                           size_t errstr_size);

/* client_conf.c: the group keys' strings and arrays (copy: deep). */
void sm_client_conf_copy_group(sm_group_conf_t *dst,
                               const sm_group_conf_t *src);
void sm_client_conf_fini_group(sm_group_conf_t *g);

/* "host:port" or "[v6addr]:port" (a bare v6 address splits at its last
 * colon, as Kafka's Utils.getHost does).  *host is heap.  _CONFIG with
 * Kafka's "Invalid url in bootstrap.servers: ..." otherwise. */
sm_err_t sm_client_parse_address(const char *s, char **host, int *port,
                                 char *errstr, size_t errstr_size);

/* ------------------------------------------------------------ connection */

typedef struct sm_client_conn {
    int      fd;
    int32_t  node_id;               /* -1..: bootstrap connections are
                                     * negative, as in Kafka */
    char    *host;                  /* as asked for */
    int      port;
    int32_t  next_corrid;
    const sm_client_conf_t *conf;   /* borrowed */
    int16_t  api_max[SM_API__MAX];  /* broker's range per key; -1: none */
    int16_t  api_min[SM_API__MAX];
    int      negotiated;
} sm_client_conn_t;

/* A response frame and a reader positioned at its body (after the
 * response header).  Owns frame. */
typedef struct sm_client_resp {
    uint8_t *frame;
    size_t   len;
    sm_rd_t  rd;
    int16_t  version;               /* the version the request went out at */
} sm_client_resp_t;

void sm_client_resp_fini(sm_client_resp_t *resp);

/* Writes a request body at `version`; arg is the typed request. */
typedef void (*sm_client_body_fn)(sm_buf_t *buf, int16_t version,
                                  const void *arg);

/*
 * Connect to host:port (every address getaddrinfo returns, in order, each
 * bounded by the connect timeout and the deadline), then negotiate API
 * versions.  *connp is the connection (caller destroys) or NULL.
 */
sm_err_t sm_client_conn_open(const char *host, int port, int32_t node_id,
                             const sm_client_conf_t *conf, int64_t deadline,
                             sm_client_conn_t **connp, char *errstr,
                             size_t errstr_size);
/* Connect without the ApiVersions exchange (tests, old brokers). */
sm_err_t sm_client_conn_connect(const char *host, int port, int32_t node_id,
                                const sm_client_conf_t *conf,
                                int64_t deadline, sm_client_conn_t **connp,
                                char *errstr, size_t errstr_size);
void     sm_client_conn_destroy(sm_client_conn_t *conn);

/* ApiVersions as described above; fills api_min/api_max. */
sm_err_t sm_client_conn_negotiate(sm_client_conn_t *conn, int64_t deadline,
                                  char *errstr, size_t errstr_size);

/* A connection record with no socket yet (fd -1, nothing negotiated):
 * what sm_client_conn_connect fills; the producer's non-blocking
 * connections (producer_conn.c) keep their version table in one. */
sm_client_conn_t *sm_client_conn_alloc(const char *host, int port,
                                       int32_t node_id,
                                       const sm_client_conf_t *conf);

/* The ApiVersions request samsa sends (its software name and version;
 * the slices are static) and its body writer. */
struct sm_ApiVersionsRequest;
struct sm_ApiVersionsResponse;
void     sm_client_av_request(struct sm_ApiVersionsRequest *req);
void     sm_client_av_body(sm_buf_t *buf, int16_t version, const void *arg);

/* Apply the ApiVersions answer to a request sent at version: the ranges
 * go into conn (negotiated), or *retry is the lower version to repeat the
 * request at (KIP-511), or the error code with errstr. */
sm_err_t sm_client_conn_av_apply(sm_client_conn_t *conn, int16_t version,
                                 const struct sm_ApiVersionsResponse *av,
                                 int16_t *retry, char *errstr,
                                 size_t errstr_size);

/* The highest version of key that both the broker and samsa (ours_max)
 * support; -1 if none (or not negotiated). */
int16_t  sm_client_conn_version(const sm_client_conn_t *conn, int16_t key,
                                int16_t ours_max);

/*
 * One round trip: write the frame (header + fn's body at version), read
 * the response frame, check its size bound and correlation id, parse the
 * response header.  On any transport or framing error the socket is
 * closed (conn->fd == -1) and the connection is useless.  resp NULL:
 * the request gets no response (Produce with Acks 0); return after the
 * write.
 */
sm_err_t sm_client_conn_call(sm_client_conn_t *conn, int16_t key,
                             int16_t version, sm_client_body_fn fn,
                             const void *arg, int64_t deadline,
                             sm_client_resp_t *resp, char *errstr,
                             size_t errstr_size);

/* The two halves of sm_client_conn_call, for a caller that keeps one
 * request outstanding while it does other work (the consumer's fetch
 * ahead): send returns the correlation id to pass to recv.  Nothing else
 * may use the connection in between. */
sm_err_t sm_client_conn_send(sm_client_conn_t *conn, int16_t key,
                             int16_t version, sm_client_body_fn fn,
                             const void *arg, int64_t deadline,
                             int32_t *corrid, char *errstr,
                             size_t errstr_size);
sm_err_t sm_client_conn_recv(sm_client_conn_t *conn, int16_t key,
                             int16_t version, int32_t corrid,
                             int64_t deadline, sm_client_resp_t *resp,
                             char *errstr, size_t errstr_size);
/* 1 once the socket has bytes to read, 0 if deadline passed first, -1
 * if it is closed or failed. */
int      sm_client_conn_readable(sm_client_conn_t *conn, int64_t deadline);

/* ------------------------------------------------------------ client */

typedef struct sm_client_broker {
    int32_t  id;
    char    *host;
    int32_t  port;
    char    *rack;
    sm_client_conn_t *conn;         /* NULL: not connected */
} sm_client_broker_t;

typedef struct sm_client_addr {
    char    *host;
    int      port;
} sm_client_addr_t;

typedef struct samsa_client sm_client_t;

struct samsa_client {
    sm_client_conf_t    conf;
    sm_client_addr_t   *boot;       /* bootstrap.servers, in order */
    int                 nboot;
    int                 next_boot;  /* where the next bootstrap try starts */
    sm_client_conn_t   *boot_conn;  /* to a bootstrap address, before
                                     * metadata names the brokers */
    sm_client_broker_t *brokers;    /* from the last Metadata, by id */
    int                 nbrokers;
    int32_t             controller_id;   /* -1: unknown */
    char               *cluster_id;
    int                 have_metadata;
};

/* Broker id of the last Metadata, or NULL. */
sm_client_broker_t *sm_client_find_broker(sm_client_t *c, int32_t id);

/* Deadline of a call started now: now + default.api.timeout.ms. */
int64_t  sm_client_deadline(const sm_client_t *c);

/* Metadata for no topics (brokers, controller); updates the broker table,
 * keeping connections whose broker kept its address. */
sm_err_t sm_client_refresh(sm_client_t *c, int64_t deadline, char *errstr,
                           size_t errstr_size);

/*
 * Send to any broker (a connected one first) / to the controller; the
 * version is the highest both sides support up to ours_max
 * (UNSUPPORTED_VERSION if none).  Retries transport failures until the
 * deadline.  resp->version is the version used.
 */
sm_err_t sm_client_send_any(sm_client_t *c, int16_t key, int16_t ours_max,
                            sm_client_body_fn fn, const void *arg,
                            int64_t deadline, sm_client_resp_t *resp,
                            char *errstr, size_t errstr_size);
/* One try of sm_client_send_any: one pass over the brokers and the
 * bootstrap addresses, one call, no backoff; the caller paces retries
 * (the producer's I/O loop, which must stay free to expire records and
 * to close). */
sm_err_t sm_client_send_any_once(sm_client_t *c, int16_t key,
                                 int16_t ours_max, sm_client_body_fn fn,
                                 const void *arg, int64_t deadline,
                                 sm_client_resp_t *resp, char *errstr,
                                 size_t errstr_size);
sm_err_t sm_client_send_controller(sm_client_t *c, int16_t key,
                                   int16_t ours_max, sm_client_body_fn fn,
                                   const void *arg, int64_t deadline,
                                   sm_client_resp_t *resp, char *errstr,
                                   size_t errstr_size);
/* Send to broker node_id (describe configs of a broker resource); resp
 * may be NULL for a request that gets no answer (Produce with Acks 0). */
sm_err_t sm_client_send_node(sm_client_t *c, int32_t node_id, int16_t key,
                             int16_t ours_max, sm_client_body_fn fn,
                             const void *arg, int64_t deadline,
                             sm_client_resp_t *resp, char *errstr,
                             size_t errstr_size);

/* Wait retry.backoff.ms, bounded by the deadline; 0 if time is left
 * afterwards, -1 if the deadline has passed. */
int      sm_client_backoff(const sm_client_t *c, int64_t deadline);

/* Install the brokers, controller and cluster id of a Metadata response
 * (what sm_client_refresh does with its answer). */
void     sm_client_install(sm_client_t *c, const sm_MetadataResponse_t *md);

/* Forget the controller (after NOT_CONTROLLER) so the next
 * send_controller refreshes metadata first. */
void     sm_client_forget_controller(sm_client_t *c);

/* ------------------------------------------------------------ groups */

/* client_groups.c, shared with the group consumer. */
int      sm_cg_coord_err(sm_err_t err);   /* COORDINATOR_*, NOT_COORD.. */
/* FindCoordinator for group (retrying coordinator errors until the
 * deadline): *node, host heap. */
sm_err_t sm_cg_find(sm_client_t *c, const char *group, int64_t deadline,
                    samsa_node_t *node, char *errstr, size_t errstr_size);
/* An OffsetCommit request for offsets (generation -1, member "": the
 * caller sets those for a member); sm_cg_oc_fini frees it. */
struct sm_OffsetCommitRequest;
struct sm_OffsetCommitResponse;
void     sm_cg_oc_build(struct sm_OffsetCommitRequest *req,
                        const char *group,
                        const samsa_partition_offset_t *offsets, int cnt);
void     sm_cg_oc_fini(struct sm_OffsetCommitRequest *req);
/* Each offsets[i].err from the response; returns the first coordinator
 * error seen. */
sm_err_t sm_cg_oc_match(const struct sm_OffsetCommitResponse *r,
                        samsa_partition_offset_t *offsets, int cnt);

/* ------------------------------------------------------------ messages */

/* Kafka's default exception message for a wire code (Errors.java), or
 * NULL for codes it has none for (NONE, local codes). */
const char *sm_client_kafka_message(sm_err_t err);

#endif
