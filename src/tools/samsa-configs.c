/*
 * samsa-configs: describe and alter entity configs - samsa's
 * kafka.admin.ConfigCommand in ZooKeeper mode (Kafka 2.8), run by
 * bin/kafka-configs.sh.
 *
 * WHAT IT WRITES.  --alter does what Kafka's AdminZkClient.changeConfigs
 * does: read /config/<type>/<name>, add the --add-config pairs, remove
 * the --delete-config keys, validate the result, write the whole map back
 * ({"version":1,"config":{...}}) and then create the change notification
 * /config/changes/config_change_<seq> ({"version":2,"entity_path":
 * "<type>/<name>"}), through src/zk (sm_zk_change_entity_config).  Every
 * broker's dynamic config manager (server/dynamic_config.c) then applies
 * it live.  The config keys are written in the order a Java 11
 * java.util.Properties iterates them, as Kafka's JSON encoder writes them.
 *
 * ONE DEVIATION.  Kafka 2.x refuses dynamic broker configs over
 * --zookeeper while brokers run (it wants --bootstrap-server and
 * AlterConfigs, which samsa does not serve yet); samsa's brokers read
 * them from ZooKeeper, so samsa-configs writes them, after checking them
 * with the broker's own rules (sm_config_apply_dynamic): read-only keys,
 * per-broker keys at the cluster default, bad values and unknown keys are
 * refused before anything is written.
 *
 * OUTPUT CONTRACT (Kafka's).  stdout: the two --zookeeper deprecation
 * lines, then "Completed updating config for entity: topic 'foo'." or
 * "Configs for topic 'foo' are k=v,k=v".  Argument errors and
 * IllegalArgumentException / InvalidConfigurationException: the message
 * alone on stderr, exit 1.  Other failures (unknown topic, invalid value):
 *     Error while executing config command with args '<args>'
 *     <exception class>: <message>
 * on stderr (Kafka adds a stack trace), exit 1.  Usage errors print the
 * message and the option table on stderr, exit 1.  --bootstrap-server is
 * refused with a clear message (samsa has no AlterConfigs yet).
 *
 * Threads: one.  Memory: the context owns everything it points to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "common/sm_buf.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/admin.h"
#include "server/config.h"
#include "tools/topics.h"
#include "zk/kafka_zk.h"

/* Options, alphabetical (the order jopt-simple prints them in). */
enum {
    C_ADD_CONFIG, C_ADD_CONFIG_FILE, C_ALL, C_ALTER, C_BOOTSTRAP, C_BROKER,
    C_BROKER_DEFAULTS, C_BROKER_LOGGER, C_CLIENT, C_CLIENT_DEFAULTS,
    C_COMMAND_CONFIG, C_DELETE_CONFIG, C_DESCRIBE, C_ENTITY_DEFAULT,
    C_ENTITY_NAME, C_ENTITY_TYPE, C_FORCE, C_HELP, C_IP, C_IP_DEFAULTS,
    C_TOPIC, C_USER, C_USER_DEFAULTS, C_VERSION, C_ZK_TLS, C_ZOOKEEPER,
    C__CNT
};

