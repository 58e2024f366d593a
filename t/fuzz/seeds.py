#!/usr/bin/env python3
"""seeds.py: build the libFuzzer seed corpora from the golden captures.

    python3 t/fuzz/seeds.py <t/data dir> <out dir>

writes
    <out>/request_header/<capture>        every t/data/*.bin frame as is
    <out>/record_batch/<capture>.f<N>     the records blob of every Produce
                                          capture, behind flags byte N
    <out>/msgset/<capture>.f<N>           the same, magic 0/1 captures only
with N in 0..3 (flags of t/fuzz/sm_fuzz.h: 1 = fix checksums,
2 = small entry limit).  Only the standard library is used.
"""

import os
import struct
import sys


def produce_blobs(frame):
    """Records blobs of a Produce v0-8 request (non-flexible layout)."""
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(frame):
            raise ValueError("truncated")
        b = frame[pos:pos + n]
        pos += n
        return b

    def i16():
        return struct.unpack(">h", take(2))[0]

    def i32():
        return struct.unpack(">i", take(4))[0]

    key, ver = i16(), i16()
    take(4)                                 # CorrelationId
    n = i16()
    take(max(n, 0))                         # ClientId
    if key != 0 or ver > 8:
        return []
    if ver >= 3:
        take(max(i16(), 0))                 # TransactionalId
    take(6)                                 # Acks, TimeoutMs
    blobs = []
    for _ in range(i32()):
        take(max(i16(), 0))                 # topic Name
        for _ in range(i32()):
            take(4)                         # partition Index
            size = i32()
            if size > 0:
                blobs.append(take(size))
    return blobs


def main():
    data_dir, out = sys.argv[1], sys.argv[2]
    for sub in ("request_header", "record_batch", "msgset"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    n = 0
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith(".bin"):
            continue
        with open(os.path.join(data_dir, name), "rb") as f:
            frame = f.read()
        with open(os.path.join(out, "request_header", name), "wb") as f:
            f.write(frame)
        n += 1
        for i, blob in enumerate(produce_blobs(frame)):
            legacy = len(blob) > 16 and blob[16] < 2
            for flags in range(4):
                seed = bytes([flags]) + blob
                for sub in ("record_batch",) + (("msgset",) if legacy else ()):
                    path = os.path.join(out, sub, "%s.%d.f%d" % (name, i,
                                                                 flags))
                    with open(path, "wb") as f:
                        f.write(seed)
    if n == 0:
        sys.exit("no .bin files in %s" % data_dir)


if __name__ == "__main__":
    main()
