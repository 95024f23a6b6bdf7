// Example 5, the trading desk: one process, many threads. Each thread is an
// actor that owns its sockets (sockets are not thread-safe; the context is);
// actors talk only by messages over inproc, so the same actors could live in
// other processes or on other machines by changing addresses.
//
//   market     SUB to a ticker feed           -> tick events
//   chat       a chat client (DEALER + SUB)   -> chat events; says what the hub pushes
//   valuation  runs an order's batch on the workflow (ventilator + sink) -> order events
//   query      asks the query engine (REQ with retries)  -> answer events
//   hub        the UI actor: takes requests (ROUTER), routes them to the actors,
//              fans events out to web pages (XPUB) or prints them (console)
//   web        the HTTP server: pages, Server-Sent Events, POSTs (passes messages only)
//
// Each role is a function of (context, options, stop token), like every role
// of the examples; run_desk wires them and, given no addresses, embeds the
// services of examples 1-4 as threads too.
#pragma once

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "chat.hpp"
#include "common/codec.hpp"
#include "common/program.hpp"

namespace desk {

using namespace std::chrono_literals;

// Where the actors meet, inside the desk's context (inproc).
namespace wiring {
constexpr std::string_view pipe_prefix = "inproc://desk-pipe-";    // + actor: PAIR, hub binds, actor connects
constexpr std::string_view requests = "inproc://desk-requests";    // ROUTER, hub binds: from HTTP and stdin
constexpr std::string_view events = "inproc://desk-events";        // XPUB, hub binds: events for web pages
constexpr std::string_view chat_input = "inproc://desk-chat-input";  // PUSH, hub binds: lines the chat says
constexpr std::string_view reports = "inproc://desk-valuation-reports";  // PULL, valuation binds: its sink's progress
}  // namespace wiring
std::string pipe_endpoint(std::string_view actor);

// The actors the hub has a pipe to.
constexpr std::string_view market_actor = "market", chat_actor = "chat", valuation_actor = "valuation", query_actor = "query";

struct hub_options {
    common::role_options role;
    bool console = false;  // print every event as a line (ticks included)
    std::vector<std::string> actors{std::string(market_actor), std::string(chat_actor), std::string(valuation_actor),
                                     std::string(query_actor)};
};
void run_hub(zmq::context_t& ctx, const hub_options& opts, std::stop_token stop);

struct market_options {
    common::role_options role;
    std::vector<std::string> connect;  // the ticker's PUB (or a proxy's XPUB)
    std::vector<std::string> symbols;  // topic prefixes; empty: every symbol
};
void run_market(zmq::context_t& ctx, const market_options& opts, std::stop_token stop);

struct chat_options {
    common::role_options role;
    chat::connection_options conn;
    std::string handle = "desk";
    std::string room{chat::default_room};
};
void run_chat(zmq::context_t& ctx, const chat_options& opts, std::stop_token stop);

struct valuation_options {
    common::role_options role;
    // Where the batch's workers connect (the desk binds): all three, or none
    // for worker threads of its own over inproc.
    std::vector<std::string> tasks, results, control;
    unsigned workers = 2;           // embedded worker threads; or how many to wait for
    std::uint32_t paths = 1'000'000;  // Monte Carlo paths per position
    double join_wait = 1;           // seconds to wait for that many workers
    std::size_t max_queued = 5;     // orders waiting behind the running one
};
void run_valuation(zmq::context_t& ctx, const valuation_options& opts, std::stop_token stop);

struct query_options {
    common::role_options role;
    std::vector<std::string> connect;  // query-server's ROUTER, or query-broker's
};
void run_query(zmq::context_t& ctx, const query_options& opts, std::stop_token stop);

struct web_options {
    common::role_options role;
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
};
void run_web(zmq::context_t& ctx, const web_options& opts, std::stop_token stop);

// Console: lines typed on stdin become requests (text: say it; /order N; /help).
void run_console_input(zmq::context_t& ctx, const common::role_options& role, std::stop_token stop);

// A request's frames, as the hub checks them: say TEXT (1-1024 bytes of UTF-8,
// no control characters, no /command), order N (1-10000 positions), query TEXT.
constexpr std::uint32_t max_positions = 10'000;  // in one order
constexpr std::size_t max_say = chat::default_max_text;
struct checked_request {
    std::string command;  // say, order or query
    std::string text;     // say, query
    std::uint32_t tasks = 0;  // order
};
common::result<checked_request> check_request(const std::vector<std::string>& args);

// One request to the hub, the way the web server and the console make them:
// a DEALER of the caller's own for the call. Returns the reply's frames
// ("OK" ... or "ERROR" why); {"ERROR", "the desk is not answering"} on timeout.
std::vector<std::string> request(zmq::context_t& ctx, const std::vector<std::string>& frames,
                                 std::stop_token stop, std::chrono::milliseconds timeout = std::chrono::seconds(2));

// The whole desk: the actors above plus, for each service given no address,
// that service embedded as threads.
struct desk_options {
    common::role_options role;
    bool console = false;                // --ui console
    std::string http;                    // host:port of the dashboard
    std::vector<std::string> ticker;     // SUB connects; empty: an embedded ticker-pub
    std::vector<std::string> symbols;
    std::vector<std::string> chat, chat_broadcast;  // empty: an embedded chat-server
    std::string handle = "desk";
    bool bot = true;                     // embedded chat: a bot to talk to
    std::vector<std::string> tasks, results, control;  // empty: embedded workers
    unsigned workers = 2;
    std::uint32_t paths = 1'000'000;
    std::vector<std::string> query;      // the query engine's ROUTER; empty: an embedded query-server
};
void add_options(common::program& prog, desk_options& opts);
void run_desk(zmq::context_t& ctx, const desk_options& opts, std::stop_token stop);

}  // namespace desk
