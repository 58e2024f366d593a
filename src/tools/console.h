/*
 * console.h: what samsa-console-producer and samsa-console-consumer
 * (bin/kafka-console-producer.sh, bin/kafka-console-consumer.sh) share -
 * a jopt-simple style option parser with Kafka's usage table, and the
 * client configuration built from --*.config files and --*-property
 * key=value words (console_common.c).
 *
 * COMMAND LINE.  As Kafka's tools parse it: --name or -name, the value
 * after '=' or as the next word; options marked repeatable keep every
 * value, the others keep the last.  An unknown option or a missing value
 * prints jopt's exception text and exits 1.
 *
 * Threads: one (the tool's main thread).
 */
#ifndef SM_TOOLS_CONSOLE_H
#define SM_TOOLS_CONSOLE_H

#include "client/samsa.h"
#include "server/config_props.h"

#define CN_ARG_NONE     0
#define CN_ARG_REQUIRED 1
#define CN_ARG_OPTIONAL 2

typedef struct cn_opt {
    const char *name;
    int         arg;              /* CN_ARG_* */
    const char *argdesc;          /* "String: topic" */
    const char *desc;
    const char *def;              /* shown as "(default: ...)"; NULL none */
} cn_opt_t;

/* What was given: per option, every value (NULL for a flag or an
 * optional value left out). */
typedef struct cn_args {
    const cn_opt_t *opts;
    int             nopts;
    int            *given;        /* [nopts]: times given */
    char         ***vals;         /* [nopts][given] borrowed from argv */
} cn_args_t;

/* Parse argv; 0, or -1 after printing jopt's error to stderr. */
int         cn_parse(cn_args_t *a, const cn_opt_t *opts, int nopts,
                     int argc, char **argv);
void        cn_args_fini(cn_args_t *a);
/* The last value of option i, or def if it was not given. */
const char *cn_value(const cn_args_t *a, int i, const char *def);
/* Kafka's usage table (help text first) on f. */
void        cn_usage(const cn_args_t *a, FILE *f, const char *help);
/* CommandLineUtils.printUsageAndExit: msg and the table on stderr, 1. */
int         cn_usage_fail(const cn_args_t *a, const char *help,
                          const char *msg);

/*
 * Fill props from a properties file (path may be NULL) and then the
 * key=value words of option i (< 0: none; later wins).  -1 after printing
 * the error (an unreadable file, a word without '=').
 */
int         cn_props(const cn_args_t *a, const char *path, int i,
                     sm_props_t *props);
/* Apply props to conf; unknown keys are warned about, as Java's clients
 * do; a bad value prints Kafka's ConfigException and returns -1. */
int         cn_conf_apply(samsa_conf_t *conf, const sm_props_t *props);
/* Kafka's readLine: strip "\n", "\r\n" or "\r" at the end; the length. */
size_t      cn_chomp(char *line, size_t len);

#endif
