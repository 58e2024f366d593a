/*
 * console_common.c: the option parser, usage table and configuration
 * helpers of the console tools (console.h says what they share).
 *
 * USAGE TABLE.  jopt-simple's layout as Kafka prints it: the help text,
 * then "Option" and "Description" columns, options sorted by name, each
 * with its value kind and, after the description, "(default: ...)".
 * Descriptions are not wrapped (jopt wraps at 80 columns; nothing parses
 * this table).
 *
 * Threads: one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sm_mem.h"
#include "tools/console.h"

static int
cn_find(const cn_opt_t *opts, int nopts, const char *name, size_t len)
{
    for (int i = 0; i < nopts; i++)
        if (strlen(opts[i].name) == len &&
            strncmp(opts[i].name, name, len) == 0)
            return i;
    return -1;
}

static void
cn_add(cn_args_t *a, int i, char *val)
{
    a->vals[i] = sm_realloc(a->vals[i], (size_t)(a->given[i] + 1) *
                            sizeof(char *));
    a->vals[i][a->given[i]++] = val;
}

/* One option word at argv[*k]; -1 on error. */
static int
cn_word(cn_args_t *a, int argc, char **argv, int *k)
{
    const char *w = argv[*k] + (argv[*k][1] == '-' ? 2 : 1);
    const char *eq = strchr(w, '=');
    size_t len = eq != NULL ? (size_t)(eq - w) : strlen(w);
    int i = cn_find(a->opts, a->nopts, w, len);

    if (i < 0) {
        fprintf(stderr, "joptsimple.UnrecognizedOptionException: %.*s is "
                "not a recognized option\n", (int)len, w);
        return -1;
    }
    if (eq != NULL) {
        if (a->opts[i].arg == CN_ARG_NONE) {
            fprintf(stderr, "joptsimple.OptionArgumentConversionException: "
                    "Option %s does not take an argument\n",
                    a->opts[i].name);
            return -1;
        }
        cn_add(a, i, (char *)eq + 1);
    } else if (a->opts[i].arg == CN_ARG_REQUIRED) {
        if (*k + 1 >= argc) {
            fprintf(stderr, "joptsimple.OptionMissingRequiredArgument"
                    "Exception: Option %s requires an argument\n",
                    a->opts[i].name);
            return -1;
        }
        cn_add(a, i, argv[++*k]);
    } else if (a->opts[i].arg == CN_ARG_OPTIONAL && *k + 1 < argc &&
               argv[*k + 1][0] != '-') {
        cn_add(a, i, argv[++*k]);
    } else {
        cn_add(a, i, NULL);
    }
    return 0;
}

int
cn_parse(cn_args_t *a, const cn_opt_t *opts, int nopts, int argc,
         char **argv)
{
    memset(a, 0, sizeof(*a));
    a->opts = opts;
    a->nopts = nopts;
    a->given = sm_calloc((size_t)nopts, sizeof(*a->given));
    a->vals = sm_calloc((size_t)nopts, sizeof(*a->vals));
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--") == 0)
            break;
        if (argv[k][0] != '-' || argv[k][1] == '\0')
            continue;               /* jopt: non-option words ignored */
        if (cn_word(a, argc, argv, &k) != 0)
            return -1;
    }
    return 0;
}

void
cn_args_fini(cn_args_t *a)
{
    for (int i = 0; i < a->nopts; i++)
        sm_free(a->vals[i]);
    sm_free(a->vals);
    sm_free(a->given);
    memset(a, 0, sizeof(*a));
}

const char *
cn_value(const cn_args_t *a, int i, const char *def)
{
    if (a->given[i] == 0 || a->vals[i][a->given[i] - 1] == NULL)
        return def;
    return a->vals[i][a->given[i] - 1];
}

static int
cn_cmp_opt(const void *x, const void *y)
{
    const cn_opt_t *const *a = x, *const *b = y;

    return strcmp((*a)->name, (*b)->name);
}

void
cn_usage(const cn_args_t *a, FILE *f, const char *help)
{
    const cn_opt_t **v = sm_calloc((size_t)a->nopts, sizeof(*v));

    for (int i = 0; i < a->nopts; i++)
        v[i] = &a->opts[i];
    qsort(v, (size_t)a->nopts, sizeof(*v), cn_cmp_opt);
    fprintf(f, "%s\n%-40s %s\n%-40s %s\n", help, "Option", "Description",
            "------", "-----------");
    for (int i = 0; i < a->nopts; i++) {
        char left[160];
        const char *fmt = v[i]->arg == CN_ARG_REQUIRED ? "--%s <%s>" :
                          v[i]->arg == CN_ARG_OPTIONAL ? "--%s [%s]" :
                          "--%s";
        snprintf(left, sizeof(left), fmt, v[i]->name,
                 v[i]->argdesc != NULL ? v[i]->argdesc : "");
        fprintf(f, "%-40s %s", left, v[i]->desc);
        if (v[i]->def != NULL)
            fprintf(f, " (default: %s)", v[i]->def);
        fputc('\n', f);
    }
    sm_free(v);
}

int
cn_usage_fail(const cn_args_t *a, const char *help, const char *msg)
{
    fprintf(stderr, "%s\n", msg);
    cn_usage(a, stderr, help);
    return 1;
}

int
cn_props(const cn_args_t *a, const char *path, int i, sm_props_t *props)
{
    char errstr[512];

    if (path != NULL &&
        sm_props_load(props, path, errstr, sizeof(errstr)) != SM_OK) {
        fprintf(stderr, "java.nio.file.NoSuchFileException: %s\n", path);
        return -1;
    }
    for (int k = 0; i >= 0 && k < a->given[i]; k++) {
        const char *w = a->vals[i][k], *eq = w ? strchr(w, '=') : NULL;
        char *key;
        if (eq == NULL) {
            /* CommandLineUtils.parseKeyValueArgs */
            fprintf(stderr, "Invalid command line properties: %s\n",
                    w ? w : "");
            return -1;
        }
        key = sm_strndup(w, (size_t)(eq - w));
        sm_props_set(props, key, eq + 1, 0);
        sm_free(key);
    }
    return 0;
}

int
cn_conf_apply(samsa_conf_t *conf, const sm_props_t *props)
{
    char errstr[512];

    for (int i = 0; i < props->n; i++) {
        samsa_err_t err = samsa_conf_set(conf, props->v[i].key,
                                         props->v[i].value, errstr,
                                         sizeof(errstr));
        if (err == SAMSA_OK)
            continue;
        if (strstr(errstr, "isn't a known config") != NULL) {
            fprintf(stderr, "WARN %s\n", errstr);
            continue;
        }
        fprintf(stderr, "org.apache.kafka.common.config.ConfigException: "
                "%s\n", errstr);
        return -1;
    }
    return 0;
}

size_t
cn_chomp(char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    line[len] = '\0';
    return len;
}
