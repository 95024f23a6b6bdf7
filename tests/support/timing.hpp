// Latency bounds that an issue states (a newcomer served within 1 s, an exit
// within 500 ms) are checked as stated in a normal build. Under AddressSanitizer
// or ThreadSanitizer every memory access costs several times more, so there the
// same check allows this many times the bound: the test still proves that one
// peer cannot stall the others (a stall is seconds, or forever), without
// turning the sanitizers' own cost into a failure. Memory figures (RSS) mean
// little there either: ASan keeps freed memory in a quarantine.
#pragma once

namespace support {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool under_sanitizer = true;
inline constexpr int sanitizer_slowdown = 10;
#else
inline constexpr bool under_sanitizer = false;
inline constexpr int sanitizer_slowdown = 1;
#endif

}  // namespace support
