/*
 * test_compress.c: the codecs of protocol/compress.c - round trips of every
 * codec and framing, the xerial and LZ4 header details Kafka depends on,
 * decompression bombs against the output bound, and corrupt input.
 */
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "common/sm_endian.h"
#include "protocol/compress.h"
#include "sm_test.h"

#define MIB ((size_t)1 << 20)

/* Deterministic xorshift bytes: incompressible. */
static void
fill_random(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* Compressible text-like bytes. */
static void
fill_text(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)("kafka-compatible broker "[i % 24] + (i / 5000) % 3);
}

static void
round_trip(sm_codec_t codec, int flags, const uint8_t *src, size_t n)
{
    sm_buf_t c = SM_BUF_INIT, d = SM_BUF_INIT;

    ck_assert_int_eq(sm_compress(codec, -1, sm_slice(src, n), &c, flags),
                     SM_OK);
    ck_assert_int_eq(sm_decompress(codec, sm_slice(c.data, c.len), n, &d,
                                   flags), SM_OK);
    ck_assert_uint_eq(d.len, n);
    if (n)
        ck_assert(memcmp(d.data, src, n) == 0);
    if (n > 0) {
        /* one byte under the bound must refuse */
        sm_buf_reset(&d);
        ck_assert_int_eq(sm_decompress(codec, sm_slice(c.data, c.len), n - 1,
                                       &d, flags), SM_ERR__TOO_LARGE);
    }
    sm_buf_fini(&c);
    sm_buf_fini(&d);
}

