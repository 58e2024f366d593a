/*
 * client_conf.c: the producer's and the consumer's configuration keys
 * (samsa.h lists them), parsed into sm_client_conf_t.p / .k / .g.  One
 * table row per integer key (name, field, default, minimum); the keys
 * with words for values (acks, compression.type, partitioner.class,
 * auto.offset.reset, isolation.level, check.crcs) have their own parsers.
 * Names, defaults and minimums are Kafka 2.x's ProducerConfig and
 * ConsumerConfig.  The client keys (bootstrap.servers, ...) stay in
 * client.c, which asks this file first.
 *
 * To add a key: a field in client.h, a row (or a parser) here, a line in
 * samsa.h's list.
 *
 * Threads: none; a conf belongs to its caller.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client/client.h"
#include "common/sm_mem.h"
#include "protocol/compress.h"

#define PK_OFF(f) offsetof(sm_client_conf_t, f)

static const struct {
    const char *key;
    size_t      off;
    int32_t     def;
    int32_t     min;
} sm_pk_ints[] = {
    { "linger.ms",                PK_OFF(p.linger_ms),           0,       0 },
    { "batch.size",               PK_OFF(p.batch_size),          16384,   0 },
    { "retries",                  PK_OFF(p.retries),           INT32_MAX, 0 },
    { "delivery.timeout.ms",      PK_OFF(p.delivery_timeout_ms), 120000,  0 },
    { "max.in.flight.requests.per.connection",
                                  PK_OFF(p.max_in_flight),       5,       1 },
    { "max.request.size",         PK_OFF(p.max_request_size),    1048576, 0 },
    { "max.block.ms",             PK_OFF(p.max_block_ms),        60000,   0 },
    { "metadata.max.age.ms",      PK_OFF(p.metadata_max_age_ms), 300000,  0 },
    { "connections.max.idle.ms",  PK_OFF(p.conn_max_idle_ms),    540000,  0 },
    { "fetch.min.bytes",          PK_OFF(k.fetch_min_bytes),     1,       0 },
    { "fetch.max.bytes",          PK_OFF(k.fetch_max_bytes),     52428800, 0 },
    { "fetch.max.wait.ms",        PK_OFF(k.fetch_max_wait_ms),   500,     0 },
    { "max.partition.fetch.bytes",
                                  PK_OFF(k.max_partition_fetch_bytes),
                                                                 1048576, 0 },
    { "session.timeout.ms",       PK_OFF(g.session_timeout_ms),  10000,   1 },
    { "heartbeat.interval.ms",    PK_OFF(g.heartbeat_interval_ms), 3000,  1 },
    { "max.poll.interval.ms",     PK_OFF(g.max_poll_interval_ms), 300000, 1 },
    { "max.poll.records",         PK_OFF(g.max_poll_records),    500,     1 },
    { "auto.commit.interval.ms",  PK_OFF(g.auto_commit_interval_ms),
                                                                 5000,    0 },
};

#define SM_PK_NINTS (sizeof(sm_pk_ints) / sizeof(sm_pk_ints[0]))

void
sm_client_conf_init_pk(sm_client_conf_t *conf)
{
    for (size_t i = 0; i < SM_PK_NINTS; i++)
        *(int32_t *)((char *)conf + sm_pk_ints[i].off) = sm_pk_ints[i].def;
    conf->p.acks = 1;
    conf->p.buffer_memory = 33554432;
    conf->p.codec = SM_CODEC_NONE;
    conf->p.partitioner = SM_PARTITIONER_DEFAULT;
    conf->k.auto_offset_reset = SM_RESET_LATEST;
    conf->k.isolation_level = 0;
    conf->k.check_crcs = 1;
    conf->g.auto_commit = 1;
    conf->g.exclude_internal = 1;
    conf->g.assignors = sm_strdup("range");
}

void
sm_client_conf_copy_group(sm_group_conf_t *dst, const sm_group_conf_t *src)
{
    *dst = *src;
    dst->group_id = src->group_id ? sm_strdup(src->group_id) : NULL;
    dst->instance_id = src->instance_id ? sm_strdup(src->instance_id)
                                        : NULL;
    dst->assignors = src->assignors ? sm_strdup(src->assignors) : NULL;
    dst->icpts = NULL;
    if (src->nicpts > 0) {
        size_t n = (size_t)src->nicpts * sizeof(*src->icpts);
        dst->icpts = sm_malloc(n);
        memcpy(dst->icpts, src->icpts, n);
    }
}

void
sm_client_conf_fini_group(sm_group_conf_t *g)
{
    sm_free(g->group_id);
    sm_free(g->instance_id);
    sm_free(g->assignors);
    sm_free(g->icpts);
}

static int
sm_pk_bad(const char *key, const char *value, const char *why, char *errstr,
          size_t errstr_size)
{
    snprintf(errstr, errstr_size, "Invalid value %s for configuration %s: "
             "%s", value, key, why);
    return -1;
}

/* Java's class names and samsa's short names. */
static int
sm_pk_partitioner(const char *v)
{
    static const struct { const char *name; int id; } names[] = {
        { "default", SM_PARTITIONER_DEFAULT },
        { "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
          SM_PARTITIONER_DEFAULT },
        { "round_robin", SM_PARTITIONER_ROUND_ROBIN },
        { "org.apache.kafka.clients.producer.RoundRobinPartitioner",
          SM_PARTITIONER_ROUND_ROBIN },
        { "sticky", SM_PARTITIONER_STICKY },
        { "org.apache.kafka.clients.producer.UniformStickyPartitioner",
          SM_PARTITIONER_STICKY },
        { "random", SM_PARTITIONER_RANDOM },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(v, names[i].name) == 0)
            return names[i].id;
    return -1;
}

