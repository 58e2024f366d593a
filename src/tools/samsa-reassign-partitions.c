/*
 * samsa-reassign-partitions: bin/kafka-reassign-partitions.sh, Kafka 2.4's
 * ReassignPartitionsCommand in its --zookeeper mode (see reassign.h).
 *
 * This file: options (Kafka's validateAndParseArgs rules and usage
 * messages), the JSON files (topics to move, reassignment plans), the
 * current assignment from ZooKeeper, and --generate (AdminUtils'
 * assignReplicasToBrokers over the --broker-list, per topic with its
 * partition count and the replication factor of its first partition).
 *
 * The tool writes znodes and leaves the moving to the controller
 * (src/controller/reassignment.c); it never talks to a broker.  Replica moves between log directories
 * (log_dirs other than "any") need --bootstrap-server in Kafka and are
 * refused here with Kafka's message.
 *
 * Threads: one; ZooKeeper calls block it, bounded by the session timeout.
 */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/admin.h"
#include "tools/reassign.h"

#define RP_TIMEOUT_MS 30000
#define RP_MAX_FILE   (64 << 20)

static const char rp_help[] =
    "This tool helps to moves topic partitions between replicas.\n";

static const char rp_usage[] =
    "Option                                  Description\n"
    "------                                  -----------\n"
    "--broker-list <brokerlist>              The list of brokers to which "
    "the\n"
    "                                          partitions need to be "
    "reassigned in the\n"
    "                                          form \"0,1,2\". This is "
    "required if --\n"
    "                                          topics-to-move-json-file is "
    "used to\n"
    "                                          generate reassignment "
    "configuration\n"
    "--disable-rack-aware                    Disable rack aware replica "
    "assignment\n"
    "--execute                               Kick off the reassignment as "
    "specified by\n"
    "                                          the --reassignment-json-file "
    "option.\n"
    "--generate                              Generate a candidate partition "
    "reassignment\n"
    "                                          configuration.\n"
    "--help                                  Print usage information.\n"
    "--reassignment-json-file <manual        The JSON file with the "
    "partition\n"
    "  assignment json file path>              reassignment configuration\n"
    "--throttle <Long: throttle>             The movement of partitions "
    "between brokers\n"
    "                                          will be throttled to this "
    "value\n"
    "                                          (bytes/sec). (default: -1)\n"
    "--timeout <Long: timeout>               Accepted for compatibility "
    "(default:\n"
    "                                          10000)\n"
    "--topics-to-move-json-file <topics to   Generate a reassignment "
    "configuration to\n"
    "  reassign json file path>                move the partitions of the "
    "specified\n"
    "                                          topics to the list of brokers "
    "specified\n"
    "                                          by the --broker-list option.\n"
    "--verify                                Verify if the reassignment "
    "completed as\n"
    "                                          specified by the --"
    "reassignment-json-file\n"
    "                                          option.\n"
    "--version                               Display Kafka version.\n"
    "--zookeeper <urls>                      REQUIRED: The connection string "
    "for the\n"
    "                                          zookeeper connection in the "
    "form\n"
    "                                          host:port.\n";

int
rp_fail(rp_ctx_t *ctx, const char *fmt, ...)
{
    va_list ap;

    if (ctx->err != NULL)
        return -1;                      /* the first cause wins */
    va_start(ap, fmt);
    if (vasprintf(&ctx->err, fmt, ap) < 0)
        ctx->err = NULL;
    va_end(ap);
    return -1;
}

static int
rp_usage_die(const char *msg)
{
    fprintf(stderr, "%s\n%s", msg, rp_usage);
    return 1;
}

/* ------------------------------------------------------------ options */

enum { RP_GENERATE = 1, RP_EXECUTE = 2, RP_VERIFY = 4 };

/* Kafka's checkInvalidArgs message for option `bad` with action. */
static int
rp_invalid(const char *bad, const char *action)
{
    char msg[160];

    snprintf(msg, sizeof(msg), "Option \"[%s]\" can't be used with option "
             "\"[%s]\"", action, bad);
    return rp_usage_die(msg);
}

