/*
 * samsa-console-consumer: print records of a topic on standard output -
 * samsa's kafka.tools.ConsoleConsumer (Kafka 2.8 flags, output and exit
 * codes), run by bin/kafka-console-consumer.sh.  With --bootstrap-server
 * as Kafka's new-consumer mode: --partition (with --offset: earliest,
 * latest or a number) is a manual assignment; otherwise the consumer
 * subscribes to --topic, or to the topics --whitelist matches, as a member
 * of --group (or group.id from --consumer-property / --consumer.config,
 * which must agree), or of a generated group console-consumer-<n> whose
 * offsets are not committed unless enable.auto.commit says so.
 * --from-beginning means auto.offset.reset=earliest (an explicit other
 * value is an error, as in Kafka).  With --zookeeper (Kafka 1.x's old
 * consumer), as a member of --group (default console-consumer-<n>) in
 * libsamsa's 0.8 ZooKeeper-coordinated consumer: offsets committed to
 * ZooKeeper (auto.commit.enable, auto.commit.interval.ms,
 * partition.assignment.strategy, offsets.storage and the other 0.8 keys
 * come from --consumer-property / --consumer.config).
 *
 * OUTPUT (DefaultMessageFormatter, --property): per record, the fields
 * enabled among print.timestamp ("CreateTime:<ms>"), print.partition
 * ("Partition:<n>"), print.offset ("Offset:<n>"), print.headers
 * ("k:v,k2:v2" or NO_HEADERS), print.key, and print.value (default
 * true), separated by key.separator (tab) and ended by line.separator
 * (newline); a null key or value prints "null".  At the end, "Processed a
 * total of N messages" goes to standard error.
 *
 * END.  After --max-messages records; or when no record came for
 * --timeout-ms (then Kafka logs the TimeoutException and still exits 0);
 * or on SIGINT/SIGTERM.  EXIT STATUS: 0 then, 1 on a usage or
 * configuration error or a failed consumer (unknown topic, offset out of
 * range with auto.offset.reset=none, ...).
 *
 * Threads: one.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "tools/console.h"

enum {
    O_BOOTSTRAP, O_TOPIC, O_WHITELIST, O_PARTITION, O_OFFSET,
    O_CONSUMER_PROPERTY, O_CONSUMER_CONFIG, O_FORMATTER, O_PROPERTY,
    O_FROM_BEGINNING, O_MAX_MESSAGES, O_TIMEOUT, O_SKIP_ERRORS,
    O_ISOLATION, O_GROUP, O_KEY_DESER, O_VALUE_DESER, O_HELP, O_VERSION,
    O_ZOOKEEPER, O__CNT
};

static const cn_opt_t cc_opts[O__CNT] = {
    [O_BOOTSTRAP] = { "bootstrap-server", 1, "String: server to connect "
        "to", "REQUIRED: The server(s) to connect to.", NULL },
    [O_TOPIC] = { "topic", 1, "String: topic", "The topic id to consume "
        "on.", NULL },
    [O_WHITELIST] = { "whitelist", 1, "String: whitelist", "Regular "
        "expression specifying whitelist of topics to include for "
        "consumption.", NULL },
    [O_PARTITION] = { "partition", 1, "Integer: partition", "The partition "
        "to consume from. Consumption starts from the end of the partition "
        "unless '--offset' is specified.", NULL },
    [O_OFFSET] = { "offset", 1, "String: consume offset", "The offset id to "
        "consume from (a non-negative number), or 'earliest' which means "
        "from beginning, or 'latest' which means from end", "latest" },
    [O_CONSUMER_PROPERTY] = { "consumer-property", 1, "String: "
        "consumer_prop", "A mechanism to pass user-defined properties in "
        "the form key=value to the consumer.", NULL },
    [O_CONSUMER_CONFIG] = { "consumer.config", 1, "String: config file",
        "Consumer config properties file. Note that [consumer-property] "
        "takes precedence over this config.", NULL },
    [O_FORMATTER] = { "formatter", 1, "String: class", "The name of a "
        "class to use for formatting kafka messages for display. samsa has "
        "only kafka.tools.DefaultMessageFormatter.",
        "kafka.tools.DefaultMessageFormatter" },
    [O_PROPERTY] = { "property", 1, "String: prop", "The properties to "
        "initialize the message formatter. Default properties include:\t"
        "print.timestamp=true|false\tprint.key=true|false\t"
        "print.offset=true|false\tprint.partition=true|false\t"
        "print.headers=true|false\tprint.value=true|false\t"
        "key.separator=<key.separator>\tline.separator=<line.separator>\t"
        "headers.separator=<line.separator>", NULL },
    [O_FROM_BEGINNING] = { "from-beginning", 0, NULL, "If the consumer "
        "does not already have an established offset to consume from, "
        "start with the earliest message present in the log rather than "
        "the latest message.", NULL },
    [O_MAX_MESSAGES] = { "max-messages", 1, "Integer: num_messages", "The "
        "maximum number of messages to consume before exiting. If not set, "
        "consumption is continual.", NULL },
    [O_TIMEOUT] = { "timeout-ms", 1, "Integer: timeout_ms", "If specified, "
        "exit if no message is available for consumption for the specified "
        "interval.", NULL },
    [O_SKIP_ERRORS] = { "skip-message-on-error", 0, NULL, "If there is an "
        "error when processing a message, skip it instead of halt.", NULL },
    [O_ISOLATION] = { "isolation-level", 1, "String", "Set to "
        "read_committed in order to filter out transactional messages "
        "which are not committed. Set to read_uncommitted to read all "
        "messages.", "read_uncommitted" },
    [O_GROUP] = { "group", 1, "String: consumer group id", "The consumer "
        "group id of the consumer.", NULL },
    [O_KEY_DESER] = { "key-deserializer", 1, "String: deserializer for "
        "key", "Accepted; keys are printed as bytes.", NULL },
    [O_VALUE_DESER] = { "value-deserializer", 1, "String: deserializer "
        "for values", "Accepted; values are printed as bytes.", NULL },
    [O_HELP] = { "help", 0, NULL, "Print usage information.", NULL },
    [O_VERSION] = { "version", 0, NULL, "Display Kafka version.", NULL },
    [O_ZOOKEEPER] = { "zookeeper", 1, "String: urls", "REQUIRED (only when "
        "using old consumer): The connection string for the zookeeper "
        "connection in the form host:port. Multiple URLS can be given to "
        "allow fail-over.", NULL },
};

static const char cc_help[] =
    "This tool helps to read data from Kafka topics and outputs it to "
    "standard output.";

typedef struct cc_fmt {
    int print_ts, print_part, print_off, print_hdrs, print_key, print_val;
    const char *key_sep, *line_sep, *hdr_sep;
} cc_fmt_t;

static volatile sig_atomic_t cc_stop;

static void
cc_on_signal(int sig)
{
    (void)sig;
    cc_stop = 1;
}

/* ------------------------------------------------------------ output */