static const struct {
    const char *name;
    int         arg;
    const char *argdesc;
    const char *desc;
} cf_opts[C__CNT] = {
    [C_ADD_CONFIG] = { "add-config", 1, "<String>",
        "Key Value pairs of configs to add. Square brackets can be used to "
        "group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'. "
        "See server.properties(5) for the topic and dynamic broker keys." },
    [C_ADD_CONFIG_FILE] = { "add-config-file", 1, "<String>",
        "Path to a properties file with configs to add. See add-config for "
        "a list of valid configurations." },
    [C_ALL] = { "all", 0, NULL, "List all configs for the given topic, "
        "broker, or broker-logger entity (includes static configuration "
        "when the entity type is brokers)" },
    [C_ALTER] = { "alter", 0, NULL, "Alter the configuration for the "
        "entity." },
    [C_BOOTSTRAP] = { "bootstrap-server", 1, "<String: server to connect "
        "to>", "The Kafka server to connect to. This is required for "
        "describing and altering broker configs." },
    [C_BROKER] = { "broker", 1, "<String>", "The broker's ID." },
    [C_BROKER_DEFAULTS] = { "broker-defaults", 0, NULL, "The config "
        "defaults for all brokers." },
    [C_BROKER_LOGGER] = { "broker-logger", 1, "<String>", "The broker's ID "
        "for its logger config." },
    [C_CLIENT] = { "client", 1, "<String>", "The client's ID." },
    [C_CLIENT_DEFAULTS] = { "client-defaults", 0, NULL, "The config "
        "defaults for all clients." },
    [C_COMMAND_CONFIG] = { "command-config", 1, "<String: command config "
        "property file>", "Property file containing configs to be passed "
        "to Admin Client. This is used only with --bootstrap-server option "
        "for describing and altering broker configs." },
    [C_DELETE_CONFIG] = { "delete-config", 1, "<String>", "config keys to "
        "remove 'k1,k2'" },
    [C_DESCRIBE] = { "describe", 0, NULL, "List configs for the given "
        "entity." },
    [C_ENTITY_DEFAULT] = { "entity-default", 0, NULL, "Default entity name "
        "for clients/users/brokers/ips (applies to corresponding entity "
        "type in command line)" },
    [C_ENTITY_NAME] = { "entity-name", 1, "<String>", "Name of entity "
        "(topic name/client id/user principal name/broker id/ip)" },
    [C_ENTITY_TYPE] = { "entity-type", 1, "<String>", "Type of entity "
        "(topics/clients/users/brokers/broker-loggers/ips)" },
    [C_FORCE] = { "force", 0, NULL, "Suppress console prompts" },
    [C_HELP] = { "help", 0, NULL, "Print usage information." },
    [C_IP] = { "ip", 1, "<String>", "The IP address." },
    [C_IP_DEFAULTS] = { "ip-defaults", 0, NULL, "The config defaults for "
        "all IPs." },
    [C_TOPIC] = { "topic", 1, "<String>", "The topic's name." },
    [C_USER] = { "user", 1, "<String>", "The user's principal name." },
    [C_USER_DEFAULTS] = { "user-defaults", 0, NULL, "The config defaults "
        "for all users." },
    [C_VERSION] = { "version", 0, NULL, "Display Kafka version." },
    [C_ZK_TLS] = { "zk-tls-config-file", 1, "<String: ZooKeeper TLS "
        "configuration>", "Identifies the file where ZooKeeper client TLS "
        "connectivity properties are defined." },
    [C_ZOOKEEPER] = { "zookeeper", 1, "<String: urls>", "DEPRECATED. The "
        "connection string for the zookeeper connection in the form "
        "host:port. Multiple URLS can be given to allow fail-over. "
        "Replaced by --bootstrap-server, REQUIRED unless --bootstrap-server "
        "is given." },
};

#define CF_IAE "java.lang.IllegalArgumentException"
#define CF_ICE "org.apache.kafka.common.errors.InvalidConfigurationException"
#define CF_CE  "org.apache.kafka.common.config.ConfigException"
#define CF_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

typedef struct cf_ctx {
    tp_optval_t opt[C__CNT];
    const char **names;           /* --entity-name/-default, in order */
    int          nnames;
    const char  *types[8];        /* entityTypes */
    int          ntypes;
    const char  *enames[8];       /* entityNames ("" = default) */
    int          nenames;
    tp_ctx_t     tp;              /* exception, ZooKeeper, defaults */
} cf_ctx_t;

static int
cf_has(const cf_ctx_t *c, int o)
{
    return c->opt[o].count > 0;
}

static const char *
cf_val(const cf_ctx_t *c, int o)
{
    return c->opt[o].nargs > 0 ? c->opt[o].args[0] : NULL;
}

/* ------------------------------------------------------------ usage */

static void
cf_help_row(FILE *out, const char *left, const char *desc)
{
    size_t len = strlen(desc), pos = 0;
    int first = 1;

    /* the description wrapped at 39 columns, as jopt-simple lays it out */
    while (first || pos < len) {
        size_t n = len - pos;
        if (n > 39) {
            n = 39;
            while (n > 0 && desc[pos + n] != ' ')
                n--;
            if (n == 0)
                n = 39;
        }
        fprintf(out, "%-41s%.*s\n", first ? left : "", (int)n, desc + pos);
        pos += n;
        while (pos < len && desc[pos] == ' ')
            pos++;
        first = 0;
    }
}

static int
cf_usage(const char *message)
{
    fflush(stdout);
    fprintf(stderr, "%s\n", message);
    fprintf(stderr, "%-41s%s\n", "Option", "Description");
    fprintf(stderr, "%-41s%s\n", "------", "-----------");
    for (int o = 0; o < C__CNT; o++) {
        char *left = sm_asprintf("--%s%s%s", cf_opts[o].name,
                                 cf_opts[o].argdesc ? " " : "",
                                 cf_opts[o].argdesc ? cf_opts[o].argdesc
                                                    : "");
        cf_help_row(stderr, left, cf_opts[o].desc);
        free(left);
    }
    return 1;
}

/* An IllegalArgumentException, InvalidConfigurationException or
 * OptionException: ConfigCommand.main prints the message alone. */
static int
cf_fail(const char *msg)
{
    fflush(stdout);
    fprintf(stderr, "%s\n", msg);
    return 1;
}

/* ------------------------------------------------------------ parsing */

static int
cf_find_opt(const char *key, size_t len)
{
    for (int i = 0; i < C__CNT; i++)
        if (strlen(cf_opts[i].name) == len &&
            memcmp(cf_opts[i].name, key, len) == 0)
            return i;
    return -1;
}

static void
cf_add_arg(tp_optval_t *v, const char *arg)
{
    v->args = sm_realloc(v->args, (size_t)(v->nargs + 1) * sizeof(char *));
    v->args[v->nargs++] = arg;
}

