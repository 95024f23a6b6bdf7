// The chat gateway's input from raw TCP (examples/chat/protocol.hpp,
// line_splitter; common::valid_utf8, which the server applies to each line).
// The bytes arrive in chunks of any size: the lines must be the same as when
// the whole stream is split at once, and valid_utf8 must agree with a second,
// table-driven reading of RFC 3629.
#include <string>
#include <vector>

#include "common/codec.hpp"
#include "fuzz.hpp"
#include "protocol.hpp"

namespace {

// The Unicode standard's table of well-formed UTF-8 byte sequences (Table 3-7).
bool utf8_by_table(std::string_view s)
{
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char b = byte(i);
        auto in = [&](std::size_t k, unsigned lo, unsigned hi) { return i + k < s.size() && byte(i + k) >= lo && byte(i + k) <= hi; };
        std::size_t n = 0;
        if (b <= 0x7F) n = 1;
        else if (b >= 0xC2 && b <= 0xDF && in(1, 0x80, 0xBF)) n = 2;
        else if (b == 0xE0 && in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF)) n = 3;
        else if (((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) && in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF)) n = 3;
        else if (b == 0xED && in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF)) n = 3;
        else if (b == 0xF0 && in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF)) n = 4;
        else if (b >= 0xF1 && b <= 0xF3 && in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF)) n = 4;
        else if (b == 0xF4 && in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF)) n = 4;
        else return false;
        i += n;
    }
    return true;
}

// What the splitter should report: a line, or "too long" (an empty optional).
using events = std::vector<std::pair<bool, std::string>>;

events split(chat::line_splitter& lines, std::string_view bytes, std::size_t max_line)
{
    events out;
    lines.feed(bytes, max_line, [&](const std::string& line) { out.emplace_back(true, line); },
               [&] { out.emplace_back(false, std::string()); });
    return out;
}

// The same, from the whole stream at once, the obvious way.
events expected(std::string_view bytes, std::size_t max_line)
{
    events out;
    for (std::size_t start = 0; start <= bytes.size();) {
        const auto end = bytes.find('\n', start);
        const auto line = bytes.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (line.size() > max_line) out.emplace_back(false, std::string());
        else if (end != std::string_view::npos)
            out.emplace_back(true, std::string(line.ends_with('\r') ? line.substr(0, line.size() - 1) : line));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) return 0;
    // Byte 0: the longest line (small, so lines get cut); byte 1: the chunk sizes.
    const std::size_t max_line = 1 + data[0] % 32;
    const std::size_t chunk = 1 + data[1] % 16;
    const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

    chat::line_splitter lines;
    events got;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
        auto more = split(lines, stream.substr(at, chunk), max_line);
        got.insert(got.end(), more.begin(), more.end());
    }
    FUZZ_CHECK(got == expected(stream, max_line));

    FUZZ_CHECK(common::valid_utf8(stream) == utf8_by_table(stream));
    for (const auto& [is_line, line] : got) {
        FUZZ_CHECK(line.size() <= max_line && line.find('\n') == std::string::npos);
        FUZZ_CHECK(common::valid_utf8(line) == utf8_by_table(line));
    }
    return 0;
}
