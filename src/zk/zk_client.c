/*
 * zk_client.c: the session half of zk_client.h - handles, the watcher, the
 * event queue, the reinit thread, start-up and shutdown, and the C
 * client's logging.  The operations are in zk_ops.c; both share the
 * struct in zk_int.h.
 *
 * DESIGN.  The handle is replaced after a session expiry, so it is guarded
 * by a read-write lock: an operation holds it for reading only while it
 * submits its request (a non-blocking enqueue); the reinit thread holds it
 * for writing only to swap the pointer, and closes the old handle with no
 * lock held.  Each handle gets a sm_zk_sess_t as its watcher context
 * naming its generation; callbacks from an older generation are dropped,
 * so a consumer never sees a stale handle's events.
 *
 * THREADS.  The watcher runs on the C client's completion thread: it
 * records the state, queues an event and calls the notify hook, nothing
 * else (STYLE.md §6).  The reinit thread sleeps until a session expires.
 *
 * LOCKS.  Order: zk->zh_lock -> zk->lock.  zk->lock guards the session
 * state, the event queue and the handler table; it is never held across a
 * call into the C client (zookeeper_close() joins the thread that runs the
 * watcher, which takes it).  Handlers and the notify hook run unlocked.
 *
 * SESSION STATE MACHINE (zk->state is the C client's state for the current
 * generation, zk->expired marks a dead session):
 *
 *     0/CONNECTING --CONNECTED--> CONNECTED --CONNECTING--> CONNECTING
 *          |                        |    (queue DISCONNECTED, then
 *          |                        |     CONNECTED when it resumes)
 *          +------ EXPIRED or AUTH_FAILED: expired = 1, queue EXPIRED,
 *                  reinit thread (sm_zk_replace_handle): gen + 1, new
 *                  handle, state 0 ... CONNECTED, then the handlers run
 *                  and SESSION_ESTABLISHED is queued (sm_zk_after_reinit)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zookeeper/zookeeper.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "zk/zk_client.h"
#include "zk/zk_int.h"

static void sm_zk_watcher(zhandle_t *zh, int type, int state,
                          const char *path, void *ctx);
static void sm_zk_log_cb(const char *msg);

/* ------------------------------------------------------------ small bits */

void
sm_zk_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t attr;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
}

/* Wait on cv until deadline_us (monotonic); 0 on timeout, 1 otherwise. */
int
sm_zk_cond_wait_until(pthread_cond_t *cv, pthread_mutex_t *mu,
                      int64_t deadline_us)
{
    struct timespec ts;

    if (deadline_us < 0) {
        pthread_cond_wait(cv, mu);
        return 1;
    }
    ts.tv_sec = (time_t)(deadline_us / 1000000);
    ts.tv_nsec = (long)(deadline_us % 1000000) * 1000;
    return pthread_cond_timedwait(cv, mu, &ts) != ETIMEDOUT;
}

/* Kafka prints the Java client's state names; so do we. */
const char *
sm_zk_state_name(int state)
{
    if (state == ZOO_CONNECTED_STATE)
        return "CONNECTED";
    if (state == ZOO_ASSOCIATING_STATE)
        return "ASSOCIATING";
    if (state == ZOO_EXPIRED_SESSION_STATE)
        return "CLOSED (session expired)";
    if (state == ZOO_AUTH_FAILED_STATE)
        return "AUTH_FAILED";
    if (state == ZOO_READONLY_STATE)
        return "CONNECTEDREADONLY";
    return "CONNECTING";
}

int
sm_zk_closing(sm_zk_t *zk)
{
    int closing;

    pthread_mutex_lock(&zk->lock);
    closing = zk->closing;
    pthread_mutex_unlock(&zk->lock);
    return closing;
}

/* ------------------------------------------------------------ ZK logging */

/*
 * The C client's lines look like
 *   "2024-..:1234(0x7f..):ZOO_ERROR@handle_socket_error_msg@2034: Socket ..."
 * We keep the text after "@<line>: " and log ZooKeeper's ERROR as WARN and
 * anything lower as INFO: the library is noisy while a server is down, and
 * samsa logs the consequences itself.
 */
#define SM_ZK_LOG_SLOTS 8

