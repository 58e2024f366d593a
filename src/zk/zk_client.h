/*
 * zk_client.h: samsa's ZooKeeper client - Kafka's kafka.zookeeper package.
 *
 * A thin, blocking wrapper over the multi-threaded ZooKeeper C client.  It
 * is the only code in samsa that includes <zookeeper/zookeeper.h>; ZooKeeper
 * return codes stop here and callers see sm_err_t.  Znode paths and payloads
 * are spelled by zk_paths.h, Kafka's operations live in kafka_zk.h.
 *
 * API:
 *   sm_zk_new / sm_zk_destroy      connect (creating the chroot if missing,
 *                                  as Kafka does), wait for the session up to
 *                                  zookeeper.connection.timeout.ms
 *   sm_zk_create/get/set/delete/exists/get_children/multi
 *                                  synchronous operations, each bounded by
 *                                  the operation timeout (conf.op_timeout_ms)
 *   sm_zk_create_parents, sm_zk_ensure_path, sm_zk_delete_recursive
 *                                  Kafka's createRecursive /
 *                                  makeSurePersistentPathExists /
 *                                  deleteRecursive
 *   sm_zk_event_poll               watch and session events, in order
 *   sm_zk_set_notify               "an event was queued" hook (ev_async_send)
 *   sm_zk_on_session               handlers run after an expired session was
 *                                  replaced by a new one
 *
 * THREADS.  The C client runs two threads of its own per handle: an I/O
 * thread and a completion thread that runs watchers and completions.  Those
 * callbacks here only copy what they got into a queue or a waiting call and
 * signal (STYLE.md §6); they never call back into ZooKeeper.  Operations are
 * called from any samsa thread (controller, request handlers, start-up, the
 * session handlers) and block that thread for at most op_timeout_ms.  Events
 * are consumed by one thread (the controller's event loop) with
 * sm_zk_event_poll(); the notify hook runs on the ZooKeeper completion
 * thread and must not block (ev_async_send() is the intended use).
 *
 * SESSIONS.  A disconnect is not an error: operations wait (bounded) for
 * the client to reconnect and are retried, the same session resumes, and
 * SM_ZK_EV_DISCONNECTED / SM_ZK_EV_CONNECTED are queued.  When the server
 * declares the session expired, its ephemeral znodes and all watches are
 * gone.  SM_ZK_EV_SESSION_EXPIRED is queued and an internal "reinit"
 * thread closes the dead handle and opens a new one (Kafka's
 * ZooKeeperClient.reinitialize), retrying until it connects.  Then it
 * queues SM_ZK_EV_SESSION_ESTABLISHED and calls every sm_zk_on_session()
 * handler on the reinit thread, so the broker can re-register
 * /brokers/ids/<id> and the controller can re-read its state and re-arm its
 * watches, without a process restart.
 *
 * RETRIES.  Like Kafka's retryRequestsUntilConnected, an operation that
 * fails with a lost connection (or an expired session) is retried on the
 * next connection until the deadline.  A write whose reply was lost may
 * therefore have been applied: a retried create can return SM_ERR__EXISTS
 * and a retried conditional set SM_ERR__BAD_VERSION.  Callers that care
 * (controller registration, broker registration) re-read and check, as
 * Kafka does.
 *
 * ERRORS.  SM_OK; SM_ERR__NOENT (no node); SM_ERR__EXISTS (node exists);
 * SM_ERR__BAD_VERSION (conditional set/delete/check lost);
 * SM_ERR__STATE (delete of a node with children);
 * SM_ERR__ZK_UNAVAILABLE (no connected session, or no reply, before the
 * deadline - logged with the connect string, the operation, the path and
 * the session state); SM_ERR__ZK_SESSION_EXPIRED (the deadline passed
 * while the session was expired and not yet replaced);
 * SM_ERR_OPERATION_NOT_ATTEMPTED (multi: an op rolled back because another
 * op failed); SM_ERR__INVALID_ARG (bad path); SM_ERR__IO (anything else,
 * logged with ZooKeeper's own error text).
 *
 * ACLs: every znode is created world-open (Kafka without
 * zookeeper.set.acl); secure ACLs are not implemented.
 */
