// What the fuzz targets share: the input as a multipart message, and checks
// that abort (libFuzzer reports an abort as a crash, with the input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>
#include <zmq.hpp>

namespace fuzz {

constexpr std::size_t max_frames = 16;

// Frames from the fuzzer's bytes: each is [u16 little-endian size][bytes]; a
// size past the end takes what is left. fuzz/seeds.py writes seeds this way.
inline std::vector<zmq::message_t> frames(const std::uint8_t* data, std::size_t size)
{
    std::vector<zmq::message_t> msg;
    std::size_t at = 0;
    while (at + 2 <= size && msg.size() < max_frames) {
        std::size_t n = data[at] | std::size_t(data[at + 1]) << 8;
        at += 2;
        if (n > size - at) n = size - at;
        msg.emplace_back(data + at, n);
        at += n;
    }
    return msg;
}

inline std::string_view text(const zmq::message_t& frame) { return {frame.data<char>(), frame.size()}; }

// Same number of frames, same bytes in each.
template <class A, class B> bool same_frames(const A& a, const B& b)
{
    if (std::size(a) != std::size(b)) return false;
    for (std::size_t i = 0; i < std::size(a); ++i)
        if (text(a[i]) != text(b[i])) return false;
    return true;
}

[[noreturn]] inline void failed(const char* what, const char* file, int line)
{
    std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    std::abort();
}

}  // namespace fuzz

#define FUZZ_CHECK(cond) ((cond) ? void(0) : fuzz::failed(#cond, __FILE__, __LINE__))
