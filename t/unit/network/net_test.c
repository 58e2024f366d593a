/* net_test.c: the scripted handler and client helpers of net_test.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/sm_endian.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "net_test.h"
#include "sm_test.h"

/* ---------------------------------------------------------- handler */

static void
ntest_file_release(void *arg)
{
    ntest_t *t = arg;

    atomic_fetch_add(&t->file_releases, 1);
}

static sm_response_t *
ntest_echo_resp(const sm_request_t *req)
{
    sm_response_t *resp = sm_response_new(req, SM_RESP_SEND);
    uint8_t *copy = sm_malloc(req->len);

    memcpy(copy, req->frame, req->len);
    sm_response_add_mem(resp, copy, req->len);
    return resp;
}

/* 'M' n(4): n memory segments, segment i holding i % 50 + 1 bytes of the
 * pattern (continuing across segments). */
static sm_response_t *
ntest_many_segs(const sm_request_t *req)
{
    sm_response_t *resp = sm_response_new(req, SM_RESP_SEND);
    uint32_t n = req->len >= 5 ? sm_load_be32(req->frame + 1) : 0;
    size_t at = 0;

    for (uint32_t i = 0; i < n && i < 100000; i++) {
        size_t len = i % 50 + 1;
        uint8_t *seg = sm_malloc(len);
        for (size_t j = 0; j < len; j++)
            seg[j] = ntest_pattern_byte(at++);
        sm_response_add_mem(resp, seg, len);
    }
    return resp;
}

static void
ntest_add_file(ntest_t *t, sm_response_t *resp)
{
    sm_response_add_file(resp, t->file_fd, t->file_pos, t->file_len,
                         ntest_file_release, t);
}

static sm_response_t *
ntest_build(ntest_t *t, sm_request_t *req, int *keep)
{
    char cmd = req->len > 0 ? (char)req->frame[0] : '?';
    sm_response_t *resp = NULL;

    switch (cmd) {
    case 'S':
        if (req->len >= 5)
            usleep(sm_load_be32(req->frame + 1) * 1000u);
        /* fall through */
    case 'E':
        return ntest_echo_resp(req);
    case 'N':
        return sm_response_new(req, SM_RESP_NOOP);
    case 'M':
        return ntest_many_segs(req);
    case 'P':
        resp = sm_response_new(req, SM_RESP_SEND);
        sm_response_add_mem(resp, (uint8_t *)sm_strdup(req->peer),
                            strlen(req->peer));
        return resp;
    case 'F':
        resp = sm_response_new(req, SM_RESP_SEND);
        sm_response_add_mem(resp, (uint8_t *)sm_strdup("F-HEAD"), 6);
        ntest_add_file(t, resp);
        sm_response_add_mem(resp, (uint8_t *)sm_strdup("F-TAIL"), 6);
        return resp;
    case 'L':
        resp = ntest_echo_resp(req);
        ntest_add_file(t, resp);
        pthread_mutex_lock(&t->lock);
        t->late = resp;
        pthread_mutex_unlock(&t->lock);
        return NULL;
    case 'H':
        pthread_mutex_lock(&t->lock);
        ck_assert_int_lt(t->nheld, 64);
        t->held[t->nheld++] = req;
        pthread_mutex_unlock(&t->lock);
        *keep = 1;
        return NULL;
    default:
        return sm_response_new(req, SM_RESP_CLOSE);
    }
}

static void
ntest_handler(sm_request_t *req, void *opaque)
{
    ntest_t *t = opaque;
    int keep = 0;
    int cur = atomic_fetch_add(&t->in_handler, 1) + 1;
    int max = atomic_load(&t->max_in_handler);

    while (cur > max &&
           !atomic_compare_exchange_weak(&t->max_in_handler, &max, cur))
        ;
    sm_response_t *resp = ntest_build(t, req, &keep);
    atomic_fetch_sub(&t->in_handler, 1);
    atomic_fetch_add(&t->handled, 1);
    if (resp != NULL)
        sm_net_respond(req->net, resp);
    if (!keep)
        sm_request_free(req);
}

void
ntest_release_held(ntest_t *t)
{
    sm_request_t *held[64];
    int n;

    pthread_mutex_lock(&t->lock);
    n = t->nheld;
    memcpy(held, t->held, sizeof(held[0]) * (size_t)n);
    t->nheld = 0;
    pthread_mutex_unlock(&t->lock);
    for (int i = 0; i < n; i++) {
        sm_net_respond(held[i]->net, ntest_echo_resp(held[i]));
        sm_request_free(held[i]);
    }
}

/* ---------------------------------------------------------- server */

