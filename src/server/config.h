/*
 * config.h: the broker configuration - samsa's kafka.server.KafkaConfig.
 *
 * One table, server/config.def, lists every key Kafka 2.x accepts (plus
 * samsa's own), with its type, Kafka's default, bounds, validator,
 * importance, dynamic-update mode, topic-level synonym and doc.  From it
 * come the typed struct below (one member per row), the server.properties
 * parser, the "KafkaConfig values:" dump logged at start-up, the
 * DescribeConfigs entries of broker and topic resources, and the
 * server.properties(5) man page (src/samsa-config-man).
 *
 * API:
 *   sm_config_from_args / sm_config_load    file + --override -> config
 *   sm_config_new / _set / _finish          build one by hand (tests)
 *   sm_config_destroy
 *   cfg-><field>                            typed values, Kafka's rules
 *   sm_config_log_retention_ms & co.        values derived from several
 *                                           keys (precedence, fallbacks)
 *   sm_config_log_config / _logmgr_config / _net_config
 *                                           fill the log and network
 *                                           layers' config structs
 *   sm_config_topic                         a topic's overrides over the
 *                                           broker defaults, validated
 *   sm_config_dump / _log_values            the start-up dump
 *   sm_config_describe_broker / _topic      DescribeConfigs entries
 *   sm_config_apply_dynamic                 dynamic broker configs
 *   sm_config_parse_listeners               "NAME://host:port,..."
 *
 * LAYERS AND SOURCES.  A key's value comes from the first layer that sets
 * it: per-broker dynamic config (/config/brokers/<id>), cluster-wide
 * dynamic default (/config/brokers/<default>), the static file plus
 * --override, and last the table default.  The raw text of every layer is
 * kept so that DescribeConfigs can report sources and synonyms as Kafka
 * does.
 *
 * ERRORS.  A value that does not parse or breaks its bounds is an
 * SM_ERR__CONFIG whose errstr names where it came from, the key and the
 * value ("conf/server.properties:12: Invalid value abc for configuration
 * num.io.threads: Not a number of type INT"); cross-key rules (broker.id
 * range, listener names, ...) are checked by sm_config_finish().  An
 * unknown key is one warning naming it and its line, kept in
 * cfg->warnings and logged; the caller refuses to start on any error.
 *
 * THREADS.  Building a config is single-threaded.  A finished sm_config_t
 * is immutable: any thread may read it without locks.  Dynamic updates
 * build a new sm_config_t (sm_config_apply_dynamic); publishing it and
 * retiring the old one is the caller's business.
 */
#ifndef SM_SERVER_CONFIG_H
#define SM_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_buf.h"
#include "common/sm_err.h"
#include "log/log.h"
#include "network/net.h"
#include "server/config_props.h"

/* samsa speaks the protocol of about Kafka 2.3 (protocol/apis.def). */
#define SM_CONF_DEFAULT_IBP "2.3-IV1"

/* Types; the values are DescribeConfigs' ConfigType ids. */
typedef enum sm_conf_type {
    SM_CT_BOOL = 1,
    SM_CT_STRING = 2,
    SM_CT_INT = 3,
    SM_CT_SHORT = 4,
    SM_CT_LONG = 5,
    SM_CT_DOUBLE = 6,
    SM_CT_LIST = 7,
    SM_CT_CLASS = 8,
    SM_CT_PASSWORD = 9,
} sm_conf_type_t;

/* A parsed LIST value; v == NULL means null, else v[n] == NULL. */
typedef struct sm_config_list {
    char **v;
    int    n;
} sm_config_list_t;

/* C type of each config type (struct members generated from the table). */
#define SM_CTYPE_BOOL     int
#define SM_CTYPE_STRING   char *
#define SM_CTYPE_INT      int32_t
#define SM_CTYPE_SHORT    int16_t
#define SM_CTYPE_LONG     int64_t
#define SM_CTYPE_DOUBLE   double
#define SM_CTYPE_LIST     sm_config_list_t
#define SM_CTYPE_CLASS    char *
#define SM_CTYPE_PASSWORD char *

/* Row flags (config.def). */
#define SM_CF_UNUSED     0x01  /* accepted for compatibility; not yet used */
#define SM_CF_DEPRECATED 0x02  /* deprecated by Kafka */
#define SM_CF_INTERNAL   0x04  /* Kafka-internal: dumped, not described */
#define SM_CF_SAMSA      0x08  /* samsa's own key, not Kafka's */
#define SM_CF_FOREIGN    0x10  /* not a KafkaConfig key (plugin, legacy):
                                  neither dumped nor typed for clients */

