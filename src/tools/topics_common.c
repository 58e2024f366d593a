/*
 * topics_common.c: what samsa-topics' two services share (topics.h) -
 * the exception model, Kafka's CommandTopicPartition parsing, the --topic
 * filter, the describe printers and java.util.HashMap iteration order.
 *
 * JAVA BEHAVIOUR KEPT HERE.  Kafka's output depends on a few Java library
 * details, reproduced on purpose:
 *   - Integer options parse as Integer.valueOf (optional sign, decimal,
 *     int range); replica lists as String.split(",") / split(":") then
 *     trim().toInt (trailing empty strings dropped, "" fails).
 *   - "--config k=v" splits on the regex \s*=\s* and must give exactly
 *     two parts ("a=" gives one: Java drops trailing empty strings).
 *   - --topic is Kafka's IncludeList: trimmed, ',' becomes '|', blanks
 *     and surrounding quotes removed, then a whole-name regex match.  The
 *     Java regex is translated to a POSIX extended one (\d \w \s and
 *     their negations, escapes inside brackets); constructs POSIX lacks
 *     (lookaround, (?i), possessive quantifiers) fail as invalid regexes.
 *   - Describe prints topics and config entries in the iteration order
 *     of the java.util.HashMap Kafka collects them in: buckets in index
 *     order (hash ^ hash >>> 16, masked by the capacity), insertion order
 *     within a bucket (resizes split buckets stably).  tp_java_order()
 *     computes that order from String.hashCode.
 *
 * Threads: one (the tool is single-threaded).
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "common/sm_mem.h"
#include "server/admin.h"
#include "server/config.h"
#include "tools/topics.h"

/* ------------------------------------------------------------ exceptions */

int
tp_throw(tp_ctx_t *ctx, const char *cls, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    free(ctx->exc_class);
    free(ctx->exc_msg);
    ctx->exc_class = sm_strdup(cls);
    ctx->exc_msg = msg ? msg : sm_strdup("");
    return -1;
}

/* ------------------------------------------------------------ options */

int
tp_value(tp_ctx_t *ctx, int o, const char **out)
{
    static const char *const names[O__CNT] = {
        [O_TOPIC] = "topic", [O_PARTITIONS] = "partitions",
        [O_REPLICATION_FACTOR] = "replication-factor",
        [O_REPLICA_ASSIGNMENT] = "replica-assignment",
        [O_BOOTSTRAP] = "bootstrap-server", [O_ZOOKEEPER] = "zookeeper",
        [O_COMMAND_CONFIG] = "command-config",
    };
    const tp_optval_t *v = &ctx->opt[o];

    *out = NULL;
    if (v->nargs > 1)
        return tp_throw(ctx, "joptsimple.MultipleArgumentsForOptionException",
                        "Found multiple arguments for option %s, but you "
                        "asked for only one", names[o] ? names[o] : "?");
    if (v->nargs == 1)
        *out = v->args[0];
    return 0;
}

/* Integer.parseInt: 0 and *out, or -1. */
static int
tp_parse_int(const char *s, int32_t *out)
{
    int neg = 0;
    int64_t v = 0;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > (int64_t)INT32_MAX + 1)
            return -1;
    }
    if (neg)
        v = -v;
    if (v > INT32_MAX || v < INT32_MIN)
        return -1;
    *out = (int32_t)v;
    return 0;
}

int
tp_int_value(tp_ctx_t *ctx, int o, int *has, int32_t *out)
{
    const char *s;

    *has = 0;
    if (tp_value(ctx, o, &s) != 0)
        return -1;
    if (s == NULL)
        return 0;
    if (tp_parse_int(s, out) != 0)
        return tp_throw(ctx, "joptsimple.OptionArgumentConversionException",
                        "Cannot parse argument '%s' of option %s", s,
                        o == O_PARTITIONS ? "partitions"
                                          : "replication-factor");
    *has = 1;
    return 0;
}

/* ------------------------------------------------------------ splitting */

/* String.split on a one-character separator: pieces are heap strings;
 * trailing empty pieces dropped ("" gives one empty piece). */
