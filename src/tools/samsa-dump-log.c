/*
 * samsa-dump-log: print the contents of Kafka log segment files (.log,
 * .index, .timeindex, .txnindex), line for line as Kafka 2.7's
 * kafka.tools.DumpLogSegments prints them.  bin/kafka-dump-log.sh runs it;
 * man/kafka-dump-log.sh.1 documents it; dump_log.h lists the other files.
 *
 * COMMAND LINE.  Options are parsed with jopt-simple's rules as Kafka
 * configures them (no abbreviations):
 *   --name / -name, with the argument after '=' or as the next word; a
 *   required argument takes the next word even if it starts with '-'; an
 *   optional one only if it does not; "--" ends the options; words that
 *   are not options are ignored; an unknown option is an uncaught
 *   joptsimple.UnrecognizedOptionException.
 * No arguments or --help: the description and the option table on stderr,
 * exit 1.  --version: the version on stdout, exit 0.  No --files: "Missing
 * required argument "[files]"" and the table, exit 1.  Values are checked
 * when first used, as Kafka's lazy vals are: a bad --max-message-size is
 * only reported after "Dumping FILE".
 *
 * ADDING A FILE TYPE: add a suffix row to dl_dumpers[] and a dl_dump_*()
 * function taking (ctx, file) that returns 0 or -1 after dl_throw().
 *
 * EXIT STATUS: 0 after all files, 1 when the run stopped on an error
 * (Kafka: an uncaught exception) or on a usage error.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "common/sm_crc.h"
#include "common/sm_mem.h"
#include "tools/dump_log.h"

#define DL_ARG_NONE     0
#define DL_ARG_REQUIRED 1
#define DL_ARG_OPTIONAL 2

enum {
    O_HELP, O_VERSION, O_PRINT, O_VERIFY, O_SANITY, O_FILES, O_MAX_MSG,
    O_DEEP, O_VALUE_DEC, O_KEY_DEC, O_OFFSETS, O_TXN, O__CNT
};

static const struct {
    const char *name;
    int         arg;
} dl_opts[O__CNT] = {
    [O_HELP]      = { "help", DL_ARG_NONE },
    [O_VERSION]   = { "version", DL_ARG_NONE },
    [O_PRINT]     = { "print-data-log", DL_ARG_NONE },
    [O_VERIFY]    = { "verify-index-only", DL_ARG_NONE },
    [O_SANITY]    = { "index-sanity-check", DL_ARG_NONE },
    [O_FILES]     = { "files", DL_ARG_REQUIRED },
    [O_MAX_MSG]   = { "max-message-size", DL_ARG_REQUIRED },
    [O_DEEP]      = { "deep-iteration", DL_ARG_NONE },
    [O_VALUE_DEC] = { "value-decoder-class", DL_ARG_OPTIONAL },
    [O_KEY_DEC]   = { "key-decoder-class", DL_ARG_OPTIONAL },
    [O_OFFSETS]   = { "offsets-decoder", DL_ARG_NONE },
    [O_TXN]       = { "transaction-log-decoder", DL_ARG_NONE },
};

#define DL_DESCRIPTION "This tool helps to parse a log file and dump its " \
    "contents to the console, useful for debugging a seemingly corrupt log " \
    "segment."

#define DL_DEFAULT_DECODER "kafka.serializer.StringDecoder"
#define DL_DEFAULT_MAX_MSG (5 * 1024 * 1024)

/* The option table exactly as jopt-simple's BuiltinHelpFormatter lays out
 * Kafka's option descriptions (80 columns, trailing blanks included). */
