/*
 * samsa-consumer-groups.c: main of bin/kafka-consumer-groups.sh - the
 * command line of Kafka's ConsumerGroupCommandOptions (2.4's option set
 * and checkArgs order, 1.x's --zookeeper), the dispatch to the Kafka or
 * ZooKeeper service, and the reset plan both services share.  See
 * cgroups.h for the file map and the output contract.
 *
 * OPTIONS.  getopt_long gives jopt-simple's spellings: "--opt value",
 * "--opt=value" and unambiguous prefixes.  Repeatable options (--group,
 * --topic) keep every value; the others keep the last.
 *
 * Threads: one.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "common/sm_time.h"
#include "tools/cgroups.h"

static const struct option cg_longopts[] = {
    { "bootstrap-server", required_argument, NULL, CG_BOOTSTRAP },
    { "zookeeper",        required_argument, NULL, CG_ZOOKEEPER },
    { "command-config",   required_argument, NULL, CG_COMMAND_CONFIG },
    { "group",            required_argument, NULL, CG_GROUP },
    { "topic",            required_argument, NULL, CG_TOPIC },
    { "all-topics",       no_argument,       NULL, CG_ALL_TOPICS },
    { "list",             no_argument,       NULL, CG_LIST },
    { "describe",         no_argument,       NULL, CG_DESCRIBE },
    { "all-groups",       no_argument,       NULL, CG_ALL_GROUPS },
    { "delete",           no_argument,       NULL, CG_DELETE },
    { "timeout",          required_argument, NULL, CG_TIMEOUT },
    { "reset-offsets",    no_argument,       NULL, CG_RESET },
    { "dry-run",          no_argument,       NULL, CG_DRY_RUN },
    { "execute",          no_argument,       NULL, CG_EXECUTE },
    { "to-offset",        required_argument, NULL, CG_TO_OFFSET },
    { "to-datetime",      required_argument, NULL, CG_TO_DATETIME },
    { "by-duration",      required_argument, NULL, CG_BY_DURATION },
    { "to-earliest",      no_argument,       NULL, CG_TO_EARLIEST },
    { "to-latest",        no_argument,       NULL, CG_TO_LATEST },
    { "to-current",       no_argument,       NULL, CG_TO_CURRENT },
    { "shift-by",         required_argument, NULL, CG_SHIFT_BY },
    { "members",          no_argument,       NULL, CG_MEMBERS },
    { "verbose",          no_argument,       NULL, CG_VERBOSE },
    { "offsets",          no_argument,       NULL, CG_OFFSETS },
    { "state",            no_argument,       NULL, CG_STATE },
    { "copy-offsets",     no_argument,       NULL, CG_COPY },
    { "from",             required_argument, NULL, CG_FROM },
    { "to",               required_argument, NULL, CG_TO },
    { "help",             no_argument,       NULL, CG_HELP },
    { "version",          no_argument,       NULL, CG_VERSION },
    { "delete-offsets",   no_argument,       NULL, CG_DELETE_OFFSETS },
    { "export",           no_argument,       NULL, CG_EXPORT },
    { "from-file",        required_argument, NULL, CG_FROM_FILE },
    { NULL, 0, NULL, 0 }
};

static const char cg_usage_text[] =
"Option                                  Description\n"
"------                                  -----------\n"
"--all-groups                            Apply to all consumer groups.\n"
"--all-topics                            Consider all topics assigned to a\n"
"                                          group in the `reset-offsets`\n"
"                                          process.\n"
"--bootstrap-server <String: server to   REQUIRED (unless --zookeeper): The\n"
"  connect to>                             server(s) to connect to.\n"
"--by-duration <String: duration>        Reset offsets to offset by duration\n"
"                                          from current timestamp. Format:\n"
"                                          'PnDTnHnMnS'\n"
"--command-config <String: command       Property file containing configs to\n"
"  config property file>                   be passed to Admin Client and\n"
"                                          Consumer.\n"
"--copy-offsets                          samsa: copy a group's committed\n"
"                                          offsets between ZooKeeper and\n"
"                                          Kafka (--from, --to).\n"
"--delete                                Pass in groups to delete topic\n"
"                                          partition offsets and ownership\n"
"                                          information over the entire\n"
"                                          consumer group.\n"
"--delete-offsets                        Delete offsets of consumer group.\n"
"                                          Supports one consumer group at\n"
"                                          the time, and multiple topics.\n"
"--describe                              Describe consumer group and list\n"
"                                          offset lag (number of messages\n"
"                                          not yet processed) related to\n"
"                                          given group.\n"
"--dry-run                               Only show results without executing\n"
"                                          changes on Consumer Groups.\n"
"                                          Supported operations: reset-\n"
"                                          offsets.\n"
"--execute                               Execute operation. Supported\n"
"                                          operations: reset-offsets.\n"
"--export                                Export operation execution to a\n"
"                                          CSV file. Supported operations:\n"
"                                          reset-offsets.\n"
"--from <String: kafka|zookeeper>        samsa: the store --copy-offsets\n"
"                                          reads.\n"
"--from-file <String: path to CSV file>  Reset offsets to values defined in\n"
"                                          CSV file.\n"

"--group <String: consumer group>        The consumer group we wish to act\n"
"                                          on.\n"
"--help                                  Print usage information.\n"
"--list                                  List all consumer groups.\n"
"--members                               Describe members of the group.\n"
"--offsets                               Describe the group and list all\n"
"                                          topic partitions in the group\n"
"                                          along with their offset lag.\n"
"--reset-offsets                         Reset offsets of consumer group.\n"
"--shift-by <Long: number-of-offsets>    Reset offsets shifting current\n"
"                                          offset by 'n', where 'n' can be\n"
"                                          positive or negative.\n"
"--state                                 Describe the group state.\n"
"--timeout <Long: timeout (ms)>          The timeout that can be set for\n"
"                                          some use cases. (default: 5000)\n"
"--to <String: zookeeper|kafka>          samsa: the store --copy-offsets\n"
"                                          writes.\n"
"--to-current                            Reset offsets to current offset.\n"
"--to-datetime <String: datetime>        Reset offsets to offset from\n"
"                                          datetime. Format: 'YYYY-MM-\n"
"                                          DDTHH:mm:SS.sss'\n"
"--to-earliest                           Reset offsets to earliest offset.\n"
"--to-latest                             Reset offsets to latest offset.\n"
"--to-offset <Long: offset>              Reset offsets to a specific offset.\n"
"--topic <String: topic>                 The topic whose consumer group\n"
"                                          information should be deleted or\n"
"                                          topic whose should be included in\n"
"                                          the reset offset process.\n"
"--verbose                               Provide additional information, if\n"
"                                          any, when describing the group.\n"
"--version                               Display Kafka version.\n"
"--zookeeper <String: urls>              The connection string for the\n"
"                                          zookeeper connection in the form\n"
"                                          host:port[/chroot] (ZooKeeper-\n"
"                                          stored 0.8 consumer groups).\n";

/* ------------------------------------------------------------ messages */