static char **
tp_split(const char *s, char sep, int *n)
{
    char **v = sm_calloc(strlen(s) + 2, sizeof(char *));
    const char *p = s;
    int cnt = 0;

    for (;;) {
        const char *q = strchr(p, sep);
        size_t len = q ? (size_t)(q - p) : strlen(p);
        v[cnt++] = sm_strndup(p, len);
        if (q == NULL)
            break;
        p = q + 1;
    }
    while (cnt > 1 && v[cnt - 1][0] == '\0')
        free(v[--cnt]);
    if (cnt == 1 && v[0][0] == '\0' && s[0] != '\0') {
        free(v[0]);                    /* ",,," splits into nothing */
        cnt = 0;
    }
    *n = cnt;
    return v;
}

static void
tp_strv_free(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int
tp_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* String.trim (ASCII control and space characters). */
static char *
tp_trim(const char *s)
{
    size_t n;

    while (*s && (unsigned char)*s <= ' ')
        s++;
    n = strlen(s);
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    return sm_strndup(s, n);
}

/* s.split("\\s*=\\s*"): pieces (heap); trailing empty pieces dropped. */
static char **
tp_split_kv(const char *s, int *n)
{
    char **v = sm_calloc(strlen(s) + 2, sizeof(char *));
    const char *p = s;
    int cnt = 0;

    for (;;) {
        const char *eq = strchr(p, '='), *end;
        if (eq == NULL) {
            v[cnt++] = sm_strdup(p);
            break;
        }
        end = eq;
        while (end > p && tp_space(end[-1]))
            end--;
        v[cnt++] = sm_strndup(p, (size_t)(end - p));
        p = eq + 1;
        while (tp_space(*p))
            p++;
    }
    while (cnt > 0 && v[cnt - 1][0] == '\0')
        free(v[--cnt]);
    if (cnt == 0 && s[0] == '\0')
        v[cnt++] = sm_strdup("");      /* "".split(...) is [""] */
    *n = cnt;
    return v;
}

/* ------------------------------------------------------------ configs */

static sm_config_t *
tp_defaults(tp_ctx_t *ctx)
{
    char errstr[256];

    if (ctx->defaults == NULL) {
        ctx->defaults = sm_config_new();
        /* a config with nothing set always finishes */
        (void)sm_config_finish(ctx->defaults, errstr, sizeof(errstr));
    }
    return ctx->defaults;
}

int
tp_validate_configs(tp_ctx_t *ctx, char *const *keys, char *const *vals,
                    int n)
{
    sm_admin_cfg_t *cfgs = sm_calloc((size_t)n + 1, sizeof(*cfgs));
    char *msg = NULL;
    sm_err_t err;
    int rc = 0;

    for (int i = 0; i < n; i++) {
        cfgs[i].name = keys[i];
        cfgs[i].value = vals[i];
    }
    err = sm_admin_check_configs(tp_defaults(ctx), cfgs, n, &msg);
    if (err != SM_OK)
        rc = tp_throw(ctx, strncmp(msg ? msg : "", "Unknown", 7) == 0
                      ? "org.apache.kafka.common.errors."
                        "InvalidConfigurationException"
                      : "org.apache.kafka.common.config.ConfigException",
                      "%s", msg ? msg : sm_err_desc(err));
    free(msg);
    free(cfgs);
    return rc;
}

/* Properties.setProperty: replace or append. */
static void
tp_cmd_set_cfg(tp_cmd_t *cmd, char *key, char *val)
{
    for (int i = 0; i < cmd->ncfg; i++)
        if (strcmp(cmd->cfg_keys[i], key) == 0) {
            free(cmd->cfg_vals[i]);
            cmd->cfg_vals[i] = val;
            free(key);
            return;
        }
    cmd->cfg_keys = sm_realloc(cmd->cfg_keys,
                               (size_t)(cmd->ncfg + 1) * sizeof(char *));
    cmd->cfg_vals = sm_realloc(cmd->cfg_vals,
                               (size_t)(cmd->ncfg + 1) * sizeof(char *));
    cmd->cfg_keys[cmd->ncfg] = key;
    cmd->cfg_vals[cmd->ncfg++] = val;
}

/* parseTopicConfigsToBeAdded. */
static int
tp_cmd_configs(tp_ctx_t *ctx, tp_cmd_t *cmd)
{
    const tp_optval_t *v = &ctx->opt[O_CONFIG];

    for (int i = 0; i < v->nargs; i++) {
        int n;
        char **kv = tp_split_kv(v->args[i], &n);
        int ok = n == 2;
        tp_strv_free(kv, n);
        if (!ok)
            return tp_throw(ctx, "java.lang.IllegalArgumentException",
                            "requirement failed: Invalid topic config: all "
                            "configs to be added must be in the format "
                            "\"key=val\".");
    }
    for (int i = 0; i < v->nargs; i++) {
        int n;
        char **kv = tp_split_kv(v->args[i], &n);
        tp_cmd_set_cfg(cmd, tp_trim(kv[0]), tp_trim(kv[1]));
        tp_strv_free(kv, n);
    }
    if (tp_validate_configs(ctx, cmd->cfg_keys, cmd->cfg_vals,
                            cmd->ncfg) != 0)
        return -1;
    for (int i = 0; i < cmd->ncfg; i++)
        if (strcmp(cmd->cfg_keys[i], "message.format.version") == 0)
            printf("WARNING: The configuration message.format.version=%s "
                   "is specified. This configuration will be ignored if the "
                   "version is newer than the inter.broker.protocol.version "
                   "specified in the broker.\n", cmd->cfg_vals[i]);
    return 0;
}

/* parseTopicConfigsToBeDeleted: names only (LogConfig.validateNames). */
static int
tp_cmd_deletes(tp_ctx_t *ctx, tp_cmd_t *cmd)
{
    const tp_optval_t *v = &ctx->opt[O_DELETE_CONFIG];

    cmd->del_keys = sm_calloc((size_t)v->nargs + 1, sizeof(char *));
    for (int i = 0; i < v->nargs; i++)
        cmd->del_keys[cmd->ndel++] = tp_trim(v->args[i]);
    for (int i = 0; i < cmd->ndel; i++)
        if (sm_topic_conf_key(cmd->del_keys[i]) < 0)
            return tp_throw(ctx, "org.apache.kafka.common.errors."
                            "InvalidConfigurationException",
                            "Unknown topic config name: %s",
                            cmd->del_keys[i]);
    return 0;
}

/* ------------------------------------------------------------ assignment */

/* One "1:2:3" list; -1 (thrown) on a bad number or duplicates. */
static int
tp_parse_brokers(tp_ctx_t *ctx, const char *part, sm_zk_ints_t *out)
{
    int n;
    char **ids = tp_split(part, ':', &n);
    int rc = 0;

    out->v = sm_calloc((size_t)n + 1, sizeof(int32_t));
    out->cnt = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char *t = tp_trim(ids[i]);
        if (tp_parse_int(t, &out->v[out->cnt]) != 0)
            rc = tp_throw(ctx, "java.lang.NumberFormatException",
                          "For input string: \"%s\"", t);
        else
            out->cnt++;
        free(t);
    }
    tp_strv_free(ids, n);
    for (int i = 0; rc == 0 && i < out->cnt; i++)
        for (int j = 0; j < i; j++)
            if (out->v[i] == out->v[j]) {
                rc = tp_throw(ctx, "kafka.common.AdminCommandFailedException",
                              "Partition replica lists may not contain "
                              "duplicate entries: %d", (int)out->v[i]);
                break;
            }
    return rc;
}

