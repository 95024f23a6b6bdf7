// Example 1, the stock ticker: data distribution with PUB/SUB.
// Each role is a function of (context, options, stop token); the programs
// ticker-pub, ticker-sub, ticker-proxy and ticker-demo are thin mains over them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/program.hpp"
#include "tick.hpp"

namespace ticker {

// ticker-pub: PUB, binds (or connects); random-walk prices for a list of symbols.
struct pub_options {
    common::role_options role;
    std::vector<std::string> bind;
    std::vector<std::string> connect;  // e.g. a proxy's frontend (--frontend-bind)
    std::vector<std::string> symbols;  // empty: default_symbols()
    double rate = 10;                  // ticks per second; 0: as fast as possible
    std::uint64_t count = 0;           // stop after this many ticks (0: no limit)
    std::uint64_t seed = 0;            // 0: a random seed, printed at start
    int multicast_rate = 100;          // kbit/s on pgm/epgm (ZMQ_RATE)
    int recovery_ivl = 10000;          // ms of data kept for repairs on pgm/epgm (ZMQ_RECOVERY_IVL)
    int sndhwm = 1000;                 // send queue limit per subscriber, in messages
    int sndbuf = 16384;                // kernel send buffer per subscriber, bytes (0: the OS's)
};
void add_options(common::program& prog, pub_options& opts);
void run_pub(zmq::context_t& ctx, const pub_options& opts, std::stop_token stop);

// ticker-sub: SUB, connects; follows symbols by prefix, prints each tick.
struct sub_options {
    common::role_options role;
    std::vector<std::string> connect;
    std::vector<std::string> symbols;  // topic prefixes; empty: everything
    std::uint64_t count = 0;           // stop after this many ticks (0: no limit)
    std::chrono::milliseconds slow{0}; // pause after each tick, to play a slow consumer
    int rcvhwm = 1000;                 // receive queue limit, in messages
    int multicast_rate = 100;          // kbit/s on pgm/epgm (ZMQ_RATE): must match the publisher's
    int recovery_ivl = 10000;          // ms a lost packet can still be repaired (ZMQ_RECOVERY_IVL)
    int rcvbuf = -1;                   // kernel receive buffer, bytes (-1: the OS default; small with --slow)
    std::function<void(const tick&)> on_tick;  // instead of printing (tests, the desk)
};
void add_options(common::program& prog, sub_options& opts);
// --multicast-rate and --recovery-ivl, shared by ticker-pub and ticker-sub.
void add_multicast_options(common::program& prog, int& rate, int& recovery_ivl);
void set_multicast(zmq::socket_ref socket, int rate, int recovery_ivl);  // before bind/connect
void run_sub(zmq::context_t& ctx, const sub_options& opts, std::stop_token stop);

// ticker-proxy: XSUB -> XPUB forwarder on zmq_proxy_steerable.
struct proxy_options {
    common::role_options role;
    std::vector<std::string> connect;        // publishers the XSUB connects to
    std::vector<std::string> frontend_bind;  // or where publishers connect to the XSUB
    std::vector<std::string> bind;           // where subscribers connect to the XPUB
    std::vector<std::string> control;        // REP: PAUSE, RESUME, STATISTICS, TERMINATE
    std::vector<std::string> capture;        // PUB: a copy of all traffic (optional)
};
void add_options(common::program& prog, proxy_options& opts);
void run_proxy(zmq::context_t& ctx, const proxy_options& opts, std::stop_token stop);

}  // namespace ticker
