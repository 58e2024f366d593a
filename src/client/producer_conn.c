/*
 * producer_conn.c: the producer's connection to one broker - Kafka's
 * NetworkClient and Selector for Produce traffic.  Non-blocking, driven
 * by the I/O thread's libev loop (producer_io.c); separate from the
 * blocking connection the client core keeps for Metadata.
 *
 * STATES.  DOWN -> CONNECTING (a non-blocking connect to each resolved
 * address in turn, each bounded by socket.connection.setup.timeout.ms)
 * -> NEGOTIATING (ApiVersions, repeated once at a lower version for a
 * KIP-511 answer) -> UP.  Any failure closes the socket, fails every
 * request in flight with the cause (_TRANSPORT, _TIMED_OUT, _BAD_MSG:
 * retriable, so their batches go back to their queues in order) and
 * returns to DOWN and asks for a metadata refresh (the leader may have
 * moved, as Kafka's NetworkClient does on a disconnect); no reconnect
 * before the backoff (retry.backoff.ms, doubling per failure in a row up
 * to 1 s: sm_producer_backoff_ms), and only while a batch waits for this
 * broker (c->wanted).
 *
 * PIPELINING.  Up to max.in.flight.requests.per.connection requests
 * (Produce, and Metadata: producer_md.c) are queued (c->fifo, in
 * correlation id order).  Frames are appended to c->wbuf and written as
 * far as the socket takes them; the write watcher runs only while bytes
 * are left.  Responses come in request order (Kafka's connection
 * muting), so each frame read belongs to the FIFO's head: a different
 * correlation id is a protocol error.
 * With acks=0 nothing answers: a request is done once its last byte
 * (r->wend, counted in c->wdone) is written.
 *
 * IDLE.  An up connection with nothing in flight for
 * connections.max.idle.ms is closed, and opened again when needed.
 *
 * TIMEOUTS.  One timer per connection: the connect deadline, else the
 * head request's deadline (the oldest: requests are answered in order).
 * An expired head closes the connection, as Kafka's NetworkClient does
 * for request.timeout.ms.
 *
 * FRAMES: 4-byte big-endian size, then the response header and body.
 * A size below 4 or above samsa.max.response.bytes closes the connection
 * before anything is allocated.
 *
 * Threads: the I/O thread only; p->lock is taken only inside
 * sm_producer_complete() and to set want_md; never called with it held
 * except sm_pconn_get() and sm_pconn_slots(), which take no lock.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/producer.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/apiversions.h"

#define SM_PC_READ_CHUNK     65536

static void sm_pconn_on_read(struct ev_loop *loop, ev_io *w, int revents);
static void sm_pconn_on_write(struct ev_loop *loop, ev_io *w, int revents);
static void sm_pconn_on_timer(struct ev_loop *loop, ev_timer *w,
                              int revents);

/* ------------------------------------------------------------ lifetime */

static sm_pconn_t *
sm_pconn_new(samsa_producer_t *p, const sm_client_broker_t *b)
{
    sm_pconn_t *c = sm_calloc(1, sizeof(*c));

    c->p = p;
    c->node = b->id;
    c->fd = -1;
    c->vc = sm_client_conn_alloc(b->host, b->port, b->id, &p->conf);
    ev_init(&c->rio, sm_pconn_on_read);
    ev_init(&c->wio, sm_pconn_on_write);
    ev_init(&c->timer, sm_pconn_on_timer);
    c->rio.data = c->wio.data = c->timer.data = c;
    p->conns = sm_realloc(p->conns, (size_t)(p->nconns + 1) *
                          sizeof(*p->conns));
    p->conns[p->nconns++] = c;
    return c;
}

/* Close the socket and forget every byte and request (not settled). */
static void
sm_pconn_reset(sm_pconn_t *c)
{
    struct ev_loop *loop = c->p->loop;

    ev_io_stop(loop, &c->rio);
    ev_io_stop(loop, &c->wio);
    ev_timer_stop(loop, &c->timer);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->state = SM_PC_DOWN;
    if (c->ai_list != NULL)
        freeaddrinfo(c->ai_list);
    c->ai_list = c->ai_next = NULL;
    sm_buf_reset(&c->wbuf);
    c->wpos = 0;
    c->wdone = c->wqueued = 0;
    c->rlen = 0;
    c->ninflight = 0;
    c->vc->negotiated = 0;
}

/* The reconnect backoff after one more failure in a row. */
static int64_t
sm_pconn_backoff(sm_pconn_t *c)
{
    if (c->failures < 30)
        c->failures++;
    return sm_producer_backoff_ms(c->p, c->failures);
}

