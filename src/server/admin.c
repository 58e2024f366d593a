/*
 * admin.c: the rules of topic administration - names, replica assignment,
 * assignment and config validation - and the ZooKeeper writes that create,
 * extend and delete topics (Kafka's AdminUtils, AdminZkClient and the
 * per-topic part of AdminManager).  The request handlers built on it are
 * create_topics.c, delete_topics.c, create_partitions.c.
 *
 * REPLICA ASSIGNMENT (AdminUtils.assignReplicasToBrokers).  Rack-unaware:
 * the first replica of partition p goes to broker (p + start) mod n; the
 * followers follow it at distance 1 + (shift + j) mod (n - 1), and the
 * shift grows by one after every n partitions, so the same follower sets
 * do not repeat.  Rack-aware: the same walk over the rack-alternated
 * broker list (one broker per rack in turn), with the shift scaled by the
 * number of racks, skipping a candidate while its rack already holds a
 * replica and some rack holds none, or while it already holds one and some
 * broker holds none.  start and shift are random unless fixed (tests and
 * partition addition pass a fixed start).  The walk over k below always
 * ends within n - 1 steps per replica: every broker but the leader is
 * visited in that window, and one of them qualifies (see the assert).
 *
 * ORDER OF CHECKS.  Kafka's requests answer with the first failing check's
 * error and message, so the order below is Kafka's, spelled out in each
 * function, and the messages are Kafka's wording (clients and scripts show
 * them; some tests grep them).
 *
 * LAYOUT.  The pure rules first (names, brokers, assignment, checks: no
 * I/O, any thread), then what touches ZooKeeper (creation, auto-creation,
 * partition addition, deletion), which blocks and runs on I/O handler
 * threads.  A ZooKeeper failure becomes UNKNOWN_SERVER_ERROR with the
 * failing step in the message, as Kafka's AdminOperationException does.
 * The random source is a lock-free splitmix64 stream.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/sm_buf.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/admin.h"
#include "server/broker.h"
#include "server/config.h"
#include "server/dynamic_config.h"
#include "zk/kafka_zk.h"

/* ------------------------------------------------------------ helpers */

static void
sm_admin_set_msg(char **errmsg, char *msg)
{
    if (errmsg != NULL)
        *errmsg = msg;
    else
        free(msg);
}

static sm_err_t
sm_admin_fail(char **errmsg, sm_err_t err, char *msg)
{
    sm_admin_set_msg(errmsg, msg);
    return err;
}

/* NUL-terminate b and hand its text over. */
static char *
sm_admin_buf_str(sm_buf_t *b)
{
    sm_buf_write(b, "", 1);
    return (char *)sm_buf_detach(b, NULL);
}

static void
sm_admin_buf_puts(sm_buf_t *b, const char *s)
{
    sm_buf_write(b, s, strlen(s));
}

/* "1, 2, 3" as Scala's mkString(", ") writes it. */
static void
sm_admin_buf_ints(sm_buf_t *b, const int32_t *v, int n)
{
    char num[16];

    for (int i = 0; i < n; i++) {
        snprintf(num, sizeof(num), "%s%d", i ? ", " : "", (int)v[i]);
        sm_admin_buf_puts(b, num);
    }
}

static char *
sm_admin_ints_str(const int32_t *v, int n)
{
    sm_buf_t b = SM_BUF_INIT;

    sm_admin_buf_ints(&b, v, n);
    return sm_admin_buf_str(&b);
}

/* Lock-free random numbers: a splitmix64 stream seeded once. */
static _Atomic uint64_t sm_admin_rng;
static pthread_once_t sm_admin_rng_once = PTHREAD_ONCE_INIT;

static void
sm_admin_rng_init(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    atomic_store(&sm_admin_rng, (uint64_t)ts.tv_nsec ^
                 ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40));
}

/* Uniform-enough in [0, n) for n > 0 (n is a broker count). */
static int32_t
sm_admin_random(int32_t n)
{
    uint64_t z;

    pthread_once(&sm_admin_rng_once, sm_admin_rng_init);
    z = atomic_fetch_add(&sm_admin_rng, 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (int32_t)(z % (uint64_t)n);
}

/* ------------------------------------------------------------ names */

static int
sm_admin_legal_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static char *
sm_admin_illegal_chars_msg(const char *name)
{
    return sm_asprintf("Topic name \"%s\" is illegal, it contains a "
                       "character other than ASCII alphanumerics, '.', "
                       "'_' and '-'", name);
}

sm_err_t
sm_admin_validate_topic_name(const char *name, char **errmsg)
{
    size_t n = strlen(name);

    sm_admin_set_msg(errmsg, NULL);
    if (n == 0)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_TOPIC_EXCEPTION,
            sm_strdup("Topic name is illegal, it can't be empty"));
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_TOPIC_EXCEPTION,
            sm_strdup("Topic name cannot be \".\" or \"..\""));
    if (n > SM_ADMIN_MAX_TOPIC_LEN)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_TOPIC_EXCEPTION,
            sm_asprintf("Topic name is illegal, it can't be longer than %d "
                        "characters, topic name: %s",
                        SM_ADMIN_MAX_TOPIC_LEN, name));
    for (size_t i = 0; i < n; i++)
        if (!sm_admin_legal_char(name[i]))
            return sm_admin_fail(errmsg, SM_ERR_INVALID_TOPIC_EXCEPTION,
                                 sm_admin_illegal_chars_msg(name));
    return SM_OK;
}

sm_err_t
sm_admin_topic_from_wire(sm_str_t name, char **topic, char **errmsg)
{
    if (name.len < 0 || name.ptr == NULL) {
        *topic = sm_strdup("");
        return sm_admin_validate_topic_name(*topic, errmsg);
    }
    *topic = sm_str_dup(name);
    if (memchr(name.ptr, '\0', (size_t)name.len) != NULL) {
        /* Kafka would print the NUL; a C string cannot */
        sm_admin_set_msg(errmsg, sm_admin_illegal_chars_msg(*topic));
        return SM_ERR_INVALID_TOPIC_EXCEPTION;
    }
    return sm_admin_validate_topic_name(*topic, errmsg);
}

