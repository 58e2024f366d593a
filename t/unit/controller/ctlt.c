/*
 * ctlt.c: the helpers of ctlt.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "ctlt.h"
#include "sm_test.h"
#include "zk/zkt.h"

/* ------------------------------------------------------------ channel */

static int32_t *
ctlt_dup_ints(const int32_t *v, int32_t n)
{
    int32_t *d = sm_calloc((size_t)n + 1, sizeof(*d));

    if (n > 0)
        memcpy(d, v, sizeof(*d) * (size_t)n);
    return d;
}

static ctlt_req_t *
ctlt_push(ctlt_chan_t *c, ctlt_type_t type, int32_t broker_id,
          int64_t broker_epoch, int32_t cid, int32_t cepoch)
{
    ctlt_req_t *r;

    if (c->cnt == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = sm_realloc(c->v, sizeof(*c->v) * (size_t)c->cap);
    }
    r = &c->v[c->cnt++];
    memset(r, 0, sizeof(*r));
    r->type = type;
    r->broker_id = broker_id;
    r->broker_epoch = broker_epoch;
    r->controller_id = cid;
    r->controller_epoch = cepoch;
    return r;
}

static void
ctlt_copy_states(ctlt_req_t *r, const sm_pstate_t *states, int n,
                 const sm_md_broker_t *brokers, int nbrokers)
{
    r->states = sm_calloc((size_t)n + 1, sizeof(*r->states));
    for (int i = 0; i < n; i++) {
        sm_pstate_copy(&r->states[i], &states[i]);
        if (r->states[i].isr == NULL)
            r->states[i].isr = ctlt_dup_ints(NULL, 0);
    }
    r->n = n;
    r->brokers = sm_calloc((size_t)nbrokers + 1, sizeof(*r->brokers));
    for (int i = 0; i < nbrokers; i++)
        sm_md_broker_copy(&r->brokers[i], &brokers[i]);
    r->nbrokers = nbrokers;
}

static void
ctlt_lai(void *opaque, int32_t broker_id, int64_t broker_epoch,
         int32_t cid, int32_t cepoch, const sm_pstate_t *states, int n,
         const sm_md_broker_t *leaders, int nleaders)
{
    ctlt_chan_t *c = opaque;

    pthread_mutex_lock(&c->lock);
    ctlt_copy_states(ctlt_push(c, CTLT_LAI, broker_id, broker_epoch, cid,
                               cepoch), states, n, leaders, nleaders);
    pthread_mutex_unlock(&c->lock);
}

static void
ctlt_um(void *opaque, int32_t broker_id, int64_t broker_epoch, int32_t cid,
        int32_t cepoch, const sm_pstate_t *states, int n,
        const sm_md_broker_t *brokers, int nbrokers)
{
    ctlt_chan_t *c = opaque;

    pthread_mutex_lock(&c->lock);
    ctlt_copy_states(ctlt_push(c, CTLT_UM, broker_id, broker_epoch, cid,
                               cepoch), states, n, brokers, nbrokers);
    pthread_mutex_unlock(&c->lock);
}

static void
ctlt_stop(void *opaque, int32_t broker_id, int64_t broker_epoch, int32_t cid,
          int32_t cepoch, const char *topic, int32_t partition,
          int32_t leader_epoch, int del, sm_controller_completion_fn cb,
          void *arg)
{
    ctlt_chan_t *c = opaque;
    ctlt_req_t *r;
    sm_err_t answer;
    int hold;

    pthread_mutex_lock(&c->lock);
    r = ctlt_push(c, CTLT_STOP, broker_id, broker_epoch, cid, cepoch);
    r->topic = sm_strdup(topic);
    r->partition = partition;
    r->leader_epoch = leader_epoch;
    r->del = del;
    hold = c->hold;
    answer = c->answer;
    if (cb != NULL && hold) {
        if (c->npending == c->pending_cap) {
            c->pending_cap = c->pending_cap ? c->pending_cap * 2 : 16;
            c->pending = sm_realloc(c->pending, sizeof(*c->pending) *
                                    (size_t)c->pending_cap);
        }
        c->pending[c->npending].cb = cb;
        c->pending[c->npending].arg = arg;
        c->pending[c->npending].broker_id = broker_id;
        c->npending++;
    }
    pthread_mutex_unlock(&c->lock);
    if (cb != NULL && !hold)
        cb(arg, answer);        /* like a direct call for the local broker */
}

ctlt_chan_t *
ctlt_chan_new(void)
{
    ctlt_chan_t *c = sm_calloc(1, sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    c->answer = SM_OK;
    c->chan.opaque = c;
    c->chan.leader_and_isr = ctlt_lai;
    c->chan.update_metadata = ctlt_um;
    c->chan.stop_replica = ctlt_stop;
    return c;
}

static void
ctlt_req_fini(ctlt_req_t *r)
{
    for (int i = 0; i < r->n; i++)
        sm_pstate_fini(&r->states[i]);
    sm_free(r->states);
    for (int i = 0; i < r->nbrokers; i++)
        sm_md_broker_fini(&r->brokers[i]);
    sm_free(r->brokers);
    sm_free(r->topic);
}

void
ctlt_chan_clear(ctlt_chan_t *c)
{
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->cnt; i++)
        ctlt_req_fini(&c->v[i]);
    c->cnt = 0;
    pthread_mutex_unlock(&c->lock);
}

