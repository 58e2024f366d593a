/*
 * acceptor.c: listening sockets and the acceptor thread (Kafka's Acceptor).
 *
 * One acceptor thread serves every listener with its own libev loop: an
 * ev_io per listening socket, an ev_async (stop, and "a connection closed"
 * for max.connections) and an ev_timer (back-off after EMFILE).  Each
 * accepted socket is made non-blocking, gets TCP_NODELAY, SO_KEEPALIVE and
 * socket.send.buffer.bytes, a process-unique conn_id, and is handed to the
 * network threads round-robin through their inboxes (processor.c).
 * socket.receive.buffer.bytes is set on the listening socket before
 * listen(), so accepted sockets inherit it and the TCP window scale is
 * negotiated for it.
 *
 * MAX.CONNECTIONS.  Like Kafka, the acceptor stops accepting (rather than
 * accepting and closing) while open connections >= max.connections: the
 * listening watchers are stopped and the kernel backlog holds newcomers.
 * Network threads decrement open_conns when they close a connection; the
 * one that takes it from max to max-1 sends the acceptor an ev_async, and
 * the acceptor resumes if the count is below max.  Since only the acceptor
 * increments, the first decrement after a pause always sees max, so no
 * wake-up is lost.
 *
 * LIFETIME.  Listening sockets are opened by sm_net_new() (so bind errors
 * are reported synchronously and port 0 resolves at once) and closed by
 * sm_net_acceptor_stop() after the thread has left its loop.  The loop
 * itself lives until sm_net_acceptor_fini(): network threads may still
 * signal it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "network/net_int.h"

void
sm_net_format_addr(const struct sockaddr *sa, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
        snprintf(out, size, "%s:%d", host, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
        snprintf(out, size, "[%s]:%d", host, port);
    } else {
        snprintf(out, size, "(family %d)", sa->sa_family);
    }
}

/* ---------------------------------------------------------- listening */

static int
sm_net_setsockopt_int(int fd, int level, int opt, int val)
{
    return setsockopt(fd, level, opt, &val, sizeof(val));
}

/* Bind one address; -1 with errstr filled on failure. */
static int
sm_net_bind_one(sm_net_t *net, sm_net_listener_t *lis,
                const struct sockaddr *sa, socklen_t salen, int wildcard,
                char *errstr, size_t errstr_size)
{
    const char *what = "socket";
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    char addr[80];
    int fd;

    sm_net_format_addr(sa, addr, sizeof(addr));
    fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    what = "setsockopt(SO_REUSEADDR)";
    if (sm_net_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0)
        goto fail;
    what = "setsockopt(IPV6_V6ONLY)";
    if (wildcard && sa->sa_family == AF_INET6 &&
        sm_net_setsockopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0) != 0)
        goto fail;
    what = "setsockopt(SO_RCVBUF)";
    if (net->cfg.socket_receive_buffer_bytes != -1 &&
        sm_net_setsockopt_int(fd, SOL_SOCKET, SO_RCVBUF,
                              net->cfg.socket_receive_buffer_bytes) != 0)
        goto fail;
    what = "bind";
    if (bind(fd, sa, salen) != 0)
        goto fail;
    what = "listen";
    if (listen(fd, SM_NET_BACKLOG) != 0)
        goto fail;
    what = "getsockname";
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
        goto fail;
    lis->fd = fd;
    lis->port = ntohs(ss.ss_family == AF_INET6
                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
                      : ((struct sockaddr_in *)&ss)->sin_port);
    sm_net_format_addr((struct sockaddr *)&ss, lis->addr, sizeof(lis->addr));
    return 0;

