/*
 * client.c: the client's configuration and cluster view, and request
 * routing over blocking connections (client.h) - the parts of Kafka's
 * KafkaAdminClient that choose a node (LeastLoadedNodeProvider,
 * ControllerNodeProvider, ConstantNodeIdProvider) and its metadata
 * manager, without the asynchronous machinery.
 *
 * STATE.  c->boot lists the bootstrap addresses (parsed and resolved once
 * at samsa_client_new(), as Kafka's ClientUtils does).  c->boot_conn is a
 * connection to one of them, used before the first Metadata response.
 * c->brokers is the broker table of the last Metadata response, sorted by
 * id, each with its own connection or NULL; a refresh keeps a broker's
 * connection when its id, host and port are unchanged and closes the rest.
 *
 * RETRIES.  sm_client_send_* loop until the call's deadline: pick a node,
 * (re)connect, send.  A transport error (connect refused, reset, request
 * timeout, garbled frame) closes that connection, waits retry.backoff.ms
 * and tries again - for the controller after a metadata refresh, since a
 * dead controller is replaced.  Errors that retrying cannot fix (no common
 * version, a response above the size bound) return at once.  When the
 * deadline passes the last error is returned, with its message.
 *
 * Threads: the client's owner only (client.h).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "client/client.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "protocol/metadata.h"

/* ------------------------------------------------------------ config */

void
sm_client_conf_init(sm_client_conf_t *conf)
{
    memset(conf, 0, sizeof(*conf));
    conf->client_id = sm_strdup("");
    conf->request_timeout_ms = 30000;
    conf->api_timeout_ms = 60000;
    conf->connect_timeout_ms = 10000;
    conf->retry_backoff_ms = 100;
    conf->max_response_bytes = 100 * 1024 * 1024;
    sm_client_conf_init_pk(conf);
}

void
sm_client_conf_copy(sm_client_conf_t *dst, const sm_client_conf_t *src)
{
    *dst = *src;
    dst->bootstrap = src->bootstrap ? sm_strdup(src->bootstrap) : NULL;
    dst->client_id = src->client_id ? sm_strdup(src->client_id) : NULL;
    dst->p.icpts = NULL;
    if (src->p.nicpts > 0) {
        size_t n = (size_t)src->p.nicpts * sizeof(*src->p.icpts);
        dst->p.icpts = sm_malloc(n);
        memcpy(dst->p.icpts, src->p.icpts, n);
    }
    sm_client_conf_copy_group(&dst->g, &src->g);
}

void
sm_client_conf_fini(sm_client_conf_t *conf)
{
    sm_free(conf->bootstrap);
    sm_free(conf->client_id);
    sm_free(conf->p.icpts);
    sm_client_conf_fini_group(&conf->g);
    memset(conf, 0, sizeof(*conf));
}

samsa_conf_t *
samsa_conf_new(void)
{
    samsa_conf_t *conf = sm_calloc(1, sizeof(*conf));

    sm_client_conf_init(&conf->c);
    return conf;
}

void
samsa_conf_destroy(samsa_conf_t *conf)
{
    if (conf == NULL)
        return;
    sm_client_conf_fini(&conf->c);
    sm_free(conf);
}