/* Lines logged recently, for rate limiting (a small LRU table). */
static struct {
    pthread_mutex_t mu;
    struct {
        char text[256];
        int64_t ms;             /* when it was last logged */
        int repeats;            /* swallowed since */
    } slot[SM_ZK_LOG_SLOTS];
} sm_zk_log_rl = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* While a server is down the C client repeats the same few lines on every
 * connection attempt (10 a second): log each again only after 10 s, with
 * a count.  Returns 1 to swallow the line. */
static int
sm_zk_log_repeat(const char *text, size_t len, int *repeats)
{
    int64_t now = sm_mono_ms();
    int i, lru = 0, swallow = 0;

    if (len >= sizeof(sm_zk_log_rl.slot[0].text))
        len = sizeof(sm_zk_log_rl.slot[0].text) - 1;
    pthread_mutex_lock(&sm_zk_log_rl.mu);
    for (i = 0; i < SM_ZK_LOG_SLOTS; i++) {
        if (strncmp(sm_zk_log_rl.slot[i].text, text, len) == 0 &&
            sm_zk_log_rl.slot[i].text[len] == '\0')
            break;
        if (sm_zk_log_rl.slot[i].ms < sm_zk_log_rl.slot[lru].ms)
            lru = i;
    }
    if (i < SM_ZK_LOG_SLOTS && now - sm_zk_log_rl.slot[i].ms < 10000) {
        sm_zk_log_rl.slot[i].repeats++;
        swallow = 1;
    } else if (i < SM_ZK_LOG_SLOTS) {
        *repeats = sm_zk_log_rl.slot[i].repeats;
        sm_zk_log_rl.slot[i].repeats = 0;
        sm_zk_log_rl.slot[i].ms = now;
    } else {
        memcpy(sm_zk_log_rl.slot[lru].text, text, len);
        sm_zk_log_rl.slot[lru].text[len] = '\0';
        sm_zk_log_rl.slot[lru].ms = now;
        sm_zk_log_rl.slot[lru].repeats = 0;
    }
    pthread_mutex_unlock(&sm_zk_log_rl.mu);
    return swallow;
}

static void
sm_zk_log_line(const char *msg, size_t len)
{
    const char *lvl = memmem(msg, len, ":ZOO_", 5);
    const char *text = msg;
    int level = SM_LOG_INFO, repeats = 0;

    if (lvl != NULL) {
        if (strncmp(lvl, ":ZOO_ERROR@", 11) == 0)
            level = SM_LOG_WARN;
        const char *sep = memmem(lvl, len - (size_t)(lvl - msg), ": ", 2);
        if (sep != NULL)
            text = sep + 2;
    }
    len -= (size_t)(text - msg);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    if (len == 0 || level > sm_log_level ||
        sm_zk_log_repeat(text, len, &repeats))
        return;
    if (repeats > 0)
        sm_log(level, "zk.client", "%.*s (%d more times in the last 10 s)",
               (int)len, text, repeats);
    else
        sm_log(level, "zk.client", "%.*s", (int)len, text);
}

static void
sm_zk_log_cb(const char *msg)
{
    sm_zk_log_line(msg, strlen(msg));
}

static ssize_t
sm_zk_log_stream_write(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    sm_zk_log_line(buf, size);
    return (ssize_t)size;
}

static pthread_once_t sm_zk_log_once = PTHREAD_ONCE_INIT;

/* Lines logged before a handle exists go to the library-wide stream: turn
 * that into samsa's log too. */
static void
sm_zk_log_init(void)
{
    static const cookie_io_functions_t io = {
        .write = sm_zk_log_stream_write,
    };
    FILE *f = fopencookie(NULL, "w", io);

    if (f != NULL) {
        setvbuf(f, NULL, _IOLBF, 0);
        zoo_set_log_stream(f);
    }
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
}

/* ------------------------------------------------------------ events */

const char *
sm_zk_ev_name(sm_zk_ev_type_t type)
{
    switch (type) {
    case SM_ZK_EV_NODE_CREATED:          return "NODE_CREATED";
    case SM_ZK_EV_NODE_DELETED:          return "NODE_DELETED";
    case SM_ZK_EV_NODE_DATA_CHANGED:     return "NODE_DATA_CHANGED";
    case SM_ZK_EV_NODE_CHILDREN_CHANGED: return "NODE_CHILDREN_CHANGED";
    case SM_ZK_EV_DISCONNECTED:          return "DISCONNECTED";
    case SM_ZK_EV_CONNECTED:             return "CONNECTED";
    case SM_ZK_EV_SESSION_EXPIRED:       return "SESSION_EXPIRED";
    case SM_ZK_EV_SESSION_ESTABLISHED:   return "SESSION_ESTABLISHED";
    case SM_ZK_EV_AUTH_FAILED:           return "AUTH_FAILED";
    }
    return "UNKNOWN";
}

