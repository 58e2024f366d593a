/*
 * config_topic.c: topic-level configuration - Kafka's LogConfig built from
 * the broker defaults (LogConfig.extractLogConfigMap) with a topic's
 * overrides on top (LogConfig.fromProps / validate).
 *
 * Each topic key's default is the *text* of its broker synonym's effective
 * value (retention.ms gets sm_config_log_retention_ms(), cleanup.policy
 * gets "compact,delete"), and defaults and overrides then go through the
 * same parser with the topic row's bounds and validator, exactly as Kafka
 * feeds both into one LogConfig.  So a broker default that breaks a
 * topic-level rule is caught too; sm_config_finish() calls
 * sm_config_topic() once to refuse such a broker config at start-up.
 *
 * The row-to-broker-key map is computed once (pthread_once) from the
 * topic column of config.def.  Everything else is stateless.
 */
#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/config_int.h"

#define ANY INT64_MIN, INT64_MAX
#define ATLEAST(n) (n), INT64_MAX

static const struct sm_topic_row {
    const char *name;
    sm_conf_type_t type;
    size_t      offset;
    int64_t     min, max;
    sm_conf_validator_t validator;
    const char *doc;
} sm_topic_table[SM_TK__COUNT] = {
#define SM_TOPIC_CONF(id, nm, ty, bounds, val, doc)                         \
    [SM_TK_##id] = { nm, SM_CT_##ty, offsetof(sm_topic_config_t, id),      \
                     bounds, SM_CV_##val, doc },
#include "server/config_topic.def"
#undef SM_TOPIC_CONF
};

#undef ANY
#undef ATLEAST

static int sm_topic_broker[SM_TK__COUNT];
static pthread_once_t sm_topic_once = PTHREAD_ONCE_INIT;

static void
topic_map_init(void)
{
    const sm_conf_row_t *rows = sm_conf_rows();

    for (int t = 0; t < SM_TK__COUNT; t++) {
        sm_topic_broker[t] = -1;
        for (int k = 0; k < SM_CK__COUNT; k++)
            if (rows[k].topic && strcmp(rows[k].topic,
                                        sm_topic_table[t].name) == 0)
                sm_topic_broker[t] = k;
    }
}

int
sm_topic_conf_broker_key(int tkey)
{
    pthread_once(&sm_topic_once, topic_map_init);
    return tkey >= 0 && tkey < SM_TK__COUNT ? sm_topic_broker[tkey] : -1;
}

int
sm_topic_conf_key(const char *name)
{
    for (int t = 0; t < SM_TK__COUNT; t++)
        if (strcmp(sm_topic_table[t].name, name) == 0)
            return t;
    return -1;
}

const char *
sm_topic_conf_name(int tkey)
{
    return tkey >= 0 && tkey < SM_TK__COUNT ? sm_topic_table[tkey].name
                                            : NULL;
}

sm_conf_type_t
sm_topic_conf_type(int tkey)
{
    sm_assert(tkey >= 0 && tkey < SM_TK__COUNT);
    return sm_topic_table[tkey].type;
}

const char *
sm_topic_conf_doc(int tkey)
{
    int bk = sm_topic_conf_broker_key(tkey);

    sm_assert(tkey >= 0 && tkey < SM_TK__COUNT);
    if (sm_topic_table[tkey].doc != NULL || bk < 0)
        return sm_topic_table[tkey].doc;
    return sm_conf_rows()[bk].doc;
}

const void *
sm_topic_conf_field(const sm_topic_config_t *tc, int tkey)
{
    sm_assert(tkey >= 0 && tkey < SM_TK__COUNT);
    return (const char *)tc + sm_topic_table[tkey].offset;
}

/* The broker-side default of topic key t as text (caller frees). */
static char *
topic_default_text(const sm_config_t *cfg, int t)
{
    int bk = sm_topic_conf_broker_key(t);
    int64_t v;

    switch (bk) {
    case -1:
        return sm_strdup("");                /* throttled replica lists */
    case SM_CK_log_roll_ms:
        v = sm_config_log_roll_ms(cfg);
        break;
    case SM_CK_log_roll_jitter_ms:
        v = sm_config_log_roll_jitter_ms(cfg);
        break;
    case SM_CK_log_retention_ms:
        v = sm_config_log_retention_ms(cfg);
        break;
    case SM_CK_log_flush_interval_ms:
        v = sm_config_log_flush_interval_ms(cfg);
        break;
    case SM_CK_compression_type: {
        /* The broker accepts any case; the topic level only lower case.
         * Kafka would then refuse to start; samsa lower-cases instead. */
        char *s = sm_strdup(cfg->compression_type);
        for (char *c = s; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        return s;
    }
    default:
        return sm_config_value_dup(cfg, bk);
    }
    return sm_asprintf("%" PRId64, v);
}

static int
topic_parse(int t, const char *text, sm_topic_config_t *tc, char *msg,
            size_t msg_size)
{
    const struct sm_topic_row *row = &sm_topic_table[t];
    sm_conf_check_t chk = { row->type, row->min, row->max, row->validator };
    void *dst = (char *)tc + row->offset;
    union { char *s; sm_config_list_t l; int64_t i; double d; } tmp;

    memset(&tmp, 0, sizeof(tmp));
    if (sm_conf_value_parse(&chk, text, &tmp, msg, msg_size) != 0)
        return -1;
    sm_conf_value_free(row->type, dst);
    switch (row->type) {
    case SM_CT_BOOL:   *(int *)dst = *(int *)&tmp; break;
    case SM_CT_INT:    *(int32_t *)dst = *(int32_t *)&tmp; break;
    case SM_CT_SHORT:  *(int16_t *)dst = *(int16_t *)&tmp; break;
    case SM_CT_LONG:   *(int64_t *)dst = tmp.i; break;
    case SM_CT_DOUBLE: *(double *)dst = tmp.d; break;
    case SM_CT_LIST:   *(sm_config_list_t *)dst = tmp.l; break;
    default:           *(char **)dst = tmp.s; break;
    }
    return 0;
}

static sm_err_t
topic_defaults(const sm_config_t *cfg, sm_topic_config_t *tc, char *errstr,
               size_t errstr_size)
{
    char msg[256];

    for (int t = 0; t < SM_TK__COUNT; t++) {
        char *text = topic_default_text(cfg, t);
        int r = topic_parse(t, text, tc, msg, sizeof(msg));
        int bk = sm_topic_conf_broker_key(t);

        if (r != 0) {
            char where[256];
            snprintf(where, sizeof(where), "broker default (%s)",
                     bk >= 0 ? sm_conf_rows()[bk].name : "-");
            sm_conf_bad_value(errstr, errstr_size, where,
                              sm_topic_table[t].name, text, msg);
        }
        sm_free(text);
        if (r != 0)
            return SM_ERR_INVALID_CONFIG;
    }
    return SM_OK;
}

sm_err_t
sm_config_topic(const sm_config_t *cfg, const sm_props_t *props, int flags,
                sm_topic_config_t *out, char *errstr, size_t errstr_size)
{
    char msg[256];
    sm_err_t err;

    memset(out, 0, sizeof(*out));
    err = topic_defaults(cfg, out, errstr, errstr_size);
    for (int i = 0; err == SM_OK && props && i < props->n; i++) {
        const sm_prop_t *p = &props->v[i];
        int t = sm_topic_conf_key(p->key);

        if (t < 0) {
            if (!(flags & SM_TOPIC_STRICT))
                continue;
            snprintf(errstr, errstr_size, "Unknown topic config name: %s",
                     p->key);
            err = SM_ERR_INVALID_CONFIG;
        } else if (topic_parse(t, p->value, out, msg, sizeof(msg)) != 0) {
            sm_conf_bad_value(errstr, errstr_size, "topic config", p->key,
                              p->value, msg);
            err = SM_ERR_INVALID_CONFIG;
        } else {
            out->overridden[t] = 1;
        }
    }
    if (err == SM_OK &&
        out->min_compaction_lag_ms > out->max_compaction_lag_ms) {
        snprintf(errstr, errstr_size, "conflict topic config setting "
                 "min.compaction.lag.ms (%" PRId64 ") > "
                 "max.compaction.lag.ms (%" PRId64 ")",
                 out->min_compaction_lag_ms, out->max_compaction_lag_ms);
        err = SM_ERR_INVALID_CONFIG;
    }
    return err;
}

void
sm_topic_config_fini(sm_topic_config_t *tc)
{
    for (int t = 0; t < SM_TK__COUNT; t++)
        sm_conf_value_free(sm_topic_table[t].type,
                           (char *)tc + sm_topic_table[t].offset);
}

static int
topic_cleanup_bits(const sm_config_list_t *l)
{
    int bits = 0;

    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], "delete") == 0)
            bits |= SM_CLEANUP_DELETE;
        else if (strcmp(l->v[i], "compact") == 0)
            bits |= SM_CLEANUP_COMPACT;
    }
    return bits;
}

