// Example 3, chat: client/server with multipart messages, ROUTER/DEALER, a
// STREAM gateway for non-ZeroMQ peers, and security (NULL, PLAIN, CURVE + ZAP).
// Each role is a function of (context, options, stop token); chat-server,
// chat-client, chat-gateway and chat-demo are thin mains over them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/program.hpp"
#include "protocol.hpp"
#include "security.hpp"

namespace chat {

using namespace std::chrono_literals;

// chat-server: ROUTER (commands) and PUB (broadcasts), both bind.
struct server_options {
    common::role_options role;
    std::vector<std::string> bind;            // ROUTER: clients' commands
    std::vector<std::string> publish;         // PUB: broadcasts
    std::chrono::milliseconds expiry = 10s;   // a client silent this long is gone
    std::size_t max_text = default_max_text;  // longest text of one message, in bytes
    std::uint64_t count = 0;                  // stop after this many messages said (0: no limit)
    server_security security;
};
void add_options(common::program& prog, server_options& opts);
void run_server(zmq::context_t& ctx, const server_options& opts, std::stop_token stop);

// What a client shows: chat lines and what happens to its connection. The
// terminal client prints them; the tests and the trading desk plug in here.
struct client_events {
    std::function<void(const broadcast&)> on_broadcast;  // messages and presence
    std::function<void(const reply&)> on_reply;          // every reply (WHO's list...)
    std::function<void(const std::string&)> on_notice;   // "joined as", "reconnecting"...
};

// Connection settings shared by the client and the gateway's sessions.
struct connection_options {
    std::vector<std::string> connect;         // the server's ROUTER
    std::vector<std::string> subscribe;       // the server's PUB
    std::chrono::milliseconds heartbeat = 1s; // PING when idle this long
    std::chrono::milliseconds timeout = 3s;   // no reply this long: the server is gone
    std::size_t max_text = default_max_text;
    client_security security;
};
void add_options(common::program& prog, connection_options& opts);

// chat-client: DEALER (commands) and SUB (broadcasts), both connect.
struct client_options {
    common::role_options role;
    connection_options conn;
    std::string handle;
    std::string room{default_room};
    std::uint64_t count = 0;                   // stop after this many messages from others
    bool bot = false;                          // say lines from a built-in script
    std::chrono::milliseconds bot_interval = 3s;
    std::vector<std::string> script;           // the bot's lines; empty: built-in ones
    std::string input;                         // PULL endpoint for typed lines (threads); empty: stdin
    client_events events;                      // unset ones print to the terminal
};
void add_options(common::program& prog, client_options& opts);
void run_client(zmq::context_t& ctx, const client_options& opts, std::stop_token stop);

// chat-gateway: STREAM (raw TCP) binds; per person, a DEALER session to the server.
struct gateway_options {
    common::role_options role;
    connection_options conn;
    std::vector<std::string> listen;          // tcp only: STREAM speaks plain TCP
    std::string room{default_room};
    std::size_t max_people = 100;
};
void add_options(common::program& prog, gateway_options& opts);
void run_gateway(zmq::context_t& ctx, const gateway_options& opts, std::stop_token stop);

}  // namespace chat
