/*
 * bench_produce_floor.c: the least CPU a broker can spend per produced
 * record while persisting it - read the bytes from a loopback TCP socket
 * and write(2) them to a fresh file, nothing else (no framing, no CRC, no
 * record walk, no response) - next to reading them and dropping them,
 * which is about what librdkafka's in-memory mock cluster has to do at
 * least.  The producer benchmark's baseline is that mock, so the
 * difference of the two rows is a floor of what persistence adds to the
 * mock's per-record cost on this machine.  Not a test: built by `make`,
 * never run by `make check`; results in BENCHMARKS.md.
 *
 * A sender thread writes 1 MiB chunks (what a busy librdkafka producer
 * sends per request, roughly) into the socket as fast as it can; the
 * receiving thread reads up to 1 MiB at a time and, in the "persist" row,
 * appends each read to a file in the directory given (default $TMPDIR or
 * /tmp: the disk the benchmarks' brokers use).  Only the receiving
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID) is counted.  Each row is
 * run with the OS-default receive buffer and with Kafka's default
 * socket.receive.buffer.bytes (102400); the median over repetitions is
 * printed as ns per record of -w wire bytes (default 109: a 100 B value
 * without key or headers in a v2 batch, as bench_produce sends).
 *
 * Usage: bench_produce_floor [-r reps] [-m MiB per run] [-w bytes/record]
 *                            [-d dir]
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK    (1 << 20)
#define MAXREPS  31

typedef struct floor_opts {
    int         reps;
    size_t      bytes;         /* per run */
    double      wire;          /* bytes per record */
    const char *dir;
} floor_opts_t;

typedef struct sender {
    int    fd;
    size_t bytes;
} sender_t;

static double
thread_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
    fprintf(stderr, "bench_produce_floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *
send_main(void *arg)
{
    sender_t *s = arg;
    char *buf = malloc(CHUNK);
    size_t left = s->bytes;

    if (buf == NULL)
        die("malloc");
    memset(buf, 'A', CHUNK);
    while (left > 0) {
        ssize_t n = write(s->fd, buf, left < CHUNK ? left : CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("socket write");
        left -= (size_t)n;
    }
    shutdown(s->fd, SHUT_WR);
    free(buf);
    return NULL;
}

/* A connected loopback TCP pair; rcvbuf > 0 sets the receiver's buffer. */
static void
tcp_pair(int rcvbuf, int *rx, int *tx)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(l, 1) != 0 ||
        getsockname(l, (struct sockaddr *)&a, &alen) != 0)
        die("listen");
    if ((*tx = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        connect(*tx, (struct sockaddr *)&a, sizeof(a)) != 0)
        die("connect");
    if ((*rx = accept(l, NULL, NULL)) < 0)
        die("accept");
    close(l);
    setsockopt(*tx, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (rcvbuf > 0 &&
        setsockopt(*rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0)
        die("SO_RCVBUF");
}

/* One run: seconds of receiver CPU for opts->bytes. */
static double
floor_run(const floor_opts_t *o, int persist, int rcvbuf)
{
    char path[4096];
    char *buf = malloc(CHUNK);
    sender_t s = { -1, o->bytes };
    pthread_t th;
    int rx, fd = -1;
    double c0, c1;

    if (buf == NULL)
        die("malloc");
    if (persist) {
        snprintf(path, sizeof(path), "%s/floor.XXXXXX", o->dir);
        if ((fd = mkstemp(path)) < 0)
            die(path);
        unlink(path);
    }
    tcp_pair(rcvbuf, &rx, &s.fd);
    if (pthread_create(&th, NULL, send_main, &s) != 0)
        die("pthread_create");
    c0 = thread_cpu();
    for (;;) {
        ssize_t n = read(rx, buf, CHUNK), w = 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("socket read");
        if (n == 0)
            break;
        while (fd >= 0 && w < n) {
            ssize_t k = write(fd, buf + w, (size_t)(n - w));
            if (k < 0 && errno != EINTR)
                die("file write");
            w += k > 0 ? k : 0;
        }
    }
    c1 = thread_cpu();
    pthread_join(th, NULL);
    close(rx);
    close(s.fd);
    if (fd >= 0)
        close(fd);
    free(buf);
    return c1 - c0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
floor_median(const floor_opts_t *o, int persist, int rcvbuf)
{
    double v[MAXREPS];

    for (int i = 0; i < o->reps; i++)
        v[i] = floor_run(o, persist, rcvbuf) / ((double)o->bytes / o->wire)
               * 1e9;
    qsort(v, (size_t)o->reps, sizeof(v[0]), cmp_double);
    return v[o->reps / 2];
}

int
main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    floor_opts_t o = { 5, (size_t)512 << 20, 109, tmp ? tmp : "/tmp" };
    int c;

    while ((c = getopt(argc, argv, "r:m:w:d:")) != -1) {
        switch (c) {
        case 'r': o.reps = atoi(optarg); break;
        case 'm': o.bytes = (size_t)atol(optarg) << 20; break;
        case 'w': o.wire = atof(optarg); break;
        case 'd': o.dir = optarg; break;
        default:
            fprintf(stderr, "usage: bench_produce_floor [-r reps] "
                    "[-m MiB] [-w bytes/record] [-d dir]\n");
            return 2;
        }
    }
    if (o.reps < 1 || o.reps > MAXREPS || o.bytes == 0 || o.wire <= 0) {
        fprintf(stderr, "bench_produce_floor: bad -r, -m or -w\n");
        return 2;
    }
    printf("receiver CPU per record of %.0f wire bytes, ns, median of %d "
           "runs of %zu MiB (files in %s)\n", o.wire, o.reps,
           o.bytes >> 20, o.dir);
    printf("%-28s %12s %12s\n", "", "OS rcvbuf", "rcvbuf 102400");
    printf("%-28s %12.1f %12.1f\n", "read, drop (mock's least)",
           floor_median(&o, 0, 0), floor_median(&o, 0, 102400));
    printf("%-28s %12.1f %12.1f\n", "read, write(2) to a file",
           floor_median(&o, 1, 0), floor_median(&o, 1, 102400));
    return 0;
}
