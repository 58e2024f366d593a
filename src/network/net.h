/*
 * net.h: samsa's socket server - Kafka's SocketServer/RequestChannel in C.
 *
 * THREADING MODEL (STYLE.md §6):
 *
 *   acceptor --(per-thread queue + ev_async)--> network thread x N
 *   network thread --(bounded request queue)--> I/O handler thread x M
 *   any thread --sm_net_respond()--(per-network-thread queue + ev_async)-->
 *       network thread that owns the connection
 *
 * - The acceptor owns the listening sockets and hands each accepted fd to
 *   the network threads round-robin.
 * - A network thread owns its connections and its libev loop; nothing else
 *   touches them.  It reads 4-byte size-prefixed frames, refuses frames
 *   larger than socket.request.max.bytes (closing that connection with one
 *   log line), and hands each complete frame to the request queue as an
 *   sm_request_t.  It never interprets a request.
 * - After a frame is read the connection is MUTED (no further reads) until
 *   the response to it has been written completely (or a NOOP response
 *   arrives for requests that get none, e.g. acks=0 Produce).  This keeps
 *   responses in request order with no locks, and makes pipelined requests
 *   (kafka-python sends ApiVersions + Metadata back to back) safe.  A muted
 *   connection is still watched for the peer hanging up, so a client that
 *   disconnects while its request waits (purgatory) is closed at once.
 * - The request queue holds at most queued.max.requests entries.  When it is
 *   full a network thread does not block: it parks the frame on the
 *   connection and stops reading from it until a handler frees a slot.
 * - I/O handler threads pop requests and call the handler given to
 *   sm_net_start().  The handler owns the request from then on and must,
 *   now or later (purgatory), call sm_net_respond() exactly once with a
 *   response built for it, then sm_request_free() it.
 * - Handlers name a connection by (thread, conn_id) only.  conn_id is unique
 *   for the life of the process, so a late response for a closed connection
 *   simply finds nothing and is dropped.
 *
 * SHUTDOWN: sm_net_stop_accepting(), sm_net_drain(), then stop whatever can
 * still respond (purgatories), then sm_net_destroy().  sm_net_new() sets
 * SIGPIPE to SIG_IGN if it is SIG_DFL (sendfile(2) has no MSG_NOSIGNAL).
 *
 * The implementation is split over server.c, acceptor.c, processor.c,
 * request_channel.c and response.c; net_int.h maps them and their locks.
 *
 * RESPONSES are chains of segments written with writev(2) (memory) and
 * sendfile(2) (file ranges), preceded by the 4-byte size the network thread
 * computes.  Memory segments are owned by the response and freed after
 * sending; file segments carry a release callback called once the bytes are
 * out or the connection is gone (the log uses it to drop its segment
 * reference).
 */
#ifndef SM_NETWORK_NET_H
#define SM_NETWORK_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"

typedef struct sm_net sm_net_t;

/* One configured listener: "NAME://host:port". */
typedef struct sm_listener_cfg {
    char    *name;              /* listener name, e.g. "PLAINTEXT" */
    char    *host;              /* bind address; "" or NULL = all */
    int      port;              /* 0 = ephemeral; see sm_net_bound_port() */
    char    *security_protocol; /* "PLAINTEXT" (others come later) */
} sm_listener_cfg_t;

typedef struct sm_net_config {
    const sm_listener_cfg_t *listeners;
    int      nlisteners;
    int      num_network_threads;        /* num.network.threads (3) */
    int      num_io_threads;             /* num.io.threads (8) */
    int      queued_max_requests;        /* queued.max.requests (500) */
    int32_t  socket_request_max_bytes;   /* socket.request.max.bytes (100MiB)*/
    int      socket_send_buffer_bytes;   /* -1 = OS default (102400) */
    int      socket_receive_buffer_bytes;/* -1 = OS default (102400) */
    int64_t  connections_max_idle_ms;    /* connections.max.idle.ms (600000);
                                          * <= 0: never close idle ones */
    int      max_connections;            /* max.connections (INT_MAX) */
} sm_net_config_t;