/* Append an event; zk->lock held.  Returns 1 (the caller notifies after
 * unlocking) or 0 before start-up finished. */
static int
sm_zk_queue_locked(sm_zk_t *zk, sm_zk_ev_type_t type, const char *path)
{
    sm_zk_event_t *ev;

    if (!zk->started || zk->closing)
        return 0;
    ev = sm_calloc(1, sizeof(*ev));
    ev->type = type;
    ev->path = path ? sm_strdup(path) : NULL;
    ev->generation = zk->gen;
    *zk->ev_tail = ev;
    zk->ev_tail = &ev->next;
    pthread_cond_broadcast(&zk->ev_cv);
    return 1;
}

/* Call the hook with notify_lock held, so that sm_zk_set_notify() can
 * promise that a replaced hook is no longer running. */
static void
sm_zk_notify(sm_zk_t *zk)
{
    pthread_mutex_lock(&zk->notify_lock);
    if (zk->notify != NULL)
        zk->notify(zk->notify_arg);
    pthread_mutex_unlock(&zk->notify_lock);
}

sm_zk_event_t *
sm_zk_event_poll(sm_zk_t *zk, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? -1 :
                       sm_mono_us() + (int64_t)timeout_ms * 1000;
    sm_zk_event_t *ev;

    pthread_mutex_lock(&zk->lock);
    while (zk->ev_head == NULL && !zk->closing && timeout_ms != 0) {
        if (!sm_zk_cond_wait_until(&zk->ev_cv, &zk->lock, deadline))
            break;
    }
    ev = zk->ev_head;
    if (ev != NULL) {
        zk->ev_head = ev->next;
        if (zk->ev_head == NULL)
            zk->ev_tail = &zk->ev_head;
        ev->next = NULL;
    }
    pthread_mutex_unlock(&zk->lock);
    return ev;
}

void
sm_zk_event_destroy(sm_zk_event_t *ev)
{
    if (ev == NULL)
        return;
    sm_free(ev->path);
    sm_free(ev);
}

void
sm_zk_set_notify(sm_zk_t *zk, void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&zk->notify_lock);
    zk->notify = fn;
    zk->notify_arg = arg;
    pthread_mutex_unlock(&zk->notify_lock);
}

sm_err_t
sm_zk_on_session(sm_zk_t *zk, void (*fn)(sm_zk_t *zk, void *arg), void *arg)
{
    sm_err_t err = SM_OK;

    pthread_mutex_lock(&zk->lock);
    if (zk->handler_cnt == SM_ZK_MAX_HANDLERS) {
        err = SM_ERR__NOSPC;
    } else {
        zk->handlers[zk->handler_cnt].fn = fn;
        zk->handlers[zk->handler_cnt].arg = arg;
        zk->handler_cnt++;
    }
    pthread_mutex_unlock(&zk->lock);
    return err;
}

/* ------------------------------------------------------------ watcher */

static sm_zk_ev_type_t
sm_zk_node_ev(int type)
{
    if (type == ZOO_CREATED_EVENT)
        return SM_ZK_EV_NODE_CREATED;
    if (type == ZOO_DELETED_EVENT)
        return SM_ZK_EV_NODE_DELETED;
    if (type == ZOO_CHANGED_EVENT)
        return SM_ZK_EV_NODE_DATA_CHANGED;
    if (type == ZOO_CHILD_EVENT)
        return SM_ZK_EV_NODE_CHILDREN_CHANGED;
    return 0;
}

/* A session event for the current generation; zk->lock held.  Returns 1
 * if an event was queued. */