static int
cc_bool(const sm_props_t *props, const char *key, int def)
{
    const char *v = sm_props_get(props, key);

    return v == NULL ? def : strcasecmp(v, "true") == 0;
}

static void
cc_fmt_init(cc_fmt_t *f, const sm_props_t *props)
{
    f->print_ts = cc_bool(props, "print.timestamp", 0);
    f->print_part = cc_bool(props, "print.partition", 0);
    f->print_off = cc_bool(props, "print.offset", 0);
    f->print_hdrs = cc_bool(props, "print.headers", 0);
    f->print_key = cc_bool(props, "print.key", 0);
    f->print_val = cc_bool(props, "print.value", 1);
    f->key_sep = sm_props_get(props, "key.separator");
    f->line_sep = sm_props_get(props, "line.separator");
    f->hdr_sep = sm_props_get(props, "headers.separator");
    if (f->key_sep == NULL)
        f->key_sep = "\t";
    if (f->line_sep == NULL)
        f->line_sep = "\n";
    if (f->hdr_sep == NULL)
        f->hdr_sep = ",";
}

static void
cc_bytes(const void *p, int32_t len)
{
    if (p == NULL)
        fputs("null", stdout);
    else
        fwrite(p, 1, (size_t)len, stdout);
}

/* After a field: the column separator if another field follows, else
 * the line separator. */
static void
cc_sep(const cc_fmt_t *f, int more)
{
    fputs(more ? f->key_sep : f->line_sep, stdout);
}

