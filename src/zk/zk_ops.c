/*
 * zk_ops.c: the synchronous operations of zk_client.h (create, get, set,
 * delete, exists, get_children, multi and the recursive helpers).
 *
 * DESIGN.  Every operation uses the C client's asynchronous call and waits
 * for its completion with a deadline, instead of the synchronous calls,
 * which wait forever.  The waiting state lives in a sm_zk_call_t that both
 * sides hold a reference to: the waiter may give up at its deadline while
 * the completion is still owed, and whichever side finishes last frees it.
 * The C client calls every completion exactly once, with ZCLOSING when the
 * handle is closed, so nothing leaks.  Completions run on the C client's
 * completion thread and only copy their results into the call and signal.
 *
 * sm_zk_run() is the one loop every operation goes through: wait for a
 * connected session, submit under the handle's read lock, wait for the
 * completion, retry connection losses and expired sessions on the next
 * session until the operation's deadline (zk_client.h, RETRIES).  The one
 * place ZooKeeper return codes become sm_err_t is sm_zk_map().
 *
 * LOCKS.  zk->zh_lock (read) only around the submit call; call->mu in the
 * completions and the waiter.  No lock is held while waiting.
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

#define SM_ZK_PATH_BUF      1024    /* created-path buffer per multi op */
#define SM_ZK_RETRY_US      50000   /* pause before retrying a lost request */
#define SM_ZK_MAX_DEPTH     64      /* delete_recursive */

/* One outstanding request (see DESIGN). */
typedef struct sm_zk_call {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs;
    int done;
    int rc;
    struct Stat stat;
    int has_stat;
    char *data;
    int len;
    char *path;
    sm_zk_strings_t children;
    /* multi: filled by the C client before the completion runs */
    int nops;
    zoo_op_result_t *results;
    struct Stat *stats;
    char *bufs;
} sm_zk_call_t;

typedef int (*sm_zk_submit_fn)(zhandle_t *zh, const void *args,
                               sm_zk_call_t *call);

/* ------------------------------------------------------------ small bits */

static int
sm_zk_flags(sm_zk_mode_t mode)
{
    switch (mode) {
    case SM_ZK_EPHEMERAL:
        return ZOO_EPHEMERAL;
    case SM_ZK_PERSISTENT_SEQUENTIAL:
        return ZOO_PERSISTENT_SEQUENTIAL;
    case SM_ZK_EPHEMERAL_SEQUENTIAL:
        return ZOO_EPHEMERAL_SEQUENTIAL;
    default:
        return ZOO_PERSISTENT;
    }
}

static void
sm_zk_stat_copy(sm_zk_stat_t *dst, const struct Stat *src)
{
    dst->czxid = src->czxid;
    dst->mzxid = src->mzxid;
    dst->ctime = src->ctime;
    dst->mtime = src->mtime;
    dst->version = src->version;
    dst->cversion = src->cversion;
    dst->aversion = src->aversion;
    dst->ephemeral_owner = src->ephemeralOwner;
    dst->data_length = src->dataLength;
    dst->num_children = src->numChildren;
    dst->pzxid = src->pzxid;
}

/* The one place ZooKeeper return codes become sm_err_t. */
static sm_err_t
sm_zk_map(int rc)
{
    switch (rc) {
    case ZOK:
        return SM_OK;
    case ZNONODE:
        return SM_ERR__NOENT;
    case ZNODEEXISTS:
        return SM_ERR__EXISTS;
    case ZBADVERSION:
        return SM_ERR__BAD_VERSION;
    case ZNOTEMPTY:
        return SM_ERR__STATE;
    case ZBADARGUMENTS:
    case ZNOCHILDRENFOREPHEMERALS:
        return SM_ERR__INVALID_ARG;
    case ZRUNTIMEINCONSISTENCY:
        return SM_ERR_OPERATION_NOT_ATTEMPTED;
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
    case ZCLOSING:
    case ZINVALIDSTATE:
        return SM_ERR__ZK_UNAVAILABLE;
    case ZSESSIONEXPIRED:
        return SM_ERR__ZK_SESSION_EXPIRED;
    default:
        return SM_ERR__IO;
    }
}