static int
sm_zk_session_event_locked(sm_zk_t *zk, zhandle_t *zh, int state)
{
    int prev = zk->state, queued = 0;

    zk->state = state;
    if (state == ZOO_CONNECTED_STATE) {
        const clientid_t *cid = zoo_client_id(zh);
        zk->session_id = cid ? cid->client_id : 0;
        if (zk->gen_connected && prev != ZOO_CONNECTED_STATE)
            queued = sm_zk_queue_locked(zk, SM_ZK_EV_CONNECTED, NULL);
        zk->gen_connected = 1;
    } else if (state == ZOO_EXPIRED_SESSION_STATE ||
               state == ZOO_AUTH_FAILED_STATE) {
        zk->expired = 1;
        queued = sm_zk_queue_locked(zk, state == ZOO_AUTH_FAILED_STATE ?
                                    SM_ZK_EV_AUTH_FAILED :
                                    SM_ZK_EV_SESSION_EXPIRED, NULL);
    } else if (prev == ZOO_CONNECTED_STATE) {
        queued = sm_zk_queue_locked(zk, SM_ZK_EV_DISCONNECTED, NULL);
    }
    pthread_cond_broadcast(&zk->state_cv);
    return queued;
}

/*
 * The global watcher of every handle.  Runs on the C client's completion
 * thread: it records state and queues events, nothing else (STYLE.md §6).
 */
static void
sm_zk_watcher(zhandle_t *zh, int type, int state, const char *path,
              void *ctx)
{
    sm_zk_sess_t *sess = ctx;
    sm_zk_t *zk = sess->zk;
    int queued = 0;

    pthread_mutex_lock(&zk->lock);
    if (sess->gen == zk->gen) {
        if (type == ZOO_SESSION_EVENT) {
            queued = sm_zk_session_event_locked(zk, zh, state);
        } else if (sm_zk_node_ev(type) != 0 && path != NULL) {
            queued = sm_zk_queue_locked(zk, sm_zk_node_ev(type), path);
        }
    }
    pthread_mutex_unlock(&zk->lock);
    if (queued)
        sm_zk_notify(zk);
}

/* ------------------------------------------------------------ sessions */

/* Open a new handle for generation gen; NULL (errno) if the C client
 * refused (e.g. unresolvable host). */
static zhandle_t *
sm_zk_open_handle(sm_zk_t *zk, uint64_t gen, sm_zk_sess_t **sessp)
{
    sm_zk_sess_t *sess = sm_calloc(1, sizeof(*sess));
    zhandle_t *zh;

    sess->zk = zk;
    sess->gen = gen;
    zh = zookeeper_init2(zk->connect, sm_zk_watcher, zk->session_timeout_ms,
                         NULL, sess, 0, sm_zk_log_cb);
    if (zh == NULL) {
        sm_free(sess);
        return NULL;
    }
    *sessp = sess;
    return zh;
}

/* Close the current handle and open the next generation's, retrying every
 * second until the C client accepts (or the client is closing). */
static void
sm_zk_replace_handle(sm_zk_t *zk)
{
    sm_zk_sess_t *sess = NULL;
    zhandle_t *old, *zh = NULL;
    uint64_t gen;

    pthread_rwlock_wrlock(&zk->zh_lock);
    old = zk->zh;
    sess = zk->sess;
    zk->zh = NULL;
    zk->sess = NULL;
    pthread_mutex_lock(&zk->lock);
    gen = ++zk->gen;
    zk->state = 0;
    zk->expired = 0;
    zk->gen_connected = 0;
    zk->session_id = 0;
    pthread_mutex_unlock(&zk->lock);
    pthread_rwlock_unlock(&zk->zh_lock);

    if (old != NULL)
        zookeeper_close(old);
    sm_free(sess);
    while (!sm_zk_closing(zk)) {
        zh = sm_zk_open_handle(zk, gen, &sess);
        if (zh != NULL)
            break;
        sm_warn("zk", "zookeeper_init(%s) failed: %s; retrying in 1 s",
                zk->connect, strerror(errno));
        sleep(1);
    }
    pthread_rwlock_wrlock(&zk->zh_lock);
    zk->zh = zh;
    zk->sess = zh ? sess : NULL;
    pthread_rwlock_unlock(&zk->zh_lock);
}

/* After a replacement: wait for the new session, then announce it and run
 * the handlers (1).  Returns 0 without doing so if the client is closing or
 * the new session died before connecting. */