typedef enum sm_conf_importance {
    SM_CI_HIGH, SM_CI_MEDIUM, SM_CI_LOW
} sm_conf_importance_t;

/* Dynamic update mode (Kafka's DynamicBrokerConfig). */
typedef enum sm_conf_mode {
    SM_CM_RO,          /* read-only: server.properties only */
    SM_CM_PB,          /* per-broker */
    SM_CM_CW,          /* cluster-wide (also settable per broker) */
} sm_conf_mode_t;

/* Value validators beyond bounds. */
typedef enum sm_conf_validator {
    SM_CV_NONE,
    SM_CV_COMPRESSION,        /* broker: any case of producer, gzip, ... */
    SM_CV_TOPIC_COMPRESSION,  /* topic: exact lower case */
    SM_CV_CLEANUP_POLICY,     /* list of compact, delete */
    SM_CV_TIMESTAMP_TYPE,     /* CreateTime, LogAppendTime */
    SM_CV_API_VERSION,        /* Kafka release: 2.3, 2.3-IV1, 0.10.2.1 */
    SM_CV_SSL_CLIENT_AUTH,    /* required, requested, none */
    SM_CV_OFFSETS_STORAGE,    /* kafka, zookeeper, dual */
    SM_CV_PROCESS_ROLES,      /* list of broker, controller */
    SM_CV_RATIO,              /* double in [0, 1] */
    SM_CV_THROTTLED_REPLICAS, /* * or partition:broker,... */
} sm_conf_validator_t;

/* Key ids, SM_CK_<field>, in table order; section markers alias the id of
 * their first key (each marker's enumerator is followed by one that steps
 * the counter back, so keys stay dense). */
typedef enum sm_conf_key {
#define SM_CONF(id, ...) SM_CK_##id,
#define SM_CONF_SECTION(id, title) SM_CS_##id, SM_CS_##id##__back = \
    SM_CS_##id - 1,
#include "server/config.def"
#undef SM_CONF
#undef SM_CONF_SECTION
    SM_CK__COUNT
} sm_conf_key_t;

/* One table row. */
typedef struct sm_conf_row {
    const char *name;
    sm_conf_type_t type;
    size_t      offset;       /* of the member in sm_config_t */
    const char *def;          /* default text; NULL = null */
    int64_t     min, max;     /* integer bounds (inclusive) */
    sm_conf_validator_t validator;
    sm_conf_importance_t importance;
    sm_conf_mode_t mode;
    const char *topic;        /* topic-level synonym, or NULL */
    int         flags;        /* SM_CF_* */
    const char *doc;
} sm_conf_row_t;

/* The table (SM_CK__COUNT rows, indexed by sm_conf_key_t). */
const sm_conf_row_t *sm_conf_rows(void);
/* Key id of a name, or -1. */
int  sm_conf_key(const char *name);
/* Man-page sections: title and first key, in order; NULL past the end. */
const char *sm_conf_section(int i, int *first_key);

/* Where a value comes from; the values are Kafka's ConfigSource ids. */
typedef enum sm_config_source {
    SM_CONFIG_SOURCE_UNKNOWN = 0,
    SM_CONFIG_SOURCE_TOPIC = 1,
    SM_CONFIG_SOURCE_DYNAMIC_BROKER = 2,
    SM_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER = 3,
    SM_CONFIG_SOURCE_STATIC_BROKER = 4,
    SM_CONFIG_SOURCE_DEFAULT = 5,
} sm_config_source_t;

/* Layers that can set a key, highest priority first. */
enum {
    SM_CONFIG_LAYER_DYNAMIC_BROKER,
    SM_CONFIG_LAYER_DYNAMIC_DEFAULT,
    SM_CONFIG_LAYER_STATIC,
    SM_CONFIG_LAYERS
};

/* Kafka releases as inter.broker.protocol.version / message.format.version
 * name them (kafka.api.ApiVersion), in order. */
typedef enum sm_kafka_version {
    SM_KV_0_8_0, SM_KV_0_8_1, SM_KV_0_8_2, SM_KV_0_9_0,
    SM_KV_0_10_0_IV0, SM_KV_0_10_0_IV1,
    SM_KV_0_10_1_IV0, SM_KV_0_10_1_IV1, SM_KV_0_10_1_IV2,
    SM_KV_0_10_2_IV0,
    SM_KV_0_11_0_IV0, SM_KV_0_11_0_IV1, SM_KV_0_11_0_IV2,
    SM_KV_1_0_IV0, SM_KV_1_1_IV0,
    SM_KV_2_0_IV0, SM_KV_2_0_IV1,
    SM_KV_2_1_IV0, SM_KV_2_1_IV1, SM_KV_2_1_IV2,
    SM_KV_2_2_IV0, SM_KV_2_2_IV1,
    SM_KV_2_3_IV0, SM_KV_2_3_IV1,
    SM_KV_2_4_IV0, SM_KV_2_4_IV1,
    SM_KV_2_5_IV0, SM_KV_2_6_IV0,
    SM_KV_2_7_IV0, SM_KV_2_7_IV1, SM_KV_2_7_IV2,
    SM_KV_2_8_IV0, SM_KV_2_8_IV1,
    SM_KV__COUNT
} sm_kafka_version_t;