/* Close c after err (reason logged once): every request in flight ends
 * with err, in FIFO order, so retried batches keep their order. */
static void
sm_pconn_fail(sm_pconn_t *c, sm_err_t err, const char *reason)
{
    sm_preq_t *r = c->fifo, *next;

    sm_warn("producer", "Connection to node %d (%s:%d) %s; %d request%s "
            "in flight", (int)c->node, c->vc->host, c->vc->port, reason,
            c->ninflight, c->ninflight == 1 ? "" : "s");
    c->fifo = c->fifo_tail = NULL;
    sm_pconn_reset(c);
    c->backoff_until = sm_mono_ms() + sm_pconn_backoff(c);
    c->p->again = 1;                /* a round sets the backoff's wake */
    pthread_mutex_lock(&c->p->lock);
    c->p->want_md = 1;              /* the leader may have moved */
    pthread_mutex_unlock(&c->p->lock);
    for (; r != NULL; r = next) {
        next = r->next;
        sm_producer_complete(c->p, r, err, NULL);
    }
}

static void
sm_pconn_failf(sm_pconn_t *c, sm_err_t err, const char *what, int e)
{
    char reason[256];

    snprintf(reason, sizeof(reason), "%s%s%s", what, e ? ": " : "",
             e ? strerror(e) : "");
    sm_pconn_fail(c, err, reason);
}

sm_pconn_t *
sm_pconn_get(samsa_producer_t *p, int32_t node)
{
    const sm_client_broker_t *b;

    for (int i = 0; i < p->nconns; i++)
        if (p->conns[i]->node == node)
            return p->conns[i];
    b = sm_client_find_broker(p->client, node);
    return b != NULL ? sm_pconn_new(p, b) : NULL;
}

void
sm_pconn_check_addresses(samsa_producer_t *p)
{
    for (int i = 0; i < p->nconns; i++) {
        sm_pconn_t *c = p->conns[i];
        const sm_client_broker_t *b =
            sm_client_find_broker(p->client, c->node);
        if (b == NULL || (strcmp(c->vc->host, b->host) == 0 &&
                          c->vc->port == b->port))
            continue;
        if (c->state != SM_PC_DOWN)
            sm_pconn_fail(c, SM_ERR__TRANSPORT, "closed: the broker has a "
                          "new address");
        sm_free(c->vc->host);
        c->vc->host = sm_strdup(b->host);
        c->vc->port = b->port;
    }
}

void
sm_pconn_destroy_all(samsa_producer_t *p)
{
    for (int i = 0; i < p->nconns; i++) {
        sm_pconn_t *c = p->conns[i];
        sm_preq_t *r = c->fifo, *next;
        for (; r != NULL; r = next) {
            next = r->next;
            sm_preq_free(r);
        }
        sm_pconn_reset(c);
        sm_buf_fini(&c->wbuf);
        sm_free(c->rbuf);
        sm_client_conn_destroy(c->vc);
        sm_free(c);
    }
    sm_free(p->conns);
    p->conns = NULL;
    p->nconns = 0;
}

sm_pconn_t *
sm_pconn_pick(samsa_producer_t *p)
{
    sm_pconn_t *best = NULL;

    for (int i = 0; i < p->nconns; i++)
        if (sm_pconn_slots(p->conns[i]) > 0 &&
            (best == NULL || p->conns[i]->ninflight < best->ninflight))
            best = p->conns[i];
    return best;
}

int
sm_pconn_slots(const sm_pconn_t *c)
{
    if (c->state != SM_PC_UP)
        return 0;
    return c->p->conf.p.max_in_flight - c->ninflight;
}

/* ------------------------------------------------------------ timer */

/* Arm the timer for the connect deadline or the head's deadline. */
static void
sm_pconn_arm(sm_pconn_t *c)
{
    int64_t at = -1;

    ev_timer_stop(c->p->loop, &c->timer);
    if (c->state == SM_PC_CONNECTING || c->state == SM_PC_NEGOTIATING)
        at = c->connect_deadline;
    else if (c->fifo != NULL)
        at = c->fifo->deadline;
    if (at < 0)
        return;
    at -= sm_mono_ms();
    ev_timer_set(&c->timer, at > 0 ? (double)at / 1000.0 : 0.0, 0.0);
    ev_timer_start(c->p->loop, &c->timer);
}

static void sm_pconn_connect_next(sm_pconn_t *c, int e);