static const char dl_help[] =
"Option                               Description                                \n"
"------                               -----------                                \n"
"--deep-iteration                     if set, uses deep instead of shallow       \n"
"                                       iteration. Automatically set if print-   \n"
"                                       data-log is enabled.                     \n"
"--files <String: file1, file2, ...>  REQUIRED: The comma separated list of data \n"
"                                       and index log files to be dumped.        \n"
"--help                               Print usage information.                   \n"
"--index-sanity-check                 if set, just checks the index sanity       \n"
"                                       without printing its content. This is    \n"
"                                       the same check that is executed on       \n"
"                                       broker startup to determine if an index  \n"
"                                       needs rebuilding or not.                 \n"
"--key-decoder-class [String]         if set, used to deserialize the keys. This \n"
"                                       class should implement kafka.serializer. \n"
"                                       Decoder trait. Custom jar should be      \n"
"                                       available in kafka/libs directory.       \n"
"                                       (default: kafka.serializer.StringDecoder)\n"
"--max-message-size <Integer: size>   Size of largest message. (default: 5242880)\n"
"--offsets-decoder                    if set, log data will be parsed as offset  \n"
"                                       data from the __consumer_offsets topic.  \n"
"--print-data-log                     if set, printing the messages content when \n"
"                                       dumping data logs. Automatically set if  \n"
"                                       any decoder option is specified.         \n"
"--transaction-log-decoder            if set, log data will be parsed as         \n"
"                                       transaction metadata from the            \n"
"                                       __transaction_state topic.               \n"
"--value-decoder-class [String]       if set, used to deserialize the messages.  \n"
"                                       This class should implement kafka.       \n"
"                                       serializer.Decoder trait. Custom jar     \n"
"                                       should be available in kafka/libs        \n"
"                                       directory. (default: kafka.serializer.   \n"
"                                       StringDecoder)                           \n"
"--verify-index-only                  if set, just verify the index log without  \n"
"                                       printing its content.                    \n"
"--version                            Display Kafka version.                     \n";

typedef struct dl_cmdline {
    dl_optval_t opt[O__CNT];
} dl_cmdline_t;

/* CommandLineUtils.printUsageAndDie */
static int
dl_usage(const char *message)
{
    fprintf(stderr, "%s\n%s", message, dl_help);
    return 1;
}

static int
dl_looks_like_option(const char *t)
{
    return t[0] == '-' && t[1] != '\0';
}

static int
dl_find_opt(const char *key, size_t len)
{
    for (int i = 0; i < O__CNT; i++)
        if (strlen(dl_opts[i].name) == len &&
            memcmp(dl_opts[i].name, key, len) == 0)
            return i;
    return -1;
}

/* One option token (without its dashes); may consume argv[*i + 1]. */
static int
dl_parse_token(dl_cmdline_t *cl, const char *body, int long_form,
               int argc, char **argv, int *i)
{
    const char *eq = strchr(body, '=');
    size_t klen = eq ? (size_t)(eq - body) : strlen(body);
    int o = dl_find_opt(body, klen);
    dl_optval_t *v;

    if (o < 0) {
        if (long_form)
            return dl_throw("joptsimple.UnrecognizedOptionException",
                            "%.*s is not a recognized option", (int)klen, body);
        /* a cluster of short options: samsa (like Kafka) has none */
        return dl_throw("joptsimple.UnrecognizedOptionException",
                        "%c is not a recognized option", body[0]);
    }
    v = &cl->opt[o];
    v->count++;
    if (dl_opts[o].arg == DL_ARG_NONE)
        return 0;
    if (eq != NULL) {
        v->arg = eq + 1;
    } else if (*i + 1 < argc && (dl_opts[o].arg == DL_ARG_REQUIRED ||
                                 !dl_looks_like_option(argv[*i + 1]))) {
        v->arg = argv[++*i];
    } else if (dl_opts[o].arg == DL_ARG_REQUIRED) {
        return dl_throw("joptsimple.OptionMissingRequiredArgumentException",
                        "Option %s requires an argument", dl_opts[o].name);
    } else {
        return 0;
    }
    v->nargs++;
    return 0;
}

static int
dl_parse_args(dl_cmdline_t *cl, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] == '-' && a[1] == '-') {
            if (dl_parse_token(cl, a + 2, 1, argc, argv, &i) != 0)
                return -1;
        } else if (a[0] == '-' && a[1] != '\0') {
            if (dl_parse_token(cl, a + 1, 0, argc, argv, &i) != 0)
                return -1;
        }
    }
    return 0;
}

/* OptionSet.valueOf: the single argument, the default, or an exception. */
static int
dl_value_of(const dl_optval_t *v, const char *name, const char *def,
            const char **out)
{
    if (v->nargs > 1)
        return dl_throw("joptsimple.MultipleArgumentsForOptionException",
                        "Found multiple arguments for option %s, but you "
                        "asked for only one", name);
    *out = v->nargs == 1 ? v->arg : def;
    return 0;
}

/* opts.maxMessageSize, evaluated per file as Kafka's lazy val would be
 * (it throws again for every file, but the first throw ends the run). */