/* Codes that mean "try again on the next connection". */
static int
sm_zk_rc_retriable(int rc)
{
    return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT ||
           rc == ZCLOSING || rc == ZINVALIDSTATE || rc == ZSESSIONEXPIRED;
}

/* Map rc for an operation's caller, logging the unexpected ones. */
static sm_err_t
sm_zk_result(sm_zk_t *zk, int rc, const char *what, const char *path)
{
    sm_err_t err = sm_zk_map(rc);

    if (err == SM_ERR__IO || err == SM_ERR__INVALID_ARG)
        sm_warn("zk", "ZooKeeper %s(%s) on %s failed: %s (%d)", what,
                path ? path : "", zk->connect, zerror(rc), rc);
    return err;
}

void
sm_zk_strings_fini(sm_zk_strings_t *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->cnt; i++)
        sm_free(s->v[i]);
    sm_free(s->v);
    s->v = NULL;
    s->cnt = 0;
}

/* ------------------------------------------------------------ calls */

static sm_zk_call_t *
sm_zk_call_new(void)
{
    sm_zk_call_t *call = sm_calloc(1, sizeof(*call));

    pthread_mutex_init(&call->mu, NULL);
    sm_zk_cond_init(&call->cv);
    call->refs = 2;             /* the waiter and the completion */
    call->len = -1;
    return call;
}

static void
sm_zk_call_release(sm_zk_call_t *call)
{
    int refs;

    pthread_mutex_lock(&call->mu);
    refs = --call->refs;
    pthread_mutex_unlock(&call->mu);
    if (refs > 0)
        return;
    pthread_mutex_destroy(&call->mu);
    pthread_cond_destroy(&call->cv);
    sm_free(call->data);
    sm_free(call->path);
    sm_zk_strings_fini(&call->children);
    sm_free(call->results);
    sm_free(call->stats);
    sm_free(call->bufs);
    sm_free(call);
}

/* Completion side: call->mu held by the caller of these two. */
static void
sm_zk_call_done_locked(sm_zk_call_t *call, int rc, const struct Stat *stat)
{
    call->rc = rc;
    if (stat != NULL) {
        call->stat = *stat;
        call->has_stat = 1;
    }
    call->done = 1;
    pthread_cond_signal(&call->cv);
}

static void
sm_zk_call_complete(sm_zk_call_t *call, int rc, const struct Stat *stat)
{
    pthread_mutex_lock(&call->mu);
    sm_zk_call_done_locked(call, rc, stat);
    pthread_mutex_unlock(&call->mu);
    sm_zk_call_release(call);
}

static void
sm_zk_void_done(int rc, const void *data)
{
    sm_zk_call_complete((sm_zk_call_t *)data, rc, NULL);
}

static void
sm_zk_stat_done(int rc, const struct Stat *stat, const void *data)
{
    sm_zk_call_complete((sm_zk_call_t *)data, rc, rc == ZOK ? stat : NULL);
}

static void
sm_zk_data_done(int rc, const char *value, int value_len,
                const struct Stat *stat, const void *data)
{
    sm_zk_call_t *call = (sm_zk_call_t *)data;

    pthread_mutex_lock(&call->mu);
    if (rc == ZOK && value != NULL && value_len >= 0) {
        call->data = sm_malloc((size_t)value_len + 1);
        memcpy(call->data, value, (size_t)value_len);
        call->data[value_len] = '\0';
        call->len = value_len;
    }
    sm_zk_call_done_locked(call, rc, rc == ZOK ? stat : NULL);
    pthread_mutex_unlock(&call->mu);
    sm_zk_call_release(call);
}

