/*
 * sm_crc.h: the two checksums of Kafka's record formats.
 *
 * CRC-32C (Castagnoli) covers RecordBatch v2 (attributes..end); CRC-32
 * (IEEE, zlib's crc32) covers MessageSet v0/v1 messages (magic..end).
 *
 * sm_crc32c() uses the SSE4.2 crc32 instruction when the CPU has it and a
 * slice-by-8 table otherwise; the choice is made once, at the first call or
 * in sm_crc32c_init(), which also runs a self-test of both paths against
 * known vectors and returns -1 if either disagrees (the daemon refuses to
 * start then: a wrong CRC would corrupt every batch it writes).
 *
 * All functions are thread-safe after sm_crc32c_init().
 */
#ifndef SM_CRC_H
#define SM_CRC_H

#include <stddef.h>
#include <stdint.h>

/* Select the implementation and self-test; 0 ok, -1 self-test failed. */
int      sm_crc32c_init(void);
/* Continue a CRC-32C: start with crc = 0. */
uint32_t sm_crc32c(uint32_t crc, const void *data, size_t len);
/* The portable table version, exposed for tests and benchmarks. */
uint32_t sm_crc32c_sw(uint32_t crc, const void *data, size_t len);
/* 1 if the hardware path is in use. */
int      sm_crc32c_hw_active(void);
/* CRC-32 (IEEE) through zlib; start with crc = 0. */
uint32_t sm_crc32(uint32_t crc, const void *data, size_t len);

#endif