static int
dl_resolve_max_msg(dl_ctx_t *ctx)
{
    const char *s = NULL;

    if (dl_value_of(&ctx->max_message_size, "max-message-size", NULL, &s))
        return -1;
    if (s == NULL) {
        ctx->max_msg = DL_DEFAULT_MAX_MSG;
        return 0;
    }
    if (dl_parse_int(s, &ctx->max_msg) != 0)
        return dl_throw("joptsimple.OptionArgumentConversionException",
                        "Cannot parse argument '%s' of option "
                        "max-message-size", s);
    return 0;
}

/* opts.messageParser (a def: evaluated for every .log file). */
static int
dl_resolve_parser(dl_ctx_t *ctx)
{
    const char *vc = NULL, *kc = NULL;

    if (ctx->has_offsets) {
        ctx->parser = DL_PARSER_OFFSETS;
        return 0;
    }
    if (ctx->has_txn) {
        ctx->parser = DL_PARSER_TXN;
        return 0;
    }
    ctx->parser = DL_PARSER_DECODERS;
    if (dl_value_of(&ctx->value_decoder, "value-decoder-class",
                    DL_DEFAULT_DECODER, &vc) != 0 ||
        dl_decoder_lookup(vc, &ctx->value_dec) != 0 ||
        dl_value_of(&ctx->key_decoder, "key-decoder-class",
                    DL_DEFAULT_DECODER, &kc) != 0 ||
        dl_decoder_lookup(kc, &ctx->key_dec) != 0)
        return -1;
    return 0;
}

static int
dl_run_log(dl_ctx_t *ctx, const dl_file_t *f)
{
    if (dl_resolve_max_msg(ctx) != 0 || dl_resolve_parser(ctx) != 0)
        return -1;
    return dl_dump_log(ctx, f);
}

static int
dl_run_index(dl_ctx_t *ctx, const dl_file_t *f)
{
    if (dl_resolve_max_msg(ctx) != 0)
        return -1;
    return dl_dump_index(ctx, f);
}

static int
dl_run_time_index(dl_ctx_t *ctx, const dl_file_t *f)
{
    if (dl_resolve_max_msg(ctx) != 0)
        return -1;
    return dl_dump_time_index(ctx, f);
}

static int
dl_run_snapshot(dl_ctx_t *ctx, const dl_file_t *f)
{
    (void)ctx;
    (void)f;
    return dl_throw("java.lang.UnsupportedOperationException",
                    "samsa-dump-log cannot read producer state snapshots "
                    "(.snapshot) yet");
}

/* What each file suffix is dumped with (DumpLogSegments' suffix match). */
static const struct {
    const char *suffix;
    int (*dump)(dl_ctx_t *, const dl_file_t *);
} dl_dumpers[] = {
    { ".log", dl_run_log },
    { ".index", dl_run_index },
    { ".timeindex", dl_run_time_index },
    { ".snapshot", dl_run_snapshot },
    { ".txnindex", dl_dump_txn_index },
};

static int
dl_dump_file(dl_ctx_t *ctx, const char *arg)
{
    dl_file_t f;
    const char *dot;
    size_t i, n = sizeof(dl_dumpers) / sizeof(dl_dumpers[0]);
    int rc = 0;

    dl_file_init(&f, arg);
    printf("Dumping %s\n", f.path);
    dot = strrchr(f.name, '.');
    if (dot == NULL) {
        size_t len = strlen(f.name);
        rc = dl_throw("java.lang.StringIndexOutOfBoundsException",
                      "begin -1, end %zu, length %zu", len, len);
        goto out;
    }
    for (i = 0; i < n; i++)
        if (strcmp(dot, dl_dumpers[i].suffix) == 0)
            break;
    if (i < n)
        rc = dl_dumpers[i].dump(ctx, &f);
    else
        fprintf(stderr, "Ignoring unknown file %s\n", f.path);
out:
    dl_file_fini(&f);
    return rc;
}

/* String.split(","): trailing empty strings are dropped.  Returns the
 * number of names; *names (owned) points into *copy (owned). */
