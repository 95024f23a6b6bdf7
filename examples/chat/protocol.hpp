// The chat's wire protocol: every frame is UTF-8 text, no numbers, so a peer
// in any language (or a person with a ZeroMQ shell) can speak it.
//
// Commands, DEALER -> ROUTER (the ROUTER sees the sender's routing id first):
//   JOIN  handle        SAY  room text       WHO       LEAVE       PING
// Replies, ROUTER -> DEALER:
//   OK    command [values...]                ERROR command reason
// and, unasked, PING: the server checking the connection is still there.
// Broadcasts, XPUB -> SUB (frame 1 is the topic SUB filters on):
//   room  MSG handle text                    *  JOINED|LEFT|EXPIRED handle
// and once to each new subscriber, when the server has its subscriptions:
//   *WELCOME
// The README has the frame tables.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "common/codec.hpp"

namespace chat {

constexpr std::size_t max_name_size = 24;       // handles and rooms
constexpr std::size_t default_max_text = 1024;  // bytes of one message's text
constexpr std::string_view presence_topic = "*";
constexpr std::string_view default_room = "lobby";
constexpr std::string_view welcome = "*WELCOME";  // XPUB's welcome message: one frame

// Command and reply words.
namespace word {
constexpr std::string_view join = "JOIN", say = "SAY", who = "WHO", leave = "LEAVE", ping = "PING";
constexpr std::string_view ok = "OK", error = "ERROR";
constexpr std::string_view msg = "MSG", joined = "JOINED", left = "LEFT", expired = "EXPIRED";
}  // namespace word

using message = std::vector<zmq::message_t>;

// A multipart message from text frames.
message make_message(std::initializer_list<std::string_view> frames);
// The same, with a list of values appended (WHO's reply).
message make_message(std::initializer_list<std::string_view> frames, const std::vector<std::string>& more);

// Handles and rooms: 1-24 bytes of A-Z a-z 0-9 _ . - (safe in a terminal, a
// topic and a file name). Text: valid UTF-8, 1..max_text bytes, no control characters.
common::result<std::string_view> name_frame(const zmq::message_t& frame, std::string_view what);
common::result<std::string_view> text_frame(const zmq::message_t& frame, std::size_t max_text);
bool valid_name(std::string_view name);

// A command as the server sees it, after the routing id.
struct request {
    std::string_view command;  // one of the word:: commands
    std::string_view name;     // JOIN: handle; SAY: room
    std::string_view text;     // SAY
};
// Checks frame count and every frame; the error is the reason for an ERROR reply.
common::result<request> parse_request(common::frames frames, std::size_t max_text);

// A reply as the client sees it.
struct reply {
    bool ok = false;
    std::string command;
    std::vector<std::string> values;  // OK: the values; ERROR: one, the reason
};
common::result<reply> parse_reply(common::frames frames);

// A broadcast as a subscriber sees it.
struct broadcast {
    std::string topic;  // a room, or "*" for presence
    std::string kind;   // MSG, JOINED, LEFT, EXPIRED
    std::string handle;
    std::string text;   // MSG only
};
common::result<broadcast> parse_broadcast(common::frames frames, std::size_t max_text);

// The gateway's raw TCP bytes, as lines: a line ends at '\n' (a '\r' before it
// goes, for telnet). A line past max_line bytes is cut: too_long() once, and
// the rest of it is skipped. Bytes of an unfinished line wait for the next feed.
class line_splitter {
public:
    template <class OnLine, class OnTooLong>
    void feed(std::string_view bytes, std::size_t max_line, OnLine on_line, OnTooLong too_long)
    {
        for (char c : bytes) {
            if (c != '\n') {
                if (!skipping_) partial_ += c;
                if (partial_.size() > max_line) {
                    too_long();
                    partial_.clear();
                    skipping_ = true;
                }
                continue;
            }
            if (!skipping_) {
                if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
                on_line(partial_);
            }
            partial_.clear();
            skipping_ = false;
        }
    }

private:
    std::string partial_;   // bytes of a line not yet complete
    bool skipping_ = false; // inside a line that was too long
};

}  // namespace chat