char *
tp_join_ints(const int32_t *v, int n, const char *sep)
{
    sm_buf_t b = SM_BUF_INIT;
    char num[16];

    for (int i = 0; i < n; i++) {
        if (i > 0)
            sm_buf_write(&b, sep, strlen(sep));
        snprintf(num, sizeof(num), "%d", (int)v[i]);
        sm_buf_write(&b, num, strlen(num));
    }
    sm_buf_write(&b, "", 1);
    return (char *)sm_buf_detach(&b, NULL);
}

/* parseReplicaAssignment. */
static int
tp_cmd_assignment(tp_ctx_t *ctx, tp_cmd_t *cmd, const char *spec)
{
    int n;
    char **parts = tp_split(spec, ',', &n);
    int rc = 0;

    cmd->assign = sm_calloc((size_t)n + 1, sizeof(*cmd->assign));
    for (int i = 0; i < n && rc == 0; i++) {
        rc = tp_parse_brokers(ctx, parts[i], &cmd->assign[i]);
        cmd->nassign = i + 1;
        if (rc == 0 && cmd->assign[i].cnt != cmd->assign[0].cnt) {
            /* Kafka prints the Int[] itself ("[I@1b6d3586") */
            char *l = tp_join_ints(cmd->assign[i].v, cmd->assign[i].cnt,
                                   ", ");
            rc = tp_throw(ctx, "kafka.admin.AdminOperationException",
                          "Partition %d has different replication factor: "
                          "[%s]", i, l);
            free(l);
        }
    }
    tp_strv_free(parts, n);
    cmd->has_assignment = 1;
    return rc;
}

