// The chat server's command parser and the client's reply and broadcast
// decoders (examples/chat/protocol.hpp): what they accept is what
// make_message would send, frame for frame, and its text is safe to print.
#include <algorithm>

#include "fuzz.hpp"
#include "protocol.hpp"

namespace {

bool safe_text(std::string_view text)
{
    return common::valid_utf8(text) &&
           std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace chat;
    const auto msg = fuzz::frames(data, size);
    const std::size_t max_text = 64;  // small, so that the fuzzer reaches the limit

    if (const auto r = parse_request(msg, max_text)) {
        if (r->command == word::join) {
            FUZZ_CHECK(valid_name(r->name) && fuzz::same_frames(make_message({r->command, r->name}), msg));
        } else if (r->command == word::say) {
            FUZZ_CHECK(valid_name(r->name) && safe_text(r->text) && r->text.size() <= max_text);
            FUZZ_CHECK(fuzz::same_frames(make_message({r->command, r->name, r->text}), msg));
        } else {
            FUZZ_CHECK(r->command == word::who || r->command == word::leave || r->command == word::ping);
            FUZZ_CHECK(fuzz::same_frames(make_message({r->command}), msg));
        }
    }
    if (const auto r = parse_reply(msg)) {
        FUZZ_CHECK(r->ok || r->values.size() == 1);
        FUZZ_CHECK(fuzz::same_frames(make_message({r->ok ? word::ok : word::error, r->command}, r->values), msg));
    }
    if (const auto b = parse_broadcast(msg, max_text)) {
        FUZZ_CHECK(valid_name(b->handle));
        if (b->topic == presence_topic) {
            FUZZ_CHECK(fuzz::same_frames(make_message({b->topic, b->kind, b->handle}), msg));
        } else {
            FUZZ_CHECK(valid_name(b->topic) && b->kind == word::msg && safe_text(b->text));
            FUZZ_CHECK(fuzz::same_frames(make_message({b->topic, b->kind, b->handle, b->text}), msg));
        }
    }
    return 0;
}