int
sm_admin_topics_collide(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '.' ? '_' : *a, y = *b == '.' ? '_' : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ------------------------------------------------------------ brokers */

sm_err_t
sm_admin_brokers(const sm_mdsnap_t *snap, int mode, sm_admin_broker_t **out,
                 int *n, char **errmsg)
{
    int with_rack = 0, keep;

    sm_admin_set_msg(errmsg, NULL);
    *out = NULL;
    *n = 0;
    for (int32_t i = 0; i < snap->nbrokers; i++)
        with_rack += snap->brokers[i].rack != NULL;
    if (mode == SM_ADMIN_RACK_ENFORCED && with_rack > 0 &&
        with_rack < snap->nbrokers)
        return sm_admin_fail(errmsg, SM_ERR_UNKNOWN_SERVER_ERROR,
            sm_strdup("Not all brokers have rack information. Add "
                      "--disable-rack-aware in command line to make "
                      "replica assignment without rack information."));
    keep = mode == SM_ADMIN_RACK_AS_IS || mode == SM_ADMIN_RACK_ENFORCED ||
           (mode == SM_ADMIN_RACK_SAFE && with_rack == snap->nbrokers);
    if (snap->nbrokers == 0)
        return SM_OK;
    *out = sm_calloc((size_t)snap->nbrokers, sizeof(**out));
    for (int32_t i = 0; i < snap->nbrokers; i++) {     /* sorted by id */
        (*out)[i].id = snap->brokers[i].id;
        (*out)[i].rack = keep ? snap->brokers[i].rack : NULL;
    }
    *n = snap->nbrokers;
    return SM_OK;
}

/* ------------------------------------------------------------ assignment */

/* Kafka's AdminUtils.replicaIndex: the j-th follower of first. */
static int32_t
sm_admin_replica_index(int32_t first, int64_t shift, int32_t j, int32_t n)
{
    int64_t s = 1 + (shift + j) % (n - 1);

    return (int32_t)((first + s) % n);
}

static int
sm_admin_cmp_rack(const void *a, const void *b)
{
    const sm_admin_broker_t *x = a, *y = b;
    int c = strcmp(x->rack, y->rack);

    return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

void
sm_admin_rack_alternated(const sm_admin_broker_t *brokers, int nbrokers,
                         int32_t *ids)
{
    sm_admin_broker_t *v = sm_calloc((size_t)nbrokers + 1, sizeof(*v));
    int *first = sm_calloc((size_t)nbrokers + 1, sizeof(*first));
    int *next = sm_calloc((size_t)nbrokers + 1, sizeof(*next));
    int nracks = 0, out = 0;

    memcpy(v, brokers, (size_t)nbrokers * sizeof(*v));
    qsort(v, (size_t)nbrokers, sizeof(*v), sm_admin_cmp_rack);
    /* v is grouped by rack (racks sorted, ids sorted within): note where
     * each rack starts, then take one broker per rack in turn */
    for (int i = 0; i < nbrokers; i++)
        if (i == 0 || strcmp(v[i].rack, v[i - 1].rack) != 0)
            first[nracks++] = i;
    first[nracks] = nbrokers;
    for (int r = 0; r < nracks; r++)
        next[r] = first[r];
    for (int r = 0; out < nbrokers; r = (r + 1) % nracks)
        if (next[r] < first[r + 1])
            ids[out++] = v[next[r]++].id;
    free(next);
    free(first);
    free(v);
}

static void
sm_admin_assign_unaware(const sm_admin_broker_t *brokers, int32_t n,
                        int32_t nparts, int32_t rf, int32_t fixed,
                        int32_t start_part, sm_zk_topic_t *out,
                        int32_t *reps)
{
    int32_t start = fixed >= 0 ? fixed : sm_admin_random(n);
    int64_t shift = fixed >= 0 ? fixed : sm_admin_random(n);
    int32_t p = start_part > 0 ? start_part : 0;

    for (int32_t i = 0; i < nparts; i++, p++) {
        int32_t first;

        if (p > 0 && p % n == 0)
            shift++;
        first = (int32_t)(((int64_t)p + start) % n);
        reps[0] = brokers[first].id;
        for (int32_t j = 0; j < rf - 1; j++)
            reps[j + 1] = brokers[sm_admin_replica_index(first, shift, j,
                                                         n)].id;
        sm_zk_topic_add(out, p, reps, rf);
    }
}

/* The rack of broker id in brokers (every broker has one here). */
static const char *
sm_admin_rack_of(const sm_admin_broker_t *brokers, int32_t n, int32_t id)
{
    for (int32_t i = 0; i < n; i++)
        if (brokers[i].id == id)
            return brokers[i].rack;
    return "";
}

static int
sm_admin_count_racks(const sm_admin_broker_t *brokers, int32_t n)
{
    int racks = 0;

    for (int32_t i = 0; i < n; i++) {
        int seen = 0;
        for (int32_t j = 0; j < i && !seen; j++)
            seen = strcmp(brokers[i].rack, brokers[j].rack) == 0;
        racks += !seen;
    }
    return racks;
}

/* Racks holding a replica among reps[0..nreps); is rack among them? */
static int
sm_admin_rack_used(const char *const *racks, int nracks, const char *rack)
{
    for (int i = 0; i < nracks; i++)
        if (strcmp(racks[i], rack) == 0)
            return 1;
    return 0;
}

static int
sm_admin_id_used(const int32_t *reps, int nreps, int32_t id)
{
    for (int i = 0; i < nreps; i++)
        if (reps[i] == id)
            return 1;
    return 0;
}

/* One partition of the rack-aware walk.  k runs on across the followers
 * of the partition, as in Kafka, and restarts with the next partition. */
static void
sm_admin_rack_partition(const sm_admin_broker_t *brokers,
                        const int32_t *arranged, int32_t n, int numracks,
                        int32_t first, int64_t shift, int32_t rf,
                        int32_t *reps, const char **racks)
{
    int nracks = 1, nreps = 1;
    int32_t k = 0;

    reps[0] = arranged[first];
    racks[0] = sm_admin_rack_of(brokers, n, reps[0]);
    for (int32_t r = 0; r < rf - 1; r++) {
        int32_t limit = k + n;          /* see the file comment */
        for (;;) {
            int32_t id = arranged[sm_admin_replica_index(
                first, shift * numracks, k, n)];
            const char *rack = sm_admin_rack_of(brokers, n, id);
            k++;
            if ((!sm_admin_rack_used(racks, nracks, rack) ||
                 nracks == numracks) &&
                (!sm_admin_id_used(reps, nreps, id) || nreps == n)) {
                if (!sm_admin_rack_used(racks, nracks, rack))
                    racks[nracks++] = rack;
                reps[nreps++] = id;
                break;
            }
            sm_assert(k < limit);
        }
    }
}

static void
sm_admin_assign_aware(const sm_admin_broker_t *brokers, int32_t n,
                      int32_t nparts, int32_t rf, int32_t fixed,
                      int32_t start_part, sm_zk_topic_t *out, int32_t *reps)
{
    int32_t *arranged = sm_calloc((size_t)n, sizeof(*arranged));
    const char **racks = sm_calloc((size_t)n, sizeof(*racks));
    int numracks = sm_admin_count_racks(brokers, n);
    int32_t start = fixed >= 0 ? fixed : sm_admin_random(n);
    int64_t shift = fixed >= 0 ? fixed : sm_admin_random(n);
    int32_t p = start_part > 0 ? start_part : 0;

    sm_admin_rack_alternated(brokers, n, arranged);
    for (int32_t i = 0; i < nparts; i++, p++) {
        if (p > 0 && p % n == 0)
            shift++;
        sm_admin_rack_partition(brokers, arranged, n, numracks,
                                (int32_t)(((int64_t)p + start) % n), shift,
                                rf, reps, racks);
        sm_zk_topic_add(out, p, reps, rf);
    }
    free(racks);
    free(arranged);
}

sm_err_t
sm_admin_assign_replicas(const sm_admin_broker_t *brokers, int nbrokers,
                         int32_t npartitions, int32_t rf,
                         int32_t fixed_start, int32_t start_partition,
                         sm_zk_topic_t *out, char **errmsg)
{
    int with_rack = 0;
    int32_t *reps;

    sm_admin_set_msg(errmsg, NULL);
    if (npartitions <= 0)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_PARTITIONS,
            sm_strdup("Number of partitions must be larger than 0."));
    if (rf <= 0)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_REPLICATION_FACTOR,
            sm_strdup("Replication factor must be larger than 0."));
    if (rf > nbrokers)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_REPLICATION_FACTOR,
            sm_asprintf("Replication factor: %d larger than available "
                        "brokers: %d.", (int)rf, nbrokers));
    if (npartitions > SM_ADMIN_MAX_PARTITIONS ||
        (int64_t)(start_partition > 0 ? start_partition : 0) + npartitions >
        SM_ADMIN_MAX_PARTITIONS)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_PARTITIONS,
            sm_asprintf("Number of partitions must not exceed %d.",
                        SM_ADMIN_MAX_PARTITIONS));
    for (int i = 0; i < nbrokers; i++)
        with_rack += brokers[i].rack != NULL;
    if (with_rack > 0 && with_rack < nbrokers)
        return sm_admin_fail(errmsg, SM_ERR_UNKNOWN_SERVER_ERROR,
            sm_strdup("Not all brokers have rack information for replica "
                      "rack aware assignment."));
    reps = sm_calloc((size_t)rf, sizeof(*reps));
    if (with_rack == 0)
        sm_admin_assign_unaware(brokers, nbrokers, npartitions, rf,
                                fixed_start, start_partition, out, reps);
    else
        sm_admin_assign_aware(brokers, nbrokers, npartitions, rf,
                              fixed_start, start_partition, out, reps);
    free(reps);
    return SM_OK;
}

