/*
 * group_io.c: the group consumer's background thread (Java's
 * AbstractCoordinator.HeartbeatThread, plus the sending of async
 * commits).  It talks to the coordinator on a connection of its own
 * (g->bg_conn, opened to the address FindCoordinator gave), so a poll
 * blocked in a long Fetch does not delay heartbeats.
 *
 * LOOP (under g->lock, released around every request):
 *   - a queued commit job and a known coordinator: send it
 *     (sm_cg_commit_once), move it to g->done for the application
 *     thread's callbacks;
 *   - while STABLE: if the application has not polled for
 *     max.poll.interval.ms, leave the group (LeaveGroup unless static)
 *     and reset the member, so the next poll rejoins - Java's "poll
 *     timeout has expired"; else every heartbeat.interval.ms a
 *     Heartbeat.  Its answer: REBALANCE_IN_PROGRESS asks the next poll
 *     to rejoin; UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION / FENCED_INSTANCE
 *     reset the member; coordinator errors and lost connections forget
 *     the coordinator (poll finds it again).  No answer within
 *     session.timeout.ms forgets it too.  An answer for a generation the
 *     application has left meanwhile is ignored.
 *   - otherwise sleep on g->cond until the next deadline or a wake-up.
 *
 * Threads: this thread and the application thread share sm_cgrp_t's
 * lock fields; bg_conn is this thread's alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/consumer.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/heartbeat.h"
#include "protocol/leavegroup.h"

int
sm_cg_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock,
                int64_t deadline)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(deadline / 1000);
    ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
    return pthread_cond_timedwait(cond, lock, &ts);
}

/* ------------------------------------------------------------ locked */

/* sm_cg_reset_member() with g->lock held. */
static void
sm_cg_reset_locked(sm_cgrp_t *g)
{
    sm_free(g->member_id);
    g->member_id = sm_strdup("");
    g->generation = -1;
    g->state = SM_CG_UNJOINED;
    g->need_rejoin = 1;
}

/* ------------------------------------------------------------ conn */

/* The background connection to the coordinator id/host/port (opened
 * if needed); NULL if it cannot be had now. */
static sm_client_conn_t *
sm_cg_io_conn(samsa_consumer_t *c, int32_t id, const char *host, int port)
{
    sm_cgrp_t *g = c->grp;
    char errstr[512];

    if (g->bg_conn != NULL && (g->bg_conn->fd < 0 ||
                               g->bg_conn->node_id != id)) {
        sm_client_conn_destroy(g->bg_conn);
        g->bg_conn = NULL;
    }
    if (g->bg_conn == NULL &&
        sm_client_conn_open(host, port, id, &c->conf,
                            sm_mono_ms() + c->conf.request_timeout_ms,
                            &g->bg_conn, errstr, sizeof(errstr)) != SM_OK) {
        sm_debug("consumer", "group %s: heartbeat connection: %s",
                 c->conf.g.group_id, errstr);
        g->bg_conn = NULL;
    }
    return g->bg_conn;
}

/* ------------------------------------------------------------ leave */

static void
sm_cg_lg_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_LeaveGroupRequest_write(buf, version, arg);
}

void
sm_cg_leave(samsa_consumer_t *c, sm_client_conn_t *conn, const char *reason)
{
    sm_cgrp_t *g = c->grp;
    sm_LeaveGroupRequestMember_t mbr;
    sm_LeaveGroupRequest_t req;
    sm_client_resp_t resp;
    char errstr[512], *member;
    int64_t deadline = sm_mono_ms() + c->conf.request_timeout_ms;
    sm_err_t err;

    pthread_mutex_lock(&g->lock);
    member = sm_strdup(g->member_id);
    pthread_mutex_unlock(&g->lock);
    if (member[0] == '\0' || c->conf.g.instance_id != NULL) {
        sm_free(member);
        return;
    }
    sm_info("consumer", "group %s: member %s leaves the group: %s",
            c->conf.g.group_id, member, reason);
    memset(&req, 0, sizeof(req));
    req.GroupId = sm_str_cstr(c->conf.g.group_id);
    req.MemberId = sm_str_cstr(member);
    mbr.MemberId = req.MemberId;
    mbr.GroupInstanceId = SM_STR_NULL;
    req.MembersCnt = 1;
    req.Members = &mbr;
    if (conn == NULL) {
        err = sm_cg_call(c, SM_API_LeaveGroup, SM_LEAVEGROUP_MAX_VERSION,
                         sm_cg_lg_body, &req, deadline, &resp, errstr,
                         sizeof(errstr));
    } else {
        int16_t v = sm_client_conn_version(conn, SM_API_LeaveGroup,
                                           SM_LEAVEGROUP_MAX_VERSION);
        err = v < 0 ? SM_ERR_UNSUPPORTED_VERSION
                    : sm_client_conn_call(conn, SM_API_LeaveGroup, v,
                                          sm_cg_lg_body, &req, deadline,
                                          &resp, errstr, sizeof(errstr));
    }
    if (err == SM_OK)
        sm_client_resp_fini(&resp);     /* the outcome changes nothing */
    sm_free(member);
    sm_cg_reset_member(g);
}