/* Kafka's INT parsing: trimmed decimal within [min, INT32_MAX]. */
int
sm_client_conf_int(const char *key, const char *value, int32_t min,
                   int32_t *out, char *errstr, size_t errstr_size)
{
    char *end;
    long long v;

    while (*value == ' ' || *value == '\t')
        value++;
    errno = 0;
    v = strtoll(value, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == value || *end != '\0' || errno != 0 || v > INT32_MAX ||
        v < INT32_MIN) {
        snprintf(errstr, errstr_size, "Invalid value %s for configuration "
                 "%s: Not a number of type INT", value, key);
        return -1;
    }
    if (v < min) {
        snprintf(errstr, errstr_size, "Invalid value %lld for configuration "
                 "%s: Value must be at least %d", v, key, (int)min);
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

static void
sm_client_set_str(char **dst, const char *value)
{
    sm_free(*dst);
    *dst = sm_strdup(value);
}

samsa_err_t
samsa_conf_set(samsa_conf_t *conf, const char *key, const char *value,
               char *errstr, size_t errstr_size)
{
    static const struct {
        const char *key;
        size_t      off;
        int32_t     min;
    } ints[] = {
        { "request.timeout.ms",
          offsetof(sm_client_conf_t, request_timeout_ms), 0 },
        { "default.api.timeout.ms",
          offsetof(sm_client_conf_t, api_timeout_ms), 0 },
        { "socket.connection.setup.timeout.ms",
          offsetof(sm_client_conf_t, connect_timeout_ms), 0 },
        { "retry.backoff.ms",
          offsetof(sm_client_conf_t, retry_backoff_ms), 0 },
        { "samsa.max.response.bytes",
          offsetof(sm_client_conf_t, max_response_bytes), 8 },
    };
    sm_client_conf_t *c = &conf->c;
    sm_err_t err;

    if (sm_client_conf_set_pk(c, key, value, &err, errstr,
                              errstr_size) == 0)
        return err;
    if (strcmp(key, "bootstrap.servers") == 0) {
        sm_client_set_str(&c->bootstrap, value);
        return SAMSA_OK;
    }
    if (strcmp(key, "client.id") == 0) {
        sm_client_set_str(&c->client_id, value);
        return SAMSA_OK;
    }
    if (strcmp(key, "security.protocol") == 0) {
        if (strcasecmp(value, "PLAINTEXT") == 0)
            return SAMSA_OK;
        snprintf(errstr, errstr_size, "Invalid value %s for configuration "
                 "security.protocol: samsa's client only speaks PLAINTEXT",
                 value);
        return SM_ERR__CONFIG;
    }
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        if (strcmp(key, ints[i].key) != 0)
            continue;
        if (sm_client_conf_int(key, value, ints[i].min,
                               (int32_t *)((char *)c + ints[i].off),
                               errstr, errstr_size) != 0)
            return SM_ERR__CONFIG;
        return SAMSA_OK;
    }
    snprintf(errstr, errstr_size, "The configuration '%s' was supplied but "
             "isn't a known config.", key);
    return SM_ERR__CONFIG;
}

/* ------------------------------------------------------------ bootstrap */

static int
sm_client_resolvable(const char *host, int port)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof(service), "%d", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (res != NULL)
        freeaddrinfo(res);
    return rc == 0;
}

static void
sm_client_add_boot(sm_client_t *c, char *host, int port)
{
    c->boot = sm_realloc(c->boot, (size_t)(c->nboot + 1) * sizeof(*c->boot));
    c->boot[c->nboot].host = host;
    c->boot[c->nboot].port = port;
    c->nboot++;
}

/* Kafka's ClientUtils.parseAndValidateAddresses. */
static sm_err_t
sm_client_parse_bootstrap(sm_client_t *c, const char *list, char *errstr,
                          size_t errstr_size)
{
    char *copy = sm_strdup(list), *save = NULL, *tok;
    sm_err_t err = SM_OK;

    for (tok = strtok_r(copy, ",", &save); tok && err == SM_OK;
         tok = strtok_r(NULL, ",", &save)) {
        char *host, *end = tok + strlen(tok);
        int port;
        while (*tok == ' ' || *tok == '\t')
            tok++;
        while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        if (*tok == '\0')
            continue;
        err = sm_client_parse_address(tok, &host, &port, errstr,
                                      errstr_size);
        if (err != SM_OK)
            break;
        if (!sm_client_resolvable(host, port)) {
            sm_warn("client", "Couldn't resolve server %s from "
                    "bootstrap.servers as DNS resolution failed for %s",
                    tok, host);
            sm_free(host);
            continue;
        }
        sm_client_add_boot(c, host, port);
    }
    sm_free(copy);
    if (err == SM_OK && c->nboot == 0) {
        snprintf(errstr, errstr_size, "No resolvable bootstrap urls given "
                 "in bootstrap.servers");
        err = SM_ERR__CONFIG;
    }
    return err;
}

samsa_client_t *
samsa_client_new(const samsa_conf_t *conf, char *errstr, size_t errstr_size)
{
    sm_client_t *c = sm_calloc(1, sizeof(*c));

    sm_client_conf_copy(&c->conf, &conf->c);
    c->controller_id = -1;
    if (c->conf.bootstrap == NULL) {
        snprintf(errstr, errstr_size, "Missing required configuration "
                 "\"bootstrap.servers\" which has no default value.");
        goto fail;
    }
    if (sm_client_parse_bootstrap(c, c->conf.bootstrap, errstr,
                                  errstr_size) != SM_OK)
        goto fail;
    return c;
fail:
    samsa_client_destroy(c);
    return NULL;
}