/* ------------------------------------------------------------ checks */

/* "Map(0 -> ArrayBuffer(1, 1), ...)": Scala's rendering of the request's
 * assignment in Kafka's duplicate-replica message. */
static char *
sm_admin_scala_map(const sm_zk_topic_t *t)
{
    sm_buf_t b = SM_BUF_INIT;
    char num[32];

    sm_admin_buf_puts(&b, "Map(");
    for (int i = 0; i < t->part_cnt; i++) {
        snprintf(num, sizeof(num), "%s%d -> ArrayBuffer(", i ? ", " : "",
                 (int)t->parts[i].partition);
        sm_admin_buf_puts(&b, num);
        sm_admin_buf_ints(&b, t->parts[i].replicas.v,
                          t->parts[i].replicas.cnt);
        sm_admin_buf_puts(&b, ")");
    }
    sm_admin_buf_puts(&b, ")");
    return sm_admin_buf_str(&b);
}

static int
sm_admin_has_dup(const sm_zk_ints_t *r)
{
    for (int x = 0; x < r->cnt; x++)
        for (int y = x + 1; y < r->cnt; y++)
            if (r->v[x] == r->v[y])
                return 1;
    return 0;
}

static int
sm_admin_is_live(const sm_admin_broker_t *live, int nlive, int32_t id)
{
    for (int i = 0; i < nlive; i++)
        if (live[i].id == id)
            return 1;
    return 0;
}