static size_t
dl_split_files(const char *arg, char **copy, char ***names)
{
    size_t n = 0;
    char *p;

    *copy = sm_strdup(arg);
    *names = sm_malloc((strlen(arg) + 1) * sizeof(char *));
    p = *copy;
    for (;;) {
        char *comma = strchr(p, ',');
        (*names)[n++] = p;
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    if (arg[0] == '\0')
        return 1;                   /* "".split(",") is [""] */
    while (n > 0 && (*names)[n - 1][0] == '\0')
        n--;
    return n;
}

static void
dl_print_pairs(const dl_report_t *r, const char *title_fmt,
               const char *line_fmt, int newest_first)
{
    for (size_t i = 0; i < r->n; i++) {
        const dl_pairs_t *fp = &r->files[i];
        fprintf(stderr, title_fmt, fp->path);
        for (size_t j = 0; j < fp->n; j++) {
            size_t k = newest_first ? fp->n - 1 - j : j;
            fprintf(stderr, line_fmt, fp->pairs[k][0], fp->pairs[k][1]);
        }
    }
}

/* The summaries DumpLogSegments.main prints after the last file. */
static void
dl_print_reports(const dl_ctx_t *ctx)
{
    dl_print_pairs(&ctx->index_mismatch, "Mismatches in :%s\n",
                   "  Index offset: %" PRId64 ", log offset: %" PRId64 "\n",
                   1);
    dl_print_pairs(&ctx->time_mismatch, "Found timestamp mismatch in :%s\n",
                   "  Index timestamp: %" PRId64 ", log timestamp: %" PRId64
                   "\n", 0);
    dl_print_pairs(&ctx->time_order, "Found out of order timestamp in :%s\n",
                   "  Index timestamp: %" PRId64 ", Previously indexed "
                   "timestamp: %" PRId64 "\n", 0);
    dl_print_pairs(&ctx->time_notfound, "The following indexed offsets are "
                   "not found in the log.\n%.0s", "Indexed offset: %" PRId64
                   ", found log offset: %" PRId64 "\n", 0);
    dl_print_pairs(&ctx->nonconsecutive, "Non-consecutive offsets in %s\n",
                   "  %" PRId64 " is followed by %" PRId64 "\n", 1);
}

static void
dl_ctx_init(dl_ctx_t *ctx, const dl_cmdline_t *cl)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->has_offsets = cl->opt[O_OFFSETS].count > 0;
    ctx->has_txn = cl->opt[O_TXN].count > 0;
    ctx->print_data = cl->opt[O_PRINT].count > 0 || ctx->has_offsets ||
                      ctx->has_txn || cl->opt[O_VALUE_DEC].count > 0 ||
                      cl->opt[O_KEY_DEC].count > 0;
    ctx->deep = cl->opt[O_DEEP].count > 0 || ctx->print_data;
    ctx->verify_only = cl->opt[O_VERIFY].count > 0;
    ctx->sanity_only = cl->opt[O_SANITY].count > 0;
    ctx->max_message_size = cl->opt[O_MAX_MSG];
    ctx->key_decoder = cl->opt[O_KEY_DEC];
    ctx->value_decoder = cl->opt[O_VALUE_DEC];
}

static void
dl_ctx_fini(dl_ctx_t *ctx)
{
    dl_report_fini(&ctx->index_mismatch);
    dl_report_fini(&ctx->nonconsecutive);
    dl_report_fini(&ctx->time_mismatch);
    dl_report_fini(&ctx->time_order);
    dl_report_fini(&ctx->time_notfound);
}

static int
dl_run(const dl_cmdline_t *cl)
{
    dl_ctx_t ctx;
    const char *files = NULL;
    char *copy = NULL, **names = NULL;
    size_t n;
    int rc = 1;

    dl_ctx_init(&ctx, cl);
    if (dl_value_of(&cl->opt[O_FILES], "files", NULL, &files) != 0)
        goto out;
    n = dl_split_files(files, &copy, &names);
    for (size_t i = 0; i < n; i++)
        if (dl_dump_file(&ctx, names[i]) != 0)
            goto out;
    fflush(stdout);
    dl_print_reports(&ctx);
    rc = 0;
out:
    sm_free(names);
    sm_free(copy);
    dl_ctx_fini(&ctx);
    return rc;
}

int
main(int argc, char **argv)
{
    dl_cmdline_t cl;
    int rc;

    (void)sm_crc32c_init();
    memset(&cl, 0, sizeof(cl));
    if (dl_parse_args(&cl, argc, argv) != 0)
        return 1;
    if (argc < 2 || cl.opt[O_HELP].count > 0)
        return dl_usage(DL_DESCRIPTION);
    if (cl.opt[O_VERSION].count > 0) {
        printf("%s (Commit:unknown)\n", PACKAGE_VERSION);
        return 0;
    }
    if (cl.opt[O_FILES].count == 0)
        return dl_usage("Missing required argument \"[files]\"");
    rc = dl_run(&cl);
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = 1;
    return rc;
}
