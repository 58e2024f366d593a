/*
 * msg_test.h: checks shared by the message-codec suites (test_<api>.c).
 *
 * SM_MSG_TEST_ROUND_TRIP(M, v, in, eq) is the core check for a message type
 * sm_<M>_t at version v:
 *   1. write `in`, read it back from an exact-size heap copy (so ASan sees
 *      any read past the end), require every byte consumed and
 *      ApiVersion == v, and compare field by field with eq(in, &out);
 *   2. write `out` again and require the same bytes;
 *   3. truncate the encoding at every byte position: the reader must fail,
 *      and what it allocated must be gone (LeakSanitizer in the ASan build);
 *   4. stomp every byte position with hostile 32-bit values (huge, -1, -2,
 *      INT32_MIN): the reader may accept or refuse, but must not crash,
 *      leak or allocate beyond the frame, and whatever it accepts must
 *      write out again.
 * _free() is called twice on every result to check it is idempotent.
 */
#ifndef SM_MSG_TEST_H
#define SM_MSG_TEST_H

#include <stdlib.h>
#include <string.h>

#include "common/sm_buf.h"
#include "protocol/apis.h"
#include "protocol/msg.h"
#include "sm_test.h"

/* Slices of string literals. */
#define SM_S(x) ((sm_str_t){ (x), (int32_t)sizeof(x) - 1 })
#define SM_B(x) ((sm_bytes_t){ (const uint8_t *)(x), (int32_t)sizeof(x) - 1 })

/* Heap copy of exactly n bytes (at least 1 allocated). */
static inline uint8_t *
sm_msg_test_copy(const void *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);

    ck_assert_ptr_nonnull(c);
    if (n)
        memcpy(c, p, n);
    return c;
}

static inline void
sm_msg_test_str(sm_str_t a, sm_str_t b, const char *what)
{
    ck_assert_msg(sm_str_eq(a, b), "%s: \"%.*s\"(%d) != \"%.*s\"(%d)", what,
                  SM_STR_ARG(a), (int)a.len, SM_STR_ARG(b), (int)b.len);
}

static inline void
sm_msg_test_bytes(sm_bytes_t a, sm_bytes_t b, const char *what)
{
    ck_assert_msg(a.len == b.len, "%s: length %d != %d", what, (int)a.len,
                  (int)b.len);
    if (a.len > 0)
        ck_assert_msg(memcmp(a.ptr, b.ptr, (size_t)a.len) == 0,
                      "%s: bytes differ", what);
}

static inline void
sm_msg_test_i32s(const int32_t *a, int32_t na, const int32_t *b, int32_t nb,
                 const char *what)
{
    ck_assert_msg(na == nb, "%s: count %d != %d", what, (int)na, (int)nb);
    for (int32_t i = 0; i < na; i++)
        ck_assert_msg(a[i] == b[i], "%s[%d]: %d != %d", what, (int)i,
                      (int)a[i], (int)b[i]);
}

#define SM_MSG_TEST_EQ(a, b, f)                                              \
    ck_assert_msg((a)->f == (b)->f, "%s: %lld != %lld", #f,                  \
                  (long long)(a)->f, (long long)(b)->f)
