/*
 * samsa-topics: create, delete, describe, list or alter topics - samsa's
 * kafka.admin.TopicCommand (Kafka 2.4-2.8), run by bin/kafka-topics.sh.
 * topics.h lists the other files and the output contract.
 *
 * COMMAND LINE.  jopt-simple's rules as Kafka configures them (no
 * abbreviations): --name or -name, the argument after '=' or as the next
 * word (a required argument takes the next word even if it starts with
 * '-'), "--" ends the options, other words are ignored, an unknown option
 * or a missing argument is an uncaught joptsimple exception.  Repeatable
 * options (--config, --delete-config) keep every argument; the others
 * fail when their value is read if given twice.
 *
 * CHECKS.  checkArgs() runs TopicCommandOptions.checkArgs' checks in
 * Kafka's order and with its messages.  Where Kafka tests a set of options
 * whose iteration order is a hash order (two conflicting options given at
 * once), samsa reports the action option first, then the others in
 * declaration order.
 *
 * EXIT STATUS: 0 on success, 1 on any error (usage, a failed action, an
 * "uncaught exception"), as Kafka's Exit.exit(1) and the JVM's.
 *
 * Threads: one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "config.h"
#include "common/sm_buf.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/config.h"
#include "tools/topics.h"

#define TP_ARG_NONE     0
#define TP_ARG_REQUIRED 1

static const struct {
    const char *name;
    int         arg;
    const char *argdesc;          /* "<String: topic>" */
    const char *desc;             /* NULL: built at run time (--config) */
} tp_opts[O__CNT] = {
    [O_HELP] = { "help", 0, NULL, "Print usage information." },
    [O_VERSION] = { "version", 0, NULL, "Display Kafka version." },
    [O_BOOTSTRAP] = { "bootstrap-server", 1,
        "<String: server to connect to>",
        "REQUIRED: The Kafka server to connect to. In case of providing "
        "this, a direct Zookeeper connection won't be required." },
    [O_COMMAND_CONFIG] = { "command-config", 1,
        "<String: command config property file>",
        "Property file containing configs to be passed to Admin Client. "
        "This is used only with --bootstrap-server option for describing "
        "and altering broker configs." },
    [O_ZOOKEEPER] = { "zookeeper", 1, "<String: hosts>",
        "DEPRECATED, The connection string for the zookeeper connection in "
        "the form host:port. Multiple hosts can be given to allow "
        "fail-over." },
    [O_LIST] = { "list", 0, NULL, "List all available topics." },
    [O_CREATE] = { "create", 0, NULL, "Create a new topic." },
    [O_DELETE] = { "delete", 0, NULL, "Delete a topic" },
    [O_ALTER] = { "alter", 0, NULL, "Alter the number of partitions, "
        "replica assignment, and/or configuration for the topic." },
    [O_DESCRIBE] = { "describe", 0, NULL,
        "List details for the given topics." },
    [O_TOPIC] = { "topic", 1, "<String: topic>",
        "The topic to create, alter, describe or delete. It also accepts a "
        "regular expression, except for --create option. Put topic name in "
        "double quotes and use the '\\' prefix to escape regular expression "
        "symbols; e.g. \"test\\.topic\"." },
    [O_CONFIG] = { "config", 1, "<String: name=value>", NULL },
    [O_DELETE_CONFIG] = { "delete-config", 1, "<String: name>",
        "A topic configuration override to be removed for an existing "
        "topic (see the list of configurations under the --config option). "
        "Not supported with the --bootstrap-server option." },
    [O_PARTITIONS] = { "partitions", 1, "<Integer: # of partitions>",
        "The number of partitions for the topic being created or altered "
        "(WARNING: If partitions are increased for a topic that has a key, "
        "the partition logic or ordering of the messages will be "
        "affected). If not supplied for create, defaults to the cluster "
        "default." },
    [O_REPLICATION_FACTOR] = { "replication-factor", 1,
        "<Integer: replication factor>",
        "The replication factor for each partition in the topic being "
        "created. If not supplied, defaults to the cluster default." },
    [O_REPLICA_ASSIGNMENT] = { "replica-assignment", 1,
        "<String: broker_id_for_part1_replica1 : "
        "broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : "
        "broker_id_for_part2_replica2 , ...>",
        "A list of manual partition-to-broker assignments for the topic "
        "being created or altered." },
    [O_UNDER_REPLICATED] = { "under-replicated-partitions", 0, NULL,
        "if set when describing topics, only show under replicated "
        "partitions" },
    [O_UNAVAILABLE] = { "unavailable-partitions", 0, NULL,
        "if set when describing topics, only show partitions whose leader "
        "is not available" },
    [O_UNDER_MIN_ISR] = { "under-min-isr-partitions", 0, NULL,
        "if set when describing topics, only show partitions whose isr "
        "count is less than the configured minimum. Not supported with the "
        "--zookeeper option." },
    [O_AT_MIN_ISR] = { "at-min-isr-partitions", 0, NULL,
        "if set when describing topics, only show partitions whose isr "
        "count is equal to the configured minimum. Not supported with the "
        "--zookeeper option." },
    [O_TOPICS_WITH_OVERRIDES] = { "topics-with-overrides", 0, NULL,
        "if set when describing topics, only show topics that have "
        "overridden configs" },
    [O_IF_EXISTS] = { "if-exists", 0, NULL,
        "if set when altering or deleting or describing topics, the action "
        "will only execute if the topic exists." },
    [O_IF_NOT_EXISTS] = { "if-not-exists", 0, NULL,
        "if set when creating topics, the action will only execute if the "
        "topic does not already exist." },
    [O_DISABLE_RACK_AWARE] = { "disable-rack-aware", 0, NULL,
        "Disable rack aware replica assignment" },
    [O_FORCE] = { "force", 0, NULL, "Suppress console prompts" },
    [O_EXCLUDE_INTERNAL] = { "exclude-internal", 0, NULL,
        "exclude internal topics when running list or describe command. The "
        "internal topics will be listed by default" },
};

