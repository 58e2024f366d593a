/*
 * request_channel.c: the bounded request queue between network threads and
 * I/O handler threads, and the handler pool (Kafka's RequestChannel and
 * KafkaRequestHandlerPool).
 *
 * DESIGN
 *   The queue holds at most queued.max.requests requests.  Kafka's network
 *   threads block in put() when it is full; ours must not block (their loop
 *   also writes responses, which is what frees the handlers).  So:
 *     - sm_net_chan_push() never waits.  When the queue is full it returns
 *       -1 and, under the same lock, raises waiting[proc] so that the check
 *       "full" and the request for a wake-up are atomic: no slot can be
 *       freed in between without the pusher hearing of it.
 *     - The network thread parks the frame on its connection (processor.c)
 *       and stops reading from that connection.
 *     - A handler that pops a request while waiting[] flags are raised
 *       clears them and, after dropping the lock, sends each such network
 *       thread a "resume" wake-up; that thread then pushes its parked
 *       frames in arrival order until the queue is full again.
 *   Handlers block on a condition variable while the queue is empty and
 *   leave when the channel is closed (sm_net_handlers_stop()).
 *
 * THREADS AND LOCKS
 *   chan.lock guards everything in sm_net_chan_t.  It is never held while
 *   taking a network thread's lock, nor while running a handler.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "network/net_int.h"

void
sm_net_chan_init(sm_net_chan_t *chan, int max, int nprocs)
{
    memset(chan, 0, sizeof(*chan));
    pthread_mutex_init(&chan->lock, NULL);
    pthread_cond_init(&chan->nonempty, NULL);
    chan->max = max;
    chan->nprocs = nprocs;
    chan->waiting = sm_calloc((size_t)nprocs, sizeof(int));
}

/* Free what is still queued (each such request is finished without a
 * response) and the channel itself.  No other thread may use it now. */
void
sm_net_chan_fini(sm_net_t *net)
{
    sm_net_chan_t *chan = &net->chan;
    sm_request_t *req;

    while ((req = chan->head) != NULL) {
        chan->head = req->next;
        sm_request_free(req);
        sm_net_outstanding_done(net);
    }
    free(chan->waiting);
    pthread_cond_destroy(&chan->nonempty);
    pthread_mutex_destroy(&chan->lock);
}

/* Network thread: queue req, or return -1 when full (the caller keeps req,
 * and network thread `proc` will be woken when a slot frees). */
int
sm_net_chan_push(sm_net_t *net, sm_request_t *req, int proc)
{
    sm_net_chan_t *chan = &net->chan;
    int r = 0;

    pthread_mutex_lock(&chan->lock);
    if (chan->count >= chan->max) {
        chan->waiting[proc] = 1;
        r = -1;
        goto out;
    }
    req->next = NULL;
    if (chan->tail != NULL)
        chan->tail->next = req;
    else
        chan->head = req;
    chan->tail = req;
    chan->count++;
    pthread_cond_signal(&chan->nonempty);
out:
    pthread_mutex_unlock(&chan->lock);
    return r;
}

int
sm_net_chan_count(sm_net_t *net)
{
    pthread_mutex_lock(&net->chan.lock);
    int n = net->chan.count;
    pthread_mutex_unlock(&net->chan.lock);
    return n;
}

/* Handler thread: the next request, or NULL once the channel is closed.
 * Wakes network threads whose parked frames wait for the freed slot. */
static sm_request_t *
sm_net_chan_pop(sm_net_t *net)
{
    sm_net_chan_t *chan = &net->chan;
    sm_request_t *req = NULL;
    int wake[SM_NET_MAX_PROCS], nwake = 0;

    pthread_mutex_lock(&chan->lock);
    while (chan->head == NULL && !chan->closed)
        pthread_cond_wait(&chan->nonempty, &chan->lock);
    if (chan->closed)
        goto out;
    req = chan->head;
    chan->head = req->next;
    if (chan->head == NULL)
        chan->tail = NULL;
    chan->count--;
    for (int i = 0; i < chan->nprocs; i++) {
        if (!chan->waiting[i])
            continue;
        chan->waiting[i] = 0;
        wake[nwake++] = i;
    }
out:
    pthread_mutex_unlock(&chan->lock);
    for (int i = 0; i < nwake; i++)
        sm_net_proc_notify(&net->procs[wake[i]], 1, 0, 0);
    if (req != NULL)
        req->next = NULL;
    return req;
}

static void *
sm_net_handler_main(void *arg)
{
    sm_net_t *net = arg;
    sm_request_t *req;

    while ((req = sm_net_chan_pop(net)) != NULL)
        net->handler(req, net->opaque);
    return NULL;
}

sm_err_t
sm_net_handlers_start(sm_net_t *net)
{
    int n = net->cfg.num_io_threads;

    net->handlers = sm_calloc((size_t)n, sizeof(pthread_t));
    for (int i = 0; i < n; i++) {
        int rc = pthread_create(&net->handlers[i], NULL,
                                sm_net_handler_main, net);
        if (rc != 0) {
            sm_error("network", "pthread_create(request handler %d) "
                     "failed: %s", i, strerror(rc));
            return SM_ERR__IO;
        }
        char name[16];
        snprintf(name, sizeof(name), "sm-io-%d", i % 100000);
        pthread_setname_np(net->handlers[i], name);
        net->nhandlers++;
    }
    return SM_OK;
}

/* Close the channel and join the handlers.  A handler busy with a request
 * finishes it first; requests still queued stay for sm_net_chan_fini(). */
void
sm_net_handlers_stop(sm_net_t *net)
{
    pthread_mutex_lock(&net->chan.lock);
    net->chan.closed = 1;
    pthread_cond_broadcast(&net->chan.nonempty);
    pthread_mutex_unlock(&net->chan.lock);
    for (int i = 0; i < net->nhandlers; i++)
        pthread_join(net->handlers[i], NULL);
    net->nhandlers = 0;
    free(net->handlers);
    net->handlers = NULL;
}