/* Parse "2.3", "2.3-IV0", "2.3.1", "0.10.2.1" the way Kafka does; -1 if
 * unknown.  A release without -IVn means its last internal version. */
int         sm_kafka_version_parse(const char *s);
const char *sm_kafka_version_name(int v);        /* "2.3-IV1", "0.9.0" */
int         sm_kafka_version_record_magic(int v); /* 0, 1 or 2 */

/* broker compression.type: SM_CONFIG_COMPRESSION_PRODUCER or an
 * sm_codec_t (protocol/compress.h: 0 none .. 4 zstd). */
#define SM_CONFIG_COMPRESSION_PRODUCER (-1)

typedef struct sm_config {
    /* one member per config.def row, named after its first column */
#define SM_CONF(id, name, type, ...) SM_CTYPE_##type id;
#define SM_CONF_SECTION(id, title)
#include "server/config.def"
#undef SM_CONF
#undef SM_CONF_SECTION

    /* ---- bookkeeping (read through the functions below) ---- */
    uint8_t  source[SM_CK__COUNT];        /* sm_config_source_t */
    char    *layer[SM_CONFIG_LAYERS][SM_CK__COUNT]; /* raw text or NULL */
    int      line[SM_CK__COUNT];          /* static layer: file line, 0 */
    char    *path;                        /* the properties file, or NULL */
    sm_props_t extra;                     /* static keys not in the table */
    char   **warnings;                    /* what was logged as WARN */
    int      nwarnings;

    /* ---- derived by sm_config_finish ---- */
    int32_t  eff_broker_id;
    char   **eff_log_dirs;                /* NULL-terminated */
    int      eff_nlog_dirs;
    sm_listener_cfg_t *eff_listeners;
    int      eff_nlisteners;
    sm_listener_cfg_t *eff_advertised;
    int      eff_nadvertised;
    char    *eff_inter_broker_listener;
    char    *eff_inter_broker_protocol;
    int      eff_ibp;                     /* sm_kafka_version_t */
    int      eff_log_message_format;      /* sm_kafka_version_t */
    int      eff_finished;
} sm_config_t;

/* ---------------------------------------------------------- building */

/* A config holding every default (nothing set, not finished). */
sm_config_t *sm_config_new(void);
void         sm_config_destroy(sm_config_t *cfg);

/*
 * Set key to value in a layer.  where names the origin for messages
 * ("conf/server.properties:12", "--override").  An unknown static key is
 * kept in cfg->extra with a warning (keys of the listener.name.,
 * config.providers., metrics.context. and confluent. families without
 * one); in a dynamic layer it is an error.  A bad value is SM_ERR__CONFIG
 * naming where, key and value.  line is the static file line (0 if none).
 */
sm_err_t sm_config_set(sm_config_t *cfg, int layer, const char *key,
                       const char *value, const char *where, int line,
                       char *errstr, size_t errstr_size);

/* Apply every entry of props (in order) to the static layer. */
sm_err_t sm_config_set_props(sm_config_t *cfg, const sm_props_t *props,
                             const char *origin, char *errstr,
                             size_t errstr_size);

/* Resolve layers into the typed members, derive, and check the cross-key
 * rules (Kafka's KafkaConfig.validateValues).  Call once. */
sm_err_t sm_config_finish(sm_config_t *cfg, char *errstr,
                          size_t errstr_size);

/*
 * Load path (NULL: defaults only), then apply the overrides ("key=value"
 * strings, as kafka-server-start.sh's --override passes them; a missing
 * value means the empty string), then finish.  Warnings are logged.
 */
sm_err_t sm_config_load(const char *path, const char *const *overrides,
                        int noverrides, sm_config_t **cfgp, char *errstr,
                        size_t errstr_size);

/*
 * Kafka's command line: "server.properties [--override key=value]...".
 * Also accepts "--override=key=value".  Unknown arguments are an error.
 */
