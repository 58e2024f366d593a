/*
 * config.c: the broker configuration table and the life of an
 * sm_config_t (see config.h for the model).
 *
 * BUILDING.  sm_config_new() materializes every default.  sm_config_set()
 * validates one text value and records it in a layer (static file and
 * overrides, or the two dynamic layers); nothing typed changes yet.
 * sm_config_finish() resolves each key to the text of its highest layer
 * (or its default), parses that into the typed member, derives the values
 * that depend on several keys (broker id, log dirs, listeners, versions)
 * and then checks the cross-key rules Kafka checks in
 * KafkaConfig.validateValues, in Kafka's order, failing on the first.
 *
 * INVARIANTS.
 *   1. Every row's default text parses under its own type, bounds and
 *      validator (t/unit/server/test_config.c checks; an assert here).
 *   2. Every text stored in a layer parsed when it was stored, so
 *      resolving never fails.
 *   3. After sm_config_finish() returned SM_OK nothing in the struct
 *      changes until sm_config_destroy().
 *
 * Unknown static keys are kept in cfg->extra (DescribeConfigs reports
 * them, as Kafka reports its originals) after one warning; the families
 * in sm_conf_families are expected (per-listener overrides and plugin
 * settings) and kept without one.
 *
 * THREADS: building is single-threaded; the sorted key index is built
 * once under pthread_once; a finished config is read-only.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "protocol/compress.h"
#include "server/config_int.h"

/* ---------------------------------------------------------- the table */

#define ANY INT64_MIN, INT64_MAX
#define ATLEAST(n) (n), INT64_MAX
#define BETWEEN(a, b) (a), (b)

static const sm_conf_row_t sm_conf_table[SM_CK__COUNT] = {
#define SM_CONF(id, nm, ty, df, bounds, val, imp, mode, topic, flags, doc) \
    [SM_CK_##id] = { nm, SM_CT_##ty, offsetof(sm_config_t, id), df,       \
                     bounds, SM_CV_##val, SM_CI_##imp, SM_CM_##mode,      \
                     topic, flags, doc },
#define SM_CONF_SECTION(id, title)
#include "server/config.def"
#undef SM_CONF
#undef SM_CONF_SECTION
};

#undef ANY
#undef ATLEAST
#undef BETWEEN

static const struct {
    int         first;
    const char *title;
} sm_conf_sections[] = {
#define SM_CONF(...)
#define SM_CONF_SECTION(id, title) { SM_CS_##id, title },
#include "server/config.def"
#undef SM_CONF
#undef SM_CONF_SECTION
};

/* Key families accepted without a table row and without a warning. */
static const struct {
    const char *prefix;
    const char *doc;
} sm_conf_families[] = {
    { "listener.name.",
      "Per-listener overrides (listener.name.<name>.<key>), e.g. TLS and "
      "SASL settings of one listener. Kept and reported, not yet used." },
    { "config.providers.",
      "Settings of the Java config providers named in config.providers." },
    { "metrics.context.",
      "Labels handed to Java metric reporters." },
    { "kafka.csv.metrics.",
      "Settings of Kafka 0.8's CSV metrics reporter (kafka.csv.metrics.dir, "
      "kafka.csv.metrics.reporter.enabled). Ignored." },
    { "confluent.",
      "Confluent Platform extensions (for example "
      "confluent.support.metrics.enable), found in its shipped "
      "server.properties. Ignored." },
};

const sm_conf_row_t *
sm_conf_rows(void)
{
    return sm_conf_table;
}

const sm_conf_row_t *
sm_config_row(int key)
{
    return key >= 0 && key < SM_CK__COUNT ? &sm_conf_table[key] : NULL;
}

const char *
sm_conf_section(int i, int *first_key)
{
    if (i < 0 || (size_t)i >= sizeof(sm_conf_sections) /
                                  sizeof(sm_conf_sections[0]))
        return NULL;
    *first_key = sm_conf_sections[i].first;
    return sm_conf_sections[i].title;
}

const char *
sm_conf_family(int i, const char **doc)
{
    if (i < 0 || (size_t)i >= sizeof(sm_conf_families) /
                                  sizeof(sm_conf_families[0]))
        return NULL;
    *doc = sm_conf_families[i].doc;
    return sm_conf_families[i].prefix;
}

static int sm_conf_order[SM_CK__COUNT];
static pthread_once_t sm_conf_order_once = PTHREAD_ONCE_INIT;

static int
conf_cmp_key(const void *a, const void *b)
{
    return strcmp(sm_conf_table[*(const int *)a].name,
                  sm_conf_table[*(const int *)b].name);
}

static void
conf_order_init(void)
{
    for (int i = 0; i < SM_CK__COUNT; i++)
        sm_conf_order[i] = i;
    qsort(sm_conf_order, SM_CK__COUNT, sizeof(int), conf_cmp_key);
}

const int *
sm_conf_sorted(void)
{
    pthread_once(&sm_conf_order_once, conf_order_init);
    return sm_conf_order;
}

