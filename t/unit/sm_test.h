/*
 * sm_test.h: shared glue for samsa's Check unit-test programs.
 *
 * One program per subsystem (test_common, test_protocol, test_log ...), one
 * suite per source file, case names "module__case" (STYLE.md §10).  Each
 * program's main() calls sm_test_main() with its suite constructors; output
 * is TAP on stdout for automake's tap-driver, fork mode stays on so a crash
 * fails one test, and CK_RUN_SUITE / CK_RUN_CASE / CK_FORK=no work as
 * documented by Check.
 *
 * SM_TEST_DATA(path) names a file under t/data/ relative to $srcdir, so the
 * tests work in VPATH builds.
 */
#ifndef SM_TEST_H
#define SM_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

typedef Suite *(*sm_suite_fn)(void);

int sm_test_main(const sm_suite_fn *suites, int n);

/* Path of a file in t/data (static buffer; copy before the next call). */
const char *sm_test_data(const char *name);
/* Read a whole file into a heap buffer; aborts the test if missing. */
unsigned char *sm_test_slurp(const char *path, size_t *lenp);
/* Make a fresh empty temporary directory; caller frees the string and
 * removes the tree with sm_test_rmtree(). */
char *sm_test_tmpdir(void);
void  sm_test_rmtree(const char *path);

#define SM_TEST_TIMEOUT_DEFAULT 60

#endif
