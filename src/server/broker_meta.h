/*
 * broker_meta.h: meta.properties of the log dirs (see broker_meta.c).
 */
#ifndef SM_SERVER_BROKER_META_H
#define SM_SERVER_BROKER_META_H

#include <stddef.h>
#include <stdint.h>

#include "common/sm_err.h"

/* The broker.id (-1 if none) and cluster.id (NULL if none; caller frees)
 * recorded in the dirs; an error if they disagree. */
sm_err_t sm_broker_meta_read(const char *const *dirs, int ndirs,
                             int32_t *broker_id, char **cluster_id,
                             char *errstr, size_t errstr_size);
/* Write meta.properties into every dir (tmp + fsync + rename). */
sm_err_t sm_broker_meta_write(const char *const *dirs, int ndirs,
                              int32_t broker_id, const char *cluster_id,
                              char *errstr, size_t errstr_size);

#endif
