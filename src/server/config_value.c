/*
 * config_value.c: one configuration value at a time - parse text the way
 * Kafka's ConfigDef.parseType does, check bounds and validators, and print
 * values back the two ways Kafka prints them (Java toString for the
 * start-up dump, ConfigDef.convertToString for DescribeConfigs).  Also the
 * Kafka release names used by inter.broker.protocol.version.
 *
 * Parsing rules (ConfigDef): the text is trimmed of leading and trailing
 * characters <= ' ' first; BOOL is true/false in any case; INT, SHORT and
 * LONG are decimal with an optional sign and nothing else (no hex, no
 * spaces inside); DOUBLE is a Java double literal; STRING, CLASS and
 * PASSWORD keep the trimmed text; LIST splits the trimmed text on commas
 * with the blanks around them, an empty text being the empty list.
 * Reasons for refusing a value reuse Kafka's wording so that messages can
 * be searched for.
 *
 * No state; thread-safe.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/sm_mem.h"
#include "server/config_int.h"

/* ---------------------------------------------------------- strings */

char *
sm_conf_trim_dup(const char *s)
{
    size_t b = 0, e = strlen(s);

    while (b < e && (unsigned char)s[b] <= ' ')
        b++;
    while (e > b && (unsigned char)s[e - 1] <= ' ')
        e--;
    return sm_strndup(s + b, e - b);
}

static int
conf_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

char **
sm_conf_split_csv(const char *s, int drop_empty, int *n)
{
    char **v = sm_calloc(strlen(s) + 2, sizeof(*v));
    const char *p = s;
    int cnt = 0;

    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *b = p, *e = end;

        /* blanks next to a comma belong to the separator */
        if (p != s)
            while (b < e && conf_ws((unsigned char)*b))
                b++;
        if (comma)
            while (e > b && conf_ws((unsigned char)e[-1]))
                e--;
        if (!(drop_empty && e == b))
            v[cnt++] = sm_strndup(b, (size_t)(e - b));
        if (!comma)
            break;
        p = comma + 1;
    }
    v[cnt] = NULL;
    *n = cnt;
    return v;
}

void
sm_conf_free_strv(char **v)
{
    if (v == NULL)
        return;
    for (char **p = v; *p; p++)
        sm_free(*p);
    sm_free(v);
}

void
sm_conf_bad_value(char *errstr, size_t errstr_size, const char *where,
                  const char *key, const char *value, const char *msg)
{
    snprintf(errstr, errstr_size,
             "%s: Invalid value %s for configuration %s: %s",
             where, value ? value : "null", key, msg);
}

/* ---------------------------------------------------------- versions */

static const struct {
    const char *name;          /* "2.3-IV1"; legacy releases: "0.9.0" */
    const char *release;       /* "2.3" */
    int         magic;
} sm_kv_table[SM_KV__COUNT] = {
    { "0.8.0", "0.8.0", 0 },           { "0.8.1", "0.8.1", 0 },
    { "0.8.2", "0.8.2", 0 },           { "0.9.0", "0.9.0", 0 },
    { "0.10.0-IV0", "0.10.0", 1 },     { "0.10.0-IV1", "0.10.0", 1 },
    { "0.10.1-IV0", "0.10.1", 1 },     { "0.10.1-IV1", "0.10.1", 1 },
    { "0.10.1-IV2", "0.10.1", 1 },     { "0.10.2-IV0", "0.10.2", 1 },
    { "0.11.0-IV0", "0.11.0", 2 },     { "0.11.0-IV1", "0.11.0", 2 },
    { "0.11.0-IV2", "0.11.0", 2 },     { "1.0-IV0", "1.0", 2 },
    { "1.1-IV0", "1.1", 2 },           { "2.0-IV0", "2.0", 2 },
    { "2.0-IV1", "2.0", 2 },           { "2.1-IV0", "2.1", 2 },
    { "2.1-IV1", "2.1", 2 },           { "2.1-IV2", "2.1", 2 },
    { "2.2-IV0", "2.2", 2 },           { "2.2-IV1", "2.2", 2 },
    { "2.3-IV0", "2.3", 2 },           { "2.3-IV1", "2.3", 2 },
    { "2.4-IV0", "2.4", 2 },           { "2.4-IV1", "2.4", 2 },
    { "2.5-IV0", "2.5", 2 },           { "2.6-IV0", "2.6", 2 },
    { "2.7-IV0", "2.7", 2 },           { "2.7-IV1", "2.7", 2 },
    { "2.7-IV2", "2.7", 2 },           { "2.8-IV0", "2.8", 2 },
    { "2.8-IV1", "2.8", 2 },
};