/* Unknown brokers of t, each once, in order of appearance; NULL if none. */
static char *
sm_admin_unknown_brokers(const sm_zk_topic_t *t,
                         const sm_admin_broker_t *live, int nlive)
{
    sm_zk_ints_t seen = { 0 };
    char *msg = NULL;

    for (int i = 0; i < t->part_cnt; i++) {
        const sm_zk_ints_t *r = &t->parts[i].replicas;
        for (int j = 0; j < r->cnt; j++) {
            int32_t id = r->v[j];
            if (sm_admin_is_live(live, nlive, id) ||
                sm_admin_id_used(seen.v, seen.cnt, id))
                continue;
            seen.v = sm_realloc(seen.v, (size_t)(seen.cnt + 1) *
                                sizeof(*seen.v));
            seen.v[seen.cnt++] = id;
        }
    }
    if (seen.cnt > 0) {
        char *ids = sm_admin_ints_str(seen.v, seen.cnt);
        msg = sm_asprintf("Unknown broker(s) in replica assignment: %s.",
                          ids);
        free(ids);
    }
    sm_zk_ints_fini(&seen);
    return msg;
}

sm_err_t
sm_admin_check_assignment(const sm_zk_topic_t *t,
                          const sm_admin_broker_t *live, int nlive,
                          char **errmsg)
{
    const sm_err_t bad = SM_ERR_INVALID_REPLICA_ASSIGNMENT;
    char *unknown;

    sm_admin_set_msg(errmsg, NULL);
    if (t->part_cnt == 0)
        return sm_admin_fail(errmsg, bad, sm_strdup(
            "All partitions should have the same number of replicas"));
    for (int i = 0; i < t->part_cnt; i++)
        if (t->parts[i].replicas.cnt != t->parts[0].replicas.cnt)
            return sm_admin_fail(errmsg, bad, sm_strdup(
                "All partitions should have the same number of replicas"));
    for (int i = 0; i < t->part_cnt; i++) {
        char *map;
        if (!sm_admin_has_dup(&t->parts[i].replicas))
            continue;
        map = sm_admin_scala_map(t);
        sm_admin_set_msg(errmsg, sm_asprintf(
            "Duplicate replica assignment found: %s", map));
        free(map);
        return bad;
    }
    for (int i = 0; i < t->part_cnt; i++)
        if (t->parts[i].partition != i)
            return sm_admin_fail(errmsg, bad, sm_strdup(
                "partitions should be a consecutive 0-based integer "
                "sequence"));
    /* Kafka lets a replica-less partition through here; it could never
     * get a leader, so refuse it with addPartitions' wording */
    if (t->parts[0].replicas.cnt == 0)
        return sm_admin_fail(errmsg, bad, sm_asprintf(
            "Cannot have replication factor of 0 for partition id %d.", 0));
    unknown = live ? sm_admin_unknown_brokers(t, live, nlive) : NULL;
    if (unknown != NULL)
        return sm_admin_fail(errmsg, bad, unknown);
    return SM_OK;
}

sm_err_t
sm_admin_check_configs(const struct sm_config *cfg,
                       const sm_admin_cfg_t *cfgs, int ncfgs, char **errmsg)
{
    static const char prefix[] = "topic config: ";
    sm_props_t props = SM_PROPS_INIT;
    sm_topic_config_t tc;
    sm_buf_t nulls = SM_BUF_INIT;
    char errstr[512] = "";
    sm_err_t err = SM_OK;

    sm_admin_set_msg(errmsg, NULL);
    for (int i = 0; i < ncfgs; i++)
        if (cfgs[i].value == NULL) {
            if (nulls.len > 0)
                sm_admin_buf_puts(&nulls, ",");
            sm_admin_buf_puts(&nulls, cfgs[i].name);
        }
    if (nulls.len > 0) {
        char *names = sm_admin_buf_str(&nulls);
        sm_admin_set_msg(errmsg, sm_asprintf("Null value not supported for "
                                             "topic configs : %s", names));
        free(names);
        return SM_ERR_INVALID_REQUEST;
    }
    for (int i = 0; i < ncfgs; i++)     /* LogConfig.validateNames first */
        if (sm_topic_conf_key(cfgs[i].name) < 0)
            return sm_admin_fail(errmsg, SM_ERR_INVALID_CONFIG, sm_asprintf(
                "Unknown topic config name: %s", cfgs[i].name));
    for (int i = 0; i < ncfgs; i++)
        sm_props_add(&props, cfgs[i].name, cfgs[i].value, 0);
    if (sm_config_topic(cfg, &props, SM_TOPIC_STRICT, &tc, errstr,
                        sizeof(errstr)) != SM_OK) {
        const char *m = errstr;
        if (strncmp(m, prefix, sizeof(prefix) - 1) == 0)
            m += sizeof(prefix) - 1;    /* Kafka's ConfigException text */
        sm_admin_set_msg(errmsg, sm_strdup(m));
        err = SM_ERR_INVALID_CONFIG;
    }
    sm_topic_config_fini(&tc);
    sm_props_fini(&props);
    return err;
}

/* ------------------------------------------------------------ ZooKeeper */

/* A ZooKeeper failure as Kafka reports it (an AdminOperationException or
 * a ZooKeeper exception: UNKNOWN_SERVER_ERROR with its text). */
static sm_err_t
sm_admin_zk_fail(const char *what, const char *topic, sm_err_t err,
                 char **errmsg)
{
    if (!sm_err_is_local(err))
        return err;
    sm_warn("admin", "%s %s: ZooKeeper: %s", what, topic, sm_err_desc(err));
    sm_admin_set_msg(errmsg, sm_asprintf("%s %s failed: ZooKeeper: %s", what,
                                         topic, sm_err_desc(err)));
    return SM_ERR_UNKNOWN_SERVER_ERROR;
}

static sm_err_t
sm_admin_exists_error(const char *topic, char **errmsg)
{
    return sm_admin_fail(errmsg, SM_ERR_TOPIC_ALREADY_EXISTS,
                         sm_asprintf("Topic '%s' already exists.", topic));
}