void
cg_error(cg_ctx_t *ctx, const char *fmt, ...)
{
    va_list ap;

    printf("\nError: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    ctx->failed = 1;
}

void
cg_usage_die(const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", cg_usage_text);
    exit(1);
}

int
cg_dry_run(const cg_ctx_t *ctx)
{
    return ctx->has[CG_DRY_RUN] || !ctx->has[CG_EXECUTE];
}

/* ------------------------------------------------------------ client */

/* --command-config: key=value lines (# and ! comments); unknown keys
 * are ignored, as Kafka only warns about them. */
static int
cg_load_props(samsa_conf_t *conf, const char *path)
{
    char line[4096], errstr[256];
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        fprintf(stderr, "Exception in thread \"main\" "
                "java.nio.file.NoSuchFileException: %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *eq, *k = line, *v;
        line[strcspn(line, "\r\n")] = '\0';
        while (*k == ' ' || *k == '\t')
            k++;
        if (*k == '\0' || *k == '#' || *k == '!')
            continue;
        eq = strpbrk(k, "=:");
        if (eq == NULL)
            continue;
        *eq = '\0';
        v = eq + 1;
        for (char *e = eq - 1; e >= k && (*e == ' ' || *e == '\t'); e--)
            *e = '\0';
        while (*v == ' ' || *v == '\t')
            v++;
        (void)samsa_conf_set(conf, k, v, errstr, sizeof(errstr));
    }
    fclose(f);
    return 0;
}

samsa_client_t *
cg_client_new(cg_ctx_t *ctx, const char *bootstrap)
{
    samsa_conf_t *conf = samsa_conf_new();
    samsa_client_t *client = NULL;
    const char *timeout = ctx->val[CG_TIMEOUT] != NULL
                          ? ctx->val[CG_TIMEOUT] : "5000";
    char errstr[512];

    (void)samsa_conf_set(conf, "default.api.timeout.ms", timeout, errstr,
                         sizeof(errstr));
    (void)samsa_conf_set(conf, "request.timeout.ms", timeout, errstr,
                         sizeof(errstr));
    if (ctx->has[CG_COMMAND_CONFIG] &&
        cg_load_props(conf, ctx->val[CG_COMMAND_CONFIG]) != 0)
        goto out;
    if (samsa_conf_set(conf, "bootstrap.servers", bootstrap, errstr,
                       sizeof(errstr)) != SAMSA_OK) {
        fprintf(stderr, "Exception in thread \"main\" "
                "org.apache.kafka.common.config.ConfigException: %s\n",
                errstr);
        goto out;
    }
    client = samsa_client_new(conf, errstr, sizeof(errstr));
    if (client == NULL)
        fprintf(stderr, "Exception in thread \"main\" "
                "org.apache.kafka.common.KafkaException: %s\n", errstr);
out:
    samsa_conf_destroy(conf);
    return client;
}

/* ------------------------------------------------------------ plan */

static int
cg_long_arg(const char *opt, const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);

    if (*s == '\0' || *end != '\0')
        cg_usage_die("Cannot parse argument '%s' of option %s", s, opt);
    *out = v;
    return 0;
}

