// Sockets that take subscriptions (or any message) from peers we do not
// trust: every PUB/XPUB a subscriber reaches, every XSUB a publisher reaches.
//
// libzmq keeps each subscription in a trie, one node per byte, and walks it
// recursively: one 200 KB subscription crashes the process (stack overflow)
// when its peer leaves. ZMQ_MAXMSGSIZE makes libzmq close the connection of a
// peer whose message is over the limit as soon as it has read the frame's
// size, before the body is read into memory.
//
// libzmq 4.3 reports such a refusal only as "disconnected", the same event as
// a peer that simply leaves (stream_engine_base.cpp: EMSGSIZE from the
// decoder becomes a protocol error, and error() then emits
// ZMQ_EVENT_DISCONNECTED and nothing else). So the line we log says both:
// "a peer left, or was cut off for a message over N bytes". It is rate-limited
// (common::throttle): a peer repeating it cannot flood the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <zmq.hpp>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/throttle.hpp"

namespace common {

// A subscription is one frame: \x01 (or \x00 to cancel) then the topic. 512
// bytes leaves room for the handshake's READY command (a 255-byte routing id
// and the property names), which libzmq also checks against the limit.
inline constexpr std::int64_t max_subscription_bytes = 512;

// A subscription flood: many small subscriptions instead of one big one.
// libzmq keeps every distinct topic in its trie (about 50 bytes of memory per
// byte of topic), and inserts them on the thread that uses the socket, so
// 200,000 subscriptions of 200 bytes from one peer cost over a gigabyte and
// stall every other subscriber for seconds. ZMQ_XPUB_MANUAL does not help: in
// libzmq 4.3 the XPUB stores each subscription in a trie of its own before the
// application sees it. And an XPUB does not say which connection a
// subscription came from (no file descriptor, Peer-Address is the IP only).
//
// So the budget counts bytes, per connection, where the kernel counts them:
// TCP_INFO's tcpi_bytes_received on each connection the socket accepted (the
// monitor's ACCEPTED event gives its file descriptor). A subscriber sends
// nothing else to a PUB or XPUB: its bytes are its subscriptions and
// unsubscriptions, over the connection's life, plus the handshake. A
// connection over its budget, or the one that sent the most when all of them
// together are over the total, is shut down (shutdown(2): libzmq sees the peer
// leave, and drops its subscriptions) and logged, rate-limited. A ZeroMQ peer
// that was cut off reconnects and starts again from zero: a good subscriber
// that only ever sends a few topics never comes near the limits.
//
// Only tcp: ipc is private to the user (common/endpoint.hpp) and inproc to the
// process. Connections this socket made itself (connect) are trusted: they go
// to a peer we chose, such as the upstream side of a proxy. Linux only
// (TCP_INFO); elsewhere the budget does nothing.
struct subscription_limits {
    std::uint64_t per_peer = 256 * 1024;     // bytes one connection may send
    std::uint64_t total = 1024 * 1024;       // all connections together
    std::uint64_t handshake = 512;           // not counted: greeting and READY
};

// What a PUB or XPUB queues of one peer's subscriptions before libzmq stops
// reading its connection: a flood then enters the trie in small steps, and the
// budget's checks come between them.
inline constexpr int subscription_rcvhwm = 100;

class subscription_budget {
public:
    subscription_budget(std::string label, const console& out, subscription_limits limits = {});
    // Feed it every ACCEPTED, DISCONNECTED and CLOSED event of the socket's
    // monitor (the others are ignored).
    void on_event(std::uint16_t event, std::uint32_t value, std::string_view endpoint);
    // Looks at every connection and cuts off those over budget. Call it at
    // least every check_interval while watching().
    void check();
    bool watching() const { return !peers_.empty(); }
    static constexpr std::chrono::milliseconds check_interval{25};

private:
    struct peer {
        std::string address;  // "ip:port", as getpeername gave it at ACCEPTED
        bool cut = false;
    };
    void cut(int fd, peer& p, std::uint64_t bytes, const char* why);

    std::string label_;
    const console& out_;
    subscription_limits limits_;
    std::unordered_map<int, peer> peers_;  // accepted tcp connections, by fd
    throttle reported_;
};

// Sets ZMQ_MAXMSGSIZE and watches the socket: peers cut off are logged
// (rate-limited), and every event too with --monitor (all_events). On a PUB or
// XPUB, it also keeps the subscription budget above. Create it before
// bind/connect; destroy it before its socket.
std::unique_ptr<socket_monitor> limit_untrusted(zmq::context_t& ctx, zmq::socket_ref socket, std::int64_t max_bytes,
                                                std::string label, const console& out, bool all_events,
                                                socket_monitor::handler also = {});

}  // namespace common