/* The '.'/'_' collision check of validateTopicCreate. */
static sm_err_t
sm_admin_check_collisions(sm_zk_t *zk, const char *topic, char **errmsg)
{
    sm_zk_strings_t all = { 0 };
    sm_buf_t coll = SM_BUF_INIT;
    sm_err_t err;

    if (strpbrk(topic, "._") == NULL)
        return SM_OK;
    err = sm_zk_get_topics(zk, 0, &all);
    for (int i = 0; err == SM_OK && i < all.cnt; i++) {
        if (strcmp(all.v[i], topic) == 0) {
            err = sm_admin_exists_error(topic, errmsg);
        } else if (sm_admin_topics_collide(all.v[i], topic)) {
            if (coll.len > 0)
                sm_admin_buf_puts(&coll, ", ");
            sm_admin_buf_puts(&coll, all.v[i]);
        }
    }
    if (err == SM_OK && coll.len > 0) {
        char *names = sm_admin_buf_str(&coll);
        sm_admin_set_msg(errmsg, sm_asprintf("Topic '%s' collides with "
                                             "existing topics: %s", topic,
                                             names));
        free(names);
        err = SM_ERR_INVALID_TOPIC_EXCEPTION;
    }
    sm_buf_fini(&coll);
    sm_zk_strings_fini(&all);
    return sm_admin_zk_fail("Listing topics for", topic, err, errmsg);
}

/* AdminZkClient.validateTopicCreate (the configs were checked before). */
static sm_err_t
sm_admin_validate_create(sm_zk_t *zk, const char *topic,
                         const sm_zk_topic_t *t,
                         const sm_admin_broker_t *live, int nlive,
                         char **errmsg)
{
    sm_err_t err = sm_admin_validate_topic_name(topic, errmsg);

    if (err != SM_OK)
        return err;
    err = sm_zk_topic_exists(zk, topic);
    if (err == SM_OK)
        return sm_admin_exists_error(topic, errmsg);
    if (err != SM_ERR__NOENT)
        return sm_admin_zk_fail("Checking topic", topic, err, errmsg);
    err = sm_admin_check_collisions(zk, topic, errmsg);
    if (err != SM_OK)
        return err;
    return sm_admin_check_assignment(t, live, nlive, errmsg);
}

static void
sm_admin_topic_copy(sm_zk_topic_t *dst, const sm_zk_topic_t *src)
{
    for (int i = 0; i < src->part_cnt; i++) {
        const sm_zk_assignment_t *a = &src->parts[i];
        sm_zk_assignment_t *c = sm_zk_topic_add(dst, a->partition,
                                                a->replicas.v,
                                                a->replicas.cnt);
        sm_zk_ints_set(&c->adding, a->adding.v, a->adding.cnt);
        sm_zk_ints_set(&c->removing, a->removing.v, a->removing.cnt);
    }
    if (src->topic_id != NULL && dst->topic_id == NULL)
        dst->topic_id = sm_strdup(src->topic_id);
    dst->version = src->version;
}

/* The assignment of a new topic: the given one, or computed. */
static sm_err_t
sm_admin_new_assignment(sm_broker_t *b, const sm_admin_topic_spec_t *spec,
                        const sm_admin_broker_t *live, int nlive,
                        sm_zk_topic_t *t, char **errmsg)
{
    int32_t np = spec->num_partitions, rf = spec->replication_factor;

    if (spec->assignment != NULL) {
        if (np != -1 || rf != -1)
            return sm_admin_fail(errmsg, SM_ERR_INVALID_REQUEST, sm_strdup(
                "Both numPartitions or replicationFactor and "
                "replicasAssignments were set. Both cannot be used at the "
                "same time."));
        sm_admin_topic_copy(t, spec->assignment);
        return SM_OK;
    }
    if (np == -1)
        np = b->cfg->num_partitions;
    if (rf == -1)
        rf = b->cfg->default_replication_factor;
    return sm_admin_assign_replicas(live, nlive, np, rf, -1, -1, t, errmsg);
}

static sm_err_t
sm_admin_write_topic(sm_broker_t *b, const sm_admin_topic_spec_t *spec,
                     const sm_zk_topic_t *t, char **errmsg)
{
    sm_zk_config_t zc = { 0 };
    sm_err_t err;

    for (int i = 0; i < spec->nconfigs; i++)
        sm_zk_config_set(&zc, spec->configs[i].name, spec->configs[i].value);
    err = sm_zk_create_topic(b->zk, spec->topic, &zc, t);
    sm_zk_config_fini(&zc);
    if (err == SM_ERR_TOPIC_ALREADY_EXISTS)     /* lost a race */
        return sm_admin_exists_error(spec->topic, errmsg);
    if (err == SM_ERR_INVALID_TOPIC_EXCEPTION)
        return sm_admin_fail(errmsg, err, sm_asprintf(
            "Topic '%s' collides with an existing topic", spec->topic));
    if (err == SM_OK)
        sm_info("admin", "Created topic %s with %d partitions and %d "
                "configs", spec->topic, t->part_cnt, spec->nconfigs);
    return sm_admin_zk_fail("Creating topic", spec->topic, err, errmsg);
}

sm_err_t
sm_admin_create_topic(sm_broker_t *b, const sm_admin_topic_spec_t *spec,
                      sm_zk_topic_t *assigned, char **errmsg)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    sm_admin_broker_t *live = NULL;
    sm_zk_topic_t t = { 0 };
    int nlive = 0;
    sm_err_t err;

    sm_admin_set_msg(errmsg, NULL);
    if (sm_mdsnap_topic(snap, spec->topic) != NULL) {
        err = sm_admin_exists_error(spec->topic, errmsg);
        goto out;
    }
    /* LogConfig rules over the effective (dynamic) broker defaults */
    err = sm_admin_check_configs(sm_broker_config(b), spec->configs,
                                 spec->nconfigs, errmsg);
    if (err == SM_OK)
        err = sm_admin_brokers(snap, spec->rack_mode, &live, &nlive, errmsg);
    if (err == SM_OK)
        err = sm_admin_new_assignment(b, spec, live, nlive, &t, errmsg);
    if (err == SM_OK)
        err = sm_admin_validate_create(b->zk, spec->topic, &t,
                                       spec->live_only ? live : NULL, nlive,
                                       errmsg);
    if (err == SM_OK && !spec->validate_only)
        err = sm_admin_write_topic(b, spec, &t, errmsg);
