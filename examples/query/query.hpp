// Example 4, the query engine: client/server (ROUTER) combined with data
// distribution (XPUB), and a broker (zmq_proxy) to scale it out.
// Each role is a function of (context, options, stop token); query-server,
// query-broker, query-client and query-demo are thin mains over them. The
// client API (query::client, query::ask) is what other programs embed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "common/program.hpp"
#include "protocol.hpp"

namespace query {

using namespace std::chrono_literals;

// query-server: SUB follows the feed; ROUTER answers queries; XPUB publishes
// updates and watch matches. Single layout: ROUTER and XPUB bind. Behind a
// broker: both connect (to the broker's backend and its publishers' side).
struct server_options {
    common::role_options role;
    std::vector<std::string> feed;             // SUB connects: ticker-pub or ticker-proxy
    std::vector<std::string> bind;             // ROUTER binds: clients
    std::vector<std::string> connect;          // ROUTER connects: a broker's backend
    std::vector<std::string> publish;          // XPUB binds: clients' SUBs
    std::vector<std::string> publish_connect;  // XPUB connects: a broker's XSUB
    std::size_t history = 1000;                // ticks kept per symbol
    std::size_t max_watches = 1000;            // standing queries, all clients together
    int sndhwm = 1000;                         // XPUB's queue limit per subscriber, in messages
    int sndbuf = 16384;                        // its kernel send buffer per subscriber, bytes (0: the OS's)
    std::uint64_t drop_update = 0;             // test hook: never publish the update with this seq
};
void add_options(common::program& prog, server_options& opts);
void run_server(zmq::context_t& ctx, const server_options& opts, std::stop_token stop);

// query-broker: ROUTER (clients) -> DEALER (workers) on zmq_proxy, and
// XSUB (workers' updates) -> XPUB (clients) on another. All four bind.
struct broker_options {
    common::role_options role;
    std::vector<std::string> frontend;    // ROUTER: clients
    std::vector<std::string> backend;     // DEALER: workers' ROUTERs connect
    std::vector<std::string> publishers;  // XSUB: workers' XPUBs connect
    std::vector<std::string> updates;     // XPUB: clients' SUBs
};
void add_options(common::program& prog, broker_options& opts);
void run_broker(zmq::context_t& ctx, const broker_options& opts, std::stop_token stop);

// One answer. ok == false: the server's error message is in text.
struct reply {
    bool ok = false;
    std::string text;
    std::string symbol;                  // SNAPSHOT
    std::optional<symbol_state> state;   // SNAPSHOT
};

// A reply's frames, checked: [OK|ERR] [text] or, for SNAPSHOT, [OK] [text] [symbol] [state].
common::result<reply> decode_reply(common::frames msg);

// A REQ client with retries (the Lazy Pirate pattern): no reply within
// timeout, it closes the socket, opens a new one and asks again, at most
// `retries` more times. Use it from one thread.
class client {
public:
    client(zmq::context_t& ctx, std::vector<std::string> endpoints, std::chrono::milliseconds timeout = 1s,
           int retries = 2);
    // The reply (OK or ERR), or a failure: "no reply from ... after 3 attempts",
    // "stopped", a malformed reply.
    common::result<reply> ask(std::string_view text, std::stop_token stop = {});
    const std::vector<std::string>& endpoints() const { return endpoints_; }

private:
    void open();
    zmq::context_t& ctx_;
    std::vector<std::string> endpoints_;
    std::chrono::milliseconds timeout_;
    int retries_;
    std::optional<zmq::socket_t> socket_;
    std::vector<zmq::message_t> msg_;
};

// One request on a fresh client.
common::result<reply> ask(zmq::context_t& ctx, const std::string& endpoint, std::string_view text,
                          std::chrono::milliseconds timeout = 1s, int retries = 2, std::stop_token stop = {});

// A watch match, as a client receives it.
struct match {
    std::string condition;  // "AAPL > 190"
    ticker::tick tick;
};

// What a following client sees. Unset ones print to the terminal.
struct client_events {
    std::function<void(const reply&)> on_reply;
    std::function<void(const std::string& symbol, const symbol_state&)> on_update;  // replica after each update
    std::function<void(const std::string& symbol, const symbol_state&)> on_resync;  // after a snapshot
    std::function<void(const match&)> on_match;
};

// query-client: REQ connects to a server (or broker); SUB to its updates.
// One-shot (query), interactive (no query, no watch, no follow: lines from
// stdin), --watch CONDITION, --follow SYMBOL (snapshot + updates), --bot.
struct client_options {
    common::role_options role;
    std::vector<std::string> connect;        // ROUTER: query-server or query-broker
    std::vector<std::string> updates;        // XPUB: query-server or query-broker
    std::string query;                       // one-shot
    std::vector<std::string> watch;          // "AAPL > 190"
    std::vector<std::string> follow;         // symbols
    std::chrono::milliseconds timeout = 1s;  // per attempt
    int retries = 2;                         // attempts after the first
    std::uint64_t count = 0;                 // --watch/--follow: stop after N updates or matches
    int rcvhwm = 1000;                       // SUB's queue limit (a small one with --slow makes gaps)
    int rcvbuf = -1;                         // SUB's kernel receive buffer, bytes (-1: the OS's; 4096 with --slow)
    std::chrono::milliseconds slow{0};       // pause after each update
    client_events events;
    bool bot = false;                        // ask built-in queries, one every bot_interval
    std::chrono::milliseconds bot_interval = 2s;
};
void add_options(common::program& prog, client_options& opts);
// False when a query got an error reply (the message was printed); throws
// when no server answers.
bool run_client(zmq::context_t& ctx, const client_options& opts, std::stop_token stop);

}  // namespace query