int
tp_cmd_parse(tp_ctx_t *ctx, tp_cmd_t *cmd)
{
    const char *ra;

    memset(cmd, 0, sizeof(*cmd));
    if (tp_value(ctx, O_TOPIC, &cmd->name) != 0)
        return -1;
    if (cmd->name == NULL)
        return tp_throw(ctx, "java.util.NoSuchElementException", "None.get");
    if (tp_int_value(ctx, O_PARTITIONS, &cmd->has_partitions,
                     &cmd->partitions) != 0 ||
        tp_int_value(ctx, O_REPLICATION_FACTOR, &cmd->has_rf,
                     &cmd->rf) != 0 ||
        tp_value(ctx, O_REPLICA_ASSIGNMENT, &ra) != 0)
        return -1;
    if (ra != NULL && ra[0] != '\0' &&
        tp_cmd_assignment(ctx, cmd, ra) != 0)
        return -1;
    if (tp_cmd_configs(ctx, cmd) != 0 || tp_cmd_deletes(ctx, cmd) != 0)
        return -1;
    cmd->rack_disabled = tp_has(ctx, O_DISABLE_RACK_AWARE);
    return 0;
}

void
tp_cmd_fini(tp_cmd_t *cmd)
{
    for (int i = 0; i < cmd->nassign; i++)
        sm_zk_ints_fini(&cmd->assign[i]);
    free(cmd->assign);
    tp_strv_free(cmd->cfg_keys, cmd->ncfg);
    for (int i = 0; i < cmd->ncfg; i++)
        free(cmd->cfg_vals[i]);
    free(cmd->cfg_vals);
    tp_strv_free(cmd->del_keys, cmd->ndel);
    memset(cmd, 0, sizeof(*cmd));
}

/* ------------------------------------------------------------ topics */

int
tp_is_internal(const char *topic)
{
    return strcmp(topic, "__consumer_offsets") == 0 ||
           strcmp(topic, "__transaction_state") == 0;
}

int
tp_has_collision_chars(const char *topic)
{
    return strpbrk(topic, "._") != NULL;
}

/* IncludeList's clean-up of the raw --topic value. */
static char *
tp_include_regex(const char *raw)
{
    char *t = tp_trim(raw), *out = sm_malloc(strlen(t) + 1), *p;
    size_t n = 0, start = 0;

    for (p = t; *p; p++)
        if (*p != ' ')
            out[n++] = *p == ',' ? '|' : *p;
    out[n] = '\0';
    while (out[start] == '"' || out[start] == '\'')
        start++;
    while (n > start && (out[n - 1] == '"' || out[n - 1] == '\''))
        out[--n] = '\0';
    memmove(out, out + start, n - start + 1);
    free(t);
    return out;
}

/* A Java class escape (\d ...) as POSIX bracket contents, or NULL. */
static const char *
tp_class_escape(char c, int in_bracket)
{
    switch (c) {
    case 'd': return in_bracket ? "0-9" : "[0-9]";
    case 'D': return in_bracket ? NULL : "[^0-9]";
    case 'w': return in_bracket ? "A-Za-z0-9_" : "[A-Za-z0-9_]";
    case 'W': return in_bracket ? NULL : "[^A-Za-z0-9_]";
    case 's': return in_bracket ? "[:space:]" : "[[:space:]]";
    case 'S': return in_bracket ? NULL : "[^[:space:]]";
    default:  return NULL;
    }
}