/* A boolean key into *out: 0, or -1 with Kafka's message. */
static int
sm_pk_bool(const char *key, const char *v, int *out, char *errstr,
           size_t errstr_size)
{
    if (strcasecmp(v, "true") == 0)
        *out = 1;
    else if (strcasecmp(v, "false") == 0)
        *out = 0;
    else
        return sm_pk_bad(key, v, "Expected value to be either true or "
                         "false", errstr, errstr_size);
    return 0;
}

static void
sm_pk_string(char **field, const char *v)
{
    sm_free(*field);
    *field = sm_strdup(v);
}

/* The group's word-valued keys, as sm_pk_words(). */
static int
sm_pk_group_words(sm_client_conf_t *c, const char *key, const char *v,
                  char *errstr, size_t errstr_size)
{
    if (strcmp(key, "group.id") == 0)
        sm_pk_string(&c->g.group_id, v);
    else if (strcmp(key, "group.instance.id") == 0)
        sm_pk_string(&c->g.instance_id, v);
    else if (strcmp(key, "partition.assignment.strategy") == 0)
        sm_pk_string(&c->g.assignors, v);
    else if (strcmp(key, "enable.auto.commit") == 0)
        return sm_pk_bool(key, v, &c->g.auto_commit, errstr, errstr_size);
    else if (strcmp(key, "exclude.internal.topics") == 0)
        return sm_pk_bool(key, v, &c->g.exclude_internal, errstr,
                          errstr_size);
    else if (strcmp(key, "dual.commit.enabled") == 0)
        return sm_pk_bool(key, v, &c->g.dual_commit, errstr, errstr_size);
    else if (strcmp(key, "offsets.storage") == 0) {
        if (strcmp(v, "kafka") == 0)
            c->g.offsets_zk = 0;
        else if (strcmp(v, "zookeeper") == 0)
            c->g.offsets_zk = 1;
        else
            return sm_pk_bad(key, v, "String must be one of: kafka, "
                             "zookeeper", errstr, errstr_size);
    } else
        return 1;
    return 0;
}

/* The word-valued keys: 1 if key is not one of them, 0 if set, -1 on a
 * bad value. */
static int
sm_pk_words(sm_client_conf_t *c, const char *key, const char *v,
            char *errstr, size_t errstr_size)
{
    int id;

    if (strcmp(key, "acks") == 0) {
        if (strcmp(v, "all") == 0 || strcmp(v, "-1") == 0)
            c->p.acks = -1;
        else if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)
            c->p.acks = (int16_t)(v[0] - '0');
        else
            return sm_pk_bad(key, v, "String must be one of: all, -1, 0, "
                             "1", errstr, errstr_size);
    } else if (strcmp(key, "compression.type") == 0) {
        if ((id = sm_codec_parse(v)) < 0)
            return sm_pk_bad(key, v, "String must be one of: none, gzip, "
                             "snappy, lz4, zstd", errstr, errstr_size);
        c->p.codec = id;
    } else if (strcmp(key, "partitioner.class") == 0 ||
               strcmp(key, "partitioner") == 0) {
        if ((id = sm_pk_partitioner(v)) < 0)
            return sm_pk_bad(key, v, "Class not found (samsa knows "
                             "default, round_robin, sticky, random)",
                             errstr, errstr_size);
        c->p.partitioner = id;
    } else if (strcmp(key, "auto.offset.reset") == 0) {
        if (strcmp(v, "latest") == 0)
            c->k.auto_offset_reset = SM_RESET_LATEST;
        else if (strcmp(v, "earliest") == 0)
            c->k.auto_offset_reset = SM_RESET_EARLIEST;
        else if (strcmp(v, "none") == 0)
            c->k.auto_offset_reset = SM_RESET_NONE;
        else
            return sm_pk_bad(key, v, "String must be one of: latest, "
                             "earliest, none", errstr, errstr_size);
    } else if (strcmp(key, "isolation.level") == 0) {
        if (strcmp(v, "read_uncommitted") == 0)
            c->k.isolation_level = 0;
        else if (strcmp(v, "read_committed") == 0)
            c->k.isolation_level = 1;
        else
            return sm_pk_bad(key, v, "String must be one of: "
                             "read_committed, read_uncommitted", errstr,
                             errstr_size);
    } else if (strcmp(key, "check.crcs") == 0) {
        return sm_pk_bool(key, v, &c->k.check_crcs, errstr, errstr_size);
    } else {
        return sm_pk_group_words(c, key, v, errstr, errstr_size);
    }
    return 0;
}