#ifndef SM_ZK_ZK_CLIENT_H
#define SM_ZK_ZK_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_err.h"

typedef struct sm_zk sm_zk_t;

/* Match any znode version in set/delete (ZooKeeper's -1). */
#define SM_ZK_ANY_VERSION (-1)

typedef struct sm_zk_conf {
    const char *connect;        /* zookeeper.connect:
                                 * "h1:2181,h2:2181/chroot" */
    int session_timeout_ms;     /* zookeeper.session.timeout.ms
                                 * (Kafka 2.8: 18000) */
    int connection_timeout_ms;  /* zookeeper.connection.timeout.ms; <= 0: the
                                 * session timeout, as in Kafka */
    int op_timeout_ms;          /* bound on one operation, including waiting
                                 * for a connection; <= 0: the larger of the
                                 * two timeouts above */
} sm_zk_conf_t;

/* The znode Stat, field for field (org.apache.zookeeper.data.Stat). */
typedef struct sm_zk_stat {
    int64_t czxid;              /* zxid of the create: Kafka's broker epoch */
    int64_t mzxid;
    int64_t ctime;
    int64_t mtime;              /* ms; config change notification expiry */
    int32_t version;            /* dataVersion: Kafka's zkVersion */
    int32_t cversion;
    int32_t aversion;
    int64_t ephemeral_owner;    /* session id, 0 for persistent nodes */
    int32_t data_length;
    int32_t num_children;
    int64_t pzxid;
} sm_zk_stat_t;

typedef enum sm_zk_mode {
    SM_ZK_PERSISTENT = 0,
    SM_ZK_EPHEMERAL,
    SM_ZK_PERSISTENT_SEQUENTIAL,
    SM_ZK_EPHEMERAL_SEQUENTIAL,
} sm_zk_mode_t;

/* A heap array of heap strings (child names).  sm_zk_strings_fini() frees. */
typedef struct sm_zk_strings {
    char **v;
    int cnt;
} sm_zk_strings_t;

void sm_zk_strings_fini(sm_zk_strings_t *s);

/*
 * Connect.  conf->connect may end in a chroot ("/kafka"), which is created
 * (with its parents) if missing.  Waits for a connected session up to the
 * connection timeout; on failure returns SM_ERR__ZK_UNAVAILABLE (or
 * SM_ERR__CONFIG for a malformed connect string) with a message in errstr
 * naming the connect string and the state, e.g. "Timed out waiting for
 * connection while in state: CONNECTING (zookeeper.connect=h:2181)".
 * On success *zkp is the client; the caller destroys it.
 */
sm_err_t sm_zk_new(const sm_zk_conf_t *conf, sm_zk_t **zkp,
                   char *errstr, size_t errstr_size);

/* Close the session (its ephemeral znodes go away at once) and free
 * everything, including undrained events.  No operation may be running in
 * another thread. */
void sm_zk_destroy(sm_zk_t *zk);

/* The connect string as configured (with the chroot). */
const char *sm_zk_connect_string(const sm_zk_t *zk);
/* Current session id (0 while no session is established). */
int64_t sm_zk_session_id(sm_zk_t *zk);
/* 1 if the current session is connected. */
int sm_zk_is_connected(sm_zk_t *zk);
/* Session generation: 1 for the first session, +1 per replacement after an
 * expiry.  Events carry the generation they belong to. */
uint64_t sm_zk_generation(sm_zk_t *zk);

/* ------------------------------------------------------------ operations */

/*
 * Create path with data (len bytes; data NULL and len -1 for a znode with no
 * data, as Kafka's null).  For sequential modes *created receives the actual
 * path (heap, caller frees); it may be NULL.  stat (may be NULL) receives
 * the new znode's Stat.
 */