static int
sm_zk_after_reinit(sm_zk_t *zk)
{
    sm_zk_handler_t handlers[SM_ZK_MAX_HANDLERS];
    int n, queued;
    int64_t sid;

    pthread_mutex_lock(&zk->lock);
    while (!zk->closing && !zk->expired && zk->state != ZOO_CONNECTED_STATE)
        pthread_cond_wait(&zk->state_cv, &zk->lock);
    if (zk->closing || zk->expired) {
        pthread_mutex_unlock(&zk->lock);
        return 0;
    }
    sid = zk->session_id;
    n = zk->handler_cnt;
    memcpy(handlers, zk->handlers, sizeof(handlers[0]) * (size_t)n);
    pthread_mutex_unlock(&zk->lock);

    sm_info("zk", "New ZooKeeper session 0x%llx established to %s",
            (unsigned long long)sid, zk->connect);
    for (int i = 0; i < n; i++)
        handlers[i].fn(zk, handlers[i].arg);
    /* announced after the handlers, so a consumer that sees it knows the
     * ephemeral znodes are back */
    pthread_mutex_lock(&zk->lock);
    queued = sm_zk_queue_locked(zk, SM_ZK_EV_SESSION_ESTABLISHED, NULL);
    pthread_mutex_unlock(&zk->lock);
    if (queued)
        sm_zk_notify(zk);
    return 1;
}

/* The reinit thread (Kafka's zk-client reinit scheduler). */
static void *
sm_zk_reinit_main(void *arg)
{
    sm_zk_t *zk = arg;
    int64_t sid;

    for (;;) {
        pthread_mutex_lock(&zk->lock);
        while (!zk->closing && !zk->expired)
            pthread_cond_wait(&zk->state_cv, &zk->lock);
        sid = zk->session_id;
        if (zk->closing) {
            pthread_mutex_unlock(&zk->lock);
            break;
        }
        pthread_mutex_unlock(&zk->lock);
        sm_info("zk", "ZooKeeper session 0x%llx to %s expired; "
                "initializing a new session", (unsigned long long)sid,
                zk->connect);
        sm_zk_replace_handle(zk);
        if (!sm_zk_after_reinit(zk) && !sm_zk_closing(zk))
            sleep(1);   /* e.g. auth failed again: Kafka's retry backoff */
    }
    return NULL;
}

/* ------------------------------------------------------------ lifecycle */

static sm_zk_t *
sm_zk_alloc(const sm_zk_conf_t *conf)
{
    sm_zk_t *zk = sm_calloc(1, sizeof(*zk));
    int st = conf->session_timeout_ms > 0 ? conf->session_timeout_ms : 18000;
    int ct = conf->connection_timeout_ms > 0 ? conf->connection_timeout_ms
                                             : st;

    zk->connect = sm_strdup(conf->connect);
    zk->session_timeout_ms = st;
    zk->connection_timeout_ms = ct;
    zk->op_timeout_ms = conf->op_timeout_ms > 0 ? conf->op_timeout_ms
                                                : (st > ct ? st : ct);
    pthread_rwlock_init(&zk->zh_lock, NULL);
    pthread_mutex_init(&zk->lock, NULL);
    pthread_mutex_init(&zk->notify_lock, NULL);
    sm_zk_cond_init(&zk->state_cv);
    sm_zk_cond_init(&zk->ev_cv);
    zk->ev_tail = &zk->ev_head;
    zk->gen = 1;
    return zk;
}

/*
 * Open the first session to conf->connect (no chroot handling) and wait
 * for it up to the connection timeout.
 */
