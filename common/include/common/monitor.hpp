// Diagnostics: a socket's events (listening, accepted, connected,
// disconnected, bind failed, handshake failed...) as they happen. libzmq
// publishes them on an inproc PAIR socket (zmq_socket_monitor); a thread of
// the monitor's own reads them and prints one line per event. Create it before
// bind/connect to see every event; destroy it before its socket.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <zmq.hpp>

#include "common/console.hpp"

namespace common {

// The events a monitor asks for: all but "bind failed". libzmq 4.3 sends that
// event before zmq_bind returns, and a send to a monitor whose reader is not
// attached yet sets errno to EAGAIN: bind then fails with "Resource
// temporarily unavailable" instead of "Address already in use". The program's
// own error message says that a bind failed, and why.
inline constexpr int monitored_events = ZMQ_EVENT_ALL & ~ZMQ_EVENT_BIND_FAILED;

class socket_monitor {
public:
    // Calls it(event, value, endpoint) on the monitor's thread for each event.
    using handler = std::function<void(std::uint16_t, std::uint32_t, const std::string&)>;

    // all_events false: only connections closed on a socket with a message
    // size limit (cut_over > 0) are reported, rate-limited. also: called for
    // every event, on the monitor's thread.
    socket_monitor(zmq::context_t& ctx, zmq::socket_ref socket, std::string label, const console& out,
                   bool all_events = true, std::int64_t cut_over = -1, handler also = {});
    ~socket_monitor();
    socket_monitor(const socket_monitor&) = delete;
    socket_monitor& operator=(const socket_monitor&) = delete;

private:
    zmq::socket_ref socket_;
    std::jthread reader_;
};

// A monitor when enabled (--monitor), nothing otherwise.
std::unique_ptr<socket_monitor> monitor_if(bool enabled, zmq::context_t& ctx, zmq::socket_ref socket,
                                           std::string label, const console& out);

// "listening", "connected"...; "event 0x..." for an unknown one.
std::string event_name(std::uint16_t event);

}  // namespace common