static const samsa_partition_offset_t *
cg_find(const samsa_partition_offset_t *v, int n, const char *topic,
        int32_t part)
{
    for (int i = 0; i < n; i++)
        if (v[i].partition == part && strcmp(v[i].topic, topic) == 0)
            return &v[i];
    return NULL;
}

static void
cg_add(samsa_partition_offset_t **v, int *n, const char *topic, int32_t p)
{
    if (cg_find(*v, *n, topic, p) != NULL)
        return;
    *v = sm_realloc(*v, (size_t)(*n + 1) * sizeof(**v));
    memset(&(*v)[*n], 0, sizeof(**v));
    (*v)[*n].topic = sm_strdup(topic);
    (*v)[*n].partition = p;
    (*v)[*n].offset = -1;
    (*n)++;
}

/* --topic t (every partition) or t:p,p; --all-topics: the committed. */
static int
cg_plan_partitions(cg_ctx_t *ctx, const samsa_partition_offset_t *com,
                   int ncom, samsa_partition_offset_t **vp, int *np)
{
    if (ctx->has[CG_ALL_TOPICS]) {
        for (int i = 0; i < ncom; i++)
            cg_add(vp, np, com[i].topic, com[i].partition);
        return 0;
    }
    if (!ctx->has[CG_TOPIC])
        cg_usage_die("One of the reset scopes should be defined: "
                     "--all-topics, --topic.");
    for (int i = 0; i < ctx->ntopics; i++) {
        char *t = sm_strdup(ctx->topics[i]);
        char *colon = strchr(t, ':');
        if (colon != NULL) {
            *colon = '\0';
            for (char *p = strtok(colon + 1, ","); p != NULL;
                 p = strtok(NULL, ","))
                cg_add(vp, np, t, (int32_t)atoi(p));
        } else {
            samsa_metadata_t *md = NULL;
            const char *one = t;
            char *msg = NULL;
            if (samsa_describe_topics(ctx->client, &one, 1, &md, &msg)
                != SAMSA_OK) {
                cg_error(ctx, "Executing consumer group command failed due "
                         "to %s", msg != NULL ? msg : "unknown error");
                free(msg);
                sm_free(t);
                return -1;
            }
            for (int j = 0; j < md->topic_cnt; j++)
                for (int k = 0; k < md->topics[j].partition_cnt; k++)
                    cg_add(vp, np, t,
                           md->topics[j].partitions[k].partition);
            samsa_metadata_destroy(md);
        }
        sm_free(t);
    }
    return 0;
}