int
ctlt_chan_complete(ctlt_chan_t *c, int32_t broker_id, sm_err_t err)
{
    ctlt_pending_t *todo;
    int n = 0, keep = 0;

    pthread_mutex_lock(&c->lock);
    todo = sm_calloc((size_t)c->npending + 1, sizeof(*todo));
    for (int i = 0; i < c->npending; i++) {
        if (broker_id < 0 || c->pending[i].broker_id == broker_id)
            todo[n++] = c->pending[i];
        else
            c->pending[keep++] = c->pending[i];
    }
    c->npending = keep;
    pthread_mutex_unlock(&c->lock);
    for (int i = 0; i < n; i++)
        todo[i].cb(todo[i].arg, err);
    sm_free(todo);
    return n;
}

int
ctlt_chan_npending(ctlt_chan_t *c)
{
    int n;

    pthread_mutex_lock(&c->lock);
    n = c->npending;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void
ctlt_chan_destroy(ctlt_chan_t *c)
{
    ctlt_chan_complete(c, -1, SM_ERR__STATE);
    ctlt_chan_clear(c);
    sm_free(c->v);
    sm_free(c->pending);
    pthread_mutex_destroy(&c->lock);
    sm_free(c);
}

static int
ctlt_req_has(const ctlt_req_t *r, const char *topic, int32_t p)
{
    if (r->type == CTLT_STOP)
        return topic == NULL ||
               (strcmp(r->topic, topic) == 0 && r->partition == p);
    if (topic == NULL)
        return 1;
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->states[i].topic, topic) == 0 &&
            r->states[i].partition == p)
            return 1;
    return 0;
}

