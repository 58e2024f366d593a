/*
 * samsa-leader-election: bin/kafka-leader-election.sh, Kafka's
 * kafka.admin.LeaderElectionCommand (2.4-2.8): ask the controller, through
 * the ElectLeaders API (libsamsa's samsa_elect_leaders), for a PREFERRED
 * or UNCLEAN leader election of one partition (--topic, --partition), of
 * the partitions of a JSON file (--path-to-json-file) or of every
 * partition (--all-topic-partitions).
 *
 * ORDER OF CHECKS, as Kafka's run(): option syntax, --help / no argument
 * (the description and the option table on stderr, exit 1), --version,
 * validate() (required options, exactly one partition source, --partition
 * with --topic), the election type (PREFERRED or UNCLEAN in any case), the
 * JSON file, --partition's integer, the --admin.config file, then the
 * call.  A failed check ends as the JVM ends an uncaught exception:
 *     Exception in thread "main" <class>: <message>
 * on stderr, exit 1.
 *
 * OUTPUT (stdout), as Kafka's electLeaders():
 *     Successfully completed leader election (PREFERRED) for partitions
 *         t-0, t-1
 *     Valid replica already elected for partitions t-2
 *     Error completing leader election (PREFERRED) for partition: t-3:
 *         <exception>
 * (one line each)
 * then, if any failed, the uncaught "<n> replica(s) could not be elected"
 * (exit 1); exit 0 otherwise.  Each list iterates as Scala's mutable
 * HashSet of TopicPartition does (election_common.c).  Kafka 2.4-2.8 print
 * the "Valid replica" line with the elected partitions instead of the
 * unchanged ones, a bug later Kafka fixed; samsa prints the unchanged ones.
 * A call that times out prints "Timeout waiting for election results".
 *
 * CLIENT.  --admin.config keys the client knows are applied (others are
 * ignored as Kafka's AdminClientConfig ignores them), then, as Kafka's
 * tool does, bootstrap.servers, default.api.timeout.ms=30000 and
 * request.timeout.ms=15000.
 *
 * Threads: one.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "client/samsa.h"
#include "common/sm_buf.h"
#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "tools/election.h"

#define TLE_TIMEOUT_MS 30000

typedef struct tle_opts {
    const char *bootstrap;
    const char *admin_config;
    const char *json_file;
    const char *topic;
    const char *partition;
    const char *election_type;
    int all;
    int help, version;
} tle_opts_t;

static const char tle_usage[] =
    "This tool attempts to elect a new leader for a set of topic "
    "partitions. The type of elections supported are preferred replicas "
    "and unclean replicas.\n"
    "Option                                  Description\n"
    "------                                  -----------\n"
    "--admin.config <String: config file>    Configuration properties files "
    "to pass\n"
    "                                          to the admin client\n"
    "--all-topic-partitions                  Perform election on all of the "
    "eligible\n"
    "                                          topic partitions based on the "
    "type of\n"
    "                                          election (see the --election-"
    "type\n"
    "                                          flag). Not allowed if --topic "
    "or --\n"
    "                                          path-to-json-file is "
    "specified.\n"
    "--bootstrap-server <String: host:port>  A hostname and port for the "
    "broker to\n"
    "                                          connect to, in the form "
    "host:port.\n"
    "                                          Multiple comma separated URLs "
    "can be\n"
    "                                          given. REQUIRED.\n"
    "--election-type <[PREFERRED,UNCLEAN]:   Type of election to attempt. "
    "Possible\n"
    "  election type>                          values are \"preferred\" for "
    "preferred\n"
    "                                          leader election or "
    "\"unclean\" for\n"
    "                                          unclean leader election. If "
    "preferred\n"
    "                                          election is selection, the "
    "election is\n"
    "                                          only performed if the current "
    "leader is\n"
    "                                          not the preferred leader for "
    "the topic\n"
    "                                          partition. If unclean "
    "election is\n"
    "                                          selected, the election is "
    "only\n"
    "                                          performed if there are no "
    "leader for\n"
    "                                          the topic partition. "
    "REQUIRED.\n"
    "--help                                  Print usage information.\n"
    "--partition <Integer: partition id>     Partition id for which to "
    "perform an\n"
    "                                          election. REQUIRED if --topic "
    "is\n"
    "                                          specified.\n"
    "--path-to-json-file <String: Path to    The JSON file with the list  of\n"
    "  JSON file>                              partition for which leader "
    "elections\n"
    "                                          should be performed. This is "
    "an\n"
    "                                          example format.\n"
    "                                        {\"partitions\":\n"
    "                                        \t[{\"topic\": \"foo\", "
    "\"partition\": 1},\n"
    "                                        \t {\"topic\": \"foobar\", "
    "\"partition\": 2}]\n"
    "                                        }\n"
    "                                        Not allowed if --all-topic-"
    "partitions\n"
    "                                          or --topic flags are "
    "specified.\n"
    "--topic <String: topic name>            Name of topic for which to "
    "perform an\n"
    "                                          election. Not allowed if --"
    "path-to-\n"
    "                                          json-file or --all-topic-"
    "partitions\n"
    "                                          is specified.\n"
    "--version                               Display Kafka version.\n";

#define TLE_AOE  "kafka.admin.AdminOperationException"

/* ------------------------------------------------------------ options */

