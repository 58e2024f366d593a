/*
 * samsa-console-producer: read lines from standard input and produce one
 * record per line with libsamsa's producer - samsa's
 * kafka.tools.ConsoleProducer (Kafka 2.8 flags and defaults), run by
 * bin/kafka-console-producer.sh.
 *
 * CONFIGURATION, in Kafka's order: --producer.config, then every
 * --producer-property, then bootstrap.servers, compression.type and
 * client.id=console-producer (unless set); then each producer option
 * (--timeout is linger.ms, --request-required-acks is acks, ...) is
 * applied if it was given or if the key is still unset, with the tool's
 * defaults (linger.ms 1000, acks 1, request.timeout.ms 1500, retries 3).
 *
 * LINES (LineMessageReader, --property): parse.key (false) splits the
 * line at the first key.separator (tab) into key and value;
 * parse.headers (false; Kafka 3.2's format) first splits off headers
 * before headers.delimiter (tab), separated by headers.separator (',')
 * and split at headers.key.separator (':'); ignore.error (false) sends a
 * line without a separator whole as the value.  Trailing "\n", "\r\n"
 * are removed.
 *
 * ERRORS.  A failed record is logged as Kafka's ErrorLoggingCallback
 * logs it and the tool goes on; a line without its separator (and no
 * ignore.error) ends the tool with Kafka's exception text.
 * EXIT STATUS: 0 at the end of input, 1 on a usage, configuration or
 * line error.
 *
 * Threads: main reads and produces; the producer's I/O thread runs the
 * delivery callback, which only writes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "common/sm_mem.h"
#include "tools/console.h"

enum {
    O_BOOTSTRAP, O_BROKER_LIST, O_TOPIC, O_SYNC, O_CODEC, O_BATCH,
    O_RETRIES, O_BACKOFF, O_TIMEOUT, O_ACKS, O_REQ_TIMEOUT, O_MD_EXPIRY,
    O_MAX_BLOCK, O_MAX_MEM, O_MAX_PART_MEM, O_READER, O_SOCKBUF,
    O_PROPERTY, O_PRODUCER_PROPERTY, O_PRODUCER_CONFIG, O_HELP, O_VERSION,
    O__CNT
};

static const cn_opt_t cp_opts[O__CNT] = {
    [O_BOOTSTRAP] = { "bootstrap-server", 1, "String: server to connect "
        "to", "REQUIRED unless --broker-list(deprecated) is specified. The "
        "server(s) to connect to. The broker list string in the form "
        "HOST1:PORT1,HOST2:PORT2.", NULL },
    [O_BROKER_LIST] = { "broker-list", 1, "String: broker-list",
        "DEPRECATED, use --bootstrap-server instead; ignored if "
        "--bootstrap-server is specified.  The broker list string in the "
        "form HOST1:PORT1,HOST2:PORT2.", NULL },
    [O_TOPIC] = { "topic", 1, "String: topic", "REQUIRED: The topic id to "
        "produce messages to.", NULL },
    [O_SYNC] = { "sync", 0, NULL, "If set message send requests to the "
        "brokers are synchronously, one at a time as they arrive.", NULL },
    [O_CODEC] = { "compression-codec", 2, "String: compression-codec",
        "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or "
        "'zstd'.If specified without value, then it defaults to 'gzip'",
        NULL },
    [O_BATCH] = { "batch-size", 1, "Integer: size", "Number of messages to "
        "send in a single batch if they are not being sent synchronously.",
        "200" },
    [O_RETRIES] = { "message-send-max-retries", 1, "Integer", "Brokers can "
        "fail receiving the message for multiple reasons, and being "
        "unavailable transiently is just one of them. This property "
        "specifies the number of retries before the producer give up and "
        "drop this message.", "3" },
    [O_BACKOFF] = { "retry-backoff-ms", 1, "Integer", "Before each retry, "
        "the producer refreshes the metadata of relevant topics. Since "
        "leader election takes a bit of time, this property specifies the "
        "amount of time that the producer waits before refreshing the "
        "metadata.", "100" },
    [O_TIMEOUT] = { "timeout", 1, "Integer: timeout_ms", "If set and the "
        "producer is running in asynchronous mode, this gives the maximum "
        "amount of time a message will queue awaiting sufficient batch "
        "size. The value is given in ms.", "1000" },
    [O_ACKS] = { "request-required-acks", 1, "String: request required "
        "acks", "The required acks of the producer requests", "1" },
    [O_REQ_TIMEOUT] = { "request-timeout-ms", 1, "Integer: request "
        "timeout ms", "The ack timeout of the producer requests. Value must "
        "be non-negative and non-zero", "1500" },
    [O_MD_EXPIRY] = { "metadata-expiry-ms", 1, "Long: metadata expiration "
        "interval", "The period of time in milliseconds after which we "
        "force a refresh of metadata even if we haven't seen any "
        "leadership changes.", "300000" },
    [O_MAX_BLOCK] = { "max-block-ms", 1, "Long: max block on send", "The "
        "max time that the producer will block for during a send "
        "request", "60000" },
    [O_MAX_MEM] = { "max-memory-bytes", 1, "Long: total memory in bytes",
        "The total memory used by the producer to buffer records waiting "
        "to be sent to the server.", "33554432" },
    [O_MAX_PART_MEM] = { "max-partition-memory-bytes", 1, "Long: memory in "
        "bytes per partition", "The buffer size allocated for a partition. "
        "When records are received which are smaller than this size the "
        "producer will attempt to optimistically group them together until "
        "this size is reached.", "16384" },
    [O_READER] = { "line-reader", 1, "String: reader_class", "The class "
        "name of the class to use for reading lines from standard in. "
        "samsa has only kafka.tools.ConsoleProducer$LineMessageReader.",
        "kafka.tools.ConsoleProducer$LineMessageReader" },
    [O_SOCKBUF] = { "socket-buffer-size", 1, "Integer: size", "The size of "
        "the tcp RECV size.", "102400" },
    [O_PROPERTY] = { "property", 1, "String: prop", "A mechanism to pass "
        "user-defined properties in the form key=value to the message "
        "reader. This allows custom configuration for a user-defined "
        "message reader. Default properties include:\tparse.key=false\t"
        "parse.headers=false\tignore.error=false\tkey.separator=\\t\t"
        "headers.delimiter=\\t\theaders.separator=,\t"
        "headers.key.separator=:", NULL },
    [O_PRODUCER_PROPERTY] = { "producer-property", 1, "String: "
        "producer_prop", "A mechanism to pass user-defined properties in "
        "the form key=value to the producer. ", NULL },
    [O_PRODUCER_CONFIG] = { "producer.config", 1, "String: config file",
        "Producer config properties file. Note that [producer-property] "
        "takes precedence over this config.", NULL },
    [O_HELP] = { "help", 0, NULL, "Print usage information.", NULL },
    [O_VERSION] = { "version", 0, NULL, "Display Kafka version.", NULL },
};

static const char cp_help[] =
    "This tool helps to read data from standard input and publish it to "
    "Kafka.";

/* The LineMessageReader's properties. */
typedef struct cp_reader {
    const char *topic;
    int         parse_key;
    int         parse_headers;
    int         ignore_error;
    const char *key_sep;
    const char *hdr_delim;
    const char *hdr_sep;
    const char *hdr_key_sep;
} cp_reader_t;

