/*
 * main.c: samsa-server, the broker daemon.
 *
 *     samsa-server server.properties [--override key=value ...]
 *
 * Loads the configuration (an unknown key is a warning, a bad value an
 * error naming key, value and line), logs the effective configuration as
 * Kafka does ("KafkaConfig values:"), starts the broker and waits for
 * SIGTERM or SIGINT, then shuts down in order (broker.h) and exits 0.  A
 * failed start logs the cause and exits 1.
 *
 * Signals are blocked in every thread and taken synchronously here with
 * sigwait(), so no handler ever runs inside library code.
 * SAMSA_LOG_LEVEL=ERROR|WARN|INFO|DEBUG|TRACE sets the log level.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sm_crc.h"
#include "common/sm_log.h"
#include "server/broker.h"
#include "server/config.h"

static void
sm_main_usage(void)
{
    fprintf(stderr, "USAGE: samsa-server server.properties "
            "[--override property=value]*\n");
}

int
main(int argc, char **argv)
{
    static sm_broker_t broker;
    char errstr[1024];
    sm_config_t *cfg = NULL;
    const char *lvl = getenv("SAMSA_LOG_LEVEL");
    sigset_t sigs;
    int sig = 0;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        sm_main_usage();
        return argc < 2 ? 1 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("samsa %s\n", SM_VERSION);
        return 0;
    }
    if (lvl && sm_log_level_parse(lvl) >= 0)
        sm_log_level = sm_log_level_parse(lvl);
    if (sm_crc32c_init() != 0) {
        sm_error("server", "CRC32C self-test failed; refusing to start");
        return 1;
    }
    if (sm_config_from_args(argc, argv, &cfg, errstr,
                            sizeof(errstr)) != SM_OK) {
        sm_error("server", "%s", errstr);
        return 1;
    }
    sm_config_log_values(cfg, 2);

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (sm_broker_start(&broker, cfg, errstr, sizeof(errstr)) != SM_OK) {
        sm_error("server", "Fatal error during SamsaServer startup. "
                 "Prepare to shutdown: %s", errstr);
        sm_config_destroy(cfg);
        return 1;
    }
    while (sigwait(&sigs, &sig) != 0)
        ;
    sm_info("server", "received %s, shutting down",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    sm_broker_shutdown(&broker);
    sm_config_destroy(cfg);
    return 0;
}