/* One option word without its dashes; may consume argv[*i + 1].
 * --delete-config values are split at commas, as withValuesSeparatedBy. */
static int
cf_parse_token(cf_ctx_t *c, const char *body, int argc, char **argv, int *i)
{
    const char *eq = strchr(body, '='), *arg;
    size_t klen = eq ? (size_t)(eq - body) : strlen(body);
    int o = cf_find_opt(body, klen);
    char msg[256];

    if (o < 0) {
        snprintf(msg, sizeof(msg), "%.*s is not a recognized option",
                 (int)klen, body);
        return cf_fail(msg);
    }
    c->opt[o].count++;
    if (o == C_ENTITY_DEFAULT || o == C_ENTITY_NAME) {
        c->names = sm_realloc(c->names, (size_t)(c->nnames + 1) *
                              sizeof(*c->names));
        c->names[c->nnames++] = NULL;       /* filled below for a name */
    }
    if (!cf_opts[o].arg)
        return 0;
    if (eq != NULL) {
        arg = eq + 1;
    } else if (*i + 1 < argc) {
        arg = argv[++*i];
    } else {
        snprintf(msg, sizeof(msg), "Option %s requires an argument",
                 cf_opts[o].name);
        return cf_fail(msg);
    }
    if (o == C_ENTITY_NAME)
        c->names[c->nnames - 1] = arg;
    cf_add_arg(&c->opt[o], arg);
    return 0;
}

static int
cf_parse_args(cf_ctx_t *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (a[0] == '-' && a[1] != '\0' &&
            cf_parse_token(c, a + (a[1] == '-' ? 2 : 1), argc, argv,
                           &i) != 0)
            return -1;
    }
    return 0;
}

/* entityTypes and entityNames of ConfigCommandOptions. */
static void
cf_entities(cf_ctx_t *c)
{
    static const struct { int o; const char *type; } flags[] = {
        { C_TOPIC, "topics" }, { C_CLIENT, "clients" }, { C_USER, "users" },
        { C_BROKER, "brokers" }, { C_BROKER_LOGGER, "broker-loggers" },
        { C_IP, "ips" },
    }, defaults[] = {
        { C_CLIENT_DEFAULTS, "clients" }, { C_USER_DEFAULTS, "users" },
        { C_BROKER_DEFAULTS, "brokers" }, { C_IP_DEFAULTS, "ips" },
    };

    for (int i = 0; i < c->opt[C_ENTITY_TYPE].nargs && c->ntypes < 8; i++)
        c->types[c->ntypes++] = c->opt[C_ENTITY_TYPE].args[i];
    for (int i = 0; i < CF_N(flags) && c->ntypes < 8; i++)
        if (cf_has(c, flags[i].o))
            c->types[c->ntypes++] = flags[i].type;
    for (int i = 0; i < CF_N(defaults) && c->ntypes < 8; i++)
        if (cf_has(c, defaults[i].o))
            c->types[c->ntypes++] = defaults[i].type;
    for (int i = 0; i < c->nnames && c->nenames < 8; i++)
        c->enames[c->nenames++] = c->names[i] ? c->names[i] : "";
    for (int i = 0; i < CF_N(flags) && c->nenames < 8; i++)
        if (cf_has(c, flags[i].o))
            c->enames[c->nenames++] = cf_val(c, flags[i].o);
    for (int i = 0; i < CF_N(defaults) && c->nenames < 8; i++)
        if (cf_has(c, defaults[i].o))
            c->enames[c->nenames++] = "";
}

/* ------------------------------------------------------------ checks */

static int
cf_invalid_with(const cf_ctx_t *c, int used, const int *bad, int n)
{
    char msg[256];

    for (int i = 0; cf_has(c, used) && i < n; i++) {
        if (!cf_has(c, bad[i]))
            continue;
        snprintf(msg, sizeof(msg), "Option \"[%s]\" can't be used with "
                 "option \"[%s]\"", cf_opts[used].name,
                 cf_opts[bad[i]].name);
        return cf_usage(msg);
    }
    return 0;
}

static int
cf_check_types(const cf_ctx_t *c)
{
    static const char *const zk_types[] = {
        "topics", "clients", "users", "brokers", "ips"
    };
    char msg[512];

    for (int i = 0; i < c->ntypes; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(c->types[i], c->types[j]) == 0) {
                snprintf(msg, sizeof(msg), "Duplicate entity type(s) "
                         "specified: %s", c->types[i]);
                return cf_fail(msg);
            }
    for (int i = 0; i < c->ntypes; i++) {
        int ok = cf_has(c, C_BOOTSTRAP) &&
                 strcmp(c->types[i], "broker-loggers") == 0;
        for (int j = 0; j < CF_N(zk_types); j++)
            ok |= strcmp(c->types[i], zk_types[j]) == 0;
        if (ok)
            continue;
        snprintf(msg, sizeof(msg), "Invalid entity type %s, the entity type "
                 "must be one of %s with the %s argument", c->types[i],
                 cf_has(c, C_BOOTSTRAP)
                 ? "topics,clients,users,brokers,ips,broker-loggers"
                 : "topics,clients,users,brokers,ips",
                 cf_has(c, C_BOOTSTRAP) ? "--bootstrap-server"
                                        : "--zookeeper");
        return cf_fail(msg);
    }
    if (c->ntypes == 0)
        return cf_fail("At least one entity type must be specified");
    if (c->ntypes > 1 &&
        !(c->ntypes == 2 && strcmp(c->types[0], c->types[1]) != 0 &&
          (strcmp(c->types[0], "users") == 0 ||
           strcmp(c->types[0], "clients") == 0) &&
          (strcmp(c->types[1], "users") == 0 ||
           strcmp(c->types[1], "clients") == 0)))
        return cf_fail("Only 'users' and 'clients' entity types may be "
                       "specified together");
    return 0;
}