#define TP_KAFKA_CONFIGS_HINT " (the kafka-configs CLI supports altering " \
    "topic configs with a --bootstrap-server option)"

/* ------------------------------------------------------------ help */

/* --config's description: Kafka lists LogConfig.configNames, sorted. */
static char *
tp_config_desc(void)
{
    const char *names[64];
    sm_buf_t b = SM_BUF_INIT;
    int n = 0;
    static const char head[] = "A topic configuration override for the "
        "topic being created or altered. The following is a list of valid "
        "configurations: ";
    static const char tail[] = "See the Kafka documentation for full "
        "details on the topic configs. It is supported only in combination "
        "with --create if --bootstrap-server option is used"
        TP_KAFKA_CONFIGS_HINT ".";

    for (int k = 0; n < 64 && sm_topic_conf_name(k) != NULL; k++)
        names[n++] = sm_topic_conf_name(k);
    for (int i = 1; i < n; i++)         /* sort: n is small */
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    sm_buf_write(&b, head, strlen(head));
    for (int i = 0; i < n; i++) {
        sm_buf_write(&b, "\n\t", 2);
        sm_buf_write(&b, names[i], strlen(names[i]));
    }
    sm_buf_write(&b, "\n", 1);
    sm_buf_write(&b, tail, sizeof(tail));
    return (char *)sm_buf_detach(&b, NULL);
}

static int
tp_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* A break after p[i] inside a word: after '-' or '.' between letters. */
static int
tp_inner_break(const char *p, int i)
{
    return (p[i] == '-' || p[i] == '.') && i > 0 && tp_alnum(p[i - 1]) &&
           tp_alnum(p[i + 1]);
}

/* Wrap text into lines of at most width (continuation lines: indent 2),
 * breaking at blanks, after '-' and after '.' before a letter, and at
 * '\n'.  Returns the number of lines; lines[i] are heap strings. */
static int
tp_wrap(const char *text, int width, char ***lines)
{
    int n = 0, cap = 8;
    const char *p = text;

    *lines = sm_calloc((size_t)cap, sizeof(char *));
    while (*p) {
        int ind = n > 0 && *p != '\t' ? 2 : 0, room = width - ind, brk = 0;
        int len = 0;
        while (p[len] && p[len] != '\n' && len < room) {
            if (p[len] == ' ' || tp_inner_break(p, len))
                brk = len + 1;
            len++;
        }
        if (p[len] && p[len] != '\n' && p[len] != ' ' && brk > 0)
            len = brk;
        if (n + 1 >= cap)
            *lines = sm_realloc(*lines, (size_t)(cap *= 2) * sizeof(char *));
        (*lines)[n++] = sm_asprintf("%*s%.*s", ind, "", len, p);
        for (int k = (int)strlen((*lines)[n - 1]); k > 0 &&
             (*lines)[n - 1][k - 1] == ' '; k--)
            (*lines)[n - 1][k - 1] = '\0';
        p += len;
        if (*p == '\n')
            p++;
        else
            while (*p == ' ')
                p++;
    }
    return n;
}