sm_err_t sm_zk_create(sm_zk_t *zk, const char *path, const void *data,
                      int len, sm_zk_mode_t mode, char **created,
                      sm_zk_stat_t *stat);

/*
 * Read path.  *data is a heap copy of the znode's bytes followed by a NUL
 * (so JSON can be handed to a parser directly), or NULL with *len = -1 for
 * a znode without data; the caller frees it.  data/len/stat may be NULL.
 * watch != 0 leaves a data watch (fires SM_ZK_EV_NODE_DATA_CHANGED or
 * _DELETED once).  A watch on a missing node needs sm_zk_exists().
 */
sm_err_t sm_zk_get(sm_zk_t *zk, const char *path, int watch, char **data,
                   int *len, sm_zk_stat_t *stat);

/* Write path's data if its version is `version` (SM_ZK_ANY_VERSION: any).
 * stat (may be NULL) receives the new Stat (new version). */
sm_err_t sm_zk_set(sm_zk_t *zk, const char *path, const void *data, int len,
                   int32_t version, sm_zk_stat_t *stat);

/* Delete path if its version is `version` (SM_ZK_ANY_VERSION: any). */
sm_err_t sm_zk_delete(sm_zk_t *zk, const char *path, int32_t version);

/* SM_OK (stat filled if not NULL) or SM_ERR__NOENT.  watch != 0 leaves an
 * exists watch either way (fires _CREATED, _DELETED or _DATA_CHANGED). */
sm_err_t sm_zk_exists(sm_zk_t *zk, const char *path, int watch,
                      sm_zk_stat_t *stat);

/* Children of path, sorted (so sequential children come in sequence
 * order).  watch != 0 leaves a child watch (_CHILDREN_CHANGED). */
sm_err_t sm_zk_get_children(sm_zk_t *zk, const char *path, int watch,
                            sm_zk_strings_t *out);

/* ------------------------------------------------------------ multi */

typedef enum sm_zk_op_type {
    SM_ZK_OP_CREATE = 1,
    SM_ZK_OP_DELETE,
    SM_ZK_OP_SET,
    SM_ZK_OP_CHECK,
} sm_zk_op_type_t;

/*
 * One operation of an atomic multi (ZooKeeper transaction).  Inputs are
 * borrowed for the duration of sm_zk_multi(); results are written back:
 * err per op, stat for SET, created (heap, free with sm_zk_ops_fini) for
 * CREATE.
 */
typedef struct sm_zk_op {
    sm_zk_op_type_t type;
    const char *path;
    const void *data;           /* CREATE, SET; NULL + len -1: no data */
    int len;
    sm_zk_mode_t mode;          /* CREATE */
    int32_t version;            /* DELETE, SET, CHECK */
    /* results */
    sm_err_t err;
    sm_zk_stat_t stat;          /* SET */
    char *created;              /* CREATE */
} sm_zk_op_t;

void sm_zk_op_create(sm_zk_op_t *op, const char *path, const void *data,
                     int len, sm_zk_mode_t mode);
void sm_zk_op_delete(sm_zk_op_t *op, const char *path, int32_t version);
void sm_zk_op_set(sm_zk_op_t *op, const char *path, const void *data,
                  int len, int32_t version);
void sm_zk_op_check(sm_zk_op_t *op, const char *path, int32_t version);
/* Free the results (created paths) of cnt ops. */
void sm_zk_ops_fini(sm_zk_op_t *ops, int cnt);

/*
 * Run cnt ops atomically.  SM_OK if all succeeded; otherwise the error of
 * the first failing op (ops[i].err tells which; the others read
 * SM_ERR_OPERATION_NOT_ATTEMPTED) and nothing was applied.  Connection
 * errors are returned with every ops[i].err set to that error.
 */
sm_err_t sm_zk_multi(sm_zk_t *zk, sm_zk_op_t *ops, int cnt);

/* ------------------------------------------------------------ helpers */