static const struct { sm_codec_t codec; int flags; } variants[] = {
    { SM_CODEC_NONE, 0 },
    { SM_CODEC_GZIP, 0 },
    { SM_CODEC_SNAPPY, 0 },
    { SM_CODEC_SNAPPY, SM_COMPRESS_SNAPPY_RAW },
    { SM_CODEC_LZ4, 0 },
    { SM_CODEC_LZ4, SM_COMPRESS_LZ4_LEGACY },
    { SM_CODEC_ZSTD, 0 },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

START_TEST(compress__names)
{
    static const char *names[] = { "none", "gzip", "snappy", "lz4", "zstd" };

    for (int i = 0; i < SM_CODEC__CNT; i++) {
        ck_assert_str_eq(sm_codec_name((sm_codec_t)i), names[i]);
        ck_assert_int_eq(sm_codec_parse(names[i]), i);
    }
    ck_assert_int_eq(sm_codec_parse("producer"), -1);
    ck_assert_int_eq(sm_codec_parse("GZIP"), -1);
    ck_assert_str_eq(sm_codec_name((sm_codec_t)7), "unknown");
}
END_TEST

START_TEST(compress__round_trip_every_codec)
{
    static const size_t sizes[] = { 0, 1, 5, 32 * 1024, 64 * 1024 + 1,
                                    3 * MIB + 17 };
    uint8_t *text = malloc(sizes[5]), *rnd = malloc(256 * 1024);

    fill_text(text, sizes[5]);
    fill_random(rnd, 256 * 1024, 42);
    for (size_t v = 0; v < NVARIANTS; v++) {
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
            round_trip(variants[v].codec, variants[v].flags, text, sizes[s]);
        round_trip(variants[v].codec, variants[v].flags, rnd, 256 * 1024);
    }
    free(text);
    free(rnd);
}
END_TEST

START_TEST(compress__appends_after_existing_bytes)
{
    for (size_t v = 0; v < NVARIANTS; v++) {
        sm_buf_t c = SM_BUF_INIT, d = SM_BUF_INIT;
        sm_codec_t codec = variants[v].codec;
        int flags = variants[v].flags;

        sm_buf_write(&c, "PFX", 3);
        sm_buf_write(&d, "pfx", 3);
        ck_assert_int_eq(sm_compress(codec, 1, sm_slice("payload", 7), &c,
                                     flags), SM_OK);
        ck_assert_int_eq(sm_decompress(codec, sm_slice(c.data + 3, c.len - 3),
                                       100, &d, flags), SM_OK);
        ck_assert_mem_eq(c.data, "PFX", 3);
        ck_assert_uint_eq(d.len, 10);
        ck_assert_mem_eq(d.data, "pfxpayload", 10);
        sm_buf_fini(&c);
        sm_buf_fini(&d);
    }
}
END_TEST

START_TEST(compress__snappy_xerial_framing)
{
    size_t n = 100 * 1024, pos = 16, blocks = 0;
    uint8_t *src = malloc(n);
    sm_buf_t c = SM_BUF_INIT, d = SM_BUF_INIT;

    fill_text(src, n);
    ck_assert_int_eq(sm_compress(SM_CODEC_SNAPPY, -1, sm_slice(src, n), &c, 0),
                     SM_OK);
    ck_assert_mem_eq(c.data, "\x82SNAPPY\0\0\0\0\x01\0\0\0\x01", 16);
    /* blocks of at most 32 KiB of input: 100 KiB makes four */
    while (pos < c.len) {
        uint32_t blen = sm_load_be32(c.data + pos);
        size_t ulen;
        ck_assert_int_eq(snappy_uncompressed_length(
            (const char *)c.data + pos + 4, blen, &ulen), SNAPPY_OK);
        ck_assert_uint_le(ulen, 32 * 1024);
        pos += 4 + blen;
        blocks++;
    }
    ck_assert_uint_eq(pos, c.len);
    ck_assert_uint_eq(blocks, 4);

    /* a header alone is an empty stream */
    ck_assert_int_eq(sm_decompress(SM_CODEC_SNAPPY, sm_slice(c.data, 16), 10,
                                   &d, 0), SM_OK);
    ck_assert_uint_eq(d.len, 0);
    /* a block length past the end is corrupt */
    sm_store_be32(c.data + 16, 0x7fffffff);
    ck_assert_int_eq(sm_decompress(SM_CODEC_SNAPPY, sm_slice(c.data, c.len),
                                   n, &d, 0), SM_ERR__COMPRESSION);
    free(src);
    sm_buf_fini(&c);
    sm_buf_fini(&d);
}
END_TEST

/* A raw block from libsnappy itself, as librdkafka and sarama send it. */
START_TEST(compress__snappy_raw_block_decodes)
{
    static const char msg[] = "raw snappy, raw snappy, raw snappy!";
    char raw[128];
    size_t rlen = sizeof(raw);
    sm_buf_t c = SM_BUF_INIT, d = SM_BUF_INIT;

    ck_assert_int_eq(snappy_compress(msg, sizeof(msg), raw, &rlen), SNAPPY_OK);
    ck_assert_int_eq(sm_decompress(SM_CODEC_SNAPPY, sm_slice(raw, rlen), 100,
                                   &d, 0), SM_OK);
    ck_assert_uint_eq(d.len, sizeof(msg));
    ck_assert_mem_eq(d.data, msg, sizeof(msg));
    /* and what the RAW flag writes is exactly such a block */
    ck_assert_int_eq(sm_compress(SM_CODEC_SNAPPY, -1,
                                 sm_slice(msg, sizeof(msg)), &c,
                                 SM_COMPRESS_SNAPPY_RAW), SM_OK);
    ck_assert_uint_eq(c.len, rlen);
    ck_assert_mem_eq(c.data, raw, rlen);
    sm_buf_fini(&c);
    sm_buf_fini(&d);
}
END_TEST

/*
 * Kafka's frame header is 04 22 4d 18 | FLG 60 | BD 40 | HC.  The proper HC
 * is 0x82; the magic-0 (KAFKA-3160) one, hashed from the magic, 0x1a (both
 * values from python3-xxhash).
 */
START_TEST(compress__lz4_kafka_header_and_legacy_checksum)
{
    sm_buf_t good = SM_BUF_INIT, bad = SM_BUF_INIT, d = SM_BUF_INIT;
    sm_slice_t src = sm_slice("hello, kafka", 12);

    ck_assert_int_eq(sm_compress(SM_CODEC_LZ4, -1, src, &good, 0), SM_OK);
    ck_assert_int_eq(sm_compress(SM_CODEC_LZ4, -1, src, &bad,
                                 SM_COMPRESS_LZ4_LEGACY), SM_OK);
    ck_assert_mem_eq(good.data, "\x04\x22\x4d\x18\x60\x40\x82", 7);
    ck_assert_mem_eq(bad.data, "\x04\x22\x4d\x18\x60\x40\x1a", 7);
    ck_assert_uint_eq(good.len, bad.len);
    ck_assert_mem_eq(good.data + 7, bad.data + 7, good.len - 7);

    /* broken HC: rejected unless the legacy flag is given */
    ck_assert_int_eq(sm_decompress(SM_CODEC_LZ4, sm_slice(bad.data, bad.len),
                                   100, &d, 0), SM_ERR__COMPRESSION);
    sm_buf_reset(&d);
    ck_assert_int_eq(sm_decompress(SM_CODEC_LZ4, sm_slice(bad.data, bad.len),
                                   100, &d, SM_COMPRESS_LZ4_LEGACY), SM_OK);
    ck_assert_uint_eq(d.len, 12);
    /* a correct HC is accepted in both modes */
    for (int flags = 0; flags <= SM_COMPRESS_LZ4_LEGACY; flags++) {
        sm_buf_reset(&d);
        ck_assert_int_eq(sm_decompress(SM_CODEC_LZ4,
                                       sm_slice(good.data, good.len), 100, &d,
                                       flags), SM_OK);
        ck_assert_mem_eq(d.data, "hello, kafka", 12);
    }
    sm_buf_fini(&good);
    sm_buf_fini(&bad);
    sm_buf_fini(&d);
}
END_TEST

/* Frames other writers produce: content size, content checksum, 4 MiB
 * blocks (python-lz4 and liblz4 defaults). */
START_TEST(compress__lz4_foreign_frames)
{
    size_t n = 300 * 1024, bound;
    uint8_t *src = malloc(n), *dst;
    LZ4F_preferences_t prefs;
    sm_buf_t d = SM_BUF_INIT;

    fill_text(src, n);
    memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.contentSize = n;
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
    prefs.frameInfo.blockSizeID = LZ4F_max4MB;
    bound = LZ4F_compressFrameBound(n, &prefs);
    dst = malloc(bound);
    bound = LZ4F_compressFrame(dst, bound, src, n, &prefs);
    ck_assert(!LZ4F_isError(bound));
    ck_assert_int_eq(sm_decompress(SM_CODEC_LZ4, sm_slice(dst, bound), n, &d,
                                   0), SM_OK);
    ck_assert_uint_eq(d.len, n);
    ck_assert(memcmp(d.data, src, n) == 0);
    /* a flipped content byte fails the content checksum */
    dst[bound / 2] ^= 0x40;
    sm_buf_reset(&d);
    ck_assert_int_ne(sm_decompress(SM_CODEC_LZ4, sm_slice(dst, bound), n, &d,
                                   0), SM_OK);
    free(src);
    free(dst);
    sm_buf_fini(&d);
}
END_TEST

START_TEST(compress__gzip_members_and_zlib_rejected)
{
    sm_buf_t c = SM_BUF_INIT, d = SM_BUF_INIT;
    uint8_t zbuf[128];
    uLongf zlen = sizeof(zbuf);

    ck_assert_int_eq(sm_compress(SM_CODEC_GZIP, -1, sm_slice("abc", 3), &c, 0),
                     SM_OK);
    ck_assert_mem_eq(c.data, "\x1f\x8b", 2);
    ck_assert_int_eq(sm_compress(SM_CODEC_GZIP, 9, sm_slice("def", 3), &c, 0),
                     SM_OK);
    /* two members read as one stream; trailing junk is ignored (Java) */
    sm_buf_write(&c, "\0junk", 5);
    ck_assert_int_eq(sm_decompress(SM_CODEC_GZIP, sm_slice(c.data, c.len), 6,
                                   &d, 0), SM_OK);
    ck_assert_uint_eq(d.len, 6);
    ck_assert_mem_eq(d.data, "abcdef", 6);
    /* a zlib stream is not gzip */
    ck_assert_int_eq(compress(zbuf, &zlen, (const Bytef *)"abc", 3), Z_OK);
    sm_buf_reset(&d);
    ck_assert_int_eq(sm_decompress(SM_CODEC_GZIP, sm_slice(zbuf, zlen), 10,
                                   &d, 0), SM_ERR__COMPRESSION);
    sm_buf_fini(&c);
    sm_buf_fini(&d);
}
END_TEST

/* zstd-jni streams frames without a content size; also two frames. */
START_TEST(compress__zstd_streamed_and_concatenated)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    uint8_t src[5000], dst[8192];
    ZSTD_inBuffer in = { src, sizeof(src), 0 };
    ZSTD_outBuffer ob = { dst, sizeof(dst), 0 };
    sm_buf_t d = SM_BUF_INIT, two = SM_BUF_INIT;
    size_t rc;

    fill_text(src, sizeof(src));
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
    do {
        rc = ZSTD_compressStream2(cctx, &ob, &in, ZSTD_e_end);
        ck_assert(!ZSTD_isError(rc));
    } while (rc != 0);
    ck_assert_uint_eq(ZSTD_getFrameContentSize(dst, ob.pos),
                      ZSTD_CONTENTSIZE_UNKNOWN);
    ck_assert_int_eq(sm_decompress(SM_CODEC_ZSTD, sm_slice(dst, ob.pos),
                                   sizeof(src), &d, 0), SM_OK);
    ck_assert_uint_eq(d.len, sizeof(src));
    ck_assert(memcmp(d.data, src, sizeof(src)) == 0);
    sm_buf_write(&two, dst, ob.pos);
    sm_buf_write(&two, dst, ob.pos);
    sm_buf_reset(&d);
    ck_assert_int_eq(sm_decompress(SM_CODEC_ZSTD, sm_slice(two.data, two.len),
                                   2 * sizeof(src), &d, 0), SM_OK);
    ck_assert_uint_eq(d.len, 2 * sizeof(src));
    /* and junk after a frame is corrupt */
    sm_buf_write(&two, "junkjunk", 8);
    sm_buf_reset(&d);
    ck_assert_int_eq(sm_decompress(SM_CODEC_ZSTD, sm_slice(two.data, two.len),
                                   3 * sizeof(src), &d, 0),
                     SM_ERR__COMPRESSION);
    ZSTD_freeCCtx(cctx);
    sm_buf_fini(&d);
    sm_buf_fini(&two);
}
END_TEST