static void
sm_zk_string_stat_done(int rc, const char *string, const struct Stat *stat,
                       const void *data)
{
    sm_zk_call_t *call = (sm_zk_call_t *)data;

    pthread_mutex_lock(&call->mu);
    if (rc == ZOK && string != NULL)
        call->path = sm_strdup(string);
    sm_zk_call_done_locked(call, rc, rc == ZOK ? stat : NULL);
    pthread_mutex_unlock(&call->mu);
    sm_zk_call_release(call);
}

static void
sm_zk_strings_done(int rc, const struct String_vector *strings,
                   const void *data)
{
    sm_zk_call_t *call = (sm_zk_call_t *)data;

    pthread_mutex_lock(&call->mu);
    if (rc == ZOK && strings != NULL && strings->count > 0) {
        call->children.v = sm_calloc((size_t)strings->count, sizeof(char *));
        for (int i = 0; i < strings->count; i++)
            call->children.v[i] = sm_strdup(strings->data[i]);
        call->children.cnt = strings->count;
    }
    sm_zk_call_done_locked(call, rc, NULL);
    pthread_mutex_unlock(&call->mu);
    sm_zk_call_release(call);
}

/* Waiter side: 1 when the completion ran, 0 at the deadline. */
static int
sm_zk_call_wait(sm_zk_call_t *call, int64_t deadline_us)
{
    int done;

    pthread_mutex_lock(&call->mu);
    while (!call->done) {
        if (!sm_zk_cond_wait_until(&call->cv, &call->mu, deadline_us))
            break;
    }
    done = call->done;
    pthread_mutex_unlock(&call->mu);
    return done;
}

/* ------------------------------------------------------------ the runner */

/* Wait until the current session is connected, or the deadline. */
static sm_err_t
sm_zk_wait_connected(sm_zk_t *zk, int64_t deadline_us, const char *what,
                     const char *path)
{
    int ok, expired, state, closing;

    pthread_mutex_lock(&zk->lock);
    while (!zk->closing &&
           !(zk->state == ZOO_CONNECTED_STATE && !zk->expired)) {
        if (!sm_zk_cond_wait_until(&zk->state_cv, &zk->lock, deadline_us))
            break;
    }
    ok = zk->state == ZOO_CONNECTED_STATE && !zk->expired && !zk->closing;
    expired = zk->expired;
    state = zk->state;
    closing = zk->closing;
    pthread_mutex_unlock(&zk->lock);
    if (ok)
        return SM_OK;
    sm_warn("zk", "ZooKeeper %s(%s) failed: %s %s within %d ms "
            "(state: %s)", what, path ? path : "",
            closing ? "client closing, no session to" :
                      "no connected session to",
            zk->connect, zk->op_timeout_ms,
            expired ? "session expired, reconnecting" :
                      sm_zk_state_name(state));
    return expired ? SM_ERR__ZK_SESSION_EXPIRED : SM_ERR__ZK_UNAVAILABLE;
}


/*
 * Submit a request and wait for its completion, retrying lost requests on
 * the next connection until the operation's deadline.  On SM_OK *callp is
 * the finished call (the caller reads call->rc and the results, then
 * releases it); any other return is a connection-level failure, logged.
 */
