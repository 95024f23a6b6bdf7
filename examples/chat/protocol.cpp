#include "protocol.hpp"

#include <algorithm>

namespace chat {
namespace {

template <class T> common::result<T> fail(std::string why) { return common::result<T>::failure(std::move(why)); }

std::string_view view(const zmq::message_t& frame) { return {static_cast<const char*>(frame.data()), frame.size()}; }

// "SAY takes 3 frames (SAY room text), got 2"
std::string frame_count_error(std::string_view command, std::size_t wanted, std::string_view layout, std::size_t got)
{
    return std::string(command) + " takes " + std::to_string(wanted) + " frame" + (wanted == 1 ? "" : "s") +
           " (" + std::string(layout) + "), got " + std::to_string(got);
}

}  // namespace

message make_message(std::initializer_list<std::string_view> frames)
{
    message msg;
    msg.reserve(frames.size());
    for (auto f : frames) msg.emplace_back(f.data(), f.size());
    return msg;
}

message make_message(std::initializer_list<std::string_view> frames, const std::vector<std::string>& more)
{
    auto msg = make_message(frames);
    for (const auto& f : more) msg.emplace_back(f.data(), f.size());
    return msg;
}

bool valid_name(std::string_view name)
{
    return !name.empty() && name.size() <= max_name_size && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

common::result<std::string_view> name_frame(const zmq::message_t& frame, std::string_view what)
{
    const auto name = view(frame);
    if (name.empty()) return fail<std::string_view>(std::string(what) + " is empty");
    if (name.size() > max_name_size)
        return fail<std::string_view>(std::string(what) + " is longer than " + std::to_string(max_name_size) + " bytes");
    if (!valid_name(name))
        return fail<std::string_view>(std::string(what) + " '" + common::printable(name) + "' may hold only A-Z a-z 0-9 _ . -");
    return name;
}

common::result<std::string_view> text_frame(const zmq::message_t& frame, std::size_t max_text)
{
    auto text = common::text_frame(frame, max_text, "text");
    if (!text) return text;
    // No escape sequences into other people's terminals.
    if (std::any_of(text->begin(), text->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
        return fail<std::string_view>("text contains a control character");
    return text;
}

common::result<request> parse_request(common::frames frames, std::size_t max_text)
{
    if (frames.empty()) return fail<request>("empty message");
    const auto cmd = view(frames[0]);
    auto expect = [&](std::size_t count, std::string_view layout) -> common::result<request> {
        if (frames.size() != count) return fail<request>(frame_count_error(cmd, count, layout, frames.size()));
        return request{cmd, {}, {}};
    };
    if (cmd == word::join) {
        auto r = expect(2, "JOIN handle");
        if (!r) return r;
        const auto handle = name_frame(frames[1], "handle");
        if (!handle) return fail<request>(handle.error());
        r->name = *handle;
        return r;
    }
    // slide: chat-parse-say
    if (cmd == word::say) {
        auto r = expect(3, "SAY room text");
        if (!r) return r;
        const auto room = name_frame(frames[1], "room");
        if (!room) return fail<request>(room.error());
        const auto text = text_frame(frames[2], max_text);
        if (!text) return fail<request>(text.error());
        r->name = *room;
        r->text = *text;
        return r;
    }
    // end slide
    if (cmd == word::who) return expect(1, "WHO");
    if (cmd == word::leave) return expect(1, "LEAVE");
    if (cmd == word::ping) return expect(1, "PING");
    return fail<request>("unknown command '" + common::printable(cmd, max_name_size) + "': expected JOIN, SAY, WHO, LEAVE or PING");
}

common::result<reply> parse_reply(common::frames frames)
{
    if (frames.size() < 2) return fail<reply>("a reply has at least 2 frames, got " + std::to_string(frames.size()));
    reply r;
    const auto status = view(frames[0]);
    if (status != word::ok && status != word::error)
        return fail<reply>("reply status '" + common::printable(status) + "' is neither OK nor ERROR");
    r.ok = status == word::ok;
    r.command = view(frames[1]);
    for (std::size_t i = 2; i < frames.size(); ++i) r.values.emplace_back(view(frames[i]));
    if (!r.ok && r.values.size() != 1) return fail<reply>("an ERROR reply has 3 frames, got " + std::to_string(frames.size()));
    return r;
}

common::result<broadcast> parse_broadcast(common::frames frames, std::size_t max_text)
{
    if (frames.size() < 3) return fail<broadcast>("a broadcast has 3 or 4 frames, got " + std::to_string(frames.size()));
    broadcast b;
    b.topic = view(frames[0]);
    b.kind = view(frames[1]);
    const auto handle = name_frame(frames[2], "handle");
    if (!handle) return fail<broadcast>(handle.error());
    b.handle = *handle;
    if (b.topic == presence_topic) {
        if (b.kind != word::joined && b.kind != word::left && b.kind != word::expired)
            return fail<broadcast>("unknown presence event '" + common::printable(b.kind) + "'");
        if (frames.size() != 3) return fail<broadcast>("a presence broadcast has 3 frames, got " + std::to_string(frames.size()));
        return b;
    }
    if (!valid_name(b.topic)) return fail<broadcast>("topic '" + common::printable(b.topic) + "' is not a room");
    if (b.kind != word::msg) return fail<broadcast>("unknown broadcast '" + common::printable(b.kind) + "'");
    if (frames.size() != 4) return fail<broadcast>("a MSG broadcast has 4 frames, got " + std::to_string(frames.size()));
    const auto text = text_frame(frames[3], max_text);
    if (!text) return fail<broadcast>(text.error());
    b.text = *text;
    return b;
}

}  // namespace chat