/* Java regex -> POSIX ERE; NULL for what cannot be translated. */
static char *
tp_java_to_ere(const char *re)
{
    sm_buf_t b = SM_BUF_INIT;
    int in_bracket = 0;

    sm_buf_write(&b, "^(", 2);
    for (const char *p = re; *p; p++) {
        const char *cls;
        if (*p == '\\' && p[1] != '\0') {
            p++;
            cls = tp_class_escape(*p, in_bracket);
            if (cls != NULL)
                sm_buf_write(&b, cls, strlen(cls));
            else if (in_bracket && (*p == ']' || *p == '\\' || *p == '^' ||
                                    *p == '-'))
                goto fail;              /* not expressible in POSIX */
            else if (in_bracket || (*p >= 'a' && *p <= 'z') ||
                     (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
                sm_buf_write(&b, p, 1);
            else
                sm_buf_write(&b, p - 1, 2);
            continue;
        }
        if (*p == '(' && p[1] == '?')
            goto fail;                  /* flags, lookaround, non-capture */
        if (!in_bracket && *p == '[') {
            in_bracket = 1;
            sm_buf_write(&b, p, 1);
            if (p[1] == '^')
                sm_buf_write(&b, ++p, 1);
            if (p[1] == ']')
                sm_buf_write(&b, ++p, 1);
            continue;
        }
        if (in_bracket && *p == ']')
            in_bracket = 0;
        sm_buf_write(&b, p, 1);
    }
    sm_buf_write(&b, ")$", 3);
    return (char *)sm_buf_detach(&b, NULL);
fail:
    sm_buf_fini(&b);
    return NULL;
}

int
tp_filter_topics(tp_ctx_t *ctx, char *const *all, int nall,
                 const char ***out, int *nout)
{
    int excl = tp_has(ctx, O_EXCLUDE_INTERNAL), n = 0;
    const char *raw;
    char *regex = NULL, *ere = NULL;
    regex_t re;

    *out = sm_calloc((size_t)nall + 1, sizeof(char *));
    *nout = 0;
    if (tp_value(ctx, O_TOPIC, &raw) != 0)
        return -1;
    if (raw != NULL) {
        regex = tp_include_regex(raw);
        ere = tp_java_to_ere(regex);
        if (ere == NULL || regcomp(&re, ere, REG_EXTENDED | REG_NOSUB) != 0) {
            tp_throw(ctx, "java.lang.RuntimeException",
                     "%s is an invalid regex.", regex);
            free(ere);
            free(regex);
            return -1;
        }
    }
    for (int i = 0; i < nall; i++) {
        if (excl && tp_is_internal(all[i]))
            continue;
        if (raw != NULL && regexec(&re, all[i], 0, NULL, 0) != 0)
            continue;
        (*out)[n++] = all[i];
    }
    if (raw != NULL)
        regfree(&re);
    free(ere);
    free(regex);
    *nout = n;
    return 0;
}

int
tp_ensure_exists(tp_ctx_t *ctx, int nfound)
{
    const char *topic = NULL;

    (void)tp_value(ctx, O_TOPIC, &topic);
    if (topic != NULL && !tp_has(ctx, O_IF_EXISTS) && nfound == 0)
        return tp_throw(ctx, "java.lang.IllegalArgumentException",
                        "Topic '%s' does not exist as expected", topic);
    return 0;
}

/* ------------------------------------------------------------ HashMap */

static uint32_t
tp_java_bucket(const char *s, uint32_t cap)
{
    uint32_t h = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = 31 * h + *p;
    h ^= h >> 16;
    return h & (cap - 1);
}

/* HashMap.tableSizeFor */
static uint32_t
tp_table_size_for(int c)
{
    uint32_t n = 1;

    while ((int64_t)n < c)
        n <<= 1;
    return n;
}

/* Grow cap as the puts of n entries would (threshold = cap * 0.75). */
static uint32_t
tp_java_grow(uint32_t cap, int n)
{
    while (n > (int)((float)cap * 0.75f))
        cap <<= 1;
    return cap;
}

uint32_t
tp_java_cap(int init, int n)
{
    return tp_java_grow(init < 0 ? 16 : tp_table_size_for(init), n);
}

uint32_t
tp_java_copy_cap(int n)
{
    return tp_java_grow(tp_table_size_for((int)((float)n / 0.75f + 1.0f)),
                        n);
}

void
tp_java_order(const char *const *keys, int *order, int n, uint32_t cap)
{
    /* insertion sort: stable, and n is small (topics of one command) */
    for (int i = 1; i < n; i++) {
        int k = order[i], j = i;
        uint32_t bk = tp_java_bucket(keys[k], cap);
        while (j > 0 && tp_java_bucket(keys[order[j - 1]], cap) > bk) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
}

char *
tp_configs_join(char *const *keys, char *const *vals, int n)
{
    sm_buf_t b = SM_BUF_INIT;

    for (int i = 0; i < n; i++) {
        if (i > 0)
            sm_buf_write(&b, ",", 1);
        sm_buf_write(&b, keys[i], strlen(keys[i]));
        sm_buf_write(&b, "=", 1);
        if (vals[i] != NULL)
            sm_buf_write(&b, vals[i], strlen(vals[i]));
        else
            sm_buf_write(&b, "null", 4);
    }
    sm_buf_write(&b, "", 1);
    return (char *)sm_buf_detach(&b, NULL);
}

char *
tp_configs_string(char *const *keys, char *const *vals, int n)
{
    int *order = sm_calloc((size_t)n + 1, sizeof(int));
    char **k = sm_calloc((size_t)n + 1, sizeof(char *));
    char **v = sm_calloc((size_t)n + 1, sizeof(char *));
    char *s;

    for (int i = 0; i < n; i++)
        order[i] = i;
    tp_java_order((const char *const *)keys, order, n, tp_java_cap(-1, n));
    for (int i = 0; i < n; i++) {
        k[i] = keys[order[i]];
        v[i] = vals[order[i]];
    }
    s = tp_configs_join(k, v, n);
    free(v);
    free(k);
    free(order);
    return s;
}

/* ------------------------------------------------------------ describe */

static void
tp_print_ints(const int32_t *v, int n)
{
    for (int i = 0; i < n; i++)
        printf("%s%d", i ? "," : "", (int)v[i]);
}

void
tp_print_topic(const char *topic, const char *topic_id, int32_t nparts,
               int32_t rf, const char *configs, int marked)
{
    printf("Topic: %s", topic);
    if (topic_id != NULL)
        printf("\tTopicId: %s", topic_id);
    printf("\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s%s\n",
           (int)nparts, (int)rf, configs,
           marked ? "\tMarkedForDeletion: true" : "");
}

void
tp_print_partition(const char *topic, const tp_part_row_t *row, int marked)
{
    printf("\tTopic: %s\tPartition: %d\tLeader: ", topic,
           (int)row->partition);
    if (row->leader >= 0)
        printf("%d", (int)row->leader);
    else
        printf("none");
    printf("\tReplicas: ");
    tp_print_ints(row->replicas, row->nreplicas);
    printf("\tIsr: ");
    tp_print_ints(row->isr, row->nisr);
    printf("%s\n", marked ? "\tMarkedForDeletion: true" : "");
}

int
tp_describe_configs(const tp_ctx_t *ctx)
{
    return !tp_has(ctx, O_UNAVAILABLE) && !tp_has(ctx, O_UNDER_REPLICATED) &&
           !tp_has(ctx, O_UNDER_MIN_ISR) && !tp_has(ctx, O_AT_MIN_ISR);
}

int
tp_describe_partitions(const tp_ctx_t *ctx)
{
    return !tp_has(ctx, O_TOPICS_WITH_OVERRIDES);
}

static int
tp_contains(const int32_t *v, int n, int32_t x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

int
tp_should_print(const tp_ctx_t *ctx, const tp_part_row_t *row,
                int32_t min_isr, const int32_t *live, int nlive)
{
    int has_leader = row->leader >= 0;

    if (tp_describe_configs(ctx))
        return 1;
    if (tp_has(ctx, O_UNDER_REPLICATED) && row->nreplicas - row->nisr > 0)
        return 1;
    if (tp_has(ctx, O_UNAVAILABLE) &&
        (!has_leader || !tp_contains(live, nlive, row->leader)))
        return 1;
    if (tp_has(ctx, O_UNDER_MIN_ISR) &&
        (!has_leader || (min_isr >= 0 && row->nisr < min_isr)))
        return 1;
    return tp_has(ctx, O_AT_MIN_ISR) && min_isr >= 0 &&
           row->nisr == min_isr;
}
