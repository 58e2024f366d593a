/*
 * coordinator.c: groups and offsets of one broker behind one mutex, plus
 * the ticker thread (threads and locks: coordinator.h).
 *
 * The ticker wakes every SM_COORD_TICK_MS and ticks every group, so
 * deadlines are met within one tick; Kafka's purgatory timer has the same
 * resolution order (its wheel ticks every 1 ms, but the join and heartbeat
 * deadlines it serves are seconds long).  A group lives as long as its
 * offsets partition is owned, or until the retention pass finds it Empty
 * without offsets (sm_coord_expire_offsets: offsets.retention.minutes).
 *
 * Group metadata is stored at Kafka's two points: the leader's SyncGroup
 * (through the group's store hook, co_grp_store, before any member gets
 * its assignment; a failed append fails the SyncGroups and rebalances
 * again), and a rebalance that ends with no members (co_group_persist,
 * which compares, after every call that may move a group, its state and
 * generation with what was last stored).
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_map.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "coordinator/coordinator.h"
#include "coordinator/group_record.h"

typedef struct co_offset {
    char    *topic;
    int32_t  partition;
    int64_t  offset;
    char    *metadata;          /* NULL: null */
    int64_t  commit_ts;
    int64_t  expire_ts;         /* -1: none (retention applies) */
} co_offset_t;

typedef struct co_group {
    struct sm_coord *co;        /* owner, for the group's store hook */
    sm_grp_t *grp;
    int32_t   part;             /* offsets partition; -1 without a store */
    int32_t   stored_gen;       /* generation last stored, -1: none */
    int       stored_state;     /* sm_grp_state_t last stored, -1: none */
    int       seen_state;       /* state after the last call, -1: none */
    int64_t   empty_since;      /* wall ms it became Empty, -1: unknown */
    sm_map_t  offsets;          /* "<partition>/<topic>" -> co_offset_t */
} co_group_t;

/* Ownership of an offsets partition (co->pstate[part]). */
enum { CO_PART_NONE = 0, CO_PART_LOADING, CO_PART_OWNED };

struct sm_coord {
    pthread_mutex_t lock;
    pthread_cond_t  cond;
    int             stop;
    int             dead;       /* after sm_coord_shutdown */
    pthread_t       ticker;
    sm_grp_conf_t   conf;
    sm_map_t        groups;     /* group id -> co_group_t */
    sm_coord_append_fn store;   /* NULL: memory only, every group owned */
    void           *store_arg;
    int32_t         npart;      /* partitions of __consumer_offsets */
    int64_t         retention_ms;   /* offsets.retention.minutes; 0: off */
    int64_t         check_ms;       /* offsets.retention.check.interval */
    int64_t         next_check;     /* monotonic ms */
    uint8_t        *pstate;     /* [npart] CO_PART_* */
};

static sm_err_t co_grp_store(void *arg, const sm_grp_t *grp);

static co_group_t *
co_group(sm_coord_t *co, const char *id, int create)
{
    co_group_t *g = sm_map_get(&co->groups, id);

    if (g == NULL && create && !co->dead) {
        g = sm_calloc(1, sizeof(*g));
        g->co = co;
        g->grp = sm_grp_new(id, &co->conf);
        sm_grp_set_store(g->grp, co_grp_store, g);
        g->part = co->store ? sm_coord_partition_for(
                      (sm_str_t){ id, (int32_t)strlen(id) }, co->npart) : -1;
        g->stored_gen = -1;
        g->stored_state = -1;
        g->seen_state = -1;
        g->empty_since = -1;
        sm_map_init(&g->offsets);
        sm_map_put(&co->groups, id, g);
    }
    return g;
}

static void
co_group_free(co_group_t *g)
{
    size_t it = 0;
    const char *k;
    void *v;

    while (sm_map_next(&g->offsets, &it, &k, &v)) {
        co_offset_t *o = v;

        free(o->topic);
        free(o->metadata);
        free(o);
    }
    sm_map_fini(&g->offsets);
    sm_grp_destroy(g->grp);
    free(g);
}

/* ------------------------------------------------------------ ownership */

/* Is group's offsets partition owned (lock held)?  Without a store every
 * group is (memory-only mode). */
static sm_err_t
co_owns_group(sm_coord_t *co, const char *group)
{
    int32_t part;

    if (co->dead)
        return SM_ERR_COORDINATOR_NOT_AVAILABLE;
    if (co->store == NULL)
        return SM_OK;
    if (co->npart <= 0)
        return SM_ERR_NOT_COORDINATOR;
    part = sm_coord_partition_for((sm_str_t){ group,
                                              (int32_t)strlen(group) },
                                  co->npart);
    switch (co->pstate[part]) {
    case CO_PART_OWNED:
        return SM_OK;
    case CO_PART_LOADING:
        return SM_ERR_COORDINATOR_LOAD_IN_PROGRESS;
    default:
        return SM_ERR_NOT_COORDINATOR;
    }
}

