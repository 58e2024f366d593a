/*
 * config_man.c: server.properties(5), written from the configuration
 * table by src/samsa-config-man at build time (man/server.properties.5 is
 * committed too, so the page exists without a build; a unit test checks
 * that the committed copy matches the table).
 *
 * The page is plain man(7): one .SS per config.def section, one .TP per
 * key with its type, default, bounds, importance, update mode and topic
 * synonym, then the doc.  Output depends on the table and the version
 * string only (no dates), so rebuilding an unchanged tree changes nothing.
 * No state; thread-safe.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server/config_int.h"

static void
man_put(sm_buf_t *out, const char *s)
{
    sm_buf_write(out, s, strlen(s));
}

static void
man_printf(sm_buf_t *out, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0)
        sm_buf_write(out, line, (size_t)n < sizeof(line) ? (size_t)n
                                                         : sizeof(line) - 1);
}

/* Text with roff's special characters escaped; a line never starts with
 * a control character. */
static void
man_text(sm_buf_t *out, const char *s)
{
    if (*s == '.' || *s == '\'')
        man_put(out, "\\&");
    for (; *s; s++) {
        if (*s == '\\')
            man_put(out, "\\e");
        else if (*s == '-')
            man_put(out, "\\-");
        else
            sm_buf_write(out, s, 1);
    }
}

static const char *
man_type(sm_conf_type_t t)
{
    static const char *const names[] = {
        "?", "boolean", "string", "int", "short", "long", "double", "list",
        "class", "password"
    };
    return (int)t >= 1 && (int)t <= 9 ? names[t] : "?";
}

static const char *
man_choices(sm_conf_validator_t v)
{
    switch (v) {
    case SM_CV_COMPRESSION:
        return "producer, uncompressed, gzip, snappy, lz4, zstd (any case)";
    case SM_CV_TOPIC_COMPRESSION:
        return "producer, uncompressed, gzip, snappy, lz4, zstd";
    case SM_CV_CLEANUP_POLICY:
        return "list of delete, compact";
    case SM_CV_TIMESTAMP_TYPE:
        return "CreateTime, LogAppendTime";
    case SM_CV_API_VERSION:
        return "a Kafka release, 0.8.0 to 2.8 (2.3, 2.3-IV1, 2.3.1)";
    case SM_CV_SSL_CLIENT_AUTH:
        return "required, requested, none";
    case SM_CV_OFFSETS_STORAGE:
        return "kafka, zookeeper, dual";
    case SM_CV_PROCESS_ROLES:
        return "list of broker, controller";
    case SM_CV_RATIO:
        return "0 to 1";
    case SM_CV_THROTTLED_REPLICAS:
        return "* or partition:broker,...";
    case SM_CV_NONE:
        break;
    }
    return NULL;
}

static void
man_bounds(sm_buf_t *out, int64_t min, int64_t max)
{
    if (min != INT64_MIN && max != INT64_MAX)
        man_printf(out, "; valid: %" PRId64 " to %" PRId64, min, max);
    else if (min != INT64_MIN)
        man_printf(out, "; valid: at least %" PRId64, min);
}

static void
man_key(sm_buf_t *out, const sm_conf_row_t *row)
{
    static const char *const modes[] = {
        "read-only", "per-broker", "cluster-wide"
    };
    static const char *const imps[] = { "high", "medium", "low" };
    const char *choices = man_choices(row->validator);

    man_put(out, ".TP\n.B ");
    man_text(out, row->name);
    man_printf(out, "\n%s; default: ", man_type(row->type));
    if (row->def == NULL)
        man_put(out, "null (unset)");
    else if (row->def[0] == '\0')
        man_put(out, "\\(dq\\(dq");
    else
        man_text(out, row->def);
    if (row->type != SM_CT_DOUBLE)
        man_bounds(out, row->min, row->max);
    if (choices) {
        man_put(out, "; valid: ");
        man_text(out, choices);
    }
    man_printf(out, "; importance: %s; update: %s", imps[row->importance],
               modes[row->mode]);
    if (row->topic) {
        man_put(out, "; topic key: ");
        man_text(out, row->topic);
    }
    man_put(out, ".\n.br\n");
    man_text(out, row->doc);
    if (row->flags & SM_CF_DEPRECATED)
        man_put(out, " Deprecated by Kafka.");
    if (row->flags & SM_CF_SAMSA)
        man_put(out, " A samsa key; Kafka does not have it.");
    if (row->flags & SM_CF_FOREIGN)
        man_put(out, " Not a Kafka broker key; accepted without a warning.");
    if (row->flags & SM_CF_UNUSED)
        man_put(out, " Accepted for compatibility; not yet used by samsa.");
    man_put(out, "\n");
}