static void
sm_pconn_on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    sm_pconn_t *c = w->data;
    int64_t now = sm_mono_ms();

    (void)loop;
    (void)revents;
    if (c->state == SM_PC_CONNECTING && now >= c->connect_deadline)
        sm_pconn_connect_next(c, ETIMEDOUT);
    else if (c->state == SM_PC_NEGOTIATING && now >= c->connect_deadline)
        sm_pconn_failf(c, SM_ERR__TIMED_OUT, "timed out in ApiVersions",
                       0);
    else if (c->state == SM_PC_UP && c->fifo != NULL &&
             now >= c->fifo->deadline)
        sm_pconn_failf(c, SM_ERR__TIMED_OUT, "closed: no Produce response "
                       "within request.timeout.ms", 0);
    else
        sm_pconn_arm(c);
}

/* ------------------------------------------------------------ writing */

/* Append a request frame to wbuf; its correlation id. */
static int32_t
sm_pconn_frame(sm_pconn_t *c, int16_t key, int16_t version,
               sm_client_body_fn fn, const void *arg)
{
    int32_t corrid = c->vc->next_corrid++;
    size_t off, start = c->wbuf.len;

    if (c->vc->next_corrid == INT32_MAX)
        c->vc->next_corrid = 0;
    if (c->wpos > 0 && c->wpos >= c->wbuf.len / 2) {
        /* the written half goes: a socket that stays backed up must not
         * grow wbuf with bytes already sent */
        memmove(c->wbuf.data, c->wbuf.data + c->wpos, c->wbuf.len - c->wpos);
        c->wbuf.len -= c->wpos;
        c->wpos = 0;
        start = c->wbuf.len;
    }
    off = sm_wr_i32(&c->wbuf, 0);
    sm_req_hdr_write(&c->wbuf, key, version, corrid, c->p->conf.client_id);
    fn(&c->wbuf, version, arg);
    sm_wr_patch_i32(&c->wbuf, off, (int32_t)(c->wbuf.len - off - 4));
    c->wqueued += c->wbuf.len - start;
    return corrid;
}

/* acks=0: requests whose last byte is out are done. */
static void
sm_pconn_written(sm_pconn_t *c)
{
    while (c->p->conf.p.acks == 0 && c->fifo != NULL &&
           c->fifo->key == SM_API_Produce && c->fifo->wend <= c->wdone) {
        sm_preq_t *r = c->fifo;
        c->fifo = r->next;
        if (c->fifo == NULL)
            c->fifo_tail = NULL;
        c->ninflight--;
        sm_producer_complete(c->p, r, SM_OK, NULL);
    }
}