int
sm_client_conf_set_pk(sm_client_conf_t *c, const char *key,
                      const char *value, sm_err_t *errp, char *errstr,
                      size_t errstr_size)
{
    int32_t v;
    int rc;

    *errp = SM_OK;
    if (strcmp(key, "buffer.memory") == 0) {
        /* a LONG in Java; samsa bounds it to INT32_MAX */
        if (sm_client_conf_int(key, value, 0, &v, errstr, errstr_size) != 0)
            *errp = SM_ERR__CONFIG;
        else
            c->p.buffer_memory = v;
        return 0;
    }
    for (size_t i = 0; i < SM_PK_NINTS; i++) {
        if (strcmp(key, sm_pk_ints[i].key) != 0)
            continue;
        if (sm_client_conf_int(key, value, sm_pk_ints[i].min,
                               (int32_t *)((char *)c + sm_pk_ints[i].off),
                               errstr, errstr_size) != 0)
            *errp = SM_ERR__CONFIG;
        return 0;
    }
    rc = sm_pk_words(c, key, value, errstr, errstr_size);
    if (rc < 0)
        *errp = SM_ERR__CONFIG;
    return rc > 0 ? 1 : 0;
}

/* ------------------------------------------------------------ callbacks */

void
samsa_conf_set_delivery_cb(samsa_conf_t *conf, samsa_delivery_cb *cb,
                           void *opaque)
{
    conf->c.p.dr_cb = cb;
    conf->c.p.dr_opaque = opaque;
}

void
samsa_conf_set_partitioner_cb(samsa_conf_t *conf, samsa_partitioner_cb *cb,
                              void *opaque)
{
    conf->c.p.part_cb = cb;
    conf->c.p.part_opaque = opaque;
}

void
samsa_conf_add_interceptor(samsa_conf_t *conf, samsa_on_send_cb *on_send,
                           samsa_on_ack_cb *on_ack, void *opaque)
{
    sm_producer_conf_t *p = &conf->c.p;

    p->icpts = sm_realloc(p->icpts, (size_t)(p->nicpts + 1) *
                          sizeof(*p->icpts));
    p->icpts[p->nicpts].on_send = on_send;
    p->icpts[p->nicpts].on_ack = on_ack;
    p->icpts[p->nicpts].opaque = opaque;
    p->nicpts++;
}

void
samsa_conf_set_rebalance_cb(samsa_conf_t *conf, samsa_rebalance_cb *cb,
                            void *opaque)
{
    conf->c.g.rebalance_cb = cb;
    conf->c.g.rebalance_opaque = opaque;
}

void
samsa_conf_set_offset_commit_cb(samsa_conf_t *conf, samsa_commit_cb *cb,
                                void *opaque)
{
    conf->c.g.commit_cb = cb;
    conf->c.g.commit_opaque = opaque;
}

void
samsa_conf_add_consumer_interceptor(samsa_conf_t *conf,
                                    samsa_on_consume_cb *on_consume,
                                    samsa_on_commit_cb *on_commit,
                                    void *opaque)
{
    sm_group_conf_t *g = &conf->c.g;

    g->icpts = sm_realloc(g->icpts, (size_t)(g->nicpts + 1) *
                          sizeof(*g->icpts));
    g->icpts[g->nicpts].on_consume = on_consume;
    g->icpts[g->nicpts].on_commit = on_commit;
    g->icpts[g->nicpts].opaque = opaque;
    g->nicpts++;
}
