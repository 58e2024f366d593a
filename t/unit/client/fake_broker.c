/*
 * fake_broker.c: the scripted peer of fake_broker.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/sm_endian.h"
#include "common/sm_mem.h"
#include "fake_broker.h"
#include "protocol/apiversions.h"
#include "protocol/metadata.h"

#define FB_MAX_CONNS 16

static int
fb_read_all(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int
fb_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void
fb_keep_body(fb_t *fb, const sm_req_hdr_t *hdr, const sm_rd_t *rd)
{
    size_t n = sm_rd_remaining(rd);

    if (hdr->ApiKey < 0 || hdr->ApiKey >= SM_API__MAX)
        return;
    atomic_fetch_add(&fb->nreq[hdr->ApiKey], 1);
    atomic_store(&fb->last_version[hdr->ApiKey], hdr->ApiVersion);
    pthread_mutex_lock(&fb->lock);
    free(fb->last_body[hdr->ApiKey]);
    fb->last_body[hdr->ApiKey] = sm_malloc(n + 1);
    memcpy(fb->last_body[hdr->ApiKey], rd->pos, n);
    fb->last_len[hdr->ApiKey] = n;
    pthread_mutex_unlock(&fb->lock);
}

static int
fb_holds(fb_t *fb, int fd)
{
    int n = atomic_load(&fb->nheld);

    for (int i = 0; i < n; i++)
        if (fb->held_fd[i] == fd)
            return 1;
    return 0;
}

/* Serve one request on fd; -1 to close the connection. */
static int
fb_serve(fb_t *fb, int fd)
{
    uint8_t szb[4], *frame;
    sm_buf_t out = SM_BUF_INIT;
    sm_req_hdr_t hdr;
    sm_rd_t rd;
    int32_t size;
    int act, rc = 0;
    size_t off;

    if (fb_read_all(fd, szb, 4) != 0)
        return -1;
    size = (int32_t)sm_load_be32(szb);
    if (size < 8 || size > (1 << 24))
        return -1;
    frame = sm_malloc((size_t)size);
    if (fb_read_all(fd, frame, (size_t)size) != 0) {
        free(frame);
        return -1;
    }
    sm_rd_init(&rd, frame, (size_t)size);
    if (sm_req_hdr_read(&rd, &hdr) != SM_OK) {
        free(frame);
        return -1;
    }
    fb_keep_body(fb, &hdr, &rd);
    off = sm_wr_i32(&out, 0);
    sm_resp_hdr_write(&out, hdr.ApiKey, hdr.ApiVersion, hdr.CorrelationId);
    act = (fb->handler ? fb->handler : fb_default)(fb, &hdr, &rd, &out);
    sm_wr_patch_i32(&out, off, (int32_t)(out.len - 4));
    if (act == FB_BAD_CORR)
        sm_wr_patch_i32(&out, 4, hdr.CorrelationId + 1);
    if (act == FB_HUGE)
        sm_wr_patch_i32(&out, 0, 1 << 30);
    if (act == FB_ANSWER && fb_holds(fb, fd))
        act = FB_HOLD;              /* answers leave in request order */
    if (act == FB_CLOSE) {
        rc = -1;
    } else if (act == FB_HOLD) {
        int n = atomic_load(&fb->nheld);
        if (n >= FB_MAX_HELD)
            abort();                /* a test holding too much */
        fb->held_fd[n] = fd;
        fb->held[n] = out;
        out = (sm_buf_t)SM_BUF_INIT;
        atomic_store(&fb->nheld, n + 1);
    } else if (act != FB_SILENT && fb_write_all(fd, out.data, act == FB_HUGE
                                                ? 8 : out.len) != 0) {
        rc = -1;
    }
    sm_buf_fini(&out);
    free(frame);
    return rc;
}

/* Send (fd < 0) or, for a closing fd, drop the held frames. */
static void
fb_flush_held(fb_t *fb, int closing)
{
    int n = atomic_load(&fb->nheld), k = 0;

    for (int i = 0; i < n; i++) {
        if (closing >= 0 && fb->held_fd[i] != closing) {
            fb->held_fd[k] = fb->held_fd[i];
            fb->held[k++] = fb->held[i];
            continue;
        }
        if (closing < 0)
            (void)fb_write_all(fb->held_fd[i], fb->held[i].data,
                               fb->held[i].len);
        sm_buf_fini(&fb->held[i]);
    }
    atomic_store(&fb->nheld, k);
}

void
fb_release(fb_t *fb)
{
    atomic_store(&fb->release, 1);
}

static void *
fb_main(void *arg)
{
    fb_t *fb = arg;
    struct pollfd pfd[FB_MAX_CONNS + 1];
    int n = 1;

    pfd[0].fd = fb->lfd;
    pfd[0].events = POLLIN;
    while (!atomic_load(&fb->stop)) {
        if (atomic_exchange(&fb->release, 0))
            fb_flush_held(fb, -1);
        if (poll(pfd, (nfds_t)n, 10) <= 0)
            continue;
        if ((pfd[0].revents & POLLIN) && n <= FB_MAX_CONNS) {
            int c = accept(fb->lfd, NULL, NULL);
            if (c >= 0) {
                atomic_fetch_add(&fb->naccepted, 1);
                pfd[n].fd = c;
                pfd[n++].events = POLLIN;
            }
        }
        for (int i = 1; i < n; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (fb_serve(fb, pfd[i].fd) != 0) {
                fb_flush_held(fb, pfd[i].fd);
                close(pfd[i].fd);
                pfd[i--] = pfd[--n];
            }
        }
    }
    for (int i = 1; i < n; i++) {
        fb_flush_held(fb, pfd[i].fd);
        close(pfd[i].fd);
    }
    return NULL;
}

