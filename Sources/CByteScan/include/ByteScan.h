// Byte classes of 16 bytes at a time, for the hot loops of the candump and GVRET CSV skimmers: one bit per byte,
// the first byte in bit 0. `static inline`, so that Swift's importer inlines them into the loop; SSE2 where the
// compiler has it (every x86-64), a plain loop elsewhere.
#ifndef CARDIAG_BYTESCAN_H
#define CARDIAG_BYTESCAN_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/// Bit i set when p[i] is in lowest...lowest+span (unsigned), for i in 0..<16.
static inline uint32_t cardiag_range_bits16(__m128i bytes, uint8_t lowest, uint8_t span) {
    __m128i shifted = _mm_sub_epi8(bytes, _mm_set1_epi8((char)lowest));
    __m128i inRange = _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8((char)span)), shifted);
    return (uint32_t)_mm_movemask_epi8(inRange);
}

/// Bit i set when p[i] is a decimal digit, and in `hex` when it is a hex digit (either case), for i in 0..<16.
static inline uint32_t cardiag_digit_bits16(const uint8_t *p, uint32_t *hex) {
    __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)p);
    uint32_t digits = cardiag_range_bits16(bytes, '0', 9);
    *hex = digits | cardiag_range_bits16(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), 'a', 5);
    return digits;
}
#else
static inline uint32_t cardiag_digit_bits16(const uint8_t *p, uint32_t *hex) {
    uint32_t digits = 0, hexDigits = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t byte = p[i];
        if ((uint8_t)(byte - '0') < 10) digits |= 1u << i;
        if ((uint8_t)(byte - '0') < 10 || (uint8_t)((byte | 0x20) - 'a') < 6) hexDigits |= 1u << i;
    }
    *hex = hexDigits;
    return digits;
}
#endif

/// The digit and hex-digit bits of the 48 bytes at `p` (all must be readable).
static inline uint64_t cardiag_digit_bits48(const uint8_t *p, uint64_t *hex) {
    uint32_t hex0, hex1, hex2;
    uint64_t digits = (uint64_t)cardiag_digit_bits16(p, &hex0) | (uint64_t)cardiag_digit_bits16(p + 16, &hex1) << 16
        | (uint64_t)cardiag_digit_bits16(p + 32, &hex2) << 32;
    *hex = (uint64_t)hex0 | (uint64_t)hex1 << 16 | (uint64_t)hex2 << 32;
    return digits;
}

/// The digit and hex-digit bits of the 64 bytes at `p` (all must be readable).
static inline uint64_t cardiag_digit_bits64(const uint8_t *p, uint64_t *hex) {
    uint32_t hex3;
    uint64_t digits = cardiag_digit_bits48(p, hex) | (uint64_t)cardiag_digit_bits16(p + 48, &hex3) << 48;
    *hex |= (uint64_t)hex3 << 48;
    return digits;
}

#endif