/* ------------------------------------------------------------ jobs */

/* Send the first queued job (called and returning with g->lock). */
static void
sm_cg_io_job(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    sm_commit_job_t *j = g->jobs;
    int32_t id = g->coord_id;
    char *host = sm_strdup(g->coord_host);
    int port = g->coord_port;
    sm_client_conn_t *conn;
    char errstr[512];

    g->jobs = j->next;
    if (g->jobs == NULL)
        g->jobs_tail = &g->jobs;
    j->next = NULL;
    g->busy = 1;
    pthread_mutex_unlock(&g->lock);
    conn = j->cnt > 0 ? sm_cg_io_conn(c, id, host, port) : NULL;
    if (j->cnt == 0)
        j->err = SM_OK;
    else if (conn == NULL)
        j->err = SM_ERR_COORDINATOR_NOT_AVAILABLE;
    else
        j->err = sm_cg_commit_once(c, conn, j->offsets, j->cnt,
                                   sm_mono_ms() + c->conf.request_timeout_ms,
                                   errstr, sizeof(errstr));
    if (j->err == SM_ERR_COORDINATOR_NOT_AVAILABLE)
        sm_cg_coord_lost(g);
    sm_free(host);
    pthread_mutex_lock(&g->lock);
    *g->done_tail = j;
    g->done_tail = &j->next;
    g->busy = 0;
    pthread_cond_broadcast(&g->cond);
}

/* ------------------------------------------------------------ heartbeat */

static void
sm_cg_hb_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_HeartbeatRequest_write(buf, version, arg);
}

/* One Heartbeat round trip; the broker's ErrorCode or a local error. */
static sm_err_t
sm_cg_io_send_hb(samsa_consumer_t *c, sm_client_conn_t *conn,
                 const char *member, int32_t generation)
{
    sm_HeartbeatRequest_t req;
    sm_HeartbeatResponse_t r;
    sm_client_resp_t resp;
    char errstr[512];
    int16_t v = sm_client_conn_version(conn, SM_API_Heartbeat,
                                       SM_HEARTBEAT_MAX_VERSION);
    sm_err_t err;

    if (v < 0)
        return SM_ERR_UNSUPPORTED_VERSION;
    memset(&req, 0, sizeof(req));
    req.GroupId = sm_str_cstr(c->conf.g.group_id);
    req.GenerationId = generation;
    req.MemberId = sm_str_cstr(member);
    req.GroupInstanceId = c->conf.g.instance_id != NULL
                          ? sm_str_cstr(c->conf.g.instance_id) : SM_STR_NULL;
    err = sm_client_conn_call(conn, SM_API_Heartbeat, v, sm_cg_hb_body, &req,
                              sm_mono_ms() + c->conf.request_timeout_ms,
                              &resp, errstr, sizeof(errstr));
    if (err != SM_OK)
        return err;
    err = sm_HeartbeatResponse_read(&resp.rd, resp.version, &r);
    if (err == SM_OK)
        err = r.ErrorCode;
    sm_client_resp_fini(&resp);
    return err;
}

/* What a heartbeat's answer means (g->lock held). */
static void
sm_cg_io_hb_result(samsa_consumer_t *c, sm_err_t err, int64_t now)
{
    sm_cgrp_t *g = c->grp;

    switch (err) {
    case SM_OK:
        g->last_hb_ok = now;
        break;
    case SM_ERR_REBALANCE_IN_PROGRESS:
        g->last_hb_ok = now;
        if (!g->need_rejoin)
            sm_info("consumer", "group %s: the group is rebalancing",
                    c->conf.g.group_id);
        g->need_rejoin = 1;
        break;
    case SM_ERR_UNKNOWN_MEMBER_ID:
    case SM_ERR_ILLEGAL_GENERATION:
    case SM_ERR_FENCED_INSTANCE_ID:
        sm_info("consumer", "group %s: heartbeat: %s; rejoining",
                c->conf.g.group_id, samsa_err_message(err));
        sm_cg_reset_locked(g);
        break;
    default:
        sm_info("consumer", "group %s: heartbeat failed (%s); looking for "
                "the coordinator again", c->conf.g.group_id,
                samsa_err_message(err));
        g->coord_id = -1;
        g->next_hb = now + c->conf.retry_backoff_ms;
        break;
    }
}

