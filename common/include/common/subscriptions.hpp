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

#include <cstdint>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "common/console.hpp"
#include "common/monitor.hpp"

namespace common {

// A subscription is one frame: \x01 (or \x00 to cancel) then the topic. 512
// bytes leaves room for the handshake's READY command (a 255-byte routing id
// and the property names), which libzmq also checks against the limit.
inline constexpr std::int64_t max_subscription_bytes = 512;

// Sets ZMQ_MAXMSGSIZE and watches the socket: peers cut off are logged
// (rate-limited), and every event too with --monitor (all_events). Create it
// before bind/connect; destroy it before its socket.
std::unique_ptr<socket_monitor> limit_untrusted(zmq::context_t& ctx, zmq::socket_ref socket, std::int64_t max_bytes,
                                                std::string label, const console& out, bool all_events);

}  // namespace common
