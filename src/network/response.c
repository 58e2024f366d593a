/*
 * response.c: building responses and handing them to network threads.
 *
 * A response is a chain of segments (nginx ngx_buf_t: memory or file
 * range).  The handler that builds it owns it until sm_net_respond(); from
 * then on the network thread owning the connection does, and frees it once
 * it is written, or when the connection dies, or at once if the connection
 * is already gone.
 *
 * RELEASE EXACTLY ONCE.  Every segment is released (memory freed, file
 * release callback called) exactly once: the writer releases a segment as
 * soon as its last byte is out and clears it (data = NULL, release = NULL),
 * and sm_response_free() releases whatever is left.  So a response torn down
 * halfway through a sendfile releases the unsent segments and never the
 * sent ones twice.  Release callbacks therefore run on the network thread
 * normally, and on whichever thread frees the response otherwise (the
 * responder if the network thread has stopped, sm_net_destroy()).
 *
 * Threads: the builders run on the handler's thread and touch only the
 * response; sm_net_respond() takes the target network thread's lock.
 */
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "network/net_int.h"

sm_response_t *
sm_response_new(const sm_request_t *req, sm_resp_action_t action)
{
    sm_response_t *resp = sm_calloc(1, sizeof(*resp));

    resp->thread = req->thread;
    resp->conn_id = req->conn_id;
    resp->action = action;
    return resp;
}

static sm_resp_seg_t *
sm_response_add_seg(sm_response_t *resp)
{
    if (resp->nsegs == resp->cap) {
        resp->cap = resp->cap ? resp->cap * 2 : 4;
        resp->segs = sm_realloc(resp->segs,
                                (size_t)resp->cap * sizeof(*resp->segs));
    }
    sm_resp_seg_t *seg = &resp->segs[resp->nsegs++];
    memset(seg, 0, sizeof(*seg));
    seg->fd = -1;
    return seg;
}

void
sm_response_add_mem(sm_response_t *resp, uint8_t *data, size_t len)
{
    if (len == 0) {
        free(data);
        return;
    }
    sm_resp_seg_t *seg = sm_response_add_seg(resp);
    seg->data = data;
    seg->len = len;
    resp->total += len;
}

void
sm_response_add_buf(sm_response_t *resp, sm_buf_t *buf)
{
    size_t len;
    uint8_t *data = sm_buf_detach(buf, &len);

    sm_response_add_mem(resp, data, len);
}

void
sm_response_add_file(sm_response_t *resp, int fd, off_t pos, size_t len,
                     void (*release)(void *), void *arg)
{
    sm_resp_seg_t *seg = sm_response_add_seg(resp);

    seg->is_file = 1;
    seg->fd = fd;
    seg->pos = pos;
    seg->len = len;
    seg->release = release;
    seg->arg = arg;
    resp->total += len;
}

/* Release seg unless already released; clears it so it never is again. */
void
sm_resp_seg_release(sm_resp_seg_t *seg)
{
    void (*release)(void *) = seg->release;

    free(seg->data);
    seg->data = NULL;
    seg->release = NULL;
    if (release != NULL)
        release(seg->arg);
}

void
sm_response_free(sm_response_t *resp)
{
    if (resp == NULL)
        return;
    for (int i = 0; i < resp->nsegs; i++)
        sm_resp_seg_release(&resp->segs[i]);
    free(resp->segs);
    free(resp);
}

/* Free a response that will not be written (its connection is gone); the
 * request it answers is finished.  Any thread. */
void
sm_net_resp_drop(sm_net_t *net, sm_response_t *resp)
{
    atomic_fetch_add(&net->st_dropped, 1);
    sm_response_free(resp);
    sm_net_outstanding_done(net);
}

/* Append resp to its network thread's inbox and wake the thread.  The
 * wake-up is sent only when the inbox was empty: a non-empty inbox already
 * has one pending, and the callback drains the whole list.  Sent with the
 * lock held so it never hits a loop whose thread has stopped. */
void
sm_net_respond(sm_net_t *net, sm_response_t *resp)
{
    sm_assert(resp->thread >= 0 && resp->thread < net->nprocs);
    sm_net_proc_t *proc = &net->procs[resp->thread];

    atomic_fetch_add(&net->st_responses, 1);
    resp->next = NULL;
    pthread_mutex_lock(&proc->lock);
    if (proc->stopped) {
        pthread_mutex_unlock(&proc->lock);
        sm_net_resp_drop(net, resp);
        return;
    }
    int was_empty = proc->resp_head == NULL;
    if (proc->resp_tail != NULL)
        proc->resp_tail->next = resp;
    else
        proc->resp_head = resp;
    proc->resp_tail = resp;
    if (was_empty)
        ev_async_send(proc->loop, &proc->wake);
    pthread_mutex_unlock(&proc->lock);
}

void
sm_request_free(sm_request_t *req)
{
    if (req == NULL)
        return;
    free(req->frame);
    free(req);
}