void
sm_topic_config_log_config(const sm_topic_config_t *tc, sm_log_config_t *out)
{
    memset(out, 0, sizeof(*out));
    out->segment_bytes = tc->segment_bytes;
    out->segment_ms = tc->segment_ms;
    out->segment_jitter_ms = tc->segment_jitter_ms;
    out->retention_ms = tc->retention_ms;
    out->retention_bytes = tc->retention_bytes;
    out->index_interval_bytes = tc->index_interval_bytes;
    out->segment_index_bytes = tc->segment_index_bytes;
    out->flush_messages = tc->flush_messages;
    out->flush_ms = tc->flush_ms;
    out->cleanup_policy = topic_cleanup_bits(&tc->cleanup_policy);
    out->delete_retention_ms = tc->delete_retention_ms;
    out->min_compaction_lag_ms = tc->min_compaction_lag_ms;
    out->max_compaction_lag_ms = tc->max_compaction_lag_ms;
    out->min_cleanable_dirty_ratio = tc->min_cleanable_dirty_ratio;
    out->file_delete_delay_ms = tc->file_delete_delay_ms;
    out->max_message_bytes = tc->max_message_bytes;
    out->preallocate = tc->preallocate;
    out->message_timestamp_log_append =
        strcmp(tc->message_timestamp_type, "LogAppendTime") == 0;
}

sm_err_t
sm_config_topic_log_config(const sm_config_t *cfg, const sm_props_t *props,
                           sm_log_config_t *out, char *errstr,
                           size_t errstr_size)
{
    sm_topic_config_t tc;
    sm_err_t err = sm_config_topic(cfg, props, 0, &tc, errstr, errstr_size);

    if (err == SM_OK)
        sm_topic_config_log_config(&tc, out);
    sm_topic_config_fini(&tc);
    return err;
}
