// The query engine's wire protocol and query language. The README has the
// frame tables; in short:
//
// Requests, REQ (or DEALER + empty frame) -> ROUTER:   [""] [query text]
// Replies,  ROUTER -> REQ:                             [""] ["OK"|"ERR"] [text]
//           SNAPSHOT's OK reply adds two frames:       [symbol] [state, 80 bytes]
// Updates,  XPUB -> SUB, one per tick:                 ["sym:" symbol] [quote, 56 bytes]
// Matches,  XPUB -> SUB, one per matching tick:        ["watch:" token] [condition] [symbol] [quote]
//
// The quote frame is the ticker's (examples/ticker/tick.hpp); its seq, the
// feed's per-symbol sequence number, is also the update's sequence number.
//
// Queries (keywords in any case; symbols as the feed spells them):
//   LAST sym                  last price, bid, ask, sequence number
//   STATS sym [n]             open/high/low/close, average, volume over the last n ticks
//   HISTORY sym n             the last n ticks, oldest first
//   TOP n GAINERS|LOSERS      symbols by change since the session's open
//   SYMBOLS                   every symbol seen, with its tick count
//   SNAPSHOT sym              the symbol's whole state, for a replica (Clone pattern)
//   WATCH sym >|< price [token]  standing query: matches go to topic "watch:" token
//   HELP                      this list
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "common/codec.hpp"
#include "tick.hpp"

namespace query {

constexpr std::size_t max_query_size = 256;   // bytes of one query
constexpr std::size_t max_count = 1000;       // HISTORY n, STATS n, TOP n
constexpr std::size_t max_token_size = 32;    // WATCH's token
constexpr std::size_t state_size = 80;        // SNAPSHOT's state frame
constexpr std::string_view update_prefix = "sym:";
constexpr std::string_view watch_prefix = "watch:";

namespace word {
constexpr std::string_view ok = "OK", error = "ERR";
}

// A symbol's state: what SNAPSHOT returns, and what a replica keeps by
// applying each update (tick) after it. 80 bytes on the wire, little-endian:
//   u64 seq  i64 time_ns  f64 last  f64 bid  f64 ask  f64 open  f64 high  f64 low
//   u64 ticks  u64 volume
struct symbol_state {
    std::uint64_t seq = 0;      // the last tick's sequence number
    std::int64_t time_ns = 0;   // the last tick's time
    double last = 0, bid = 0, ask = 0;
    double open = 0;            // the feed's session open
    double high = 0, low = 0;   // over every tick this state has seen
    std::uint64_t ticks = 0;    // ticks this state has seen
    std::uint64_t volume = 0;   // their total volume

    void apply(const ticker::tick& t);
    bool operator==(const symbol_state&) const = default;
};
zmq::message_t encode_state(const symbol_state& s);
common::result<symbol_state> decode_state(const zmq::message_t& frame);

// A parsed query. Views point into the query text.
enum class verb { last, stats, history, top, symbols, snapshot, watch, help };
struct request {
    verb what = verb::help;
    std::string_view symbol;    // LAST STATS HISTORY SNAPSHOT WATCH
    std::size_t n = 0;          // STATS (0: every tick kept), HISTORY, TOP
    bool gainers = true;        // TOP
    bool above = true;          // WATCH: '>' (true) or '<'
    double price = 0;           // WATCH
    std::string_view token;     // WATCH (empty: the server picks one)
};
// Strict: every word checked, nothing left over. The error says what is wrong
// and where: "column 6: expected a whole number from 1 to 1000 for n, got 'x'".
common::result<request> parse(std::string_view text);

// Symbols and tokens: 1-16 (tokens 1-32) bytes, printable ASCII except space.
bool valid_symbol(std::string_view s);
bool valid_token(std::string_view s);

// "price=187.25 bid=..." -> the number after "key=", if there is one.
std::optional<double> field(std::string_view text, std::string_view key);

// The language's summary, as HELP returns it.
std::string_view help_text();

}  // namespace query

namespace query {

// An update or a watch match off the SUB socket, checked.
struct update {
    ticker::tick tick;
    std::string condition;  // a match's; empty for an update
    std::string topic;
};
common::result<update> decode_update(common::frames msg);

}  // namespace query