sm_err_t
sm_coord_owns(sm_coord_t *co, int32_t part)
{
    sm_err_t err = SM_ERR_NOT_COORDINATOR;

    pthread_mutex_lock(&co->lock);
    if (co->dead)
        err = SM_ERR_COORDINATOR_NOT_AVAILABLE;
    else if (co->store == NULL)
        err = SM_OK;
    else if (part >= 0 && part < co->npart)
        err = co->pstate[part] == CO_PART_OWNED ? SM_OK
            : co->pstate[part] == CO_PART_LOADING
                ? SM_ERR_COORDINATOR_LOAD_IN_PROGRESS
                : SM_ERR_NOT_COORDINATOR;
    pthread_mutex_unlock(&co->lock);
    return err;
}

void
sm_coord_set_store(sm_coord_t *co, sm_coord_append_fn fn, void *opaque)
{
    pthread_mutex_lock(&co->lock);
    co->store = fn;
    co->store_arg = opaque;
    pthread_mutex_unlock(&co->lock);
}

/* ------------------------------------------------------ group metadata */

static sm_str_t
co_s(const char *s)
{
    return (sm_str_t){ s, (int32_t)strlen(s) };
}

static sm_str_t
co_ns(const char *s)
{
    return *s ? co_s(s) : SM_STR_NULL;
}

/* Append the group's metadata (value v1, v3 with static members) to its
 * partition. */
static sm_err_t
co_group_store(sm_coord_t *co, co_group_t *g)
{
    const sm_grp_t *grp = g->grp;
    sm_grec_group_t gv;
    sm_buf_t kb = SM_BUF_INIT, vb = SM_BUF_INIT;
    sm_coord_rec_t rec;
    sm_err_t err;
    int n = sm_grp_size(grp);

    gv.protocol_type = co_s(sm_grp_protocol_type(grp));
    gv.generation = sm_grp_generation(grp);
    gv.protocol = co_ns(sm_grp_protocol(grp));
    gv.leader = co_ns(sm_grp_leader(grp));
    gv.state_ts = sm_now_ms();
    gv.nmembers = n;
    gv.members = sm_calloc((size_t)n + 1, sizeof(*gv.members));
    for (int i = 0; i < n; i++) {
        sm_grp_member_view_t v;

        sm_grp_member(grp, i, &v);
        gv.members[i] = (sm_grec_member_t){
            co_s(v.member_id), co_s(v.client_id), co_s(v.client_host),
            v.rebalance_timeout_ms, v.session_timeout_ms, v.metadata,
            v.assignment, v.instance_id ? co_s(v.instance_id)
                                        : (sm_str_t){ NULL, -1 } };
    }
    sm_grec_group_key_write(&kb, co_s(sm_grp_id(grp)));
    sm_grec_group_value_write(&vb, &gv);
    rec.key = (sm_bytes_t){ kb.data, (int32_t)kb.len };
    rec.value = (sm_bytes_t){ vb.data, (int32_t)vb.len };
    err = co->store(co->store_arg, g->part, &rec, 1);
    free(gv.members);
    sm_buf_fini(&kb);
    sm_buf_fini(&vb);
    return err;
}

/* The group's store hook: the leader's SyncGroup is answered only after
 * this append (lock held). */
static sm_err_t
co_grp_store(void *arg, const sm_grp_t *grp)
{
    co_group_t *g = arg;
    sm_err_t err;

    if (g->co->store == NULL || g->co->dead)
        return SM_OK;
    err = co_group_store(g->co, g);
    if (err == SM_OK) {
        g->stored_gen = sm_grp_generation(grp);
        g->stored_state = SM_GRP_STABLE;
    }
    return err;
}

/* Store the group if it became Stable in a new generation, or Empty after
 * having had one (lock held). */
static void
co_group_persist(sm_coord_t *co, co_group_t *g)
{
    sm_grp_state_t st = sm_grp_state(g->grp);
    int32_t gen = sm_grp_generation(g->grp);
    sm_err_t err;

    if (st == SM_GRP_EMPTY && g->seen_state >= 0 &&
        g->seen_state != SM_GRP_EMPTY)
        g->empty_since = sm_now_ms();       /* Kafka's currentStateTimestamp */
    g->seen_state = (int)st;

    if (co->store == NULL || co->dead)
        return;
    if (!(st == SM_GRP_STABLE || (st == SM_GRP_EMPTY && gen > 0)))
        return;
    if (g->stored_gen == gen && g->stored_state == (int)st)
        return;
    err = co_group_store(co, g);
    if (err != SM_OK) {
        sm_warn("coordinator", "storing metadata of group %s (generation "
                "%d) in %s-%d failed: %s", sm_grp_id(g->grp), (int)gen,
                "__consumer_offsets", (int)g->part, sm_err_name(err));
        return;
    }
    g->stored_gen = gen;
    g->stored_state = (int)st;
}

/* --------------------------------------------------------------- ticker */

