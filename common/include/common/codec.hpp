// Message framing: small typed helpers to build and take apart multipart
// messages. Every frame table in this project uses the same encodings:
// UTF-8 text, or fixed-width little-endian integers and IEEE-754 doubles.
// Decoding never trusts the sender: a malformed message gives an error value
// that the caller reports and drops, never a crash.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <zmq.hpp>

namespace common {

// A value, or a message saying why there is none (std::expected is C++23).
template <class T> class result {
public:
    result(T value) : v_(std::move(value)) {}
    static result failure(std::string why) { return result(error_tag{std::move(why)}); }

    explicit operator bool() const { return v_.index() == 0; }
    T& operator*() { return std::get<0>(v_); }
    const T& operator*() const { return std::get<0>(v_); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    const std::string& error() const { return std::get<1>(v_).why; }

private:
    struct error_tag { std::string why; };
    explicit result(error_tag e) : v_(std::move(e)) {}
    std::variant<T, error_tag> v_;
};

template <class T>
concept wire_number = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

static_assert(std::endian::native == std::endian::little,
              "the encoders below assume a little-endian host");

// Writes fixed-width little-endian fields into one frame.
class frame_writer {
public:
    explicit frame_writer(std::size_t size) : frame_(size) {}
    template <wire_number T> frame_writer& put(T value)
    {
        std::memcpy(static_cast<std::byte*>(frame_.data()) + at_, &value, sizeof value);
        at_ += sizeof value;
        return *this;
    }
    zmq::message_t done() { return std::move(frame_); }

private:
    zmq::message_t frame_;
    std::size_t at_ = 0;
};

// Reads fixed-width little-endian fields from a frame whose size was checked.
class frame_reader {
public:
    explicit frame_reader(const zmq::message_t& frame)
        : data_(static_cast<const std::byte*>(frame.data())), size_(frame.size()) {}
    template <wire_number T> T get()
    {
        T value{};
        if (at_ + sizeof value <= size_) std::memcpy(&value, data_ + at_, sizeof value);
        at_ += sizeof value;
        return value;
    }

private:
    const std::byte* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

using frames = std::span<const zmq::message_t>;

// "expected 2 frames, got 3" when the count is wrong.
result<std::monostate> expect_frames(frames msg, std::size_t count);
result<std::monostate> expect_size(const zmq::message_t& frame, std::size_t size, std::string_view what);

// A text frame: valid UTF-8, no NUL, between 1 and max_size bytes.
result<std::string_view> text_frame(const zmq::message_t& frame, std::size_t max_size, std::string_view what);

bool valid_utf8(std::string_view text);

// Strict number parsing for text protocols and command lines: the whole text
// must be the number.
result<std::int64_t> parse_int(std::string_view text);
result<double> parse_double(std::string_view text);

// Bytes as printable text for log lines: "AB\x01" -> "AB\\x01", cut at max_size.
std::string printable(std::string_view bytes, std::size_t max_size = 40);

}  // namespace common
