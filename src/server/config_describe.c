/*
 * config_describe.c: DescribeConfigs entries for broker and topic
 * resources, and dynamic broker configs (kafka ConfigHelper and
 * DynamicBrokerConfig).  The wire encoding lives with the protocol code;
 * this file decides what the entries say.
 *
 * SOURCES AND SYNONYMS, as Kafka computes them.  A key's synonyms are the
 * keys that can supply its value (log.retention.ms, .minutes, .hours;
 * log.roll.ms, .hours; log.roll.jitter.ms, .hours; log.flush.interval.ms,
 * log.flush.scheduler.interval.ms; otherwise the key alone).  The list is
 * built layer by layer - dynamic per-broker, dynamic default, static,
 * default (only keys whose default is not null) - each layer listing the
 * synonyms it sets in synonym order, and then everything before the first
 * entry carrying the key's own name is dropped.  The first remaining entry
 * is the source; none means DEFAULT_CONFIG.  So with log.retention.hours
 * set in the file, log.retention.ms is described as null from
 * DEFAULT_CONFIG, and the topic key retention.ms (whose broker synonym is
 * log.retention.ms) as 604800000 from DEFAULT_CONFIG, as in Kafka.
 *
 * Keys of unknown type (set but not in the table, and the FOREIGN rows)
 * are reported as sensitive with a null value, as Kafka does.  Internal
 * rows (KRaft) appear only when set.  Entries go out sorted by name.
 *
 * Reads a finished config only; thread-safe for concurrent readers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/config_int.h"

/* ---------------------------------------------------------- synonyms */

static int
describe_synonym_keys(int k, int keys[3])
{
    static const int groups[][4] = {
        { 3, SM_CK_log_retention_ms, SM_CK_log_retention_minutes,
          SM_CK_log_retention_hours },
        { 2, SM_CK_log_roll_ms, SM_CK_log_roll_hours, -1 },
        { 2, SM_CK_log_roll_jitter_ms, SM_CK_log_roll_jitter_hours, -1 },
    };

    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        for (int i = 1; i <= groups[g][0]; i++)
            if (groups[g][i] == k) {
                memcpy(keys, &groups[g][1], 3 * sizeof(int));
                return groups[g][0];
            }
    keys[0] = k;
    if (k == SM_CK_log_flush_interval_ms) {
        keys[1] = SM_CK_log_flush_scheduler_interval_ms;
        return 2;
    }
    return 1;
}

static const uint8_t describe_layer_source[SM_CONFIG_LAYERS + 1] = {
    SM_CONFIG_SOURCE_DYNAMIC_BROKER,
    SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER,
    SM_CONFIG_SOURCE_STATIC_BROKER,
    SM_CONFIG_SOURCE_DEFAULT,
};

static int
describe_sensitive(const sm_conf_row_t *row)
{
    return row->type == SM_CT_PASSWORD || (row->flags & SM_CF_FOREIGN);
}

/*
 * Append the synonyms of broker key k to e (after what e already holds).
 * only_source: keep only entries from that source (0: all).
 */
static void
describe_synonyms(const sm_config_t *cfg, int k, int only_source,
                  sm_config_entry_t *e)
{
    const sm_conf_row_t *rows = sm_conf_rows();
    int keys[3], nkeys = describe_synonym_keys(k, keys), first = e->nsynonyms;
    int sensitive = describe_sensitive(&rows[k]), seen_self = 0;

    for (int l = 0; l <= SM_CONFIG_LAYERS; l++) {
        for (int i = 0; i < nkeys; i++) {
            const char *v = l < SM_CONFIG_LAYERS ? cfg->layer[l][keys[i]]
                                                 : rows[keys[i]].def;
            sm_config_synonym_t *s;

            if (v == NULL || (only_source &&
                              describe_layer_source[l] != only_source))
                continue;
            seen_self |= keys[i] == k;
            if (!seen_self)                 /* Kafka's dropWhile */
                continue;
            sm_assert(e->nsynonyms < SM_CONFIG_MAX_SYNONYMS);
            s = &e->synonyms[e->nsynonyms++];
            s->name = rows[keys[i]].name;
            s->value = sensitive ? NULL : v;
            s->source = describe_layer_source[l];
        }
    }
    e->source = e->nsynonyms > first ? e->synonyms[first].source
                                     : SM_CONFIG_SOURCE_DEFAULT;
}