static void
tp_help_row(FILE *out, const char *opt, const char *desc)
{
    char **l = NULL, **r = NULL;
    int nl = tp_wrap(opt, 38, &l), nr = tp_wrap(desc, 38, &r);

    for (int i = 0; i < nl || i < nr; i++)
        fprintf(out, "%-41s%-39s\n", i < nl ? l[i] : "", i < nr ? r[i] : "");
    for (int i = 0; i < nl; i++)
        free(l[i]);
    for (int i = 0; i < nr; i++)
        free(r[i]);
    free(l);
    free(r);
}

static int
tp_cmp_opt(const void *a, const void *b)
{
    return strcmp(tp_opts[*(const int *)a].name, tp_opts[*(const int *)b].name);
}

/* The option table as jopt-simple prints it (alphabetical). */
static void
tp_print_help(FILE *out)
{
    int order[O__CNT];
    char *cdesc = tp_config_desc();

    for (int i = 0; i < O__CNT; i++)
        order[i] = i;
    qsort(order, O__CNT, sizeof(int), tp_cmp_opt);
    fprintf(out, "%-41s%-39s\n", "Option", "Description");
    fprintf(out, "%-41s%-39s\n", "------", "-----------");
    for (int i = 0; i < O__CNT; i++) {
        int o = order[i];
        char *opt = sm_asprintf("--%s%s%s", tp_opts[o].name,
                                tp_opts[o].argdesc ? " " : "",
                                tp_opts[o].argdesc ? tp_opts[o].argdesc
                                                   : "");
        tp_help_row(out, opt, tp_opts[o].desc ? tp_opts[o].desc : cdesc);
        free(opt);
    }
    free(cdesc);
}

/* CommandLineUtils.printUsageAndDie */
static int
tp_usage(const char *message)
{
    fflush(stdout);
    fprintf(stderr, "%s\n", message);
    tp_print_help(stderr);
    return 1;
}

/* ------------------------------------------------------------ parsing */

/* Print an uncaught exception as the JVM does; returns 1 (the status). */
static int
tp_uncaught(const char *cls, const char *msg)
{
    fflush(stdout);
    fprintf(stderr, "Exception in thread \"main\" %s: %s\n", cls, msg);
    return 1;
}

static int
tp_find_opt(const char *key, size_t len)
{
    for (int i = 0; i < O__CNT; i++)
        if (strlen(tp_opts[i].name) == len &&
            memcmp(tp_opts[i].name, key, len) == 0)
            return i;
    return -1;
}

static void
tp_add_arg(tp_optval_t *v, const char *arg)
{
    v->args = sm_realloc(v->args, (size_t)(v->nargs + 1) * sizeof(char *));
    v->args[v->nargs++] = arg;
}

/* One option word (without its dashes); may consume argv[*i + 1]. */
static int
tp_parse_token(tp_ctx_t *ctx, const char *body, int long_form, int argc,
               char **argv, int *i)
{
    const char *eq = strchr(body, '=');
    size_t klen = eq ? (size_t)(eq - body) : strlen(body);
    int o = tp_find_opt(body, klen);
    char *msg;

    if (o < 0) {
        msg = long_form ? sm_asprintf("%.*s is not a recognized option",
                                      (int)klen, body)
                        : sm_asprintf("%c is not a recognized option",
                                      body[0]);
        tp_uncaught("joptsimple.UnrecognizedOptionException", msg);
        free(msg);
        return -1;
    }
    ctx->opt[o].count++;
    if (tp_opts[o].arg == TP_ARG_NONE)
        return 0;
    if (eq != NULL) {
        tp_add_arg(&ctx->opt[o], eq + 1);
    } else if (*i + 1 < argc) {
        tp_add_arg(&ctx->opt[o], argv[++*i]);
    } else {
        msg = sm_asprintf("Option %s requires an argument", tp_opts[o].name);
        tp_uncaught("joptsimple.OptionMissingRequiredArgumentException",
                    msg);
        free(msg);
        return -1;
    }
    return 0;
}