static int
tle_parse(int argc, char **argv, tle_opts_t *o)
{
    static const struct option longopts[] = {
        { "bootstrap-server", required_argument, NULL, 'b' },
        { "admin.config", required_argument, NULL, 'c' },
        { "path-to-json-file", required_argument, NULL, 'j' },
        { "topic", required_argument, NULL, 't' },
        { "partition", required_argument, NULL, 'p' },
        { "all-topic-partitions", no_argument, NULL, 'a' },
        { "election-type", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    memset(o, 0, sizeof(*o));
    opterr = 0;
    while ((c = getopt_long_only(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': o->bootstrap = optarg; break;
        case 'c': o->admin_config = optarg; break;
        case 'j': o->json_file = optarg; break;
        case 't': o->topic = optarg; break;
        case 'p': o->partition = optarg; break;
        case 'a': o->all = 1; break;
        case 'e': o->election_type = optarg; break;
        case 'h': o->help = 1; break;
        case 'v': o->version = 1; break;
        case ':': {
            const char *a = argv[optind - 1];
            while (*a == '-')
                a++;
            return tle_die("joptsimple.OptionMissingRequiredArgumentException",
                           "Option %s requires an argument", a);
        }
        default: {
            const char *a = argv[optind - 1];
            while (*a == '-')
                a++;
            return tle_die("joptsimple.UnrecognizedOptionException",
                           "%s is not a recognized option", a);
        }
        }
    }
    return 0;
}

/* LeaderElectionCommand.validate. */
static int
tle_validate(const tle_opts_t *o)
{
    int n = (o->topic != NULL) + o->all + (o->json_file != NULL);

    if (o->bootstrap == NULL && o->election_type == NULL)
        return tle_die(TLE_ACFE, "Missing required option(s): "
                       "election-type, bootstrap-server");
    if (o->bootstrap == NULL)
        return tle_die(TLE_ACFE, "Missing required option(s): "
                       "bootstrap-server");
    if (o->election_type == NULL)
        return tle_die(TLE_ACFE, "Missing required option(s): "
                       "election-type");
    if (n != 1)
        return tle_die(TLE_ACFE, "One and only one of the following options "
                       "is required: topic, all-topic-partitions, "
                       "path-to-json-file");
    if (o->topic != NULL && o->partition == NULL)
        return tle_die(TLE_ACFE, "Missing required option(s): partition");
    if (o->topic == NULL && o->partition != NULL)
        return tle_die(TLE_ACFE, "Option partition is only allowed if topic "
                       "is used");
    return 0;
}

/* jopt-simple's EnumConverter: the constant's name in any case. */
static int
tle_election_type(const char *s, int *type)
{
    if (strcasecmp(s, "PREFERRED") == 0)
        *type = SAMSA_ELECTION_PREFERRED;
    else if (strcasecmp(s, "UNCLEAN") == 0)
        *type = SAMSA_ELECTION_UNCLEAN;
    else
        return tle_die("joptsimple.OptionArgumentConversionException",
                       "Cannot parse argument '%s' of option election-type",
                       s);
    return 0;
}

/* Java's Integer.valueOf. */
static int
tle_int(const char *s, int32_t *out)
{
    char *end;
    long long v;

    if (*s == '\0' || *s == ' ')
        return -1;
    v = strtoll(s, &end, 10);
    if (*end != '\0' || v < INT32_MIN || v > INT32_MAX)
        return -1;
    *out = (int32_t)v;
    return 0;
}

/* ------------------------------------------------------------ JSON file */

typedef struct tle_tps {
    samsa_topic_partition_t *v;
    int cnt;
    json_t *root;                       /* owns the topic names */
} tle_tps_t;

static int
tle_same(const samsa_topic_partition_t *a, const samsa_topic_partition_t *b)
{
    return a->partition == b->partition && strcmp(a->topic, b->topic) == 0;
}

/* parseReplicaElectionData: {"partitions":[{"topic":..,"partition":..}]}. */
static int
tle_read_json(const char *path, tle_tps_t *l)
{
    json_error_t jerr;
    json_t *parts, *e;
    size_t i;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return tle_die("java.nio.file.NoSuchFileException", "%s", path);
    l->root = json_loadf(f, JSON_DECODE_ANY, &jerr);
    fclose(f);
    if (l->root == NULL || json_is_null(l->root))
        return tle_die(TLE_AOE, "Replica election data is empty");
    parts = json_is_object(l->root) ? json_object_get(l->root, "partitions")
                                    : NULL;
    if (parts == NULL)
        return tle_die(TLE_AOE, "Replica election data is missing "
                       "\"partitions\" field");
    if (!json_is_array(parts))
        return tle_die("kafka.utils.json.JsonMappingException",
                       "Expected JSON array in \"partitions\"");
    l->v = sm_calloc(json_array_size(parts) + 1, sizeof(*l->v));
    json_array_foreach(parts, i, e) {
        json_t *t = json_object_get(e, "topic");
        json_t *p = json_object_get(e, "partition");
        if (!json_is_string(t) || !json_is_integer(p))
            return tle_die("kafka.utils.json.JsonMappingException",
                           "Expected a topic and an integer partition in "
                           "partition entry %zu", i);
        l->v[l->cnt].topic = (char *)json_string_value(t);  /* borrowed */
        l->v[l->cnt++].partition = (int32_t)json_integer_value(p);
    }
    for (int a = 0; a < l->cnt; a++)
        for (int b = 0; b < a; b++)
            if (tle_same(&l->v[a], &l->v[b]))
                return tle_die(TLE_AOE, "Replica election data contains "
                               "duplicate partitions: %s-%d", l->v[a].topic,
                               (int)l->v[a].partition);
    return 0;
}

/* ------------------------------------------------------------ main */

static const tle_texts_t *
tle_texts(int type)
{
    static const tle_texts_t preferred = {
        "Successfully completed leader election (PREFERRED) for "
        "partitions ", "Valid replica already elected for partitions ",
        "Error completing leader election (PREFERRED) for partition: ",
        "replica(s) could not be elected",
    };
    static const tle_texts_t unclean = {
        "Successfully completed leader election (UNCLEAN) for partitions ",
        "Valid replica already elected for partitions ",
        "Error completing leader election (UNCLEAN) for partition: ",
        "replica(s) could not be elected",
    };

    return type == SAMSA_ELECTION_PREFERRED ? &preferred : &unclean;
}

static int
tle_run(const tle_opts_t *o)
{
    samsa_topic_partition_t one;
    tle_tps_t file = { 0 }, single = { &one, 1, NULL };
    const tle_tps_t *list = NULL;
    samsa_client_t *client = NULL;
    int type = SAMSA_ELECTION_PREFERRED, rc;

    rc = tle_validate(o);
    if (rc == 0)
        rc = tle_election_type(o->election_type, &type);
    if (rc == 0 && o->json_file != NULL) {
        rc = tle_read_json(o->json_file, &file);
        list = &file;
    }
    if (rc == 0 && o->topic != NULL) {
        one.topic = (char *)o->topic;             /* borrowed */
        if (tle_int(o->partition, &one.partition) != 0)
            rc = tle_die("joptsimple.OptionArgumentConversionException",
                         "Cannot parse argument '%s' of option partition",
                         o->partition);
        list = &single;
    }
    if (rc == 0)
        rc = tle_client(o->bootstrap, o->admin_config, TLE_TIMEOUT_MS,
                        TLE_TIMEOUT_MS / 2, &client);
    if (rc == 0)
        rc = tle_elect(client, type, list ? list->v : NULL,
                       list ? list->cnt : 0, tle_texts(type));
    samsa_client_destroy(client);
    sm_free(file.v);
    if (file.root != NULL)
        json_decref(file.root);
    return rc;
}

int
main(int argc, char **argv)
{
    tle_opts_t o;

    sm_log_init_tool();
    if (tle_parse(argc, argv, &o) != 0)
        return 1;
    if (argc < 2 || o.help) {
        fputs(tle_usage, stderr);
        return 1;
    }
    if (o.version) {
        printf("%s (samsa)\n", PACKAGE_VERSION);
        return 0;
    }
    return tle_run(&o);
}