/* Write what the socket takes; 0, or -1 after failing c. */
static int
sm_pconn_flush(sm_pconn_t *c)
{
    while (c->wpos < c->wbuf.len) {
        ssize_t n = send(c->fd, c->wbuf.data + c->wpos,
                         c->wbuf.len - c->wpos, MSG_NOSIGNAL);
        if (n > 0) {
            c->wpos += (size_t)n;
            c->wdone += (uint64_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else if (n < 0 && errno != EINTR) {
            sm_pconn_failf(c, SM_ERR__TRANSPORT, "failed writing", errno);
            return -1;
        }
    }
    if (c->wpos == c->wbuf.len) {
        sm_buf_reset(&c->wbuf);
        c->wpos = 0;
        ev_io_stop(c->p->loop, &c->wio);
    } else {
        ev_io_start(c->p->loop, &c->wio);
    }
    sm_pconn_written(c);
    return 0;
}

typedef struct sm_pconn_body {
    samsa_producer_t *p;
    sm_preq_t        *r;
} sm_pconn_body_t;

static void
sm_pconn_req_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    const sm_pconn_body_t *x = arg;

    (void)version;                  /* x->r->version */
    sm_preq_write(x->p, x->r, buf);
}

void
sm_pconn_send(sm_pconn_t *c, sm_preq_t *r)
{
    sm_pconn_body_t x = { c->p, r };

    r->version = sm_client_conn_version(c->vc, r->key, r->max_version);
    if (r->version < 0 || (r->key == SM_API_Produce && r->version < 3)) {
        /* record batch v2 needs Produce v3 */
        sm_warn("producer", "Node %d supports no %s version samsa can use",
                (int)c->node, sm_api_name(r->key));
        sm_producer_complete(c->p, r, SM_ERR_UNSUPPORTED_VERSION, NULL);
        return;
    }
    r->corrid = sm_pconn_frame(c, r->key, r->version, sm_pconn_req_body,
                               &x);
    r->wend = c->wqueued;
    c->last_used = sm_mono_ms();
    r->deadline = c->last_used + c->p->conf.request_timeout_ms;
    r->next = NULL;
    if (c->fifo_tail != NULL)
        c->fifo_tail->next = r;
    else
        c->fifo = r;
    c->fifo_tail = r;
    c->ninflight++;
    if (c->fifo == r)
        sm_pconn_arm(c);
    sm_pconn_flush(c);
}

static void
sm_pconn_on_write(struct ev_loop *loop, ev_io *w, int revents)
{
    sm_pconn_t *c = w->data;

    (void)loop;
    (void)revents;
    if (c->state == SM_PC_CONNECTING)
        sm_pconn_connect_next(c, -1);
    else
        sm_pconn_flush(c);
}

/* ------------------------------------------------------------ connect */

static void
sm_pconn_negotiate(sm_pconn_t *c, int16_t version)
{
    sm_ApiVersionsRequest_t req;

    sm_client_av_request(&req);
    c->av_version = version;
    c->av_corrid = sm_pconn_frame(c, SM_API_ApiVersions, version,
                                  sm_client_av_body, &req);
    sm_pconn_flush(c);
}

static void
sm_pconn_connected(sm_pconn_t *c)
{
    int one = 1;

    (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    freeaddrinfo(c->ai_list);
    c->ai_list = c->ai_next = NULL;
    c->state = SM_PC_NEGOTIATING;
    c->connect_deadline = sm_mono_ms() + c->p->conf.request_timeout_ms;
    ev_io_stop(c->p->loop, &c->wio);
    ev_io_set(&c->rio, c->fd, EV_READ);
    ev_io_set(&c->wio, c->fd, EV_WRITE);
    ev_io_start(c->p->loop, &c->rio);
    sm_pconn_arm(c);
    sm_debug("producer", "Connected to node %d (%s:%d)", (int)c->node,
             c->vc->host, c->vc->port);
    sm_pconn_negotiate(c, SM_APIVERSIONS_MAX_VERSION);
}

/* Finish or abandon the address being tried (e: its errno, 0: the
 * socket became writable, check it; -1: the same, from the watcher) and
 * start the next one; fail c when none is left. */
static void
sm_pconn_connect_next(sm_pconn_t *c, int e)
{
    socklen_t len = sizeof(int);
    int soerr = 0;

    if (e <= 0 && c->fd >= 0) {
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
        if (soerr == 0) {
            sm_pconn_connected(c);
            return;
        }
        e = soerr;
    }
    ev_io_stop(c->p->loop, &c->wio);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    while (c->ai_next != NULL) {
        struct addrinfo *ai = c->ai_next;
        c->ai_next = ai->ai_next;
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
                       SOCK_CLOEXEC, ai->ai_protocol);
        if (c->fd < 0) {
            e = errno;
            continue;
        }
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
            errno == EINPROGRESS) {
            c->connect_deadline = sm_mono_ms() +
                                  c->p->conf.connect_timeout_ms;
            ev_io_set(&c->wio, c->fd, EV_WRITE);
            ev_io_start(c->p->loop, &c->wio);
            sm_pconn_arm(c);
            return;
        }
        e = errno;
        close(c->fd);
        c->fd = -1;
    }
    sm_pconn_failf(c, e == ETIMEDOUT ? SM_ERR__TIMED_OUT : SM_ERR__TRANSPORT,
                   "failed to connect", e);
}

/* Kafka's connections.max.idle.ms: an up connection with nothing in
 * flight for that long is closed (reopened when a batch needs it). */
static void
sm_pconn_idle(sm_pconn_t *c, int64_t now, int64_t *wake)
{
    int64_t at = c->last_used + c->p->conf.p.conn_max_idle_ms;

    if (c->state != SM_PC_UP || c->fifo != NULL)
        return;
    if (now < at) {
        if (at < *wake)
            *wake = at;
        return;
    }
    sm_debug("producer", "Closing idle connection to node %d (%s:%d)",
             (int)c->node, c->vc->host, c->vc->port);
    sm_pconn_reset(c);
}

void
sm_pconn_kick(sm_pconn_t *c, int64_t now, int64_t *wake)
{
    struct addrinfo hints;
    char service[16];
    int rc;

    sm_pconn_idle(c, now, wake);
    if (c->state == SM_PC_DOWN && c->wanted && c->backoff_until > now &&
        c->backoff_until < *wake)
        *wake = c->backoff_until;
    if (c->state != SM_PC_DOWN || !c->wanted || now < c->backoff_until)
        return;
    c->wanted = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof(service), "%d", c->vc->port);
    rc = getaddrinfo(c->vc->host, service, &hints, &c->ai_list);
    if (rc != 0) {
        c->ai_list = NULL;
        sm_warn("producer", "Connection to node %d (%s:%d) failed: cannot "
                "resolve %s: %s", (int)c->node, c->vc->host, c->vc->port,
                c->vc->host, gai_strerror(rc));
        c->backoff_until = now + sm_pconn_backoff(c);
        return;
    }
    c->ai_next = c->ai_list;
    c->state = SM_PC_CONNECTING;
    sm_pconn_connect_next(c, ECONNREFUSED);
}