static void *
co_ticker(void *arg)
{
    sm_coord_t *co = arg;

    pthread_mutex_lock(&co->lock);
    while (!co->stop) {
        struct timespec ts;
        size_t it = 0;
        const char *k;
        void *v;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += SM_COORD_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&co->cond, &co->lock, &ts);
        while (!co->stop && sm_map_next(&co->groups, &it, &k, &v)) {
            sm_grp_tick(((co_group_t *)v)->grp, sm_mono_ms());
            co_group_persist(co, v);
        }
        if (!co->stop && co->check_ms > 0 && sm_mono_ms() >= co->next_check) {
            co->next_check = sm_mono_ms() + co->check_ms;
            pthread_mutex_unlock(&co->lock);
            (void)sm_coord_expire_offsets(co, sm_now_ms());
            pthread_mutex_lock(&co->lock);
        }
    }
    pthread_mutex_unlock(&co->lock);
    return NULL;
}

sm_coord_t *
sm_coord_new(const sm_grp_conf_t *conf)
{
    sm_coord_t *co = sm_calloc(1, sizeof(*co));
    int rc;

    pthread_mutex_init(&co->lock, NULL);
    pthread_cond_init(&co->cond, NULL);
    co->conf = *conf;
    sm_map_init(&co->groups);
    if ((rc = pthread_create(&co->ticker, NULL, co_ticker, co)) != 0) {
        sm_error("coordinator", "pthread_create(ticker) failed: %s",
                 strerror(rc));
        pthread_cond_destroy(&co->cond);
        pthread_mutex_destroy(&co->lock);
        sm_map_fini(&co->groups);
        free(co);
        return NULL;
    }
    return co;
}

void
sm_coord_shutdown(sm_coord_t *co)
{
    size_t it = 0;
    const char *k;
    void *v;

    pthread_mutex_lock(&co->lock);
    co->dead = 1;
    while (sm_map_next(&co->groups, &it, &k, &v))
        sm_grp_kill(((co_group_t *)v)->grp);
    pthread_mutex_unlock(&co->lock);
}

void
sm_coord_destroy(sm_coord_t *co)
{
    size_t it = 0;
    const char *k;
    void *v;

    if (co == NULL)
        return;
    sm_coord_shutdown(co);
    pthread_mutex_lock(&co->lock);
    co->stop = 1;
    pthread_cond_signal(&co->cond);
    pthread_mutex_unlock(&co->lock);
    pthread_join(co->ticker, NULL);
    while (sm_map_next(&co->groups, &it, &k, &v))
        co_group_free(v);
    sm_map_fini(&co->groups);
    pthread_cond_destroy(&co->cond);
    pthread_mutex_destroy(&co->lock);
    free(co->pstate);
    free(co);
}


/* ---------------------------------------------------- group operations */

/* The group for a call (lock held): *err says why there is none. */
static co_group_t *
co_get(sm_coord_t *co, const char *group, int create, sm_err_t *err)
{
    co_group_t *g = NULL;

    *err = co_owns_group(co, group);
    if (*err == SM_OK)
        g = co_group(co, group, create);
    return g;
}

void
sm_coord_join(sm_coord_t *co, const char *group, const sm_grp_join_req_t *req)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    /* Kafka creates the group only for a new member (empty id). */
    g = co_get(co, group, req->member_id.len <= 0, &err);
    if (g == NULL) {
        sm_grp_join_result_t res = { err == SM_OK ? SM_ERR_UNKNOWN_MEMBER_ID
                                                  : err,
                                     -1, "", "", "", 0, NULL };
        char *mid = sm_str_dup(req->member_id);

        res.member_id = mid ? mid : "";
        req->cb(req->arg, &res);
        free(mid);
    } else {
        sm_grp_join(g->grp, req, sm_mono_ms());
        co_group_persist(co, g);
    }
    pthread_mutex_unlock(&co->lock);
}

void
sm_coord_sync(sm_coord_t *co, const char *group, sm_str_t member_id,
              int32_t generation, int nassign,
              const sm_grp_assignment_t *assign, sm_grp_sync_fn cb, void *arg)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    g = co_get(co, group, 0, &err);
    if (g == NULL) {
        cb(arg, err == SM_OK ? SM_ERR_UNKNOWN_MEMBER_ID : err,
           (sm_bytes_t){ (const uint8_t *)"", 0 });
    } else {
        sm_grp_sync(g->grp, member_id, generation, nassign, assign, cb, arg,
                    sm_mono_ms());
        co_group_persist(co, g);
    }
    pthread_mutex_unlock(&co->lock);
}

sm_err_t
sm_coord_heartbeat(sm_coord_t *co, const char *group, sm_str_t member_id,
                   int32_t generation)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    if ((g = co_get(co, group, 0, &err)) != NULL)
        err = sm_grp_heartbeat(g->grp, member_id, generation, sm_mono_ms());
    else if (err == SM_OK)
        err = SM_ERR_UNKNOWN_MEMBER_ID;
    pthread_mutex_unlock(&co->lock);
    return err;
}

