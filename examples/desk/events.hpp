// The desk's events: what the actors tell the hub, and what the hub passes on
// to web pages (as JSON) or prints (as lines). On the pipes an event is a
// multipart message of UTF-8 text frames: the kind, then its fields.
//
//   tick            symbol price open          market: a new price
//   chat            handle text                chat: someone said something
//   presence        what handle                chat: joined, left, expired
//   notice          text                       chat: "joined as desk", "reconnecting"...
//   order-queued    id tasks                   valuation: waiting behind another order
//   order-started   id tasks                   valuation: the batch is on the workflow
//   order-progress  id done tasks              valuation: positions valued so far
//   order-done      id value analytic seconds  valuation: the book's value, Black-Scholes' value
//   order-failed    id why                     valuation: the batch could not run
//   answer          id ok|error text query     query: the query engine's answer
#pragma once

#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "common/codec.hpp"

namespace desk {

struct event {
    std::string kind;
    std::vector<std::string> fields;
};

constexpr std::size_t max_field_size = 4096;

std::vector<zmq::message_t> encode(const event& e);
// Checks the kind, the number of fields and that each is UTF-8 text.
common::result<event> decode_event(common::frames msg);

// {"kind":"tick","symbol":"AAPL","price":"187.20","open":"185.00"}: every value a string.
std::string to_json(const event& e);
// "tick AAPL 187.20 (open 185.00)", "chat <alice> hello", "order 3: done, value ..."
std::string to_line(const event& e);

// A JSON string literal, quotes included.
std::string json_string(std::string_view text);

// Text frames, for requests and replies.
std::vector<zmq::message_t> text_message(const std::vector<std::string>& frames);
std::vector<std::string> texts(common::frames msg);

}  // namespace desk