/* Log offsets of v[0..n) by spec into a copy (heap). */
static samsa_partition_offset_t *
cg_log_offsets(cg_ctx_t *ctx, const samsa_partition_offset_t *v, int n,
               int64_t spec)
{
    samsa_partition_offset_t *lo = sm_calloc((size_t)n + 1, sizeof(*lo));
    char *msg = NULL;

    for (int i = 0; i < n; i++) {
        lo[i].topic = sm_strdup(v[i].topic);
        lo[i].partition = v[i].partition;
        lo[i].offset = -1;
        lo[i].err = SAMSA_OK;
    }
    if (n > 0 && samsa_list_offsets(ctx->client, lo, n, spec, &msg)
                 != SAMSA_OK) {
        for (int i = 0; i < n; i++)
            lo[i].err = -1;
        free(msg);
    }
    return lo;
}

static int
cg_cmp_po(const void *a, const void *b)
{
    const samsa_partition_offset_t *x = a, *y = b;
    int r = strcmp(x->topic, y->topic);

    return r != 0 ? r : (x->partition > y->partition) -
                        (x->partition < y->partition);
}

/* checkOffsetsRange: clamp plan offsets into [start, end]. */
static void
cg_clamp(cg_ctx_t *ctx, samsa_partition_offset_t *v, int n)
{
    samsa_partition_offset_t *lo = cg_log_offsets(ctx, v, n,
                                                  SAMSA_OFFSET_SPEC_EARLIEST);
    samsa_partition_offset_t *hi = cg_log_offsets(ctx, v, n,
                                                  SAMSA_OFFSET_SPEC_LATEST);

    for (int i = 0; i < n; i++) {
        if (hi[i].err == SAMSA_OK && v[i].offset > hi[i].offset) {
            sm_warn("consumer_groups", "New offset (%lld) is higher than "
                    "latest offset for topic partition %s-%d. Value will be "
                    "set to %lld", (long long)v[i].offset, v[i].topic,
                    (int)v[i].partition, (long long)hi[i].offset);
            v[i].offset = hi[i].offset;
        } else if (lo[i].err == SAMSA_OK && v[i].offset < lo[i].offset) {
            sm_warn("consumer_groups", "New offset (%lld) is lower than "
                    "earliest offset for topic partition %s-%d. Value will "
                    "be set to %lld", (long long)v[i].offset, v[i].topic,
                    (int)v[i].partition, (long long)lo[i].offset);
            v[i].offset = lo[i].offset;
        }
    }
    samsa_partition_offsets_free(lo, n);
    samsa_partition_offsets_free(hi, n);
}

/* Take v[i].offset from log offsets by spec; Kafka's usage death (what)
 * when one is missing.  by_time: a missing one falls back to the end. */
static void
cg_from_log(cg_ctx_t *ctx, samsa_partition_offset_t *v, int n, int64_t spec,
            const char *what)
{
    samsa_partition_offset_t *lo = cg_log_offsets(ctx, v, n, spec);

    for (int i = 0; i < n; i++) {
        if (lo[i].err == SAMSA_OK && lo[i].offset >= 0) {
            v[i].offset = lo[i].offset;
            continue;
        }
        if (spec >= 0 && lo[i].err == SAMSA_OK) {
            samsa_partition_offset_t *end =
                cg_log_offsets(ctx, &v[i], 1, SAMSA_OFFSET_SPEC_LATEST);
            int ok = end[0].err == SAMSA_OK;
            v[i].offset = end[0].offset;
            samsa_partition_offsets_free(end, 1);
            if (ok)
                continue;
        }
        cg_usage_die("Error getting %s offset of topic partition: %s-%d",
                     what, v[i].topic, (int)v[i].partition);
    }
    samsa_partition_offsets_free(lo, n);
}