/* ------------------------------------------------------------ config */

/* CommandLineUtils.maybeMergeOptions: the option's value (or its
 * default) unless the key came from the config and the option was not
 * given. */
static void
cp_merge(const cn_args_t *a, sm_props_t *props, const char *key, int opt)
{
    if (a->given[opt] > 0 || sm_props_get(props, key) == NULL)
        sm_props_set(props, key, cn_value(a, opt, cp_opts[opt].def), 0);
}

static int
cp_conf(const cn_args_t *a, const char *servers, samsa_conf_t *conf)
{
    sm_props_t props = SM_PROPS_INIT;
    const char *codec = "none";
    int rc = -1;

    if (cn_props(a, cn_value(a, O_PRODUCER_CONFIG, NULL),
                 O_PRODUCER_PROPERTY, &props) != 0)
        goto out;
    sm_props_set(&props, "bootstrap.servers", servers, 0);
    if (a->given[O_CODEC] > 0)
        codec = cn_value(a, O_CODEC, "gzip");
    sm_props_set(&props, "compression.type", codec[0] ? codec : "gzip", 0);
    if (sm_props_get(&props, "client.id") == NULL)
        sm_props_set(&props, "client.id", "console-producer", 0);
    cp_merge(a, &props, "linger.ms", O_TIMEOUT);
    cp_merge(a, &props, "acks", O_ACKS);
    cp_merge(a, &props, "request.timeout.ms", O_REQ_TIMEOUT);
    cp_merge(a, &props, "retries", O_RETRIES);
    cp_merge(a, &props, "retry.backoff.ms", O_BACKOFF);
    cp_merge(a, &props, "buffer.memory", O_MAX_MEM);
    cp_merge(a, &props, "batch.size", O_MAX_PART_MEM);
    cp_merge(a, &props, "metadata.max.age.ms", O_MD_EXPIRY);
    cp_merge(a, &props, "max.block.ms", O_MAX_BLOCK);
    rc = cn_conf_apply(conf, &props);
out:
    sm_props_fini(&props);
    return rc;
}