static void
sm_client_brokers_free(sm_client_broker_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        sm_client_conn_destroy(v[i].conn);
        sm_free(v[i].host);
        sm_free(v[i].rack);
    }
    sm_free(v);
}

void
samsa_client_destroy(samsa_client_t *c)
{
    if (c == NULL)
        return;
    sm_client_brokers_free(c->brokers, c->nbrokers);
    sm_client_conn_destroy(c->boot_conn);
    for (int i = 0; i < c->nboot; i++)
        sm_free(c->boot[i].host);
    sm_free(c->boot);
    sm_free(c->cluster_id);
    sm_client_conf_fini(&c->conf);
    sm_free(c);
}

int64_t
sm_client_deadline(const sm_client_t *c)
{
    return sm_mono_ms() + c->conf.api_timeout_ms;
}

/* ------------------------------------------------------------ nodes */

static int
sm_client_conn_ok(const sm_client_conn_t *conn)
{
    return conn != NULL && conn->fd >= 0;
}

static void
sm_client_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int
sm_client_backoff(const sm_client_t *c, int64_t deadline)
{
    int64_t left = deadline - sm_mono_ms();

    if (left <= 0)
        return -1;
    sm_client_sleep_ms((int)(left < c->conf.retry_backoff_ms
                             ? left : c->conf.retry_backoff_ms));
    return sm_mono_ms() < deadline ? 0 : -1;
}

/* The (re)opened connection to broker b. */
static sm_err_t
sm_client_broker_conn(sm_client_t *c, sm_client_broker_t *b,
                      int64_t deadline, char *errstr, size_t errstr_size)
{
    if (sm_client_conn_ok(b->conn))
        return SM_OK;
    sm_client_conn_destroy(b->conn);
    b->conn = NULL;
    return sm_client_conn_open(b->host, b->port, b->id, &c->conf, deadline,
                               &b->conn, errstr, errstr_size);
}

sm_client_broker_t *
sm_client_find_broker(sm_client_t *c, int32_t id)
{
    for (int i = 0; i < c->nbrokers; i++)
        if (c->brokers[i].id == id)
            return &c->brokers[i];
    return NULL;
}

/* Connect to the bootstrap addresses in turn. */
static sm_err_t
sm_client_boot_conn(sm_client_t *c, int64_t deadline,
                    sm_client_conn_t **connp, char *errstr,
                    size_t errstr_size)
{
    sm_err_t err = SM_ERR__TRANSPORT;

    if (sm_client_conn_ok(c->boot_conn)) {
        *connp = c->boot_conn;
        return SM_OK;
    }
    sm_client_conn_destroy(c->boot_conn);
    c->boot_conn = NULL;
    for (int i = 0; i < c->nboot && sm_mono_ms() < deadline; i++) {
        int k = (c->next_boot + i) % c->nboot;
        err = sm_client_conn_open(c->boot[k].host, c->boot[k].port, -1 - k,
                                  &c->conf, deadline, &c->boot_conn, errstr,
                                  errstr_size);
        if (err == SM_OK) {
            c->next_boot = k;
            *connp = c->boot_conn;
            return SM_OK;
        }
        sm_debug("client", "%s", errstr ? errstr : sm_err_name(err));
    }
    c->next_boot = (c->next_boot + 1) % c->nboot;
    return err;
}

/* A connected node: an open connection, else a known broker, else a
 * bootstrap address. */
static sm_err_t
sm_client_any_conn(sm_client_t *c, int64_t deadline,
                   sm_client_conn_t **connp, char *errstr,
                   size_t errstr_size)
{
    for (int i = 0; i < c->nbrokers; i++)
        if (sm_client_conn_ok(c->brokers[i].conn)) {
            *connp = c->brokers[i].conn;
            return SM_OK;
        }
    if (sm_client_conn_ok(c->boot_conn)) {
        *connp = c->boot_conn;
        return SM_OK;
    }
    for (int i = 0; i < c->nbrokers && sm_mono_ms() < deadline; i++) {
        sm_client_broker_t *b = &c->brokers[i];
        if (sm_client_broker_conn(c, b, deadline, errstr,
                                  errstr_size) == SM_OK) {
            *connp = b->conn;
            return SM_OK;
        }
    }
    return sm_client_boot_conn(c, deadline, connp, errstr, errstr_size);
}

/* ------------------------------------------------------------ sending */

static int
sm_client_retriable(sm_err_t err)
{
    return err == SM_ERR__TRANSPORT || err == SM_ERR__TIMED_OUT ||
           err == SM_ERR__BAD_MSG;
}