sm_err_t
sm_coord_leave(sm_coord_t *co, const char *group, sm_str_t member_id)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    if ((g = co_get(co, group, 0, &err)) != NULL) {
        err = sm_grp_leave(g->grp, member_id, sm_mono_ms());
        co_group_persist(co, g);
    } else if (err == SM_OK) {
        err = SM_ERR_UNKNOWN_MEMBER_ID;
    }
    pthread_mutex_unlock(&co->lock);
    return err;
}

/* ------------------------------------------------------------- offsets */

static char *
co_offset_key(sm_str_t topic, int32_t partition)
{
    size_t n = (size_t)(topic.len > 0 ? topic.len : 0) + 16;
    char *k = sm_malloc(n);

    snprintf(k, n, "%d/%.*s", (int)partition, SM_STR_ARG(topic));
    return k;
}

/* Set one offset in memory (lock held); removal is co_offset_del. */
static void
co_offset_set(co_group_t *g, sm_str_t topic, int32_t partition,
              int64_t offset, sm_str_t metadata, int64_t commit_ts,
              int64_t expire_ts)
{
    char *key = co_offset_key(topic, partition);
    co_offset_t *o = sm_map_get(&g->offsets, key);

    if (o == NULL) {
        o = sm_calloc(1, sizeof(*o));
        o->topic = sm_str_dup(topic);
        o->partition = partition;
        sm_map_put(&g->offsets, key, o);
    }
    free(o->metadata);
    o->metadata = sm_str_dup(metadata);
    o->offset = offset;
    o->commit_ts = commit_ts;
    o->expire_ts = expire_ts;
    free(key);
}

static void
co_offset_del(co_group_t *g, sm_str_t topic, int32_t partition)
{
    char *key = co_offset_key(topic, partition);
    co_offset_t *o = sm_map_del(&g->offsets, key);

    if (o != NULL) {
        free(o->topic);
        free(o->metadata);
        free(o);
    }
    free(key);
}

/* Encode the commits whose err is SM_OK and append them in one call. */
static sm_err_t
co_offsets_store(sm_coord_t *co, co_group_t *g, const sm_coord_commit_t *c,
                 int n, int64_t now)
{
    sm_buf_t buf = SM_BUF_INIT;
    sm_coord_rec_t *recs = sm_calloc((size_t)n + 1, sizeof(*recs));
    size_t *pos = sm_calloc((size_t)n * 3 + 1, sizeof(*pos));
    sm_str_t gid = co_s(sm_grp_id(g->grp));
    sm_err_t err = SM_OK;
    int nrec = 0;

    for (int i = 0; i < n; i++) {
        sm_grec_offset_t ov = { c[i].offset, c[i].leader_epoch,
                                c[i].metadata,
                                c[i].commit_ts >= 0 ? c[i].commit_ts : now,
                                c[i].expire_ts };

        if (c[i].err != SM_OK)
            continue;
        pos[3 * nrec] = buf.len;
        sm_grec_offset_key_write(&buf, gid, c[i].topic, c[i].partition);
        pos[3 * nrec + 1] = buf.len;
        sm_grec_offset_value_write(&buf, &ov);
        pos[3 * nrec + 2] = buf.len;
        nrec++;
    }
    /* slices only now: buf may have moved while growing */
    for (int i = 0; i < nrec; i++) {
        recs[i].key = (sm_bytes_t){ buf.data + pos[3 * i],
                                    (int32_t)(pos[3 * i + 1] - pos[3 * i]) };
        recs[i].value = (sm_bytes_t){
            buf.data + pos[3 * i + 1],
            (int32_t)(pos[3 * i + 2] - pos[3 * i + 1]) };
    }
    if (nrec > 0)
        err = co->store(co->store_arg, g->part, recs, nrec);
    sm_buf_fini(&buf);
    free(recs);
    free(pos);
    return err;
}

/* May (member, generation) commit to group (lock held)?  *gp: the group
 * (created Empty for generation < 0). */
static sm_err_t
co_commit_check(sm_coord_t *co, const char *group, sm_str_t member_id,
                int32_t generation, co_group_t **gp)
{
    sm_err_t err;

    *gp = co_get(co, group, generation < 0, &err);
    if (*gp == NULL && err == SM_OK)
        err = SM_ERR_ILLEGAL_GENERATION;
    if (err == SM_OK)
        err = sm_grp_validate_commit((*gp)->grp, member_id, generation,
                                     sm_mono_ms());
    return err;
}

sm_err_t
sm_coord_commit_check(sm_coord_t *co, const char *group, sm_str_t member_id,
                      int32_t generation)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    err = co_commit_check(co, group, member_id, generation, &g);
    pthread_mutex_unlock(&co->lock);
    return err;
}