static int
cp_reader_init(const cn_args_t *a, cp_reader_t *r, sm_props_t *props)
{
    const char *v;

    memset(r, 0, sizeof(*r));
    if (cn_props(a, NULL, O_PROPERTY, props) != 0)
        return -1;
    r->topic = cn_value(a, O_TOPIC, NULL);
    v = sm_props_get(props, "parse.key");
    r->parse_key = v != NULL && strcasecmp(v, "true") == 0;
    v = sm_props_get(props, "parse.headers");
    r->parse_headers = v != NULL && strcasecmp(v, "true") == 0;
    v = sm_props_get(props, "ignore.error");
    r->ignore_error = v != NULL && strcasecmp(v, "true") == 0;
    r->key_sep = sm_props_get(props, "key.separator");
    r->hdr_delim = sm_props_get(props, "headers.delimiter");
    r->hdr_sep = sm_props_get(props, "headers.separator");
    r->hdr_key_sep = sm_props_get(props, "headers.key.separator");
    if (r->key_sep == NULL || r->key_sep[0] == '\0')
        r->key_sep = "\t";
    if (r->hdr_delim == NULL || r->hdr_delim[0] == '\0')
        r->hdr_delim = "\t";
    if (r->hdr_sep == NULL || r->hdr_sep[0] == '\0')
        r->hdr_sep = ",";
    if (r->hdr_key_sep == NULL || r->hdr_key_sep[0] == '\0')
        r->hdr_key_sep = ":";
    return 0;
}

/* ------------------------------------------------------------ lines */

/* Split "k1:v1,k2:v2" (modified in place) into hv[]; the count. */
static int
cp_headers(const cp_reader_t *r, char *s, samsa_header_t **hvp)
{
    samsa_header_t *hv = NULL;
    int n = 0;
    size_t seplen = strlen(r->hdr_sep), kslen = strlen(r->hdr_key_sep);

    while (s != NULL && *s != '\0') {
        char *next = strstr(s, r->hdr_sep), *ks;
        if (next != NULL) {
            *next = '\0';
            next += seplen;
        }
        hv = sm_realloc(hv, (size_t)(n + 1) * sizeof(*hv));
        ks = strstr(s, r->hdr_key_sep);
        hv[n].key = s;
        hv[n].value = NULL;
        hv[n].value_len = 0;
        if (ks != NULL) {
            *ks = '\0';
            hv[n].value = ks + kslen;
            hv[n].value_len = (int32_t)strlen(ks + kslen);
        }
        n++;
        s = next;
    }
    *hvp = hv;
    return n;
}

/* One line to a record (line is modified); -1 with Kafka's exception
 * text on stderr. */
static int
cp_line(const cp_reader_t *r, char *line, long lineno, samsa_record_t *rec,
        samsa_header_t **hvp)
{
    char *v = line;

    memset(rec, 0, sizeof(*rec));
    *hvp = NULL;
    rec->topic = r->topic;
    rec->partition = SAMSA_PARTITION_ANY;
    rec->timestamp = -1;
    if (r->parse_headers) {
        char *d = strstr(v, r->hdr_delim);
        if (d == NULL && !r->ignore_error) {
            fprintf(stderr, "org.apache.kafka.common.KafkaException: No "
                    "headers delimiter found on line number %ld: '%s'\n",
                    lineno, line);
            return -1;
        }
        if (d != NULL) {
            *d = '\0';
            rec->header_cnt = cp_headers(r, v, hvp);
            rec->headers = *hvp;
            v = d + strlen(r->hdr_delim);
        }
    }
    if (r->parse_key) {
        char *k = strstr(v, r->key_sep);
        if (k == NULL && !r->ignore_error) {
            fprintf(stderr, "org.apache.kafka.common.KafkaException: No "
                    "key found on line %ld: %s\n", lineno, v);
            return -1;
        }
        if (k != NULL) {
            *k = '\0';
            rec->key = v;
            rec->key_len = (int32_t)strlen(v);
            v = k + strlen(r->key_sep);
        }
    }
    rec->value = v;
    rec->value_len = (int32_t)strlen(v);
    return 0;
}