static void
cc_write(const cc_fmt_t *f, const samsa_message_t *m)
{
    if (f->print_ts) {
        if (m->timestamp < 0)
            fputs("NO_TIMESTAMP", stdout);
        else
            printf("%s:%lld", m->timestamp_type == 1 ? "LogAppendTime" :
                   "CreateTime", (long long)m->timestamp);
        cc_sep(f, f->print_part || f->print_off || f->print_hdrs ||
               f->print_key || f->print_val);
    }
    if (f->print_part) {
        printf("Partition:%d", (int)m->partition);
        cc_sep(f, f->print_off || f->print_hdrs || f->print_key ||
               f->print_val);
    }
    if (f->print_off) {
        printf("Offset:%lld", (long long)m->offset);
        cc_sep(f, f->print_hdrs || f->print_key || f->print_val);
    }
    if (f->print_hdrs) {
        if (m->header_cnt == 0)
            fputs("NO_HEADERS", stdout);
        for (int i = 0; i < m->header_cnt; i++) {
            printf("%s%s:", i > 0 ? f->hdr_sep : "", m->headers[i].key);
            cc_bytes(m->headers[i].value, m->headers[i].value_len);
        }
        cc_sep(f, f->print_key || f->print_val);
    }
    if (f->print_key) {
        cc_bytes(m->key, m->key_len);
        cc_sep(f, f->print_val);
    }
    if (f->print_val) {
        cc_bytes(m->value, m->value_len);
        fputs(f->line_sep, stdout);
    }
}

/* ------------------------------------------------------------ setup */

/* --offset: -1 (latest), -2 (earliest), a number; -3 if invalid. */
static int64_t
cc_offset(const char *s)
{
    char *end;
    long long v;

    if (strcasecmp(s, "earliest") == 0)
        return SAMSA_OFFSET_BEGINNING;
    if (strcasecmp(s, "latest") == 0)
        return SAMSA_OFFSET_END;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || v < 0)
        return -3;
    return v;
}

/* ConsoleConsumer's checkArgs, in its order; NULL if fine. */
static const char *
cc_check(const cn_args_t *a)
{
    if (a->given[O_BOOTSTRAP] == 0 && a->given[O_ZOOKEEPER] == 0)
        return "Missing required argument \"[bootstrap-server]\"";
    if (a->given[O_BOOTSTRAP] > 0 && a->given[O_ZOOKEEPER] > 0)
        return "Option [bootstrap-server] cannot be used with option "
               "[zookeeper].";
    if (a->given[O_ZOOKEEPER] > 0 &&
        (a->given[O_PARTITION] > 0 || a->given[O_OFFSET] > 0))
        return "The partition and offset options are only supported with "
               "[bootstrap-server].";
    if (a->given[O_ZOOKEEPER] > 0 && a->given[O_WHITELIST] > 0)
        return "--whitelist with [zookeeper] is not yet supported by samsa.";
    if ((a->given[O_TOPIC] > 0) == (a->given[O_WHITELIST] > 0))
        return "Exactly one of whitelist/topic is required.";
    if (a->given[O_PARTITION] > 0 && a->given[O_TOPIC] == 0)
        return "The topic is required when partition is specified.";
    if (a->given[O_FROM_BEGINNING] > 0 && a->given[O_PARTITION] > 0 &&
        a->given[O_OFFSET] > 0)
        return "Options from-beginning and offset cannot be specified "
               "together.";
    if (a->given[O_OFFSET] > 0 && a->given[O_PARTITION] == 0)
        return "The partition is required when offset is specified.";
    if (a->given[O_OFFSET] > 0 &&
        cc_offset(cn_value(a, O_OFFSET, "")) == -3)
        return "The provided offset value is incorrect. Valid values are "
               "'earliest', 'latest', or a non-negative long.";
    return NULL;
}

/* ConsoleConsumer's group id rules on props (--bootstrap-server): the
 * ids given by --group, --consumer-property and --consumer.config must
 * agree; none: a generated one without auto commit.  Usage message or
 * NULL; *passed says whether a group was given. */