sm_err_t
sm_coord_commit_offsets(sm_coord_t *co, const char *group, sm_str_t member_id,
                        int32_t generation, sm_coord_commit_t *c, int n)
{
    int64_t now = sm_now_ms();
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    err = co_commit_check(co, group, member_id, generation, &g);
    if (err == SM_OK && co->store != NULL)
        err = co_offsets_store(co, g, c, n, now);
    for (int i = 0; i < n; i++) {
        if (c[i].err != SM_OK)
            continue;
        if (err == SM_OK)
            co_offset_set(g, c[i].topic, c[i].partition, c[i].offset,
                          c[i].metadata,
                          c[i].commit_ts >= 0 ? c[i].commit_ts : now,
                          c[i].expire_ts);
        else
            c[i].err = err;
    }
    pthread_mutex_unlock(&co->lock);
    return err;
}

int64_t
sm_coord_fetch(sm_coord_t *co, const char *group, sm_str_t topic,
               int32_t partition, char **metadata)
{
    char *key = co_offset_key(topic, partition);
    co_group_t *g;
    co_offset_t *o = NULL;
    int64_t off = -1;
    sm_err_t err;

    *metadata = NULL;
    pthread_mutex_lock(&co->lock);
    if ((g = co_get(co, group, 0, &err)) != NULL &&
        (o = sm_map_get(&g->offsets, key)) != NULL) {
        off = o->offset;
        *metadata = o->metadata ? sm_strdup(o->metadata) : NULL;
    }
    pthread_mutex_unlock(&co->lock);
    free(key);
    return off;
}

void
sm_coord_fetch_all(sm_coord_t *co, const char *group, sm_coord_offset_fn fn,
                   void *arg)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    if ((g = co_get(co, group, 0, &err)) != NULL) {
        size_t it = 0;
        const char *k;
        void *v;

        while (sm_map_next(&g->offsets, &it, &k, &v)) {
            co_offset_t *o = v;
            sm_coord_offset_t out = { o->topic, o->partition, o->offset,
                                      o->metadata };
            fn(arg, &out);
        }
    }
    pthread_mutex_unlock(&co->lock);
}

sm_err_t
sm_coord_list(sm_coord_t *co, sm_coord_group_fn fn, void *arg)
{
    size_t it = 0;
    const char *k;
    void *v;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    for (int32_t p = 0; p < co->npart; p++) {
        if (co->pstate[p] == CO_PART_LOADING) {
            pthread_mutex_unlock(&co->lock);
            return SM_ERR_COORDINATOR_LOAD_IN_PROGRESS;
        }
    }
    while (sm_map_next(&co->groups, &it, &k, &v))
        fn(arg, ((co_group_t *)v)->grp);
    err = co->dead ? SM_ERR_COORDINATOR_NOT_AVAILABLE : SM_OK;
    pthread_mutex_unlock(&co->lock);
    return err;
}

void
sm_coord_describe(sm_coord_t *co, const char *group, sm_coord_group_fn fn,
                  void *arg)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    g = co_get(co, group, 0, &err);
    fn(arg, g ? g->grp : NULL);
    pthread_mutex_unlock(&co->lock);
}

/* Tombstones for every offset of g and, after a generation, its metadata
 * (Kafka's cleanupGroupMetadata); a failed append is logged only, as
 * Kafka does. */
static void
co_group_tombstones(sm_coord_t *co, co_group_t *g)
{
    size_t n = sm_map_count(&g->offsets) + 1, i = 0, it = 0;
    sm_coord_rec_t *recs = sm_calloc(n, sizeof(*recs));
    sm_buf_t *keys = sm_calloc(n, sizeof(*keys));
    sm_str_t gid = co_s(sm_grp_id(g->grp));
    const char *k;
    void *v;
    sm_err_t err;

    while (sm_map_next(&g->offsets, &it, &k, &v)) {
        co_offset_t *o = v;

        sm_grec_offset_key_write(&keys[i], gid, co_s(o->topic), o->partition);
        i++;
    }
    if (sm_grp_generation(g->grp) > 0)
        sm_grec_group_key_write(&keys[i++], gid);
    for (size_t j = 0; j < i; j++) {
        recs[j].key = (sm_bytes_t){ keys[j].data, (int32_t)keys[j].len };
        recs[j].value = SM_BYTES_NULL;
    }
    if (i > 0 && co->store != NULL &&
        (err = co->store(co->store_arg, g->part, recs, (int)i)) != SM_OK)
        sm_warn("coordinator", "tombstones of group %s not written: %s",
                sm_grp_id(g->grp), sm_err_name(err));
    for (size_t j = 0; j < n; j++)
        sm_buf_fini(&keys[j]);
    free(keys);
    free(recs);
}

sm_err_t
sm_coord_delete_group(sm_coord_t *co, const char *group)
{
    co_group_t *g;
    sm_err_t err;

    pthread_mutex_lock(&co->lock);
    g = co_get(co, group, 0, &err);
    if (g == NULL && err == SM_OK) {
        err = SM_ERR_GROUP_ID_NOT_FOUND;
    } else if (g != NULL) {
        sm_grp_state_t st = sm_grp_state(g->grp);

        if (st == SM_GRP_DEAD)
            err = SM_ERR_GROUP_ID_NOT_FOUND;
        else if (st != SM_GRP_EMPTY)
            err = SM_ERR_NON_EMPTY_GROUP;
        if (err == SM_OK) {
            co_group_tombstones(co, g);
            co_group_free(sm_map_del(&co->groups, group));
            sm_info("coordinator", "group %s deleted", group);
        }
    }
    pthread_mutex_unlock(&co->lock);
    return err;
}