static int
rp_check_args(const rp_ctx_t *c, int actions, int bootstrap)
{
    int n = !!(actions & RP_GENERATE) + !!(actions & RP_EXECUTE) +
            !!(actions & RP_VERIFY);

    if (n != 1)
        return rp_usage_die("Command must include exactly one action: "
                            "--generate, --execute or --verify");
    if (c->zookeeper == NULL)
        return rp_usage_die("Missing required argument \"[zookeeper]\"");
    if (actions & RP_VERIFY) {
        if (c->reassignment_file == NULL)
            return rp_usage_die("If --verify option is used, command must "
                                "include --reassignment-json-file that was "
                                "used during the --execute option");
        if (c->throttle >= 0)
            return rp_invalid("throttle", "verify");
        if (c->topics_file || c->broker_list || c->disable_rack_aware)
            return rp_invalid(c->topics_file ? "topics-to-move-json-file" :
                              c->broker_list ? "broker-list" :
                              "disable-rack-aware", "verify");
    } else if (actions & RP_GENERATE) {
        if (c->topics_file == NULL || c->broker_list == NULL)
            return rp_usage_die("If --generate option is used, command must "
                                "include both --topics-to-move-json-file and "
                                "--broker-list options");
        if (c->throttle >= 0 || c->reassignment_file)
            return rp_invalid(c->throttle >= 0 ? "throttle" :
                              "reassignment-json-file", "generate");
    } else {
        if (c->reassignment_file == NULL)
            return rp_usage_die("If --execute option is used, command must "
                                "include --reassignment-json-file that was "
                                "output during the --generate option");
        if (c->topics_file || c->broker_list || c->disable_rack_aware)
            return rp_invalid(c->topics_file ? "topics-to-move-json-file" :
                              c->broker_list ? "broker-list" :
                              "disable-rack-aware", "execute");
    }
    if (bootstrap)
        return rp_usage_die("--bootstrap-server is only needed to move "
                            "replicas between log directories, which samsa "
                            "does not support yet");
    return 0;
}

