#include "sm_test.h"
Suite *
sm_test_suite_create_partitions(void)
{
    return suite_create("create_partitions");
}