#define SM_MSG_TEST_STR(a, b, f)   sm_msg_test_str((a)->f, (b)->f, #f)
#define SM_MSG_TEST_BYTES(a, b, f) sm_msg_test_bytes((a)->f, (b)->f, #f)
#define SM_MSG_TEST_I32S(a, b, f)                                            \
    sm_msg_test_i32s((a)->f, (a)->f##Cnt, (b)->f, (b)->f##Cnt, #f)
/* Compare the counts of array f, then each element with eqfn. */
#define SM_MSG_TEST_ARRAY(a, b, f, eqfn) do {                                \
        ck_assert_msg((a)->f##Cnt == (b)->f##Cnt, "%s count: %d != %d", #f,  \
                      (int)(a)->f##Cnt, (int)(b)->f##Cnt);                   \
        for (int32_t i_ = 0; i_ < (a)->f##Cnt; i_++)                         \
            eqfn(&(a)->f[i_], &(b)->f[i_]);                                  \
    } while (0)

/* Every prefix of data[0..len) must fail to parse. */
#define SM_MSG_TEST_TRUNCATE(M, v, data, len) do {                           \
        for (size_t tn_ = 0; tn_ < (len); tn_++) {                           \
            uint8_t *tp_ = sm_msg_test_copy((data), tn_);                    \
            sm_##M##_t tm_;                                                  \
            sm_rd_t trd_;                                                    \
            sm_rd_init(&trd_, tp_, tn_);                                     \
            ck_assert_msg(sm_##M##_read(&trd_, (v), &tm_) != SM_OK,          \
                          #M " v%d parsed when cut at %zu of %zu",           \
                          (int)(v), tn_, (size_t)(len));                     \
            sm_##M##_free(&tm_);                                             \
            free(tp_);                                                       \
        }                                                                    \
    } while (0)

/* Hostile 32-bit values at every position: no crash, no leak. */
#define SM_MSG_TEST_STOMP(M, v, data, len) do {                              \
        static const uint8_t spat_[4][4] = {                                 \
            { 0x7f, 0xff, 0xff, 0xff }, { 0xff, 0xff, 0xff, 0xff },          \
            { 0xff, 0xff, 0xff, 0xfe }, { 0x80, 0x00, 0x00, 0x00 },          \
        };                                                                   \
        for (size_t si_ = 0; si_ < (len); si_++) {                           \
            for (int sk_ = 0; sk_ < 4; sk_++) {                              \
                uint8_t *sp_ = sm_msg_test_copy((data), (len));              \
                size_t sw_ = (len) - si_ < 4 ? (len) - si_ : 4;              \
                sm_##M##_t sm_;                                              \
                sm_rd_t srd_;                                                \
                memcpy(sp_ + si_, spat_[sk_], sw_);                          \
                sm_rd_init(&srd_, sp_, (len));                               \
                if (sm_##M##_read(&srd_, (v), &sm_) == SM_OK) {              \
                    sm_buf_t ssb_ = SM_BUF_INIT;                             \
                    sm_##M##_write(&ssb_, (v), &sm_);                        \
                    sm_buf_fini(&ssb_);                                      \
                }                                                            \
                sm_##M##_free(&sm_);                                         \
                free(sp_);                                                   \
            }                                                                \
        }                                                                    \
    } while (0)

#define SM_MSG_TEST_ROUND_TRIP(M, v, in, eq) do {                            \
        sm_buf_t rb_ = SM_BUF_INIT, rb2_ = SM_BUF_INIT;                      \
        sm_##M##_t rout_;                                                    \
        sm_rd_t rrd_;                                                        \
        uint8_t *rp_;                                                        \
        sm_##M##_write(&rb_, (v), (in));                                     \
        rp_ = sm_msg_test_copy(rb_.data, rb_.len);                           \
        sm_rd_init(&rrd_, rp_, rb_.len);                                     \
        ck_assert_msg(sm_##M##_read(&rrd_, (v), &rout_) == SM_OK,            \
                      #M " v%d: %s", (int)(v), sm_err_name(rrd_.err));       \
        ck_assert_uint_eq(sm_rd_remaining(&rrd_), 0);                        \
        ck_assert_int_eq(rout_.ApiVersion, (v));                             \
        eq((in), &rout_);                                                    \
        sm_##M##_write(&rb2_, (v), &rout_);                                  \
        ck_assert_uint_eq(rb2_.len, rb_.len);                                \
        if (rb_.len)                                                         \
            ck_assert_mem_eq(rb2_.data, rb_.data, rb_.len);                  \
        sm_##M##_free(&rout_);                                               \
        sm_##M##_free(&rout_);                                               \
        SM_MSG_TEST_TRUNCATE(M, v, rp_, rb_.len);                            \
        SM_MSG_TEST_STOMP(M, v, rp_, rb_.len);                               \
        free(rp_);                                                           \
        sm_buf_fini(&rb_);                                                   \
        sm_buf_fini(&rb2_);                                                  \
    } while (0)

