/*
 * processor.c: network threads (Kafka's Processor).
 *
 * A network thread owns a libev loop and the connections the acceptor gave
 * it; nothing else touches either.  Other threads talk to it only through
 * its inbox (proc->lock: new connections, responses, resume/stop/drain
 * flags) and one ev_async; the callback takes the whole inbox in one go,
 * since ev_async_send()s coalesce.
 *
 * CONNECTION STATES (sm_conn_set_state() checks every transition)
 *
 *         frame read, queue full            handler popped it / slot free
 *   READING ---------------------> PARKED ------------------> INFLIGHT
 *      |  \_______________________________________________________^  |
 *      |         frame read, queued at once                          |
 *      |                                    SEND response arrives    |
 *      |   <------------------ WRITING <-----------------------------+
 *      |     last byte written                                       |
 *      |   <---------------------------------------------------------+
 *      |     NOOP response                                           |
 *      +-----> CLOSED  (from any state: EOF, error, bad frame, idle,
 *                       CLOSE response, shutdown)
 *
 *   READING   read watcher on (unless draining); on the idle LRU list.
 *   PARKED    muted; frame held in conn->parked, conn on proc's park list
 *             (FIFO) until the request queue has room (request_channel.c).
 *   INFLIGHT  muted; a handler owns the request.
 *   WRITING   muted; conn->out being written; write watcher on only while
 *             the socket is full.
 * Muting is simply "not READING": one request per connection is in flight
 * at a time, so responses go out in request order without any lock, and
 * pipelined requests wait meanwhile.  READ-AHEAD: an INFLIGHT or WRITING
 * connection keeps reading, but only until one further whole frame is
 * buffered (rbuf or conn->frame, so at most socket.request.max.bytes more
 * per connection); then it stops watching until READING again, when that
 * frame is delivered at once.  Without it a producer pipelining large
 * requests through Kafka's default 100 KB socket.receive.buffer.bytes
 * stalls for a round trip per request.  A PARKED connection (request queue
 * full) reads nothing more, so queued.max.requests still pushes back on
 * the client; it only peeks (MSG_PEEK, nothing consumed) to notice the peer
 * closing.  Either way a client that hangs up while its Fetch waits in
 * purgatory is closed at once, and the late response is dropped.
 *
 * READING FRAMES.  Bytes are read into an 8 KiB per-connection buffer
 * (rbuf) and frames are cut out of it; a frame that does not fit gets its
 * own buffer of exactly its size, read into directly.  The 4-byte size is
 * checked before any allocation: negative or above socket.request.max.bytes
 * closes the connection with one WARN line (Kafka's InvalidReceiveException
 * text).  At most SM_NET_READ_BUDGET bytes are read per event so one busy
 * client cannot starve the others.
 *
 * WRITING.  The 4-byte size and consecutive memory segments go out with one
 * sendmsg(MSG_NOSIGNAL) (a writev that cannot raise SIGPIPE); file segments
 * with sendfile(2).  Each segment is released as soon as it is fully sent
 * (response.c explains the exactly-once rule).
 *
 * IDLE CONNECTIONS.  READING connections sit on an LRU list ordered by last
 * activity (Kafka's IdleExpiryManager); one ev_timer per thread fires at the
 * oldest one's deadline and closes everything that expired.  Muted
 * connections are never idle: a request of theirs is in progress.
 *
 * SHUTDOWN.  "drain" stops all reading (connections stay open so in-flight
 * responses can be written) and acknowledges to sm_net_drain(); "stop"
 * leaves the loop, after which the thread closes every connection, sets
 * `stopped` under the lock and frees whatever is still in its inbox.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "network/net_int.h"

#define SM_NET_IOV_MAX      64
#define SM_NET_WRITE_BUDGET (4 << 20)   /* bytes written per event */
#define SM_NET_SENDFILE_MAX (1 << 30)

typedef enum sm_conn_state {
    SM_CONN_READING,
    SM_CONN_PARKED,
    SM_CONN_INFLIGHT,
    SM_CONN_WRITING,
    SM_CONN_CLOSED,
} sm_conn_state_t;

static const char *const sm_conn_state_names[] = {
    "READING", "PARKED", "INFLIGHT", "WRITING", "CLOSED"
};

