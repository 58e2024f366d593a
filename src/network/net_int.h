/*
 * net_int.h: internals shared by the files of src/network/.  Nothing outside
 * src/network/ includes this; the contract for the rest of samsa is net.h.
 *
 * FILES
 *   server.c           sm_net_new/start/drain/destroy, stats, the drain
 *                      counter (the SocketServer object itself)
 *   acceptor.c         listening sockets and the acceptor thread
 *   processor.c        network threads: connections, frame reading,
 *                      muting, response writing (Kafka's Processor)
 *   request_channel.c  the bounded request queue and the I/O handler pool
 *   response.c         building, queueing and freeing responses
 *
 * LOCKS (never nested, so there is no lock order to get wrong):
 *   chan.lock          the request queue, its waiting[] flags
 *   proc->lock         a network thread's inbox: new connections, responses,
 *                      resume/stop/drain flags, stopped
 *   net->drain_lock    pairs with drain_cond for sm_net_drain()
 * ev_async_send() is called with proc->lock held (see sm_net_respond()), so
 * a loop is never signalled after its thread announced it stopped.
 *
 * THE OUTSTANDING COUNTER (net->outstanding) counts requests from the
 * moment a network thread builds them until their response is finished on
 * the network thread (written, NOOP, CLOSE, or dropped because the
 * connection went away).  A request parked or queued but freed without a
 * response (its connection closed, or destroy) is finished too.  Drain waits
 * for it to reach zero.
 */
#ifndef SM_NETWORK_NET_INT_H
#define SM_NETWORK_NET_INT_H

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "network/net.h"

#define SM_NET_RBUF_SIZE   8192        /* per-connection read buffer */
#define SM_NET_READ_BUDGET (256 << 10) /* bytes read per event, fairness */
#define SM_NET_ACCEPT_BATCH 64         /* accepts per event */
#define SM_NET_BACKLOG     128         /* Kafka: socket.listen.backlog.size */
#define SM_NET_MAX_PROCS   256         /* bound on num.network.threads */

typedef struct sm_conn sm_conn_t;

/* A listening socket (owned by the acceptor thread once started). */
typedef struct sm_net_listener {
    sm_net_t *net;
    int       index;            /* into cfg.listeners */
    int       fd;
    int       port;             /* bound port */
    char      addr[80];         /* "[::]:9092" for log lines */
    ev_io     w;
} sm_net_listener_t;

/* An accepted socket on its way from the acceptor to a network thread. */
typedef struct sm_net_newconn {
    int       fd;
    int       listener;
    uint64_t  conn_id;
    char      peer[64];
    struct sm_net_newconn *next;
} sm_net_newconn_t;

/* The request queue shared by all network threads and handler threads. */
typedef struct sm_net_chan {
    pthread_mutex_t lock;
    pthread_cond_t  nonempty;
    sm_request_t   *head, *tail;
    int             count;
    int             max;        /* queued.max.requests */
    int             closed;     /* handlers exit once set */
    int            *waiting;    /* [proc]: has parked frames, wants a wake */
    int             nprocs;
} sm_net_chan_t;

/* A network thread (Kafka's Processor). */
typedef struct sm_net_proc {
    sm_net_t       *net;
    int             id;
    pthread_t       tid;
    int             started;
    struct ev_loop *loop;
    ev_async        wake;
    ev_timer        idle_timer;

    /* inbox, guarded by lock */
    pthread_mutex_t lock;
    sm_net_newconn_t *nc_head, *nc_tail;
    sm_response_t  *resp_head, *resp_tail;
    int             resume;     /* the request queue has room again */
    int             stop;       /* leave the loop */
    int             drain;      /* stop reading new requests */
    int             stopped;    /* loop left: respond frees directly */

    /* owned by the thread */
    int             draining;
    int             drain_acked;
    sm_conn_t     **htab;       /* conn_id -> conn, chained */
    size_t          hmask;
    size_t          nconns;
    sm_conn_t      *lru_head, *lru_tail;   /* READING conns, oldest first */
    sm_conn_t      *park_head, *park_tail; /* PARKED conns, FIFO */
} sm_net_proc_t;

struct sm_net {
    sm_net_config_t    cfg;     /* listeners deep-copied into lcfg */
    sm_listener_cfg_t *lcfg;
    sm_net_listener_t *lis;
    int                nlis;

    /* acceptor thread (acceptor.c) */
    pthread_t          acc_tid;
    int                acc_started;
    int                acc_joined;
    struct ev_loop    *acc_loop;
    ev_async           acc_wake;
    ev_timer           acc_retry;   /* EMFILE back-off */
    atomic_int         acc_stop;
    int                acc_paused;  /* acceptor thread only */
    int64_t            acc_max_logged_ms; /* acceptor thread only */
    int                next_proc;   /* acceptor thread only */
    uint64_t           next_conn_id;/* acceptor thread only */

    sm_net_proc_t     *procs;
    int                nprocs;

    sm_net_chan_t      chan;
    pthread_t         *handlers;
    int                nhandlers;   /* started */
    sm_net_handler_fn  handler;
    void              *opaque;
    int                started;

    atomic_long        outstanding;
    atomic_int         drain_acks;
    pthread_mutex_t    drain_lock;
    pthread_cond_t     drain_cond;

    atomic_uint_fast64_t st_accepted, st_closed, st_requests, st_responses,
                       st_oversized, st_idle_closed, st_dropped;
    atomic_int         open_conns;
};

/* server.c */
void sm_net_outstanding_done(sm_net_t *net);
void sm_net_drain_ack(sm_net_t *net);

/* acceptor.c */
void     sm_net_format_addr(const struct sockaddr *sa, char *out,
                            size_t size);
sm_err_t sm_net_listeners_open(sm_net_t *net, char *errstr,
                               size_t errstr_size);
void     sm_net_listeners_close(sm_net_t *net);
sm_err_t sm_net_acceptor_start(sm_net_t *net);
void     sm_net_acceptor_stop(sm_net_t *net);
void     sm_net_acceptor_fini(sm_net_t *net);
void     sm_net_acceptor_conn_closed(sm_net_t *net);

/* processor.c */
sm_err_t sm_net_proc_init(sm_net_t *net, sm_net_proc_t *proc, int id);
sm_err_t sm_net_proc_start(sm_net_proc_t *proc);
void     sm_net_proc_push_conn(sm_net_proc_t *proc, sm_net_newconn_t *nc);
void     sm_net_proc_notify(sm_net_proc_t *proc, int resume, int stop,
                            int drain);
void     sm_net_proc_join(sm_net_proc_t *proc);
void     sm_net_proc_fini(sm_net_proc_t *proc);

/* request_channel.c */
void     sm_net_chan_init(sm_net_chan_t *chan, int max, int nprocs);
void     sm_net_chan_fini(sm_net_t *net);
int      sm_net_chan_push(sm_net_t *net, sm_request_t *req, int proc);
sm_err_t sm_net_handlers_start(sm_net_t *net);
void     sm_net_handlers_stop(sm_net_t *net);
int      sm_net_chan_count(sm_net_t *net);

/* response.c */
void     sm_resp_seg_release(sm_resp_seg_t *seg);
void     sm_net_resp_drop(sm_net_t *net, sm_response_t *resp);

#endif