/* Does any member of a live consumer group subscribe to topic?  Kafka's
 * isSubscribedToTopic: undecodable subscriptions count as subscribed. */
static int
co_subscribed(const sm_grp_t *grp, sm_str_t topic)
{
    for (int i = 0; i < sm_grp_size(grp); i++) {
        sm_grp_member_view_t v;

        sm_grp_member(grp, i, &v);
        if (sm_grec_subscription_has(v.metadata, topic) != 0)
            return 1;
    }
    return 0;
}

/* Which of d[] may go (lock held): the group-level answer. */
static sm_err_t
co_odel_eligible(const sm_grp_t *grp, sm_coord_odel_t *d, int n)
{
    sm_grp_state_t st = sm_grp_state(grp);

    if (st == SM_GRP_DEAD)
        return SM_ERR_GROUP_ID_NOT_FOUND;
    if (st == SM_GRP_EMPTY)
        return SM_OK;
    if (strcmp(sm_grp_protocol_type(grp), "consumer") != 0)
        return SM_ERR_NON_EMPTY_GROUP;
    for (int i = 0; i < n; i++)
        if (d[i].err == SM_OK && co_subscribed(grp, d[i].topic))
            d[i].err = SM_ERR_GROUP_SUBSCRIBED_TO_TOPIC;
    return SM_OK;
}

sm_err_t
sm_coord_delete_offsets(sm_coord_t *co, const char *group,
                        sm_coord_odel_t *d, int n)
{
    sm_coord_rec_t *recs = sm_calloc((size_t)n + 1, sizeof(*recs));
    sm_buf_t *keys = sm_calloc((size_t)n + 1, sizeof(*keys));
    co_group_t *g;
    sm_err_t err;
    int nrec = 0;

    pthread_mutex_lock(&co->lock);
    g = co_get(co, group, 0, &err);
    if (g == NULL && err == SM_OK)
        err = SM_ERR_GROUP_ID_NOT_FOUND;
    if (err == SM_OK)
        err = co_odel_eligible(g->grp, d, n);
    for (int i = 0; err == SM_OK && i < n; i++) {
        char *key;

        if (d[i].err != SM_OK)
            continue;
        key = co_offset_key(d[i].topic, d[i].partition);
        if (sm_map_get(&g->offsets, key) != NULL) {
            co_offset_del(g, d[i].topic, d[i].partition);
            sm_grec_offset_key_write(&keys[nrec], co_s(sm_grp_id(g->grp)),
                                     d[i].topic, d[i].partition);
            recs[nrec].key = (sm_bytes_t){ keys[nrec].data,
                                           (int32_t)keys[nrec].len };
            recs[nrec].value = SM_BYTES_NULL;
            nrec++;
        }
        free(key);
    }
    if (nrec > 0 && co->store != NULL &&
        co->store(co->store_arg, g->part, recs, nrec) != SM_OK)
        sm_warn("coordinator", "tombstones of %d offsets of group %s not "
                "written", nrec, group);
    pthread_mutex_unlock(&co->lock);
    for (int i = 0; i < n + 1; i++)
        sm_buf_fini(&keys[i]);
    free(keys);
    free(recs);
    return err;
}

/* ------------------------------------------------------------ retention */

/* Is offset o of group g expired at now (Kafka's removeExpiredOffsets)?
 * base: when the retention period started for offsets without an
 * explicit expiry. */
static int
co_offset_expired(const co_offset_t *o, int64_t base, int64_t now,
                  int64_t retention_ms)
{
    if (o->expire_ts >= 0)                  /* value v1: old semantics */
        return now >= o->expire_ts;
    return now - base >= retention_ms;
}

/* Expire g's offsets (lock held); returns how many went.  Empty groups
 * count from the time they became Empty (else from each commit); live
 * consumer groups lose only offsets of topics nobody subscribes to;
 * groups of other protocols keep theirs. */