/* ErrorLoggingCallback (logAsString false: the value's size). */
static void
cp_log_error(const char *topic, int32_t key_len, int32_t value_len,
             samsa_err_t err)
{
    fprintf(stderr, "ERROR Error when sending message to topic %s with "
            "key: %s, value: %d bytes with error: %s "
            "(org.apache.kafka.clients.producer.internals."
            "ErrorLoggingCallback)\n", topic,
            key_len < 0 ? "null" : "<bytes>", (int)value_len,
            samsa_err_message(err));
}

static void
cp_dr(const samsa_delivery_t *dr, void *opaque)
{
    (void)opaque;
    if (dr->err != SAMSA_OK)
        cp_log_error(dr->topic, dr->key_len, dr->value_len, dr->err);
}

static int
cp_loop(samsa_producer_t *p, const cp_reader_t *r, int sync)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;

    while (rc == 0 && (len = getline(&line, &cap, stdin)) >= 0) {
        samsa_record_t rec;
        samsa_header_t *hv;
        samsa_err_t err;
        cn_chomp(line, (size_t)len);
        lineno++;
        if (cp_line(r, line, lineno, &rec, &hv) != 0) {
            rc = 1;
            break;
        }
        err = samsa_produce(p, &rec, NULL);
        if (err != SAMSA_OK)
            cp_log_error(rec.topic, rec.key ? rec.key_len : -1,
                         rec.value_len, err);
        else if (sync)
            samsa_producer_flush(p, -1);
        sm_free(hv);
    }
    free(line);
    return rc;
}

/* ------------------------------------------------------------ main */

static int
cp_run(const cn_args_t *a)
{
    const char *servers = cn_value(a, O_BOOTSTRAP, NULL);
    sm_props_t rprops = SM_PROPS_INIT;
    samsa_conf_t *conf = samsa_conf_new();
    samsa_producer_t *p = NULL;
    cp_reader_t r;
    char errstr[512];
    int rc = 1;

    if (servers == NULL)
        servers = cn_value(a, O_BROKER_LIST, NULL);
    if (cp_conf(a, servers, conf) != 0 ||
        cp_reader_init(a, &r, &rprops) != 0)
        goto out;
    samsa_conf_set_delivery_cb(conf, cp_dr, NULL);
    p = samsa_producer_new(conf, errstr, sizeof(errstr));
    if (p == NULL) {
        fprintf(stderr, "org.apache.kafka.common.KafkaException: Failed to "
                "construct kafka producer: %s\n", errstr);
        goto out;
    }
    rc = cp_loop(p, &r, a->given[O_SYNC] > 0);
    samsa_producer_close(p, -1);    /* the shutdown hook's close() */
out:
    samsa_conf_destroy(conf);
    sm_props_fini(&rprops);
    return rc;
}

int
main(int argc, char **argv)
{
    cn_args_t a;
    int rc;

    if (cn_parse(&a, cp_opts, O__CNT, argc, argv) != 0) {
        cn_args_fini(&a);
        return 1;
    }
    if (argc == 1 || a.given[O_HELP] > 0) {
        cn_usage(&a, stdout, cp_help);
        rc = argc == 1 ? 1 : 0;
    } else if (a.given[O_VERSION] > 0) {
        printf("%s (Commit:unknown)\n", PACKAGE_VERSION);
        rc = 0;
    } else if (a.given[O_TOPIC] == 0) {
        rc = cn_usage_fail(&a, cp_help, "Missing required argument "
                           "\"[topic]\"");
    } else if (a.given[O_BOOTSTRAP] == 0 && a.given[O_BROKER_LIST] == 0) {
        rc = cn_usage_fail(&a, cp_help, "Missing required argument "
                           "\"[bootstrap-server]\"");
    } else {
        rc = cp_run(&a);
    }
    cn_args_fini(&a);
    return rc;
}