fail:
    snprintf(errstr, errstr_size, "listener %s: %s(%s) failed: %s",
             net->lcfg[lis->index].name, what, addr, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* host "" / NULL: every address, IPv6 dual-stack if the kernel has IPv6
 * (Java's wildcard InetSocketAddress does the same), else IPv4. */
static int
sm_net_bind_wildcard(sm_net_t *net, sm_net_listener_t *lis, int port,
                     char *errstr, size_t errstr_size)
{
    struct sockaddr_in6 in6;
    struct sockaddr_in in;

    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_addr = in6addr_any;
    in6.sin6_port = htons((uint16_t)port);
    if (sm_net_bind_one(net, lis, (struct sockaddr *)&in6, sizeof(in6), 1,
                        errstr, errstr_size) == 0)
        return 0;
    if (errno != EAFNOSUPPORT && errno != EADDRNOTAVAIL)
        return -1;                      /* else: no IPv6 here */
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_ANY);
    in.sin_port = htons((uint16_t)port);
    return sm_net_bind_one(net, lis, (struct sockaddr *)&in, sizeof(in), 0,
                           errstr, errstr_size);
}

static int
sm_net_bind_host(sm_net_t *net, sm_net_listener_t *lis, const char *host,
                 int port, char *errstr, size_t errstr_size)
{
    struct addrinfo hints, *res = NULL;
    char h[256], p[16];
    size_t n = strlen(host);
    int rc = -1;

    /* "[::1]" as written in listener URLs */
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
        snprintf(h, sizeof(h), "%.*s", (int)(n - 2), host + 1);
    else
        snprintf(h, sizeof(h), "%s", host);
    snprintf(p, sizeof(p), "%d", port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(h, p, &hints, &res);
    if (gai != 0) {
        snprintf(errstr, errstr_size, "listener %s: getaddrinfo(%s) "
                 "failed: %s", net->lcfg[lis->index].name, h,
                 gai_strerror(gai));
        return -1;
    }
    for (struct addrinfo *ai = res; ai != NULL && rc != 0; ai = ai->ai_next) {
        int wildcard = strcmp(h, "::") == 0;
        rc = sm_net_bind_one(net, lis, ai->ai_addr, ai->ai_addrlen, wildcard,
                             errstr, errstr_size);
    }
    freeaddrinfo(res);
    return rc;
}

sm_err_t
sm_net_listeners_open(sm_net_t *net, char *errstr, size_t errstr_size)
{
    net->nlis = net->cfg.nlisteners;
    net->lis = sm_calloc((size_t)net->nlis, sizeof(*net->lis));
    for (int i = 0; i < net->nlis; i++) {
        net->lis[i].fd = -1;
        net->lis[i].index = i;
        net->lis[i].net = net;
    }
    for (int i = 0; i < net->nlis; i++) {
        const sm_listener_cfg_t *lc = &net->lcfg[i];
        sm_net_listener_t *lis = &net->lis[i];
        int rc = lc->host == NULL || lc->host[0] == '\0'
            ? sm_net_bind_wildcard(net, lis, lc->port, errstr, errstr_size)
            : sm_net_bind_host(net, lis, lc->host, lc->port, errstr,
                               errstr_size);
        if (rc != 0)
            return SM_ERR__IO;
        sm_info("network", "Awaiting socket connections on %s (listener %s)",
                lis->addr, lc->name);
    }
    return SM_OK;
}

void
sm_net_listeners_close(sm_net_t *net)
{
    for (int i = 0; i < net->nlis; i++) {
        if (net->lis[i].fd >= 0)
            close(net->lis[i].fd);
        net->lis[i].fd = -1;
    }
}

/* ---------------------------------------------------------- accepting */

static void
sm_net_acceptor_pause(sm_net_t *net)
{
    for (int i = 0; i < net->nlis; i++)
        ev_io_stop(net->acc_loop, &net->lis[i].w);
    net->acc_paused = 1;
}

/* Resume if paused, not backing off, not stopping and below the limit. */
static void
sm_net_acceptor_maybe_resume(sm_net_t *net)
{
    if (!net->acc_paused || ev_is_active(&net->acc_retry) ||
        atomic_load(&net->acc_stop) ||
        atomic_load(&net->open_conns) >= net->cfg.max_connections)
        return;
    for (int i = 0; i < net->nlis; i++)
        ev_io_start(net->acc_loop, &net->lis[i].w);
    net->acc_paused = 0;
}

static void
sm_net_configure_accepted(sm_net_t *net, int fd, const char *peer)
{
    if (sm_net_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) != 0)
        sm_warn("network", "setsockopt(%s, TCP_NODELAY) failed: %s", peer,
                strerror(errno));
    if (sm_net_setsockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1) != 0)
        sm_warn("network", "setsockopt(%s, SO_KEEPALIVE) failed: %s", peer,
                strerror(errno));
    if (net->cfg.socket_send_buffer_bytes != -1 &&
        sm_net_setsockopt_int(fd, SOL_SOCKET, SO_SNDBUF,
                              net->cfg.socket_send_buffer_bytes) != 0)
        sm_warn("network", "setsockopt(%s, SO_SNDBUF) failed: %s", peer,
                strerror(errno));
}

static void
sm_net_accepted(sm_net_t *net, sm_net_listener_t *lis, int fd,
                const struct sockaddr *sa)
{
    sm_net_newconn_t *nc = sm_calloc(1, sizeof(*nc));
    sm_net_proc_t *proc;

    sm_net_format_addr(sa, nc->peer, sizeof(nc->peer));
    sm_net_configure_accepted(net, fd, nc->peer);
    nc->fd = fd;
    nc->listener = lis->index;
    nc->conn_id = ++net->next_conn_id;
    atomic_fetch_add(&net->st_accepted, 1);
    int open = atomic_fetch_add(&net->open_conns, 1) + 1;
    proc = &net->procs[net->next_proc];
    net->next_proc = (net->next_proc + 1) % net->nprocs;
    sm_debug("network", "Accepted connection %llu from %s on %s, assigned "
             "to network thread %d", (unsigned long long)nc->conn_id,
             nc->peer, lis->addr, proc->id);
    sm_net_proc_push_conn(proc, nc);
    if (open >= net->cfg.max_connections) {
        int64_t now = sm_mono_ms();
        if (net->acc_max_logged_ms == 0 ||
            now - net->acc_max_logged_ms >= 10000) {
            sm_info("network", "max.connections (%d) reached: not "
                    "accepting until a connection closes (logged at most "
                    "every 10 s)", net->cfg.max_connections);
            net->acc_max_logged_ms = now;
        }
        sm_net_acceptor_pause(net);
    }
}