#define SM_BIT(s) (1u << (s))
static const unsigned sm_conn_allowed[] = {
    [SM_CONN_READING]  = SM_BIT(SM_CONN_PARKED) | SM_BIT(SM_CONN_INFLIGHT) |
                         SM_BIT(SM_CONN_CLOSED),
    [SM_CONN_PARKED]   = SM_BIT(SM_CONN_INFLIGHT) | SM_BIT(SM_CONN_CLOSED),
    [SM_CONN_INFLIGHT] = SM_BIT(SM_CONN_WRITING) | SM_BIT(SM_CONN_READING) |
                         SM_BIT(SM_CONN_CLOSED),
    [SM_CONN_WRITING]  = SM_BIT(SM_CONN_READING) | SM_BIT(SM_CONN_CLOSED),
    [SM_CONN_CLOSED]   = 0,
};

struct sm_conn {
    sm_net_proc_t  *proc;
    uint64_t        id;
    int             fd;
    int             listener;
    sm_conn_state_t state;
    char            peer[64];
    ev_io           rw, ww;

    uint8_t        *rbuf;       /* unparsed bytes: rbuf[rpos..rlen) */
    size_t          rpos, rlen;
    uint8_t        *frame;      /* a frame too big for rbuf, being filled */
    size_t          flen, fgot;

    sm_request_t   *parked;     /* PARKED: the frame waiting for a slot */

    sm_response_t  *out;        /* WRITING: the response */
    uint8_t         ohdr[4];    /* its size prefix */
    size_t          ohdr_off;   /* bytes of ohdr sent */
    int             oseg;       /* current segment */
    size_t          ooff;       /* bytes of it sent */

    int64_t         last_ms;    /* last activity (READING only) */
    sm_conn_t      *lru_prev, *lru_next;
    sm_conn_t      *park_prev, *park_next;
    sm_conn_t      *hnext;      /* conn_id hash chain */
};