static int
cf_is_int(const char *s)
{
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return 0;
    v = strtol(s, &end, 10);
    return *end == '\0' && v >= INT32_MIN && v <= INT32_MAX;
}

static int
cf_has_type(const cf_ctx_t *c, const char *type)
{
    for (int i = 0; i < c->ntypes; i++)
        if (strcmp(c->types[i], type) == 0)
            return 1;
    return 0;
}

/* The rest of checkArgs, from the entity flags on. */
static int
cf_check_entities(const cf_ctx_t *c)
{
    static const int specific[] = { C_TOPIC, C_CLIENT, C_USER, C_BROKER,
        C_BROKER_LOGGER, C_IP, C_CLIENT_DEFAULTS, C_USER_DEFAULTS,
        C_BROKER_DEFAULTS, C_IP_DEFAULTS };
    int has_name = 0, has_default = 0, generic, spec = 0;
    char msg[512];

    generic = cf_has(c, C_ENTITY_NAME) || cf_has(c, C_ENTITY_TYPE) ||
              cf_has(c, C_ENTITY_DEFAULT);
    for (int i = 0; i < CF_N(specific); i++)
        spec |= cf_has(c, specific[i]);
    if (generic && spec)
        return cf_fail("--entity-{type,name,default} should not be used in "
                       "conjunction with specific entity flags");
    for (int i = 0; i < c->nenames; i++) {
        has_name |= c->enames[i][0] != '\0';
        has_default |= c->enames[i][0] == '\0';
    }
    if (!cf_has(c, C_BOOTSTRAP) && !cf_has(c, C_ZOOKEEPER))
        return cf_fail("One of the required --bootstrap-server or "
                       "--zookeeper arguments must be specified");
    if (cf_has(c, C_BOOTSTRAP) && cf_has(c, C_ZOOKEEPER))
        return cf_fail("Only one of --bootstrap-server or --zookeeper must "
                       "be specified");
    if (cf_has(c, C_ALL) && cf_has(c, C_ZOOKEEPER))
        return cf_fail("--bootstrap-server must be specified for --all");
    if (has_name && (cf_has_type(c, "brokers") ||
                     cf_has_type(c, "broker-loggers"))) {
        static const int ids[] = { C_ENTITY_NAME, C_BROKER,
                                   C_BROKER_LOGGER };
        for (int i = 0; i < CF_N(ids); i++) {
            const char *v = cf_val(c, ids[i]);
            if (v == NULL || cf_is_int(v))
                continue;
            snprintf(msg, sizeof(msg), "The entity name for %s must be a "
                     "valid integer broker id, but it is: %s", c->types[0],
                     v);
            return cf_fail(msg);
        }
    }
    if (!cf_has(c, C_ALTER))
        return 0;
    if (cf_has_type(c, "users") || cf_has_type(c, "clients") ||
        cf_has_type(c, "brokers") || cf_has_type(c, "ips")) {
        if (!has_name && !has_default)
            return cf_fail("an entity-name or default entity must be "
                           "specified with --alter of users, clients, "
                           "brokers or ips");
    } else if (!has_name) {
        snprintf(msg, sizeof(msg), "an entity name must be specified with "
                 "--alter of %s", c->types[0]);
        return cf_fail(msg);
    }
    if (cf_has(c, C_ADD_CONFIG) && cf_has(c, C_ADD_CONFIG_FILE))
        return cf_fail("Only one of --add-config or --add-config-file must "
                       "be specified");
    if (!cf_has(c, C_ADD_CONFIG) && !cf_has(c, C_ADD_CONFIG_FILE) &&
        !cf_has(c, C_DELETE_CONFIG))
        return cf_fail("At least one of --add-config, --add-config-file, "
                       "or --delete-config must be specified with --alter");
    return 0;
}

