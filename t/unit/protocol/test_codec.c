/*
 * test_codec.c: every primitive type of protocol/codec.h, round trips,
 * known encodings, sticky errors and truncation at every byte position.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol/codec.h"
#include "sm_test.h"

START_TEST(codec__fixed_width_big_endian)
{
    sm_buf_t buf = SM_BUF_INIT;
    sm_rd_t rd;
    static const uint8_t want[] = {
        0xfe, 0x12, 0x34, 0x80, 0x00, 0x00, 0x01,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xde, 0xad, 0xbe, 0xef
    };

    sm_wr_i8(&buf, -2);
    sm_wr_i16(&buf, 0x1234);
    sm_wr_i32(&buf, (int32_t)0x80000001u);
    sm_wr_i64(&buf, 0x0102030405060708LL);
    sm_wr_u32(&buf, 0xdeadbeefu);
    ck_assert_uint_eq(buf.len, sizeof(want));
    ck_assert_mem_eq(buf.data, want, sizeof(want));

    sm_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(sm_rd_i8(&rd), -2);
    ck_assert_int_eq(sm_rd_i16(&rd), 0x1234);
    ck_assert_int_eq(sm_rd_i32(&rd), (int32_t)0x80000001u);
    ck_assert_int_eq(sm_rd_i64(&rd), 0x0102030405060708LL);
    ck_assert_uint_eq(sm_rd_u32(&rd), 0xdeadbeefu);
    ck_assert_int_eq(rd.err, SM_OK);
    ck_assert_uint_eq(sm_rd_remaining(&rd), 0);
    /* reading past the end fails, sticks, and returns zero */
    ck_assert_int_eq(sm_rd_i8(&rd), 0);
    ck_assert_int_eq(rd.err, SM_ERR__TRUNCATED);
    sm_buf_fini(&buf);
}
END_TEST

/* Kafka's documented zig-zag encodings. */
START_TEST(codec__varint_known_encodings)
{
    static const struct { int64_t v; uint8_t enc[10]; size_t n; } vec[] = {
        { 0, { 0x00 }, 1 },
        { -1, { 0x01 }, 1 },
        { 1, { 0x02 }, 1 },
        { 63, { 0x7e }, 1 },
        { -64, { 0x7f }, 1 },
        { 64, { 0x80, 0x01 }, 2 },
        { 300, { 0xd8, 0x04 }, 2 },
        { INT32_MAX, { 0xfe, 0xff, 0xff, 0xff, 0x0f }, 5 },
        { INT32_MIN, { 0xff, 0xff, 0xff, 0xff, 0x0f }, 5 },
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        sm_buf_t buf = SM_BUF_INIT;
        sm_rd_t rd;
        sm_wr_varint(&buf, (int32_t)vec[i].v);
        ck_assert_uint_eq(buf.len, vec[i].n);
        ck_assert_mem_eq(buf.data, vec[i].enc, vec[i].n);
        ck_assert_uint_eq(sm_varint_size((int32_t)vec[i].v), vec[i].n);
        sm_rd_init(&rd, buf.data, buf.len);
        ck_assert_int_eq(sm_rd_varint(&rd), vec[i].v);
        ck_assert_int_eq(rd.err, SM_OK);
        sm_buf_fini(&buf);
    }
}
END_TEST

START_TEST(codec__varlong_round_trip)
{
    static const int64_t vals[] = {
        0, 1, -1, 127, -128, 1LL << 40, -(1LL << 40), INT64_MAX, INT64_MIN
    };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        sm_buf_t buf = SM_BUF_INIT;
        sm_rd_t rd;
        int64_t out = 0;
        sm_wr_varlong(&buf, vals[i]);
        ck_assert_uint_eq(buf.len, sm_varlong_size(vals[i]));
        sm_rd_init(&rd, buf.data, buf.len);
        ck_assert_int_eq(sm_rd_varlong(&rd), vals[i]);
        ck_assert_int_eq(rd.err, SM_OK);
        ck_assert_uint_eq(sm_varlong_decode(buf.data, buf.len, &out), buf.len);
        ck_assert_int_eq(out, vals[i]);
        /* one byte short never decodes */
        ck_assert_uint_eq(sm_varlong_decode(buf.data, buf.len - 1, &out), 0);
        sm_buf_fini(&buf);
    }
}
END_TEST

