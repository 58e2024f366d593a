/*
 * client_conn.c: one blocking connection to a broker (client.h) - address
 * parsing, connecting with a timeout, request/response framing with
 * correlation ids, and the ApiVersions exchange.
 *
 * FRAMES (Kafka's protocol, both directions):
 *   OFFSET  SIZE  DESCRIPTION
 *   0       4     Size: bytes that follow (int32, big endian)
 *   4       ...   request header (apis.h) + body, or
 *                 response header (CorrelationId [+ tags]) + body
 * A response Size below 4 (no room for the correlation id) or above
 * samsa.max.response.bytes is refused before anything is allocated.
 *
 * SOCKETS are non-blocking from the start; every wait is a poll() bounded
 * by the caller's deadline, so connect, write and read share one timeout
 * model.  SIGPIPE is avoided with MSG_NOSIGNAL (the caller need not ignore
 * it).  Any failure closes the socket: a half-read frame leaves the
 * stream out of step and the connection cannot be reused.
 *
 * Threads: the connection's owner only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "client/client.h"
#include "common/sm_endian.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/apiversions.h"

#define SM_CLIENT_SOFTWARE_NAME "samsa"

/* ------------------------------------------------------------ helpers */

static void
sm_client_errf(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sm_client_errf(char *errstr, size_t errstr_size, const char *fmt, ...)
{
    va_list ap;

    if (errstr == NULL || errstr_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

/* Milliseconds left until deadline, at least 0, at most INT32_MAX. */
static int
sm_client_left(int64_t deadline)
{
    int64_t left = deadline - sm_mono_ms();

    if (left < 0)
        return 0;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* ------------------------------------------------------------ addresses */

static int
sm_client_host_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '%' ||
           ch == '.' || ch == '_' || ch == ':';
}

/* Skip Kafka's optional "<letters>://" prefix. */
static const char *
sm_client_skip_scheme(const char *s)
{
    const char *p = s;

    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        p++;
    return (p > s && strncmp(p, "://", 3) == 0) ? p + 3 : s;
}

sm_err_t
sm_client_parse_address(const char *s, char **host, int *port, char *errstr,
                        size_t errstr_size)
{
    const char *p = sm_client_skip_scheme(s), *h, *he, *colon;
    long v = 0;

    *host = NULL;
    if (*p == '[') {
        h = p + 1;
        he = strchr(h, ']');
        colon = he ? he + 1 : NULL;
        if (colon == NULL || *colon != ':')
            goto bad;
    } else {
        h = p;
        colon = strrchr(p, ':');
        he = colon;
        if (colon == NULL)
            goto bad;
    }
    for (const char *q = h; q < he; q++)
        if (!sm_client_host_char(*q))
            goto bad;
    if (colon[1] == '\0' || he == h)
        goto bad;
    for (const char *q = colon + 1; *q; q++) {
        if (*q < '0' || *q > '9' || v > 65535)
            goto bad;
        v = v * 10 + (*q - '0');
    }
    if (v > 65535)
        goto bad;
    *host = sm_strndup(h, (size_t)(he - h));
    *port = (int)v;
    return SM_OK;
bad:
    sm_client_errf(errstr, errstr_size,
                   "Invalid url in bootstrap.servers: %s", s);
    return SM_ERR__CONFIG;
}

/* ------------------------------------------------------------ connect */

static void
sm_client_conn_shut(sm_client_conn_t *conn)
{
    if (conn->fd >= 0)
        close(conn->fd);
    conn->fd = -1;
}

/* Connect one resolved address; 0, or -1 with errno (ETIMEDOUT when the
 * deadline passed). */
static int
sm_client_connect_ai(const struct addrinfo *ai, int64_t deadline, int *fdp)
{
    struct pollfd pfd;
    socklen_t len = sizeof(int);
    int fd, soerr = 0, one = 1, rc;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
        errno != EINPROGRESS)
        goto fail;
    pfd.fd = fd;
    pfd.events = POLLOUT;
    do {
        rc = poll(&pfd, 1, sm_client_left(deadline));
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        errno = ETIMEDOUT;
    if (rc <= 0)
        goto fail;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
        goto fail;
    if (soerr != 0) {
        errno = soerr;
        goto fail;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    *fdp = fd;
    return 0;
fail:
    soerr = errno;
    close(fd);
    errno = soerr;
    return -1;
}

sm_client_conn_t *
sm_client_conn_alloc(const char *host, int port, int32_t node_id,
                     const sm_client_conf_t *conf)
{
    sm_client_conn_t *conn = sm_calloc(1, sizeof(*conn));

    conn->fd = -1;
    conn->node_id = node_id;
    conn->host = sm_strdup(host);
    conn->port = port;
    conn->conf = conf;
    conn->next_corrid = 1;
    for (int i = 0; i < SM_API__MAX; i++)
        conn->api_min[i] = conn->api_max[i] = -1;
    return conn;
}

sm_err_t
sm_client_conn_connect(const char *host, int port, int32_t node_id,
                       const sm_client_conf_t *conf, int64_t deadline,
                       sm_client_conn_t **connp, char *errstr,
                       size_t errstr_size)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    int rc, err = 0;
    sm_client_conn_t *conn;

    *connp = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;          /* no AI_ADDRCONFIG: it hides
                                               * ::1 on hosts whose only
                                               * IPv6 address is loopback */
    snprintf(service, sizeof(service), "%d", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        sm_client_errf(errstr, errstr_size, "Connection to node %d "
                       "(%s:%d) failed: cannot resolve %s: %s",
                       (int)node_id, host, port, host, gai_strerror(rc));
        return SM_ERR__TRANSPORT;
    }
    conn = sm_client_conn_alloc(host, port, node_id, conf);
    for (struct addrinfo *ai = res; ai != NULL && conn->fd < 0;
         ai = ai->ai_next) {
        int64_t d = sm_mono_ms() + conf->connect_timeout_ms;
        if (sm_client_connect_ai(ai, d < deadline ? d : deadline,
                                 &conn->fd) != 0)
            err = errno;
    }
    freeaddrinfo(res);
    if (conn->fd < 0) {
        sm_client_errf(errstr, errstr_size, "Connection to node %d (%s:%d) "
                       "failed: %s", (int)node_id, host, port,
                       strerror(err));
        sm_client_conn_destroy(conn);
        return err == ETIMEDOUT && sm_client_left(deadline) == 0
               ? SM_ERR__TIMED_OUT : SM_ERR__TRANSPORT;
    }
    sm_debug("client", "Connected to node %d (%s:%d)", (int)node_id, host,
             port);
    *connp = conn;
    return SM_OK;
}

sm_err_t
sm_client_conn_open(const char *host, int port, int32_t node_id,
                    const sm_client_conf_t *conf, int64_t deadline,
                    sm_client_conn_t **connp, char *errstr,
                    size_t errstr_size)
{
    sm_err_t err = sm_client_conn_connect(host, port, node_id, conf,
                                          deadline, connp, errstr,
                                          errstr_size);

    if (err != SM_OK)
        return err;
    err = sm_client_conn_negotiate(*connp, deadline, errstr, errstr_size);
    if (err != SM_OK) {
        sm_client_conn_destroy(*connp);
        *connp = NULL;
    }
    return err;
}

void
sm_client_conn_destroy(sm_client_conn_t *conn)
{
    if (conn == NULL)
        return;
    sm_client_conn_shut(conn);
    sm_free(conn->host);
    sm_free(conn);
}

/* ------------------------------------------------------------ I/O */

/* Wait for events on the socket; 0, or a transport/timeout error. */
static sm_err_t
sm_client_wait(sm_client_conn_t *conn, short events, int64_t deadline)
{
    struct pollfd pfd = { .fd = conn->fd, .events = events };
    int rc;

    do {
        rc = poll(&pfd, 1, sm_client_left(deadline));
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return SM_ERR__TIMED_OUT;
    return rc < 0 ? SM_ERR__TRANSPORT : SM_OK;
}

static sm_err_t
sm_client_write_all(sm_client_conn_t *conn, const uint8_t *p, size_t len,
                    int64_t deadline)
{
    while (len > 0) {
        ssize_t n = send(conn->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            sm_err_t err = sm_client_wait(conn, POLLOUT, deadline);
            if (err != SM_OK)
                return err;
        } else if (n < 0 && errno != EINTR) {
            return SM_ERR__TRANSPORT;
        }
    }
    return SM_OK;
}

/* Read exactly len bytes; EOF before that is a transport error. */
static sm_err_t
sm_client_read_all(sm_client_conn_t *conn, uint8_t *p, size_t len,
                   int64_t deadline)
{
    while (len > 0) {
        ssize_t n = recv(conn->fd, p, len, 0);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n == 0) {
            errno = ECONNRESET;
            return SM_ERR__TRANSPORT;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            sm_err_t err = sm_client_wait(conn, POLLIN, deadline);
            if (err != SM_OK)
                return err;
        } else if (errno != EINTR) {
            return SM_ERR__TRANSPORT;
        }
    }
    return SM_OK;
}

/* "Sending Metadata request to node 0 (h:9092) failed: Broken pipe";
 * closes the socket.  sending: 1 for the request, 0 for the response. */
static void
sm_client_io_err(sm_client_conn_t *conn, sm_err_t err, int sending,
                 int16_t key, char *errstr, size_t errstr_size)
{
    int e = errno;

    sm_client_errf(errstr, errstr_size, "%s %s %s node %d (%s:%d) %s%s",
                   sending ? "Sending" : "Reading", sm_api_name(key),
                   sending ? "request to" : "response from",
                   (int)conn->node_id, conn->host, conn->port,
                   err == SM_ERR__TIMED_OUT ? "timed out" : "failed: ",
                   err == SM_ERR__TIMED_OUT ? "" : strerror(e));
    sm_client_conn_shut(conn);
}

void
sm_client_resp_fini(sm_client_resp_t *resp)
{
    sm_free(resp->frame);
    memset(resp, 0, sizeof(*resp));
}

/* Read one frame and check its correlation id. */
static sm_err_t
sm_client_read_frame(sm_client_conn_t *conn, int16_t key, int16_t version,
                     int32_t corrid, int64_t deadline,
                     sm_client_resp_t *resp, char *errstr,
                     size_t errstr_size)
{
    uint8_t sz[4];
    int32_t size, got = 0;
    sm_err_t err = sm_client_read_all(conn, sz, 4, deadline);

    if (err != SM_OK) {
        sm_client_io_err(conn, err, 0, key, errstr, errstr_size);
        return err;
    }
    size = (int32_t)sm_load_be32(sz);
    if (size < 4 || size > conn->conf->max_response_bytes) {
        sm_client_errf(errstr, errstr_size, "Invalid response size %d from "
                       "node %d (%s:%d) (bound: samsa.max.response.bytes="
                       "%d)", (int)size, (int)conn->node_id, conn->host,
                       conn->port, (int)conn->conf->max_response_bytes);
        sm_client_conn_shut(conn);
        return size < 4 ? SM_ERR__BAD_MSG : SM_ERR__TOO_LARGE;
    }
    resp->frame = sm_malloc((size_t)size);
    resp->len = (size_t)size;
    err = sm_client_read_all(conn, resp->frame, (size_t)size, deadline);
    if (err != SM_OK) {
        sm_client_io_err(conn, err, 0, key, errstr, errstr_size);
        return err;
    }
    sm_rd_init(&resp->rd, resp->frame, resp->len);
    sm_resp_hdr_read(&resp->rd, key, version, &got);
    if (resp->rd.err != SM_OK || got != corrid) {
        sm_client_errf(errstr, errstr_size, "Correlation id for response "
                       "(%d) does not match request (%d), request header: "
                       "%s v%d to node %d (%s:%d)", (int)got, (int)corrid,
                       sm_api_name(key), (int)version, (int)conn->node_id,
                       conn->host, conn->port);
        sm_client_conn_shut(conn);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

sm_err_t
sm_client_conn_send(sm_client_conn_t *conn, int16_t key, int16_t version,
                    sm_client_body_fn fn, const void *arg, int64_t deadline,
                    int32_t *corridp, char *errstr, size_t errstr_size)
{
    sm_buf_t buf = SM_BUF_INIT;
    int32_t corrid = conn->next_corrid++;
    size_t off;
    sm_err_t err;

    if (conn->fd < 0) {
        sm_client_errf(errstr, errstr_size, "Connection to node %d (%s:%d) "
                       "is closed", (int)conn->node_id, conn->host,
                       conn->port);
        return SM_ERR__TRANSPORT;
    }
    if (conn->next_corrid == INT32_MAX)
        conn->next_corrid = 0;
    off = sm_wr_i32(&buf, 0);
    sm_req_hdr_write(&buf, key, version, corrid, conn->conf->client_id);
    if (fn != NULL)
        fn(&buf, version, arg);
    sm_wr_patch_i32(&buf, off, (int32_t)(buf.len - off - 4));
    sm_trace("client", "%s v%d corrid %d -> node %d (%zu bytes)",
             sm_api_name(key), (int)version, (int)corrid,
             (int)conn->node_id, buf.len);
    err = sm_client_write_all(conn, buf.data, buf.len, deadline);
    sm_buf_fini(&buf);
    if (err != SM_OK) {
        sm_client_io_err(conn, err, 1, key, errstr, errstr_size);
        return err;
    }
    *corridp = corrid;
    return SM_OK;
}

sm_err_t
sm_client_conn_recv(sm_client_conn_t *conn, int16_t key, int16_t version,
                    int32_t corrid, int64_t deadline, sm_client_resp_t *resp,
                    char *errstr, size_t errstr_size)
{
    sm_err_t err;

    memset(resp, 0, sizeof(*resp));
    resp->version = version;
    err = sm_client_read_frame(conn, key, version, corrid, deadline, resp,
                               errstr, errstr_size);
    if (err != SM_OK) {
        sm_client_resp_fini(resp);
        resp->version = version;
    }
    return err;
}

int
sm_client_conn_readable(sm_client_conn_t *conn, int64_t deadline)
{
    if (conn->fd < 0)
        return -1;
    switch (sm_client_wait(conn, POLLIN, deadline)) {
    case SM_OK:
        return 1;
    case SM_ERR__TIMED_OUT:
        return 0;
    default:
        return -1;
    }
}

sm_err_t
sm_client_conn_call(sm_client_conn_t *conn, int16_t key, int16_t version,
                    sm_client_body_fn fn, const void *arg, int64_t deadline,
                    sm_client_resp_t *resp, char *errstr, size_t errstr_size)
{
    int32_t corrid = -1;
    sm_err_t err;

    if (resp != NULL) {
        memset(resp, 0, sizeof(*resp));
        resp->version = version;
    }
    err = sm_client_conn_send(conn, key, version, fn, arg, deadline, &corrid,
                              errstr, errstr_size);
    if (err != SM_OK || resp == NULL)   /* Produce with Acks 0: no answer */
        return err;
    return sm_client_conn_recv(conn, key, version, corrid, deadline, resp,
                               errstr, errstr_size);
}

/* ------------------------------------------------------------ versions */

void
sm_client_av_request(sm_ApiVersionsRequest_t *req)
{
    memset(req, 0, sizeof(*req));
    req->ClientSoftwareName = sm_str_cstr(SM_CLIENT_SOFTWARE_NAME);
    req->ClientSoftwareVersion = sm_str_cstr(PACKAGE_VERSION);
}

void
sm_client_av_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_ApiVersionsRequest_write(buf, version, arg);
}

/* One ApiVersions exchange at version; *resp parsed (caller frees). */
static sm_err_t
sm_client_apiversions(sm_client_conn_t *conn, int16_t version,
                      int64_t deadline, sm_ApiVersionsResponse_t *av,
                      sm_client_resp_t *resp, char *errstr,
                      size_t errstr_size)
{
    sm_ApiVersionsRequest_t req;
    sm_err_t err;

    sm_client_av_request(&req);
    err = sm_client_conn_call(conn, SM_API_ApiVersions, version,
                              sm_client_av_body, &req, deadline,
                              resp, errstr, errstr_size);
    if (err != SM_OK)
        return err;
    err = sm_ApiVersionsResponse_read(&resp->rd, version, av);
    if (err != SM_OK) {
        sm_client_errf(errstr, errstr_size, "Unparsable ApiVersions v%d "
                       "response from node %d (%s:%d): %s", (int)version,
                       (int)conn->node_id, conn->host, conn->port,
                       sm_err_name(err));
        sm_client_conn_shut(conn);
        return SM_ERR__BAD_MSG;
    }
    return SM_OK;
}

/* The broker's ApiVersions maximum from a KIP-511 answer; -1 if absent. */
static int16_t
sm_client_av_max(const sm_ApiVersionsResponse_t *av)
{
    for (int32_t i = 0; i < av->ApiKeysCnt; i++)
        if (av->ApiKeys[i].ApiKey == SM_API_ApiVersions)
            return av->ApiKeys[i].MaxVersion;
    return -1;
}

sm_err_t
sm_client_conn_av_apply(sm_client_conn_t *conn, int16_t version,
                        const sm_ApiVersionsResponse_t *av, int16_t *retry,
                        char *errstr, size_t errstr_size)
{
    int16_t theirs;
    sm_err_t err = (sm_err_t)av->ErrorCode;

    *retry = -1;
    if (err == SM_ERR_UNSUPPORTED_VERSION &&
        (theirs = sm_client_av_max(av)) >= 0 && theirs < version) {
        *retry = theirs;
        return SM_OK;
    }
    if (err != SM_OK) {
        sm_client_errf(errstr, errstr_size, "ApiVersions v%d to node %d "
                       "(%s:%d) failed: %s", (int)version,
                       (int)conn->node_id, conn->host, conn->port,
                       sm_err_name(err));
        return err;
    }
    for (int32_t i = 0; i < av->ApiKeysCnt; i++) {
        const sm_ApiVersionsResponseKey_t *k = &av->ApiKeys[i];
        if (k->ApiKey < 0 || k->ApiKey >= SM_API__MAX ||
            k->MinVersion < 0 || k->MaxVersion < k->MinVersion)
            continue;
        conn->api_min[k->ApiKey] = k->MinVersion;
        conn->api_max[k->ApiKey] = k->MaxVersion;
    }
    conn->negotiated = 1;
    return SM_OK;
}

sm_err_t
sm_client_conn_negotiate(sm_client_conn_t *conn, int64_t deadline,
                         char *errstr, size_t errstr_size)
{
    sm_ApiVersionsResponse_t av;
    sm_client_resp_t resp;
    int16_t version = SM_APIVERSIONS_MAX_VERSION, retry = -1;
    sm_err_t err;

    for (int round = 0; round < 2; round++) {
        err = sm_client_apiversions(conn, version, deadline, &av, &resp,
                                    errstr, errstr_size);
        if (err != SM_OK)
            return err;
        err = sm_client_conn_av_apply(conn, version, &av, &retry, errstr,
                                      errstr_size);
        sm_ApiVersionsResponse_free(&av);
        sm_client_resp_fini(&resp);
        if (err != SM_OK || retry < 0)
            return err;
        version = retry;
    }
    sm_client_errf(errstr, errstr_size, "ApiVersions to node %d (%s:%d) "
                   "failed: UNSUPPORTED_VERSION twice", (int)conn->node_id,
                   conn->host, conn->port);
    return SM_ERR_UNSUPPORTED_VERSION;
}

int16_t
sm_client_conn_version(const sm_client_conn_t *conn, int16_t key,
                       int16_t ours_max)
{
    int16_t v;

    if (!conn->negotiated || key < 0 || key >= SM_API__MAX ||
        conn->api_max[key] < 0)
        return -1;
    v = conn->api_max[key] < ours_max ? conn->api_max[key] : ours_max;
    return v >= conn->api_min[key] ? v : -1;
}