/*
 * Kafka's createRecursive: create path persistently with data, creating
 * missing parents with no data.  SM_ERR__EXISTS if path itself exists.
 */
sm_err_t sm_zk_create_parents(sm_zk_t *zk, const char *path,
                              const void *data, int len);

/* Kafka's makeSurePersistentPathExists: SM_OK if path exists afterwards. */
sm_err_t sm_zk_ensure_path(sm_zk_t *zk, const char *path);

/*
 * Kafka's deleteRecursive: delete path and everything below it, children
 * first, tolerating concurrent deletes.  SM_OK if it was deleted,
 * SM_ERR__NOENT if it did not exist.  Depth is bounded (64 levels).
 */
sm_err_t sm_zk_delete_recursive(sm_zk_t *zk, const char *path);

/* ------------------------------------------------------------ events */

typedef enum sm_zk_ev_type {
    SM_ZK_EV_NODE_CREATED = 1,      /* exists watch */
    SM_ZK_EV_NODE_DELETED,          /* data or exists watch */
    SM_ZK_EV_NODE_DATA_CHANGED,     /* data or exists watch */
    SM_ZK_EV_NODE_CHILDREN_CHANGED, /* child watch */
    SM_ZK_EV_DISCONNECTED,          /* connection lost; session may resume */
    SM_ZK_EV_CONNECTED,             /* same session resumed */
    SM_ZK_EV_SESSION_EXPIRED,       /* ephemerals and watches are gone */
    SM_ZK_EV_SESSION_ESTABLISHED,   /* a new session replaced the expired
                                     * one; on_session handlers have run */
    SM_ZK_EV_AUTH_FAILED,
} sm_zk_ev_type_t;

typedef struct sm_zk_event {
    struct sm_zk_event *next;   /* queue link (private) */
    sm_zk_ev_type_t type;
    char *path;                 /* node events: the path as watched (chroot
                                 * stripped); NULL for session events */
    uint64_t generation;        /* session generation the event belongs to */
} sm_zk_event_t;

/* "DATA_CHANGED", "SESSION_EXPIRED", ... */
const char *sm_zk_ev_name(sm_zk_ev_type_t type);

/*
 * Dequeue the oldest event, waiting up to timeout_ms (0: don't wait, < 0:
 * wait until one arrives or the client is destroyed).  NULL if none.  The
 * caller frees it with sm_zk_event_destroy().  Watches are one-shot: the
 * consumer re-reads the node with watch set to re-arm it.
 */
sm_zk_event_t *sm_zk_event_poll(sm_zk_t *zk, int timeout_ms);
void sm_zk_event_destroy(sm_zk_event_t *ev);

/*
 * Call fn(arg) after every event is queued.  Runs on a ZooKeeper thread
 * with only the hook's own lock held: it MUST NOT block or call into sm_zk
 * (use ev_async_send()).  Set before events matter; NULL to clear.  When
 * sm_zk_set_notify() returns, the previous hook is not running and will
 * not be called again, so its arg may be freed.
 */
void sm_zk_set_notify(sm_zk_t *zk, void (*fn)(void *arg), void *arg);

/*
 * Register fn(zk, arg) to run after a new session replaced an expired one
 * (Kafka's StateChangeHandler.afterInitializingSession).  It runs on the
 * client's reinit thread, which is not a ZooKeeper thread, so it may call
 * sm_zk operations (re-create ephemeral znodes); it should not block for
 * long, since it delays the other handlers.  Up to 16 handlers;
 * SM_ERR__NOSPC beyond that.
 */
sm_err_t sm_zk_on_session(sm_zk_t *zk, void (*fn)(sm_zk_t *zk, void *arg),
                          void *arg);

/*
 * Testing: make the server expire the current session, by connecting a
 * second handle with the same session id and password and closing it
 * (the classic ZooKeeper test trick).  Returns once the second handle was
 * closed; the expiry then reaches this client asynchronously.
 */
sm_err_t sm_zk_expire_session_for_test(sm_zk_t *zk);

#endif