/* checkArgs; 0 to go on, else the exit status. */
static int
cf_check_args(cf_ctx_t *c)
{
    static const int not_describe[] = { C_ALTER, C_ADD_CONFIG,
                                        C_DELETE_CONFIG };
    static const int not_alter[] = { C_DESCRIBE };

    if (cf_has(c, C_ALTER) + cf_has(c, C_DESCRIBE) != 1)
        return cf_usage("Command must include exactly one action: "
                        "--describe, --alter");
    if (cf_invalid_with(c, C_ALTER, not_alter, 1) ||
        cf_invalid_with(c, C_DESCRIBE, not_describe, 3))
        return 1;
    cf_entities(c);
    if (cf_check_types(c) != 0)
        return 1;
    return cf_check_entities(c);
}

/* ------------------------------------------------------------ configs */

/* One end of a split: a ',' (or '=') counts only outside [...], i.e. when
 * the next bracket after it is '[' or there is none (Kafka's lookahead
 * (?=[^\]]*(?:\[|$))). */
static int
cf_outside_brackets(const char *p)
{
    for (; *p; p++)
        if (*p == '[' || *p == ']')
            return *p == '[';
    return 1;
}

/* The pieces of s split at sep outside brackets (heap strings), keeping
 * trailing empty pieces (split(..., -1)); for '=' the separator swallows
 * the spaces around it (\s*=\s*). */
static char **
cf_split(const char *s, char sep, int *n)
{
    char **v = sm_calloc(strlen(s) + 2, sizeof(char *));
    const char *start = s, *p;
    int cnt = 0;

    for (p = s; *p; p++) {
        const char *end = p, *next = p + 1;
        if (*p != sep || !cf_outside_brackets(p + 1))
            continue;
        if (sep == '=') {
            while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            while (*next == ' ' || *next == '\t')
                next++;
        }
        v[cnt++] = sm_strndup(start, (size_t)(end - start));
        start = next;
        p = next - 1;
    }
    v[cnt++] = sm_strdup(start);
    *n = cnt;
    return v;
}