static const char *
cc_group(const cn_args_t *a, sm_props_t *props, int *passed)
{
    static char msg[512];
    sm_props_t file = SM_PROPS_INIT, cl = SM_PROPS_INIT;
    const char *ids[3];
    char gen[64];
    int n = 0;

    (void)cn_props(a, cn_value(a, O_CONSUMER_CONFIG, NULL), -1, &file);
    (void)cn_props(a, NULL, O_CONSUMER_PROPERTY, &cl);
    ids[0] = a->given[O_GROUP] > 0 ? cn_value(a, O_GROUP, "") : NULL;
    ids[1] = sm_props_get(&cl, "group.id");
    ids[2] = sm_props_get(&file, "group.id");
    for (int i = 0; i < 3; i++) {          /* Kafka's Set of them */
        int dup = ids[i] == NULL;
        for (int k = 0; k < n && !dup; k++)
            dup = strcmp(ids[i], ids[k]) == 0;
        if (!dup)
            ids[n++] = ids[i];
    }
    *passed = n > 0;
    msg[0] = '\0';
    if (n > 1) {
        int len = snprintf(msg, sizeof(msg), "The group ids provided in "
                           "different places (directly using '--group', via "
                           "'--consumer-property', or via '--consumer.config') "
                           "do not match. Detected group ids: ");
        for (int i = 0; i < n && len < (int)sizeof(msg); i++)
            len += snprintf(msg + len, sizeof(msg) - (size_t)len, "%s'%s'",
                            i ? ", " : "", ids[i]);
    } else if (n == 1) {
        sm_props_set(props, "group.id", ids[0], 0);
    } else if (!*passed) {
        snprintf(gen, sizeof(gen), "console-consumer-%d",
                 (int)(sm_mono_ms() % 100000));
        sm_props_set(props, "group.id", gen, 0);
        if (sm_props_get(props, "enable.auto.commit") == NULL)
            sm_props_set(props, "enable.auto.commit", "false", 0);
    }
    sm_props_fini(&file);
    sm_props_fini(&cl);
    if (msg[0] == '\0' && *passed && a->given[O_PARTITION] > 0)
        return "Options group and partition cannot be specified together.";
    return msg[0] != '\0' ? msg : NULL;
}

/* ConsoleConsumer's setAutoOffsetResetValue: -1 on a conflict. */
static int
cc_reset(const cn_args_t *a, sm_props_t *props)
{
    const char *v = sm_props_get(props, "auto.offset.reset");

    if (v == NULL) {
        sm_props_set(props, "auto.offset.reset",
                     a->given[O_FROM_BEGINNING] > 0 ? "earliest" : "latest",
                     0);
    } else if (a->given[O_FROM_BEGINNING] > 0 &&
               strcmp(v, "earliest") != 0) {
        fprintf(stderr, "Can't simultaneously specify --from-beginning and "
                "'auto.offset.reset=%s', please remove one option\n", v);
        return -1;
    }
    return 0;
}

static samsa_consumer_t *
cc_open(const cn_args_t *a)
{
    sm_props_t props = SM_PROPS_INIT;
    samsa_conf_t *conf = samsa_conf_new();
    samsa_consumer_t *c = NULL;
    const char *msg;
    char errstr[512];
    int passed;

    if (cn_props(a, cn_value(a, O_CONSUMER_CONFIG, NULL),
                 O_CONSUMER_PROPERTY, &props) != 0)
        goto out;
    if ((msg = cc_group(a, &props, &passed)) != NULL) {
        cn_usage_fail(a, cc_help, msg);
        goto out;
    }
    if (cc_reset(a, &props) != 0)
        goto out;
    sm_props_set(&props, "bootstrap.servers",
                 cn_value(a, O_BOOTSTRAP, ""), 0);
    if (a->given[O_ISOLATION] > 0)
        sm_props_set(&props, "isolation.level",
                     cn_value(a, O_ISOLATION, ""), 0);
    if (sm_props_get(&props, "client.id") == NULL)
        sm_props_set(&props, "client.id", "console-consumer", 0);
    if (cn_conf_apply(conf, &props) != 0)
        goto out;
    c = samsa_consumer_new(conf, errstr, sizeof(errstr));
    if (c == NULL)
        fprintf(stderr, "org.apache.kafka.common.KafkaException: Failed to "
                "construct kafka consumer: %s\n", errstr);
out:
    sm_props_fini(&props);
    samsa_conf_destroy(conf);
    return c;
}

/* No --partition: subscribe to --topic or --whitelist. */
static int
cc_subscribe(const cn_args_t *a, samsa_consumer_t *c)
{
    const char *topic = cn_value(a, O_TOPIC, NULL);
    samsa_err_t err;

    if (topic != NULL)
        err = samsa_consumer_subscribe(c, &topic, 1);
    else
        err = samsa_consumer_subscribe_pattern(c, cn_value(a, O_WHITELIST,
                                                           ""));
    if (err != SAMSA_OK) {
        fprintf(stderr, "ERROR Unknown error when running consumer: %s "
                "(kafka.tools.ConsoleConsumer$)\n",
                topic == NULL && err == SM_ERR__INVALID_ARG
                ? "the whitelist is not a valid regular expression"
                : samsa_err_message(err));
        return -1;
    }
    return 0;
}

