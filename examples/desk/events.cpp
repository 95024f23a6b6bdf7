#include "events.hpp"

#include <array>
#include <cstdio>

namespace desk {
namespace {

struct kind_info {
    std::string_view kind;
    std::vector<std::string_view> fields;
};

const std::array<kind_info, 10> kinds{{
    {"tick", {"symbol", "price", "open"}},
    {"chat", {"handle", "text"}},
    {"presence", {"what", "handle"}},
    {"notice", {"text"}},
    {"order-queued", {"id", "tasks"}},
    {"order-started", {"id", "tasks"}},
    {"order-progress", {"id", "done", "tasks"}},
    {"order-done", {"id", "value", "analytic", "seconds"}},
    {"order-failed", {"id", "why"}},
    {"answer", {"id", "ok", "text", "query"}},
}};

const kind_info* find(std::string_view kind)
{
    for (const auto& k : kinds)
        if (k.kind == kind) return &k;
    return nullptr;
}

}  // namespace

std::vector<zmq::message_t> encode(const event& e)
{
    std::vector<zmq::message_t> msg;
    msg.emplace_back(e.kind.data(), e.kind.size());
    for (const auto& f : e.fields) msg.emplace_back(f.data(), f.size());
    return msg;
}

common::result<event> decode_event(common::frames msg)
{
    if (msg.empty()) return common::result<event>::failure("an empty message");
    const auto* info = find(msg[0].to_string_view());
    if (info == nullptr) return common::result<event>::failure("unknown kind '" + common::printable(msg[0].to_string_view()) + "'");
    if (auto ok = common::expect_frames(msg, info->fields.size() + 1); !ok) return common::result<event>::failure(ok.error());
    event e{std::string(info->kind), {}};
    for (std::size_t i = 1; i < msg.size(); ++i) {
        const auto text = msg[i].to_string_view();
        if (text.size() > max_field_size || !common::valid_utf8(text))
            return common::result<event>::failure(std::string(info->fields[i - 1]) + ": not UTF-8 text of at most 4096 bytes");
        e.fields.emplace_back(text);
    }
    return e;
}

std::string json_string(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char esc[8];
                std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
                out += esc;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

std::string to_json(const event& e)
{
    std::string out = "{\"kind\":" + json_string(e.kind);
    const auto* info = find(e.kind);
    for (std::size_t i = 0; i < e.fields.size(); ++i) {
        const auto name = info != nullptr && i < info->fields.size() ? std::string(info->fields[i]) : "f" + std::to_string(i);
        out += "," + json_string(name) + ":" + json_string(e.fields[i]);
    }
    return out + "}";
}

std::string to_line(const event& e)
{
    const auto& f = e.fields;
    auto at = [&](std::size_t i) -> const std::string& {
        static const std::string none;
        return i < f.size() ? f[i] : none;
    };
    if (e.kind == "tick") return "tick " + at(0) + " " + at(1) + " (open " + at(2) + ")";
    if (e.kind == "chat") return "chat <" + at(0) + "> " + at(1);
    if (e.kind == "presence") return "chat * " + at(1) + " " + at(0);
    if (e.kind == "notice") return "chat -- " + at(0);
    if (e.kind == "order-queued") return "order " + at(0) + ": queued (" + at(1) + " positions)";
    if (e.kind == "order-started") return "order " + at(0) + ": " + at(1) + " positions sent to the workflow";
    if (e.kind == "order-progress") return "order " + at(0) + ": " + at(1) + "/" + at(2) + " valued";
    if (e.kind == "order-done")
        return "order " + at(0) + ": value " + at(1) + " (Black-Scholes " + at(2) + ") in " + at(3) + " s";
    if (e.kind == "order-failed") return "order " + at(0) + ": failed: " + at(1);
    if (e.kind == "answer") return "query " + at(0) + " (" + at(3) + ")" + (at(1) == "ok" ? ": " : ": error: ") + at(2);
    std::string line = e.kind;
    for (const auto& x : f) line += " " + x;
    return line;
}

std::vector<zmq::message_t> text_message(const std::vector<std::string>& frames)
{
    std::vector<zmq::message_t> msg;
    for (const auto& f : frames) msg.emplace_back(f.data(), f.size());
    return msg;
}

std::vector<std::string> texts(common::frames msg)
{
    std::vector<std::string> out;
    for (const auto& f : msg) out.emplace_back(f.to_string_view());
    return out;
}

}  // namespace desk