static int
tp_parse_args(tp_ctx_t *ctx, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] == '-' && a[1] == '-') {
            if (tp_parse_token(ctx, a + 2, 1, argc, argv, &i) != 0)
                return -1;
        } else if (a[0] == '-' && a[1] != '\0') {
            if (tp_parse_token(ctx, a + 1, 0, argc, argv, &i) != 0)
                return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ checks */

static int
tp_missing(const tp_ctx_t *ctx, int o)
{
    char *msg;
    int rc;

    if (tp_has(ctx, o))
        return 0;
    msg = sm_asprintf("Missing required argument \"[%s]\"", tp_opts[o].name);
    rc = tp_usage(msg);
    free(msg);
    return rc;
}

/* checkInvalidArgs(used, invalid[0..n)): the first present one fails. */
static int
tp_invalid(const tp_ctx_t *ctx, int used, const int *invalid, int n)
{
    char *msg;
    int rc;

    if (!tp_has(ctx, used))
        return 0;
    for (int i = 0; i < n; i++) {
        if (invalid[i] == used || !tp_has(ctx, invalid[i]))
            continue;
        msg = sm_asprintf("Option \"[%s]\" can't be used with option "
                          "\"[%s]\"", tp_opts[used].name,
                          tp_opts[invalid[i]].name);
        rc = tp_usage(msg);
        free(msg);
        return rc;
    }
    return 0;
}

#define TP_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The checkInvalidArgs calls of checkArgs, in Kafka's order. */
static int
tp_check_invalid(const tp_ctx_t *ctx)
{
    static const int not_alter_create[] = { O_DESCRIBE, O_LIST, O_DELETE };
    static const int del_cfg[] = { O_CREATE, O_DESCRIBE, O_LIST, O_DELETE,
                                   O_BOOTSTRAP };
    static const int rf[] = { O_ALTER, O_DESCRIBE, O_LIST, O_DELETE };
    static const int ra[] = { O_DESCRIBE, O_LIST, O_DELETE };
    static const int ra_create[] = { O_PARTITIONS, O_REPLICATION_FACTOR };
    static const int report[] = { O_ALTER, O_CREATE, O_LIST, O_DELETE,
        O_UNDER_REPLICATED, O_UNDER_MIN_ISR, O_AT_MIN_ISR, O_UNAVAILABLE,
        O_TOPICS_WITH_OVERRIDES, O_ZOOKEEPER };
    static const int if_exists[] = { O_CREATE, O_LIST };
    static const int if_not_exists[] = { O_ALTER, O_DESCRIBE, O_LIST,
                                         O_DELETE };
    static const int excl[] = { O_ALTER, O_CREATE, O_DELETE };
    /* the report options: all of report[] but the zookeeper entry for
     * the two that work with --zookeeper, and without
     * topics-with-overrides for itself */
    int n_zk = TP_N(report), n_nozk = TP_N(report) - 1;

    if (tp_invalid(ctx, O_CONFIG, not_alter_create, 3) ||
        tp_invalid(ctx, O_DELETE_CONFIG, del_cfg, TP_N(del_cfg)) ||
        tp_invalid(ctx, O_PARTITIONS, not_alter_create, 3) ||
        tp_invalid(ctx, O_REPLICATION_FACTOR, rf, TP_N(rf)) ||
        tp_invalid(ctx, O_REPLICA_ASSIGNMENT, ra, TP_N(ra)))
        return 1;
    if (tp_has(ctx, O_CREATE) &&
        tp_invalid(ctx, O_REPLICA_ASSIGNMENT, ra_create, 2))
        return 1;
    if (tp_invalid(ctx, O_UNDER_REPLICATED, report, n_nozk) ||
        tp_invalid(ctx, O_UNDER_MIN_ISR, report, n_zk) ||
        tp_invalid(ctx, O_AT_MIN_ISR, report, n_zk) ||
        tp_invalid(ctx, O_UNAVAILABLE, report, n_nozk) ||
        tp_invalid(ctx, O_TOPICS_WITH_OVERRIDES, report, n_nozk - 1) ||
        tp_invalid(ctx, O_IF_EXISTS, if_exists, TP_N(if_exists)) ||
        tp_invalid(ctx, O_IF_NOT_EXISTS, if_not_exists,
                   TP_N(if_not_exists)) ||
        tp_invalid(ctx, O_EXCLUDE_INTERNAL, excl, TP_N(excl)))
        return 1;
    return 0;
}

/* TopicCommandOptions.checkArgs; returns the exit status or -1 to go
 * on. */
static int
tp_check_args(tp_ctx_t *ctx, int argc)
{
    int actions = tp_has(ctx, O_CREATE) + tp_has(ctx, O_LIST) +
                  tp_has(ctx, O_ALTER) + tp_has(ctx, O_DESCRIBE) +
                  tp_has(ctx, O_DELETE);

    if (argc < 2)
        return tp_usage("Create, delete, describe, or change a topic.");
    if (tp_has(ctx, O_HELP))
        return tp_usage("This tool helps to create, delete, describe, or "
                        "change a topic.");
    if (tp_has(ctx, O_VERSION)) {
        printf("%s (Commit:unknown)\n", PACKAGE_VERSION);
        return 0;
    }
    if (actions != 1)
        return tp_usage("Command must include exactly one action: --list, "
                        "--describe, --create, --alter or --delete");
    if (tp_has(ctx, O_BOOTSTRAP) == tp_has(ctx, O_ZOOKEEPER))
        return tp_uncaught("java.lang.IllegalArgumentException", "Only one "
                           "of --bootstrap-server or --zookeeper must be "
                           "specified");
    if ((tp_has(ctx, O_DESCRIBE) && tp_has(ctx, O_IF_EXISTS) &&
         tp_missing(ctx, O_TOPIC)) ||
        (!tp_has(ctx, O_LIST) && !tp_has(ctx, O_DESCRIBE) &&
         tp_missing(ctx, O_TOPIC)))
        return 1;
    if (tp_has(ctx, O_CREATE) && !tp_has(ctx, O_REPLICA_ASSIGNMENT) &&
        tp_has(ctx, O_ZOOKEEPER) &&
        (tp_missing(ctx, O_PARTITIONS) ||
         tp_missing(ctx, O_REPLICATION_FACTOR)))
        return 1;
    if (tp_has(ctx, O_BOOTSTRAP) && tp_has(ctx, O_ALTER)) {
        if (tp_has(ctx, O_CONFIG))
            return tp_usage("Option combination \"[bootstrap-server],"
                            "[config]\" can't be used with option "
                            "\"[alter]\"" TP_KAFKA_CONFIGS_HINT);
        if (tp_missing(ctx, O_PARTITIONS))
            return 1;
    }
    return tp_check_invalid(ctx) ? 1 : -1;
}

/* ------------------------------------------------------------ running */

/* printException: stdout line, stack trace logged at ERROR on stderr. */
static void
tp_print_exception(const tp_ctx_t *ctx)
{
    struct timeval tv;
    struct tm tm;
    char ts[32];

    printf("Error while executing topic command : %s\n", ctx->exc_msg);
    fflush(stdout);
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "[%s,%03d] ERROR %s: %s (kafka.admin.TopicCommand$)\n",
            ts, (int)(tv.tv_usec / 1000), ctx->exc_class, ctx->exc_msg);
}