void
ntest_config(ntest_t *t)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->lock, NULL);
    t->file_fd = -1;
    t->lcfg.name = "PLAINTEXT";
    t->lcfg.host = "127.0.0.1";
    t->lcfg.port = 0;
    t->lcfg.security_protocol = "PLAINTEXT";
    t->cfg.listeners = &t->lcfg;
    t->cfg.nlisteners = 1;
    t->cfg.num_network_threads = 2;
    t->cfg.num_io_threads = 4;
    t->cfg.queued_max_requests = 500;
    t->cfg.socket_request_max_bytes = 1 << 20;
    t->cfg.socket_send_buffer_bytes = -1;
    t->cfg.socket_receive_buffer_bytes = -1;
    t->cfg.connections_max_idle_ms = -1;
    t->cfg.max_connections = 1 << 30;
}

void
ntest_start(ntest_t *t)
{
    char errstr[256] = "";
    sm_err_t err = sm_net_new(&t->cfg, &t->net, errstr, sizeof(errstr));

    ck_assert_msg(err == SM_OK, "sm_net_new: %s", errstr);
    t->port = sm_net_bound_port(t->net, 0);
    ck_assert_int_gt(t->port, 0);
    ck_assert_int_eq(sm_net_start(t->net, ntest_handler, t), SM_OK);
}

void
ntest_stop(ntest_t *t)
{
    ntest_release_held(t);
    sm_net_destroy(t->net);
    t->net = NULL;
    if (t->late != NULL)
        sm_response_free(t->late);
    t->late = NULL;
    if (t->file_fd >= 0)
        close(t->file_fd);
    t->file_fd = -1;
    pthread_mutex_destroy(&t->lock);
}

sm_net_stats_t
ntest_stats(ntest_t *t)
{
    sm_net_stats_t st;

    sm_net_get_stats(t->net, &st);
    return st;
}

int
ntest_wait(int (*cond)(ntest_t *), ntest_t *t, int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + timeout_ms;

    while (!cond(t)) {
        if (sm_mono_ms() > deadline)
            return cond(t);
        usleep(1000);
    }
    return 1;
}

/* ---------------------------------------------------------- clients */

static void
ntest_timeouts(int fd)
{
    struct timeval tv = { 5, 0 };
    int one = 1;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int
ntest_connect(int port)
{
    return ntest_connect_rcvbuf(port, 0);
}

int
ntest_connect_rcvbuf(int port, int rcvbuf)
{
    struct sockaddr_in in;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons((uint16_t)port);
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&in, sizeof(in)) != 0) {
        close(fd);
        return -1;
    }
    ntest_timeouts(fd);
    return fd;
}

int
ntest_connect6(int port)
{
    struct sockaddr_in6 in6;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons((uint16_t)port);
    in6.sin6_addr = in6addr_loopback;
    if (connect(fd, (struct sockaddr *)&in6, sizeof(in6)) != 0) {
        close(fd);
        return -1;
    }
    ntest_timeouts(fd);
    return fd;
}

int
ntest_send_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int
ntest_send_frame(int fd, const void *payload, size_t len)
{
    uint8_t *buf = sm_malloc(len + 4);
    int rc;

    sm_store_be32(buf, (uint32_t)len);
    memcpy(buf + 4, payload, len);
    rc = ntest_send_all(fd, buf, len + 4);
    free(buf);
    return rc;
}

static int
ntest_recv_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ssize_t
ntest_recv_frame(int fd, void *buf, size_t cap)
{
    uint8_t hdr[4];

    if (ntest_recv_all(fd, hdr, 4) != 0)
        return -1;
    size_t len = sm_load_be32(hdr);
    if (len > cap)
        return -1;
    if (ntest_recv_all(fd, buf, len) != 0)
        return -1;
    return (ssize_t)len;
}

int
ntest_wait_closed(int fd, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int64_t deadline = sm_mono_ms() + timeout_ms;
    char sink[4096];

    for (;;) {
        int left = (int)(deadline - sm_mono_ms());
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            return 0;
        ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return 1;
    }
}

int
ntest_echo(int fd, const char *text)
{
    size_t len = strlen(text) + 1;
    char req[512], resp[512];

    snprintf(req, sizeof(req), "E%s", text);
    if (ntest_send_frame(fd, req, len) != 0)
        return -1;
    ssize_t n = ntest_recv_frame(fd, resp, sizeof(resp));
    if (n != (ssize_t)len || memcmp(req, resp, len) != 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------- files */

uint8_t
ntest_pattern_byte(size_t i)
{
    return (uint8_t)((i * 2654435761u) >> 13);
}

int
ntest_make_file(size_t len, int pattern)
{
    char *dir = sm_test_tmpdir();
    char *path = sm_asprintf("%s/segment.log", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(fd, 0);
    /* the descriptor keeps the file alive; nothing left to clean up */
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    if (!pattern) {
        ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
        return fd;
    }
    uint8_t *buf = sm_malloc(len);
    for (size_t i = 0; i < len; i++)
        buf[i] = ntest_pattern_byte(i);
    ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
    free(buf);
    return fd;
}