sm_err_t sm_config_from_args(int argc, char **argv, sm_config_t **cfgp,
                             char *errstr, size_t errstr_size);

/* ---------------------------------------------------------- reading */

const sm_conf_row_t *sm_config_row(int key);
/* Where the effective value of key came from. */
sm_config_source_t   sm_config_source(const sm_config_t *cfg, int key);
/* Whether key's effective value is null (unset nullable key). */
int  sm_config_is_null(const sm_config_t *cfg, int key);
/*
 * key's effective value as Kafka's DescribeConfigs writes it
 * (ConfigDef.convertToString: lists comma-joined, class names bare), in a
 * new string the caller frees; NULL for a null value.  Passwords come out
 * in clear: callers decide about sensitivity.
 */
char *sm_config_value_dup(const sm_config_t *cfg, int key);

int32_t sm_config_broker_id(const sm_config_t *cfg);   /* node.id rule */
/* log.retention.ms > .minutes > .hours; any negative value is -1. */
int64_t sm_config_log_retention_ms(const sm_config_t *cfg);
int64_t sm_config_log_roll_ms(const sm_config_t *cfg);
int64_t sm_config_log_roll_jitter_ms(const sm_config_t *cfg);
/* log.flush.interval.ms, else log.flush.scheduler.interval.ms. */
int64_t sm_config_log_flush_interval_ms(const sm_config_t *cfg);
/* zookeeper.connection.timeout.ms, else the session timeout. */
int32_t sm_config_zk_connection_timeout_ms(const sm_config_t *cfg);
/* log.dirs, else log.dir, split on commas (borrowed, NULL-terminated). */
const char *const *sm_config_log_dirs(const sm_config_t *cfg, int *n);
/* SM_CLEANUP_* bits of log.cleanup.policy. */
int     sm_config_cleanup_policy(const sm_config_t *cfg);
/* compression.type as SM_CONFIG_COMPRESSION_PRODUCER or an sm_codec_t. */
int     sm_config_compression(const sm_config_t *cfg);
/* Listeners to bind, and the ones to publish in /brokers/ids (borrowed).
 * A NULL host means all interfaces / the canonical host name. */
const sm_listener_cfg_t *sm_config_listeners(const sm_config_t *cfg,
                                             int *n);
const sm_listener_cfg_t *sm_config_advertised_listeners(
    const sm_config_t *cfg, int *n);
/* Name of the listener used between brokers ("PLAINTEXT"). */
const char *sm_config_inter_broker_listener(const sm_config_t *cfg);
/* inter.broker.protocol.version / log.message.format.version parsed. */
int     sm_config_ibp(const sm_config_t *cfg);
int     sm_config_log_message_format(const sm_config_t *cfg);

/* The log layer's defaults from the broker's log.* keys. */
void sm_config_log_config(const sm_config_t *cfg, sm_log_config_t *out);
/* The log manager's config; dirs are borrowed from cfg. */
void sm_config_logmgr_config(const sm_config_t *cfg,
                             sm_logmgr_config_t *out);
/* The socket server's config; listeners are borrowed from cfg. */
void sm_config_net_config(const sm_config_t *cfg, sm_net_config_t *out);

/* ---------------------------------------------------------- topics */

typedef enum sm_topic_key {
#define SM_TOPIC_CONF(id, ...) SM_TK_##id,
#include "server/config_topic.def"
#undef SM_TOPIC_CONF
    SM_TK__COUNT
} sm_topic_key_t;

/* A topic's effective configuration, typed as Kafka's LogConfig. */
typedef struct sm_topic_config {
#define SM_TOPIC_CONF(id, name, type, ...) SM_CTYPE_##type id;
#include "server/config_topic.def"
#undef SM_TOPIC_CONF
    uint8_t overridden[SM_TK__COUNT]; /* per topic key: set by the topic */
} sm_topic_config_t;

/* Topic key id of a name, or -1; name of a topic key id. */
int         sm_topic_conf_key(const char *name);
const char *sm_topic_conf_name(int tkey);
/* Broker key that is the default of topic key tkey, or -1. */
int         sm_topic_conf_broker_key(int tkey);

#define SM_TOPIC_STRICT 0x1   /* unknown names are errors (CreateTopics,
                                 AlterConfigs); without it they are
                                 ignored (configs written by newer Kafkas) */

/*
 * Overlay topic_props (the ZooKeeper /config/topics/<t> map, or a
 * request's configs; NULL for none) on the broker defaults.  A bad value,
 * or min.compaction.lag.ms > max.compaction.lag.ms, is
 * SM_ERR_INVALID_CONFIG with a message naming the key and value.
 * out must be released with sm_topic_config_fini, also on error.
 */