static int
cc_assign(const cn_args_t *a, samsa_consumer_t *c)
{
    const char *topic = cn_value(a, O_TOPIC, NULL);
    int64_t off = a->given[O_FROM_BEGINNING] > 0 ? SAMSA_OFFSET_BEGINNING :
                  SAMSA_OFFSET_END;
    char *errmsg = NULL;
    samsa_err_t err;

    if (a->given[O_OFFSET] > 0)
        off = cc_offset(cn_value(a, O_OFFSET, "latest"));
    if (a->given[O_PARTITION] == 0)
        return cc_subscribe(a, c);
    {
        const char *p = cn_value(a, O_PARTITION, "");
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || *end != '\0' || v < 0 || v > INT32_MAX) {
            fprintf(stderr, "joptsimple.OptionArgumentConversionException: "
                    "Cannot parse argument '%s' of option partition\n", p);
            return -1;
        }
        err = samsa_consumer_assign(c, topic, (int32_t)v, off);
    }
    if (err != SAMSA_OK) {
        fprintf(stderr, "ERROR Unknown error when running consumer: %s "
                "(kafka.tools.ConsoleConsumer$)\n",
                errmsg ? errmsg : samsa_err_message(err));
        free(errmsg);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ zookeeper */

/* The 0.8 consumer keys of props go to o; the rest to rest. */
static void
cc_zk_opts(const sm_props_t *props, samsa_zk_consumer_opts_t *o,
           sm_props_t *rest)
{
    for (int i = 0; i < props->n; i++) {
        const char *k = props->v[i].key, *v = props->v[i].value;

        if (strcmp(k, "auto.commit.enable") == 0)
            o->auto_commit = strcasecmp(v, "false") != 0;
        else if (strcmp(k, "auto.commit.interval.ms") == 0)
            o->auto_commit_interval_ms = atoi(v);
        else if (strcmp(k, "zookeeper.session.timeout.ms") == 0)
            o->session_timeout_ms = atoi(v);
        else if (strcmp(k, "rebalance.backoff.ms") == 0)
            o->rebalance_backoff_ms = atoi(v);
        else if (strcmp(k, "rebalance.max.retries") == 0)
            o->rebalance_max_retries = atoi(v);
        else if (strcmp(k, "partition.assignment.strategy") == 0)
            o->assignment_strategy = v;
        else if (strcmp(k, "offsets.storage") == 0)
            o->offsets_kafka = strcmp(v, "kafka") == 0;
        else if (strcmp(k, "dual.commit.enabled") == 0)
            o->dual_commit = strcasecmp(v, "false") != 0;
        else if (strcmp(k, "auto.offset.reset") == 0)
            o->from_beginning = strcmp(v, "smallest") == 0 ||
                                strcmp(v, "earliest") == 0;
        else if (strcmp(k, "consumer.id") != 0 &&
                 strcmp(k, "group.id") != 0 &&
                 strcmp(k, "zookeeper.connect") != 0)
            sm_props_set(rest, k, v, 0);
    }
}

static samsa_zk_consumer_t *
cc_zk_open(const cn_args_t *a)
{
    sm_props_t props = SM_PROPS_INIT, rest = SM_PROPS_INIT;
    samsa_conf_t *conf = samsa_conf_new();
    samsa_zk_consumer_opts_t o;
    samsa_zk_consumer_t *zc = NULL;
    const char *topic = cn_value(a, O_TOPIC, "");
    char errstr[512], group[64];

    fprintf(stderr, "Using the ConsoleConsumer with old consumer is "
            "deprecated and will be removed in a future major release. "
            "Consider using the new consumer by passing [bootstrap-server] "
            "instead of [zookeeper].\n");
    samsa_zk_consumer_opts_init(&o);
    snprintf(group, sizeof(group), "console-consumer-%d",
             (int)(sm_mono_ms() % 100000));
    o.zookeeper_connect = cn_value(a, O_ZOOKEEPER, "");
    o.group_id = cn_value(a, O_GROUP, group);
    o.from_beginning = a->given[O_FROM_BEGINNING] > 0;
    if (cn_props(a, cn_value(a, O_CONSUMER_CONFIG, NULL),
                 O_CONSUMER_PROPERTY, &props) != 0)
        goto out;
    cc_zk_opts(&props, &o, &rest);
    if (a->given[O_FROM_BEGINNING] > 0)
        o.from_beginning = 1;
    if (sm_props_get(&rest, "client.id") == NULL)
        sm_props_set(&rest, "client.id", o.group_id, 0);
    if (cn_conf_apply(conf, &rest) != 0)
        goto out;
    zc = samsa_zk_consumer_new(conf, &o, &topic, 1, errstr, sizeof(errstr));
    if (zc == NULL)
        fprintf(stderr, "ERROR Unknown error when running consumer: %s "
                "(kafka.tools.ConsoleConsumer$)\n", errstr);
out:
    sm_props_fini(&props);
    sm_props_fini(&rest);
    samsa_conf_destroy(conf);
    return zc;
}

/* ------------------------------------------------------------ main */

/* One consumer of either kind behind cc_loop. */
typedef struct cc_src {
    samsa_consumer_t    *c;
    samsa_zk_consumer_t *zc;
} cc_src_t;

static samsa_err_t
cc_poll(cc_src_t *src, int timeout_ms, samsa_message_t **m, char **errmsg)
{
    if (src->zc != NULL)
        return samsa_zk_consumer_poll(src->zc, timeout_ms, m, errmsg);
    return samsa_consumer_poll(src->c, timeout_ms, m, errmsg);
}

static int
cc_loop(const cn_args_t *a, cc_src_t *c, const cc_fmt_t *f, long *countp)
{
    long max = atol(cn_value(a, O_MAX_MESSAGES, "-1"));
    long timeout = atol(cn_value(a, O_TIMEOUT, "-1"));
    int64_t last = sm_mono_ms();

    while (!cc_stop && (max < 0 || *countp < max)) {
        samsa_message_t *m = NULL;
        char *errmsg = NULL;
        samsa_err_t err = cc_poll(c, 200, &m, &errmsg);
        if (err != SAMSA_OK) {
            fprintf(stderr, "ERROR Error processing message, terminating "
                    "consumer process:  (kafka.tools.ConsoleConsumer$)\n"
                    "%s\n", errmsg ? errmsg : samsa_err_message(err));
            free(errmsg);
            return 1;
        }
        if (m == NULL) {
            if (timeout >= 0 && sm_mono_ms() - last >= timeout) {
                fprintf(stderr, "ERROR Error processing message, "
                        "terminating consumer process:  (kafka.tools."
                        "ConsoleConsumer$)\norg.apache.kafka.common.errors."
                        "TimeoutException\n");
                return 0;
            }
            continue;
        }
        last = sm_mono_ms();
        cc_write(f, m);
        fflush(stdout);
        samsa_message_destroy(m);
        (*countp)++;
    }
    return 0;
}

static int
cc_run(const cn_args_t *a)
{
    sm_props_t fprops = SM_PROPS_INIT;
    cc_src_t c = { NULL, NULL };
    cc_fmt_t f;
    long count = 0;
    int rc = 1;

    if (cn_props(a, NULL, O_PROPERTY, &fprops) != 0)
        goto out;
    cc_fmt_init(&f, &fprops);
    if (a->given[O_ZOOKEEPER] > 0) {
        if ((c.zc = cc_zk_open(a)) == NULL)
            goto out;
    } else {
        c.c = cc_open(a);
        if (c.c == NULL || cc_assign(a, c.c) != 0)
            goto out;
    }
    signal(SIGINT, cc_on_signal);
    signal(SIGTERM, cc_on_signal);
    rc = cc_loop(a, &c, &f, &count);
    fprintf(stderr, "Processed a total of %ld messages\n", count);
out:
    samsa_consumer_destroy(c.c);
    samsa_zk_consumer_close(c.zc);
    sm_props_fini(&fprops);
    return rc;
}

int
main(int argc, char **argv)
{
    const char *msg;
    cn_args_t a;
    int rc;

    sm_log_init_tool();
    if (cn_parse(&a, cc_opts, O__CNT, argc, argv) != 0) {
        cn_args_fini(&a);
        return 1;
    }
    if (argc == 1 || a.given[O_HELP] > 0) {
        cn_usage(&a, stdout, cc_help);
        rc = argc == 1 ? 1 : 0;
    } else if (a.given[O_VERSION] > 0) {
        printf("%s (Commit:unknown)\n", PACKAGE_VERSION);
        rc = 0;
    } else if ((msg = cc_check(&a)) != NULL) {
        rc = cn_usage_fail(&a, cc_help, msg);
    } else {
        rc = cc_run(&a);
    }
    cn_args_fini(&a);
    return rc;
}
