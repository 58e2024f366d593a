/*
 * server.c: the socket server object (Kafka's SocketServer): creation,
 * start-up, graceful shutdown and counters.  The threads themselves live in
 * acceptor.c, processor.c and request_channel.c; net_int.h maps the files.
 *
 * LIFECYCLE (the caller drives it from one thread):
 *   sm_net_new()            validate config, bind every listener, create
 *                           the network threads' loops (no threads yet)
 *   sm_net_start()          network threads, then handlers, then acceptor
 *   sm_net_stop_accepting() join the acceptor, close listening sockets
 *   sm_net_drain()          network threads stop reading new requests;
 *                           wait for the outstanding counter to reach 0
 *   (the caller shuts down whatever may still call sm_net_respond():
 *    purgatories, replica fetchers)
 *   sm_net_destroy()        acceptor, handlers (each finishes its current
 *                           request), network threads (close all
 *                           connections, releasing pending responses),
 *                           then free.  sm_net_respond() after
 *                           sm_net_destroy() has started is a bug; between
 *                           the network threads' stop and the free it is
 *                           tolerated (the response is dropped).
 *
 * DRAIN.  Kafka's stopProcessingRequests() stops the processors outright;
 * we let in-flight requests finish instead.  The drain flag travels through
 * each network thread's inbox; each acknowledges once it has stopped all
 * reading (sm_net_drain_ack()).  Only after every acknowledgement can
 * "outstanding == 0" mean that no request will appear any more, so drain
 * waits for both, on drain_cond.
 *
 * SIGPIPE.  sendfile(2) on a socket the peer closed raises SIGPIPE, and
 * there is no MSG_NOSIGNAL for it, so sm_net_new() sets SIGPIPE to SIG_IGN
 * if it is still SIG_DFL (a broker never wants that default anyway).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "network/net_int.h"

/* Any thread: a request is finished (see net_int.h). */
void
sm_net_outstanding_done(sm_net_t *net)
{
    long old = atomic_fetch_sub(&net->outstanding, 1);

    sm_assert(old > 0);
    if (old == 1) {
        pthread_mutex_lock(&net->drain_lock);
        pthread_cond_broadcast(&net->drain_cond);
        pthread_mutex_unlock(&net->drain_lock);
    }
}

/* Network thread: it has stopped reading for the drain. */
void
sm_net_drain_ack(sm_net_t *net)
{
    pthread_mutex_lock(&net->drain_lock);
    atomic_fetch_add(&net->drain_acks, 1);
    pthread_cond_broadcast(&net->drain_cond);
    pthread_mutex_unlock(&net->drain_lock);
}

static sm_err_t
sm_net_config_check(const sm_net_config_t *cfg, char *errstr,
                    size_t errstr_size)
{
    const char *bad = NULL;

    if (cfg->nlisteners < 1 || cfg->listeners == NULL)
        bad = "listeners: at least one listener is required";
    else if (cfg->num_network_threads < 1 ||
             cfg->num_network_threads > SM_NET_MAX_PROCS)
        bad = "num.network.threads must be in [1, 256]";
    else if (cfg->num_io_threads < 1)
        bad = "num.io.threads must be at least 1";
    else if (cfg->queued_max_requests < 1)
        bad = "queued.max.requests must be at least 1";
    else if (cfg->socket_request_max_bytes < 1)
        bad = "socket.request.max.bytes must be at least 1";
    else if (cfg->socket_send_buffer_bytes < -1 ||
             cfg->socket_send_buffer_bytes == 0)
        bad = "socket.send.buffer.bytes must be -1 or positive";
    else if (cfg->socket_receive_buffer_bytes < -1 ||
             cfg->socket_receive_buffer_bytes == 0)
        bad = "socket.receive.buffer.bytes must be -1 or positive";
    else if (cfg->max_connections < 1)
        bad = "max.connections must be at least 1";
    if (bad == NULL)
        return SM_OK;
    snprintf(errstr, errstr_size, "%s", bad);
    return SM_ERR__CONFIG;
}

static void
sm_net_ignore_sigpipe(void)
{
    struct sigaction sa;

    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_IGN;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGPIPE, &sa, NULL);
    }
}

static void
sm_net_copy_config(sm_net_t *net, const sm_net_config_t *cfg)
{
    net->cfg = *cfg;
    net->lcfg = sm_calloc((size_t)cfg->nlisteners, sizeof(*net->lcfg));
    for (int i = 0; i < cfg->nlisteners; i++) {
        const sm_listener_cfg_t *lc = &cfg->listeners[i];
        net->lcfg[i].name = sm_strdup(lc->name ? lc->name : "PLAINTEXT");
        net->lcfg[i].host = sm_strdup(lc->host ? lc->host : "");
        net->lcfg[i].port = lc->port;
        net->lcfg[i].security_protocol =
            sm_strdup(lc->security_protocol ? lc->security_protocol
                                            : "PLAINTEXT");
    }
    net->cfg.listeners = net->lcfg;
}