static int
fb_listen(int ipv6, int *port)
{
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;
    socklen_t len;
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0), one = 1;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a6, 0, sizeof(a6));
    memset(&a4, 0, sizeof(a4));
    a6.sin6_family = AF_INET6;
    a6.sin6_addr = in6addr_loopback;
    a4.sin_family = AF_INET;
    a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((ipv6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6))
              : bind(fd, (struct sockaddr *)&a4, sizeof(a4))) != 0 ||
        listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    len = ipv6 ? sizeof(a6) : sizeof(a4);
    getsockname(fd, ipv6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4,
                &len);
    *port = ntohs(ipv6 ? a6.sin6_port : a4.sin_port);
    return fd;
}

int
fb_start(fb_t *fb, int ipv6, fb_handler_fn handler, void *arg)
{
    memset(fb, 0, sizeof(*fb));
    fb->lfd = fb_listen(ipv6, &fb->port);
    if (fb->lfd < 0)
        return -1;
    fb->handler = handler;
    fb->arg = arg;
    fb->controller_id = 0;
    pthread_mutex_init(&fb->lock, NULL);
    pthread_create(&fb->thr, NULL, fb_main, fb);
    return 0;
}

void
fb_stop(fb_t *fb)
{
    atomic_store(&fb->stop, 1);
    pthread_join(fb->thr, NULL);
    close(fb->lfd);
    for (int i = 0; i < SM_API__MAX; i++)
        free(fb->last_body[i]);
    pthread_mutex_destroy(&fb->lock);
}

uint8_t *
fb_last_body(fb_t *fb, int16_t key, size_t *len)
{
    uint8_t *p = NULL;

    pthread_mutex_lock(&fb->lock);
    if (fb->last_body[key] != NULL) {
        p = sm_malloc(fb->last_len[key] + 1);
        memcpy(p, fb->last_body[key], fb->last_len[key]);
        *len = fb->last_len[key];
    }
    pthread_mutex_unlock(&fb->lock);
    return p;
}

int
fb_closed_port(void)
{
    int port = 0, fd = fb_listen(0, &port);

    if (fd >= 0)
        close(fd);
    return port;
}

/* ------------------------------------------------------------ defaults */

static void
fb_metadata(fb_t *fb, int16_t version, sm_buf_t *out)
{
    sm_MetadataResponseBroker_t broker = {
        0, { "127.0.0.1", 9 }, fb->broker_port ? fb->broker_port : fb->port,
        SM_STR_NULL
    };
    sm_MetadataResponse_t md;
    sm_MetadataResponseTopic_t *t = sm_calloc((size_t)fb->ntopics + 1,
                                              sizeof(*t));
    int32_t replica = 0;

    memset(&md, 0, sizeof(md));
    md.BrokersCnt = 1;
    md.Brokers = &broker;
    md.ClusterId = sm_str_cstr("fake-cluster");
    md.ControllerId = fb->controller_id;
    md.TopicsCnt = fb->ntopics;
    md.Topics = t;
    for (int i = 0; i < fb->ntopics; i++) {
        t[i].ErrorCode = fb->topics[i].err;
        t[i].Name = sm_str_cstr(fb->topics[i].name);
        t[i].IsInternal = fb->topics[i].internal;
        t[i].PartitionsCnt = fb->topics[i].partitions;
        t[i].Partitions = sm_calloc((size_t)t[i].PartitionsCnt + 1,
                                    sizeof(*t[i].Partitions));
        for (int32_t p = 0; p < t[i].PartitionsCnt; p++) {
            sm_MetadataResponsePartition_t *mp = &t[i].Partitions[p];
            mp->PartitionIndex = t[i].PartitionsCnt - 1 - p;
            mp->LeaderId = 0;
            mp->ReplicaNodesCnt = mp->IsrNodesCnt = 1;
            mp->ReplicaNodes = mp->IsrNodes = &replica;
        }
    }
    sm_MetadataResponse_write(out, version, &md);
    for (int i = 0; i < fb->ntopics; i++)
        free(t[i].Partitions);
    free(t);
}

int
fb_default(fb_t *fb, const sm_req_hdr_t *hdr, sm_rd_t *body, sm_buf_t *out)
{
    sm_ApiVersionsResponse_t av;

    (void)body;
    switch (hdr->ApiKey) {
    case SM_API_ApiVersions:
        if (hdr->ApiVersion > SM_APIVERSIONS_MAX_VERSION) {
            sm_ApiVersionsResponse_write_unsupported(out);
            return FB_ANSWER;
        }
        sm_ApiVersionsResponse_from_table(&av);
        sm_ApiVersionsResponse_write(out, hdr->ApiVersion, &av);
        sm_ApiVersionsResponse_free(&av);
        return FB_ANSWER;
    case SM_API_Metadata:
        fb_metadata(fb, hdr->ApiVersion, out);
        return FB_ANSWER;
    default:
        return FB_CLOSE;
    }
}