int
sm_conf_key(const char *name)
{
    const int *ord = sm_conf_sorted();
    int lo = 0, hi = SM_CK__COUNT - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(name, sm_conf_table[ord[mid]].name);
        if (c == 0)
            return ord[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

static void
conf_row_check(const sm_conf_row_t *row, sm_conf_check_t *chk)
{
    chk->type = row->type;
    chk->min = row->min;
    chk->max = row->max;
    chk->validator = row->validator;
}

/* ---------------------------------------------------------- helpers */

static void
conf_warn(sm_config_t *cfg, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sm_warn("config", "%s", msg);
    cfg->warnings = sm_realloc(cfg->warnings,
                               (size_t)(cfg->nwarnings + 1) * sizeof(char *));
    cfg->warnings[cfg->nwarnings++] = sm_strdup(msg);
}

static void *
conf_field(const sm_config_t *cfg, int key)
{
    return (char *)cfg + sm_conf_table[key].offset;
}

const char *
sm_conf_effective_text(const sm_config_t *cfg, int key, int *layer)
{
    for (int l = 0; l < SM_CONFIG_LAYERS; l++) {
        if (cfg->layer[l][key] != NULL) {
            if (layer)
                *layer = l;
            return cfg->layer[l][key];
        }
    }
    if (layer)
        *layer = SM_CONFIG_LAYERS;
    return sm_conf_table[key].def;
}

static const uint8_t sm_conf_layer_source[SM_CONFIG_LAYERS + 1] = {
    SM_CONFIG_SOURCE_DYNAMIC_BROKER,
    SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER,
    SM_CONFIG_SOURCE_STATIC_BROKER,
    SM_CONFIG_SOURCE_DEFAULT,
};

/* Parse every key's effective text into its member (invariant 2). */
static void
conf_materialize(sm_config_t *cfg)
{
    char msg[256];

    for (int k = 0; k < SM_CK__COUNT; k++) {
        const sm_conf_row_t *row = &sm_conf_table[k];
        sm_conf_check_t chk;
        int layer, r;
        const char *text = sm_conf_effective_text(cfg, k, &layer);
        void *dst = conf_field(cfg, k);

        sm_conf_value_free(row->type, dst);
        cfg->source[k] = sm_conf_layer_source[layer];
        if (text == NULL) {
            memset(dst, 0, row->type == SM_CT_LIST ? sizeof(sm_config_list_t)
                           : row->type == SM_CT_DOUBLE ? sizeof(double)
                           : row->type == SM_CT_LONG ? sizeof(int64_t)
                           : row->type == SM_CT_SHORT ? sizeof(int16_t)
                           : row->type == SM_CT_INT ? sizeof(int32_t)
                           : row->type == SM_CT_BOOL ? sizeof(int)
                           : sizeof(char *));
            continue;
        }
        conf_row_check(row, &chk);
        r = sm_conf_value_parse(&chk, text, dst, msg, sizeof(msg));
        sm_assert(r == 0);
    }
}

/* ---------------------------------------------------------- building */

sm_config_t *
sm_config_new(void)
{
    sm_config_t *cfg = sm_calloc(1, sizeof(*cfg));

    sm_props_init(&cfg->extra);
    cfg->eff_broker_id = -1;
    conf_materialize(cfg);
    return cfg;
}

static void
conf_free_derived(sm_config_t *cfg)
{
    sm_conf_free_strv(cfg->eff_log_dirs);
    sm_config_free_listeners(cfg->eff_listeners, cfg->eff_nlisteners);
    sm_config_free_listeners(cfg->eff_advertised, cfg->eff_nadvertised);
    sm_free(cfg->eff_inter_broker_listener);
    sm_free(cfg->eff_inter_broker_protocol);
    cfg->eff_log_dirs = NULL;
    cfg->eff_listeners = cfg->eff_advertised = NULL;
    cfg->eff_nlisteners = cfg->eff_nadvertised = cfg->eff_nlog_dirs = 0;
    cfg->eff_inter_broker_listener = cfg->eff_inter_broker_protocol = NULL;
}

void
sm_config_destroy(sm_config_t *cfg)
{
    if (cfg == NULL)
        return;
    for (int k = 0; k < SM_CK__COUNT; k++) {
        sm_conf_value_free(sm_conf_table[k].type, conf_field(cfg, k));
        for (int l = 0; l < SM_CONFIG_LAYERS; l++)
            sm_free(cfg->layer[l][k]);
    }
    conf_free_derived(cfg);
    for (int i = 0; i < cfg->nwarnings; i++)
        sm_free(cfg->warnings[i]);
    sm_free(cfg->warnings);
    sm_props_fini(&cfg->extra);
    sm_free(cfg->path);
    sm_free(cfg);
}

static int
conf_in_family(const char *key)
{
    for (size_t i = 0; i < sizeof(sm_conf_families) /
                               sizeof(sm_conf_families[0]); i++)
        if (strncmp(key, sm_conf_families[i].prefix,
                    strlen(sm_conf_families[i].prefix)) == 0)
            return 1;
    return 0;
}

static sm_err_t
conf_set_unknown(sm_config_t *cfg, int layer, const char *key,
                 const char *value, const char *where, int line,
                 char *errstr, size_t errstr_size)
{
    if (layer != SM_CONFIG_LAYER_STATIC) {
        snprintf(errstr, errstr_size, "%s: Unknown configuration '%s'",
                 where, key);
        return SM_ERR_INVALID_CONFIG;
    }
    if (!conf_in_family(key))
        conf_warn(cfg, "%s: The configuration '%s' was supplied but isn't "
                  "a known config; ignored", where, key);
    sm_props_set(&cfg->extra, key, value, line);
    return SM_OK;
}

sm_err_t
sm_config_set(sm_config_t *cfg, int layer, const char *key,
              const char *value, const char *where, int line, char *errstr,
              size_t errstr_size)
{
    int k = sm_conf_key(key);
    const sm_conf_row_t *row;
    sm_conf_check_t chk;
    char msg[256];

    sm_assert(layer >= 0 && layer < SM_CONFIG_LAYERS && !cfg->eff_finished);
    if (k < 0)
        return conf_set_unknown(cfg, layer, key, value, where, line, errstr,
                                errstr_size);
    row = &sm_conf_table[k];
    conf_row_check(row, &chk);
    if (sm_conf_value_parse(&chk, value, NULL, msg, sizeof(msg)) != 0) {
        sm_conf_bad_value(errstr, errstr_size, where, key, value, msg);
        return layer == SM_CONFIG_LAYER_STATIC ? SM_ERR__CONFIG
                                               : SM_ERR_INVALID_CONFIG;
    }
    if (layer == SM_CONFIG_LAYER_STATIC && line > 0 && cfg->line[k] > 0)
        conf_warn(cfg, "%s: %s is set again; the value from line %d is "
                  "overridden", where, key, cfg->line[k]);
    sm_free(cfg->layer[layer][k]);
    cfg->layer[layer][k] = sm_strdup(value);
    if (layer == SM_CONFIG_LAYER_STATIC)
        cfg->line[k] = line;
    return SM_OK;
}

sm_err_t
sm_config_set_props(sm_config_t *cfg, const sm_props_t *props,
                    const char *origin, char *errstr, size_t errstr_size)
{
    char where[512];

    for (int i = 0; i < props->n; i++) {
        const sm_prop_t *p = &props->v[i];
        sm_err_t err;

        if (p->line > 0)
            snprintf(where, sizeof(where), "%s:%d", origin, p->line);
        else
            snprintf(where, sizeof(where), "%s", origin);
        err = sm_config_set(cfg, SM_CONFIG_LAYER_STATIC, p->key, p->value,
                            where, p->line, errstr, errstr_size);
        if (err != SM_OK)
            return err;
    }
    return SM_OK;
}

/* "conf/server.properties:12", "--override", "dynamic config", "default" */
static const char *
conf_where(const sm_config_t *cfg, int k, char *buf, size_t size)
{
    switch (cfg->source[k]) {
    case SM_CONFIG_SOURCE_STATIC_BROKER:
        if (cfg->line[k] > 0 && cfg->path)
            snprintf(buf, size, "%s:%d", cfg->path, cfg->line[k]);
        else
            snprintf(buf, size, "--override");
        break;
    case SM_CONFIG_SOURCE_DYNAMIC_BROKER:
    case SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER:
        snprintf(buf, size, "dynamic config");
        break;
    default:
        snprintf(buf, size, "default");
        break;
    }
    return buf;
}

/* Error about key k: "<where of k>: <message>". */
static sm_err_t
conf_fail(const sm_config_t *cfg, int k, char *errstr, size_t errstr_size,
          const char *fmt, ...)
{
    char where[512], msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(errstr, errstr_size, "%s: %s",
             conf_where(cfg, k, where, sizeof(where)), msg);
    return SM_ERR__CONFIG;
}

/* ---------------------------------------------------------- deriving */

int32_t
sm_config_broker_id(const sm_config_t *cfg)
{
    return cfg->node_id >= 0 ? cfg->node_id : cfg->broker_id;
}

int
sm_config_is_null(const sm_config_t *cfg, int key)
{
    return sm_conf_effective_text(cfg, key, NULL) == NULL;
}

sm_config_source_t
sm_config_source(const sm_config_t *cfg, int key)
{
    return (sm_config_source_t)cfg->source[key];
}

int64_t
sm_config_log_retention_ms(const sm_config_t *cfg)
{
    int64_t ms;

    if (!sm_config_is_null(cfg, SM_CK_log_retention_ms))
        ms = cfg->log_retention_ms;
    else if (!sm_config_is_null(cfg, SM_CK_log_retention_minutes))
        ms = 60000LL * cfg->log_retention_minutes;
    else
        ms = 3600000LL * cfg->log_retention_hours;
    return ms < 0 ? -1 : ms;
}

int64_t
sm_config_log_roll_ms(const sm_config_t *cfg)
{
    if (!sm_config_is_null(cfg, SM_CK_log_roll_ms))
        return cfg->log_roll_ms;
    return 3600000LL * cfg->log_roll_hours;
}

int64_t
sm_config_log_roll_jitter_ms(const sm_config_t *cfg)
{
    if (!sm_config_is_null(cfg, SM_CK_log_roll_jitter_ms))
        return cfg->log_roll_jitter_ms;
    return 3600000LL * cfg->log_roll_jitter_hours;
}

int64_t
sm_config_log_flush_interval_ms(const sm_config_t *cfg)
{
    if (!sm_config_is_null(cfg, SM_CK_log_flush_interval_ms))
        return cfg->log_flush_interval_ms;
    return cfg->log_flush_scheduler_interval_ms;
}

int32_t
sm_config_zk_connection_timeout_ms(const sm_config_t *cfg)
{
    if (!sm_config_is_null(cfg, SM_CK_zookeeper_connection_timeout_ms))
        return cfg->zookeeper_connection_timeout_ms;
    return cfg->zookeeper_session_timeout_ms;
}

const char *const *
sm_config_log_dirs(const sm_config_t *cfg, int *n)
{
    *n = cfg->eff_nlog_dirs;
    return (const char *const *)cfg->eff_log_dirs;
}

int
sm_config_cleanup_policy(const sm_config_t *cfg)
{
    int bits = 0;

    for (int i = 0; i < cfg->log_cleanup_policy.n; i++) {
        if (strcmp(cfg->log_cleanup_policy.v[i], "delete") == 0)
            bits |= SM_CLEANUP_DELETE;
        else if (strcmp(cfg->log_cleanup_policy.v[i], "compact") == 0)
            bits |= SM_CLEANUP_COMPACT;
    }
    return bits;
}

int
sm_config_compression(const sm_config_t *cfg)
{
    static const char *const names[] = {
        "uncompressed", "gzip", "snappy", "lz4", "zstd"
    };

    for (int i = 0; i < 5; i++)
        if (strcasecmp(cfg->compression_type, names[i]) == 0)
            return i;               /* sm_codec_t: none=0 .. zstd=4 */
    return SM_CONFIG_COMPRESSION_PRODUCER;
}

const sm_listener_cfg_t *
sm_config_listeners(const sm_config_t *cfg, int *n)
{
    *n = cfg->eff_nlisteners;
    return cfg->eff_listeners;
}

const sm_listener_cfg_t *
sm_config_advertised_listeners(const sm_config_t *cfg, int *n)
{
    *n = cfg->eff_nadvertised;
    return cfg->eff_advertised;
}

const char *
sm_config_inter_broker_listener(const sm_config_t *cfg)
{
    return cfg->eff_inter_broker_listener;
}

int
sm_config_ibp(const sm_config_t *cfg)
{
    return cfg->eff_ibp;
}

int
sm_config_log_message_format(const sm_config_t *cfg)
{
    return cfg->eff_log_message_format;
}

/*
 * listeners, or the legacy PLAINTEXT://<host.name>:<port>; then
 * advertised.listeners, or the legacy advertised.host.name/port (each
 * falling back to host.name/port), or the listeners themselves.
 */
static sm_err_t
conf_derive_listeners(sm_config_t *cfg, char *errstr, size_t errstr_size)
{
    char lspec[512], aspec[512], sub[768];
    const char *map = cfg->listener_security_protocol_map;
    const char *ls = cfg->listeners, *as;
    int lk = SM_CK_listeners, ak;
    int adv_port = sm_config_is_null(cfg, SM_CK_advertised_port)
        ? cfg->port : cfg->advertised_port;

    if (ls == NULL) {
        lk = SM_CK_port;
        snprintf(lspec, sizeof(lspec), "PLAINTEXT://%s:%d", cfg->host_name,
                 cfg->port);
        ls = lspec;
    }
    if (sm_config_parse_listeners(ls, map, 1, &cfg->eff_listeners,
                                  &cfg->eff_nlisteners, sub,
                                  sizeof(sub)) != SM_OK)
        return conf_fail(cfg, lk, errstr, errstr_size, "%s", sub);
    if (cfg->advertised_listeners != NULL) {
        as = cfg->advertised_listeners;
        ak = SM_CK_advertised_listeners;
    } else if (cfg->advertised_host_name != NULL ||
               !sm_config_is_null(cfg, SM_CK_advertised_port)) {
        snprintf(aspec, sizeof(aspec), "PLAINTEXT://%s:%d",
                 cfg->advertised_host_name ? cfg->advertised_host_name
                                           : cfg->host_name, adv_port);
        as = aspec;
        ak = cfg->advertised_host_name ? SM_CK_advertised_host_name
                                       : SM_CK_advertised_port;
    } else {
        as = ls;
        ak = lk;
    }
    if (sm_config_parse_listeners(as, map, 0, &cfg->eff_advertised,
                                  &cfg->eff_nadvertised, sub,
                                  sizeof(sub)) != SM_OK)
        return conf_fail(cfg, ak, errstr, errstr_size, "%s", sub);
    return SM_OK;
}

static int
conf_has_listener(const sm_listener_cfg_t *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return 1;
    return 0;
}

static void
conf_listener_names(const sm_listener_cfg_t *v, int n, char *buf,
                    size_t size)
{
    size_t off = 0;

    buf[0] = '\0';
    for (int i = 0; i < n && off < size; i++)
        off += (size_t)snprintf(buf + off, size - off, "%s%s",
                                i ? "," : "", v[i].name);
}

/* Protocol of a listener name in the map (via a one-listener parse). */
static const char *
conf_protocol_of(const sm_config_t *cfg, const char *name, char *buf,
                 size_t size)
{
    sm_listener_cfg_t *l;
    char spec[256], err[512];
    int n;

    snprintf(spec, sizeof(spec), "%s://:0", name);
    if (sm_config_parse_listeners(spec, cfg->listener_security_protocol_map,
                                  0, &l, &n, err, sizeof(err)) != SM_OK)
        return NULL;
    snprintf(buf, size, "%s", l[0].security_protocol);
    sm_config_free_listeners(l, n);
    return buf;
}

/* The listener named by inter.broker.listener.name, upper-cased, which
 * must have a protocol in the map. */
static sm_err_t
conf_inter_broker_by_name(sm_config_t *cfg, char *proto, size_t proto_size,
                          char *errstr, size_t errstr_size)
{
    int k = SM_CK_inter_broker_listener_name;

    if (cfg->layer[SM_CONFIG_LAYER_STATIC]
                  [SM_CK_security_inter_broker_protocol] != NULL)
        return conf_fail(cfg, k, errstr, errstr_size, "Only one of "
                         "inter.broker.listener.name and "
                         "security.inter.broker.protocol should be set.");
    cfg->eff_inter_broker_listener =
        sm_strdup(cfg->inter_broker_listener_name);
    for (char *p = cfg->eff_inter_broker_listener; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    if (conf_protocol_of(cfg, cfg->eff_inter_broker_listener, proto,
                         proto_size) == NULL)
        return conf_fail(cfg, k, errstr, errstr_size, "Listener with name "
                         "%s defined in inter.broker.listener.name not found "
                         "in listener.security.protocol.map.",
                         cfg->eff_inter_broker_listener);
    return SM_OK;
}

/* The listener named after security.inter.broker.protocol. */
static sm_err_t
conf_inter_broker_by_protocol(sm_config_t *cfg, char *proto,
                              size_t proto_size, char *errstr,
                              size_t errstr_size)
{
    static const char *const protos[] = {
        "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"
    };

    proto[0] = '\0';
    for (int i = 0; i < 4; i++)
        if (strcasecmp(cfg->security_inter_broker_protocol, protos[i]) == 0)
            snprintf(proto, proto_size, "%s", protos[i]);
    if (proto[0] == '\0')
        return conf_fail(cfg, SM_CK_security_inter_broker_protocol, errstr,
                         errstr_size, "Invalid security protocol `%s` "
                         "defined in security.inter.broker.protocol",
                         cfg->security_inter_broker_protocol);
    cfg->eff_inter_broker_listener = sm_strdup(proto);
    return SM_OK;
}

/* inter.broker.listener.name or security.inter.broker.protocol; the
 * result must be an advertised listener. */
static sm_err_t
conf_derive_inter_broker(sm_config_t *cfg, char *errstr, size_t errstr_size)
{
    char proto[64], names[512];
    int by_name = cfg->inter_broker_listener_name != NULL;
    sm_err_t err;

    err = by_name
        ? conf_inter_broker_by_name(cfg, proto, sizeof(proto), errstr,
                                    errstr_size)
        : conf_inter_broker_by_protocol(cfg, proto, sizeof(proto), errstr,
                                        errstr_size);
    if (err != SM_OK)
        return err;
    cfg->eff_inter_broker_protocol = sm_strdup(proto);
    if (!conf_has_listener(cfg->eff_advertised, cfg->eff_nadvertised,
                           cfg->eff_inter_broker_listener)) {
        conf_listener_names(cfg->eff_advertised, cfg->eff_nadvertised, names,
                            sizeof(names));
        return conf_fail(cfg, by_name ? SM_CK_inter_broker_listener_name
                                      : SM_CK_security_inter_broker_protocol,
                         errstr, errstr_size, "inter.broker.listener.name "
                         "must be a listener name defined in "
                         "advertised.listeners. The valid options based on "
                         "currently configured listeners are %s", names);
    }
    return SM_OK;
}

static sm_err_t
conf_derive(sm_config_t *cfg, char *errstr, size_t errstr_size)
{
    const char *dirs = cfg->log_dirs ? cfg->log_dirs : cfg->log_dir;
    sm_err_t err;

    cfg->eff_log_dirs = sm_conf_split_csv(dirs, 1, &cfg->eff_nlog_dirs);
    cfg->eff_ibp = sm_kafka_version_parse(cfg->inter_broker_protocol_version);
    cfg->eff_log_message_format =
        sm_kafka_version_parse(cfg->log_message_format_version);
    err = conf_derive_listeners(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_derive_inter_broker(cfg, errstr, errstr_size);
    return err;
}

/* ---------------------------------------------------------- checking */

/* ZooKeeper mode, zookeeper.connect, broker.id (KafkaConfig order). */
static sm_err_t
conf_check_identity(const sm_config_t *cfg, char *errstr, size_t errsz)
{
    int32_t id = cfg->eff_broker_id;
    int k = cfg->node_id >= 0 ? SM_CK_node_id : SM_CK_broker_id;

    if (cfg->process_roles.n > 0)
        return conf_fail(cfg, SM_CK_process_roles, errstr, errsz,
                         "process.roles is set, but samsa runs in ZooKeeper "
                         "mode only (KRaft is not supported)");
    if (cfg->zookeeper_connect == NULL) {
        snprintf(errstr, errsz, "Missing required configuration "
                 "`zookeeper.connect` which has no default value.");
        return SM_ERR__CONFIG;
    }
    if (cfg->broker_id_generation_enable &&
        (id < -1 || id > cfg->reserved_broker_max_id))
        return conf_fail(cfg, k, errstr, errsz, "broker.id must be greater "
                         "than or equal to -1 and not greater than "
                         "reserved.broker.max.id");
    if (!cfg->broker_id_generation_enable && id < 0)
        return conf_fail(cfg, k, errstr, errsz, "broker.id must be greater "
                         "than or equal to 0");
    return SM_OK;
}

static sm_err_t
conf_check_log(const sm_config_t *cfg, char *errstr, size_t errsz)
{
    int64_t ret = sm_config_log_retention_ms(cfg);

    if (sm_config_log_roll_ms(cfg) < 1)
        return conf_fail(cfg, SM_CK_log_roll_ms, errstr, errsz,
                         "log.roll.ms must be greater than or equal to 1");
    if (sm_config_log_roll_jitter_ms(cfg) < 0)
        return conf_fail(cfg, SM_CK_log_roll_jitter_ms, errstr, errsz,
                         "log.roll.jitter.ms must be greater than or equal "
                         "to 0");
    if (ret < 1 && ret != -1)
        return conf_fail(cfg, sm_config_is_null(cfg, SM_CK_log_retention_ms)
                         ? (sm_config_is_null(cfg,
                                              SM_CK_log_retention_minutes)
                            ? SM_CK_log_retention_hours
                            : SM_CK_log_retention_minutes)
                         : SM_CK_log_retention_ms, errstr, errsz,
                         "log.retention.ms must be unlimited (-1) or, "
                         "greater than or equal to 1");
    if (cfg->eff_nlog_dirs == 0)
        return conf_fail(cfg, cfg->log_dirs ? SM_CK_log_dirs : SM_CK_log_dir,
                         errstr, errsz, "At least one log directory must "
                         "be defined via log.dirs or log.dir.");
    if (cfg->log_cleaner_threads > 0 &&
        cfg->log_cleaner_dedupe_buffer_size / cfg->log_cleaner_threads <=
            1024 * 1024)
        return conf_fail(cfg, SM_CK_log_cleaner_dedupe_buffer_size, errstr,
                         errsz, "log.cleaner.dedupe.buffer.size must be at "
                         "least 1MB per cleaner thread.");
    return SM_OK;
}

static sm_err_t
conf_check_replication(const sm_config_t *cfg, char *errstr, size_t errsz)
{
    if (cfg->replica_fetch_wait_max_ms > cfg->replica_socket_timeout_ms)
        return conf_fail(cfg, SM_CK_replica_fetch_wait_max_ms, errstr, errsz,
                         "replica.socket.timeout.ms should always be at "
                         "least replica.fetch.wait.max.ms to prevent "
                         "unnecessary socket timeouts");
    if (cfg->replica_fetch_wait_max_ms > cfg->replica_lag_time_max_ms)
        return conf_fail(cfg, SM_CK_replica_fetch_wait_max_ms, errstr, errsz,
                         "replica.fetch.wait.max.ms should always be less "
                         "than or equal to replica.lag.time.max.ms to "
                         "prevent frequent changes in ISR");
    if (cfg->offsets_commit_required_acks < -1 ||
        cfg->offsets_commit_required_acks >
            cfg->offsets_topic_replication_factor)
        return conf_fail(cfg, SM_CK_offsets_commit_required_acks, errstr,
                         errsz, "offsets.commit.required.acks must be "
                         "greater or equal -1 and less or equal to "
                         "offsets.topic.replication.factor");
    return SM_OK;
}

/* Advertised names vs listeners, 0.0.0.0, control plane, protocols. */
static sm_err_t
conf_check_listeners(const sm_config_t *cfg, char *errstr, size_t errsz)
{
    char names[512], proto[64], cpbuf[128];
    const char *cp = NULL;
    int ak = cfg->advertised_listeners ? SM_CK_advertised_listeners
                                       : SM_CK_listeners;

    if (cfg->control_plane_listener_name != NULL) {
        snprintf(cpbuf, sizeof(cpbuf), "%s",
                 cfg->control_plane_listener_name);
        for (char *p = cpbuf; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        cp = cpbuf;
    }

    for (int i = 0; i < cfg->eff_nadvertised; i++) {
        const sm_listener_cfg_t *a = &cfg->eff_advertised[i];
        if (!conf_has_listener(cfg->eff_listeners, cfg->eff_nlisteners,
                               a->name)) {
            conf_listener_names(cfg->eff_listeners, cfg->eff_nlisteners,
                                names, sizeof(names));
            return conf_fail(cfg, ak, errstr, errsz,
                             "advertised.listeners listener names must be "
                             "equal to or a subset of the ones defined in "
                             "listeners. Found %s. The valid options are %s",
                             a->name, names);
        }
        if (a->host && strcmp(a->host, "0.0.0.0") == 0)
            return conf_fail(cfg, ak, errstr, errsz,
                             "advertised.listeners cannot use the "
                             "nonroutable meta-address 0.0.0.0. Use a "
                             "routable IP address.");
    }
    if (cp != NULL &&
        (conf_protocol_of(cfg, cp, proto, sizeof(proto)) == NULL ||
         !conf_has_listener(cfg->eff_advertised, cfg->eff_nadvertised, cp) ||
         strcasecmp(cp, cfg->eff_inter_broker_listener) == 0))
        return conf_fail(cfg, SM_CK_control_plane_listener_name, errstr,
                         errsz, "control.plane.listener.name must name an "
                         "advertised listener other than the inter-broker "
                         "one");
    for (int i = 0; i < cfg->eff_nlisteners; i++) {
        const sm_listener_cfg_t *l = &cfg->eff_listeners[i];
        if (strcmp(l->security_protocol, "PLAINTEXT") != 0)
            return conf_fail(cfg, SM_CK_listeners, errstr, errsz,
                             "listener %s uses security protocol %s; samsa "
                             "serves PLAINTEXT only", l->name,
                             l->security_protocol);
    }
    return SM_OK;
}

static sm_err_t
conf_check_versions(const sm_config_t *cfg, char *errstr, size_t errsz)
{
    static const char *const min_for_magic[] = { "0.8.0", "0.10.0",
                                                 "0.11.0" };
    int fmt = sm_kafka_version_record_magic(cfg->eff_log_message_format);

    if (sm_kafka_version_record_magic(cfg->eff_ibp) < fmt)
        return conf_fail(cfg, SM_CK_log_message_format_version, errstr,
                         errsz, "log.message.format.version %s can only be "
                         "used when inter.broker.protocol.version is set to "
                         "version %s or higher",
                         cfg->log_message_format_version, min_for_magic[fmt]);
    if (cfg->offsets_topic_compression_codec == SM_CODEC_ZSTD &&
        cfg->eff_ibp < SM_KV_2_1_IV0)
        return conf_fail(cfg, SM_CK_offsets_topic_compression_codec, errstr,
                         errsz, "offsets.topic.compression.codec zstd can "
                         "only be used when inter.broker.protocol.version is "
                         "set to version 2.1 or higher");
    return SM_OK;
}

/* max.connections.per.ip.overrides: host:count,... */
static int
conf_overrides_ok(const char *s)
{
    char **items;
    int n, ok = 1;

    if (*s == '\0')
        return 1;
    items = sm_conf_split_csv(s, 0, &n);
    for (int i = 0; i < n && ok; i++) {
        char *colon = strrchr(items[i], ':'), *end;
        long v;
        ok = colon != NULL && colon != items[i];
        if (ok) {
            v = strtol(colon + 1, &end, 10);
            ok = *end == '\0' && end != colon + 1 && v >= 0 &&
                 v <= INT32_MAX;
        }
    }
    sm_conf_free_strv(items);
    return ok;
}

static sm_err_t
conf_check_network(const sm_config_t *cfg, char *errstr, size_t errsz)
{
    if (cfg->queued_max_request_bytes > 0 &&
        cfg->queued_max_request_bytes < cfg->socket_request_max_bytes)
        return conf_fail(cfg, SM_CK_queued_max_request_bytes, errstr, errsz,
                         "queued.max.request.bytes must be larger or equal "
                         "to socket.request.max.bytes");
    if (cfg->max_connections_per_ip == 0 &&
        cfg->max_connections_per_ip_overrides[0] == '\0')
        return conf_fail(cfg, SM_CK_max_connections_per_ip, errstr, errsz,
                         "max.connections.per.ip can be set to zero only if "
                         "max.connections.per.ip.overrides property is "
                         "set.");
    if (!conf_overrides_ok(cfg->max_connections_per_ip_overrides))
        return conf_fail(cfg, SM_CK_max_connections_per_ip_overrides, errstr,
                         errsz, "max.connections.per.ip.overrides must be "
                         "host:count pairs");
    if (cfg->connections_max_idle_ms >= 0 &&
        cfg->connection_failed_authentication_delay_ms >=
            cfg->connections_max_idle_ms)
        return conf_fail(cfg, SM_CK_connection_failed_authentication_delay_ms,
                         errstr, errsz, "connection.failed.authentication."
                         "delay.ms should always be less than "
                         "connections.max.idle.ms");
    return SM_OK;
}

/* The broker defaults must make a valid topic config (Kafka fails to
 * build its default LogConfig otherwise). */
static sm_err_t
conf_check_topic_defaults(const sm_config_t *cfg, char *errstr,
                          size_t errsz)
{
    sm_topic_config_t tc;
    sm_err_t err = sm_config_topic(cfg, NULL, 0, &tc, errstr, errsz);

    sm_topic_config_fini(&tc);
    return err == SM_OK ? SM_OK : SM_ERR__CONFIG;
}

sm_err_t
sm_config_finish(sm_config_t *cfg, char *errstr, size_t errstr_size)
{
    sm_err_t err;

    sm_assert(!cfg->eff_finished);
    conf_materialize(cfg);
    conf_free_derived(cfg);
    cfg->eff_broker_id = sm_config_broker_id(cfg);
    err = conf_check_identity(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_derive(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_check_log(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_check_replication(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_check_listeners(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_check_versions(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_check_network(cfg, errstr, errstr_size);
    if (err == SM_OK)
        err = conf_check_topic_defaults(cfg, errstr, errstr_size);
    if (err == SM_OK)
        cfg->eff_finished = 1;
    return err;
}

/* ---------------------------------------------------------- loading */

static sm_err_t
conf_apply_override(sm_config_t *cfg, const char *arg, char *errstr,
                    size_t errstr_size)
{
    const char *eq = strchr(arg, '=');
    char *key = eq ? sm_strndup(arg, (size_t)(eq - arg)) : sm_strdup(arg);
    sm_err_t err;

    err = sm_config_set(cfg, SM_CONFIG_LAYER_STATIC, key, eq ? eq + 1 : "",
                        "--override", 0, errstr, errstr_size);
    sm_free(key);
    return err;
}

sm_err_t
sm_config_load(const char *path, const char *const *overrides,
               int noverrides, sm_config_t **cfgp, char *errstr,
               size_t errstr_size)
{
    sm_config_t *cfg = sm_config_new();
    sm_props_t props = SM_PROPS_INIT;
    sm_err_t err = SM_OK;

    *cfgp = NULL;
    if (path != NULL) {
        cfg->path = sm_strdup(path);
        err = sm_props_load(&props, path, errstr, errstr_size);
        if (err == SM_OK)
            err = sm_config_set_props(cfg, &props, path, errstr,
                                      errstr_size);
    }
    for (int i = 0; i < noverrides && err == SM_OK; i++)
        err = conf_apply_override(cfg, overrides[i], errstr, errstr_size);
    if (err == SM_OK)
        err = sm_config_finish(cfg, errstr, errstr_size);
    sm_props_fini(&props);
    if (err != SM_OK) {
        sm_config_destroy(cfg);
        return err;
    }
    *cfgp = cfg;
    return SM_OK;
}

sm_err_t
sm_config_from_args(int argc, char **argv, sm_config_t **cfgp, char *errstr,
                    size_t errstr_size)
{
    const char **ov = sm_calloc((size_t)argc + 1, sizeof(char *));
    int nov = 0;
    sm_err_t err = SM_ERR__CONFIG;

    *cfgp = NULL;
    if (argc < 2 || argv[1][0] == '-') {
        snprintf(errstr, errstr_size, "USAGE: %s server.properties "
                 "[--override property=value]*", argc > 0 ? argv[0]
                                                          : "samsa");
        goto out;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--override") == 0 && i + 1 < argc) {
            ov[nov++] = argv[++i];
        } else if (strncmp(argv[i], "--override=", 11) == 0) {
            ov[nov++] = argv[i] + 11;
        } else {
            snprintf(errstr, errstr_size, "Found non argument parameters: "
                     "%s", argv[i]);
            goto out;
        }
    }
    err = sm_config_load(argv[1], ov, nov, cfgp, errstr, errstr_size);
out:
    sm_free(ov);
    return err;
}

/* ---------------------------------------------------------- consumers */

void
sm_config_log_config(const sm_config_t *cfg, sm_log_config_t *out)
{
    memset(out, 0, sizeof(*out));
    out->segment_bytes = cfg->log_segment_bytes;
    out->segment_ms = sm_config_log_roll_ms(cfg);
    out->segment_jitter_ms = sm_config_log_roll_jitter_ms(cfg);
    out->retention_ms = sm_config_log_retention_ms(cfg);
    out->retention_bytes = cfg->log_retention_bytes;
    out->index_interval_bytes = cfg->log_index_interval_bytes;
    out->segment_index_bytes = cfg->log_index_size_max_bytes;
    out->flush_messages = cfg->log_flush_interval_messages;
    out->flush_ms = sm_config_log_flush_interval_ms(cfg);
    out->cleanup_policy = sm_config_cleanup_policy(cfg);
    out->delete_retention_ms = cfg->log_cleaner_delete_retention_ms;
    out->min_compaction_lag_ms = cfg->log_cleaner_min_compaction_lag_ms;
    out->max_compaction_lag_ms = cfg->log_cleaner_max_compaction_lag_ms;
    out->min_cleanable_dirty_ratio = cfg->log_cleaner_min_cleanable_ratio;
    out->file_delete_delay_ms = cfg->log_segment_delete_delay_ms;
    out->max_message_bytes = cfg->message_max_bytes;
    out->preallocate = cfg->log_preallocate;
    out->message_timestamp_log_append =
        strcmp(cfg->log_message_timestamp_type, "LogAppendTime") == 0;
}

void
sm_config_logmgr_config(const sm_config_t *cfg, sm_logmgr_config_t *out)
{
    memset(out, 0, sizeof(*out));
    out->dirs = (const char *const *)cfg->eff_log_dirs;
    out->ndirs = cfg->eff_nlog_dirs;
    sm_config_log_config(cfg, &out->defaults);
    out->retention_check_interval_ms = cfg->log_retention_check_interval_ms;
    out->flush_scheduler_interval_ms = cfg->log_flush_scheduler_interval_ms;
    out->flush_offset_checkpoint_interval_ms =
        cfg->log_flush_offset_checkpoint_interval_ms;
    out->hw_checkpoint_interval_ms =
        cfg->replica_high_watermark_checkpoint_interval_ms;
    out->cleaner_enable = cfg->log_cleaner_enable;
    out->cleaner_threads = cfg->log_cleaner_threads;
    out->cleaner_backoff_ms = cfg->log_cleaner_backoff_ms;
    out->cleaner_dedupe_buffer_size = cfg->log_cleaner_dedupe_buffer_size;
    out->recovery_threads_per_dir = cfg->num_recovery_threads_per_data_dir;
    out->background_threads = cfg->background_threads;
}

void
sm_config_net_config(const sm_config_t *cfg, sm_net_config_t *out)
{
    memset(out, 0, sizeof(*out));
    out->listeners = cfg->eff_listeners;
    out->nlisteners = cfg->eff_nlisteners;
    out->num_network_threads = cfg->num_network_threads;
    out->num_io_threads = cfg->num_io_threads;
    out->queued_max_requests = cfg->queued_max_requests;
    out->socket_request_max_bytes = cfg->socket_request_max_bytes;
    out->socket_send_buffer_bytes = cfg->socket_send_buffer_bytes;
    out->socket_receive_buffer_bytes = cfg->socket_receive_buffer_bytes;
    out->connections_max_idle_ms = cfg->connections_max_idle_ms;
    out->max_connections = cfg->max_connections;
}

char *
sm_config_value_dup(const sm_config_t *cfg, int key)
{
    sm_buf_t buf = SM_BUF_INIT;

    if (!sm_conf_value_kafka(sm_conf_table[key].type, conf_field(cfg, key),
                             sm_config_is_null(cfg, key), &buf)) {
        sm_buf_fini(&buf);
        return NULL;
    }
    return (char *)sm_buf_detach(&buf, NULL);
}

/* ---------------------------------------------------------- the dump */

void
sm_config_dump(const sm_config_t *cfg, sm_buf_t *out)
{
    const int *ord = sm_conf_sorted();
    static const char head[] = "KafkaConfig values: \n";

    sm_buf_write(out, head, sizeof(head) - 1);
    for (int i = 0; i < SM_CK__COUNT; i++) {
        int k = ord[i];
        const sm_conf_row_t *row = &sm_conf_table[k];

        if (row->flags & SM_CF_FOREIGN)
            continue;
        sm_buf_write(out, "\t", 1);
        sm_buf_write(out, row->name, strlen(row->name));
        sm_buf_write(out, " = ", 3);
        sm_conf_value_java(row->type, conf_field(cfg, k),
                           sm_config_is_null(cfg, k), out);
        sm_buf_write(out, "\n", 1);
    }
}

void
sm_config_log_values(const sm_config_t *cfg, int fd)
{
    sm_buf_t buf = SM_BUF_INIT;
    char head[64];
    struct timeval tv;
    struct tm tm;
    size_t n;

    if (sm_log_level < SM_LOG_INFO)
        return;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    n = strftime(head, sizeof(head), "[%Y-%m-%d %H:%M:%S", &tm);
    snprintf(head + n, sizeof(head) - n, ",%03d] INFO ",
             (int)(tv.tv_usec / 1000));
    sm_buf_write(&buf, head, strlen(head));
    sm_config_dump(cfg, &buf);
    sm_buf_write(&buf, " (samsa.config)\n", 16);
    if (write(fd, buf.data, buf.len) < 0) {
        /* like sm_log_write: the log is where errors would go */
    }
    sm_buf_fini(&buf);
}