START_TEST(codec__varint_too_long)
{
    static const uint8_t six[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
    sm_rd_t rd;

    sm_rd_init(&rd, six, sizeof(six));
    (void)sm_rd_varint(&rd);
    ck_assert_int_eq(rd.err, SM_ERR__VARINT);
    sm_rd_init(&rd, six, sizeof(six));
    (void)sm_rd_uvarint(&rd);
    ck_assert_int_eq(rd.err, SM_ERR__VARINT);
}
END_TEST

START_TEST(codec__strings_classic_and_compact)
{
    sm_buf_t buf = SM_BUF_INIT;
    sm_rd_t rd;
    sm_str_t s;

    sm_wr_cstr(&buf, "kafka", 0);       /* 00 05 k a f k a */
    sm_wr_cstr(&buf, NULL, 0);          /* ff ff */
    sm_wr_cstr(&buf, "", 0);            /* 00 00 */
    sm_wr_cstr(&buf, "kafka", 1);       /* 06 k a f k a */
    sm_wr_cstr(&buf, NULL, 1);          /* 00 */
    sm_wr_cstr(&buf, "", 1);            /* 01 */
    ck_assert_uint_eq(buf.len, 7 + 2 + 2 + 6 + 1 + 1);
    ck_assert_mem_eq(buf.data, "\x00\x05kafka\xff\xff\x00\x00\x06kafka\x00\x01",
                     buf.len);

    sm_rd_init(&rd, buf.data, buf.len);
    s = sm_rd_str(&rd, 0);
    ck_assert(sm_str_eq_cstr(s, "kafka"));
    s = sm_rd_nstr(&rd, 0);
    ck_assert(sm_str_is_null(s));
    s = sm_rd_str(&rd, 0);
    ck_assert_int_eq(s.len, 0);
    ck_assert(!sm_str_is_null(s));
    s = sm_rd_str(&rd, 1);
    ck_assert(sm_str_eq_cstr(s, "kafka"));
    s = sm_rd_nstr(&rd, 1);
    ck_assert(sm_str_is_null(s));
    s = sm_rd_str(&rd, 1);
    ck_assert_int_eq(s.len, 0);
    ck_assert_int_eq(rd.err, SM_OK);

    /* a null where a non-nullable string is required is an error */
    sm_rd_init(&rd, "\xff\xff", 2);
    (void)sm_rd_str(&rd, 0);
    ck_assert_int_eq(rd.err, SM_ERR__NEGATIVE_LENGTH);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(codec__bytes_classic_and_compact)
{
    sm_buf_t buf = SM_BUF_INIT;
    sm_rd_t rd;
    sm_bytes_t b = { (const uint8_t *)"\x01\x02\x03", 3 };

    sm_wr_bytes(&buf, b, 0);
    sm_wr_bytes(&buf, SM_BYTES_NULL, 0);
    sm_wr_bytes(&buf, b, 1);
    sm_wr_bytes(&buf, SM_BYTES_NULL, 1);
    ck_assert_mem_eq(buf.data,
                     "\x00\x00\x00\x03\x01\x02\x03\xff\xff\xff\xff"
                     "\x04\x01\x02\x03\x00", buf.len);
    sm_rd_init(&rd, buf.data, buf.len);
    b = sm_rd_bytes(&rd, 0);
    ck_assert_int_eq(b.len, 3);
    b = sm_rd_nbytes(&rd, 0);
    ck_assert_int_eq(b.len, -1);
    b = sm_rd_bytes(&rd, 1);
    ck_assert_int_eq(b.len, 3);
    ck_assert_mem_eq(b.ptr, "\x01\x02\x03", 3);
    b = sm_rd_nbytes(&rd, 1);
    ck_assert_int_eq(b.len, -1);
    ck_assert_int_eq(rd.err, SM_OK);
    sm_buf_fini(&buf);
}
END_TEST

START_TEST(codec__array_count_bounded_by_frame)
{
    /* count 0x7fffffff with 4 bytes left: must fail before any allocation */
    static const uint8_t hostile[] = { 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
    static const uint8_t compact_null[] = { 0x00 };
    sm_rd_t rd;

    sm_rd_init(&rd, hostile, sizeof(hostile));
    ck_assert_int_eq(sm_rd_array(&rd, 0, 4), 0);
    ck_assert_int_eq(rd.err, SM_ERR__TRUNCATED);

    sm_rd_init(&rd, compact_null, 1);
    ck_assert_int_eq(sm_rd_array(&rd, 1, 4), -1);
    ck_assert_int_eq(rd.err, SM_OK);
}
END_TEST

START_TEST(codec__array_begin_end_compacts)
{
    for (int flex = 0; flex <= 1; flex++) {
        sm_buf_t buf = SM_BUF_INIT;
        sm_rd_t rd;
        size_t pos;

        sm_wr_i8(&buf, 42);
        pos = sm_wr_array_begin(&buf, flex);
        for (int i = 0; i < 200; i++)
            sm_wr_i32(&buf, i);
        sm_wr_array_end(&buf, pos, 200, flex);
        sm_wr_i8(&buf, 43);
        ck_assert_uint_eq(buf.len, 1 + (flex ? 2 : 4) + 800 + 1);

        sm_rd_init(&rd, buf.data, buf.len);
        ck_assert_int_eq(sm_rd_i8(&rd), 42);
        ck_assert_int_eq(sm_rd_array(&rd, flex, 4), 200);
        for (int i = 0; i < 200; i++)
            ck_assert_int_eq(sm_rd_i32(&rd), i);
        ck_assert_int_eq(sm_rd_i8(&rd), 43);
        ck_assert_int_eq(rd.err, SM_OK);
        sm_buf_fini(&buf);
    }
}
END_TEST

START_TEST(codec__tags_skipped)
{
    /* 2 tagged fields: tag 0 size 3, tag 5 size 0, then an int8 */
    static const uint8_t in[] = { 0x02, 0x00, 0x03, 1, 2, 3, 0x05, 0x00, 0x2a };
    sm_rd_t rd;

    sm_rd_init(&rd, in, sizeof(in));
    sm_rd_tags(&rd);
    ck_assert_int_eq(sm_rd_i8(&rd), 0x2a);
    ck_assert_int_eq(rd.err, SM_OK);
}
END_TEST

START_TEST(codec__uuid_and_patch)
{
    sm_buf_t buf = SM_BUF_INIT;
    sm_uuid_t u, v;
    sm_rd_t rd;
    size_t off;

    for (int i = 0; i < 16; i++)
        u.b[i] = (uint8_t)(i * 17);
    off = sm_wr_i32(&buf, 0);
    sm_wr_uuid(&buf, &u);
    sm_wr_patch_i32(&buf, off, (int32_t)(buf.len - 4));
    sm_rd_init(&rd, buf.data, buf.len);
    ck_assert_int_eq(sm_rd_i32(&rd), 16);
    sm_rd_uuid(&rd, &v);
    ck_assert_mem_eq(u.b, v.b, 16);
    sm_buf_fini(&buf);
}
END_TEST

/* A composite structure read in sequence: every prefix must fail cleanly. */
static sm_err_t
read_composite(const uint8_t *p, size_t len)
{
    sm_rd_t rd;
    int32_t n;

    sm_rd_init(&rd, p, len);
    (void)sm_rd_i16(&rd);
    (void)sm_rd_nstr(&rd, 0);
    n = sm_rd_array(&rd, 1, 1);
    for (int32_t i = 0; i < n && rd.err == SM_OK; i++) {
        (void)sm_rd_str(&rd, 1);
        (void)sm_rd_varlong(&rd);
        (void)sm_rd_nbytes(&rd, 0);
    }
    sm_rd_tags(&rd);
    return rd.err;
}

START_TEST(codec__truncation_at_every_byte)
{
    sm_buf_t buf = SM_BUF_INIT;
    sm_bytes_t b = { (const uint8_t *)"payload", 7 };

    sm_wr_i16(&buf, 7);
    sm_wr_cstr(&buf, "client-1", 0);
    sm_wr_array_len(&buf, 3, 1);
    for (int i = 0; i < 3; i++) {
        sm_wr_cstr(&buf, "topic", 1);
        sm_wr_varlong(&buf, -123456789LL * i);
        sm_wr_bytes(&buf, i == 1 ? SM_BYTES_NULL : b, 0);
    }
    sm_wr_tags_empty(&buf);

    ck_assert_int_eq(read_composite(buf.data, buf.len), SM_OK);
    for (size_t cut = 0; cut < buf.len; cut++) {
        /* a heap copy of exactly `cut` bytes lets ASan catch overreads */
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, buf.data, cut);
        ck_assert_int_ne(read_composite(copy, cut), SM_OK);
        free(copy);
    }
    sm_buf_fini(&buf);
}
END_TEST

Suite *
sm_test_suite_codec(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("codec");

    tcase_add_test(tc, codec__fixed_width_big_endian);
    tcase_add_test(tc, codec__varint_known_encodings);
    tcase_add_test(tc, codec__varlong_round_trip);
    tcase_add_test(tc, codec__varint_too_long);
    tcase_add_test(tc, codec__strings_classic_and_compact);
    tcase_add_test(tc, codec__bytes_classic_and_compact);
    tcase_add_test(tc, codec__array_count_bounded_by_frame);
    tcase_add_test(tc, codec__array_begin_end_compacts);
    tcase_add_test(tc, codec__tags_skipped);
    tcase_add_test(tc, codec__uuid_and_patch);
    tcase_add_test(tc, codec__truncation_at_every_byte);
    suite_add_tcase(s, tc);
    return s;
}