out:
    if (err == SM_OK && assigned != NULL) {
        *assigned = t;
        memset(&t, 0, sizeof(t));
    }
    sm_zk_topic_fini(&t);
    free(live);
    sm_mdsnap_release(b->mdcache, snap);
    return err;
}

/* ------------------------------------------------------------ auto-create */

/* The settings of an auto-created topic (Kafka's KafkaApis.createTopic /
 * createInternalTopic with offsetsTopicConfigs / transactionTopicConfigs).
 * Strings in vals[] back the cfgs' values. */
typedef struct sm_admin_auto {
    int32_t        np, rf;
    const char    *rf_key;          /* internal topics: the rf's key */
    sm_admin_cfg_t cfgs[5];
    int            ncfgs;
    char           vals[2][24];
} sm_admin_auto_t;

static void
sm_admin_auto_cfg(sm_admin_auto_t *a, const char *name, const char *value)
{
    a->cfgs[a->ncfgs].name = name;
    a->cfgs[a->ncfgs++].value = value;
}

static void
sm_admin_auto_settings(const sm_config_t *cfg, const char *name,
                       sm_admin_auto_t *a)
{
    memset(a, 0, sizeof(*a));
    a->np = cfg->num_partitions;
    a->rf = cfg->default_replication_factor;
    if (strcmp(name, "__consumer_offsets") == 0) {
        a->np = cfg->offsets_topic_num_partitions;
        a->rf = cfg->offsets_topic_replication_factor;
        a->rf_key = "offsets.topic.replication.factor";
        snprintf(a->vals[0], sizeof(a->vals[0]), "%d",
                 (int)cfg->offsets_topic_segment_bytes);
        sm_admin_auto_cfg(a, "cleanup.policy", "compact");
        sm_admin_auto_cfg(a, "segment.bytes", a->vals[0]);
        sm_admin_auto_cfg(a, "compression.type", "producer");
    } else if (strcmp(name, "__transaction_state") == 0) {
        a->np = cfg->transaction_state_log_num_partitions;
        a->rf = cfg->transaction_state_log_replication_factor;
        a->rf_key = "transaction.state.log.replication.factor";
        snprintf(a->vals[0], sizeof(a->vals[0]), "%d",
                 (int)cfg->transaction_state_log_min_isr);
        snprintf(a->vals[1], sizeof(a->vals[1]), "%d",
                 (int)cfg->transaction_state_log_segment_bytes);
        sm_admin_auto_cfg(a, "unclean.leader.election.enable", "false");
        sm_admin_auto_cfg(a, "compression.type", "uncompressed");
        sm_admin_auto_cfg(a, "cleanup.policy", "compact");
        sm_admin_auto_cfg(a, "min.insync.replicas", a->vals[0]);
        sm_admin_auto_cfg(a, "segment.bytes", a->vals[1]);
    }
}

sm_err_t
sm_admin_auto_create_topic(sm_broker_t *b, const char *name)
{
    sm_admin_topic_spec_t spec;
    sm_admin_auto_t a;
    sm_mdsnap_t *snap;
    char *msg = NULL;
    int32_t live;
    sm_err_t err;

    sm_admin_auto_settings(b->cfg, name, &a);
    snap = sm_mdcache_snapshot(b->mdcache);
    live = snap->nbrokers;
    sm_mdsnap_release(b->mdcache, snap);
    if (live == 0) {
        /* Registered in ZooKeeper, but the controller's first
         * UpdateMetadata has not arrived: the cache knows no broker, not
         * even this one.  Kafka never answers a client's auto-creation
         * with INVALID_REPLICATION_FACTOR here (2.x assigns from
         * /brokers/ids, later versions answer LEADER_NOT_AVAILABLE), and
         * clients treat that code as final; ask them to retry instead. */
        sm_info("admin", "Auto creation of topic %s deferred: the metadata "
                "cache has no live broker yet", name);
        return SM_ERR_LEADER_NOT_AVAILABLE;
    }
    if (a.rf_key != NULL && live < a.rf) {
        sm_error("admin", "Number of alive brokers '%d' does not meet the "
                 "required replication factor '%d' for the %s topic "
                 "(configured via '%s'). This error can be ignored if the "
                 "cluster is starting up and not all brokers are up yet.",
                 (int)live, (int)a.rf, name, a.rf_key);
        return SM_ERR_INVALID_REPLICATION_FACTOR;
    }
    memset(&spec, 0, sizeof(spec));
    spec.topic = name;
    spec.num_partitions = a.np;
    spec.replication_factor = a.rf;
    spec.configs = a.cfgs;
    spec.nconfigs = a.ncfgs;
    spec.rack_mode = SM_ADMIN_RACK_SAFE;
    err = sm_admin_create_topic(b, &spec, NULL, &msg);
    if (err == SM_OK)
        sm_info("admin", "Auto creation of topic %s with %d partitions and "
                "replication factor %d is successful", name, (int)a.np,
                (int)a.rf);
    else if (err != SM_ERR_TOPIC_ALREADY_EXISTS)
        sm_info("admin", "Auto creation of topic %s failed: %s: %s", name,
                sm_err_name(err), msg ? msg : "");
    free(msg);
    return err;
}

/* ------------------------------------------------------------ partitions */

/* "Map(1 -> List(0, 1))": Scala's rendering of an existing assignment. */
static char *
sm_admin_scala_list_map(const sm_zk_topic_t *t)
{
    sm_buf_t b = SM_BUF_INIT;
    char num[32];

    sm_admin_buf_puts(&b, "Map(");
    for (int i = 0; i < t->part_cnt; i++) {
        snprintf(num, sizeof(num), "%s%d -> List(", i ? ", " : "",
                 (int)t->parts[i].partition);
        sm_admin_buf_puts(&b, num);
        sm_admin_buf_ints(&b, t->parts[i].replicas.v,
                          t->parts[i].replicas.cnt);
        sm_admin_buf_puts(&b, ")");
    }
    sm_admin_buf_puts(&b, ")");
    return sm_admin_buf_str(&b);
}

