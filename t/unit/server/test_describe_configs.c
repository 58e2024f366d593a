#include "sm_test.h"
Suite *
sm_test_suite_describe_configs(void)
{
    return suite_create("describe_configs");
}