static int
cg_plan_offsets(cg_ctx_t *ctx, const samsa_partition_offset_t *com,
                int ncom, samsa_partition_offset_t *v, int n)
{
    int64_t x;

    if (ctx->has[CG_TO_OFFSET]) {
        cg_long_arg("to-offset", ctx->val[CG_TO_OFFSET], &x);
        for (int i = 0; i < n; i++)
            v[i].offset = x;
        cg_clamp(ctx, v, n);
    } else if (ctx->has[CG_TO_EARLIEST]) {
        cg_from_log(ctx, v, n, SAMSA_OFFSET_SPEC_EARLIEST, "starting");
    } else if (ctx->has[CG_TO_LATEST]) {
        cg_from_log(ctx, v, n, SAMSA_OFFSET_SPEC_LATEST, "ending");
    } else if (ctx->has[CG_SHIFT_BY]) {
        cg_long_arg("shift-by", ctx->val[CG_SHIFT_BY], &x);
        for (int i = 0; i < n; i++) {
            const samsa_partition_offset_t *c =
                cg_find(com, ncom, v[i].topic, v[i].partition);
            if (c == NULL) {
                cg_error(ctx, "Executing consumer group command failed due "
                         "to Cannot shift offset for partition %s-%d since "
                         "there is no current committed offset", v[i].topic,
                         (int)v[i].partition);
                return -1;
            }
            v[i].offset = c->offset + x;
        }
        cg_clamp(ctx, v, n);
    } else if (ctx->has[CG_TO_DATETIME] || ctx->has[CG_BY_DURATION]) {
        if (ctx->has[CG_TO_DATETIME]) {
            if (cg_parse_datetime(ctx->val[CG_TO_DATETIME], &x) != 0) {
                cg_error(ctx, "Executing consumer group command failed due "
                         "to Unparseable date: \"%s\"",
                         ctx->val[CG_TO_DATETIME]);
                return -1;
            }
        } else {
            if (cg_parse_duration(ctx->val[CG_BY_DURATION], &x) != 0) {
                cg_error(ctx, "Executing consumer group command failed due "
                         "to Text cannot be parsed to a Duration");
                return -1;
            }
            x = sm_now_ms() - x;
        }
        cg_from_log(ctx, v, n, x < 0 ? 0 : x, "offset by timestamp");
    } else if (ctx->has[CG_TO_CURRENT]) {
        for (int i = 0; i < n; i++) {
            const samsa_partition_offset_t *c =
                cg_find(com, ncom, v[i].topic, v[i].partition);
            if (c != NULL)
                v[i].offset = c->offset;
            else
                cg_from_log(ctx, &v[i], 1, SAMSA_OFFSET_SPEC_LATEST,
                            "ending");
        }
    } else {
        cg_usage_die("Option '[reset-offsets]' requires one of the "
                     "following scenarios: [to-offset, shift-by, "
                     "to-datetime, by-duration, to-earliest, to-latest, "
                     "to-current, from-file]");
    }
    return 0;
}

/* --from-file: group's lines (the old 3-field format applies when one
 * --group is given and the first line has 3 fields).  1 if the file has
 * no line for group, -1 on an unreadable file or line. */
static int
cg_plan_from_file(cg_ctx_t *ctx, const char *group,
                  samsa_partition_offset_t **vp, int *np)
{
    FILE *f = fopen(ctx->val[CG_FROM_FILE], "r");
    char line[1024], copy[1024], *g, *t;
    int nf = 4, first = 1, rc = 0;
    int64_t off;
    int32_t p;

    if (f == NULL) {
        cg_error(ctx, "Executing consumer group command failed due to %s",
                 ctx->val[CG_FROM_FILE]);
        return -1;
    }
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        if (first && ctx->ngroups == 1) {
            snprintf(copy, sizeof(copy), "%s", line);
            nf = cg_csv_line(copy, 3, &g, &t, &p, &off) == 0 ? 3 : 4;
        }
        first = 0;
        if (cg_csv_line(line, nf, &g, &t, &p, &off) != 0) {
            cg_error(ctx, "Executing consumer group command failed due to "
                     "unparsable CSV line: %s", line);
            rc = -1;
        } else if (g == NULL || strcmp(g, group) == 0) {
            cg_add(vp, np, t, p);
            (*vp)[*np - 1].offset = off;
        }
    }
    fclose(f);
    if (rc == 0 && *np == 0) {
        cg_error(ctx, "No reset plan for group %s found", group);
        return 1;
    }
    if (rc == 0)
        cg_clamp(ctx, *vp, *np);
    return rc;
}

int
cg_reset_plan(cg_ctx_t *ctx, const char *group,
              const samsa_partition_offset_t *committed, int ncommitted,
              samsa_partition_offset_t **planp, int *nplan)
{
    samsa_partition_offset_t *v = NULL;
    int n = 0;

    *planp = NULL;
    *nplan = 0;
    if (ctx->has[CG_FROM_FILE]) {
        int r = cg_plan_from_file(ctx, group, &v, &n);
        if (r < 0) {
            samsa_partition_offsets_free(v, n);
            return -1;
        }
    } else if (cg_plan_partitions(ctx, committed, ncommitted, &v, &n) != 0 ||
        cg_plan_offsets(ctx, committed, ncommitted, v, n) != 0) {
        samsa_partition_offsets_free(v, n);
        return -1;
    }
    if (n > 0)
        qsort(v, (size_t)n, sizeof(*v), cg_cmp_po);
    *planp = v;
    *nplan = n;
    return 0;
}