/* One call on conn at the best common version; the request is bounded
 * by request.timeout.ms within the deadline. */
static sm_err_t
sm_client_call_on(sm_client_t *c, sm_client_conn_t *conn, int16_t key,
                  int16_t ours_max, sm_client_body_fn fn, const void *arg,
                  int64_t deadline, sm_client_resp_t *resp, char *errstr,
                  size_t errstr_size)
{
    int16_t version = sm_client_conn_version(conn, key, ours_max);
    int64_t rq = sm_mono_ms() + c->conf.request_timeout_ms;

    if (resp != NULL)
        memset(resp, 0, sizeof(*resp));
    if (version < 0) {
        snprintf(errstr, errstr_size, "The node %d (%s:%d) does not "
                 "support %s (samsa supports up to v%d)",
                 (int)conn->node_id, conn->host, conn->port,
                 sm_api_name(key), (int)ours_max);
        return SM_ERR_UNSUPPORTED_VERSION;
    }
    return sm_client_conn_call(conn, key, version, fn, arg,
                               rq < deadline ? rq : deadline, resp, errstr,
                               errstr_size);
}

/* The deadline passed: say so, keeping the last error's message. */
static sm_err_t
sm_client_expired(sm_err_t err)
{
    return err == SM_OK ? SM_ERR__TIMED_OUT : err;
}

/* One try of send_any; *called: a connection was had and the call made
 * (a failure before that is always worth another try). */
static sm_err_t
sm_client_any_try(sm_client_t *c, int16_t key, int16_t ours_max,
                  sm_client_body_fn fn, const void *arg, int64_t deadline,
                  sm_client_resp_t *resp, int *called, char *errstr,
                  size_t errstr_size)
{
    sm_client_conn_t *conn;
    sm_err_t err;

    memset(resp, 0, sizeof(*resp));
    *called = 0;
    err = sm_client_any_conn(c, deadline, &conn, errstr, errstr_size);
    if (err != SM_OK)
        return err;
    *called = 1;
    return sm_client_call_on(c, conn, key, ours_max, fn, arg, deadline, resp,
                             errstr, errstr_size);
}

sm_err_t
sm_client_send_any(sm_client_t *c, int16_t key, int16_t ours_max,
                   sm_client_body_fn fn, const void *arg, int64_t deadline,
                   sm_client_resp_t *resp, char *errstr, size_t errstr_size)
{
    sm_err_t err;
    int called;

    for (;;) {
        err = sm_client_any_try(c, key, ours_max, fn, arg, deadline, resp,
                                &called, errstr, errstr_size);
        if (called && (err == SM_OK || !sm_client_retriable(err)))
            return err;
        if (sm_client_backoff(c, deadline) != 0)
            return sm_client_expired(err);
    }
}

sm_err_t
sm_client_send_any_once(sm_client_t *c, int16_t key, int16_t ours_max,
                        sm_client_body_fn fn, const void *arg,
                        int64_t deadline, sm_client_resp_t *resp,
                        char *errstr, size_t errstr_size)
{
    int called;

    return sm_client_any_try(c, key, ours_max, fn, arg, deadline, resp,
                             &called, errstr, errstr_size);
}

sm_err_t
sm_client_send_node(sm_client_t *c, int32_t node_id, int16_t key,
                    int16_t ours_max, sm_client_body_fn fn, const void *arg,
                    int64_t deadline, sm_client_resp_t *resp, char *errstr,
                    size_t errstr_size)
{
    sm_client_broker_t *b;
    sm_err_t err = SM_OK;

    if (resp != NULL)
        memset(resp, 0, sizeof(*resp));
    for (;;) {
        if (!c->have_metadata)
            err = sm_client_refresh(c, deadline, errstr, errstr_size);
        b = sm_client_find_broker(c, node_id);
        if (err == SM_OK && b == NULL) {
            snprintf(errstr, errstr_size, "Node %d is not a live broker",
                     (int)node_id);
            return SM_ERR_BROKER_NOT_AVAILABLE;
        }
        if (err == SM_OK)
            err = sm_client_broker_conn(c, b, deadline, errstr,
                                        errstr_size);
        if (err == SM_OK) {
            err = sm_client_call_on(c, b->conn, key, ours_max, fn, arg,
                                    deadline, resp, errstr, errstr_size);
            if (err == SM_OK || !sm_client_retriable(err))
                return err;
        }
        c->have_metadata = 0;
        if (sm_client_backoff(c, deadline) != 0)
            return sm_client_expired(err);
    }
}