static sm_err_t
sm_zk_open(const sm_zk_conf_t *conf, const char *shown, sm_zk_t **zkp,
           char *errstr, size_t errstr_size)
{
    sm_zk_t *zk = sm_zk_alloc(conf);
    int64_t deadline = sm_mono_us() +
                       (int64_t)zk->connection_timeout_ms * 1000;
    int state;

    sm_info("zk", "Initializing a new session to %s", zk->connect);
    zk->zh = sm_zk_open_handle(zk, zk->gen, &zk->sess);
    if (zk->zh == NULL) {
        snprintf(errstr, errstr_size, "cannot initialize ZooKeeper client "
                 "for zookeeper.connect=%s: %s", shown, strerror(errno));
        sm_zk_destroy(zk);
        return SM_ERR__CONFIG;
    }
    pthread_mutex_lock(&zk->lock);
    while (zk->state != ZOO_CONNECTED_STATE && !zk->expired) {
        if (!sm_zk_cond_wait_until(&zk->state_cv, &zk->lock, deadline))
            break;
    }
    state = zk->state;
    zk->started = state == ZOO_CONNECTED_STATE;
    pthread_mutex_unlock(&zk->lock);
    if (state != ZOO_CONNECTED_STATE) {
        snprintf(errstr, errstr_size, "Timed out waiting for connection "
                 "while in state: %s (zookeeper.connect=%s, "
                 "zookeeper.connection.timeout.ms=%d)",
                 sm_zk_state_name(state), shown, zk->connection_timeout_ms);
        sm_zk_destroy(zk);
        return SM_ERR__ZK_UNAVAILABLE;
    }
    if (pthread_create(&zk->reinit_thr, NULL, sm_zk_reinit_main, zk) != 0)
        sm_assert(!"pthread_create(zk reinit) failed");
    zk->reinit_running = 1;
    sm_info("zk", "Connected to %s: session 0x%llx, timeout %d ms",
            zk->connect, (unsigned long long)sm_zk_session_id(zk),
            zoo_recv_timeout(zk->zh));
    *zkp = zk;
    return SM_OK;
}

/* Split "h1:2181,h2:2181/chroot": *chroot points into connect ("" if
 * none).  -1 for a malformed chroot. */
static int
sm_zk_split_chroot(const char *connect, size_t *hosts_len,
                   const char **chroot)
{
    const char *slash = strchr(connect, '/');

    *chroot = slash ? slash : "";
    *hosts_len = slash ? (size_t)(slash - connect) : strlen(connect);
    if (*hosts_len == 0)
        return -1;
    if (slash == NULL || strcmp(slash, "/") == 0)
        return 0;
    if (slash[strlen(slash) - 1] == '/' || strstr(slash, "//") != NULL)
        return -1;
    return 0;
}

sm_err_t
sm_zk_new(const sm_zk_conf_t *conf, sm_zk_t **zkp, char *errstr,
          size_t errstr_size)
{
    const char *chroot;
    size_t hosts_len;
    sm_zk_conf_t sub;
    sm_zk_t *tmp;
    sm_err_t err;

    pthread_once(&sm_zk_log_once, sm_zk_log_init);
    *zkp = NULL;
    if (conf->connect == NULL ||
        sm_zk_split_chroot(conf->connect, &hosts_len, &chroot) != 0) {
        snprintf(errstr, errstr_size, "invalid zookeeper.connect \"%s\"",
                 conf->connect ? conf->connect : "");
        return SM_ERR__CONFIG;
    }
    if (*chroot != '\0' && strcmp(chroot, "/") != 0) {
        /* Kafka's initZkClient: make sure the chroot exists, using a
         * client without it */
        sub = *conf;
        sub.connect = sm_strndup(conf->connect, hosts_len);
        err = sm_zk_open(&sub, conf->connect, &tmp, errstr, errstr_size);
        if (err == SM_OK) {
            err = sm_zk_ensure_path(tmp, chroot);
            if (err != SM_OK)
                snprintf(errstr, errstr_size, "cannot create chroot %s on "
                         "%s: %s", chroot, sub.connect, sm_err_desc(err));
            else
                sm_info("zk", "Created zookeeper path %s", chroot);
            sm_zk_destroy(tmp);
        }
        sm_free((char *)sub.connect);
        if (err != SM_OK)
            return err;
    }
    return sm_zk_open(conf, conf->connect, zkp, errstr, errstr_size);
}

void
sm_zk_destroy(sm_zk_t *zk)
{
    sm_zk_event_t *ev;
    zhandle_t *zh;

    if (zk == NULL)
        return;
    pthread_mutex_lock(&zk->lock);
    zk->closing = 1;
    pthread_cond_broadcast(&zk->state_cv);
    pthread_cond_broadcast(&zk->ev_cv);
    pthread_mutex_unlock(&zk->lock);
    if (zk->reinit_running)
        pthread_join(zk->reinit_thr, NULL);

    pthread_rwlock_wrlock(&zk->zh_lock);
    zh = zk->zh;
    zk->zh = NULL;
    pthread_rwlock_unlock(&zk->zh_lock);
    if (zh != NULL)
        zookeeper_close(zh);
    sm_free(zk->sess);

    while ((ev = zk->ev_head) != NULL) {
        zk->ev_head = ev->next;
        sm_zk_event_destroy(ev);
    }
    pthread_cond_destroy(&zk->state_cv);
    pthread_cond_destroy(&zk->ev_cv);
    pthread_mutex_destroy(&zk->lock);
    pthread_mutex_destroy(&zk->notify_lock);
    pthread_rwlock_destroy(&zk->zh_lock);
    sm_free(zk->connect);
    sm_free(zk);
}