void
cg_print_plan_header(const cg_ctx_t *ctx)
{
    if (ctx->has[CG_EXPORT])
        return;
    printf("\n%-30s %-30s %-10s %-15s\n", "GROUP", "TOPIC", "PARTITION",
           "NEW-OFFSET");
}

void
cg_print_plan(const cg_ctx_t *ctx, const char *group,
              const samsa_partition_offset_t *plan, int n)
{
    for (int i = 0; i < n; i++) {
        if (!ctx->has[CG_EXPORT])
            printf("%-30s %-30s %-10d %-15lld\n", group, plan[i].topic,
                   (int)plan[i].partition, (long long)plan[i].offset);
        else if (ctx->ngroups == 1)
            printf("%s,%d,%lld\n", plan[i].topic, (int)plan[i].partition,
                   (long long)plan[i].offset);
        else
            printf("%s,%s,%d,%lld\n", group, plan[i].topic,
                   (int)plan[i].partition, (long long)plan[i].offset);
    }
}

void
cg_print_plan_end(const cg_ctx_t *ctx)
{
    if (ctx->has[CG_EXPORT])
        printf("\n");
}

/* ------------------------------------------------------------ checks */

static void
cg_parse(int argc, char **argv, cg_ctx_t *ctx)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "", cg_longopts, NULL)) != -1) {
        if (c == '?' || c == ':') {
            /* jopt-simple throws from the options' constructor, which
             * nothing catches */
            const char *a = argv[optind - 1];
            fflush(stdout);
            while (*a == '-')
                a++;
            if (optopt != 0)
                fprintf(stderr, "Exception in thread \"main\" joptsimple."
                        "OptionMissingRequiredArgumentException: Option "
                        "%.*s requires an argument\n",
                        (int)strcspn(a, "="), a);
            else
                fprintf(stderr, "Exception in thread \"main\" joptsimple."
                        "UnrecognizedOptionException: %.*s is not a "
                        "recognized option\n", (int)strcspn(a, "="), a);
            exit(1);
        }
        ctx->has[c]++;
        ctx->val[c] = optarg;
        if (c == CG_GROUP) {
            ctx->groups = sm_realloc(ctx->groups, (size_t)(ctx->ngroups + 1)
                                     * sizeof(*ctx->groups));
            ctx->groups[ctx->ngroups++] = optarg;
        } else if (c == CG_TOPIC) {
            ctx->topics = sm_realloc(ctx->topics, (size_t)(ctx->ntopics + 1)
                                     * sizeof(*ctx->topics));
            ctx->topics[ctx->ntopics++] = optarg;
        }
    }
}

/* checkInvalidArgs(opt, others): opt may not be used with any of them. */
static void
cg_invalid(const cg_ctx_t *ctx, int opt, const int *others, int n,
           const char *const *names, const char *optname)
{
    for (int i = 0; i < n; i++)
        if (ctx->has[opt] && ctx->has[others[i]])
            cg_usage_die("Option \"[%s]\" can't be used with option "
                         "\"[%s]\"", optname, names[i]);
}

static void
cg_check_reset(const cg_ctx_t *ctx)
{
    static const int sc[] = { CG_TO_OFFSET, CG_SHIFT_BY, CG_TO_DATETIME,
                              CG_BY_DURATION, CG_TO_EARLIEST, CG_TO_LATEST,
                              CG_TO_CURRENT, CG_FROM_FILE };
    static const char *const nm[] = { "to-offset", "shift-by",
                                      "to-datetime", "by-duration",
                                      "to-earliest", "to-latest",
                                      "to-current", "from-file" };
    int n = (int)(sizeof(sc) / sizeof(sc[0]));

    if (ctx->has[CG_DRY_RUN] && ctx->has[CG_EXECUTE])
        cg_usage_die("Option [reset-offsets] only accepts one of [execute] "
                     "and [dry-run]");
    if (!ctx->has[CG_DRY_RUN] && !ctx->has[CG_EXECUTE])
        fprintf(stderr, "WARN: No action will be performed as the --execute "
                "option is missing.In a future major release, the default "
                "behavior of this command will be to prompt the user before "
                "executing the reset rather than doing a dry run. You should "
                "add the --dry-run option explicitly if you are scripting "
                "this command and want to keep the current default behavior "
                "without prompting.\n");
    if (!ctx->has[CG_GROUP] && !ctx->has[CG_ALL_GROUPS])
        cg_usage_die("Option [reset-offsets] takes one of these options: "
                     "[group], [all-groups]");
    for (int i = 0; i < n; i++)
        if (ctx->has[sc[i]])
            for (int j = 0; j < n; j++)
                if (j != i && ctx->has[sc[j]])
                    cg_usage_die("Option \"[%s]\" can't be used with option "
                                 "\"[%s]\"", nm[i], nm[j]);
}