static int
co_group_expire(sm_coord_t *co, co_group_t *g, int64_t now)
{
    sm_grp_state_t st = sm_grp_state(g->grp);
    const char *pt = sm_grp_protocol_type(g->grp);
    int live = st != SM_GRP_EMPTY && st != SM_GRP_DEAD;
    size_t cap = sm_map_count(&g->offsets), n = 0, it = 0;
    co_offset_t **gone;
    const char *k;
    void *v;

    if (cap == 0 || st == SM_GRP_DEAD ||
        (live && strcmp(pt, "consumer") != 0))
        return 0;
    gone = sm_calloc(cap, sizeof(*gone));
    while (sm_map_next(&g->offsets, &it, &k, &v)) {
        co_offset_t *o = v;
        int64_t base = !live && g->empty_since >= 0 ? g->empty_since
                                                    : o->commit_ts;

        if (live && co_subscribed(g->grp, co_s(o->topic)))
            continue;
        if (co_offset_expired(o, base, now, co->retention_ms))
            gone[n++] = o;
    }
    if (n > 0) {
        sm_coord_rec_t *recs = sm_calloc(n, sizeof(*recs));
        sm_buf_t *keys = sm_calloc(n, sizeof(*keys));
        sm_str_t gid = co_s(sm_grp_id(g->grp));

        for (size_t i = 0; i < n; i++) {
            sm_grec_offset_key_write(&keys[i], gid, co_s(gone[i]->topic),
                                     gone[i]->partition);
            recs[i].key = (sm_bytes_t){ keys[i].data, (int32_t)keys[i].len };
            recs[i].value = SM_BYTES_NULL;
        }
        if (co->store != NULL &&
            co->store(co->store_arg, g->part, recs, (int)n) != SM_OK)
            sm_warn("coordinator", "tombstones of %zu expired offsets of "
                    "group %s not written", n, gid.ptr);
        for (size_t i = 0; i < n; i++) {
            co_offset_del(g, co_s(gone[i]->topic), gone[i]->partition);
            sm_buf_fini(&keys[i]);
        }
        free(keys);
        free(recs);
    }
    free(gone);
    return (int)n;
}

int
sm_coord_expire_offsets(sm_coord_t *co, int64_t now)
{
    size_t it = 0, ndead = 0;
    const char *k;
    void *v;
    char **dead;
    int n = 0;

    pthread_mutex_lock(&co->lock);
    if (co->retention_ms <= 0 || co->dead) {
        pthread_mutex_unlock(&co->lock);
        return 0;
    }
    dead = sm_calloc(sm_map_count(&co->groups) + 1, sizeof(*dead));
    while (sm_map_next(&co->groups, &it, &k, &v)) {
        co_group_t *g = v;

        if (co->store != NULL &&
            (g->part < 0 || g->part >= co->npart ||
             co->pstate[g->part] != CO_PART_OWNED))
            continue;                   /* still loading */
        n += co_group_expire(co, g, now);
        if (sm_grp_state(g->grp) == SM_GRP_EMPTY &&
            sm_map_count(&g->offsets) == 0)
            dead[ndead++] = sm_strdup(k);
    }
    /* Empty groups left without offsets die (Kafka: cleanupGroupMetadata);
     * co_group_tombstones writes the metadata tombstone if needed. */
    for (size_t i = 0; i < ndead; i++) {
        co_group_t *g = sm_map_del(&co->groups, dead[i]);

        co_group_tombstones(co, g);
        co_group_free(g);
        free(dead[i]);
    }
    free(dead);
    pthread_mutex_unlock(&co->lock);
    if (n > 0 || ndead > 0)
        sm_info("coordinator", "Removed %d expired offsets and %zu empty "
                "groups", n, ndead);
    return n;
}

void
sm_coord_set_retention(sm_coord_t *co, int64_t retention_ms, int64_t check_ms)
{
    pthread_mutex_lock(&co->lock);
    co->retention_ms = retention_ms;
    co->check_ms = check_ms;
    co->next_check = sm_mono_ms() + check_ms;
    pthread_mutex_unlock(&co->lock);
}

/* -------------------------------------------------------------- loading */

void
sm_coord_load_begin(sm_coord_t *co, int32_t part, int32_t npartitions)
{
    pthread_mutex_lock(&co->lock);
    if (npartitions > co->npart) {
        co->pstate = sm_realloc(co->pstate, (size_t)npartitions);
        memset(co->pstate + co->npart, CO_PART_NONE,
               (size_t)(npartitions - co->npart));
        co->npart = npartitions;
    }
    if (part >= 0 && part < co->npart)
        co->pstate[part] = CO_PART_LOADING;
    pthread_mutex_unlock(&co->lock);
}

static void
co_load_group(sm_coord_t *co, co_group_t *g, sm_bytes_t value)
{
    sm_grec_group_t gv;
    char *pt, *proto;

    if (value.ptr == NULL) {                    /* tombstone */
        sm_grp_load(g->grp, 0, NULL, NULL, SM_STR_NULL, NULL, 0,
                    sm_mono_ms());
        g->stored_gen = g->stored_state = -1;
        /* offsets that outlive their group's metadata keep an Empty group
         * (Kafka loads them the same way); else the group is gone */
        if (sm_map_count(&g->offsets) == 0)
            co_group_free(sm_map_del(&co->groups, sm_grp_id(g->grp)));
        return;
    }
    if (sm_grec_group_value_read(value, &gv) != SM_OK) {
        sm_warn("coordinator", "group %s: undecodable metadata in "
                "__consumer_offsets-%d skipped", sm_grp_id(g->grp),
                (int)g->part);
        return;
    }
    pt = sm_str_dup(gv.protocol_type);
    proto = gv.protocol.len >= 0 ? sm_str_dup(gv.protocol) : NULL;
    sm_grp_load(g->grp, gv.generation, pt, proto, gv.leader, gv.members,
                gv.nmembers, sm_mono_ms());
    g->stored_gen = gv.generation;
    g->stored_state = gv.nmembers > 0 ? SM_GRP_STABLE : SM_GRP_EMPTY;
    free(pt);
    free(proto);
    sm_grec_group_free(&gv);
}