static sm_err_t
sm_zk_run(sm_zk_t *zk, const char *what, const char *path,
          sm_zk_submit_fn submit, const void *args, sm_zk_call_t **callp)
{
    int64_t deadline = sm_mono_us() + (int64_t)zk->op_timeout_ms * 1000;
    int rc = ZCONNECTIONLOSS;
    sm_zk_call_t *call;
    sm_err_t err;

    /* with a chroot the C client would glue a relative path onto it */
    if (path == NULL || path[0] != '/') {
        sm_warn("zk", "ZooKeeper %s(%s): not an absolute path", what,
                path ? path : "(null)");
        return SM_ERR__INVALID_ARG;
    }
    for (;;) {
        err = sm_zk_wait_connected(zk, deadline, what, path);
        if (err != SM_OK)
            return err;
        call = sm_zk_call_new();
        pthread_rwlock_rdlock(&zk->zh_lock);
        rc = zk->zh != NULL ? submit(zk->zh, args, call) : ZINVALIDSTATE;
        pthread_rwlock_unlock(&zk->zh_lock);
        if (rc != ZOK) {
            /* the completion will never run: drop its reference too */
            sm_zk_call_release(call);
            sm_zk_call_release(call);
        } else if (!sm_zk_call_wait(call, deadline)) {
            sm_zk_call_release(call);
            sm_warn("zk", "ZooKeeper %s(%s) failed: no reply from %s "
                    "within %d ms", what, path ? path : "", zk->connect,
                    zk->op_timeout_ms);
            return SM_ERR__ZK_UNAVAILABLE;
        } else if (!sm_zk_rc_retriable(call->rc)) {
            *callp = call;
            return SM_OK;
        } else {
            rc = call->rc;
            sm_zk_call_release(call);
        }
        if (!sm_zk_rc_retriable(rc))
            return sm_zk_result(zk, rc, what, path);
        if (sm_zk_closing(zk) || sm_mono_us() + SM_ZK_RETRY_US > deadline)
            break;
        sm_debug("zk", "ZooKeeper %s(%s): %s, retrying", what,
                 path ? path : "", zerror(rc));
        usleep(SM_ZK_RETRY_US);
    }
    sm_warn("zk", "ZooKeeper %s(%s) on %s failed: %s", what,
            path ? path : "", zk->connect, zerror(rc));
    return sm_zk_map(rc);
}

/* ------------------------------------------------------------ operations */

typedef struct sm_zk_args {
    const char *path;
    const void *data;
    int len;
    int flags;
    int32_t version;
    int watch;
    const sm_zk_op_t *ops;
    int nops;
} sm_zk_args_t;

static int
sm_zk_submit_create(zhandle_t *zh, const void *a, sm_zk_call_t *call)
{
    const sm_zk_args_t *args = a;
    return zoo_acreate2(zh, args->path, args->data, args->len,
                        &ZOO_OPEN_ACL_UNSAFE, args->flags,
                        sm_zk_string_stat_done, call);
}

sm_err_t
sm_zk_create(sm_zk_t *zk, const char *path, const void *data, int len,
             sm_zk_mode_t mode, char **created, sm_zk_stat_t *stat)
{
    sm_zk_args_t args = { .path = path, .data = data,
                          .len = data ? len : -1, .flags = sm_zk_flags(mode) };
    sm_zk_call_t *call;
    sm_err_t err;

    if (created != NULL)
        *created = NULL;
    err = sm_zk_run(zk, "create", path, sm_zk_submit_create, &args, &call);
    if (err != SM_OK)
        return err;
    err = sm_zk_result(zk, call->rc, "create", path);
    if (err == SM_OK) {
        if (created != NULL && call->path != NULL) {
            *created = call->path;
            call->path = NULL;
        }
        if (stat != NULL && call->has_stat)
            sm_zk_stat_copy(stat, &call->stat);
    }
    sm_zk_call_release(call);
    return err;
}

static int
sm_zk_submit_get(zhandle_t *zh, const void *a, sm_zk_call_t *call)
{
    const sm_zk_args_t *args = a;
    return zoo_aget(zh, args->path, args->watch, sm_zk_data_done, call);
}