/* validateReplicaAssignment's per-partition rules for one new partition. */
static sm_err_t
sm_admin_check_new_replicas(int32_t p, const sm_zk_ints_t *r,
                            const sm_admin_broker_t *brokers, int nbrokers,
                            char **errmsg)
{
    char *list, *avail;
    int32_t *ids;
    int all_live = 1;

    if (r->cnt == 0)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_REPLICA_ASSIGNMENT,
            sm_asprintf("Cannot have replication factor of 0 for partition "
                        "id %d.", (int)p));
    if (sm_admin_has_dup(r)) {
        list = sm_admin_ints_str(r->v, r->cnt);
        sm_admin_set_msg(errmsg, sm_asprintf("Duplicate brokers not allowed "
                         "in replica assignment: %s for partition id %d.",
                         list, (int)p));
        free(list);
        return SM_ERR_INVALID_REPLICA_ASSIGNMENT;
    }
    for (int i = 0; i < r->cnt && all_live; i++)
        all_live = sm_admin_is_live(brokers, nbrokers, r->v[i]);
    if (all_live)
        return SM_OK;
    ids = sm_calloc((size_t)nbrokers + 1, sizeof(*ids));
    for (int i = 0; i < nbrokers; i++)
        ids[i] = brokers[i].id;
    list = sm_admin_ints_str(r->v, r->cnt);
    avail = sm_admin_ints_str(ids, nbrokers);
    sm_admin_set_msg(errmsg, sm_asprintf("Some brokers specified for "
                     "partition id %d are not available. Specified "
                     "brokers: %s, available brokers: %s.", (int)p, list,
                     avail));
    free(avail);
    free(list);
    free(ids);
    return SM_ERR_BROKER_NOT_AVAILABLE;
}

/* The "Inconsistent replication factor" check over the new partitions
 * new[0..n) (partition ids first..first+n-1). */
static sm_err_t
sm_admin_check_new_rf(const sm_zk_assignment_t *parts, int n, int32_t rf,
                      char **errmsg)
{
    sm_zk_ints_t ps = { 0 }, rfs = { 0 };
    char *a, *b;

    for (int i = 0; i < n; i++) {
        if (parts[i].replicas.cnt == rf)
            continue;
        ps.v = sm_realloc(ps.v, (size_t)(ps.cnt + 1) * sizeof(*ps.v));
        rfs.v = sm_realloc(rfs.v, (size_t)(rfs.cnt + 1) * sizeof(*rfs.v));
        ps.v[ps.cnt++] = parts[i].partition;
        rfs.v[rfs.cnt++] = parts[i].replicas.cnt;
    }
    if (ps.cnt == 0)
        return SM_OK;
    a = sm_admin_ints_str(ps.v, ps.cnt);
    b = sm_admin_ints_str(rfs.v, rfs.cnt);
    sm_admin_set_msg(errmsg, sm_asprintf("Inconsistent replication factor "
                     "between partitions, partition 0 has %d while "
                     "partitions [%s] have replication factors [%s], "
                     "respectively.", (int)rf, a, b));
    free(a);
    free(b);
    sm_zk_ints_fini(&ps);
    sm_zk_ints_fini(&rfs);
    return SM_ERR_INVALID_REPLICA_ASSIGNMENT;
}

/* The manual assignment of the new partitions, checked as Kafka's
 * AdminManager.createPartitions and validateReplicaAssignment do. */
static sm_err_t
sm_admin_given_new(const sm_zk_topic_t *existing, int32_t inc,
                   const sm_admin_broker_t *brokers, int nbrokers,
                   const sm_zk_ints_t *assign, int32_t nassign,
                   sm_zk_topic_t *out, char **errmsg)
{
    sm_zk_topic_t given = { 0 };
    char *unknown;
    sm_err_t err = SM_OK;

    for (int32_t i = 0; i < nassign; i++)
        sm_zk_topic_add(&given, existing->part_cnt + i, assign[i].v,
                        assign[i].cnt);
    unknown = sm_admin_unknown_brokers(&given, brokers, nbrokers);
    if (unknown != NULL)
        err = sm_admin_fail(errmsg, SM_ERR_INVALID_REPLICA_ASSIGNMENT,
                            unknown);
    else if (nassign != inc)
        err = sm_admin_fail(errmsg, SM_ERR_INVALID_REPLICA_ASSIGNMENT,
            sm_asprintf("Increasing the number of partitions by %d but %d "
                        "assignments provided.", (int)inc, (int)nassign));
    for (int i = 0; err == SM_OK && i < given.part_cnt; i++)
        err = sm_admin_check_new_replicas(given.parts[i].partition,
                                          &given.parts[i].replicas, brokers,
                                          nbrokers, errmsg);
    if (err == SM_OK)
        err = sm_admin_check_new_rf(given.parts, given.part_cnt,
                                    existing->parts[0].replicas.cnt, errmsg);
    if (err == SM_OK)
        sm_admin_topic_copy(out, &given);
    sm_zk_topic_fini(&given);
    return err;
}