void
sm_coord_load_record(sm_coord_t *co, int32_t part, sm_bytes_t key,
                     sm_bytes_t value)
{
    sm_grec_key_t k;
    sm_grec_offset_t ov;
    co_group_t *g;
    char *gid;

    if (sm_grec_key_read(key, &k) != SM_OK || k.group.len <= 0 ||
        memchr(k.group.ptr, '\0', (size_t)k.group.len) != NULL) {
        sm_warn("coordinator", "undecodable key in __consumer_offsets-%d "
                "skipped", (int)part);
        return;
    }
    gid = sm_str_dup(k.group);
    pthread_mutex_lock(&co->lock);
    g = co_group(co, gid, value.ptr != NULL);   /* tombstones create none */
    if (g == NULL) {
        /* a tombstone for an unknown group, or shut down meanwhile */
    } else if (k.version == SM_GREC_KEY_GROUP) {
        co_load_group(co, g, value);
    } else if (value.ptr == NULL) {
        co_offset_del(g, k.topic, k.partition);
    } else if (sm_grec_offset_value_read(value, &ov) == SM_OK) {
        co_offset_set(g, k.topic, k.partition, ov.offset, ov.metadata,
                      ov.commit_ts, ov.expire_ts);
    } else {
        sm_warn("coordinator", "group %s: undecodable offset in "
                "__consumer_offsets-%d skipped", gid, (int)part);
    }
    pthread_mutex_unlock(&co->lock);
    free(gid);
}

int
sm_coord_load_done(sm_coord_t *co, int32_t part)
{
    int ngroups = 0;
    size_t it = 0;
    const char *k;
    void *v;

    pthread_mutex_lock(&co->lock);
    if (part >= 0 && part < co->npart &&
        co->pstate[part] == CO_PART_LOADING)
        co->pstate[part] = CO_PART_OWNED;
    while (sm_map_next(&co->groups, &it, &k, &v))
        ngroups += ((co_group_t *)v)->part == part;
    pthread_mutex_unlock(&co->lock);
    return ngroups;
}

void
sm_coord_unload(sm_coord_t *co, int32_t part)
{
    size_t it = 0, n = 0;
    const char *k;
    void *v;
    char **ids;

    pthread_mutex_lock(&co->lock);
    if (part < 0 || part >= co->npart ||
        co->pstate[part] == CO_PART_NONE) {
        pthread_mutex_unlock(&co->lock);
        return;
    }
    co->pstate[part] = CO_PART_NONE;
    ids = sm_calloc(sm_map_count(&co->groups) + 1, sizeof(*ids));
    while (sm_map_next(&co->groups, &it, &k, &v))
        if (((co_group_t *)v)->part == part)
            ids[n++] = sm_strdup(k);
    for (size_t i = 0; i < n; i++) {
        co_group_t *g = sm_map_del(&co->groups, ids[i]);

        sm_grp_kill_with(g->grp, SM_ERR_NOT_COORDINATOR);
        co_group_free(g);
        free(ids[i]);
    }
    free(ids);
    pthread_mutex_unlock(&co->lock);
    sm_info("coordinator", "Unloaded %zu groups of __consumer_offsets-%d",
            n, (int)part);
}

static uint32_t
co_utf8_next(const uint8_t *s, int32_t n, int32_t *i)
{
    uint32_t c = s[*i], cp;
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
            : (c >> 3) == 30 ? 4 : 0;

    if (len == 1) {
        (*i)++;
        return c;
    }
    if (len == 0 || *i + len > n) {
        (*i)++;
        return 0xfffd;
    }
    cp = c & (0x7fu >> len);
    for (int k = 1; k < len; k++) {
        if ((s[*i + k] & 0xc0) != 0x80) {
            (*i)++;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3fu);
    }
    *i += len;
    return cp;
}

int32_t
sm_coord_partition_for(sm_str_t group, int32_t npartitions)
{
    const uint8_t *s = (const uint8_t *)group.ptr;
    uint32_t h = 0;
    int32_t i = 0, hs;

    while (i < group.len) {
        uint32_t cp = co_utf8_next(s, group.len, &i);

        if (cp >= 0x10000) {            /* a surrogate pair in UTF-16 */
            cp -= 0x10000;
            h = h * 31u + (0xd800u | (cp >> 10));
            h = h * 31u + (0xdc00u | (cp & 0x3ffu));
        } else {
            h = h * 31u + cp;
        }
    }
    hs = (int32_t)h;
    hs = hs == INT32_MIN ? 0 : hs < 0 ? -hs : hs;   /* Kafka's Utils.abs */
    return npartitions > 0 ? hs % npartitions : 0;
}