sm_err_t
sm_zk_get(sm_zk_t *zk, const char *path, int watch, char **data, int *len,
          sm_zk_stat_t *stat)
{
    sm_zk_args_t args = { .path = path, .watch = watch != 0 };
    sm_zk_call_t *call;
    sm_err_t err;

    if (data != NULL)
        *data = NULL;
    if (len != NULL)
        *len = -1;
    err = sm_zk_run(zk, "getData", path, sm_zk_submit_get, &args, &call);
    if (err != SM_OK)
        return err;
    err = sm_zk_result(zk, call->rc, "getData", path);
    if (err == SM_OK) {
        if (len != NULL)
            *len = call->len;
        if (data != NULL) {
            *data = call->data;
            call->data = NULL;
        }
        if (stat != NULL && call->has_stat)
            sm_zk_stat_copy(stat, &call->stat);
    }
    sm_zk_call_release(call);
    return err;
}

static int
sm_zk_submit_set(zhandle_t *zh, const void *a, sm_zk_call_t *call)
{
    const sm_zk_args_t *args = a;
    return zoo_aset(zh, args->path, args->data, args->len, args->version,
                    sm_zk_stat_done, call);
}

sm_err_t
sm_zk_set(sm_zk_t *zk, const char *path, const void *data, int len,
          int32_t version, sm_zk_stat_t *stat)
{
    sm_zk_args_t args = { .path = path, .data = data,
                          .len = data ? len : -1, .version = version };
    sm_zk_call_t *call;
    sm_err_t err;

    err = sm_zk_run(zk, "setData", path, sm_zk_submit_set, &args, &call);
    if (err != SM_OK)
        return err;
    err = sm_zk_result(zk, call->rc, "setData", path);
    if (err == SM_OK && stat != NULL && call->has_stat)
        sm_zk_stat_copy(stat, &call->stat);
    sm_zk_call_release(call);
    return err;
}

static int
sm_zk_submit_delete(zhandle_t *zh, const void *a, sm_zk_call_t *call)
{
    const sm_zk_args_t *args = a;
    return zoo_adelete(zh, args->path, args->version, sm_zk_void_done, call);
}

sm_err_t
sm_zk_delete(sm_zk_t *zk, const char *path, int32_t version)
{
    sm_zk_args_t args = { .path = path, .version = version };
    sm_zk_call_t *call;
    sm_err_t err;

    err = sm_zk_run(zk, "delete", path, sm_zk_submit_delete, &args, &call);
    if (err != SM_OK)
        return err;
    err = sm_zk_result(zk, call->rc, "delete", path);
    sm_zk_call_release(call);
    return err;
}

static int
sm_zk_submit_exists(zhandle_t *zh, const void *a, sm_zk_call_t *call)
{
    const sm_zk_args_t *args = a;
    return zoo_aexists(zh, args->path, args->watch, sm_zk_stat_done, call);
}

sm_err_t
sm_zk_exists(sm_zk_t *zk, const char *path, int watch, sm_zk_stat_t *stat)
{
    sm_zk_args_t args = { .path = path, .watch = watch != 0 };
    sm_zk_call_t *call;
    sm_err_t err;

    err = sm_zk_run(zk, "exists", path, sm_zk_submit_exists, &args, &call);
    if (err != SM_OK)
        return err;
    err = sm_zk_result(zk, call->rc, "exists", path);
    if (err == SM_OK && stat != NULL && call->has_stat)
        sm_zk_stat_copy(stat, &call->stat);
    sm_zk_call_release(call);
    return err;
}

static int
sm_zk_submit_children(zhandle_t *zh, const void *a, sm_zk_call_t *call)
{
    const sm_zk_args_t *args = a;
    return zoo_aget_children(zh, args->path, args->watch,
                             sm_zk_strings_done, call);
}

static int
sm_zk_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

sm_err_t
sm_zk_get_children(sm_zk_t *zk, const char *path, int watch,
                   sm_zk_strings_t *out)
{
    sm_zk_args_t args = { .path = path, .watch = watch != 0 };
    sm_zk_call_t *call;
    sm_err_t err;

    out->v = NULL;
    out->cnt = 0;
    err = sm_zk_run(zk, "getChildren", path, sm_zk_submit_children, &args,
                    &call);
    if (err != SM_OK)
        return err;
    err = sm_zk_result(zk, call->rc, "getChildren", path);
    if (err == SM_OK) {
        *out = call->children;
        call->children.v = NULL;
        call->children.cnt = 0;
        if (out->cnt > 1)
            qsort(out->v, (size_t)out->cnt, sizeof(char *), sm_zk_strcmp);
    }
    sm_zk_call_release(call);
    return err;
}

