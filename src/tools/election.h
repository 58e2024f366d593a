/*
 * election.h: what kafka-leader-election.sh (samsa-leader-election.c) and
 * the --bootstrap-server mode of kafka-preferred-replica-election.sh
 * (samsa-preferred-replica-election.c) share: the admin client from
 * --admin.config, the ElectLeaders call and the report Kafka's
 * LeaderElectionCommand / PreferredReplicaLeaderElectionCommand print.
 *
 * EXCEPTIONS.  Kafka's tools let their exceptions escape main; tle_die()
 * prints what the JVM prints then,
 *     Exception in thread "main" <class>: <message>
 * on stderr (after flushing stdout), and returns 1, the exit status.
 *
 * NOOP LINE.  Kafka 2.4-2.8 print the elected partitions on the "already
 * elected" line (they join the wrong set), a slip later Kafka fixed;
 * samsa prints the partitions that needed no election.
 *
 * ORDER.  Kafka collects the partitions of each outcome in a Scala
 * mutable.HashSet and prints them with mkString(", "): tle_report lists
 * them in that set's iteration order (election_common.c).
 *
 * Threads: one.
 */
#ifndef SM_TOOLS_ELECTION_H
#define SM_TOOLS_ELECTION_H

#include "client/samsa.h"

#define TLE_ACFE "kafka.common.AdminCommandFailedException"

/* The wording of one tool. */
typedef struct tle_texts {
    const char *ok;         /* "Successfully completed leader election
                             * (PREFERRED) for partitions " */
    const char *noop;       /* "Valid replica already elected for
                             * partitions " */
    const char *err;        /* "Error completing leader election
                             * (PREFERRED) for partition: " */
    const char *failed;     /* "replica(s) could not be elected" */
} tle_texts_t;

int tle_die(const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A client for bootstrap with the keys of the admin_config file (NULL:
 * none; keys the client does not know are ignored), then the two
 * timeouts.  0, or 1 after tle_die(). */
int tle_client(const char *bootstrap, const char *admin_config,
               int api_timeout_ms, int request_timeout_ms,
               samsa_client_t **clientp);

/* Kafka's exception class (simple name) for an error code. */
const char *tle_exc_class(samsa_err_t err);

/* idx[0..n) (indexes into r, in insertion order on entry) sorted into the
 * order Scala's mutable.HashSet iterates those partitions (exposed for the
 * unit tests). */
void tle_order(const samsa_election_result_t *r, int *idx, int n);

/* samsa_elect_leaders (parts NULL: every partition) and the report; the
 * exit status. */
int tle_elect(samsa_client_t *client, int type,
              const samsa_topic_partition_t *parts, int cnt,
              const tle_texts_t *texts);

#endif
