/*
 * dump_log.h: the pieces of samsa-dump-log (bin/kafka-dump-log.sh), samsa's
 * version of Kafka's kafka.tools.DumpLogSegments as it behaves in Kafka
 * 2.5-2.7 (the text below cites 2.7.2).
 *
 * FILES
 *   samsa-dump-log.c     main: options (jopt-simple's rules), --help text,
 *                        the per-file dispatch on the file suffix, and the
 *                        summary reports printed to stderr at the end
 *   dump_log_segment.c   .log segments: batches and records
 *   dump_log_index.c     .index, .timeindex and .txnindex files
 *   dump_log_decode.c    what --print-data-log prints for keys and values:
 *                        the kafka.serializer decoders and the
 *                        --offsets-decoder / --transaction-log-decoder
 *                        formatters
 *   dump_log_coord.c     the __consumer_offsets / __transaction_state
 *                        record formatters
 *   dump_log_util.c      Java compatibility: java.io.File path rules,
 *                        Long.parseLong, UTF-8 decoding with U+FFFD, the
 *                        "exception" that ends the run, file mapping, the
 *                        summary report lists
 *
 * OUTPUT CONTRACT.  stdout must match Kafka's, line by line and byte by
 * byte, for the same input and options.  Where Kafka's tool dies with an
 * uncaught exception (corrupt sizes, bad file names, missing files), samsa
 * prints what Kafka printed before the exception (possibly half a line),
 * then the first line of the Java stack trace on stderr
 *   Exception in thread "main" <java class>: <message>
 * and exits 1, as the JVM does.  dl_throw() does that; every function that
 * can "throw" returns -1 after calling it, and callers unwind with -1.
 *
 * Threads: one; the program is a single-threaded filter.
 * Memory: files are mmap'ed read-only for the length of one dump; records
 * borrow from the mapping or from a decompression buffer (records.h).
 */
#ifndef SM_TOOLS_DUMP_LOG_H
#define SM_TOOLS_DUMP_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/sm_slice.h"

/* What --print-data-log uses to show keys and values. */
typedef enum dl_parser {
    DL_PARSER_DECODERS = 0,       /* --key/--value-decoder-class */
    DL_PARSER_OFFSETS,            /* --offsets-decoder */
    DL_PARSER_TXN,                /* --transaction-log-decoder */
} dl_parser_t;

/* kafka.serializer decoders samsa knows (by Kafka class name). */
typedef enum dl_decoder {
    DL_DEC_STRING = 0,            /* kafka.serializer.StringDecoder */
    DL_DEC_DEFAULT,               /* kafka.serializer.DefaultDecoder */
    DL_DEC_INTEGER,               /* kafka.serializer.IntegerDecoder */
    DL_DEC_LONG,                  /* kafka.serializer.LongDecoder */
} dl_decoder_t;

/* An option value as jopt-simple keeps it: every occurrence's argument. */
typedef struct dl_optval {
    int          count;           /* times the option was given */
    int          nargs;           /* arguments collected */
    const char  *arg;             /* the last one (borrowed from argv) */
} dl_optval_t;

/* One list of (a, b) pairs per file, in first-seen order (report lists). */
typedef struct dl_pairs {
    char     *path;               /* owned: the file's absolute path */
    int64_t (*pairs)[2];          /* owned */
    size_t    n, cap;
} dl_pairs_t;

typedef struct dl_report {
    dl_pairs_t *files;            /* owned */
    size_t      n, cap;
} dl_report_t;

typedef struct dl_ctx {
    /* options, resolved as Kafka's DumpLogSegmentsOptions does */
    int          print_data;      /* --print-data-log or any decoder opt */
    int          deep;            /* --deep-iteration or print_data */
    int          verify_only;     /* --verify-index-only */
    int          sanity_only;     /* --index-sanity-check */
    dl_optval_t  max_message_size;
    dl_optval_t  key_decoder, value_decoder;
    int          has_offsets, has_txn;

    /* resolved lazily, per file, the way Kafka evaluates them */
    int32_t      max_msg;
    dl_parser_t  parser;
    dl_decoder_t key_dec, value_dec;

    /* reports printed to stderr after the last file */
    dl_report_t  index_mismatch;  /* (index offset, log offset), prepended */
    dl_report_t  nonconsecutive;  /* (previous, next), prepended */
    dl_report_t  time_mismatch;   /* (index ts, log ts) */
    dl_report_t  time_order;      /* (index ts, previous index ts) */
    dl_report_t  time_notfound;   /* (index offset, log offset) */
} dl_ctx_t;