/* ------------------------------------------------------------ multi */

void
sm_zk_op_create(sm_zk_op_t *op, const char *path, const void *data, int len,
                sm_zk_mode_t mode)
{
    memset(op, 0, sizeof(*op));
    op->type = SM_ZK_OP_CREATE;
    op->path = path;
    op->data = data;
    op->len = data ? len : -1;
    op->mode = mode;
}

void
sm_zk_op_delete(sm_zk_op_t *op, const char *path, int32_t version)
{
    memset(op, 0, sizeof(*op));
    op->type = SM_ZK_OP_DELETE;
    op->path = path;
    op->version = version;
}

void
sm_zk_op_set(sm_zk_op_t *op, const char *path, const void *data, int len,
             int32_t version)
{
    memset(op, 0, sizeof(*op));
    op->type = SM_ZK_OP_SET;
    op->path = path;
    op->data = data;
    op->len = data ? len : -1;
    op->version = version;
}

void
sm_zk_op_check(sm_zk_op_t *op, const char *path, int32_t version)
{
    memset(op, 0, sizeof(*op));
    op->type = SM_ZK_OP_CHECK;
    op->path = path;
    op->version = version;
}

void
sm_zk_ops_fini(sm_zk_op_t *ops, int cnt)
{
    for (int i = 0; i < cnt; i++) {
        sm_free(ops[i].created);
        ops[i].created = NULL;
    }
}

/* Translate the ops into the C client's form; the result buffers live in
 * the call, which outlives an abandoned wait. */
static int
sm_zk_submit_multi(zhandle_t *zh, const void *a, sm_zk_call_t *call)
{
    const sm_zk_args_t *args = a;
    int n = args->nops, rc;
    zoo_op_t *zops = sm_calloc((size_t)n, sizeof(*zops));

    call->nops = n;
    call->results = sm_calloc((size_t)n, sizeof(*call->results));
    call->stats = sm_calloc((size_t)n, sizeof(*call->stats));
    call->bufs = sm_calloc((size_t)n, SM_ZK_PATH_BUF);
    for (int i = 0; i < n; i++) {
        const sm_zk_op_t *op = &args->ops[i];
        switch (op->type) {
        case SM_ZK_OP_CREATE:
            zoo_create_op_init(&zops[i], op->path, op->data, op->len,
                               &ZOO_OPEN_ACL_UNSAFE, sm_zk_flags(op->mode),
                               call->bufs + (size_t)i * SM_ZK_PATH_BUF,
                               SM_ZK_PATH_BUF);
            break;
        case SM_ZK_OP_DELETE:
            zoo_delete_op_init(&zops[i], op->path, op->version);
            break;
        case SM_ZK_OP_SET:
            zoo_set_op_init(&zops[i], op->path, op->data, op->len,
                            op->version, &call->stats[i]);
            break;
        case SM_ZK_OP_CHECK:
            zoo_check_op_init(&zops[i], op->path, op->version);
            break;
        }
    }
    rc = zoo_amulti(zh, n, zops, call->results, sm_zk_void_done, call);
    sm_free(zops);
    return rc;
}

/* Copy per-op results of a finished multi back into ops. */
static void
sm_zk_multi_results(sm_zk_call_t *call, sm_zk_op_t *ops, int cnt, int rc)
{
    for (int i = 0; i < cnt; i++) {
        int orc = call->results[i].err;
        /* when the multi failed, ops reported OK were rolled back */
        if (rc != ZOK && orc == ZOK)
            orc = ZRUNTIMEINCONSISTENCY;
        ops[i].err = sm_zk_map(orc);
        if (orc != ZOK)
            continue;
        if (ops[i].type == SM_ZK_OP_SET)
            sm_zk_stat_copy(&ops[i].stat, &call->stats[i]);
        if (ops[i].type == SM_ZK_OP_CREATE && call->results[i].value)
            ops[i].created = sm_strdup(call->results[i].value);
    }
}