/* TopicService.createTopic(opts): parse, warn about '.'/'_', create. */
static int
tp_create(tp_ctx_t *ctx, const tp_service_t *svc)
{
    tp_cmd_t cmd;
    int rc = tp_cmd_parse(ctx, &cmd);

    if (rc == 0 && tp_has_collision_chars(cmd.name))
        printf("WARNING: Due to limitations in metric names, topics with a "
               "period ('.') or underscore ('_') could collide. To avoid "
               "issues it is best to use either, but not both.\n");
    if (rc == 0)
        rc = svc->create(ctx, &cmd);
    tp_cmd_fini(&cmd);
    return rc;
}

static int
tp_run(tp_ctx_t *ctx)
{
    const tp_service_t *svc = tp_has(ctx, O_ZOOKEEPER) ? &tp_zk_service
                                                       : &tp_admin_service;
    int rc;

    if (svc->open(ctx) != 0) {
        svc->close(ctx);
        return tp_uncaught(ctx->exc_class, ctx->exc_msg);
    }
    if (tp_has(ctx, O_CREATE))
        rc = tp_create(ctx, svc);
    else if (tp_has(ctx, O_ALTER))
        rc = svc->alter(ctx);
    else if (tp_has(ctx, O_LIST))
        rc = svc->list(ctx);
    else if (tp_has(ctx, O_DESCRIBE))
        rc = svc->describe(ctx);
    else
        rc = svc->remove(ctx);
    if (rc != 0)
        tp_print_exception(ctx);
    svc->close(ctx);
    return rc != 0 ? 1 : 0;
}

static void
tp_ctx_fini(tp_ctx_t *ctx)
{
    for (int i = 0; i < O__CNT; i++)
        free(ctx->opt[i].args);
    free(ctx->exc_class);
    free(ctx->exc_msg);
    if (ctx->defaults != NULL)
        sm_config_destroy(ctx->defaults);
}

int
main(int argc, char **argv)
{
    tp_ctx_t ctx;
    int rc;

    sm_log_init_tool();
    memset(&ctx, 0, sizeof(ctx));
    if (tp_parse_args(&ctx, argc, argv) != 0) {
        rc = 1;
    } else {
        rc = tp_check_args(&ctx, argc);
        if (rc < 0)
            rc = tp_run(&ctx);
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = 1;
    tp_ctx_fini(&ctx);
    return rc;
}