sm_err_t
sm_net_new(const sm_net_config_t *cfg, sm_net_t **netp, char *errstr,
           size_t errstr_size)
{
    pthread_condattr_t ca;
    sm_net_t *net = NULL;
    sm_err_t err;

    *netp = NULL;
    err = sm_net_config_check(cfg, errstr, errstr_size);
    if (err != SM_OK)
        goto out;
    sm_net_ignore_sigpipe();
    net = sm_calloc(1, sizeof(*net));
    sm_net_copy_config(net, cfg);
    pthread_mutex_init(&net->drain_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&net->drain_cond, &ca);
    pthread_condattr_destroy(&ca);
    sm_net_chan_init(&net->chan, cfg->queued_max_requests,
                     cfg->num_network_threads);
    net->nprocs = cfg->num_network_threads;
    net->procs = sm_calloc((size_t)net->nprocs, sizeof(*net->procs));
    for (int i = 0; i < net->nprocs; i++) {
        err = sm_net_proc_init(net, &net->procs[i], i);
        if (err != SM_OK) {
            snprintf(errstr, errstr_size, "cannot create the event loop of "
                     "network thread %d", i);
            goto out;
        }
    }
    err = sm_net_listeners_open(net, errstr, errstr_size);
out:
    if (err != SM_OK && net != NULL) {
        sm_net_destroy(net);
        net = NULL;
    }
    *netp = net;
    return err;
}

sm_err_t
sm_net_start(sm_net_t *net, sm_net_handler_fn handler, void *opaque)
{
    sm_err_t err = SM_OK;

    sm_assert(!net->started);
    net->started = 1;
    net->handler = handler;
    net->opaque = opaque;
    for (int i = 0; i < net->nprocs && err == SM_OK; i++)
        err = sm_net_proc_start(&net->procs[i]);
    if (err == SM_OK)
        err = sm_net_handlers_start(net);
    if (err == SM_OK)
        err = sm_net_acceptor_start(net);
    if (err == SM_OK)
        sm_info("network", "Socket server started: %d listener(s), %d "
                "network thread(s), %d I/O thread(s)", net->nlis,
                net->nprocs, net->cfg.num_io_threads);
    return err;
}

int
sm_net_bound_port(const sm_net_t *net, int listener)
{
    if (listener < 0 || listener >= net->nlis)
        return -1;
    return net->lis[listener].port;
}

void
sm_net_stop_accepting(sm_net_t *net)
{
    sm_net_acceptor_stop(net);
}

static int
sm_net_drained(sm_net_t *net, int nstarted)
{
    return atomic_load(&net->drain_acks) >= nstarted &&
           atomic_load(&net->outstanding) == 0;
}

int
sm_net_drain(sm_net_t *net, int64_t timeout_ms)
{
    int64_t deadline = sm_mono_ms() + timeout_ms;
    int nstarted = 0, rc = 0;

    for (int i = 0; i < net->nprocs; i++) {
        if (!net->procs[i].started)
            continue;
        nstarted++;
        sm_net_proc_notify(&net->procs[i], 0, 0, 1);
    }
    pthread_mutex_lock(&net->drain_lock);
    while (!sm_net_drained(net, nstarted)) {
        int64_t now = sm_mono_ms();
        if (now >= deadline) {
            rc = -1;
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t ns = ts.tv_nsec + (deadline - now) * 1000000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&net->drain_cond, &net->drain_lock, &ts);
    }
    pthread_mutex_unlock(&net->drain_lock);
    if (rc != 0)
        sm_warn("network", "Drain timed out after %lld ms with %ld "
                "request(s) outstanding", (long long)timeout_ms,
                atomic_load(&net->outstanding));
    return rc;
}

void
sm_net_get_stats(sm_net_t *net, sm_net_stats_t *st)
{
    st->accepted = atomic_load(&net->st_accepted);
    st->closed = atomic_load(&net->st_closed);
    st->requests = atomic_load(&net->st_requests);
    st->responses = atomic_load(&net->st_responses);
    st->oversized_frames = atomic_load(&net->st_oversized);
    st->idle_closed = atomic_load(&net->st_idle_closed);
    st->dropped_responses = atomic_load(&net->st_dropped);
    st->open_connections = atomic_load(&net->open_conns);
    st->queued_requests = sm_net_chan_count(net);
}

static void
sm_net_free_config(sm_net_t *net)
{
    for (int i = 0; i < net->cfg.nlisteners; i++) {
        free(net->lcfg[i].name);
        free(net->lcfg[i].host);
        free(net->lcfg[i].security_protocol);
    }
    free(net->lcfg);
}

/* Also the error path of sm_net_new(): every step copes with a part that
 * was never set up. */
void
sm_net_destroy(sm_net_t *net)
{
    sm_net_stats_t st;

    if (net == NULL)
        return;
    sm_net_acceptor_stop(net);
    if (net->handlers != NULL)
        sm_net_handlers_stop(net);
    for (int i = 0; i < net->nprocs; i++)
        sm_net_proc_join(&net->procs[i]);
    sm_net_get_stats(net, &st);
    sm_net_chan_fini(net);
    for (int i = 0; i < net->nprocs; i++)
        sm_net_proc_fini(&net->procs[i]);
    free(net->procs);
    sm_net_acceptor_fini(net);
    if (net->started)
        sm_info("network", "Socket server shut down: %llu connection(s) "
                "accepted, %llu request(s), %llu response(s) (%llu dropped)",
                (unsigned long long)st.accepted,
                (unsigned long long)st.requests,
                (unsigned long long)st.responses,
                (unsigned long long)st.dropped_responses);
    pthread_cond_destroy(&net->drain_cond);
    pthread_mutex_destroy(&net->drain_lock);
    sm_net_free_config(net);
    free(net);
}