int
ctlt_count(ctlt_chan_t *c, ctlt_type_t type, int32_t broker,
           const char *topic, int32_t p, int del)
{
    int n = 0;

    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->cnt; i++) {
        const ctlt_req_t *r = &c->v[i];
        if (r->type != type || (broker >= 0 && r->broker_id != broker))
            continue;
        if (type == CTLT_STOP && del >= 0 && r->del != del)
            continue;
        n += ctlt_req_has(r, topic, p);
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

int
ctlt_last_state(ctlt_chan_t *c, ctlt_type_t type, int32_t broker,
                const char *topic, int32_t p, sm_pstate_t *out)
{
    int found = 0;

    pthread_mutex_lock(&c->lock);
    for (int i = c->cnt - 1; i >= 0 && !found; i--) {
        const ctlt_req_t *r = &c->v[i];
        if (r->type != type || r->broker_id != broker)
            continue;
        for (int k = 0; k < r->n && !found; k++)
            if (strcmp(r->states[k].topic, topic) == 0 &&
                r->states[k].partition == p) {
                sm_pstate_copy(out, &r->states[k]);
                found = 1;
            }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

int
ctlt_wait_count(ctlt_chan_t *c, ctlt_type_t type, int32_t broker,
                const char *topic, int32_t p, int del, int n, int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(timeout_ms);

    while (ctlt_count(c, type, broker, topic, p, del) < n) {
        if (sm_mono_ms() > deadline)
            return 0;
        usleep(10000);
    }
    return 1;
}

/* ------------------------------------------------------------ brokers */

sm_zk_t *
ctlt_admin(const char *chroot)
{
    sm_zk_t *zk = zkt_connect(chroot);

    ck_assert_int_eq(sm_zk_create_top_level_paths(zk), SM_OK);
    return zk;
}

ctlt_broker_t *
ctlt_broker_up(const char *chroot, int32_t id)
{
    ctlt_broker_t *b = sm_calloc(1, sizeof(*b));
    sm_zk_broker_t reg = { .version = 4, .jmx_port = -1,
                           .timestamp = sm_now_ms() };
    char host[32];

    snprintf(host, sizeof(host), "h%d", (int)id);
    sm_zk_broker_add_endpoint(&reg, "PLAINTEXT", "PLAINTEXT", host, 9092);
    b->id = id;
    b->zk = ctlt_admin(chroot);
    ck_assert_int_eq(sm_zk_register_broker(b->zk, id, &reg, &b->epoch),
                     SM_OK);
    sm_zk_broker_fini(&reg);
    return b;
}

void
ctlt_broker_down(ctlt_broker_t *b)
{
    if (b == NULL)
        return;
    sm_zk_destroy(b->zk);
    sm_free(b);
}

ctlt_ctl_t *
ctlt_ctl_start(const char *chroot, int32_t id, ctlt_chan_t *c,
               const sm_controller_opts_t *opts)
{
    ctlt_ctl_t *t = sm_calloc(1, sizeof(*t));

    t->zk = zkt_connect(chroot);
    t->ctl = sm_controller_new(t->zk, id, -1, c ? &c->chan : NULL, opts);
    ck_assert_int_eq(sm_controller_start(t->ctl), SM_OK);
    return t;
}

void
ctlt_ctl_stop(ctlt_ctl_t *t)
{
    if (t == NULL)
        return;
    sm_controller_destroy(t->ctl);
    sm_zk_destroy(t->zk);
    sm_free(t);
}

/* ------------------------------------------------------------ waits */

int
ctlt_wait_active(sm_controller_t *ctl, int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(timeout_ms);

    while (!sm_controller_is_active(ctl)) {
        if (sm_mono_ms() > deadline)
            return 0;
        usleep(10000);
    }
    return 1;
}

int
ctlt_wait_one_active(sm_controller_t **ctls, int n, int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(timeout_ms);

    for (;;) {
        int cnt = 0, which = -1;
        for (int i = 0; i < n; i++)
            if (sm_controller_is_active(ctls[i])) {
                cnt++;
                which = i;
            }
        if (cnt == 1)
            return which;
        if (sm_mono_ms() > deadline)
            return -1;
        usleep(10000);
    }
}

int
ctlt_wait_leader(sm_zk_t *zk, const char *topic, int32_t p, int32_t leader,
                 int32_t leader_epoch, sm_zk_part_state_t *s,
                 int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(timeout_ms);

    for (;;) {
        if (sm_zk_get_partition_state(zk, topic, p, s) == SM_OK) {
            if (s->leader == leader &&
                (leader_epoch < 0 || s->leader_epoch == leader_epoch))
                return 1;
            sm_zk_part_state_fini(s);
        }
        if (sm_mono_ms() > deadline)
            return 0;
        usleep(20000);
    }
}

int
ctlt_wait_gone(sm_zk_t *zk, const char *path, int timeout_ms)
{
    int64_t deadline = sm_mono_ms() + zkt_ms(timeout_ms);

    while (sm_zk_exists(zk, path, 0, NULL) == SM_OK) {
        if (sm_mono_ms() > deadline)
            return 0;
        usleep(20000);
    }
    return 1;
}

void
ctlt_create_topic(sm_zk_t *zk, const char *topic, int nparts, int rf,
                  const int32_t *replicas, const sm_zk_config_t *cfg)
{
    sm_zk_topic_t t = { 0 };
    sm_err_t err;

    for (int p = 0; p < nparts; p++)
        sm_zk_topic_add(&t, p, replicas + p * rf, rf);
    err = sm_zk_create_topic(zk, topic, cfg, &t);
    ck_assert_msg(err == SM_OK, "create topic %s: %s", topic,
                  sm_err_name(err));
    sm_zk_topic_fini(&t);
}

const char *
ctlt_ints(const int32_t *v, int n)
{
    static char buf[256];
    size_t off = 0;

    buf[0] = '\0';
    for (int i = 0; i < n && off < sizeof(buf) - 16; i++)
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%d",
                                i ? "," : "", (int)v[i]);
    return buf;
}

/* ------------------------------------------------------------ hold */

struct ctlt_hold {
    pthread_mutex_t lock;
    int entered, open, done;
};

static void
ctlt_hold_fn(sm_controller_t *ctl, void *arg, sm_err_t err)
{
    ctlt_hold_t *h = arg;
    int64_t deadline = sm_mono_ms() + 30000;

    (void)ctl;
    (void)err;
    pthread_mutex_lock(&h->lock);
    h->entered = 1;
    while (!h->open && sm_mono_ms() < deadline) {
        pthread_mutex_unlock(&h->lock);
        usleep(5000);
        pthread_mutex_lock(&h->lock);
    }
    h->done = 1;
    pthread_mutex_unlock(&h->lock);
}

static int
ctlt_hold_get(ctlt_hold_t *h, int *field)
{
    int v;

    pthread_mutex_lock(&h->lock);
    v = *field;
    pthread_mutex_unlock(&h->lock);
    return v;
}

ctlt_hold_t *
ctlt_hold(sm_controller_t *ctl)
{
    ctlt_hold_t *h = sm_calloc(1, sizeof(*h));
    int64_t deadline = sm_mono_ms() + zkt_ms(10000);

    pthread_mutex_init(&h->lock, NULL);
    ck_assert_int_eq(sm_controller_enqueue(ctl, ctlt_hold_fn, h), SM_OK);
    while (!ctlt_hold_get(h, &h->entered) && sm_mono_ms() < deadline)
        usleep(5000);
    ck_assert_msg(ctlt_hold_get(h, &h->entered), "controller not held");
    return h;
}

void
ctlt_release(ctlt_hold_t *h)
{
    pthread_mutex_lock(&h->lock);
    h->open = 1;
    pthread_mutex_unlock(&h->lock);
    while (!ctlt_hold_get(h, &h->done))
        usleep(5000);
    pthread_mutex_destroy(&h->lock);
    sm_free(h);
}