static int
rp_parse_long(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);

    if (*s == '\0' || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* 0: parsed; 1: exit 1; 2: exit 0 (help, version). */
static int
rp_parse(int argc, char **argv, rp_ctx_t *c, int *actions)
{
    static const struct option opts[] = {
        { "zookeeper", required_argument, NULL, 'z' },
        { "bootstrap-server", required_argument, NULL, 'b' },
        { "command-config", required_argument, NULL, 'c' },
        { "generate", no_argument, NULL, 'g' },
        { "execute", no_argument, NULL, 'e' },
        { "verify", no_argument, NULL, 'v' },
        { "reassignment-json-file", required_argument, NULL, 'r' },
        { "topics-to-move-json-file", required_argument, NULL, 't' },
        { "broker-list", required_argument, NULL, 'l' },
        { "disable-rack-aware", no_argument, NULL, 'd' },
        { "throttle", required_argument, NULL, 'T' },
        { "replica-alter-log-dirs-throttle", required_argument, NULL, 'R' },
        { "timeout", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int ch, bootstrap = 0;
    int64_t ignored;

    opterr = 0;
    while ((ch = getopt_long_only(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'z': c->zookeeper = optarg; break;
        case 'b': bootstrap = 1; break;
        case 'c': break;
        case 'g': *actions |= RP_GENERATE; break;
        case 'e': *actions |= RP_EXECUTE; break;
        case 'v': *actions |= RP_VERIFY; break;
        case 'r': c->reassignment_file = optarg; break;
        case 't': c->topics_file = optarg; break;
        case 'l': c->broker_list = optarg; break;
        case 'd': c->disable_rack_aware = 1; break;
        case 'T':
        case 'R':
        case 'o':
            if (rp_parse_long(optarg, ch == 'T' ? &c->throttle : &ignored)) {
                fprintf(stderr, "Exception in thread \"main\" joptsimple."
                        "OptionArgumentConversionException: Cannot parse "
                        "argument '%s' of option %s\n", optarg,
                        argv[optind - 1]);
                return 1;
            }
            break;
        case 'h': printf("%s%s", rp_help, rp_usage); return 2;
        case 'V': printf("%s (Commit:unknown)\n", PACKAGE_VERSION); return 2;
        default:
            fprintf(stderr, "Exception in thread \"main\" joptsimple."
                    "UnrecognizedOptionException: %s is not a recognized "
                    "option\n", argv[optind - 1]);
            return 1;
        }
    }
    return rp_check_args(c, *actions, bootstrap) ? 1 : 0;
}

/* ------------------------------------------------------------ plans */

int
rp_cmp_tp(const sm_zk_tp_t *a, const sm_zk_tp_t *b)
{
    int c = strcmp(a->topic, b->topic);

    return c ? c : (a->partition > b->partition) -
                   (a->partition < b->partition);
}

static int
rp_cmp_tp_q(const void *a, const void *b)
{
    return rp_cmp_tp(a, b);
}

void
rp_sort(sm_zk_tps_t *l)
{
    if (l->cnt > 1)
        qsort(l->v, (size_t)l->cnt, sizeof(l->v[0]), rp_cmp_tp_q);
}

char *
rp_format_json(const sm_zk_tps_t *l)
{
    json_t *root = json_object(), *parts = json_array();
    char *s, *out;

    json_object_set_new(root, "version", json_integer(1));
    for (int i = 0; i < l->cnt; i++) {
        json_t *p = json_object(), *r = json_array(), *d = json_array();
        for (int k = 0; k < l->v[i].replicas.cnt; k++) {
            json_array_append_new(r, json_integer(l->v[i].replicas.v[k]));
            json_array_append_new(d, json_string("any"));
        }
        json_object_set_new(p, "topic", json_string(l->v[i].topic));
        json_object_set_new(p, "partition", json_integer(l->v[i].partition));
        json_object_set_new(p, "replicas", r);
        json_object_set_new(p, "log_dirs", d);
        json_array_append_new(parts, p);
    }
    json_object_set_new(root, "partitions", parts);
    s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    sm_assert(s != NULL);               /* jansson fails only without memory */
    out = sm_strdup(s);
    free(s);
    return out;
}

int
rp_current(rp_ctx_t *ctx, const char *const *topics, int ntopics,
           sm_zk_tps_t *out)
{
    for (int i = 0; i < ntopics; i++) {
        sm_zk_topic_t t;
        sm_err_t err;

        memset(&t, 0, sizeof(t));
        err = sm_zk_get_topic(ctx->zk, topics[i], 0, &t);
        if (err == SM_ERR__NOENT)
            continue;
        if (err != SM_OK)
            return rp_fail(ctx, "ZooKeeper: reading topic %s: %s", topics[i],
                           sm_err_desc(err));
        for (int p = 0; p < t.part_cnt; p++) {
            sm_zk_tp_t *tp = sm_zk_tps_add(out, topics[i],
                                           t.parts[p].partition);
            sm_zk_ints_set(&tp->replicas, t.parts[p].replicas.v,
                           t.parts[p].replicas.cnt);
        }
        sm_zk_topic_fini(&t);
    }
    rp_sort(out);
    return 0;
}

char *
rp_read_file(rp_ctx_t *ctx, const char *path, int *len)
{
    FILE *f = fopen(path, "r");
    char *data = NULL;
    size_t n = 0, cap = 0, got;

    if (f == NULL) {
        rp_fail(ctx, "%s", path);       /* Kafka: NoSuchFileException */
        return NULL;
    }
    do {
        if (cap - n < 4096)
            data = sm_realloc(data, cap = cap ? cap * 2 : 8192);
        got = fread(data + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0 && n < RP_MAX_FILE);
    fclose(f);
    data[n] = '\0';
    *len = (int)n;
    return data;
}

/* ------------------------------------------------------------ --generate */

/* The "topics" of a topics-to-move file, checked for duplicates. */
static int
rp_parse_topics(rp_ctx_t *ctx, const char *data, sm_zk_strings_t *out)
{
    json_t *j = json_loads(data, 0, NULL), *a, *o;
    size_t i;
    int rc = 0;

    if (!json_is_object(j)) {
        json_decref(j);
        return rp_fail(ctx, "The input string is not a valid JSON");
    }
    a = json_object_get(j, "topics");
    if (json_object_get(j, "version") != NULL &&
        json_integer_value(json_object_get(j, "version")) != 1)
        rc = rp_fail(ctx, "Not supported version field value %lld",
                     (long long)json_integer_value(
                         json_object_get(j, "version")));
    json_array_foreach(a, i, o) {
        const char *t = json_string_value(json_object_get(o, "topic"));
        if (rc != 0 || t == NULL) {
            rc = rp_fail(ctx, "Missing required field 'topic'");
            break;
        }
        for (int k = 0; k < out->cnt; k++)
            if (strcmp(out->v[k], t) == 0)
                rc = rp_fail(ctx, "List of topics to reassign contains "
                             "duplicate entries: %s", t);
        out->v = sm_realloc(out->v, sizeof(char *) * (size_t)(out->cnt + 1));
        out->v[out->cnt++] = sm_strdup(t);
    }
    json_decref(j);
    return rc;
}

/* The --broker-list ids; duplicates refused. */
static int
rp_parse_brokers(rp_ctx_t *ctx, sm_zk_ints_t *ids)
{
    const char *s = ctx->broker_list;
    int32_t v[1024];
    int n = 0;

    while (*s != '\0' && n < 1024) {
        char *end;
        long id = strtol(s, &end, 10);
        if (end == s || (*end != ',' && *end != '\0'))
            return rp_fail(ctx, "For input string: \"%s\"", s);
        for (int k = 0; k < n; k++)
            if (v[k] == id)
                return rp_fail(ctx, "Broker list contains duplicate "
                               "entries: %ld", id);
        v[n++] = (int32_t)id;
        s = *end == ',' ? end + 1 : end;
    }
    sm_zk_ints_set(ids, v, n);
    return 0;
}

/* getBrokerMetadatas(rackAwareMode, Some(brokerList)): registered brokers
 * of the list, with their racks. */
static int
rp_brokers(rp_ctx_t *ctx, const sm_zk_ints_t *want, sm_admin_broker_t **out,
           int *n, sm_md_broker_t **md, int *nmd)
{
    sm_zk_ints_t ids = { 0 };
    sm_mdsnap_t snap;
    char *msg = NULL;
    sm_err_t err = sm_zk_get_broker_ids(ctx->zk, 0, &ids);

    *md = sm_calloc((size_t)ids.cnt + 1, sizeof(**md));
    *nmd = 0;
    for (int i = 0; err == SM_OK && i < ids.cnt; i++) {
        sm_zk_broker_t b;
        int listed = 0;
        for (int k = 0; k < want->cnt; k++)
            listed |= want->v[k] == ids.v[i];
        if (!listed || sm_zk_get_broker(ctx->zk, ids.v[i], &b, NULL) != SM_OK)
            continue;
        (*md)[*nmd].id = ids.v[i];
        (*md)[(*nmd)++].rack = b.rack ? sm_strdup(b.rack) : NULL;
        sm_zk_broker_fini(&b);
    }
    sm_zk_ints_fini(&ids);
    if (err != SM_OK)
        return rp_fail(ctx, "ZooKeeper: listing brokers: %s",
                       sm_err_desc(err));
    memset(&snap, 0, sizeof(snap));
    snap.controller_id = -1;
    snap.brokers = *md;
    snap.nbrokers = *nmd;
    err = sm_admin_brokers(&snap, ctx->disable_rack_aware ?
                           SM_ADMIN_RACK_DISABLED : SM_ADMIN_RACK_ENFORCED,
                           out, n, &msg);
    if (err != SM_OK) {
        rp_fail(ctx, "%s", msg ? msg : sm_err_desc(err));
        free(msg);
        return -1;
    }
    return 0;
}

static void
rp_md_free(sm_md_broker_t *md, int n)
{
    for (int i = 0; i < n; i++)
        free(md[i].rack);
    free(md);
}

/* The proposal for every topic of cur (one topic's partitions are
 * consecutive in cur, which is sorted). */
static int
rp_propose(rp_ctx_t *ctx, const sm_admin_broker_t *b, int nb,
           const sm_zk_tps_t *cur, sm_zk_tps_t *prop)
{
    for (int i = 0; i < cur->cnt;) {
        int k = i;
        sm_zk_topic_t t;
        char *msg = NULL;

        while (k < cur->cnt && strcmp(cur->v[k].topic, cur->v[i].topic) == 0)
            k++;
        memset(&t, 0, sizeof(t));
        if (sm_admin_assign_replicas(b, nb, k - i, cur->v[i].replicas.cnt,
                                     -1, -1, &t, &msg) != SM_OK) {
            rp_fail(ctx, "%s", msg ? msg : "replica assignment failed");
            free(msg);
            sm_zk_topic_fini(&t);
            return -1;
        }
        for (int p = 0; p < t.part_cnt; p++) {
            sm_zk_tp_t *tp = sm_zk_tps_add(prop, cur->v[i].topic,
                                           t.parts[p].partition);
            sm_zk_ints_set(&tp->replicas, t.parts[p].replicas.v,
                           t.parts[p].replicas.cnt);
        }
        sm_zk_topic_fini(&t);
        i = k;
    }
    rp_sort(prop);
    return 0;
}

static int
rp_generate(rp_ctx_t *ctx)
{
    sm_zk_strings_t topics = { 0 };
    sm_zk_ints_t ids = { 0 };
    sm_zk_tps_t cur = { 0 }, prop = { 0 };
    sm_admin_broker_t *b = NULL;
    sm_md_broker_t *md = NULL;
    int nb = 0, nmd = 0, len, rc;
    char *data = NULL, *cj, *pj;

    rc = rp_parse_brokers(ctx, &ids);
    if (rc == 0 && (data = rp_read_file(ctx, ctx->topics_file, &len)) == NULL)
        rc = -1;
    if (rc == 0)
        rc = rp_parse_topics(ctx, data, &topics);
    if (rc == 0)
        rc = rp_current(ctx, (const char *const *)topics.v, topics.cnt, &cur);
    if (rc == 0)
        rc = rp_brokers(ctx, &ids, &b, &nb, &md, &nmd);
    if (rc == 0)
        rc = rp_propose(ctx, b, nb, &cur, &prop);
    if (rc == 0) {
        cj = rp_format_json(&cur);
        pj = rp_format_json(&prop);
        printf("Current partition replica assignment\n%s\n\n"
               "Proposed partition reassignment configuration\n%s\n", cj, pj);
        free(cj);
        free(pj);
    }
    free(data);
    free(b);
    rp_md_free(md, nmd);
    sm_zk_strings_fini(&topics);
    sm_zk_ints_fini(&ids);
    sm_zk_tps_fini(&cur);
    sm_zk_tps_fini(&prop);
    return rc;
}

/* ------------------------------------------------------------ main */

static int
rp_connect(rp_ctx_t *ctx)
{
    sm_zk_conf_t conf;
    char errstr[512];

    memset(&conf, 0, sizeof(conf));
    conf.connect = ctx->zookeeper;
    conf.session_timeout_ms = RP_TIMEOUT_MS;
    conf.connection_timeout_ms = RP_TIMEOUT_MS;
    if (sm_zk_new(&conf, &ctx->zk, errstr, sizeof(errstr)) != SM_OK)
        return rp_fail(ctx, "%s", errstr);
    return 0;
}

int
main(int argc, char **argv)
{
    rp_ctx_t ctx;
    int actions = 0, rc;

    sm_log_init_tool();
    if (argc < 2)
        return rp_usage_die(rp_help);
    memset(&ctx, 0, sizeof(ctx));
    ctx.throttle = -1;
    rc = rp_parse(argc, argv, &ctx, &actions);
    if (rc != 0)
        return rc == 2 ? 0 : 1;
    rc = rp_connect(&ctx);
    if (rc == 0)
        rc = actions & RP_VERIFY ? rp_verify(&ctx) :
             actions & RP_GENERATE ? rp_generate(&ctx) : rp_execute(&ctx);
    if (rc != 0)
        printf("Partitions reassignment failed due to %s\n",
               ctx.err ? ctx.err : "an unknown error");
    if (ctx.zk != NULL)
        sm_zk_destroy(ctx.zk);
    free(ctx.err);
    return rc != 0;
}
