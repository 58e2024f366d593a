#include "sm_test.h"
Suite *
sm_test_suite_delete_topics(void)
{
    return suite_create("delete_topics");
}