/* ------------------------------------------------------------ reading */

static void
sm_pconn_on_av(sm_pconn_t *c, sm_rd_t *rd)
{
    sm_ApiVersionsResponse_t av;
    char errstr[256];
    int16_t retry = -1;
    sm_err_t err = sm_ApiVersionsResponse_read(rd, c->av_version, &av);

    if (err != SM_OK) {
        sm_pconn_failf(c, SM_ERR__BAD_MSG, "sent an unparsable ApiVersions "
                       "response", 0);
        return;
    }
    err = sm_client_conn_av_apply(c->vc, c->av_version, &av, &retry,
                                  errstr, sizeof(errstr));
    sm_ApiVersionsResponse_free(&av);
    if (err == SM_OK && retry >= 0 && retry < c->av_version) {
        sm_pconn_negotiate(c, retry);
    } else if (err != SM_OK || retry >= 0) {
        sm_pconn_failf(c, SM_ERR__TRANSPORT, "failed ApiVersions", 0);
    } else {
        c->state = SM_PC_UP;
        c->failures = 0;
        c->last_used = sm_mono_ms();
        sm_pconn_arm(c);
    }
}

/* One whole response frame; -1 if c was failed. */
static int
sm_pconn_frame_in(sm_pconn_t *c, uint8_t *frame, size_t len)
{
    int nego = c->state == SM_PC_NEGOTIATING;
    sm_preq_t *r = c->fifo;
    int16_t key = nego ? SM_API_ApiVersions : r != NULL ? r->key : 0;
    int16_t version = nego ? c->av_version : r != NULL ? r->version : 0;
    int32_t want = nego ? c->av_corrid : r != NULL ? r->corrid : -1;
    int32_t got = -1;
    sm_rd_t rd;

    sm_rd_init(&rd, frame, len);
    sm_resp_hdr_read(&rd, key, version, &got);
    if ((!nego && r == NULL) || rd.err != SM_OK || got != want) {
        sm_pconn_failf(c, SM_ERR__BAD_MSG, "sent a response with an "
                       "unexpected correlation id", 0);
        return -1;
    }
    if (nego) {
        sm_pconn_on_av(c, &rd);
        return c->state == SM_PC_DOWN ? -1 : 0;
    }
    c->fifo = r->next;
    if (c->fifo == NULL)
        c->fifo_tail = NULL;
    c->ninflight--;
    c->last_used = sm_mono_ms();
    sm_pconn_arm(c);
    sm_producer_complete(c->p, r, SM_OK, &rd);
    sm_pconn_written(c);            /* acks=0 requests behind a Metadata */
    return 0;
}

/* Split rbuf into frames; -1 if c was failed. */
static int
sm_pconn_frames(sm_pconn_t *c)
{
    size_t off = 0;
    int rc = 0;

    while (rc == 0 && c->rlen - off >= 4) {
        int32_t size = (int32_t)sm_load_be32(c->rbuf + off);
        if (size < 4 || size > c->p->conf.max_response_bytes) {
            char why[128];
            snprintf(why, sizeof(why), "sent an invalid response size %d "
                     "(bound: samsa.max.response.bytes)", (int)size);
            sm_pconn_failf(c, SM_ERR__BAD_MSG, why, 0);
            return -1;
        }
        if (c->rlen - off < 4 + (size_t)size)
            break;
        rc = sm_pconn_frame_in(c, c->rbuf + off + 4, (size_t)size);
        off += 4 + (size_t)size;
    }
    if (rc != 0)
        return -1;
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
    return 0;
}

static void
sm_pconn_on_read(struct ev_loop *loop, ev_io *w, int revents)
{
    sm_pconn_t *c = w->data;

    (void)loop;
    (void)revents;
    for (int round = 0; round < 16; round++) {
        ssize_t n;
        if (c->rcap - c->rlen < SM_PC_READ_CHUNK) {
            c->rcap = c->rlen + SM_PC_READ_CHUNK;
            c->rbuf = sm_realloc(c->rbuf, c->rcap);
        }
        n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
        if (n == 0) {
            sm_pconn_failf(c, SM_ERR__TRANSPORT, "closed by the broker", 0);
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                sm_pconn_failf(c, SM_ERR__TRANSPORT, "failed reading",
                               errno);
            return;
        }
        c->rlen += (size_t)n;
        if (sm_pconn_frames(c) != 0)
            return;
    }
}