static const char sm_man_head[] =
".SH NAME\n"
"server.properties \\- samsa broker configuration\n"
".SH SYNOPSIS\n"
".B samsa\n"
".I server.properties\n"
".RB [ \\-\\-override\n"
".IR key = value ]...\n"
".SH DESCRIPTION\n"
"samsa reads the configuration file of a ZooKeeper\\-mode Apache Kafka "
"broker (0.8 to 2.8): every key such a broker accepts is accepted, with "
"Kafka's meaning and default, and Kafka's own shipped server.properties "
"loads without a warning.\n"
".PP\n"
"The file uses Java properties syntax. Lines starting with\n"
".B #\n"
"or\n"
".B !\n"
"are comments. An entry is\n"
".IR key = value ,\n"
".IR key : value\n"
"or\n"
".I key value\n"
"with blanks around the separator ignored. A line ending in a backslash "
"continues on the next one. Escapes: \\et, \\en, \\er, \\ef, \\euXXXX, "
"and a backslash before any other character stands for that character. "
"Values are trimmed; lists are comma\\-separated. When a key appears "
"twice the last one wins, with a warning.\n"
".PP\n"
"Each\n"
".B \\-\\-override\n"
".IR key = value\n"
"on the command line (as kafka\\-server\\-start.sh passes them) wins over "
"the file. An unknown key produces one warning naming it and its line and "
"is otherwise ignored. A value that does not parse, or breaks its bounds, "
"is an error naming the line, key and value, and the broker does not "
"start.\n"
".PP\n"
"At start\\-up the effective configuration is logged as Kafka logs it: "
"\\(lqKafkaConfig values:\\(rq followed by one \\(lqkey = value\\(rq line "
"per key, sorted.\n"
".PP\n"
"Update modes are Kafka's: read\\-only keys come from this file only; "
"per\\-broker and cluster\\-wide keys may also be changed as dynamic broker "
"configs (/config/brokers/<id> or /config/brokers/<default> in ZooKeeper), "
"cluster\\-wide ones at either level. Broker keys with a topic key are the "
"defaults of that per\\-topic setting (/config/topics/<topic>). "
"kafka\\-configs.sh(1) writes both; every running broker applies them "
"at once, and a starting broker reads them over this file. The log "
"cleaner's own threads keep the log.cleaner.threads, "
"log.cleaner.dedupe.buffer.size, log.cleaner.backoff.ms and "
"log.cleaner.io.* values they started with.\n"
".SH KEYS\n";

static const char sm_man_tail[] =
".SH FILES\n"
".TP\n"
".I conf/server.properties\n"
"Quick\\-start broker configuration shipped with samsa.\n"
".TP\n"
".I conf/zookeeper.properties\n"
"Matching single\\-node ZooKeeper configuration.\n"
".SH SEE ALSO\n"
"The broker configuration chapter of the Apache Kafka documentation.\n";

void
sm_config_write_man(sm_buf_t *out, const char *version)
{
    const sm_conf_row_t *rows = sm_conf_rows();
    const char *title, *prefix, *doc;
    int first, next;

    man_put(out, ".\\\" Generated by samsa-config-man from "
                 "src/server/config.def; do not edit.\n");
    man_printf(out, ".TH SERVER.PROPERTIES 5 \"\" \"samsa %s\" "
                    "\"samsa manual\"\n", version);
    man_put(out, sm_man_head);
    for (int s = 0; (title = sm_conf_section(s, &first)) != NULL; s++) {
        if (sm_conf_section(s + 1, &next) == NULL)
            next = SM_CK__COUNT;
        man_put(out, ".SS ");
        man_text(out, title);
        man_put(out, "\n");
        for (int k = first; k < next; k++)
            man_key(out, &rows[k]);
    }
    man_put(out, ".SH KEY FAMILIES\n"
                 "Keys starting with these prefixes are kept without a "
                 "warning.\n");
    for (int i = 0; (prefix = sm_conf_family(i, &doc)) != NULL; i++) {
        man_put(out, ".TP\n.BI ");
        man_text(out, prefix);
        man_put(out, " *\n");
        man_text(out, doc);
        man_put(out, "\n");
    }
    man_put(out, sm_man_tail);
}