/* A file name with java.io.File's view of it. */
typedef struct dl_file {
    char       *path;             /* owned: normalised ("a//b/" -> "a/b") */
    const char *name;             /* File.getName: after the last '/' */
    char       *abs;              /* owned: File.getAbsolutePath */
    char       *base;             /* owned: name up to the first '.' */
} dl_file_t;

/* A read-only mapping of a whole file. */
typedef struct dl_map {
    const uint8_t *data;          /* NULL when size == 0 */
    size_t         size;
    const char    *java_path;     /* borrowed: the name Kafka's messages use */
} dl_map_t;

/* One entry of a segment (v2 batch or legacy message) as Kafka's
 * FileLogInputStream.nextBatch saw it. */
typedef struct dl_entry {
    size_t   pos;                 /* in the file */
    size_t   size;                /* 12 + Size */
    int64_t  offset;              /* the log header's Offset */
    int8_t   magic;
} dl_entry_t;

/* ---------------------------------------------------- dump_log_util.c */

/* Print `Exception in thread "main" cls[: msg]` on stderr (after flushing
 * stdout) and return -1.  fmt may be NULL for an exception without a
 * message. */
int  dl_throw(const char *cls, const char *fmt, ...)
     __attribute__((format(printf, 2, 3)));

void dl_file_init(dl_file_t *f, const char *arg);
void dl_file_fini(dl_file_t *f);
/* new File(parent-of(f's absolute path), base + suffix): owned string. */
char *dl_file_sibling(const dl_file_t *f, const char *suffix);

/* Long.parseLong / Integer.parseInt: 0, or -1 if Java would throw. */
int  dl_parse_long(const char *s, int64_t *out);
int  dl_parse_int(const char *s, int32_t *out);
/* Long.parseLong(f->base) or throw NumberFormatException. */
int  dl_file_base_offset(const dl_file_t *f, int64_t *out);

/* Map path read-only.  java_path is what Kafka's exception names.
 * Missing file: NoSuchFileException; other errors: IOException. */
int  dl_map_open(dl_map_t *m, const char *path, const char *java_path);
void dl_map_close(dl_map_t *m);

/* Write bytes as Java's new String(bytes, UTF-8) prints them: invalid
 * sequences become U+FFFD by Java's decoder's rules. */
void dl_put_utf8(FILE *out, const uint8_t *p, size_t len);

void dl_report_add(dl_report_t *r, const char *path, int64_t a, int64_t b);
void dl_report_fini(dl_report_t *r);

/* ------------------------------------------------- dump_log_segment.c */

int  dl_dump_log(dl_ctx_t *ctx, const dl_file_t *f);
/* nextBatch over m->data[*pos, end): 1 and *e (pos advanced past it), 0
 * when no complete entry is left, -1 if thrown. */
int  dl_next_entry(const dl_map_t *m, size_t *pos, size_t end,
                   dl_entry_t *e);
/* batch.lastOffset (a v2 batch loads its header: may throw). */
int  dl_entry_last_offset(const dl_map_t *m, const dl_entry_t *e,
                          int64_t *last);
/* The largest record timestamp of the entry, -1 if none (deep iteration,
 * may throw). */
int  dl_entry_max_timestamp(const dl_map_t *m, const dl_entry_t *e,
                            int64_t *max);

/* --------------------------------------------------- dump_log_index.c */

int  dl_dump_index(dl_ctx_t *ctx, const dl_file_t *f);
int  dl_dump_time_index(dl_ctx_t *ctx, const dl_file_t *f);
int  dl_dump_txn_index(dl_ctx_t *ctx, const dl_file_t *f);

/* -------------------------------------------------- dump_log_decode.c */

/* Resolve a Kafka decoder class name; -1 (ClassNotFoundException thrown)
 * if samsa has no equivalent. */
int  dl_decoder_lookup(const char *class_name, dl_decoder_t *dec);

/* Print " key: K" / " payload: V" for one record the way Kafka's
 * DecoderMessageParser / OffsetsMessageParser / TransactionLogMessageParser
 * and DumpLogSegments print them.  key/value: len -1 = null. */
int  dl_print_key_value(dl_ctx_t *ctx, sm_bytes_t key, sm_bytes_t value);

/* --------------------------------------------------- dump_log_coord.c */

/* " key: ... payload: ..." for a __consumer_offsets record. */
int  dl_print_offsets_record(sm_bytes_t key, sm_bytes_t value);
/* " key: ... payload: ..." for a __transaction_state record. */
int  dl_print_txn_record(sm_bytes_t key, sm_bytes_t value);

#endif