/* A received request frame (everything after the 4-byte size prefix). */
typedef struct sm_request {
    sm_net_t *net;
    int       thread;           /* owning network thread */
    uint64_t  conn_id;
    int       listener;         /* index into the listener config */
    uint8_t  *frame;            /* owned by the request */
    size_t    len;
    int64_t   recv_us;          /* monotonic time the frame completed */
    char      peer[64];         /* "127.0.0.1:54321" for log lines */
    struct sm_request *next;    /* request-queue link (internal) */
} sm_request_t;

typedef enum sm_resp_action {
    SM_RESP_SEND,               /* write the segments, then unmute */
    SM_RESP_NOOP,               /* nothing to send; unmute */
    SM_RESP_CLOSE,              /* close the connection */
} sm_resp_action_t;

typedef struct sm_resp_seg {
    int       is_file;
    uint8_t  *data;             /* memory: owned, freed after sending */
    size_t    len;
    int       fd;               /* file: read from fd at pos */
    off_t     pos;
    void    (*release)(void *arg);
    void     *arg;
} sm_resp_seg_t;

typedef struct sm_response {
    int       thread;
    uint64_t  conn_id;
    sm_resp_action_t action;
    sm_resp_seg_t *segs;
    int       nsegs;
    int       cap;
    size_t    total;            /* sum of segment lengths */
    struct sm_response *next;   /* response-queue link (internal) */
} sm_response_t;

/* The function I/O handler threads call for every request. */
typedef void (*sm_net_handler_fn)(sm_request_t *req, void *opaque);

/* Create the server: bind and listen on every listener (port 0 picks a free
 * port).  Does not start threads.  errstr names the failing listener. */
sm_err_t sm_net_new(const sm_net_config_t *cfg, sm_net_t **netp,
                    char *errstr, size_t errstr_size);
/* Start the acceptor, network and handler threads. */
sm_err_t sm_net_start(sm_net_t *net, sm_net_handler_fn handler, void *opaque);
/* The port listener i is bound to. */
int      sm_net_bound_port(const sm_net_t *net, int listener);
/* Stop accepting new connections (first step of a graceful shutdown). */
void     sm_net_stop_accepting(sm_net_t *net);
/* Stop reading new requests on every connection (connections stay open),
 * then wait until no request is queued or being handled and no response is
 * waiting to be written, or timeout_ms passes; 0 if drained, -1 if not. */
int      sm_net_drain(sm_net_t *net, int64_t timeout_ms);
/* Stop every thread, close every socket, free everything.  Whatever may
 * still call sm_net_respond() (purgatories, fetchers) must be shut down
 * first; requests still in purgatory then get their responses dropped. */
void     sm_net_destroy(sm_net_t *net);

/* Response building.  The response starts with no segments. */
sm_response_t *sm_response_new(const sm_request_t *req,
                               sm_resp_action_t action);
/* Append a memory segment; takes ownership of data (freed with free()). */
void     sm_response_add_mem(sm_response_t *resp, uint8_t *data, size_t len);
/* Append the contents of buf (buf is detached and left empty). */
void     sm_response_add_buf(sm_response_t *resp, sm_buf_t *buf);
/* Append a file range; release(arg) is called exactly once afterwards,
 * on whichever thread frees the segment (normally the network thread, as
 * soon as the range is sent or the connection dies). */
void     sm_response_add_file(sm_response_t *resp, int fd, off_t pos,
                              size_t len, void (*release)(void *),
                              void *arg);
/* Free a response that was never handed to sm_net_respond(). */
void     sm_response_free(sm_response_t *resp);

/* Queue resp for the connection's network thread.  Thread-safe; takes
 * ownership of resp.  A response for a closed connection is freed. */
void     sm_net_respond(sm_net_t *net, sm_response_t *resp);
void     sm_request_free(sm_request_t *req);

/* Counters for tests and the shutdown log line. */
typedef struct sm_net_stats {
    uint64_t accepted;
    uint64_t closed;
    uint64_t requests;
    uint64_t responses;
    uint64_t oversized_frames;
    uint64_t idle_closed;
    uint64_t dropped_responses; /* their connection was gone */
    int      open_connections;
    int      queued_requests;
} sm_net_stats_t;
void     sm_net_get_stats(sm_net_t *net, sm_net_stats_t *st);

#endif