/* Send a heartbeat (called and returning with g->lock). */
static void
sm_cg_io_heartbeat(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    char *member = sm_strdup(g->member_id), *host = sm_strdup(g->coord_host);
    int32_t gen = g->generation, id = g->coord_id;
    int port = g->coord_port;
    sm_client_conn_t *conn;
    sm_err_t err;

    g->next_hb = sm_mono_ms() + c->conf.g.heartbeat_interval_ms;
    pthread_mutex_unlock(&g->lock);
    conn = sm_cg_io_conn(c, id, host, port);
    err = conn != NULL ? sm_cg_io_send_hb(c, conn, member, gen)
                       : SM_ERR__TRANSPORT;
    pthread_mutex_lock(&g->lock);
    if (g->generation == gen && g->state == SM_CG_STABLE)
        sm_cg_io_hb_result(c, err, sm_mono_ms());
    sm_free(member);
    sm_free(host);
}

/* max.poll.interval.ms passed without a poll (g->lock held). */
static void
sm_cg_io_overrun(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    int32_t id = g->coord_id;
    char *host = sm_strdup(g->coord_host);
    int port = g->coord_port;
    sm_client_conn_t *conn;

    sm_warn("consumer", "group %s: consumer poll timeout has expired: the "
            "time between polls was longer than max.poll.interval.ms (%d); "
            "leaving the group", c->conf.g.group_id,
            (int)c->conf.g.max_poll_interval_ms);
    g->state = SM_CG_UNJOINED;      /* no more heartbeats */
    pthread_mutex_unlock(&g->lock);
    conn = sm_cg_io_conn(c, id, host, port);
    if (conn != NULL)
        sm_cg_leave(c, conn, "consumer poll timeout has expired");
    sm_free(host);
    pthread_mutex_lock(&g->lock);
    sm_cg_reset_locked(g);
}

/* ------------------------------------------------------------ loop */

/* One step (g->lock held); returns the time to sleep until, or 0 if it
 * did something and should look again at once. */
static int64_t
sm_cg_io_step(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;
    int64_t now = sm_mono_ms(), poll_end, wake = now + 1000;

    if (g->jobs != NULL && g->coord_id >= 0) {
        sm_cg_io_job(c);
        return 0;
    }
    if (g->state != SM_CG_STABLE || g->coord_id < 0)
        return wake;
    poll_end = g->last_poll + c->conf.g.max_poll_interval_ms;
    if (now > poll_end) {
        sm_cg_io_overrun(c);
        return 0;
    }
    if (now - g->last_hb_ok > c->conf.g.session_timeout_ms) {
        sm_info("consumer", "group %s: no heartbeat answered for %d ms; "
                "looking for the coordinator again", c->conf.g.group_id,
                (int)(now - g->last_hb_ok));
        g->coord_id = -1;
        g->last_hb_ok = now;
        return wake;
    }
    if (now >= g->next_hb) {
        sm_cg_io_heartbeat(c);
        return 0;
    }
    wake = g->next_hb < poll_end + 1 ? g->next_hb : poll_end + 1;
    return wake;
}

static void *
sm_cg_io_main(void *arg)
{
    samsa_consumer_t *c = arg;
    sm_cgrp_t *g = c->grp;

    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        int64_t wake = sm_cg_io_step(c);
        if (wake > 0 && !g->stop)
            sm_cg_cond_wait(&g->cond, &g->lock, wake);
    }
    pthread_mutex_unlock(&g->lock);
    sm_client_conn_destroy(g->bg_conn);
    g->bg_conn = NULL;
    return NULL;
}

void
sm_cg_io_start(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;

    if (pthread_create(&g->thread, NULL, sm_cg_io_main, c) == 0)
        g->thread_started = 1;
    else
        sm_error("consumer", "group %s: cannot start the heartbeat thread",
                 c->conf.g.group_id);
}

void
sm_cg_io_stop(samsa_consumer_t *c)
{
    sm_cgrp_t *g = c->grp;

    if (!g->thread_started)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    g->thread_started = 0;
}
