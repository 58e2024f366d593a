/*
 * broker_meta.c: meta.properties in every log dir (Kafka's
 * BrokerMetadataCheckpoint).
 *
 * File format (Java properties, as Kafka writes it):
 *     #
 *     #<date>
 *     version=0
 *     broker.id=<id>
 *     cluster.id=<cluster id>
 * Written to "meta.properties.tmp", fsync'd and renamed.  On start every dir
 * that has one must agree on broker.id (it pins an auto-generated id across
 * restarts) and on cluster.id (a log dir from another cluster is refused:
 * Kafka's InconsistentClusterIdException).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/sm_log.h"
#include "common/sm_mem.h"
#include "server/broker_meta.h"
#include "server/config_props.h"

static char *
sm_meta_path(const char *dir, const char *name)
{
    return sm_asprintf("%s/%s", dir, name);
}

sm_err_t
sm_broker_meta_read(const char *const *dirs, int ndirs, int32_t *broker_id,
                    char **cluster_id, char *errstr, size_t errstr_size)
{
    *broker_id = -1;
    *cluster_id = NULL;
    for (int i = 0; i < ndirs; i++) {
        char *path = sm_meta_path(dirs[i], "meta.properties");
        sm_props_t props;
        const char *bid, *cid;
        char perr[256];

        sm_props_init(&props);
        if (access(path, F_OK) != 0) {
            free(path);
            sm_props_fini(&props);
            continue;
        }
        if (sm_props_load(&props, path, perr, sizeof(perr)) != SM_OK) {
            snprintf(errstr, errstr_size, "cannot read %s: %s", path, perr);
            free(path);
            sm_props_fini(&props);
            return SM_ERR__IO;
        }
        bid = sm_props_get(&props, "broker.id");
        cid = sm_props_get(&props, "cluster.id");
        if (bid && *broker_id >= 0 && atoi(bid) != *broker_id) {
            snprintf(errstr, errstr_size, "log dirs disagree on broker.id "
                     "(%d and %s in %s)", (int)*broker_id, bid, path);
            free(path);
            sm_props_fini(&props);
            return SM_ERR__CONFIG;
        }
        if (bid)
            *broker_id = atoi(bid);
        if (cid && *cluster_id && strcmp(cid, *cluster_id) != 0) {
            snprintf(errstr, errstr_size, "log dirs disagree on cluster.id "
                     "(%s and %s in %s)", *cluster_id, cid, path);
            free(path);
            sm_props_fini(&props);
            return SM_ERR__CONFIG;
        }
        if (cid && *cluster_id == NULL)
            *cluster_id = sm_strdup(cid);
        free(path);
        sm_props_fini(&props);
    }
    return SM_OK;
}

static sm_err_t
sm_meta_write_one(const char *dir, int32_t broker_id, const char *cluster_id,
                  char *errstr, size_t errstr_size)
{
    char *tmp = sm_meta_path(dir, "meta.properties.tmp");
    char *path = sm_meta_path(dir, "meta.properties");
    char *text, date[64];
    time_t now = time(NULL);
    struct tm tm;
    sm_err_t err = SM_OK;
    int fd;

    localtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a %b %d %H:%M:%S %Z %Y", &tm);
    text = sm_asprintf("#\n#%s\nversion=0\nbroker.id=%d\ncluster.id=%s\n",
                       date, (int)broker_id, cluster_id ? cluster_id : "");
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
        fsync(fd) != 0 || rename(tmp, path) != 0) {
        snprintf(errstr, errstr_size, "cannot write %s: %s", path,
                 strerror(errno));
        err = SM_ERR__IO;
    }
    if (fd >= 0)
        close(fd);
    free(text);
    free(tmp);
    free(path);
    return err;
}

sm_err_t
sm_broker_meta_write(const char *const *dirs, int ndirs, int32_t broker_id,
                     const char *cluster_id, char *errstr,
                     size_t errstr_size)
{
    for (int i = 0; i < ndirs; i++) {
        sm_err_t err = sm_meta_write_one(dirs[i], broker_id, cluster_id,
                                         errstr, errstr_size);
        if (err != SM_OK)
            return err;
    }
    return SM_OK;
}