static void
cg_check(const cg_ctx_t *ctx)
{
    static const int lvl[] = { CG_LIST };
    static const char *const lvln[] = { "list" };
    static const int tlvl[] = { CG_LIST, CG_DESCRIBE };
    static const char *const tlvln[] = { "list", "describe" };
    int sub = ctx->has[CG_MEMBERS] + ctx->has[CG_OFFSETS] +
              ctx->has[CG_STATE];

    if (!ctx->has[CG_BOOTSTRAP] && !ctx->has[CG_ZOOKEEPER])
        cg_usage_die("Missing required argument \"[bootstrap-server]\"");
    if (ctx->has[CG_BOOTSTRAP] && ctx->has[CG_ZOOKEEPER] &&
        !ctx->has[CG_COPY])
        cg_usage_die("Option [bootstrap-server] is not valid with "
                     "[zookeeper].");
    if ((sub || ctx->has[CG_VERBOSE]) && !ctx->has[CG_DESCRIBE])
        cg_usage_die("Option(s) [members, offsets, state, verbose] are "
                     "unavailable given other options on the command line");
    if (sub > 1)
        cg_usage_die("Option(s) [members, offsets, state] are mutually "
                     "exclusive");
    if (ctx->has[CG_ZOOKEEPER] && (sub > 0 || ctx->has[CG_VERBOSE]))
        cg_usage_die("Option(s) [members, offsets, state, verbose] are "
                     "unavailable given other options on the command line");
    if (ctx->has[CG_TIMEOUT]) {
        int64_t t;
        cg_long_arg("timeout", ctx->val[CG_TIMEOUT], &t);
    }
    if (ctx->has[CG_DESCRIBE] && !ctx->has[CG_GROUP] &&
        !ctx->has[CG_ALL_GROUPS])
        cg_usage_die("Option [describe] takes one of these options: "
                     "[group], [all-groups]");
    if (ctx->has[CG_DELETE] && ctx->has[CG_ZOOKEEPER]) {
        /* Kafka 1.x: per group, per topic, or both */
        if (!ctx->has[CG_GROUP] && !ctx->has[CG_TOPIC] &&
            !ctx->has[CG_ALL_GROUPS])
            cg_usage_die("Option [delete] either takes [group], [topic], "
                         "or both");
    } else if (ctx->has[CG_DELETE]) {
        if (!ctx->has[CG_GROUP] && !ctx->has[CG_ALL_GROUPS])
            cg_usage_die("Option [delete] takes one of these options: "
                         "[group], [all-groups]");
        if (ctx->has[CG_TOPIC])
            cg_usage_die("The consumer does not support topic-specific "
                         "offset deletion from a consumer group.");
    }
    if (ctx->has[CG_DELETE_OFFSETS] &&
        (!ctx->has[CG_GROUP] || !ctx->has[CG_TOPIC]))
        cg_usage_die("Option [delete-offsets] takes the following options: "
                     "[group], [topic]");
    if (ctx->has[CG_DELETE_OFFSETS] && ctx->has[CG_ZOOKEEPER])
        cg_usage_die("Option [delete-offsets] may be used with "
                     "--bootstrap-server only");
    if (ctx->has[CG_EXPORT] && !ctx->has[CG_RESET])
        cg_usage_die("Option [export] may be used with [reset-offsets] "
                     "only");
    if (ctx->has[CG_RESET])
        cg_check_reset(ctx);
    if (ctx->has[CG_GROUP] && ctx->has[CG_ALL_GROUPS])
        cg_usage_die("Option \"[group]\" can't be used with option "
                     "\"[all-groups]\"");
    cg_invalid(ctx, CG_GROUP, lvl, 1, lvln, "group");
    cg_invalid(ctx, CG_TOPIC, tlvl, 2, tlvln, "topic");
}