void
sm_client_forget_controller(sm_client_t *c)
{
    c->controller_id = -1;
    c->have_metadata = 0;
}

sm_err_t
sm_client_send_controller(sm_client_t *c, int16_t key, int16_t ours_max,
                          sm_client_body_fn fn, const void *arg,
                          int64_t deadline, sm_client_resp_t *resp,
                          char *errstr, size_t errstr_size)
{
    sm_client_broker_t *b;
    sm_err_t err = SM_OK;

    memset(resp, 0, sizeof(*resp));
    for (;;) {
        if (!c->have_metadata || c->controller_id < 0)
            err = sm_client_refresh(c, deadline, errstr, errstr_size);
        b = err == SM_OK ? sm_client_find_broker(c, c->controller_id)
                         : NULL;
        if (err == SM_OK && b == NULL) {
            snprintf(errstr, errstr_size, "The controller is not known "
                     "yet (ControllerId %d)", (int)c->controller_id);
            err = SM_ERR__TIMED_OUT;
        }
        if (b != NULL)
            err = sm_client_broker_conn(c, b, deadline, errstr,
                                        errstr_size);
        if (b != NULL && err == SM_OK) {
            err = sm_client_call_on(c, b->conn, key, ours_max, fn, arg,
                                    deadline, resp, errstr, errstr_size);
            if (err == SM_OK || !sm_client_retriable(err))
                return err;
        }
        if (!sm_client_retriable(err))
            return err;
        sm_client_forget_controller(c);
        if (sm_client_backoff(c, deadline) != 0)
            return sm_client_expired(err);
    }
}

/* ------------------------------------------------------------ metadata */

static void
sm_client_metadata_body(sm_buf_t *buf, int16_t version, const void *arg)
{
    sm_MetadataRequest_write(buf, version, arg);
}

static int
sm_client_cmp_broker(const void *a, const void *b)
{
    const sm_client_broker_t *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* Install the brokers of resp, moving over connections that still point
 * at the same broker. */
void
sm_client_install(sm_client_t *c, const sm_MetadataResponse_t *md)
{
    sm_client_broker_t *nb = sm_calloc((size_t)md->BrokersCnt + 1,
                                       sizeof(*nb));

    for (int32_t i = 0; i < md->BrokersCnt; i++) {
        const sm_MetadataResponseBroker_t *r = &md->Brokers[i];
        sm_client_broker_t *old = sm_client_find_broker(c, r->NodeId);
        nb[i].id = r->NodeId;
        nb[i].host = sm_str_dup(r->Host);
        nb[i].port = r->Port;
        nb[i].rack = sm_str_dup(r->Rack);
        if (old != NULL && old->conn != NULL &&
            strcmp(old->host, nb[i].host) == 0 && old->port == r->Port) {
            nb[i].conn = old->conn;
            old->conn = NULL;
        }
    }
    qsort(nb, (size_t)md->BrokersCnt, sizeof(*nb), sm_client_cmp_broker);
    sm_client_brokers_free(c->brokers, c->nbrokers);
    c->brokers = nb;
    c->nbrokers = md->BrokersCnt;
    c->controller_id = md->ControllerId;
    sm_free(c->cluster_id);
    c->cluster_id = sm_str_dup(md->ClusterId);
    c->have_metadata = 1;
}

sm_err_t
sm_client_refresh(sm_client_t *c, int64_t deadline, char *errstr,
                  size_t errstr_size)
{
    sm_MetadataRequest_t req;
    sm_MetadataResponse_t md;
    sm_client_resp_t resp;
    sm_err_t err;

    memset(&req, 0, sizeof(req));
    req.TopicsCnt = 0;                  /* none (v0: all, which is fine) */
    req.AllowAutoTopicCreation = 0;
    err = sm_client_send_any(c, SM_API_Metadata, SM_METADATA_MAX_VERSION,
                             sm_client_metadata_body, &req, deadline, &resp,
                             errstr, errstr_size);
    if (err != SM_OK)
        return err;
    err = sm_MetadataResponse_read(&resp.rd, resp.version, &md);
    if (err == SM_OK)
        sm_client_install(c, &md);
    else
        snprintf(errstr, errstr_size, "Unparsable Metadata v%d response: "
                 "%s", (int)resp.version, sm_err_name(err));
    sm_MetadataResponse_free(&md);
    sm_client_resp_fini(&resp);
    return err;
}