/* 64 MiB of zeros against a 1 MiB bound: refused, and the buffer never
 * grew past the bound. */
START_TEST(compress__bomb_is_bounded)
{
    size_t n = 64 * MIB;
    uint8_t *zeros = calloc(1, n);

    ck_assert_ptr_nonnull(zeros);
    for (size_t v = 1; v < NVARIANTS; v++) {
        sm_buf_t c = SM_BUF_INIT, d = SM_BUF_INIT;
        sm_codec_t codec = variants[v].codec;
        int flags = variants[v].flags;

        ck_assert_int_eq(sm_compress(codec, -1, sm_slice(zeros, n), &c, flags),
                         SM_OK);
        ck_assert_uint_lt(c.len, 4 * MIB);
        ck_assert_int_eq(sm_decompress(codec, sm_slice(c.data, c.len), MIB,
                                       &d, flags), SM_ERR__TOO_LARGE);
        ck_assert_msg(d.cap <= MIB + 1, "%s grew to %zu bytes",
                      sm_codec_name(codec), d.cap);
        sm_buf_fini(&c);
        sm_buf_fini(&d);
    }
    free(zeros);
}
END_TEST

START_TEST(compress__corrupt_and_truncated_input)
{
    uint8_t src[20000];

    fill_text(src, sizeof(src));
    fill_random(src + 10000, 2000, 7);
    for (size_t v = 1; v < NVARIANTS; v++) {
        sm_buf_t c = SM_BUF_INIT, d = SM_BUF_INIT;
        sm_codec_t codec = variants[v].codec;
        int flags = variants[v].flags;

        ck_assert_int_eq(sm_compress(codec, -1, sm_slice(src, sizeof(src)),
                                     &c, flags), SM_OK);
        /* every truncation fails or at least does not give the input */
        for (size_t cut = 0; cut < c.len; cut++) {
            uint8_t *p = malloc(cut ? cut : 1);
            sm_err_t err;
            memcpy(p, c.data, cut);
            sm_buf_reset(&d);
            err = sm_decompress(codec, sm_slice(p, cut), sizeof(src), &d,
                                flags);
            ck_assert_msg(err != SM_OK || d.len < sizeof(src),
                          "%s cut at %zu decoded fully",
                          sm_codec_name(codec), cut);
            if (codec != SM_CODEC_SNAPPY || (flags & SM_COMPRESS_SNAPPY_RAW))
                ck_assert_int_eq(err, SM_ERR__COMPRESSION);
            free(p);
        }
        /* flipped bytes: any result but a crash */
        for (size_t i = 0; i < c.len; i += 3) {
            c.data[i] ^= 0x5a;
            sm_buf_reset(&d);
            (void)sm_decompress(codec, sm_slice(c.data, c.len), sizeof(src),
                                &d, flags);
            ck_assert_uint_le(d.len, sizeof(src) + 1);
            c.data[i] ^= 0x5a;
        }
        sm_buf_fini(&c);
        sm_buf_fini(&d);
    }
}
END_TEST