static void
cg_check_copy(const cg_ctx_t *ctx)
{
    const char *f = ctx->val[CG_FROM], *t = ctx->val[CG_TO];

    if (f == NULL || t == NULL)
        cg_usage_die("Option [copy-offsets] requires --from and --to");
    if (!((strcmp(f, "kafka") == 0 && strcmp(t, "zookeeper") == 0) ||
          (strcmp(f, "zookeeper") == 0 && strcmp(t, "kafka") == 0)))
        cg_usage_die("Option [copy-offsets] copies --from kafka --to "
                     "zookeeper or --from zookeeper --to kafka");
    if (!ctx->has[CG_BOOTSTRAP] || !ctx->has[CG_ZOOKEEPER])
        cg_usage_die("Option [copy-offsets] requires both "
                     "--bootstrap-server and --zookeeper");
    if (ctx->ngroups != 1)
        cg_usage_die("Option [copy-offsets] takes exactly one --group");
    if (ctx->has[CG_DRY_RUN] && ctx->has[CG_EXECUTE])
        cg_usage_die("Option [copy-offsets] only accepts one of [execute] "
                     "and [dry-run]");
}

/* ------------------------------------------------------------ main */

static int
cg_run(cg_ctx_t *ctx)
{
    if (ctx->has[CG_COPY])
        return cg_copy_offsets(ctx);
    if (ctx->has[CG_ZOOKEEPER]) {
        fprintf(stderr, "Note: This will only show information about "
                "consumers that use ZooKeeper (not those using the Java "
                "consumer API).\n");
        if (cg_zk_open(ctx) != 0)
            return 2;
        if (ctx->has[CG_LIST])
            return cg_zk_list(ctx);
        if (ctx->has[CG_DESCRIBE])
            return cg_zk_describe(ctx);
        if (ctx->has[CG_DELETE])
            return cg_zk_delete(ctx);
        return cg_zk_reset(ctx);
    }
    ctx->client = cg_client_new(ctx, ctx->val[CG_BOOTSTRAP]);
    if (ctx->client == NULL)
        return 2;
    if (ctx->has[CG_LIST])
        return cg_kafka_list(ctx);
    if (ctx->has[CG_DESCRIBE])
        return cg_kafka_describe(ctx);
    if (ctx->has[CG_DELETE])
        return cg_kafka_delete(ctx);
    if (ctx->has[CG_DELETE_OFFSETS])
        return cg_kafka_delete_offsets(ctx);
    return cg_kafka_reset(ctx);
}

int
main(int argc, char **argv)
{
    cg_ctx_t ctx;
    int actions, rc;

    sm_log_init_tool();
    memset(&ctx, 0, sizeof(ctx));
    if (argc < 2)
        cg_usage_die("This tool helps to list all consumer groups, describe "
                     "a consumer group, delete consumer group info, or reset "
                     "consumer group offsets.");
    cg_parse(argc, argv, &ctx);
    if (ctx.has[CG_HELP])
        cg_usage_die("This tool helps to list all consumer groups, describe "
                     "a consumer group, delete consumer group info, or reset "
                     "consumer group offsets.");
    if (ctx.has[CG_VERSION]) {
        printf("%s (Commit:unknown)\n", PACKAGE_VERSION);
        return 0;
    }
    actions = ctx.has[CG_LIST] + ctx.has[CG_DESCRIBE] + ctx.has[CG_DELETE] +
              ctx.has[CG_RESET] + ctx.has[CG_COPY] +
              ctx.has[CG_DELETE_OFFSETS];
    if (actions != 1)
        cg_usage_die("Command must include exactly one action: --list, "
                     "--describe, --delete, --reset-offsets, "
                     "--delete-offsets");
    if (ctx.has[CG_COPY])
        cg_check_copy(&ctx);
    else
        cg_check(&ctx);
    rc = cg_run(&ctx);
    if (ctx.client != NULL)
        samsa_client_destroy(ctx.client);
    if (ctx.zk != NULL)
        sm_zk_destroy(ctx.zk);
    sm_free(ctx.groups);
    sm_free(ctx.topics);
    fflush(stdout);
    /* Kafka's main catches what the command throws, prints it and exits
     * 0; only what escapes it (2: no client, no ZooKeeper) exits 1 */
    return rc == 2 ? 1 : 0;
}
