/*
 * sm_test.c: the runner and file helpers declared in sm_test.h.
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/sm_crc.h"
#include "sm_test.h"

int
sm_test_main(const sm_suite_fn *suites, int n)
{
    SRunner *sr;
    int failed;

    if (sm_crc32c_init() != 0) {
        printf("Bail out! CRC32C self-test failed\n");
        return 1;
    }
    /* Check's default is 4 s per test: too tight for the model tests of
     * a sanitizer build on a loaded 2-core machine (two timed out while
     * other jobs ran).  A hung test is still killed, after 60 s; cases
     * that need more set their own, and CK_DEFAULT_TIMEOUT overrides. */
    setenv("CK_DEFAULT_TIMEOUT", "60", 0);
    sr = srunner_create(suites[0]());
    for (int i = 1; i < n; i++)
        srunner_add_suite(sr, suites[i]());
    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *
sm_test_data(const char *name)
{
    static char path[PATH_MAX];
    const char *srcdir = getenv("srcdir");

    snprintf(path, sizeof(path), "%s/t/data/%s", srcdir ? srcdir : ".", name);
    return path;
}

unsigned char *
sm_test_slurp(const char *path, size_t *lenp)
{
    struct stat st;
    unsigned char *buf;
    int fd = open(path, O_RDONLY);

    ck_assert_msg(fd >= 0, "cannot open %s", path);
    ck_assert_int_eq(fstat(fd, &st), 0);
    buf = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
    close(fd);
    *lenp = (size_t)st.st_size;
    return buf;
}

char *
sm_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl;

    if (asprintf(&tmpl, "%s/samsa-test-XXXXXX", base ? base : "/tmp") < 0)
        abort();
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    return tmpl;
}

static int
sm_test_rm_one(const char *path, const struct stat *st, int flag,
               struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void
sm_test_rmtree(const char *path)
{
    if (getenv("SAMSA_TEST_LEAVE"))
        return;
    nftw(path, sm_test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * LeakSanitizer (sanitizer builds only; never called otherwise).  The
 * ZooKeeper C client (3.8) leaks a watch event that its I/O thread queued
 * but its completion thread had not delivered when zookeeper_close() runs
 * (the event, its buffer and its watcher list, allocated under
 * zookeeper_process).  Tests that delete a watched znode, or lose their
 * session, and then close it - the controller and ZooKeeper client tests -
 * hit it at random; every test program links this file, so all get it.
 * Full unwinding is needed for the suppression to see zookeeper_process,
 * since the library has no frame pointers.  Our own allocations never run under
 * zookeeper_process (watchers run on the completion thread).
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

__attribute__((used)) const char *
__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";
}

__attribute__((used)) const char *
__lsan_default_suppressions(void)
{
    return "leak:zookeeper_process\n";
}
