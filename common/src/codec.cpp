#include "common/codec.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace common {

result<std::monostate> expect_frames(frames msg, std::size_t count)
{
    if (msg.size() == count) return std::monostate{};
    return result<std::monostate>::failure("expected " + std::to_string(count) + " frame" +
                                           (count == 1 ? "" : "s") + ", got " +
                                           std::to_string(msg.size()));
}

result<std::monostate> expect_size(const zmq::message_t& frame, std::size_t size, std::string_view what)
{
    if (frame.size() == size) return std::monostate{};
    return result<std::monostate>::failure(std::string(what) + " frame must be " +
                                           std::to_string(size) + " bytes, got " +
                                           std::to_string(frame.size()));
}

result<std::string_view> text_frame(const zmq::message_t& frame, std::size_t max_size, std::string_view what)
{
    const std::string_view text(static_cast<const char*>(frame.data()), frame.size());
    auto fail = [&](const std::string& why) {
        return result<std::string_view>::failure(std::string(what) + " " + why);
    };
    if (text.empty()) return fail("is empty");
    if (text.size() > max_size) return fail("is longer than " + std::to_string(max_size) + " bytes");
    if (text.find('\0') != std::string_view::npos) return fail("contains a NUL byte");
    if (!valid_utf8(text)) return fail("is not valid UTF-8");
    return text;
}

bool valid_utf8(std::string_view text)
{
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = s + text.size();
    while (s < end) {
        const unsigned char c = *s;
        int extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { ++s; continue; }
        if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
        else return false;
        if (end - s <= extra) return false;
        for (int i = 1; i <= extra; ++i) {
            if ((s[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        constexpr std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
        if (cp < smallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        s += extra + 1;
    }
    return true;
}

result<std::int64_t> parse_int(std::string_view text)
{
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return result<std::int64_t>::failure("'" + printable(text) + "' is not a whole number");
    return value;
}

result<double> parse_double(std::string_view text)
{
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value))
        return result<double>::failure("'" + printable(text) + "' is not a number");
    return value;
}

std::string printable(std::string_view bytes, std::size_t max_size)
{
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < max_size; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02X", c);
            out += hex;
        }
    }
    if (bytes.size() > max_size) out += "...";
    return out;
}

}  // namespace common