static int
describe_wanted(const char *name, const char *const *names, int nnames)
{
    if (nnames == 0)
        return 1;
    for (int i = 0; i < nnames; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* ---------------------------------------------------------- broker */

static void
describe_broker_key(const sm_config_t *cfg, int k, int per_broker,
                    sm_config_entry_fn fn, void *opaque)
{
    const sm_conf_row_t *row = &sm_conf_rows()[k];
    sm_config_entry_t e;
    char *value = NULL;

    memset(&e, 0, sizeof(e));
    e.name = row->name;
    e.is_sensitive = describe_sensitive(row);
    e.type = (row->flags & SM_CF_FOREIGN) ? 0 : (int)row->type;
    e.read_only = row->mode == SM_CM_RO;
    e.doc = row->doc;
    if (!e.is_sensitive) {
        if (per_broker)
            value = sm_config_value_dup(cfg, k);
        else
            value = sm_strdup(
                cfg->layer[SM_CONFIG_LAYER_DYNAMIC_DEFAULT][k]);
    }
    e.value = value;
    describe_synonyms(cfg, k, per_broker
                      ? 0 : SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER, &e);
    fn(&e, opaque);
    sm_free(value);
}

/* A static key samsa does not know: sensitive, read-only, STATIC. */
static void
describe_unknown(const sm_prop_t *p, const char *source_name,
                 int source, sm_config_entry_fn fn, void *opaque)
{
    sm_config_entry_t e;

    memset(&e, 0, sizeof(e));
    e.name = p->key;
    e.source = source;
    e.read_only = source != SM_CONFIG_SOURCE_TOPIC;
    e.is_sensitive = 1;
    e.nsynonyms = 1;
    e.synonyms[0].name = source_name;
    e.synonyms[0].source = source;
    fn(&e, opaque);
}

static int
describe_cmp_prop(const void *a, const void *b)
{
    return strcmp((*(const sm_prop_t *const *)a)->key,
                  (*(const sm_prop_t *const *)b)->key);
}

/* Pointers to the last entry of each distinct key of props, sorted. */
static const sm_prop_t **
describe_sorted_props(const sm_props_t *props, int *n)
{
    const sm_prop_t **v = sm_calloc((size_t)props->n + 1, sizeof(*v));

    *n = 0;
    for (int i = 0; props && i < props->n; i++)
        if (sm_props_find(props, props->v[i].key) == &props->v[i])
            v[(*n)++] = &props->v[i];
    qsort(v, (size_t)*n, sizeof(*v), describe_cmp_prop);
    return v;
}

void
sm_config_describe_broker(const sm_config_t *cfg, int per_broker,
                          const char *const *names, int nnames,
                          sm_config_entry_fn fn, void *opaque)
{
    const sm_conf_row_t *rows = sm_conf_rows();
    const int *ord = sm_conf_sorted();
    int nx = 0, x = 0;
    const sm_prop_t **extra = describe_sorted_props(&cfg->extra, &nx);

    for (int i = 0; i <= SM_CK__COUNT; i++) {
        int k = i < SM_CK__COUNT ? ord[i] : -1;
        const char *name = k >= 0 ? rows[k].name : NULL;
        int set_static = k >= 0 &&
                         cfg->layer[SM_CONFIG_LAYER_STATIC][k] != NULL;

        /* unknown keys interleave in name order (per-broker only) */
        while (per_broker && x < nx &&
               (name == NULL || strcmp(extra[x]->key, name) < 0)) {
            if (describe_wanted(extra[x]->key, names, nnames))
                describe_unknown(extra[x], extra[x]->key,
                                 SM_CONFIG_SOURCE_STATIC_BROKER, fn, opaque);
            x++;
        }
        if (k < 0 || !describe_wanted(name, names, nnames))
            continue;
        if ((rows[k].flags & (SM_CF_INTERNAL | SM_CF_FOREIGN)) &&
            !set_static)
            continue;
        if (!per_broker &&
            cfg->layer[SM_CONFIG_LAYER_DYNAMIC_DEFAULT][k] == NULL)
            continue;
        describe_broker_key(cfg, k, per_broker, fn, opaque);
    }
    sm_free(extra);
}

/* ---------------------------------------------------------- topic */

static void
describe_topic_key(const sm_config_t *cfg, const sm_topic_config_t *tc,
                   int t, sm_config_entry_fn fn, void *opaque)
{
    sm_config_entry_t e;
    sm_buf_t buf = SM_BUF_INIT;
    int bk = sm_topic_conf_broker_key(t);
    sm_conf_type_t type = sm_topic_conf_type(t);

    memset(&e, 0, sizeof(e));
    e.name = sm_topic_conf_name(t);
    e.type = (int)type;
    e.doc = sm_topic_conf_doc(t);
    if (sm_conf_value_kafka(type, sm_topic_conf_field(tc, t), 0, &buf))
        e.value = (const char *)buf.data;
    if (tc->overridden[t]) {
        e.synonyms[0].name = e.name;
        e.synonyms[0].value = e.value;
        e.synonyms[0].source = SM_CONFIG_SOURCE_TOPIC;
        e.nsynonyms = 1;
    }
    if (bk >= 0)
        describe_synonyms(cfg, bk, 0, &e);
    e.source = e.nsynonyms > 0 ? e.synonyms[0].source
                               : SM_CONFIG_SOURCE_DEFAULT;
    fn(&e, opaque);
    sm_buf_fini(&buf);
}

static int
describe_cmp_topic(const void *a, const void *b)
{
    return strcmp(sm_topic_conf_name(*(const int *)a),
                  sm_topic_conf_name(*(const int *)b));
}

sm_err_t
sm_config_describe_topic(const sm_config_t *cfg, const sm_props_t *props,
                         const char *const *names, int nnames,
                         sm_config_entry_fn fn, void *opaque, char *errstr,
                         size_t errstr_size)
{
    sm_topic_config_t tc;
    sm_props_t none = SM_PROPS_INIT;
    const sm_prop_t **extra;
    int ord[SM_TK__COUNT], nx = 0, x = 0;
    sm_err_t err;

    if (props == NULL)
        props = &none;
    err = sm_config_topic(cfg, props, 0, &tc, errstr, errstr_size);
    if (err != SM_OK)
        goto out;
    for (int t = 0; t < SM_TK__COUNT; t++)
        ord[t] = t;
    qsort(ord, SM_TK__COUNT, sizeof(int), describe_cmp_topic);
    extra = describe_sorted_props(props, &nx);
    for (int i = 0; i <= SM_TK__COUNT; i++) {
        const char *name = i < SM_TK__COUNT ? sm_topic_conf_name(ord[i])
                                            : NULL;
        for (; x < nx && (name == NULL || strcmp(extra[x]->key, name) < 0);
             x++)
            if (sm_topic_conf_key(extra[x]->key) < 0 &&
                describe_wanted(extra[x]->key, names, nnames))
                describe_unknown(extra[x], extra[x]->key,
                                 SM_CONFIG_SOURCE_TOPIC, fn, opaque);
        if (name != NULL && describe_wanted(name, names, nnames))
            describe_topic_key(cfg, &tc, ord[i], fn, opaque);
    }
    sm_free(extra);
out:
    sm_topic_config_fini(&tc);
    return err;
}

/* ---------------------------------------------------------- dynamic */

static sm_err_t
dynamic_apply(sm_config_t *cfg, int layer, const sm_props_t *props,
              char *errstr, size_t errstr_size)
{
    const char *where = layer == SM_CONFIG_LAYER_DYNAMIC_BROKER
        ? "dynamic broker config" : "dynamic default broker config";

    for (int i = 0; props && i < props->n; i++) {
        const sm_prop_t *p = &props->v[i];
        int k = sm_conf_key(p->key);
        sm_err_t err;

        if (k >= 0 && sm_conf_rows()[k].mode == SM_CM_RO) {
            snprintf(errstr, errstr_size, "%s: Cannot update these configs "
                     "dynamically: Set(%s)", where, p->key);
            return SM_ERR_INVALID_CONFIG;
        }
        if (k >= 0 && layer == SM_CONFIG_LAYER_DYNAMIC_DEFAULT &&
            sm_conf_rows()[k].mode == SM_CM_PB) {
            snprintf(errstr, errstr_size, "%s: Cannot update these configs "
                     "at default cluster level, broker id must be "
                     "specified: Set(%s)", where, p->key);
            return SM_ERR_INVALID_CONFIG;
        }
        err = sm_config_set(cfg, layer, p->key, p->value, where, 0, errstr,
                            errstr_size);
        if (err != SM_OK)
            return SM_ERR_INVALID_CONFIG;
    }
    return SM_OK;
}

sm_err_t
sm_config_apply_dynamic(const sm_config_t *base,
                        const sm_props_t *cluster_default,
                        const sm_props_t *per_broker, sm_config_t **outp,
                        char *errstr, size_t errstr_size)
{
    sm_config_t *cfg = sm_config_new();
    sm_err_t err;

    *outp = NULL;
    cfg->path = base->path ? sm_strdup(base->path) : NULL;
    for (int k = 0; k < SM_CK__COUNT; k++) {
        const char *v = base->layer[SM_CONFIG_LAYER_STATIC][k];
        cfg->layer[SM_CONFIG_LAYER_STATIC][k] = v ? sm_strdup(v) : NULL;
        cfg->line[k] = base->line[k];
    }
    for (int i = 0; i < base->extra.n; i++)
        sm_props_add(&cfg->extra, base->extra.v[i].key,
                     base->extra.v[i].value, base->extra.v[i].line);
    err = dynamic_apply(cfg, SM_CONFIG_LAYER_DYNAMIC_DEFAULT,
                        cluster_default, errstr, errstr_size);
    if (err == SM_OK)
        err = dynamic_apply(cfg, SM_CONFIG_LAYER_DYNAMIC_BROKER, per_broker,
                            errstr, errstr_size);
    if (err == SM_OK && sm_config_finish(cfg, errstr, errstr_size) != SM_OK)
        err = SM_ERR_INVALID_CONFIG;
    if (err != SM_OK) {
        sm_config_destroy(cfg);
        return err;
    }
    *outp = cfg;
    return SM_OK;
}