/*
 * Kafka keeps the first three dot-separated parts of a 0.x version and the
 * first two of later ones ("0.10.2.1" -> "0.10.2", "2.3.1" -> "2.3",
 * "2.3-IV1" -> "2.3-IV1"), then looks the result up among the full names
 * and, failing that, the release names (taking the release's last IV).
 */
int
sm_kafka_version_parse(const char *s)
{
    char key[64];
    int parts = strncmp(s, "0.", 2) == 0 ? 3 : 2, found = -1;
    size_t len = 0;

    for (const char *p = s; *p; p++) {
        if (*p == '.' && --parts == 0)
            break;
        len++;
    }
    while (len > 0 && s[len - 1] == '.')      /* Java drops empty tails */
        len--;
    if (len == 0 || len >= sizeof(key))
        return -1;
    memcpy(key, s, len);
    key[len] = '\0';
    for (int i = 0; i < SM_KV__COUNT; i++) {
        if (strcmp(key, sm_kv_table[i].name) == 0)
            return i;
        if (strcmp(key, sm_kv_table[i].release) == 0)
            found = i;
    }
    return found;
}

const char *
sm_kafka_version_name(int v)
{
    return v >= 0 && v < SM_KV__COUNT ? sm_kv_table[v].name : "?";
}

int
sm_kafka_version_record_magic(int v)
{
    return v >= 0 && v < SM_KV__COUNT ? sm_kv_table[v].magic : -1;
}

/* ---------------------------------------------------------- parsing */

static const char *const sm_cv_compression[] = {
    "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer", NULL
};
static const char *const sm_cv_cleanup[] = { "compact", "delete", NULL };
static const char *const sm_cv_tstype[] = {
    "CreateTime", "LogAppendTime", NULL
};
static const char *const sm_cv_client_auth[] = {
    "required", "requested", "none", NULL
};
static const char *const sm_cv_storage[] = {
    "kafka", "zookeeper", "dual", NULL
};
static const char *const sm_cv_roles[] = { "broker", "controller", NULL };

static int
conf_in(const char *const *set, const char *s, int nocase)
{
    for (; *set; set++)
        if ((nocase ? strcasecmp(*set, s) : strcmp(*set, s)) == 0)
            return 1;
    return 0;
}

static int
conf_not_in(const char *const *set, char *msg, size_t msg_size)
{
    size_t n = (size_t)snprintf(msg, msg_size, "String must be one of: ");

    for (const char *const *p = set; *p && n < msg_size; p++)
        n += (size_t)snprintf(msg + n, msg_size - n, "%s%s", *p,
                              p[1] ? ", " : "");
    return -1;
}