sm_err_t
sm_admin_extend_assignment(const char *topic, const sm_zk_topic_t *existing,
                           const sm_admin_broker_t *brokers, int nbrokers,
                           int32_t count, const sm_zk_ints_t *assign,
                           int32_t nassign, sm_zk_topic_t *out,
                           char **errmsg)
{
    const sm_zk_assignment_t *p0 = sm_zk_topic_find(existing, 0);
    int32_t old = existing->part_cnt, inc = count - old, start = 0;
    sm_err_t err;

    sm_admin_set_msg(errmsg, NULL);
    if (p0 == NULL || p0->replicas.cnt == 0) {
        char *map = sm_admin_scala_list_map(existing);
        sm_admin_set_msg(errmsg, sm_asprintf("Unexpected existing replica "
                         "assignment for topic '%s', partition id 0 is "
                         "missing. Assignment: %s", topic, map));
        free(map);
        return SM_ERR_UNKNOWN_SERVER_ERROR;
    }
    for (int32_t i = 0; i < old; i++)
        if (existing->parts[i].partition != i) {
            char *map = sm_admin_scala_list_map(existing);
            sm_admin_set_msg(errmsg, sm_asprintf("Unexpected existing "
                             "replica assignment for topic '%s', partitions "
                             "are not 0..%d. Assignment: %s", topic,
                             (int)old - 1, map));
            free(map);
            return SM_ERR_UNKNOWN_SERVER_ERROR;
        }
    if (inc <= 0)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_PARTITIONS, sm_asprintf(
            "The number of partitions for a topic can only be increased. "
            "Topic %s currently has %d partitions, %d would not be an "
            "increase.", topic, (int)old, (int)count));
    sm_admin_topic_copy(out, existing);
    if (nassign >= 0)
        return sm_admin_given_new(existing, inc, brokers, nbrokers, assign,
                                  nassign, out, errmsg);
    while (start < nbrokers && brokers[start].id < p0->replicas.v[0])
        start++;
    if (start == nbrokers)              /* indexWhere found none: -1 */
        start = 0;
    err = sm_admin_assign_replicas(brokers, nbrokers, inc,
                                   p0->replicas.cnt, start, old, out,
                                   errmsg);
    return err;
}

/* The existing assignment of topic; UNKNOWN_TOPIC_OR_PARTITION if none. */
static sm_err_t
sm_admin_existing(sm_zk_t *zk, const char *topic, sm_zk_topic_t *t,
                  char **errmsg)
{
    sm_err_t err = sm_zk_exists(zk, sm_zk_path_reassign_partitions(), 0,
                                NULL);

    if (err == SM_OK)
        return sm_admin_fail(errmsg, SM_ERR_REASSIGNMENT_IN_PROGRESS,
            sm_strdup("A partition reassignment is in progress."));
    if (err != SM_ERR__NOENT)
        return sm_admin_zk_fail("Checking reassignments for", topic, err,
                                errmsg);
    err = sm_zk_get_topic(zk, topic, 0, t);
    if (err == SM_ERR__NOENT || (err == SM_OK && t->part_cnt == 0))
        return sm_admin_fail(errmsg, SM_ERR_UNKNOWN_TOPIC_OR_PARTITION,
            sm_asprintf("The topic '%s' does not exist.", topic));
    return sm_admin_zk_fail("Reading the assignment of", topic, err,
                            errmsg);
}

/* AdminManager's count checks, before addPartitions proper. */
static sm_err_t
sm_admin_check_count(int32_t old, int32_t count, char **errmsg)
{
    if (count < old)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_PARTITIONS, sm_asprintf(
            "Topic currently has %d partitions, which is higher than the "
            "requested %d.", (int)old, (int)count));
    if (count == old)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_PARTITIONS, sm_asprintf(
            "Topic already has %d partitions.", (int)old));
    if (count > SM_ADMIN_MAX_PARTITIONS)
        return sm_admin_fail(errmsg, SM_ERR_INVALID_PARTITIONS, sm_asprintf(
            "Number of partitions must not exceed %d.",
            SM_ADMIN_MAX_PARTITIONS));
    return SM_OK;
}

sm_err_t
sm_admin_add_partitions(sm_broker_t *b, const char *topic, int32_t count,
                        const sm_zk_ints_t *assign, int32_t nassign,
                        int validate_only, sm_zk_topic_t *result,
                        char **errmsg)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    sm_zk_topic_t existing = { 0 }, t = { 0 };
    sm_admin_broker_t *brokers = NULL;
    int nbrokers = 0;
    sm_err_t err;

    sm_admin_set_msg(errmsg, NULL);
    err = sm_admin_brokers(snap, SM_ADMIN_RACK_ENFORCED, &brokers,
                           &nbrokers, errmsg);
    if (err == SM_OK)
        err = sm_admin_existing(b->zk, topic, &existing, errmsg);
    if (err == SM_OK)
        err = sm_admin_check_count(existing.part_cnt, count, errmsg);
    if (err == SM_OK)
        err = sm_admin_extend_assignment(topic, &existing, brokers, nbrokers,
                                         count, assign, nassign, &t, errmsg);
    if (err == SM_OK && !validate_only) {
        err = sm_zk_set_topic(b->zk, topic, &t, SM_ZK_ANY_VERSION);
        if (err == SM_OK)
            sm_info("admin", "Creating %d partitions for '%s'",
                    (int)(count - existing.part_cnt), topic);
        err = sm_admin_zk_fail("Adding partitions to", topic, err, errmsg);
    }
    if (err == SM_OK && result != NULL) {
        *result = t;
        memset(&t, 0, sizeof(t));
    }
    sm_zk_topic_fini(&t);
    sm_zk_topic_fini(&existing);
    free(brokers);
    sm_mdsnap_release(b->mdcache, snap);
    return err;
}

/* ------------------------------------------------------------ deletion */

sm_err_t
sm_admin_delete_topic(sm_broker_t *b, const char *topic)
{
    sm_err_t err = sm_zk_mark_topic_for_deletion(b->zk, topic);

    if (err == SM_ERR__EXISTS)          /* already marked: still waits */
        return SM_OK;
    if (err == SM_OK)
        sm_info("admin", "Topic %s marked for deletion", topic);
    return sm_admin_zk_fail("Deleting topic", topic, err, NULL);
}

int
sm_admin_is_controller(sm_broker_t *b)
{
    sm_mdsnap_t *snap = sm_mdcache_snapshot(b->mdcache);
    int is = snap->controller_id >= 0 && snap->controller_id == b->id;

    sm_mdsnap_release(b->mdcache, snap);
    return is;
}
