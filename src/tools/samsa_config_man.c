/*
 * samsa_config_man.c: samsa-config-man, which writes server.properties(5)
 * to stdout from the configuration table (server/config_man.c does the
 * work).  Run by make to produce man/server.properties.5.
 */
#include "config.h"

#include <stdio.h>

#include "common/sm_buf.h"
#include "server/config.h"

int
main(void)
{
    sm_buf_t buf = SM_BUF_INIT;
    int rc = 0;

    sm_config_write_man(&buf, PACKAGE_VERSION);
    if (fwrite(buf.data, 1, buf.len, stdout) != buf.len || fflush(stdout))
        rc = 1;
    sm_buf_fini(&buf);
    if (rc != 0)
        fprintf(stderr, "samsa-config-man: write to stdout failed\n");
    return rc;
}