sm_err_t sm_config_topic(const sm_config_t *cfg, const sm_props_t *props,
                         int flags, sm_topic_config_t *out, char *errstr,
                         size_t errstr_size);
void     sm_topic_config_fini(sm_topic_config_t *tc);
/* The log layer's view of a topic config. */
void     sm_topic_config_log_config(const sm_topic_config_t *tc,
                                    sm_log_config_t *out);
/* Shortcut: overlay and convert in one go. */
sm_err_t sm_config_topic_log_config(const sm_config_t *cfg,
                                    const sm_props_t *props,
                                    sm_log_config_t *out, char *errstr,
                                    size_t errstr_size);

/* ---------------------------------------------------------- dump */

/* "KafkaConfig values: \n" then "\tkey = value\n" per key, sorted, values
 * as Java prints them (null, [a, b], [hidden], 1.7976931348623157E308). */
void sm_config_dump(const sm_config_t *cfg, sm_buf_t *out);
/* Log the dump as one INFO record with one write(2) to fd, laid out as
 * sm_log lines are; nothing if INFO is filtered out. */
void sm_config_log_values(const sm_config_t *cfg, int fd);

/* ---------------------------------------------------------- describe */

#define SM_CONFIG_MAX_SYNONYMS 16

typedef struct sm_config_synonym {
    const char *name;
    const char *value;          /* NULL: null or sensitive */
    int         source;         /* sm_config_source_t */
} sm_config_synonym_t;

/* One DescribeConfigs entry.  Strings are valid during the callback only. */
typedef struct sm_config_entry {
    const char *name;
    const char *value;          /* NULL: null or sensitive */
    int         source;         /* sm_config_source_t */
    int         read_only;
    int         is_sensitive;
    int         type;           /* ConfigType id (sm_conf_type_t, 0 unknown) */
    const char *doc;
    int         nsynonyms;      /* the synonyms, highest priority first */
    sm_config_synonym_t synonyms[SM_CONFIG_MAX_SYNONYMS];
} sm_config_entry_t;

typedef void (*sm_config_entry_fn)(const sm_config_entry_t *entry,
                                   void *opaque);

/*
 * Broker resource entries, sorted by name.  per_broker = 1 describes this
 * broker (resource name = its id): every key plus the unknown keys it was
 * given; per_broker = 0 describes the cluster default (empty resource
 * name): only keys set in the dynamic default layer.  names[0..nnames)
 * restricts the output (names not found are skipped); nnames 0 = all.
 * Synonyms are always filled; the encoder drops them if not asked.
 */
void sm_config_describe_broker(const sm_config_t *cfg, int per_broker,
                               const char *const *names, int nnames,
                               sm_config_entry_fn fn, void *opaque);
/* Topic resource entries over the topic's overrides (NULL for none).
 * SM_ERR_INVALID_CONFIG if the overrides do not parse. */
sm_err_t sm_config_describe_topic(const sm_config_t *cfg,
                                  const sm_props_t *props,
                                  const char *const *names, int nnames,
                                  sm_config_entry_fn fn, void *opaque,
                                  char *errstr, size_t errstr_size);

/*
 * A new config: base's static layer plus dynamic configs, as Kafka reads
 * /config/brokers/<default> and /config/brokers/<id> (either may be NULL).
 * Keys that are not dynamic, or per-broker keys at cluster level, are
 * SM_ERR_INVALID_CONFIG.  base is not changed.
 */
sm_err_t sm_config_apply_dynamic(const sm_config_t *base,
                                 const sm_props_t *cluster_default,
                                 const sm_props_t *per_broker,
                                 sm_config_t **outp, char *errstr,
                                 size_t errstr_size);

/* ---------------------------------------------------------- listeners */

/*
 * Parse "NAME://host:port,..." with the listener.security.protocol.map
 * text (NULL: Kafka's default map) into a new array (free with
 * sm_config_free_listeners).  Names are upper-cased; an empty host is
 * NULL; "[::1]" loses its brackets.  Duplicate names are errors, and so
 * are duplicate non-zero ports when distinct_ports is set.
 */
sm_err_t sm_config_parse_listeners(const char *spec, const char *proto_map,
                                   int distinct_ports,
                                   sm_listener_cfg_t **out, int *n,
                                   char *errstr, size_t errstr_size);
void     sm_config_free_listeners(sm_listener_cfg_t *v, int n);

/* ---------------------------------------------------------- man page */

/* server.properties(5) in man(7) format, generated from the table. */
void sm_config_write_man(sm_buf_t *out, const char *version);

#endif