START_TEST(compress__garbage_input)
{
    uint8_t junk[512];
    sm_buf_t d = SM_BUF_INIT;

    for (uint32_t seed = 1; seed < 400; seed++) {
        size_t n = seed % sizeof(junk);
        fill_random(junk, n, seed);
        if (seed % 5 == 0 && n >= 8)
            memcpy(junk, "\x82SNAPPY\0", 8);
        if (seed % 7 == 0 && n >= 4)
            memcpy(junk, "\x04\x22\x4d\x18", 4);
        for (size_t v = 1; v < NVARIANTS; v++) {
            sm_buf_reset(&d);
            (void)sm_decompress(variants[v].codec, sm_slice(junk, n), 4096,
                                &d, variants[v].flags);
            ck_assert_uint_le(d.len, 4097);
        }
    }
    sm_buf_fini(&d);
}
END_TEST

START_TEST(compress__unknown_codec)
{
    sm_buf_t b = SM_BUF_INIT;

    ck_assert_int_eq(sm_compress((sm_codec_t)5, -1, sm_slice("x", 1), &b, 0),
                     SM_ERR__UNSUPPORTED_CODEC);
    ck_assert_int_eq(sm_decompress((sm_codec_t)7, sm_slice("x", 1), 10, &b, 0),
                     SM_ERR__UNSUPPORTED_CODEC);
    ck_assert_int_eq(sm_decompress(SM_CODEC_NONE, sm_slice("xyz", 3), 2, &b,
                                   0), SM_ERR__TOO_LARGE);
    ck_assert_uint_eq(b.len, 0);
    sm_buf_fini(&b);
}
END_TEST

Suite *
sm_test_suite_compress(void)
{
    Suite *s = suite_create("compress");
    TCase *tc = tcase_create("compress");

    tcase_set_timeout(tc, SM_TEST_TIMEOUT_DEFAULT * 3);
    tcase_add_test(tc, compress__names);
    tcase_add_test(tc, compress__round_trip_every_codec);
    tcase_add_test(tc, compress__appends_after_existing_bytes);
    tcase_add_test(tc, compress__snappy_xerial_framing);
    tcase_add_test(tc, compress__snappy_raw_block_decodes);
    tcase_add_test(tc, compress__lz4_kafka_header_and_legacy_checksum);
    tcase_add_test(tc, compress__lz4_foreign_frames);
    tcase_add_test(tc, compress__gzip_members_and_zlib_rejected);
    tcase_add_test(tc, compress__zstd_streamed_and_concatenated);
    tcase_add_test(tc, compress__bomb_is_bounded);
    tcase_add_test(tc, compress__corrupt_and_truncated_input);
    tcase_add_test(tc, compress__garbage_input);
    tcase_add_test(tc, compress__unknown_codec);
    suite_add_tcase(s, tc);
    return s;
}