sm_err_t
sm_zk_multi(sm_zk_t *zk, sm_zk_op_t *ops, int cnt)
{
    sm_zk_args_t args = { .ops = ops, .nops = cnt };
    sm_zk_call_t *call;
    sm_err_t err;

    if (cnt <= 0)
        return SM_ERR__INVALID_ARG;
    err = sm_zk_run(zk, "multi", ops[0].path, sm_zk_submit_multi, &args,
                    &call);
    if (err != SM_OK) {
        for (int i = 0; i < cnt; i++)
            ops[i].err = err;
        return err;
    }
    sm_zk_multi_results(call, ops, cnt, call->rc);
    err = sm_zk_result(zk, call->rc, "multi", ops[0].path);
    sm_zk_call_release(call);
    return err;
}

/* ------------------------------------------------------------ helpers */

/* Create every missing ancestor of path (not path itself), no data. */
static sm_err_t
sm_zk_create_ancestors(sm_zk_t *zk, const char *path)
{
    char *p = sm_strdup(path);
    sm_err_t err = SM_OK;

    for (char *s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        err = sm_zk_create(zk, p, NULL, -1, SM_ZK_PERSISTENT, NULL, NULL);
        *s = '/';
        if (err == SM_ERR__EXISTS)
            err = SM_OK;
        if (err != SM_OK)
            break;
    }
    sm_free(p);
    return err;
}

sm_err_t
sm_zk_create_parents(sm_zk_t *zk, const char *path, const void *data,
                     int len)
{
    sm_err_t err;

    err = sm_zk_create(zk, path, data, len, SM_ZK_PERSISTENT, NULL, NULL);
    if (err != SM_ERR__NOENT)
        return err;
    err = sm_zk_create_ancestors(zk, path);
    if (err != SM_OK)
        return err;
    return sm_zk_create(zk, path, data, len, SM_ZK_PERSISTENT, NULL, NULL);
}

sm_err_t
sm_zk_ensure_path(sm_zk_t *zk, const char *path)
{
    sm_err_t err = sm_zk_create_parents(zk, path, NULL, -1);
    return err == SM_ERR__EXISTS ? SM_OK : err;
}

static sm_err_t
sm_zk_delete_tree(sm_zk_t *zk, const char *path, int depth)
{
    sm_zk_strings_t kids;
    sm_err_t err = SM_OK;

    if (depth > SM_ZK_MAX_DEPTH)
        return SM_ERR__TOO_LARGE;
    /* a child created while we delete makes the delete fail NOTEMPTY:
     * go around again, a bounded number of times */
    for (int round = 0; round < 5; round++) {
        err = sm_zk_get_children(zk, path, 0, &kids);
        if (err != SM_OK)
            return err;
        for (int i = 0; i < kids.cnt && err == SM_OK; i++) {
            char *child = sm_asprintf("%s%s%s", path,
                                      strcmp(path, "/") ? "/" : "",
                                      kids.v[i]);
            err = sm_zk_delete_tree(zk, child, depth + 1);
            if (err == SM_ERR__NOENT)
                err = SM_OK;
            sm_free(child);
        }
        sm_zk_strings_fini(&kids);
        if (err != SM_OK)
            return err;
        err = sm_zk_delete(zk, path, SM_ZK_ANY_VERSION);
        if (err != SM_ERR__STATE)
            return err;
    }
    return err;
}

sm_err_t
sm_zk_delete_recursive(sm_zk_t *zk, const char *path)
{
    return sm_zk_delete_tree(zk, path, 0);
}