static int
sm_net_accept_errno_is_resource(int e)
{
    return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

static void
sm_net_on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    sm_net_listener_t *lis = w->data;
    sm_net_t *net = lis->net;

    for (int i = 0; i < SM_NET_ACCEPT_BATCH && !net->acc_paused; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(lis->fd, (struct sockaddr *)&ss, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            sm_net_accepted(net, lis, fd, (struct sockaddr *)&ss);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        if (sm_net_accept_errno_is_resource(errno)) {
            /* the pending connection stays in the backlog; spinning on it
             * would burn the CPU, so back off (nginx does the same) */
            sm_error("network", "accept4(%s) failed: %s; pausing accepts "
                     "for 100 ms", lis->addr, strerror(errno));
            sm_net_acceptor_pause(net);
            ev_timer_set(&net->acc_retry, 0.1, 0.);
            ev_timer_start(loop, &net->acc_retry);
        } else {
            sm_error("network", "accept4(%s) failed: %s", lis->addr,
                     strerror(errno));
        }
        return;
    }
}

static void
sm_net_on_acc_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
    sm_net_acceptor_maybe_resume(w->data);
}

static void
sm_net_on_acc_wake(struct ev_loop *loop, ev_async *w, int revents)
{
    sm_net_t *net = w->data;

    if (atomic_load(&net->acc_stop)) {
        sm_net_acceptor_pause(net);
        ev_timer_stop(loop, &net->acc_retry);
        ev_break(loop, EVBREAK_ALL);
        return;
    }
    sm_net_acceptor_maybe_resume(net);
}

static void *
sm_net_acceptor_main(void *arg)
{
    sm_net_t *net = arg;

    ev_run(net->acc_loop, 0);
    return NULL;
}

sm_err_t
sm_net_acceptor_start(sm_net_t *net)
{
    net->acc_loop = ev_loop_new(EVFLAG_AUTO);
    if (net->acc_loop == NULL) {
        sm_error("network", "ev_loop_new(acceptor) failed");
        return SM_ERR__IO;
    }
    ev_async_init(&net->acc_wake, sm_net_on_acc_wake);
    net->acc_wake.data = net;
    ev_async_start(net->acc_loop, &net->acc_wake);
    ev_timer_init(&net->acc_retry, sm_net_on_acc_retry, 0.1, 0.);
    net->acc_retry.data = net;
    for (int i = 0; i < net->nlis; i++) {
        ev_io_init(&net->lis[i].w, sm_net_on_accept, net->lis[i].fd, EV_READ);
        net->lis[i].w.data = &net->lis[i];
        ev_io_start(net->acc_loop, &net->lis[i].w);
    }
    int rc = pthread_create(&net->acc_tid, NULL, sm_net_acceptor_main, net);
    if (rc != 0) {
        sm_error("network", "pthread_create(acceptor) failed: %s",
                 strerror(rc));
        return SM_ERR__IO;
    }
    pthread_setname_np(net->acc_tid, "sm-acceptor");
    net->acc_started = 1;
    return SM_OK;
}

/* Any thread but the acceptor: stop accepting, join the thread, close the
 * listening sockets (new connects are refused from here on).  Idempotent;
 * not thread-safe against itself. */
void
sm_net_acceptor_stop(sm_net_t *net)
{
    atomic_store(&net->acc_stop, 1);
    if (net->acc_started && !net->acc_joined) {
        ev_async_send(net->acc_loop, &net->acc_wake);
        pthread_join(net->acc_tid, NULL);
        net->acc_joined = 1;
    }
    sm_net_listeners_close(net);
}

void
sm_net_acceptor_fini(sm_net_t *net)
{
    if (net->acc_loop != NULL)
        ev_loop_destroy(net->acc_loop);
    net->acc_loop = NULL;
    free(net->lis);
    net->lis = NULL;
}

/* Network thread: a connection closed. */
void
sm_net_acceptor_conn_closed(sm_net_t *net)
{
    int old = atomic_fetch_sub(&net->open_conns, 1);

    if (old == net->cfg.max_connections && net->acc_loop != NULL)
        ev_async_send(net->acc_loop, &net->acc_wake);
}