/* Java's Long.parseLong on already-trimmed text. */
static int
conf_parse_long(const char *s, int64_t *out)
{
    uint64_t v = 0, lim;
    int neg = 0;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (*s == '\0')
        return -1;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (lim - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* Java's Double.parseDouble on already-trimmed text (close enough: C's
 * strtod plus Java's optional f/F/d/D suffix). */
static int
conf_parse_double(const char *s, double *out)
{
    char *end;

    if (*s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    if (end == s)
        return -1;
    if (*end && strchr("fFdD", *end) && end[1] == '\0')
        end++;
    return *end == '\0' ? 0 : -1;
}

static const char *
conf_type_name(sm_conf_type_t t)
{
    switch (t) {
    case SM_CT_INT:    return "INT";
    case SM_CT_SHORT:  return "SHORT";
    case SM_CT_LONG:   return "LONG";
    case SM_CT_DOUBLE: return "DOUBLE";
    default:           return "?";
    }
}

static int
conf_check_throttled(const sm_config_list_t *l, char *msg, size_t msg_size)
{
    if (l->n == 1 && strcmp(l->v[0], "*") == 0)
        return 0;
    for (int i = 0; i < l->n; i++) {
        const char *p = l->v[i];
        size_t a = strspn(p, "0123456789"), b;

        if (*p == '\0')
            continue;
        b = p[a] == ':' ? strspn(p + a + 1, "0123456789") : 0;
        if (a == 0 || b == 0 || p[a + 1 + b] != '\0') {
            snprintf(msg, msg_size, "must be the literal '*' or a list of "
                     "replicas written partitionId:brokerId,...");
            return -1;
        }
    }
    return 0;
}

/* Validators on a parsed value. */
static int
conf_validate(const sm_conf_check_t *chk, const void *val, char *msg,
              size_t msg_size)
{
    const char *s = *(char *const *)val;   /* val is the parse union */
    const sm_config_list_t *l = val;

    switch (chk->validator) {
    case SM_CV_NONE:
        return 0;
    case SM_CV_COMPRESSION:
    case SM_CV_TOPIC_COMPRESSION:
        if (conf_in(sm_cv_compression, s,
                    chk->validator == SM_CV_COMPRESSION))
            return 0;
        return conf_not_in(sm_cv_compression, msg, msg_size);
    case SM_CV_TIMESTAMP_TYPE:
        return conf_in(sm_cv_tstype, s, 0)
            ? 0 : conf_not_in(sm_cv_tstype, msg, msg_size);
    case SM_CV_SSL_CLIENT_AUTH:
        return conf_in(sm_cv_client_auth, s, 0)
            ? 0 : conf_not_in(sm_cv_client_auth, msg, msg_size);
    case SM_CV_OFFSETS_STORAGE:
        return conf_in(sm_cv_storage, s, 0)
            ? 0 : conf_not_in(sm_cv_storage, msg, msg_size);
    case SM_CV_API_VERSION:
        if (sm_kafka_version_parse(s) >= 0)
            return 0;
        snprintf(msg, msg_size, "Version `%s` is not a valid version", s);
        return -1;
    case SM_CV_CLEANUP_POLICY:
    case SM_CV_PROCESS_ROLES: {
        const char *const *set = chk->validator == SM_CV_CLEANUP_POLICY
            ? sm_cv_cleanup : sm_cv_roles;
        for (int i = 0; i < l->n; i++)
            if (!conf_in(set, l->v[i], 0))
                return conf_not_in(set, msg, msg_size);
        return 0;
    }
    case SM_CV_THROTTLED_REPLICAS:
        return conf_check_throttled(l, msg, msg_size);
    case SM_CV_RATIO: {
        double d = *(const double *)val;
        if (d < 0.0 || isnan(d)) {
            snprintf(msg, msg_size, "Value must be at least 0");
            return -1;
        }
        if (d > 1.0) {
            snprintf(msg, msg_size, "Value must be no more than 1");
            return -1;
        }
        return 0;
    }
    }
    return 0;
}

static int
conf_parse_integer(const sm_conf_check_t *chk, const char *t, void *dst,
                   char *msg, size_t msg_size)
{
    int64_t v, lo = chk->type == SM_CT_INT ? INT32_MIN
                  : chk->type == SM_CT_SHORT ? INT16_MIN : INT64_MIN;
    int64_t hi = chk->type == SM_CT_INT ? INT32_MAX
               : chk->type == SM_CT_SHORT ? INT16_MAX : INT64_MAX;

    if (conf_parse_long(t, &v) != 0 || v < lo || v > hi) {
        snprintf(msg, msg_size, "Not a number of type %s",
                 conf_type_name(chk->type));
        return -1;
    }
    if (v < chk->min) {
        snprintf(msg, msg_size, "Value must be at least %" PRId64, chk->min);
        return -1;
    }
    if (v > chk->max) {
        snprintf(msg, msg_size, "Value must be no more than %" PRId64,
                 chk->max);
        return -1;
    }
    if (dst == NULL)
        return 0;
    if (chk->type == SM_CT_INT)
        *(int32_t *)dst = (int32_t)v;
    else if (chk->type == SM_CT_SHORT)
        *(int16_t *)dst = (int16_t)v;
    else
        *(int64_t *)dst = v;
    return 0;
}

/* Parse the trimmed text t into the typed scratch value *val. */
static int
conf_parse_typed(const sm_conf_check_t *chk, char *t, void *val,
                 char *msg, size_t msg_size)
{
    switch (chk->type) {
    case SM_CT_BOOL:
        if (strcasecmp(t, "true") != 0 && strcasecmp(t, "false") != 0) {
            snprintf(msg, msg_size,
                     "Expected value to be either true or false");
            return -1;
        }
        *(int *)val = strcasecmp(t, "true") == 0;
        return 0;
    case SM_CT_INT:
    case SM_CT_SHORT:
    case SM_CT_LONG:
        return conf_parse_integer(chk, t, val, msg, msg_size);
    case SM_CT_DOUBLE:
        if (conf_parse_double(t, val) != 0) {
            snprintf(msg, msg_size, "Not a number of type DOUBLE");
            return -1;
        }
        return 0;
    case SM_CT_LIST: {
        sm_config_list_t *l = val;
        if (*t == '\0') {
            l->v = sm_calloc(1, sizeof(char *));
            l->n = 0;
        } else {
            l->v = sm_conf_split_csv(t, 0, &l->n);
        }
        return 0;
    }
    case SM_CT_STRING:
    case SM_CT_CLASS:
    case SM_CT_PASSWORD:
        *(char **)val = sm_strdup(t);
        return 0;
    }
    return -1;
}

int
sm_conf_value_parse(const sm_conf_check_t *chk, const char *text, void *dst,
                    char *msg, size_t msg_size)
{
    union {
        int b; int32_t i; int16_t s; int64_t l; double d; char *str;
        sm_config_list_t list;
    } val;
    char *t;
    int r;

    memset(&val, 0, sizeof(val));
    if (text == NULL) {
        snprintf(msg, msg_size, "Value must be non-null");
        return -1;
    }
    t = sm_conf_trim_dup(text);
    r = conf_parse_typed(chk, t, &val, msg, msg_size);
    sm_free(t);
    if (r == 0)
        r = conf_validate(chk, &val, msg, msg_size);
    if (r != 0 || dst == NULL) {
        sm_conf_value_free(chk->type, &val);
        return r;
    }
    switch (chk->type) {
    case SM_CT_BOOL:   *(int *)dst = val.b; break;
    case SM_CT_INT:    *(int32_t *)dst = val.i; break;
    case SM_CT_SHORT:  *(int16_t *)dst = val.s; break;
    case SM_CT_LONG:   *(int64_t *)dst = val.l; break;
    case SM_CT_DOUBLE: *(double *)dst = val.d; break;
    case SM_CT_LIST:   *(sm_config_list_t *)dst = val.list; break;
    default:           *(char **)dst = val.str; break;
    }
    return 0;
}

void
sm_conf_value_free(sm_conf_type_t type, void *dst)
{
    if (type == SM_CT_LIST) {
        sm_config_list_t *l = dst;
        sm_conf_free_strv(l->v);
        l->v = NULL;
        l->n = 0;
    } else if (type == SM_CT_STRING || type == SM_CT_CLASS ||
               type == SM_CT_PASSWORD) {
        sm_free(*(char **)dst);
        *(char **)dst = NULL;
    }
}

/* ---------------------------------------------------------- printing */

/* Plain notation of digits dig (nd of them) times 10^exp10, Java style:
 * at least one digit on each side of the point. */
static void
conf_java_plain(int neg, const char *dig, int nd, int exp10, char *buf,
                size_t size)
{
    char out[64];
    int n = 0;

    if (neg)
        out[n++] = '-';
    if (exp10 < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int i = -1; i > exp10; i--)
            out[n++] = '0';
        n += snprintf(out + n, sizeof(out) - (size_t)n, "%s", dig);
    } else {
        for (int i = 0; i <= exp10; i++)
            out[n++] = i < nd ? dig[i] : '0';
        out[n++] = '.';
        if (nd > exp10 + 1)
            n += snprintf(out + n, sizeof(out) - (size_t)n, "%s",
                          dig + exp10 + 1);
        else
            out[n++] = '0';
    }
    out[n] = '\0';
    snprintf(buf, size, "%s", out);
}

/*
 * Java's Double.toString: the shortest digits that read back as d, in
 * plain notation for 1e-3 <= |d| < 1e7 ("0.5", "100.0"), otherwise as
 * d.dddE<exp> ("1.7976931348623157E308", "1.0E-4").
 */
void
sm_conf_java_double(double d, char *buf, size_t size)
{
    char tmp[40], dig[24];
    int nd = 0, exp10, p;

    if (isnan(d) || isinf(d) || d == 0.0) {
        snprintf(buf, size, "%s", isnan(d) ? "NaN" : isinf(d)
                 ? (d > 0 ? "Infinity" : "-Infinity")
                 : (signbit(d) ? "-0.0" : "0.0"));
        return;
    }
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    for (char *c = tmp; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            dig[nd++] = *c;
    dig[nd] = '\0';
    exp10 = atoi(strchr(tmp, 'e') + 1);
    if (fabs(d) >= 1e-3 && fabs(d) < 1e7)
        conf_java_plain(d < 0, dig, nd, exp10, buf, size);
    else
        snprintf(buf, size, "%s%c.%sE%d", d < 0 ? "-" : "", dig[0],
                 nd > 1 ? dig + 1 : "0", exp10);
}

static void
conf_put(sm_buf_t *out, const char *s)
{
    sm_buf_write(out, s, strlen(s));
}

/* Numbers and booleans, formatted identically by Java and Kafka. */
static int
conf_put_scalar(sm_conf_type_t type, const void *src, sm_buf_t *out)
{
    char num[48];

    switch (type) {
    case SM_CT_BOOL:
        conf_put(out, *(const int *)src ? "true" : "false");
        return 1;
    case SM_CT_INT:
        snprintf(num, sizeof(num), "%" PRId32, *(const int32_t *)src);
        break;
    case SM_CT_SHORT:
        snprintf(num, sizeof(num), "%d", (int)*(const int16_t *)src);
        break;
    case SM_CT_LONG:
        snprintf(num, sizeof(num), "%" PRId64, *(const int64_t *)src);
        break;
    case SM_CT_DOUBLE:
        sm_conf_java_double(*(const double *)src, num, sizeof(num));
        break;
    default:
        return 0;
    }
    conf_put(out, num);
    return 1;
}

static void
conf_put_list(const sm_config_list_t *l, const char *sep, sm_buf_t *out)
{
    for (int i = 0; i < l->n; i++) {
        if (i > 0)
            conf_put(out, sep);
        conf_put(out, l->v[i]);
    }
}

/* Whether the typed value at src is null (string NULL, list NULL). */
static int
conf_is_null(sm_conf_type_t type, const void *src)
{
    if (type == SM_CT_LIST)
        return ((const sm_config_list_t *)src)->v == NULL;
    if (type == SM_CT_STRING || type == SM_CT_CLASS ||
        type == SM_CT_PASSWORD)
        return *(char *const *)src == NULL;
    return 0;
}

void
sm_conf_value_java(sm_conf_type_t type, const void *src, int is_null,
                   sm_buf_t *out)
{
    const char *s;

    if (is_null || conf_is_null(type, src)) {
        conf_put(out, "null");
        return;
    }
    if (conf_put_scalar(type, src, out))
        return;
    s = *(char *const *)src;               /* string types from here on */
    switch (type) {
    case SM_CT_LIST:
        conf_put(out, "[");
        conf_put_list(src, ", ", out);
        conf_put(out, "]");
        break;
    case SM_CT_PASSWORD:
        conf_put(out, "[hidden]");
        break;
    case SM_CT_CLASS:
        conf_put(out, "class ");
        conf_put(out, s);
        break;
    default:
        conf_put(out, s);
        break;
    }
}

int
sm_conf_value_kafka(sm_conf_type_t type, const void *src, int is_null,
                    sm_buf_t *out)
{
    if (is_null || conf_is_null(type, src))
        return 0;
    if (!conf_put_scalar(type, src, out)) {
        if (type == SM_CT_LIST)
            conf_put_list(src, ",", out);
        else
            conf_put(out, *(char *const *)src);
    }
    sm_buf_write(out, "", 1);
    return 1;
}