static int sm_conn_on_input(sm_conn_t *conn, int do_read);
static void sm_conn_close(sm_conn_t *conn, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------- conn table */

static sm_conn_t **
sm_net_hash_slot(sm_net_proc_t *proc, uint64_t id)
{
    return &proc->htab[id & proc->hmask];
}

static void
sm_net_hash_grow(sm_net_proc_t *proc)
{
    size_t n = (proc->hmask + 1) * 2;
    sm_conn_t **old = proc->htab;
    size_t oldn = proc->hmask + 1;

    proc->htab = sm_calloc(n, sizeof(*proc->htab));
    proc->hmask = n - 1;
    for (size_t i = 0; i < oldn; i++) {
        sm_conn_t *conn, *next;
        for (conn = old[i]; conn != NULL; conn = next) {
            next = conn->hnext;
            sm_conn_t **slot = sm_net_hash_slot(proc, conn->id);
            conn->hnext = *slot;
            *slot = conn;
        }
    }
    free(old);
}

static void
sm_net_hash_add(sm_net_proc_t *proc, sm_conn_t *conn)
{
    if (proc->nconns + 1 > proc->hmask + 1)
        sm_net_hash_grow(proc);
    sm_conn_t **slot = sm_net_hash_slot(proc, conn->id);
    conn->hnext = *slot;
    *slot = conn;
    proc->nconns++;
}

static sm_conn_t *
sm_net_hash_find(sm_net_proc_t *proc, uint64_t id)
{
    sm_conn_t *conn = *sm_net_hash_slot(proc, id);

    while (conn != NULL && conn->id != id)
        conn = conn->hnext;
    return conn;
}

static void
sm_net_hash_remove(sm_net_proc_t *proc, sm_conn_t *conn)
{
    sm_conn_t **pp = sm_net_hash_slot(proc, conn->id);

    while (*pp != conn)
        pp = &(*pp)->hnext;
    *pp = conn->hnext;
    proc->nconns--;
}

/* ------------------------------------------------- idle LRU, park list */

static void
sm_net_idle_arm(sm_net_proc_t *proc, int64_t in_ms)
{
    ev_timer_set(&proc->idle_timer, (double)(in_ms > 0 ? in_ms : 0) / 1e3,
                 0.);
    ev_timer_start(proc->loop, &proc->idle_timer);
}

static void
sm_net_lru_append(sm_net_proc_t *proc, sm_conn_t *conn)
{
    conn->last_ms = sm_mono_ms();
    conn->lru_next = NULL;
    conn->lru_prev = proc->lru_tail;
    if (proc->lru_tail != NULL)
        proc->lru_tail->lru_next = conn;
    else
        proc->lru_head = conn;
    proc->lru_tail = conn;
    if (proc->net->cfg.connections_max_idle_ms > 0 &&
        !ev_is_active(&proc->idle_timer))
        sm_net_idle_arm(proc, proc->net->cfg.connections_max_idle_ms);
}

static void
sm_net_lru_remove(sm_net_proc_t *proc, sm_conn_t *conn)
{
    if (conn->lru_prev != NULL)
        conn->lru_prev->lru_next = conn->lru_next;
    else
        proc->lru_head = conn->lru_next;
    if (conn->lru_next != NULL)
        conn->lru_next->lru_prev = conn->lru_prev;
    else
        proc->lru_tail = conn->lru_prev;
    conn->lru_prev = conn->lru_next = NULL;
}

static void
sm_net_lru_touch(sm_conn_t *conn)
{
    sm_net_lru_remove(conn->proc, conn);
    sm_net_lru_append(conn->proc, conn);
}

static void
sm_net_park_append(sm_net_proc_t *proc, sm_conn_t *conn)
{
    conn->park_next = NULL;
    conn->park_prev = proc->park_tail;
    if (proc->park_tail != NULL)
        proc->park_tail->park_next = conn;
    else
        proc->park_head = conn;
    proc->park_tail = conn;
}

static void
sm_net_park_remove(sm_net_proc_t *proc, sm_conn_t *conn)
{
    if (conn->park_prev != NULL)
        conn->park_prev->park_next = conn->park_next;
    else
        proc->park_head = conn->park_next;
    if (conn->park_next != NULL)
        conn->park_next->park_prev = conn->park_prev;
    else
        proc->park_tail = conn->park_prev;
    conn->park_prev = conn->park_next = NULL;
}

/* ------------------------------------------------------------ states */

/* The one place a connection changes state: leaving READING stops reading
 * and takes it off the idle list, entering READING does the reverse. */
static void
sm_conn_set_state(sm_conn_t *conn, sm_conn_state_t to)
{
    sm_net_proc_t *proc = conn->proc;
    sm_conn_state_t from = conn->state;

    sm_assert(sm_conn_allowed[from] & SM_BIT(to));
    sm_trace("network", "Connection %llu (%s): %s -> %s",
             (unsigned long long)conn->id, conn->peer,
             sm_conn_state_names[from], sm_conn_state_names[to]);
    if (from == SM_CONN_READING)
        sm_net_lru_remove(proc, conn);  /* rw stays: it watches for EOF */
    else if (from == SM_CONN_WRITING)
        ev_io_stop(proc->loop, &conn->ww);
    else if (from == SM_CONN_PARKED)
        sm_net_park_remove(proc, conn);
    conn->state = to;
    if (to == SM_CONN_READING) {
        sm_net_lru_append(proc, conn);
        if (proc->draining)
            ev_io_stop(proc->loop, &conn->rw);
        else
            ev_io_start(proc->loop, &conn->rw);
    } else if (to == SM_CONN_CLOSED) {
        ev_io_stop(proc->loop, &conn->rw);
        ev_io_stop(proc->loop, &conn->ww);
    }
}

/* Close and free conn; fmt (may be NULL) says why, logged at `level`.
 * Whatever the connection held is finished: a parked request is freed, a
 * response being written is released. */
static void
sm_conn_close(sm_conn_t *conn, int level, const char *fmt, ...)
{
    sm_net_proc_t *proc = conn->proc;
    sm_net_t *net = proc->net;

    if (fmt != NULL && level <= sm_log_level) {
        char why[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        sm_log_write(level, "network", "Closing connection %llu from %s "
                     "(listener %s): %s", (unsigned long long)conn->id,
                     conn->peer, net->lcfg[conn->listener].name, why);
    }
    sm_conn_set_state(conn, SM_CONN_CLOSED);
    if (conn->parked != NULL) {
        sm_request_free(conn->parked);
        sm_net_outstanding_done(net);
    }
    if (conn->out != NULL) {
        sm_response_free(conn->out);
        sm_net_outstanding_done(net);
    }
    sm_net_hash_remove(proc, conn);
    close(conn->fd);
    free(conn->rbuf);
    free(conn->frame);
    free(conn);
    atomic_fetch_add(&net->st_closed, 1);
    sm_net_acceptor_conn_closed(net);
}

/* ----------------------------------------------------------- reading */

/* A complete frame (ownership of `frame` moves to the request): hand it to
 * the request queue, or park it if the queue is full or others are parked
 * already (they go first). */
static void
sm_conn_deliver(sm_conn_t *conn, uint8_t *frame, size_t len)
{
    sm_net_proc_t *proc = conn->proc;
    sm_net_t *net = proc->net;
    sm_request_t *req = sm_calloc(1, sizeof(*req));

    req->net = net;
    req->thread = proc->id;
    req->conn_id = conn->id;
    req->listener = conn->listener;
    req->frame = frame;
    req->len = len;
    req->recv_us = sm_mono_us();
    memcpy(req->peer, conn->peer, sizeof(req->peer));
    atomic_fetch_add(&net->outstanding, 1);
    atomic_fetch_add(&net->st_requests, 1);
    if (proc->park_head == NULL &&
        sm_net_chan_push(net, req, proc->id) == 0) {
        sm_conn_set_state(conn, SM_CONN_INFLIGHT);
        return;
    }
    sm_conn_set_state(conn, SM_CONN_PARKED);
    conn->parked = req;
    sm_net_park_append(proc, conn);
}

static void
sm_conn_compact(sm_conn_t *conn)
{
    size_t avail = conn->rlen - conn->rpos;

    if (conn->rpos > 0 && avail > 0)
        memmove(conn->rbuf, conn->rbuf + conn->rpos, avail);
    conn->rpos = 0;
    conn->rlen = avail;
}

enum { SM_FRAME_CLOSED = -1, SM_FRAME_NEED = 0, SM_FRAME_READY = 1 };

/* Look at the next frame: check its size before anything is allocated (a
 * bad one closes the connection) and move a frame too big for rbuf into a
 * buffer of its own.  READY: one whole frame is buffered (conn->frame, or
 * rbuf at rpos); NEED: more bytes; CLOSED: the connection is gone. */
static int
sm_conn_frame_state(sm_conn_t *conn)
{
    sm_net_t *net = conn->proc->net;
    int32_t max = net->cfg.socket_request_max_bytes;
    size_t avail = conn->rlen - conn->rpos;
    uint8_t *p = conn->rbuf + conn->rpos;

    if (conn->frame != NULL)
        return conn->fgot == conn->flen ? SM_FRAME_READY : SM_FRAME_NEED;
    if (avail < 4) {
        sm_conn_compact(conn);
        return SM_FRAME_NEED;
    }
    int32_t size = (int32_t)sm_load_be32(p);
    if (size < 0 || size > max) {
        atomic_fetch_add(&net->st_oversized, 1);
        if (size < 0)
            sm_conn_close(conn, SM_LOG_WARN, "Invalid receive (size = %d)",
                          size);
        else
            sm_conn_close(conn, SM_LOG_WARN, "Invalid receive (size = %d "
                          "larger than %d)", size, max);
        return SM_FRAME_CLOSED;
    }
    size_t len = (size_t)size;
    if (avail - 4 >= len)
        return SM_FRAME_READY;
    if (4 + len <= SM_NET_RBUF_SIZE) {
        sm_conn_compact(conn);
        return SM_FRAME_NEED;
    }
    conn->frame = sm_malloc(len);
    conn->flen = len;
    conn->fgot = avail - 4;
    memcpy(conn->frame, p + 4, conn->fgot);
    conn->rpos = conn->rlen = 0;
    return SM_FRAME_NEED;               /* avail - 4 < len */
}

/* Hand the READY frame to the request queue (ownership moves with it). */
static void
sm_conn_deliver_ready(sm_conn_t *conn)
{
    uint8_t *frame = conn->frame;
    size_t len = conn->flen;

    if (frame != NULL) {
        conn->frame = NULL;
    } else {
        len = sm_load_be32(conn->rbuf + conn->rpos);
        frame = sm_malloc(len);
        memcpy(frame, conn->rbuf + conn->rpos + 4, len);
        conn->rpos += 4 + len;
        if (conn->rpos == conn->rlen)
            conn->rpos = conn->rlen = 0;
    }
    sm_conn_deliver(conn, frame, len);
}

/* One read() into the frame being filled or into rbuf.  1: bytes read;
 * 0: nothing to read now; -1: the connection was closed (EOF or error). */
static int
sm_conn_read_some(sm_conn_t *conn, size_t *budget)
{
    ssize_t n;

    do {
        n = conn->frame != NULL
            ? read(conn->fd, conn->frame + conn->fgot, conn->flen - conn->fgot)
            : read(conn->fd, conn->rbuf + conn->rlen,
                   SM_NET_RBUF_SIZE - conn->rlen);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        if (conn->frame != NULL)
            conn->fgot += (size_t)n;
        else
            conn->rlen += (size_t)n;
        *budget -= (size_t)n < *budget ? (size_t)n : *budget;
        if (conn->state == SM_CONN_READING)
            sm_net_lru_touch(conn);
        return 1;
    }
    if (n == 0) {
        size_t partial = conn->frame != NULL ? conn->fgot + 4
                                             : conn->rlen - conn->rpos;
        /* a client that hangs up mid-frame is broken or killed: worth one
         * line (a plain hang-up between requests is not) */
        if (partial > 0)
            sm_conn_close(conn, SM_LOG_INFO, "peer closed in the middle of "
                          "a request (%zu bytes of it read)", partial);
        else if (conn->state != SM_CONN_READING)
            sm_conn_close(conn, SM_LOG_DEBUG, "peer closed with a request "
                          "in flight");
        else
            sm_conn_close(conn, SM_LOG_DEBUG, "peer closed");
        return -1;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return 0;
    sm_conn_close(conn, errno == ECONNRESET ? SM_LOG_DEBUG : SM_LOG_WARN,
                  "read failed: %s", strerror(errno));
    return -1;
}

/* Deliver buffered frames and, if do_read, read more, while READING and
 * not draining.  0, or -1 if the connection was closed. */
static int
sm_conn_on_input(sm_conn_t *conn, int do_read)
{
    size_t budget = SM_NET_READ_BUDGET;

    while (conn->state == SM_CONN_READING && !conn->proc->draining) {
        int r = sm_conn_frame_state(conn);
        if (r == SM_FRAME_CLOSED)
            return -1;
        if (r == SM_FRAME_READY) {
            sm_conn_deliver_ready(conn);
            continue;
        }
        if (!do_read || budget == 0)
            break;
        r = sm_conn_read_some(conn, &budget);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
    }
    return 0;
}

/* Muted (INFLIGHT or WRITING) and readable: read ahead, but no further than
 * one whole frame; it is delivered as soon as the connection is READING
 * again, so order is kept and the handler of the next request need not wait
 * for the client to refill a small socket.receive.buffer.bytes.  Then stop
 * watching until READING.  Reading also notices a peer that closed, so the
 * late response finds nothing. */
static void
sm_conn_read_ahead(sm_conn_t *conn)
{
    size_t budget = SM_NET_READ_BUDGET;

    while (budget > 0) {
        int r = sm_conn_frame_state(conn);
        if (r == SM_FRAME_CLOSED)
            return;
        if (r == SM_FRAME_READY) {
            ev_io_stop(conn->proc->loop, &conn->rw);
            return;
        }
        if (sm_conn_read_some(conn, &budget) <= 0)
            return;
    }
}

/* Muted, parked or draining, and readable: either the peer closed (close
 * now) or it pipelined its next request (leave it in the socket, so a full
 * request queue pushes back on the client, and stop watching until the
 * connection is READING again). */
static void
sm_conn_peek(sm_conn_t *conn)
{
    uint8_t b;
    ssize_t n = recv(conn->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

    if (n > 0)
        ev_io_stop(conn->proc->loop, &conn->rw);
    else if (n == 0)
        sm_conn_close(conn, SM_LOG_DEBUG, "peer closed with a request in "
                      "flight");
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        sm_conn_close(conn, errno == ECONNRESET ? SM_LOG_DEBUG : SM_LOG_WARN,
                      "recv failed: %s", strerror(errno));
}

static void
sm_conn_on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
    sm_conn_t *conn = w->data;

    if (conn->state == SM_CONN_READING)
        sm_conn_on_input(conn, 1);
    else if ((conn->state == SM_CONN_INFLIGHT ||
              conn->state == SM_CONN_WRITING) && !conn->proc->draining)
        sm_conn_read_ahead(conn);
    else
        sm_conn_peek(conn);
}

/* ----------------------------------------------------------- writing */

/* n bytes of conn->out went out: advance, releasing finished segments. */
static void
sm_conn_advance(sm_conn_t *conn, size_t n)
{
    sm_response_t *resp = conn->out;

    if (conn->ohdr_off < 4) {
        size_t take = 4 - conn->ohdr_off < n ? 4 - conn->ohdr_off : n;
        conn->ohdr_off += take;
        n -= take;
    }
    while (n > 0) {
        sm_resp_seg_t *seg = &resp->segs[conn->oseg];
        size_t take = seg->len - conn->ooff < n ? seg->len - conn->ooff : n;
        conn->ooff += take;
        n -= take;
        if (conn->ooff == seg->len) {
            sm_resp_seg_release(seg);
            conn->oseg++;
            conn->ooff = 0;
        }
    }
}

/* The size prefix and the memory segments up to the next file segment. */
static ssize_t
sm_conn_send_mem(sm_conn_t *conn)
{
    sm_response_t *resp = conn->out;
    struct iovec iov[SM_NET_IOV_MAX];
    struct msghdr msg;
    size_t off = conn->ooff;
    int niov = 0;

    if (conn->ohdr_off < 4) {
        iov[niov].iov_base = conn->ohdr + conn->ohdr_off;
        iov[niov++].iov_len = 4 - conn->ohdr_off;
    }
    for (int i = conn->oseg; i < resp->nsegs && niov < SM_NET_IOV_MAX &&
         !resp->segs[i].is_file; i++) {
        iov[niov].iov_base = resp->segs[i].data + off;
        iov[niov++].iov_len = resp->segs[i].len - off;
        off = 0;
    }
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = iov;
    msg.msg_iovlen = (size_t)niov;
    return sendmsg(conn->fd, &msg, MSG_NOSIGNAL);
}

static ssize_t
sm_conn_send_file(sm_conn_t *conn)
{
    sm_resp_seg_t *seg = &conn->out->segs[conn->oseg];
    off_t pos = seg->pos + (off_t)conn->ooff;
    size_t want = seg->len - conn->ooff;

    if (want > SM_NET_SENDFILE_MAX)
        want = SM_NET_SENDFILE_MAX;
    return sendfile(conn->fd, seg->fd, &pos, want);
}

/* The response is out: free it, then unmute (and serve whatever frame is
 * already buffered). */
static int
sm_conn_write_done(sm_conn_t *conn)
{
    sm_response_t *resp = conn->out;

    conn->out = NULL;
    sm_response_free(resp);
    sm_net_outstanding_done(conn->proc->net);
    sm_conn_set_state(conn, SM_CONN_READING);
    return sm_conn_on_input(conn, 0);
}

/* Skip segments that are complete (zero-length ones). */
static void
sm_conn_skip_empty(sm_conn_t *conn)
{
    sm_response_t *resp = conn->out;

    while (conn->ohdr_off == 4 && conn->oseg < resp->nsegs &&
           resp->segs[conn->oseg].len == conn->ooff) {
        sm_resp_seg_release(&resp->segs[conn->oseg]);
        conn->oseg++;
        conn->ooff = 0;
    }
}

/* Write what the socket takes.  0: done, or waiting for the socket;
 * -1: the connection was closed. */
static int
sm_conn_flush(sm_conn_t *conn)
{
    sm_net_proc_t *proc = conn->proc;
    size_t budget = SM_NET_WRITE_BUDGET;

    for (;;) {
        sm_conn_skip_empty(conn);
        if (conn->ohdr_off == 4 && conn->oseg == conn->out->nsegs)
            return sm_conn_write_done(conn);
        if (budget == 0)
            break;
        int file = conn->ohdr_off == 4 && conn->out->segs[conn->oseg].is_file;
        ssize_t n = file ? sm_conn_send_file(conn) : sm_conn_send_mem(conn);
        if (n > 0) {
            sm_conn_advance(conn, (size_t)n);
            budget -= (size_t)n < budget ? (size_t)n : budget;
            continue;
        }
        if (n == 0) {
            sm_resp_seg_t *seg = &conn->out->segs[conn->oseg];
            sm_conn_close(conn, SM_LOG_ERROR, "sendfile(fd %d, pos %lld) "
                          "hit end of file %zu bytes early", seg->fd,
                          (long long)(seg->pos + (off_t)conn->ooff),
                          seg->len - conn->ooff);
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        int peer_gone = errno == EPIPE || errno == ECONNRESET;
        sm_conn_close(conn, peer_gone ? SM_LOG_DEBUG : SM_LOG_WARN,
                      "%s failed: %s", file ? "sendfile" : "sendmsg",
                      strerror(errno));
        return -1;
    }
    ev_io_start(proc->loop, &conn->ww);
    return 0;
}

static void
sm_conn_on_writable(struct ev_loop *loop, ev_io *w, int revents)
{
    sm_conn_flush(w->data);
}

/* --------------------------------------------------------- the inbox */

static void
sm_net_proc_on_response(sm_net_proc_t *proc, sm_response_t *resp)
{
    sm_net_t *net = proc->net;
    sm_conn_t *conn = sm_net_hash_find(proc, resp->conn_id);

    if (conn == NULL) {
        /* closed meanwhile: ids are never reused, so this is no one's */
        sm_trace("network", "Dropping response for closed connection %llu",
                 (unsigned long long)resp->conn_id);
        sm_net_resp_drop(net, resp);
        return;
    }
    if (conn->state != SM_CONN_INFLIGHT) {
        sm_warn("network", "Dropping response for connection %llu (%s) "
                "which has no request in flight (handler bug)",
                (unsigned long long)conn->id, conn->peer);
        sm_net_resp_drop(net, resp);
        return;
    }
    if (resp->action == SM_RESP_SEND && resp->total > INT32_MAX) {
        sm_error("network", "Response of %zu bytes for connection %llu "
                 "cannot be framed", resp->total,
                 (unsigned long long)conn->id);
        resp->action = SM_RESP_CLOSE;
    }
    switch (resp->action) {
    case SM_RESP_SEND:
        sm_store_be32(conn->ohdr, (uint32_t)resp->total);
        conn->out = resp;
        conn->ohdr_off = 0;
        conn->oseg = 0;
        conn->ooff = 0;
        sm_conn_set_state(conn, SM_CONN_WRITING);
        sm_conn_flush(conn);
        break;
    case SM_RESP_NOOP:
        sm_response_free(resp);
        sm_net_outstanding_done(net);
        sm_conn_set_state(conn, SM_CONN_READING);
        sm_conn_on_input(conn, 0);
        break;
    case SM_RESP_CLOSE:
        sm_response_free(resp);
        sm_net_outstanding_done(net);
        sm_conn_close(conn, SM_LOG_DEBUG, "closed by the request handler");
        break;
    }
}

static void
sm_net_proc_add_conn(sm_net_proc_t *proc, sm_net_newconn_t *nc)
{
    sm_conn_t *conn = sm_calloc(1, sizeof(*conn));

    conn->proc = proc;
    conn->id = nc->conn_id;
    conn->fd = nc->fd;
    conn->listener = nc->listener;
    memcpy(conn->peer, nc->peer, sizeof(conn->peer));
    conn->rbuf = sm_malloc(SM_NET_RBUF_SIZE);
    ev_io_init(&conn->rw, sm_conn_on_readable, conn->fd, EV_READ);
    ev_io_init(&conn->ww, sm_conn_on_writable, conn->fd, EV_WRITE);
    conn->rw.data = conn->ww.data = conn;
    sm_net_hash_add(proc, conn);
    conn->state = SM_CONN_READING;
    sm_net_lru_append(proc, conn);
    if (!proc->draining)
        ev_io_start(proc->loop, &conn->rw);
    free(nc);
}

/* Push parked frames, oldest first, while the request queue takes them. */
static void
sm_net_proc_unpark(sm_net_proc_t *proc)
{
    sm_conn_t *conn;

    while ((conn = proc->park_head) != NULL) {
        if (sm_net_chan_push(proc->net, conn->parked, proc->id) != 0)
            return;
        conn->parked = NULL;
        sm_conn_set_state(conn, SM_CONN_INFLIGHT);
    }
}

static void
sm_net_proc_start_drain(sm_net_proc_t *proc)
{
    proc->draining = 1;
    for (sm_conn_t *conn = proc->lru_head; conn != NULL;
         conn = conn->lru_next)
        ev_io_stop(proc->loop, &conn->rw);
    if (!proc->drain_acked) {
        proc->drain_acked = 1;
        sm_net_drain_ack(proc->net);
    }
}

static void
sm_net_proc_on_wake(struct ev_loop *loop, ev_async *w, int revents)
{
    sm_net_proc_t *proc = w->data;
    sm_net_newconn_t *nc;
    sm_response_t *resp;
    int resume, stop, drain;

    pthread_mutex_lock(&proc->lock);
    nc = proc->nc_head;
    proc->nc_head = proc->nc_tail = NULL;
    resp = proc->resp_head;
    proc->resp_head = proc->resp_tail = NULL;
    resume = proc->resume;
    proc->resume = 0;
    stop = proc->stop;
    drain = proc->drain;
    pthread_mutex_unlock(&proc->lock);

    if (drain && !proc->draining)
        sm_net_proc_start_drain(proc);
    while (nc != NULL) {
        sm_net_newconn_t *next = nc->next;
        sm_net_proc_add_conn(proc, nc);
        nc = next;
    }
    while (resp != NULL) {
        sm_response_t *next = resp->next;
        resp->next = NULL;
        sm_net_proc_on_response(proc, resp);
        resp = next;
    }
    if (resume)
        sm_net_proc_unpark(proc);
    if (stop)
        ev_break(loop, EVBREAK_ALL);
}

static void
sm_net_proc_on_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
    sm_net_proc_t *proc = w->data;
    int64_t idle = proc->net->cfg.connections_max_idle_ms;
    int64_t now = sm_mono_ms();
    sm_conn_t *conn;

    while ((conn = proc->lru_head) != NULL && conn->last_ms + idle <= now) {
        atomic_fetch_add(&proc->net->st_idle_closed, 1);
        sm_conn_close(conn, SM_LOG_DEBUG, "idle for more than %lld ms",
                      (long long)idle);
    }
    if (proc->lru_head != NULL)
        sm_net_idle_arm(proc, proc->lru_head->last_ms + idle - now);
}

/* ------------------------------------------------------ thread, API */

/* Any thread: raise flags and wake the network thread. */
void
sm_net_proc_notify(sm_net_proc_t *proc, int resume, int stop, int drain)
{
    pthread_mutex_lock(&proc->lock);
    proc->resume |= resume;
    proc->stop |= stop;
    proc->drain |= drain;
    if (!proc->stopped)
        ev_async_send(proc->loop, &proc->wake);
    pthread_mutex_unlock(&proc->lock);
}

/* Acceptor thread: hand over an accepted socket (owned by proc from now,
 * or closed here if the thread has stopped). */
void
sm_net_proc_push_conn(sm_net_proc_t *proc, sm_net_newconn_t *nc)
{
    nc->next = NULL;
    pthread_mutex_lock(&proc->lock);
    if (proc->stopped) {
        pthread_mutex_unlock(&proc->lock);
        close(nc->fd);
        free(nc);
        atomic_fetch_add(&proc->net->st_closed, 1);
        sm_net_acceptor_conn_closed(proc->net);
        return;
    }
    if (proc->nc_tail != NULL)
        proc->nc_tail->next = nc;
    else
        proc->nc_head = nc;
    proc->nc_tail = nc;
    ev_async_send(proc->loop, &proc->wake);
    pthread_mutex_unlock(&proc->lock);
}

/* Close everything and mark the thread stopped; runs on the network thread
 * after its loop ended (or on the destroyer if it never started). */
static void
sm_net_proc_close_all(sm_net_proc_t *proc)
{
    sm_net_newconn_t *nc;
    sm_response_t *resp;

    for (size_t i = 0; i <= proc->hmask; i++)
        while (proc->htab[i] != NULL)
            sm_conn_close(proc->htab[i], SM_LOG_DEBUG, NULL);
    ev_timer_stop(proc->loop, &proc->idle_timer);
    pthread_mutex_lock(&proc->lock);
    proc->stopped = 1;
    nc = proc->nc_head;
    resp = proc->resp_head;
    proc->nc_head = proc->nc_tail = NULL;
    proc->resp_head = proc->resp_tail = NULL;
    pthread_mutex_unlock(&proc->lock);
    while (nc != NULL) {
        sm_net_newconn_t *next = nc->next;
        close(nc->fd);
        free(nc);
        atomic_fetch_add(&proc->net->st_closed, 1);
        sm_net_acceptor_conn_closed(proc->net);
        nc = next;
    }
    while (resp != NULL) {
        sm_response_t *next = resp->next;
        sm_net_resp_drop(proc->net, resp);
        resp = next;
    }
}

static void *
sm_net_proc_main(void *arg)
{
    sm_net_proc_t *proc = arg;

    ev_run(proc->loop, 0);
    sm_net_proc_close_all(proc);
    return NULL;
}

sm_err_t
sm_net_proc_init(sm_net_t *net, sm_net_proc_t *proc, int id)
{
    proc->net = net;
    proc->id = id;
    pthread_mutex_init(&proc->lock, NULL);
    proc->hmask = 63;
    proc->htab = sm_calloc(proc->hmask + 1, sizeof(*proc->htab));
    proc->loop = ev_loop_new(EVFLAG_AUTO);
    if (proc->loop == NULL) {
        sm_error("network", "ev_loop_new(network thread %d) failed", id);
        return SM_ERR__IO;
    }
    ev_async_init(&proc->wake, sm_net_proc_on_wake);
    proc->wake.data = proc;
    ev_async_start(proc->loop, &proc->wake);
    ev_timer_init(&proc->idle_timer, sm_net_proc_on_idle, 1., 0.);
    proc->idle_timer.data = proc;
    return SM_OK;
}

sm_err_t
sm_net_proc_start(sm_net_proc_t *proc)
{
    char name[16];
    int rc = pthread_create(&proc->tid, NULL, sm_net_proc_main, proc);

    if (rc != 0) {
        sm_error("network", "pthread_create(network thread %d) failed: %s",
                 proc->id, strerror(rc));
        return SM_ERR__IO;
    }
    snprintf(name, sizeof(name), "sm-net-%d", proc->id % 1000);
    pthread_setname_np(proc->tid, name);
    proc->started = 1;
    return SM_OK;
}

/* Stop the thread and wait for it; afterwards proc->stopped is set and
 * every connection is closed. */
void
sm_net_proc_join(sm_net_proc_t *proc)
{
    if (proc->loop == NULL)
        return;
    if (proc->started) {
        sm_net_proc_notify(proc, 0, 1, 0);
        pthread_join(proc->tid, NULL);
        proc->started = 0;
    } else if (!proc->stopped) {
        sm_net_proc_close_all(proc);
    }
}

void
sm_net_proc_fini(sm_net_proc_t *proc)
{
    if (proc->net == NULL)
        return;
    if (proc->loop != NULL)
        ev_loop_destroy(proc->loop);
    free(proc->htab);
    pthread_mutex_destroy(&proc->lock);
    proc->net = NULL;
}
