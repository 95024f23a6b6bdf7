// Clean shutdown. A role runs until its std::stop_token says stop; it never
// blocks forever: it waits with the helpers below, which return as soon as a
// message is ready or stop is requested (checked every 50 ms at most), and
// which treat EINTR as "try again" and ETERM (context shut down) as "stop".
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <stop_token>
#include <thread>
#include <vector>
#include <zmq.hpp>

namespace common {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds forever{-1};
constexpr std::chrono::milliseconds stop_check_interval = 50ms;

// Waits until one of the items is ready; false on timeout or stop.
bool poll(std::span<zmq::pollitem_t> items, std::stop_token stop,
          std::chrono::milliseconds timeout = forever);

// Receives one whole multipart message into msg (cleared first); false on
// timeout or stop. Takes what is already queued without a system call; with
// a zero timeout, it only looks at what is queued, and never polls.
bool recv(zmq::socket_ref socket, std::vector<zmq::message_t>& msg, std::stop_token stop,
          std::chrono::milliseconds timeout = forever);

// Sends a multipart message, waiting while the socket is in its mute state
// (a full PUSH, a DEALER with no peer); false on timeout or stop.
bool send(zmq::socket_ref socket, std::span<zmq::message_t> msg, std::stop_token stop,
          std::chrono::milliseconds timeout = forever);

// Sleeps; false when woken early by stop.
bool sleep_for(std::chrono::nanoseconds how_long, std::stop_token stop);

// The process's stop signal: requested by the first SIGINT or SIGTERM, or
// when the optional duration has passed. A second signal exits at once (130).
// Construct it first in main(), before any thread exists: it blocks the two
// signals in every thread and takes them in a watcher thread of its own, so no
// libzmq call is ever interrupted half-way.
class signal_stop {
public:
    explicit signal_stop(std::optional<std::chrono::nanoseconds> duration = std::nullopt);
    ~signal_stop();
    signal_stop(const signal_stop&) = delete;
    signal_stop& operator=(const signal_stop&) = delete;

    std::stop_token token() const { return source_.get_token(); }
    void request_stop() { source_.request_stop(); }

private:
    std::stop_source source_;
    std::jthread watcher_;
};

}  // namespace common