static void
cf_strv_free(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* String.trim, and the value with every '[' and ']' removed first. */
static char *
cf_trim(const char *s, int drop_brackets)
{
    char *out = sm_malloc(strlen(s) + 1), *o = out, *end;

    for (; *s; s++)
        if (!drop_brackets || (*s != '[' && *s != ']'))
            *o++ = *s;
    *o = '\0';
    for (end = o; end > out && (unsigned char)end[-1] <= ' '; end--)
        ;
    *end = '\0';
    o = out;
    while (*o && (unsigned char)*o <= ' ')
        o++;
    memmove(out, o, strlen(o) + 1);
    return out;
}

/* parseConfigsToBeAdded into add (insertion order; later keys win). */
static int
cf_parse_adds(cf_ctx_t *c, sm_zk_config_t *add)
{
    const char *file = cf_val(c, C_ADD_CONFIG_FILE), *spec;
    char errstr[512];
    int rc = 0;

    if (file != NULL) {
        sm_props_t props;
        sm_props_init(&props);
        if (sm_props_load(&props, file, errstr, sizeof(errstr)) != SM_OK)
            rc = tp_throw(&c->tp, "java.nio.file.NoSuchFileException",
                          "%s", file);
        for (int i = 0; rc == 0 && i < props.n; i++)
            sm_zk_config_set(add, props.v[i].key, props.v[i].value);
        sm_props_fini(&props);
    }
    spec = cf_val(c, C_ADD_CONFIG);
    if (rc == 0 && spec != NULL) {
        int n, nkv;
        char **pairs = cf_split(spec, ',', &n);
        for (int i = 0; rc == 0 && i < n; i++) {
            char **kv = cf_split(pairs[i], '=', &nkv);
            if (nkv != 2) {
                rc = tp_throw(&c->tp, CF_IAE, "requirement failed: Invalid "
                              "entity config: all configs to be added must "
                              "be in the format \"key=val\".");
            } else {
                char *k = cf_trim(kv[0], 0), *v = cf_trim(kv[1], 1);
                sm_zk_config_set(add, k, v);
                free(k);
                free(v);
            }
            cf_strv_free(kv, nkv);
        }
        cf_strv_free(pairs, n);
    }
    if (rc == 0 && sm_zk_config_get(add, "message.format.version"))
        printf("WARNING: The configuration message.format.version=%s is "
               "specified. This configuration will be ignored if the "
               "version is newer than the inter.broker.protocol.version "
               "specified in the broker.\n",
               sm_zk_config_get(add, "message.format.version"));
    return rc;
}

/* parseConfigsToBeDeleted: every --delete-config argument split at
 * commas, trimmed. */
static void
cf_parse_deletes(cf_ctx_t *c, sm_zk_config_t *del)
{
    for (int i = 0; i < c->opt[C_DELETE_CONFIG].nargs; i++) {
        const char *s = c->opt[C_DELETE_CONFIG].args[i];

        /* jopt-simple splits at every ',' (no bracket rule) */
        while (s != NULL) {
            const char *comma = strchr(s, ',');
            char *raw = comma ? sm_strndup(s, (size_t)(comma - s))
                              : sm_strdup(s);
            char *k = cf_trim(raw, 0);
            sm_zk_config_set(del, k, "");
            free(k);
            free(raw);
            s = comma ? comma + 1 : NULL;
        }
    }
}

/* The iteration order of a Java 11 java.util.Properties holding keys
 * (inserted in index order): its ConcurrentHashMap starts at 16 buckets
 * and doubles when the count reaches 3/4 of them. */
static void
cf_java_order(char *const *keys, int n, int *order)
{
    uint32_t cap = 16;

    while ((uint32_t)n >= cap - cap / 4)
        cap *= 2;
    for (int i = 0; i < n; i++)
        order[i] = i;
    tp_java_order((const char *const *)keys, order, n, cap);
}

/* c reordered as Properties iterates it. */
static void
cf_config_java_order(sm_zk_config_t *zc)
{
    int *order = sm_calloc((size_t)zc->cnt + 1, sizeof(int));
    sm_zk_config_t out = { 0 };

    cf_java_order(zc->keys, zc->cnt, order);
    for (int i = 0; i < zc->cnt; i++)
        sm_zk_config_set(&out, zc->keys[order[i]], zc->values[order[i]]);
    free(order);
    sm_zk_config_fini(zc);
    *zc = out;
}

/* ------------------------------------------------------------ ZooKeeper */

typedef struct cf_entity {
    sm_zk_entity_t type;
    const char    *type_name;     /* "topics" */
    char          *name;          /* sanitized; "<default>"; NULL: all */
} cf_entity_t;

/* Entity.toString: "topic 'foo'", "default brokers", "brokers '1'". */
static char *
cf_entity_str(const cf_entity_t *e, const char *name)
{
    const char *t = e->type_name;

    if (e->type == SM_ZK_ENTITY_USERS)
        t = "user-principal";
    else if (e->type == SM_ZK_ENTITY_CLIENTS)
        t = "client-id";
    else if (e->type == SM_ZK_ENTITY_TOPICS)
        t = "topic";
    if (strcmp(name, SM_ZK_DEFAULT_ENTITY) == 0)
        return sm_asprintf("default %s", t);
    return sm_asprintf("%s '%s'", t, name);
}

static int
cf_zk_fail(cf_ctx_t *c, sm_err_t err, const char *path)
{
    return tp_throw(&c->tp, "org.apache.zookeeper.KeeperException",
                    "%s for %s", sm_err_desc(err), path);
}

static int
cf_zk_open(cf_ctx_t *c)
{
    sm_zk_conf_t conf;
    char errstr[512] = "";
    sm_err_t err;

    memset(&conf, 0, sizeof(conf));
    conf.connect = cf_val(c, C_ZOOKEEPER);
    conf.session_timeout_ms = 30000;        /* ConfigCommand's values */
    conf.connection_timeout_ms = 30000;
    err = sm_zk_new(&conf, &c->tp.zk, errstr, sizeof(errstr));
    if (err != SM_OK)
        return tp_throw(&c->tp, "kafka.zookeeper."
                        "ZooKeeperClientTimeoutException", "%s",
                        errstr[0] ? errstr : "Timed out waiting for "
                        "connection while in state: CONNECTING");
    return 0;
}

/* parseEntity: the first type and name; "" is the default entity. */
static int
cf_parse_entity(cf_ctx_t *c, cf_entity_t *e)
{
    int t = sm_zk_entity_parse(c->types[0], strlen(c->types[0]));

    memset(e, 0, sizeof(*e));
    if (c->ntypes > 1)
        return tp_throw(&c->tp, CF_IAE, "samsa-configs: configs of <user, "
                        "client> pairs are not supported");
    sm_assert(t >= 0);                  /* cf_check_types allowed it */
    e->type = (sm_zk_entity_t)t;
    e->type_name = c->types[0];
    if (c->nenames > 0)
        e->name = sm_strdup(c->enames[0][0] == '\0' ? SM_ZK_DEFAULT_ENTITY
                                                    : c->enames[0]);
    return 0;
}

/* A broker config as the brokers would take it (sm_config_apply_dynamic
 * over the defaults); the message loses its "dynamic ... config: "
 * prefix, which Kafka's ConfigException does not have. */
static int
cf_validate_broker(cf_ctx_t *c, const char *name, const sm_zk_config_t *zc)
{
    sm_config_t *base = sm_config_new(), *out = NULL;
    int is_default = strcmp(name, SM_ZK_DEFAULT_ENTITY) == 0;
    char errstr[512] = "";
    const char *msg = errstr;
    sm_props_t props;
    int rc = 0;

    /* the one key without a default; its value does not matter here */
    (void)sm_config_set(base, SM_CONFIG_LAYER_STATIC, "zookeeper.connect",
                        cf_val(c, C_ZOOKEEPER), "--zookeeper", 0, errstr,
                        sizeof(errstr));
    (void)sm_config_finish(base, errstr, sizeof(errstr));
    sm_props_init(&props);
    for (int i = 0; i < zc->cnt; i++)
        sm_props_set(&props, zc->keys[i], zc->values[i], 0);
    errstr[0] = '\0';
    if (sm_config_apply_dynamic(base, is_default ? &props : NULL,
                                is_default ? NULL : &props, &out, errstr,
                                sizeof(errstr)) != SM_OK) {
        if (strncmp(errstr, "dynamic ", 8) == 0 && strstr(errstr, ": "))
            msg = strstr(errstr, ": ") + 2;
        rc = tp_throw(&c->tp, CF_CE, "%s", msg);
    }
    sm_config_destroy(out);
    sm_config_destroy(base);
    sm_props_fini(&props);
    return rc;
}

/* DynamicConfig.Client/User/Ip.validate: only the quota keys. */
static int
cf_validate_quota(cf_ctx_t *c, const cf_entity_t *e, const sm_zk_config_t *zc)
{
    static const char *const client[] = { "producer_byte_rate",
        "consumer_byte_rate", "request_percentage" };
    static const char *const ip[] = { "connection_creation_rate" };
    const char *const *keys = e->type == SM_ZK_ENTITY_IPS ? ip : client;
    int n = e->type == SM_ZK_ENTITY_IPS ? CF_N(ip) : CF_N(client);

    for (int i = 0; i < zc->cnt; i++) {
        int ok = 0;
        for (int j = 0; j < n; j++)
            ok |= strcmp(zc->keys[i], keys[j]) == 0;
        if (e->type == SM_ZK_ENTITY_USERS &&
            strncmp(zc->keys[i], "SCRAM-", 6) == 0)
            ok = 1;
        if (!ok)
            return tp_throw(&c->tp, CF_IAE, "requirement failed: Unknown "
                            "Dynamic Configuration: Set(%s).", zc->keys[i]);
    }
    return 0;
}

/* AdminZkClient.changeConfigs' validation of the final config. */
static int
cf_validate(cf_ctx_t *c, const cf_entity_t *e, const sm_zk_config_t *zc)
{
    char *msg = NULL;
    sm_err_t err;
    int rc;

    switch (e->type) {
    case SM_ZK_ENTITY_TOPICS:
        if (sm_admin_validate_topic_name(e->name, &msg) != SM_OK) {
            rc = tp_throw(&c->tp, "org.apache.kafka.common.errors."
                          "InvalidTopicException", "%s", msg);
            free(msg);
            return rc;
        }
        err = sm_zk_topic_exists(c->tp.zk, e->name);
        if (err == SM_ERR__NOENT)
            return tp_throw(&c->tp, "org.apache.kafka.common.errors."
                            "UnknownTopicOrPartitionException", "Topic "
                            "'%s' does not exist.", e->name);
        if (err != SM_OK)
            return cf_zk_fail(c, err, e->name);
        return tp_validate_configs(&c->tp, zc->keys, zc->values, zc->cnt);
    case SM_ZK_ENTITY_BROKERS:
        return cf_validate_broker(c, e->name, zc);
    default:
        return cf_validate_quota(c, e, zc);
    }
}

/* alterConfigWithZk */
static int
cf_alter(cf_ctx_t *c)
{
    sm_zk_config_t add = { 0 }, del = { 0 }, cur = { 0 };
    sm_buf_t bad = SM_BUF_INIT;
    cf_entity_t e;
    char *str = NULL;
    sm_err_t err;
    int rc;

    rc = cf_parse_adds(c, &add);
    cf_parse_deletes(c, &del);
    if (rc == 0)
        rc = cf_parse_entity(c, &e);
    if (rc != 0)
        goto out_cfg;
    /* DynamicBrokerConfig.validateConfigs of the additions first */
    if (e.type == SM_ZK_ENTITY_BROKERS && add.cnt > 0)
        rc = cf_validate_broker(c, e.name, &add);
    err = rc == 0 ? sm_zk_get_entity_config(c->tp.zk, e.type, e.name, &cur)
                  : SM_OK;
    if (err != SM_OK)
        rc = cf_zk_fail(c, err, e.name);
    for (int i = 0; rc == 0 && i < del.cnt; i++)
        if (sm_zk_config_get(&cur, del.keys[i]) == NULL) {
            if (bad.len > 0)
                sm_buf_write(&bad, ",", 1);
            sm_buf_write(&bad, del.keys[i], strlen(del.keys[i]));
        }
    if (rc == 0 && bad.len > 0)
        rc = tp_throw(&c->tp, CF_ICE, "Invalid config(s): %.*s",
                      (int)bad.len, (const char *)bad.data);
    if (rc == 0) {
        sm_zk_config_t next = { 0 };
        for (int i = 0; i < cur.cnt; i++)
            sm_zk_config_set(&next, cur.keys[i], cur.values[i]);
        for (int i = 0; i < add.cnt; i++)
            sm_zk_config_set(&next, add.keys[i], add.values[i]);
        for (int i = 0; i < del.cnt; i++)
            sm_zk_config_unset(&next, del.keys[i]);
        cf_config_java_order(&next);
        rc = cf_validate(c, &e, &next);
        err = rc == 0 ? sm_zk_change_entity_config(c->tp.zk, e.type, e.name,
                                                   &next) : SM_OK;
        if (err != SM_OK)
            rc = cf_zk_fail(c, err, e.name);
        sm_zk_config_fini(&next);
    }
    if (rc == 0) {
        str = cf_entity_str(&e, e.name);
        printf("Completed updating config for entity: %s.\n", str);
    }
    free(str);
    free(e.name);
out_cfg:
    sm_buf_fini(&bad);
    sm_zk_config_fini(&add);
    sm_zk_config_fini(&del);
    sm_zk_config_fini(&cur);
    return rc;
}

static int
cf_describe_one(cf_ctx_t *c, const cf_entity_t *e, const char *name)
{
    sm_zk_config_t zc = { 0 };
    char *str, *joined;
    sm_err_t err;

    err = sm_zk_get_entity_config(c->tp.zk, e->type, name, &zc);
    if (err != SM_OK)
        return cf_zk_fail(c, err, name);
    cf_config_java_order(&zc);
    str = cf_entity_str(e, name);
    joined = tp_configs_join(zc.keys, zc.values, zc.cnt);
    printf("Configs for %s are %s\n", str, joined);
    free(joined);
    free(str);
    sm_zk_config_fini(&zc);
    return 0;
}

/* describeConfigWithZk: one entity, or every one with a config znode
 * (sorted; Kafka prints ZooKeeper's child order). */
static int
cf_describe(cf_ctx_t *c)
{
    sm_zk_strings_t ch = { 0 };
    cf_entity_t e;
    sm_err_t err;
    int rc = cf_parse_entity(c, &e);

    if (rc != 0 || e.name != NULL) {
        if (rc == 0)
            rc = cf_describe_one(c, &e, e.name);
        free(e.name);
        return rc;
    }
    err = sm_zk_get_entities(c->tp.zk, e.type, &ch);
    if (err != SM_OK && err != SM_ERR__NOENT)
        return cf_zk_fail(c, err, e.type_name);
    for (int i = 0; rc == 0 && i < ch.cnt; i++)
        rc = cf_describe_one(c, &e, ch.v[i]);
    sm_zk_strings_fini(&ch);
    return rc;
}

/* ------------------------------------------------------------ main */

/* The exception recorded in c->tp, printed as ConfigCommand.main does. */
static int
cf_report(cf_ctx_t *c, int argc, char **argv)
{
    const char *cls = c->tp.exc_class ? c->tp.exc_class : CF_IAE;

    fflush(stdout);
    if (strcmp(cls, CF_IAE) == 0 || strcmp(cls, CF_ICE) == 0) {
        fprintf(stderr, "%s\n", c->tp.exc_msg ? c->tp.exc_msg : "");
        return 1;
    }
    fprintf(stderr, "Error while executing config command with args '");
    for (int i = 1; i < argc; i++)
        fprintf(stderr, "%s%s", i > 1 ? " " : "", argv[i]);
    fprintf(stderr, "'\n%s: %s\n", cls, c->tp.exc_msg ? c->tp.exc_msg : "");
    return 1;
}

static int
cf_run(cf_ctx_t *c, int argc, char **argv)
{
    int rc;

    if (cf_has(c, C_BOOTSTRAP))
        return cf_fail("samsa-configs: --bootstrap-server is not supported "
                       "yet (samsa serves no AlterConfigs); use --zookeeper");
    printf("Warning: --zookeeper is deprecated and will be removed in a "
           "future version of Kafka.\n");
    printf("Use --bootstrap-server instead to specify a broker to connect "
           "to.\n");
    rc = cf_zk_open(c);
    if (rc == 0)
        rc = cf_has(c, C_ALTER) ? cf_alter(c) : cf_describe(c);
    return rc == 0 ? 0 : cf_report(c, argc, argv);
}

static void
cf_ctx_fini(cf_ctx_t *c)
{
    for (int i = 0; i < C__CNT; i++)
        free(c->opt[i].args);
    free(c->names);
    if (c->tp.zk != NULL)
        sm_zk_destroy(c->tp.zk);
    if (c->tp.defaults != NULL)
        sm_config_destroy(c->tp.defaults);
    free(c->tp.exc_class);
    free(c->tp.exc_msg);
}

int
main(int argc, char **argv)
{
    cf_ctx_t c;
    int rc;

    sm_log_init_tool();
    memset(&c, 0, sizeof(c));
    if (cf_parse_args(&c, argc, argv) != 0) {
        rc = 1;
    } else if (argc < 2 || cf_has(&c, C_HELP)) {
        rc = cf_usage("This tool helps to manipulate and describe entity "
                      "config for a topic, client, user, broker or ip");
    } else if (cf_has(&c, C_VERSION)) {
        printf("%s (Commit:unknown)\n", PACKAGE_VERSION);
        rc = 0;
    } else {
        rc = cf_check_args(&c);
        if (rc == 0)
            rc = cf_run(&c, argc, argv);
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = 1;
    cf_ctx_fini(&c);
    return rc;
}