/* Write `in` at v and require exactly want[0..n). */
#define SM_MSG_TEST_BYTES_EQ(M, v, in, want) do {                            \
        sm_buf_t eb_ = SM_BUF_INIT;                                          \
        sm_##M##_write(&eb_, (v), (in));                                     \
        ck_assert_uint_eq(eb_.len, sizeof(want));                            \
        ck_assert_mem_eq(eb_.data, (want), sizeof(want));                    \
        sm_buf_fini(&eb_);                                                   \
    } while (0)

/* Parse want[] at v: must succeed and consume every byte; out is left for
 * the caller to inspect and free. */
#define SM_MSG_TEST_PARSE(M, v, data, len, out) do {                         \
        sm_rd_t qrd_;                                                        \
        sm_rd_init(&qrd_, (data), (len));                                    \
        ck_assert_msg(sm_##M##_read(&qrd_, (v), (out)) == SM_OK,             \
                      #M " v%d: %s", (int)(v), sm_err_name(qrd_.err));       \
        ck_assert_uint_eq(sm_rd_remaining(&qrd_), 0);                        \
    } while (0)

/* Parse data at v: must fail with err. */
#define SM_MSG_TEST_REJECT(M, v, data, err) do {                             \
        uint8_t *jp_ = sm_msg_test_copy((data), sizeof(data));               \
        sm_##M##_t jm_;                                                      \
        sm_rd_t jrd_;                                                        \
        sm_rd_init(&jrd_, jp_, sizeof(data));                                \
        ck_assert_int_eq(sm_##M##_read(&jrd_, (v), &jm_), (err));            \
        sm_##M##_free(&jm_);                                                 \
        free(jp_);                                                           \
    } while (0)

/*
 * Reference encodings: t/data/codec/samples.txt holds one line
 *     <Api> <req|resp> <version> <hex>
 * per sample message of the test_<api>.c suites and version.  Each was
 * decoded and re-encoded byte for byte by an independent implementation
 * (kafka-python 2.0.2's protocol schemas, Debian python3-kafka) wherever
 * it has that version, with the decoded values checked against the
 * samples.  Comparing with them catches a change that alters reader and
 * writer alike, which a round trip cannot see.  Regenerate only for a
 * deliberate change of a sample, and check it again the same way.
 */
static inline void
sm_msg_test_reference(const char *api, const char *kind, int v,
                      const uint8_t *p, size_t n)
{
    FILE *fp = fopen(sm_test_data("codec/samples.txt"), "r");
    char want[64], line[8192];
    int found = 0;

    ck_assert_msg(fp != NULL, "cannot open t/data/codec/samples.txt");
    snprintf(want, sizeof(want), "%s %s %d", api, kind, v);
    while (!found && fgets(line, sizeof(line), fp)) {
        size_t wl = strlen(want), i;
        const char *hex = line + wl;

        if (strncmp(line, want, wl) != 0 || (hex[0] != ' ' && hex[0] != '\n'))
            continue;
        found = 1;
        hex += hex[0] == ' ';
        for (i = 0; i < n; i++) {
            unsigned b;

            ck_assert_msg(sscanf(hex + 2 * i, "%2x", &b) == 1,
                          "%s: reference shorter than %zu bytes", want, n);
            ck_assert_msg(b == p[i], "%s: byte %zu is %02x, reference %02x",
                          want, i, p[i], b);
        }
        ck_assert_msg(hex[2 * n] == '\n' || hex[2 * n] == '\0',
                      "%s: reference longer than %zu bytes", want, n);
    }
    fclose(fp);
    ck_assert_msg(found, "%s: no reference line", want);
}

/* Encode the suite's samples pre_req_sample / pre_resp_sample at every
 * version 0..max and compare with the reference encodings. */