const char *
sm_zk_connect_string(const sm_zk_t *zk)
{
    return zk->connect;
}

int64_t
sm_zk_session_id(sm_zk_t *zk)
{
    int64_t sid;

    pthread_mutex_lock(&zk->lock);
    sid = zk->expired ? 0 : zk->session_id;
    pthread_mutex_unlock(&zk->lock);
    return sid;
}

int
sm_zk_is_connected(sm_zk_t *zk)
{
    int ok;

    pthread_mutex_lock(&zk->lock);
    ok = zk->state == ZOO_CONNECTED_STATE && !zk->expired;
    pthread_mutex_unlock(&zk->lock);
    return ok;
}

uint64_t
sm_zk_generation(sm_zk_t *zk)
{
    uint64_t gen;

    pthread_mutex_lock(&zk->lock);
    gen = zk->gen;
    pthread_mutex_unlock(&zk->lock);
    return gen;
}

/* ------------------------------------------------------------ testing */

typedef struct sm_zk_twin {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int connected;
} sm_zk_twin_t;

static void
sm_zk_twin_watcher(zhandle_t *zh, int type, int state, const char *path,
                   void *ctx)
{
    sm_zk_twin_t *twin = ctx;

    (void)zh;
    (void)path;
    if (type != ZOO_SESSION_EVENT)
        return;
    pthread_mutex_lock(&twin->mu);
    twin->connected = state == ZOO_CONNECTED_STATE;
    pthread_cond_broadcast(&twin->cv);
    pthread_mutex_unlock(&twin->mu);
}

/* One attempt: connect a twin handle with our credentials, then close it,
 * which closes the session on the server. */
static int
sm_zk_twin_close(sm_zk_t *zk, const clientid_t *cid)
{
    sm_zk_twin_t twin = { .connected = 0 };
    int64_t deadline = sm_mono_us() +
                       (int64_t)zk->connection_timeout_ms * 1000;
    zhandle_t *zh;
    int ok;

    pthread_mutex_init(&twin.mu, NULL);
    sm_zk_cond_init(&twin.cv);
    zh = zookeeper_init2(zk->connect, sm_zk_twin_watcher,
                         zk->session_timeout_ms, cid, &twin, 0,
                         sm_zk_log_cb);
    if (zh != NULL) {
        pthread_mutex_lock(&twin.mu);
        while (!twin.connected &&
               sm_zk_cond_wait_until(&twin.cv, &twin.mu, deadline))
            ;
        pthread_mutex_unlock(&twin.mu);
        zookeeper_close(zh);
    }
    ok = twin.connected;
    pthread_cond_destroy(&twin.cv);
    pthread_mutex_destroy(&twin.mu);
    return ok;
}

sm_err_t
sm_zk_expire_session_for_test(sm_zk_t *zk)
{
    uint64_t gen = sm_zk_generation(zk);
    clientid_t cid;
    int seen = 0, have = 0;

    pthread_rwlock_rdlock(&zk->zh_lock);
    if (zk->zh != NULL) {
        cid = *zoo_client_id(zk->zh);
        have = 1;
    }
    pthread_rwlock_unlock(&zk->zh_lock);
    if (!have)
        return SM_ERR__STATE;
    /* our own client may win the session back before the twin closes
     * it; try again until the expiry is seen (bounded) */
    for (int attempt = 0; attempt < 5 && !seen; attempt++) {
        int64_t deadline = sm_mono_us() + 3000000;
        sm_zk_twin_close(zk, &cid);
        pthread_mutex_lock(&zk->lock);
        while (!zk->expired && zk->gen == gen &&
               sm_zk_cond_wait_until(&zk->state_cv, &zk->lock, deadline))
            ;
        seen = zk->expired || zk->gen != gen;
        pthread_mutex_unlock(&zk->lock);
    }
    return seen ? SM_OK : SM_ERR__TIMED_OUT;
}