#define SM_MSG_TEST_REFERENCE(API, pre, max) do {                            \
        sm_buf_t fb_ = SM_BUF_INIT;                                          \
        for (int16_t fv_ = 0; fv_ <= (max); fv_++) {                         \
            sm_##API##Request_t fq_;                                         \
            sm_##API##Response_t fr_;                                        \
            pre##_req_sample(fv_, &fq_);                                     \
            sm_##API##Request_write(&fb_, fv_, &fq_);                        \
            sm_msg_test_reference(#API, "req", fv_, fb_.data, fb_.len);      \
            sm_buf_reset(&fb_);                                              \
            pre##_resp_sample(fv_, &fr_);                                    \
            sm_##API##Response_write(&fb_, fv_, &fr_);                       \
            sm_msg_test_reference(#API, "resp", fv_, fb_.data, fb_.len);     \
            sm_buf_reset(&fb_);                                              \
        }                                                                    \
        sm_buf_fini(&fb_);                                                   \
    } while (0)

/*
 * Golden captures: t/data/<Api>_v<N>_<client>[_<variant>].bin is one
 * request frame (header + body, no size prefix) as a real client sent it
 * (t/data/README.md).  sm_msg_test_golden_open() loads one into an
 * exact-size buffer, parses its header and checks ApiKey, ApiVersion and
 * ClientId; g->rd is then at the body.
 */
typedef struct sm_msg_golden {
    uint8_t     *frame;                 /* exact size; sm_msg_golden_close */
    size_t       len;
    sm_req_hdr_t hdr;
    sm_rd_t      rd;
} sm_msg_golden_t;

#define SM_GOLDEN_KP_PRODUCER "kafka-python-producer-1"
#define SM_GOLDEN_KP_CONSUMER "kafka-python-2.0.2"
#define SM_GOLDEN_RDKAFKA     "rdkafka"
#define SM_GOLDEN_TOPIC       "golden"

static inline void
sm_msg_test_golden_open(sm_msg_golden_t *g, const char *file, int16_t key,
                        int16_t version, const char *client_id)
{
    size_t n;
    unsigned char *raw = sm_test_slurp(sm_test_data(file), &n);

    g->frame = sm_msg_test_copy(raw, n);
    g->len = n;
    free(raw);
    sm_rd_init(&g->rd, g->frame, g->len);
    ck_assert_msg(sm_req_hdr_read(&g->rd, &g->hdr) == SM_OK, "%s header",
                  file);
    ck_assert_int_eq(g->hdr.ApiKey, key);
    ck_assert_int_eq(g->hdr.ApiVersion, version);
    ck_assert_msg(sm_str_eq_cstr(g->hdr.ClientId, client_id),
                  "%s: ClientId \"%.*s\"", file, SM_STR_ARG(g->hdr.ClientId));
}

static inline void
sm_msg_test_golden_close(sm_msg_golden_t *g)
{
    free(g->frame);
    g->frame = NULL;
}

/* Parse g's body with sm_<M>_read into *out: it must consume every byte,
 * write back to the very same bytes, and fail on every prefix. */
#define SM_MSG_TEST_GOLDEN_BODY(M, g, out) do {                              \
        const uint8_t *gb_ = (g)->rd.pos;                                    \
        size_t gl_ = sm_rd_remaining(&(g)->rd);                              \
        int16_t gv_ = (g)->hdr.ApiVersion;                                   \
        sm_buf_t gw_ = SM_BUF_INIT;                                          \
        ck_assert_msg(sm_##M##_read(&(g)->rd, gv_, (out)) == SM_OK,          \
                      #M " v%d: %s", (int)gv_, sm_err_name((g)->rd.err));    \
        ck_assert_uint_eq(sm_rd_remaining(&(g)->rd), 0);                     \
        sm_##M##_write(&gw_, gv_, (out));                                    \
        ck_assert_uint_eq(gw_.len, gl_);                                     \
        if (gl_)                                                             \
            ck_assert_mem_eq(gw_.data, gb_, gl_);                            \
        sm_buf_fini(&gw_);                                                   \
        SM_MSG_TEST_TRUNCATE(M, gv_, gb_, gl_);                              \
    } while (0)

#endif
